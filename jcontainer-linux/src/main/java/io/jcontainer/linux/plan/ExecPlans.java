package io.jcontainer.linux.plan;

import io.jcontainer.ContainerSpec;
import io.jcontainer.ExecSpec;
import io.jcontainer.Namespace;

import java.util.ArrayList;
import java.util.List;

/**
 * The plan of an {@code exec} into a running container, derived from the container's own plan so
 * the process setup (session, rlimits, no_new_privs, seccomp, capabilities, ids, descriptors)
 * is exactly the one its PID 1 got — there is one place that decides it, {@link PlanCompiler}.
 *
 * <ul>
 *   <li>pre (launcher, before clone): setns into user (first: it grants the rights to join the
 *       rest), ipc, uts, net, time and pid — pid and time apply to the launcher's children
 *       only (setns(2)), so the clone that follows creates the process inside;</li>
 *   <li>parent: the child's pid into the container's cgroup.procs, through the host's /sys;</li>
 *   <li>child: setns cgroup (now that it is in the container's cgroup, that becomes its root),
 *       then mnt last (which also sets root and cwd to the container's root, the one pivot_root
 *       made), chdir, then the process section of the full plan, from Setsid to Exec.</li>
 * </ul>
 */
public final class ExecPlans {
    private ExecPlans() {
    }

    /** The container's spec with the exec's command, environment added, directory and user. */
    public static ContainerSpec merge(ContainerSpec container, ExecSpec exec) {
        // not the container's terminal, its restart policy or its detachment: the exec's own
        ContainerSpec.Builder b = container.toBuilder().command(exec.command()).env(exec.env()).init(false).tty(exec.tty())
                .restart(io.jcontainer.RestartPolicy.NO).detached(false);
        if (exec.tty() && exec.consoleSize() != null) b.consoleSize(exec.consoleSize().height(), exec.consoleSize().width());
        if (exec.workingDir() != null) b.workingDir(exec.workingDir());
        if (exec.user() != null) b.user(exec.user());
        // its terminal goes to that socket; the container's own console socket is not the exec's
        if (exec.stdin() instanceof io.jcontainer.Stdio.Console) b.stdin(exec.stdin());
        else if (container.stdin() instanceof io.jcontainer.Stdio.Console) b.stdin(io.jcontainer.Stdio.NULL);
        return b.build();
    }

    /** Turns the full plan of the merged spec into the exec's plan for the container whose PID 1 is {@code pid}. */
    public static Plan forExec(Plan full, ContainerSpec merged, long pid, List<String> cgroupProcsFiles) {
        return forExec(full, merged, pid, cgroupProcsFiles, false);
    }

    /**
     * As above; {@code detached}: the exec outlives the JVM that started it (docker exec -d, and
     * exec -it after ctrl-p ctrl-q): its launcher leaves the JVM's session and does not kill it
     * when the JVM's end of the control socket closes, as a detached container's.
     */
    public static Plan forExec(Plan full, ContainerSpec merged, long pid, List<String> cgroupProcsFiles, boolean detached) {
        String ns = "/proc/" + pid + "/ns/";
        List<Op> pre = new ArrayList<>();
        // v2: born in the container's cgroup (opened first, with the host's view and credentials)
        for (String procs : cgroupProcsFiles)
            if (!procs.endsWith("/tasks")) pre.add(new Op.CloneIntoCgroup(procs.substring(0, procs.lastIndexOf('/'))));
        if (merged.has(Namespace.USER)) pre.add(new Op.Setns(ns + "user", (int) Plan.CLONE_NEWUSER));
        if (merged.has(Namespace.IPC)) pre.add(new Op.Setns(ns + "ipc", (int) Plan.CLONE_NEWIPC));
        if (merged.has(Namespace.UTS)) pre.add(new Op.Setns(ns + "uts", (int) Plan.CLONE_NEWUTS));
        if (merged.has(Namespace.NET)) pre.add(new Op.Setns(ns + "net", (int) Plan.CLONE_NEWNET));
        if (merged.has(Namespace.TIME)) pre.add(new Op.Setns(ns + "time", (int) Plan.CLONE_NEWTIME));
        if (merged.has(Namespace.PID)) pre.add(new Op.Setns(ns + "pid", (int) Plan.CLONE_NEWPID));

        List<Op> parent = new ArrayList<>();
        for (String procs : cgroupProcsFiles) if (procs.endsWith("/tasks")) parent.add(new Op.WritePid(procs, "%p"));

        List<Op> child = new ArrayList<>();
        if (merged.has(Namespace.CGROUP)) child.add(new Op.Setns(ns + "cgroup", (int) Plan.CLONE_NEWCGROUP));
        child.add(new Op.Setns(ns + "mnt", (int) Plan.CLONE_NEWNS));
        child.add(new Op.Chdir(merged.workingDir() != null ? merged.workingDir() : "/"));
        Op.Console console = PlanCompiler.consoleOp(merged);
        if (console != null) {
            pre.addFirst(new Op.ConsoleSocket(((io.jcontainer.Stdio.Console) merged.stdin()).socket().toString())); // on the host, before setns
            child.add(console);
        }
        int from = -1;
        for (int i = 0; i < full.child().size() && from < 0; i++) if (full.child().get(i) instanceof Op.Setsid) from = i;
        if (from < 0) throw new IllegalStateException("the container plan has no process section (no Setsid op)");
        for (Op op : full.child().subList(from, full.child().size())) if (!(op instanceof Op.Init)) child.add(op);
        // An attached exec dies with the JVM that started it; a detached one with its container only.
        return new Plan(0, Plan.NOT_DUMPABLE | (detached ? 0 : Plan.KILL_ON_EOF), pre, parent, child);
    }
}
