package io.jcontainer.linux.plan;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * One step of a container's setup, as plain data. The native launcher executes ops in order and
 * reports the index of the first one that fails; {@link #step()} is how errors name it. Each op
 * maps to one system call (or a short fixed sequence) of the launcher: see {@code plan.h}.
 */
public sealed interface Op {
    /** Mount flags (mount(2) MS_*). */
    long MS_RDONLY = 1, MS_NOSUID = 2, MS_NODEV = 4, MS_NOEXEC = 8, MS_REMOUNT = 32, MS_BIND = 4096, MS_REC = 16384,
            MS_UNBINDABLE = 1 << 17, MS_PRIVATE = 1 << 18, MS_SLAVE = 1 << 19, MS_SHARED = 1 << 20, MS_STRICTATIME = 1 << 24, MS_RELATIME = 1 << 21;
    /**
     * Flags of {@link Mount} and {@link Remount} (plan.h MF_*). NEW_ROOT: the mount is the new
     * root; its target (a host directory) is opened once with O_NOFOLLOW and the file system is
     * attached by that descriptor, which then is what IN_ROOT paths resolve against.
     * TARGET_OPTIONAL: a target the root lacks skips the mount (nothing is created in it).
     */
    int IN_ROOT = 1, MKDIR = 2, MKFILE = 4, OPTIONAL = 8, NO_SELF_BIND = 16, NEW_ROOT = 32, TARGET_OPTIONAL = 64;

    /** Human name of the step, used in error messages. */
    String step();

    record Hostname(String name) implements Op {
        public String step() { return "set hostname '" + name + "'"; }
    }

    record Domainname(String name) implements Op {
        public String step() { return "set domain name '" + name + "'"; }
    }

    /** mount(2); with IN_ROOT the target is resolved inside the new root and cannot leave it; see NEW_ROOT. */
    record Mount(String source, String target, String fstype, long flags, String data, int mflags) implements Op {
        public String step() {
            String what = (flags & MS_BIND) != 0 ? "bind " + source + " -> " + target : "mount " + fstype + " on " + target;
            return (mflags & NEW_ROOT) != 0 ? what + " (the new root)" : what;
        }
    }

    /** Makes an existing mount (or a path, bound onto itself) read-only and/or nosuid etc. */
    record Remount(String target, long addFlags, int mflags) implements Op {
        public String step() { return "remount " + target + ((addFlags & MS_RDONLY) != 0 ? " read-only" : ""); }
    }

    record Mkdir(String path, int mode) implements Op {
        public String step() { return "create directory " + path; }
    }

    record Symlink(String target, String link) implements Op {
        public String step() { return "symlink " + link + " -> " + target; }
    }

    record WriteFile(String path, int mode, byte[] content) implements Op {
        public String step() { return "write " + path; }

        @Override
        public boolean equals(Object o) {
            return o instanceof WriteFile w && w.path.equals(path) && w.mode == mode && Arrays.equals(w.content, content);
        }

        @Override
        public int hashCode() {
            return path.hashCode() * 31 + Arrays.hashCode(content);
        }

        @Override
        public String toString() {
            return "WriteFile[" + path + ", " + Integer.toOctalString(mode) + ", " + content.length + " bytes]";
        }
    }

    record PivotRoot(String newRoot) implements Op {
        public String step() { return "pivot_root into " + newRoot; }
    }

    record Chdir(String path) implements Op {
        public String step() { return "change directory to " + path; }
    }

    record Setsid() implements Op {
        public String step() { return "start a new session"; }
    }

    record Setgroups(List<Integer> gids) implements Op {
        public String step() { return "set supplementary groups " + gids; }
    }

    record Setresgid(int gid) implements Op {
        public String step() { return "set gid " + gid; }
    }

    record Setresuid(int uid) implements Op {
        public String step() { return "set uid " + uid; }
    }

    /** Keep (or stop keeping) capabilities across the uid change. */
    record Keepcaps(boolean on) implements Op {
        public String step() { return "keep capabilities " + on; }
    }

    /**
     * Capabilities: drop every capability not in {@code bounding} from the bounding set, then
     * capset the three sets (skipped when all are {@link #UNCHANGED}), then raise ambient ones.
     */
    record Caps(long bounding, long effective, long permitted, long inheritable, long ambient) implements Op {
        public static final long UNCHANGED = -1L;

        public String step() { return "set capabilities"; }

        @Override
        public String toString() {
            return String.format("Caps[bounding=%x, effective=%x, permitted=%x, inheritable=%x, ambient=%x]", bounding, effective, permitted, inheritable, ambient);
        }
    }

    record NoNewPrivs() implements Op {
        public String step() { return "set no_new_privs"; }
    }

    record Rlimit(String name, int resource, long soft, long hard) implements Op {
        public String step() { return "set rlimit " + name; }
    }

    /** Loads a compiled classic-BPF seccomp filter (struct sock_filter[]). */
    record Seccomp(int flags, byte[] filter) implements Op {
        public String step() { return "load seccomp filter (" + filter.length / 8 + " instructions)"; }

        @Override
        public boolean equals(Object o) {
            return o instanceof Seccomp s && s.flags == flags && Arrays.equals(s.filter, filter);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(filter);
        }

        @Override
        public String toString() {
            return "Seccomp[" + filter.length / 8 + " insns, sha " + HexFormat.of().toHexDigits(Arrays.hashCode(filter)) + "]";
        }
    }

    /** Marks every descriptor >= 3 close-on-exec: only 0, 1 and 2 reach the payload. */
    record CloseFds() implements Op {
        public String step() { return "close inherited descriptors"; }
    }

    record Umask(int mask) implements Op {
        public String step() { return "set umask " + Integer.toOctalString(mask); }
    }

    /** execve(2); a path without '/' is searched in the payload's own PATH. */
    record Exec(String path, List<String> argv, List<String> env) implements Op {
        public String step() { return "execute " + path; }
    }

    record MakePrivate(String path) implements Op {
        public String step() { return "make mounts under " + path + " private"; }
    }

    /** /dev/null over a file, an empty read-only tmpfs over a directory; absent paths are skipped. */
    record MaskPath(String path) implements Op {
        public String step() { return "mask " + path; }
    }

    record Unshare(int flags, String what) implements Op {
        public String step() { return "enter a new " + what + " namespace"; }
    }

    /** Joins an existing namespace (run by the launcher before clone). */
    record Setns(String path, int nstype) implements Op {
        public String step() { return "join namespace " + path; }
    }

    /** Writes a file naming the child (the launcher substitutes {@code %p} with its pid). */
    record WritePid(String pathTemplate, String contentTemplate) implements Op {
        public String step() { return "write " + pathTemplate; }
    }

    /**
     * Opens a host path now (O_PATH), so that a later mount can use it as source {@code "@index"}
     * after the child has switched to ids that may not reach it.
     */
    record Hold(String path, boolean optional) implements Op {
        public String step() { return "open mount source " + path; }
    }

    /** Brings the loopback interface up inside the new network namespace. */
    record LoopbackUp() implements Op {
        public String step() { return "bring up loopback interface lo"; }
    }

    /**
     * (parent) Forks a helper that creates the container's network namespace (owned by the
     * child's user namespace when {@code joinUser}) with lo up, in parallel with the child's
     * mounts, and passes it to the child's {@link JoinNet}.
     */
    record NetHelper(boolean joinUser) implements Op {
        public String step() { return "start the network namespace helper"; }
    }

    /**
     * (parent, child) A stop at a hook point: the JVM (or, with {@link #FIFO}, whoever starts a
     * created container) does its work while the container waits, then lets it go on or aborts
     * the start. {@link #REPORT}: the launcher reports the point with the child's pid (else the
     * JVM answers unasked, having worked in parallel). {@code why} names the work, for errors.
     */
    record Hook(HookPoint point, int flags, String why) implements Op {
        /** plan.h HOOKF_*. */
        public static final int REPORT = 1, FIFO = 2;

        public Hook {
            if (!point.launcherStop()) throw new IllegalArgumentException(point + " is not a launcher stop");
        }

        public String step() { return why; }
    }

    /** (pre) The start FIFO of a created container: {@link Hook#FIFO} stops wait for a byte written to it. */
    record StartFifo(String path) implements Op {
        public String step() { return "make the start FIFO " + path; }
    }

    /**
     * (pre) The child is cloned straight into this cgroup2 directory (CLONE_INTO_CGROUP): no
     * migration, so no RCU grace period (5–15 ms) on the start path. Kernels before 5.7: the
     * launcher writes the pid to its cgroup.procs instead.
     */
    record CloneIntoCgroup(String dir) implements Op {
        public String step() { return "clone into cgroup " + dir; }
    }

    /**
     * (pre) Directories the monitor removes when its container has ended for good: a detached
     * container's cgroups (no JVM may be there to do it, and no other process can tell when).
     */
    record RemoveOnExit(List<String> dirs, boolean ifJvmGone) implements Op {
        /** plan.h REMOVE_IF_JVM_GONE. */
        public static final int IF_JVM_GONE = 1;

        public RemoveOnExit {
            dirs = List.copyOf(dirs);
        }

        /** A detached container's: removed when it has ended for good. */
        public RemoveOnExit(List<String> dirs) {
            this(dirs, false);
        }

        public String step() { return "remove " + dirs + " on exit"; }
    }

    /**
     * (pre) A container root served by fuse-overlayfs that the monitor unmounts when its container
     * has ended for good (a detached container's: no JVM may be there to see the exit), or, with
     * {@code ifJvmGone}, only if the JVM died first (an attached one's: else its close does it).
     * Root unmounts it itself; an ordinary user through the setuid {@code helper} (fusermount3,
     * null when there is none).
     */
    record UnmountOnExit(String path, String helper, boolean ifJvmGone) implements Op {
        public String step() { return "unmount " + path + " on exit"; }
    }

    /** (child) Enters the network namespace the {@link NetHelper} made. */
    record JoinNet() implements Op {
        public String step() { return "create the network namespace"; }
    }

    /** Forks a tiny init: the parent stays as PID 1 (reaps orphans, forwards signals), the child goes on to exec. */
    record Init() implements Op {
        public String step() { return "start the init process"; }
    }

    /** Where the launcher, as monitor, records the child's exit (pre phase; for containers other processes look up). */
    record StatusFile(String path) implements Op {
        public String step() { return "record the exit status in " + path; }
    }

    /** The launcher logs the child's stdout/stderr to {@code path} (CRI format), rotating past {@code maxBytes}. */
    record Log(String path, long maxBytes, int maxFiles) implements Op {
        public String step() { return "log output to " + path; }
    }

    /**
     * The terminal on fd 0 (a pty of the host's devpts) bound onto {@code path} in the root
     * (/dev/console), opened again there and put on those of fds 0-2 that are terminals, so that
     * after pivot_root ttyname(3) — which reads /proc/self/fd/0 and checks that path — finds it
     * inside the container ({@code tty} prints it).
     */
    record ReopenTty(String path) implements Op {
        public String step() { return "open the terminal at " + path; }
    }

    /** Makes stdin (a pty slave) the controlling terminal; right after {@link Setsid}. */
    record SetCtty() implements Op {
        public String step() { return "acquire the terminal (TIOCSCTTY)"; }
    }

    /**
     * (pre) A published TCP port the kernel's DNAT cannot serve — {@code [::1]}: IPv6 has no
     * {@code route_localnet}, so traffic to the host's IPv6 loopback is never routed out to a
     * container — served by a userland proxy, as docker's: the launcher listens on
     * {@code listen:listenPort} (a port taken fails the start there: bind, EADDRINUSE) and forks
     * a process of its own that copies each connection to {@code target:targetPort}, the
     * container's address. It ends with the monitor (launcher's {@code proxy.c}).
     */
    record Proxy(java.net.InetAddress listen, int listenPort, java.net.InetAddress target, int targetPort) implements Op {
        public Proxy {
            if (listenPort < 1 || listenPort > 65535 || targetPort < 1 || targetPort > 65535)
                throw new IllegalArgumentException("proxy ports out of range: " + listenPort + " -> " + targetPort);
        }

        public String step() { return "proxy [" + listen.getHostAddress() + "]:" + listenPort + " to " + target.getHostAddress() + ":" + targetPort; }
    }

    /**
     * The monitor holds the child's terminal ({@code tty}: it opens the pty, the slave becomes
     * 0-2) or its stdin pipe ({@code stdin}) and serves attach clients on a unix socket at
     * {@code socketPath} (pre phase; detached containers). Wire format: {@code attach.AttachProtocol}.
     * {@code hold}: it reads no output until the first client is there (a CLI's run -t attaching
     * to the container it just started sees all of it) or the JVM lets go.
     */
    record Attach(String socketPath, boolean tty, boolean stdin, boolean hold) implements Op {
        public Attach(String socketPath, boolean tty, boolean stdin) {
            this(socketPath, tty, stdin, false);
        }

        public String step() { return "serve attach clients on " + socketPath; }
    }

    /**
     * (pre, first) The launcher connects to the unix socket an engine listens on (runc's
     * {@code --console-socket}), on the host, before any setns; the child's {@link Console} sends
     * the terminal's master over it.
     */
    record ConsoleSocket(String path) implements Op {
        public String step() { return "connect to the console socket " + path; }
    }

    /**
     * (child) Opens /dev/ptmx — the container's own devpts — sizes it ({@code rows}/{@code cols},
     * 0: as it is), makes its slave 0-2 and sends the master over the {@link ConsoleSocket}.
     */
    record Console(int rows, int cols) implements Op {
        public String step() { return "send the terminal to the console socket"; }
    }

    /** The monitor restarts the child per policy (mode 1 on-failure, 2 always) unless {@code stopMarker} exists. */
    record Restart(int mode, int maxRetries, String stopMarker, String pidFile) implements Op {
        public String step() { return "restart policy"; }
    }
}
