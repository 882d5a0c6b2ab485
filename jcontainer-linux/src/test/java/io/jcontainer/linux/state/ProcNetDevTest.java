package io.jcontainer.linux.state;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ProcNetDevTest {
    @Test
    void sumsEveryInterfaceButLoopback() {
        String text = """
                Inter-|   Receive                                                |  Transmit
                 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
                    lo:  999999      10    0    0    0     0          0         0   999999      10    0    0    0     0       0          0
                  eth0:    1500      12    0    0    0     0          0         0      648       8    0    0    0     0       0          0
                  eth1:     500       2    0    0    0     0          0         0       52       1    0    0    0     0       0          0
                """;
        assertThat(ProcNetDev.parse(text)).containsExactly(2000, 700);
    }

    @Test
    void theHostsOwnNamespaceHasNothingOfItsOwn() {
        assertThat(ProcNetDev.ownNamespaceBytes(ProcessHandle.current().pid())).isNull();
    }
}
