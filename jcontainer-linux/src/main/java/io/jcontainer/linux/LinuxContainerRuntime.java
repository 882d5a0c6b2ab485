package io.jcontainer.linux;

import io.jcontainer.Container;
import io.jcontainer.ContainerException;
import io.jcontainer.ContainerSpec;
import io.jcontainer.ContainerStartException;
import io.jcontainer.HostUnsupportedException;
import io.jcontainer.InvalidSpecException;
import io.jcontainer.Namespace;
import io.jcontainer.Stdio;
import io.jcontainer.linux.cgroup.CgroupManager;
import io.jcontainer.linux.cgroup.SandboxCgroup;
import io.jcontainer.linux.launch.ControlChannel;
import io.jcontainer.linux.launch.FdInputStream;
import io.jcontainer.linux.launch.FdOutputStream;
import io.jcontainer.linux.launch.LauncherImage;
import io.jcontainer.linux.launch.Supervisor;
import io.jcontainer.linux.plan.Op;
import io.jcontainer.linux.plan.Plan;
import io.jcontainer.linux.plan.PlanCompiler;
import io.jcontainer.linux.plan.PlanEncoder;
import io.jcontainer.linux.plan.SyscallId;
import io.jcontainer.linux.rootfs.Passwd;
import io.jcontainer.linux.seccomp.SeccompFilters;
import io.jcontainer.linux.sys.Errno;
import io.jcontainer.linux.sys.NativeSyscalls;
import io.jcontainer.linux.sys.Syscalls;
import io.jcontainer.spi.ContainerRuntime;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Linux implementation of {@link ContainerRuntime}, found by {@code ServiceLoader}.
 *
 * <p>Starting a sandbox, top to bottom:
 * <ol>
 *   <li>resolve the user against the image's /etc/passwd (text, never its code);</li>
 *   <li>create the cgroup with its limits (so the payload never runs unlimited);</li>
 *   <li>compile the spec into a plan of ops (all policy is here, in Java);</li>
 *   <li>open stdio and the control socket, all close-on-exec;</li>
 *   <li>posix_spawn the launcher from its sealed memfd (cost independent of the heap);</li>
 *   <li>send the plan; read STARTED or FAILED — a failure names the step, call, errno and path;</li>
 *   <li>hand the control socket to the supervisor thread, which reports the exit.</li>
 * </ol>
 * Any failure undoes what was done: descriptors closed, launcher reaped, cgroup removed.
 */
public final class LinuxContainerRuntime implements ContainerRuntime {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Syscalls sys;
    private final HostInfo host;
    private final CgroupManager cgroups;
    private volatile LauncherImage launcher;
    private volatile Supervisor supervisor;
    private final Set<LinuxContainer> live = ConcurrentHashMap.newKeySet();

    /** The ServiceLoader constructor: the real kernel. */
    public LinuxContainerRuntime() {
        this(NativeSyscalls.INSTANCE, null, null);
    }

    public LinuxContainerRuntime(Syscalls sys, HostInfo host, CgroupManager cgroups) {
        this.sys = sys;
        this.host = host != null ? host : HostInfo.probe(sys);
        this.cgroups = cgroups != null ? cgroups : CgroupManager.detect(sys);
    }

    public HostInfo host() {
        return host;
    }

    /** Sandboxes started by this runtime and not yet closed. */
    public int liveCount() {
        return live.size();
    }

    private LauncherImage launcher() {
        LauncherImage l = launcher;
        if (l == null) {
            synchronized (this) {
                if (launcher == null) {
                    host.prepare();
                    try {
                        cgroups.sweepStale(); // cgroups of sandboxes of JVMs that crashed
                    } catch (RuntimeException ignored) {
                        // best effort: a stale cgroup must not stop new sandboxes
                    }
                    launcher = LauncherImage.load(sys);
                    supervisor = new Supervisor(sys);
                }
                l = launcher;
            }
        }
        return l;
    }

