package io.jcontainer.linux.cgroup;

import io.jcontainer.ContainerStats;
import io.jcontainer.DataSize;
import io.jcontainer.Resources;
import io.jcontainer.linux.sys.NativeSyscalls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cgroups of a container another process started, from the directories its record names:
 * which controller each one carries is read from the directory (no host layout needed), and
 * stats and updates are those of a handle's cgroup. Plain files in a temporary directory.
 */
class RecordedCgroupTest {
    @TempDir
    Path tmp;

    final CgroupFs fs = new CgroupFs(NativeSyscalls.INSTANCE);

    Path dir(String name, Map<String, String> files) throws Exception {
        Path d = Files.createDirectories(tmp.resolve(name).resolve("jcontainer-detached-0123456789ab"));
        for (var e : files.entrySet()) Files.writeString(d.resolve(e.getKey()), e.getValue());
        return d;
    }

    @Test
    void v1DirectoriesAreTakenApartByTheirFilesAndGiveDockersNumbers() throws Exception {
        Path mem = dir("memory", Map.of("memory.usage_in_bytes", "52428800\n", "memory.max_usage_in_bytes", "60000000\n",
                "memory.limit_in_bytes", "9223372036854771712\n", "memory.stat", "cache 10\ntotal_inactive_file 4194304\n",
                "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n", "cgroup.procs", ""));
        Path pids = dir("pids", Map.of("pids.max", "7\n", "pids.current", "3\n", "cgroup.procs", ""));
        Path blkio = dir("blkio", Map.of("blkio.throttle.io_service_bytes",
                "8:0 Read 4096\n8:0 Write 8192\n8:0 Sync 0\n8:0 Total 12288\n8:16 Read 100\n8:16 Write 0\nTotal 12388\n", "cgroup.procs", ""));
        Path acct = dir("cpuacct", Map.of("cpuacct.usage", "3000000\n", "cpuacct.usage_user", "2000000\n", "cpuacct.usage_sys", "1000000\n"));
        Path freezer = dir("freezer", Map.of("freezer.state", "THAWED\n"));
        ContainerCgroup cg = RecordedCgroup.of(fs, List.of(mem.toString(), pids.toString(), blkio.toString(), acct.toString(), freezer.toString(),
                tmp.resolve("never-made").toString()));
        ContainerStats s = cg.stats();
        assertThat(s.memoryBytes()).isEqualTo(52428800);
        assertThat(s.memoryPeakBytes()).isEqualTo(60000000);
        assertThat(s.memoryLimitBytes()).as("v1's 'no limit'").isEqualTo(-1);
        assertThat(s.memoryInactiveFileBytes()).isEqualTo(4194304);
        assertThat(s.oomKills()).isEqualTo(2);
        assertThat(s.pids()).isEqualTo(3);
        assertThat(s.pidsLimit()).isEqualTo(7);
        assertThat(s.blockReadBytes()).isEqualTo(4196);
        assertThat(s.blockWriteBytes()).isEqualTo(8192);
        assertThat(s.cpuTime().toNanos()).isEqualTo(3_000_000);
        assertThat(s.netRxBytes()).isEqualTo(-1);

        cg.update(new Resources(null, null, null, 0, null, null, 0, 20, 0, List.of(), null));
        assertThat(Files.readString(pids.resolve("pids.max"))).isEqualTo("20");
        Files.writeString(pids.resolve("pids.max"), "");
        cg.update(new Resources(null, null, null, 0, null, null, 0, PidsController.UNLIMITED, 0, List.of(), null));
        assertThat(Files.readString(pids.resolve("pids.max"))).isEqualTo("max");
        Files.writeString(mem.resolve("memory.limit_in_bytes"), ""); // a plain file is not truncated by a write, as cgroupfs needs no truncation
        cg.update(new Resources(DataSize.MB(64), null, null, 0, null, null, 0, 0, 0, List.of(), null));
        assertThat(Files.readString(mem.resolve("memory.limit_in_bytes"))).isEqualTo(Long.toString(64L << 20));
    }

    @Test
    void aV2DirectoryCarriesWhatItsCgroupControllersList() throws Exception {
        Path d = dir("v2", Map.ofEntries(Map.entry("cgroup.controllers", "cpuset cpu io memory pids\n"), Map.entry("cgroup.procs", ""),
                Map.entry("memory.current", "1048576\n"), Map.entry("memory.peak", "2097152\n"), Map.entry("memory.max", "67108864\n"),
                Map.entry("memory.stat", "anon 1\ninactive_file 4096\n"), Map.entry("memory.events", "oom_kill 0\n"),
                Map.entry("pids.current", "2\n"), Map.entry("pids.max", "max\n"),
                Map.entry("io.stat", "8:0 rbytes=100 wbytes=200 rios=1 wios=2 dbytes=0 dios=0\n259:0 rbytes=1 wbytes=2\n"),
                Map.entry("cpu.stat", "usage_usec 30\nuser_usec 20\nsystem_usec 10\nnr_periods 0\nnr_throttled 0\nthrottled_usec 0\n"),
                Map.entry("cpu.max", "max 100000\n")));
        ContainerCgroup cg = RecordedCgroup.of(fs, List.of(d.toString()));
        ContainerStats s = cg.stats();
        assertThat(s.memoryBytes()).isEqualTo(1048576);
        assertThat(s.memoryLimitBytes()).isEqualTo(64L << 20);
        assertThat(s.memoryInactiveFileBytes()).isEqualTo(4096);
        assertThat(s.pidsLimit()).isEqualTo(-1);
        assertThat(s.blockReadBytes()).isEqualTo(101);
        assertThat(s.blockWriteBytes()).isEqualTo(202);
        assertThat(s.cpuUserMicros()).isEqualTo(20);
        Files.writeString(d.resolve("cpu.max"), "");
        cg.update(new Resources(null, null, null, 1.5, null, null, 0, 0, 0, List.of(), null));
        assertThat(Files.readString(d.resolve("cpu.max"))).isEqualTo("150000 100000");
    }

    @Test
    void noDirectoriesNoCgroup() {
        assertThat(RecordedCgroup.of(fs, List.of())).isNull();
        assertThat(RecordedCgroup.of(fs, List.of(tmp.resolve("gone").toString()))).isNull();
    }
}
