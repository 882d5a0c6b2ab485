package io.jcontainer.linux.sys;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The /proc readers parse what the (fake) kernel serves, and answer null for what is gone. */
class ProcTest {
    private final RecordingSyscalls sys = new RecordingSyscalls();
    private final Proc proc = new Proc(sys);

    @Test
    void statFieldsStartAfterTheLastParenthesisOfTheCommandName() {
        sys.files.put("/proc/42/stat", "42 (a) b (c) S 7 42 42 0 -1 4194560 0 0 0 0 3 4 0 0 20 0 1 0 123456 0 0\n");
        String[] f = proc.stat(42);
        assertThat(f[0]).isEqualTo("S");
        assertThat(f[1]).isEqualTo("7");
        assertThat(f[19]).isEqualTo("123456");
        assertThat(proc.stat(43)).as("a process that is gone").isNull();
    }

    @Test
    void statusCmdlineAndIdMaps() {
        sys.files.put("/proc/self/status", "Name:\tjava\nUid:\t1000\t1001\t1001\t1001\nGid:\t100\t101\t101\t101\nCapBnd:\t000001ffffffffff\n");
        sys.files.put("/proc/9/cmdline", "jcontainer-launcher\0--x\0");
        sys.files.put("/proc/9/uid_map", "         0       1000          1\n         1     100000      65536\n");
        assertThat(proc.effectiveUid("self")).isEqualTo(1001);
        assertThat(proc.effectiveGid("self")).isEqualTo(101);
        assertThat(proc.status("self", "CapBnd:")).isEqualTo("000001ffffffffff");
        assertThat(proc.effectiveUid("8")).isEqualTo(-1);
        assertThat(proc.cmdline(9)).containsExactly("jcontainer-launcher", "--x");
        assertThat(proc.idMap("9", "uid_map")).containsExactly(new long[]{0, 1000, 1}, new long[]{1, 100000, 65536});
        assertThat(proc.idMap("9", "gid_map")).isNull();
    }

    @Test
    void sysctlsLinksAndMountinfoHaveDefaults() {
        sys.files.put("/proc/sys/kernel/cap_last_cap", "40\n");
        sys.links.put("/proc/self/ns/time", "time:[4026531834]");
        assertThat(proc.sysctl("kernel/cap_last_cap", -1)).isEqualTo(40);
        assertThat(proc.sysctl("user/max_user_namespaces", 7)).isEqualTo(7);
        assertThat(proc.link("/proc/self/ns/time")).isEqualTo("time:[4026531834]");
        assertThat(proc.link("/proc/self/ns/pid")).isNull();
        assertThat(proc.mountinfo()).isEmpty();
        assertThat(sys.calls).contains("read_file /proc/sys/kernel/cap_last_cap", "readlink /proc/self/ns/time");
    }

    @Test
    void theHostsProcIsReadWhole() {
        assertThat(Proc.HOST.stat(ProcessHandle.current().pid())).hasSizeGreaterThan(20);
        assertThat(Proc.HOST.cmdline(ProcessHandle.current().pid())).isNotEmpty();
        assertThat(Proc.HOST.link("/proc/self/ns/pid")).startsWith("pid:[");
        assertThat(Proc.HOST.mountinfo()).contains(" - ");
        assertThat(Proc.HOST.idMap("self", "uid_map")).isNotEmpty();
        assertThat(List.of(Proc.HOST.effectiveUid("self"))).doesNotContain(-1);
    }
}
