package io.jcontainer.bench;

import io.jcontainer.Container;
import io.jcontainer.ContainerSpec;
import io.jcontainer.Namespace;
import io.jcontainer.Resources;
import io.jcontainer.Seccomp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.jcontainer.Namespace.CGROUP;
import static io.jcontainer.Namespace.IPC;
import static io.jcontainer.Namespace.MNT;
import static io.jcontainer.Namespace.NET;
import static io.jcontainer.Namespace.PID;
import static io.jcontainer.Namespace.USER;
import static io.jcontainer.Namespace.UTS;

/**
 * The jcontainer configurations that are benchmarked, and a check of what each one really
 * enforces on this build and host (a feature still being written may be a no-op or throw:
 * the report must say so instead of claiming a speed for work that was not done).
 */
public final class Configs {
    public static final String MEMORY = "64m";
    public static final double CPUS = 1.0;
    public static final long PIDS = 64;

    private Configs() {
    }

    /**
     * (a) Namespaces only: all seven namespaces, the busybox root (pivot_root, /proc, minimal
     * /dev, masked and read-only /proc paths: the runtime's defaults), Docker's default
     * capabilities, no seccomp filter, no cgroup.
     */
    public static ContainerSpec.Builder namespacesOnly(Path rootfs) {
        return Container.builder()
                .namespaces(PID, NET, MNT, UTS, IPC, USER, CGROUP)
                .rootfs(rootfs)
                .seccomp(Seccomp.UNCONFINED)
                .command("/bin/true");
    }

    /**
     * (a) plus the resolved headline's memory, cpu and pids limits and nothing else: what the
     * limits add (issue 3). The headline's, so a host where they could not be applied compares (a) with (a).
     */
    public static ContainerSpec limitsOnly(ContainerSpec namespacesOnly, ContainerSpec headline) {
        return namespacesOnly.toBuilder().resources(headline.resources()).build();
    }

    /**
     * (b) The headline of PERF.md: the seven namespaces, memory + cpu + pids limits,
     * pivot_root, /proc, minimal /dev, the default seccomp profile, every capability dropped.
     */
    public static ContainerSpec.Builder headline(Path rootfs) {
        return Container.builder()
                .namespaces(USER, PID, NET, MNT, UTS, IPC, CGROUP)
                .rootfs(rootfs)
                .memoryLimit(MEMORY)
                .cpus(CPUS)
                .pidsLimit(PIDS)
                .seccomp(Seccomp.DEFAULT)
                .dropAllCapabilities()
                .command("/bin/true");
    }

    /** A configuration as this build can start it, and what was left out (and why). */
    public record Resolved(ContainerSpec spec, List<String> leftOut) {
        public boolean complete() {
            return leftOut.isEmpty();
        }
    }

    /**
     * The headline as far as this build can start it: tries it whole; when starting throws,
     * retries without the cgroup limits, then without the seccomp profile, and records the
     * error of each feature left out.
     */
    public static Resolved resolveHeadline(Path rootfs) {
        ContainerSpec.Builder full = headline(rootfs);
        List<String> leftOut = new ArrayList<>();
        RuntimeException e1 = tryStart(full);
        if (e1 == null) return new Resolved(full.build(), leftOut);
        ContainerSpec.Builder noLimits = headline(rootfs).resources(Resources.NONE);
        if (tryStart(noLimits) == null) {
            leftOut.add("cgroup limits (memory " + MEMORY + ", cpus " + CPUS + ", pids " + PIDS + "): " + describe(e1));
            return new Resolved(noLimits.build(), leftOut);
        }
        ContainerSpec.Builder noSeccomp = headline(rootfs).seccomp(Seccomp.UNCONFINED);
        if (tryStart(noSeccomp) == null) {
            leftOut.add("default seccomp profile: " + describe(e1));
            return new Resolved(noSeccomp.build(), leftOut);
        }
        ContainerSpec.Builder neither = headline(rootfs).resources(Resources.NONE).seccomp(Seccomp.UNCONFINED);
        RuntimeException e4 = tryStart(neither);
        if (e4 != null) throw new IllegalStateException("jcontainer cannot start even the namespaces of the headline configuration: " + describe(e4), e4);
        leftOut.add("cgroup limits and the default seccomp profile: " + describe(e1));
        return new Resolved(neither.build(), leftOut);
    }

    private static RuntimeException tryStart(ContainerSpec.Builder b) {
        try (Container c = b.start()) {
            c.waitFor();
            if (c.exitCode() != 0) return new IllegalStateException("/bin/true exited with " + c.exitCode());
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new IllegalStateException(e);
        } catch (RuntimeException e) {
            return e;
        }
    }

