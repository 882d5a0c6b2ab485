package io.jcontainer.linux.terminal;

import io.jcontainer.linux.sys.RecordingSyscalls;
import io.jcontainer.linux.sys.SyscallException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HostTerminalTest {
    @Test
    void rawModeIsTheSavedSettingsMadeRawAndCloseRestoresThemOnce() {
        var sys = new RecordingSyscalls();
        HostTerminal t = HostTerminal.raw(sys, 0);
        t.close();
        t.close();
        assertThat(sys.calls).containsExactly("tcgetattr 0", "cfmakeraw", "tcsetattr 0 raw", "tcsetattr 0 cook");
    }

    @Test
    void aDescriptorThatIsNoTerminalFailsNamingTheCall() {
        var sys = new RecordingSyscalls().failNext("tcgetattr", 25 /* ENOTTY */);
        assertThatThrownBy(() -> HostTerminal.raw(sys, 0)).isInstanceOf(SyscallException.class).hasMessageContaining("tcgetattr");
        assertThat(sys.calls).containsExactly("tcgetattr 0");
    }
}