    @Override
    public Container start(ContainerSpec spec) {
        LauncherImage image = launcher();
        String id = newId();
        Passwd.User user = spec.rootfs() != null ? Passwd.of(spec.rootfs()).resolve(spec.user())
                : new Passwd(PlanCompiler.DEFAULT_PASSWD, PlanCompiler.DEFAULT_GROUP).resolve(spec.user());

        SandboxCgroup cgroup = null;
        List<Integer> toClose = new ArrayList<>();
        int launcherPid = -1;
        ControlChannel control = null;
        boolean ok = false;
        try {
            cgroup = cgroups.create(id, spec);
            SeccompFilters.SeccompFilter filter = SeccompFilters.compile(spec.seccomp(), spec.capabilities());
            Plan plan = new PlanCompiler(host).compile(spec, new PlanCompiler.Inputs(user,
                    cgroup == null ? List.of() : cgroup.procsFiles(), filter == null ? null : filter.program(),
                    filter == null ? 0 : filter.flags(), id.substring(0, 12)));
            byte[] encoded = PlanEncoder.encode(plan);

            int[] in = stdio(spec.stdin(), 0, true, toClose);
            int[] out = stdio(spec.stdout(), 1, false, toClose);
            int[] err = stdio(spec.stderr(), 2, false, toClose);
            int[] ctl = sys.socketpair();
            toClose.add(ctl[1]);
            control = new ControlChannel(sys, ctl[0]);

            launcherPid = sys.spawn(image.path(), new int[]{in[0], out[0], err[0], ctl[1]}, List.of("jcontainer-launcher"), List.of());
            // The launcher has its copies; ours of the child's ends must go, or EOF never comes.
            for (int fd : toClose) sys.closeQuietly(fd);
            toClose.clear();
            control.sendPlan(encoded);
            ControlChannel.Frame first = control.read();
            if (first != null && first.type() == ControlChannel.MSG_CHILD) first = IdMapHelper.run(plan, control, first.int32(0));
            if (first == null)
                throw new ContainerStartException("the jcontainer launcher exited without a report (" + waitDescription(launcherPid) + ")", null);
            if (first.type() == ControlChannel.MSG_FAILED) throw failure(plan, first, spec);
            if (first.type() != ControlChannel.MSG_STARTED)
                throw new ContainerStartException("unexpected message " + first.type() + " from the launcher", null);
            int pid = first.int32(0);

            OutputStream0 streams = new OutputStream0(in[1] >= 0 ? new FdOutputStream(sys, in[1]) : null,
                    out[1] >= 0 ? new FdInputStream(sys, out[1]) : null, err[1] >= 0 ? new FdInputStream(sys, err[1]) : null);
            LinuxContainer[] self = new LinuxContainer[1];
            LinuxContainer c = new LinuxContainer(id, spec, pid, launcherPid, control, streams.in, streams.out, streams.err,
                    cgroup, sys, () -> live.remove(self[0]));
            self[0] = c;
            live.add(c);
            supervisor.watch(control, c::exited);
            ok = true;
            return c;
        } catch (ContainerException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ContainerStartException("start failed: " + e.getMessage(), e);
        } finally {
            if (!ok) {
                for (int fd : toClose) sys.closeQuietly(fd);
                if (control != null) control.close(); // an attached launcher kills its child on EOF
                if (launcherPid > 0) {
                    try {
                        sys.waitPid(launcherPid, false);
                    } catch (RuntimeException ignored) {
                        // already reaped
                    }
                }
                if (cgroup != null) cgroup.close();
            }
        }
    }

    private record OutputStream0(java.io.OutputStream in, java.io.InputStream out, java.io.InputStream err) {
    }

    /**
     * Opens one standard stream: returns {the fd the launcher gets, the JVM's end or -1}. Fds
     * opened only for the child are added to {@code toClose}.
     */
    private int[] stdio(Stdio s, int which, boolean input, List<Integer> toClose) {
        return switch (s) {
            case Stdio.Inherit i -> new int[]{which, -1};
            case Stdio.Null n -> {
                int fd = sys.open("/dev/null", (input ? Syscalls.O_RDONLY : Syscalls.O_WRONLY) | Syscalls.O_CLOEXEC, 0);
                toClose.add(fd);
                yield new int[]{fd, -1};
            }
            case Stdio.File f -> {
                int flags = input ? Syscalls.O_RDONLY
                        : Syscalls.O_WRONLY | Syscalls.O_CREAT | (f.append() ? Syscalls.O_APPEND : Syscalls.O_TRUNC);
                int fd = sys.open(f.path().toAbsolutePath().toString(), flags | Syscalls.O_CLOEXEC | Syscalls.O_NOCTTY, 0644);
                toClose.add(fd);
                yield new int[]{fd, -1};
            }
            case Stdio.Pipe p -> {
                int[] pipe = sys.pipe();
                int child = input ? pipe[0] : pipe[1], mine = input ? pipe[1] : pipe[0];
                toClose.add(child);
                yield new int[]{child, mine};
            }
        };
    }

    private String waitDescription(int pid) {
        try {
            Syscalls.WaitStatus w = sys.waitPid(pid, false);
            return w.exited() ? "exit status " + w.status() : "killed by signal " + w.status();
        } catch (RuntimeException e) {
            return "status unknown";
        }
    }

    private ContainerException failure(Plan plan, ControlChannel.Frame f, ContainerSpec spec) {
        int phase = f.int32(0), index = f.int32(1), syscall = f.int32(3), errno = f.int32(4);
        String detail = f.string(24);
        SyscallId call = SyscallId.of(syscall);
        if (call == SyscallId.CLONE && spec.has(Namespace.USER) && (errno == Errno.EPERM || errno == Errno.ENOSPC || errno == Errno.EINVAL)) {
            String blocker = host.userNamespaceBlocker();
            if (blocker != null)
                return new HostUnsupportedException("cannot create a user namespace: clone3(2): " + Errno.name(errno), blocker);
        }
        Op op = plan.op(phase, index);
        String step = switch (phase) {
            case 0 -> "reading the plan";
            case 2 -> call == SyscallId.CLONE ? "creating the namespaces (clone3)" : "step P" + index + " \"" + (op == null ? "?" : op.step()) + "\"";
            default -> "step " + index + " \"" + (op == null ? "?" : op.step()) + "\"";
        };
        String path = detail.isEmpty() ? null : detail;
        if (call == SyscallId.CLONE) path = null;
        return new ContainerStartException(step, call.callName(), Errno.name(errno), Errno.text(errno), path);
    }

    private static String newId() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** For tests and tools: makes sure a spec compiles on this host without starting anything. */
    public Plan plan(ContainerSpec spec) {
        Passwd.User user = spec.rootfs() != null ? Passwd.of(spec.rootfs()).resolve(spec.user())
                : new Passwd(PlanCompiler.DEFAULT_PASSWD, PlanCompiler.DEFAULT_GROUP).resolve(spec.user());
        try {
            return new PlanCompiler(host).compile(spec, PlanCompiler.Inputs.of(user));
        } catch (InvalidSpecException e) {
            throw e;
        }
    }
}
