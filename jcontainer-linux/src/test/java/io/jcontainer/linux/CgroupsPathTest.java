package io.jcontainer.linux;

import io.jcontainer.Container;
import io.jcontainer.HostUnsupportedException;
import io.jcontainer.InvalidSpecException;
import io.jcontainer.Stdio;
import io.jcontainer.linux.cgroup.CgroupHost;
import io.jcontainer.linux.testing.RequiresRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * OCI's {@code linux.cgroupsPath} (what podman with cgroupfs passes: /libpod_parent/libpod-ID):
 * the container's cgroup where the config says, in every hierarchy it uses, made with its
 * parents; the leaf goes with the container, the parents stay (as runc leaves them).
 */
@RequiresRoot
class CgroupsPathTest {
    static final CgroupHost HOST = CgroupHost.detect();
    final String parent = "jcontainer-cgpath-" + ProcessHandle.current().pid() + "-" + System.nanoTime();

    /** The directory of {@code path} in the pids hierarchy (v1) or the cgroup2 one. */
    static Path pidsDir(String path) {
        CgroupHost.Hierarchy h = HOST.v1().get("pids") != null ? HOST.v1().get("pids") : HOST.unified();
        return Path.of(h.dirOf(path));
    }

    @AfterEach
    void removeParents() throws Exception {
        List<CgroupHost.Hierarchy> all = new ArrayList<>(HOST.v1().values());
        if (HOST.unified() != null) all.add(HOST.unified());
        for (CgroupHost.Hierarchy h : all) {
            for (String p : List.of("/" + parent)) {
                String d = h.dirOf(p);
                if (d != null && Files.isDirectory(Path.of(d))) Files.delete(Path.of(d));
            }
            String rel = h.dirOf(parent);
            if (rel != null && Files.isDirectory(Path.of(rel))) Files.delete(Path.of(rel));
        }
    }

    @Test
    void anAbsolutePathIsTheContainersCgroupFromTheHierarchysRoot() throws Exception {
        String path = "/" + parent + "/c1";
        Path dir = pidsDir(path);
        try (Container c = TestRuns.busybox().cgroupsPath(path).pidsLimit(64).stdout(Stdio.NULL).stderr(Stdio.NULL)
                .command("sleep", "60").start()) {
            assertThat(dir.resolve("pids.max")).hasContent("64");
            String procs = Files.readString(dir.resolve(Files.exists(dir.resolve("cgroup.procs")) ? "cgroup.procs" : "tasks"));
            assertThat(procs.lines().toList()).contains(String.valueOf(c.pid()));
            assertThat(Files.readString(Path.of("/proc/" + c.pid() + "/cgroup"))).contains(path);
        }
        assertThat(dir).doesNotExist();
        assertThat(dir.getParent()).isDirectory(); // the parent stays, as runc leaves it
    }

    @Test
    void aRelativePathIsUnderTheJvmsCgroup() throws Exception {
        String path = parent + "/c2";
        Path dir = pidsDir(path);
        try (Container c = TestRuns.busybox().cgroupsPath(path).pidsLimit(32).stdout(Stdio.NULL).stderr(Stdio.NULL)
                .command("sleep", "60").start()) {
            assertThat(dir.resolve("pids.max")).hasContent("32");
        }
        assertThat(dir).doesNotExist();
    }

    @Test
    void pathsThatLeaveTheirPlaceOrNameSystemdAreRefusedBeforeAnythingIsMade() {
        for (String bad : List.of("../escape", "/a/../../b", "a//b", "/", "./x"))
            assertThatThrownBy(() -> TestRuns.busybox().cgroupsPath(bad).command("true").start()).as(bad)
                    .isInstanceOf(InvalidSpecException.class).hasMessageContaining("cgroupsPath");
        assertThatThrownBy(() -> TestRuns.busybox().cgroupsPath("system.slice:libpod:abc").command("true").start())
                .isInstanceOf(HostUnsupportedException.class).hasMessageContaining("slice:prefix:name");
        assertThat(pidsDir("/escape")).doesNotExist();
    }
}