    static String describe(Throwable e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m.replace('\n', ' '));
    }

    /** The evidence of a check for a feature the configuration does not ask for. */
    public static final String NOT_ASKED = "not in this configuration";

    /** One isolation feature and whether a running container of the configuration really has it. */
    public record Check(String feature, boolean inEffect, String evidence) {
    }

    /**
     * Starts the configuration with {@code sleep} instead of {@code /bin/true} and inspects its
     * first process from the host through /proc: namespaces, seccomp mode, capability sets,
     * cgroup limits, the mounts it sees.
     */
    public static List<Check> verify(ContainerSpec spec) {
        List<Check> checks = new ArrayList<>();
        try (Container c = spec.toBuilder().command("/bin/sleep", "30").start()) {
            Path proc = Path.of("/proc", Long.toString(c.pid()));
            for (Namespace ns : spec.namespaces()) {
                String name = switch (ns) {
                    case MNT -> "mnt";
                    default -> ns.name().toLowerCase();
                };
                String mine = link(Path.of("/proc/self/ns", name)), theirs = link(proc.resolve("ns").resolve(name));
                checks.add(new Check(ns + " namespace", theirs != null && !theirs.equals(mine), theirs));
            }
            String status = read(proc.resolve("status"));
            String seccomp = field(status, "Seccomp");
            checks.add(spec.seccomp() instanceof Seccomp.Unconfined ? new Check("seccomp filter", false, NOT_ASKED)
                    : new Check("seccomp filter", "2".equals(seccomp), "Seccomp: " + seccomp + " (2 = filter)"));
            String capEff = field(status, "CapEff"), capBnd = field(status, "CapBnd");
            boolean wantNoCaps = spec.capabilities().isEmpty();
            checks.add(new Check(wantNoCaps ? "all capabilities dropped" : "capabilities (" + spec.capabilities().size() + " kept)",
                    !wantNoCaps || (isZero(capEff) && isZero(capBnd)), "CapEff " + capEff + ", CapBnd " + capBnd));
            String mounts = read(proc.resolve("mounts"));
            boolean hasProc = mounts.lines().anyMatch(l -> l.split(" ")[1].equals("/proc") && l.split(" ")[2].equals("proc"));
            boolean hasDev = mounts.lines().anyMatch(l -> l.split(" ")[1].equals("/dev"));
            long count = mounts.lines().count();
            boolean hostVisible = mounts.lines().anyMatch(l -> l.split(" ")[1].startsWith("/work") || l.split(" ")[1].equals("/boot"));
            checks.add(new Check("pivot_root (no host mount visible)", !hostVisible, count + " mounts in the container"));
            checks.add(new Check("/proc and /dev mounted", hasProc && hasDev, "proc " + hasProc + ", dev " + hasDev));
            Resources r = spec.resources();
            if (!r.isEmpty()) checks.addAll(cgroupLimits(read(proc.resolve("cgroup"))));
            else checks.add(new Check("cgroup limits", false, NOT_ASKED));
        } catch (RuntimeException e) {
            checks.add(new Check("verification", false, describe(e)));
        }
        return checks;
    }

    private static List<Check> cgroupLimits(String cgroupFile) {
        List<Check> out = new ArrayList<>();
        String mem = null, cpu = null, pids = null;
        for (String line : cgroupFile.lines().toList()) {
            String[] f = line.split(":", 3);
            if (f.length < 3) continue;
            for (String ctl : f[1].split(",")) {
                switch (ctl) {
                    case "memory" -> mem = read(Path.of("/sys/fs/cgroup/memory", f[2], "memory.limit_in_bytes")).strip();
                    case "cpu" -> cpu = read(Path.of("/sys/fs/cgroup/cpu", f[2], "cpu.cfs_quota_us")).strip();
                    case "pids" -> pids = read(Path.of("/sys/fs/cgroup/pids", f[2], "pids.max")).strip();
                    default -> {
                    }
                }
            }
            if (f[1].isEmpty() && Files.exists(Path.of("/sys/fs/cgroup", f[2], "memory.max"))) {
                mem = read(Path.of("/sys/fs/cgroup", f[2], "memory.max")).strip();
                cpu = read(Path.of("/sys/fs/cgroup", f[2], "cpu.max")).strip();
                pids = read(Path.of("/sys/fs/cgroup", f[2], "pids.max")).strip();
            }
        }
        out.add(new Check("memory limit " + MEMORY, String.valueOf(64L << 20).equals(mem), "limit " + mem));
        out.add(new Check("cpu limit " + CPUS, cpu != null && !cpu.isEmpty() && !cpu.startsWith("-1") && !cpu.startsWith("max"), "quota " + cpu));
        out.add(new Check("pids limit " + PIDS, String.valueOf(PIDS).equals(pids), "pids.max " + pids));
        return out;
    }

    private static boolean isZero(String hex) {
        return hex != null && hex.chars().allMatch(ch -> ch == '0');
    }

    private static String field(String status, String name) {
        return status.lines().filter(l -> l.startsWith(name + ":")).map(l -> l.substring(name.length() + 1).strip()).findFirst().orElse(null);
    }

    private static String link(Path p) {
        try {
            return Files.readSymbolicLink(p).toString();
        } catch (IOException e) {
            return null;
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "";
        }
    }
}
