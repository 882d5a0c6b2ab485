package io.jcontainer.linux;

import io.jcontainer.linux.sys.Proc;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Host probes read /proc/sys files whole (issue 18: max_user_namespaces read as "9"), through
 * the seam's {@code readFile} ({@link Proc#sysctl}).
 */
class HostInfoTest {
    @Test
    void procSysNumbersAreReadWhole() throws IOException {
        Path pidMax = Path.of("/proc/sys/kernel/pid_max");
        String expected;
        try (var in = Files.newInputStream(pidMax)) {
            expected = new String(in.readAllBytes()).trim();
        }
        assertThat(expected).hasSizeGreaterThan(1);                // pid_max is at least 32768
        assertThat(Proc.HOST.sysctl("kernel/pid_max", -1)).isEqualTo(Long.parseLong(expected));
        assertThat(Proc.HOST.sysctl("kernel/cap_last_cap", -1)).isGreaterThanOrEqualTo(36);
        assertThat(Proc.HOST.sysctl("no/such/file", 7)).isEqualTo(7);
    }
}
