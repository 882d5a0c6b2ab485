package io.jcontainer.linux.rootless;

import io.jcontainer.Container;
import io.jcontainer.ContainerExit;
import io.jcontainer.ContainerSpec;
import io.jcontainer.HostUnsupportedException;
import io.jcontainer.IdMap;
import io.jcontainer.InvalidSpecException;
import io.jcontainer.linux.HostInfo;
import io.jcontainer.linux.sys.NativeSyscalls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Run by {@link RootlessTest} as an unprivileged user in a child JVM (plain main, no JUnit: the
 * classpath is copied for that user). Each check prints {@code PASS name} or {@code FAIL name:
 * why}; the exit status is the number of failures.
 *
 * <p>Arguments: rootfs (with /bin/probe, owned by host root), a directory owned by this user to
 * bind, the first subordinate uid and gid of this user.
 */
public final class RootlessMain {
    private static final List<String> failures = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]), volume = Path.of(args[1]);
        long subUid = Long.parseLong(args[2]), subGid = Long.parseLong(args[3]);
        long uid = new com.sun.security.auth.module.UnixSystem().getUid();
        long gid = new com.sun.security.auth.module.UnixSystem().getGid();
        check("not root", () -> expect(uid != 0, "running as uid " + uid));
        check("user namespaces not blocked", () -> {
            String blocker = HostInfo.probe(NativeSyscalls.INSTANCE).userNamespaceBlocker();
            expect(blocker == null, blocker);
        });
        check("start", () -> {
            var r = run(Container.builder().rootfs(root).hostname("rootless").command("/bin/sh", "-c", "echo hello from $(hostname)"));
            expect(r.out.equals("hello from rootless\n"), r.toString());
        });
        check("single-uid map without newuidmap", () -> {
            var r = run(Container.builder().rootfs(root).command("/bin/sh", "-c", "id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map"));
            List<String> l = r.out.lines().map(s -> s.trim().replaceAll("\\s+", " ")).toList();
            expect(l.equals(List.of("0", "0", "0 " + uid + " 1", "0 " + gid + " 1")), r.toString());
        });
        check("posture: every namespace differs from the JVM's, only 0-2 open, no capabilities outside", () -> {
            try (Container c = Container.builder().rootfs(root).command("/bin/sleep", "30").start()) {
                long pid = c.pid();
                for (String ns : List.of("user", "mnt", "pid_for_children", "net", "uts", "ipc", "cgroup"))
                    expect(!Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/" + ns)).equals(Files.readSymbolicLink(Path.of("/proc/self/ns/" + ns))),
                            ns + " namespace shared with the JVM");
                try (var fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
                    List<String> l = fds.map(f -> f.getFileName().toString()).sorted().toList();
                    expect(l.equals(List.of("0", "1", "2")), "fds " + l);
                }
                String status = Files.readString(Path.of("/proc/" + pid + "/status"));
                expect(status.contains("Uid:\t" + uid + "\t" + uid), "host uid of the payload: " + status);
                expect(status.contains("Seccomp:\t2"), "no seccomp filter: " + status);
                c.kill();
            }
        });
        check("host network (a bound, read-only /sys)", () -> {
            var r = run(Container.builder().rootfs(root).removeNamespace(io.jcontainer.Namespace.NET)
                    .command("/bin/sh", "-c", "/bin/probe write /sys/kernel/uevent_helper x; ls /sys/fs/cgroup | head -1"));
            expect(r.exit.code() == 0 && r.out.startsWith("EROFS\n") || r.out.startsWith("EACCES\n"), r.toString());
        });
        check("bind onto a missing mount point in a root-owned rootfs is a clear error", () -> {
            try (var c = Container.builder().rootfs(root).bind(volume, "/data").command("/bin/true").start()) {
                fail("created /data in a rootfs this user cannot write");
            } catch (io.jcontainer.ContainerStartException e) {
                expect(e.getMessage().contains("mkdirat(2) on /data: EACCES"), e.getMessage());
            }
        });
        // mount points must exist in a rootfs the user cannot write: /home/user does
        check("bind mount", () -> {
            var r = run(Container.builder().rootfs(root).bind(volume, "/home/user")
                    .command("/bin/sh", "-c", "echo written-inside > /home/user/out; cat /home/user/in"));
            expect(r.out.equals("from-host\n"), r.toString());
            expect(Files.readString(volume.resolve("out")).equals("written-inside\n"), "file written inside not on the host");
        });
        check("read-only bind mount", () -> {
            var r = run(Container.builder().rootfs(root).bindReadOnly(volume, "/home/user").command("/bin/probe", "write", "/home/user/x"));
            expect(r.out.strip().equals("EROFS"), r.toString());
        });
        check("a root-owned rootfs file is not writable", () -> {
            var r = run(Container.builder().rootfs(root).command("/bin/probe", "write", "/etc/passwd"));
            expect(r.out.strip().equals("EACCES"), r.toString());
        });
        check("explicit wide map through newuidmap", () -> {
            var r = run(Container.builder().rootfs(root)
                    .uidMap(new IdMap(0, uid, 1), new IdMap(1, subUid, 65536))
                    .gidMap(new IdMap(0, gid, 1), new IdMap(1, subGid, 65536))
                    .command("/bin/sh", "-c", "cat /proc/self/uid_map /proc/self/gid_map"));
            List<String> l = r.out.lines().map(s -> s.trim().replaceAll("\\s+", " ")).toList();
            expect(l.equals(List.of("0 " + uid + " 1", "1 " + subUid + " 65536", "0 " + gid + " 1", "1 " + subGid + " 65536")), r.toString());
        });
        check("a non-root payload user gets the subordinate range by default", () -> {
            var r = run(Container.builder().rootfs(root).user("user").command("/bin/sh", "-c", "id -u; id -g; id -G"));
            expect(r.out.equals("1000\n1000\n1000 29 44\n"), r.toString());
        });
        check("a map outside /etc/subuid is a clear error", () -> {
            try (var c = Container.builder().rootfs(root).uidMap(new IdMap(0, uid, 1), new IdMap(1, 1, 1000)).command("/bin/true").start()) {
                fail("started with a map over host uids 1..1000");
            } catch (InvalidSpecException e) {
                expect(e.getMessage().contains("/etc/subuid"), e.getMessage());
            }
        });
        check("a cgroup limit without a writable cgroup is a clear error", () -> {
            try (var c = Container.builder().rootfs(root).pidsLimit(10).command("/bin/true").start()) {
                fail("started with a pids limit although this user has no writable cgroup");
            } catch (HostUnsupportedException e) {
                expect(e.getMessage().contains("cgroup"), e.getMessage());
            }
        });
        System.out.println(failures.isEmpty() ? "ALL PASSED" : failures.size() + " FAILED: " + failures);
        System.exit(failures.size());
    }

    interface Check {
        void run() throws Exception;
    }

    private static void check(String name, Check c) {
        try {
            c.run();
            System.out.println("PASS " + name);
        } catch (Throwable t) {
            failures.add(name);
            System.out.println("FAIL " + name + ": " + t);
            t.printStackTrace(System.out);
        }
    }

    private static void expect(boolean ok, String why) {
        if (!ok) fail(why);
    }

    private static void fail(String why) {
        throw new AssertionError(why);
    }

    record Result(String out, String err, ContainerExit exit) {
    }

    private static Result run(ContainerSpec.Builder b) throws IOException, InterruptedException {
        try (Container c = b.start()) {
            String out = new String(c.stdout().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(c.stderr().readAllBytes(), StandardCharsets.UTF_8);
            ContainerExit e = c.waitFor(Duration.ofSeconds(30)).orElseThrow(() -> new AssertionError("still running after 30 s"));
            return new Result(out, err, e);
        }
    }
}
