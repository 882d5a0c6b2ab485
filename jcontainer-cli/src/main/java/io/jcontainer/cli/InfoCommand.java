package io.jcontainer.cli;

import io.jcontainer.ContainerException;
import io.jcontainer.spi.ContainerRuntime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * {@code jcontainer info}: what this host offers containers. Everything is read from /proc and
 * /sys as text, so that the answer does not depend on a container starting.
 */
public final class InfoCommand implements Command {
    @Override
    public String name() {
        return "info";
    }

    @Override
    public String summary() {
        return "Display what this host offers containers";
    }

    @Override
    public String usage() {
        return "info";
    }

    @Override
    public String description() {
        return "Display the kernel, cgroup layout, user namespace and seccomp availability, and the launcher architecture.";
    }

    @Override
    public Flags flags() {
        return new Flags().value("format", 'f', "string", "Format output using a custom template: 'json' or a Go template ({{.KernelVersion}})");
    }

    @Override
    public int run(Flags.Parsed p, Io io) {
        Command.exactly(p, name(), 0);
        if (p.value("format") != null) {
            FormatOption.printOne(p.value("format"), fields(), io);
            return 0;
        }
        var out = io.out();
        out.println("jcontainer:         " + VersionCommand.version());
        out.println("Kernel:             " + read("/proc/sys/kernel/osrelease", "unknown"));
        out.println("Running as:         uid " + uid() + ("0".equals(uid()) ? " (root)" : " (rootless)"));
        out.println("Java:               " + Runtime.version() + " (" + System.getProperty("java.home") + ")");
        out.println("Launcher:           " + launcher());
        out.println("Runtime:            " + runtime());
        out.println("Cgroups:            " + cgroups());
        out.println("User namespaces:    " + userNamespaces());
        out.println("Seccomp:            " + seccomp());
        out.println("Rootless network:   " + rootlessNetwork());
        out.println("Time namespaces:    " + (Files.exists(Path.of("/proc/self/ns/time")) ? "available" : "unavailable (Linux 5.6+)"));
        out.println("Image roots:        " + imageRoots());
        return 0;
    }

    /**
     * What networks an ordinary user's containers get (the runtime's rule: pasta, found where
     * Debian's passt puts it, else slirp4netns); root's use bridges and need none.
     */
    static String rootlessNetwork() {
        for (String helper : java.util.List.of("pasta", "slirp4netns"))
            for (String d : java.util.List.of("/usr/bin", "/usr/sbin", "/bin", "/sbin", "/usr/local/bin")) {
                Path p = Path.of(d, helper);
                if (Files.isExecutable(p)) return helper + " (" + p + ")" + ("0".equals(uid()) ? ", for ordinary users" : "");
            }
        return "none: an ordinary user's containers get loopback only (apt-get install passt for pasta, or slirp4netns)";
    }

    /**
     * How a container of an image gets its writable root: the kernel's overlayfs over the
     * image's shared layers, with a per-container upper; rootless in a user namespace with
     * {@code userxattr} (Linux 5.11+). When the kernel refuses it: fuse-overlayfs where installed,
     * else a copy of the layers (the runtime's ImageRoots); {@code -Djcontainer.imageRoot} forces one.
     */
    static String imageRoots() {
        String[] v = read("/proc/sys/kernel/osrelease", "0.0").split("[.-]");
        int major = 0, minor = 0;
        try {
            major = Integer.parseInt(v[0]);
            minor = v.length > 1 ? Integer.parseInt(v[1]) : 0;
        } catch (NumberFormatException ignored) {
            // unknown: treated as old
        }
        String forced = System.getProperty("jcontainer.imageRoot", "auto");
        Path fuse = null;
        for (String d : java.util.List.of("/usr/bin", "/bin", "/usr/local/bin"))
            if (fuse == null && Files.isExecutable(Path.of(d, "fuse-overlayfs"))) fuse = Path.of(d, "fuse-overlayfs");
        String fallback = "; if the kernel refuses it: " + (fuse != null ? "fuse-overlayfs (" + fuse + "), then " : "")
                + "a copy of the layers" + (fuse != null ? "" : " (apt-get install fuse-overlayfs for a faster fallback)");
        if (!forced.equals("auto")) return "forced by -Djcontainer.imageRoot: " + forced;
        boolean fsconfigAppend = major > 6 || major == 6 && minor >= 8;
        String layers = fsconfigAppend ? "" : "; at most ~250 bytes of layer paths (lowerdir+ needs Linux 6.8+)";
        if ("0".equals(uid())) return "kernel overlay (shared layers + a per-container upper)" + layers + fallback;
        boolean userxattr = major > 5 || major == 5 && minor >= 11;
        return userxattr ? "kernel overlay in a user namespace, userxattr (shared layers + a per-container upper)" + layers + fallback
                : "kernel overlay unavailable to an ordinary user before Linux 5.11 (userxattr)" + fallback.replace("; if the kernel refuses it", "; instead");
    }

    /**
     * docker info's object where a field means the same here (names and types as docker's), and
     * jcontainer's own answers (Launcher, Runtime, UserNamespaces, Seccomp, TimeNamespaces, Java).
     */
    static java.util.Map<String, Object> fields() {
        var m = new java.util.LinkedHashMap<String, Object>();
        int running = 0, paused = 0, stopped = 0;
        String root = "";
        try {
            var containers = Store.containers();
            root = containers.stateDirectory().toString();
            for (var c : containers.list(io.jcontainer.lifecycle.ListQuery.ALL)) {
                if (c.paused()) paused++;
                else if (c.running()) running++;
                else stopped++;
            }
        } catch (RuntimeException e) {
            // info answers without a usable store (its line says why elsewhere)
        }
        int images = 0;
        try (var store = ImageCli.open()) {
            images = store.list().size();
        } catch (RuntimeException e) {
            // no image store yet
        }
        String cg = cgroups();
        m.put("Containers", running + paused + stopped);
        m.put("ContainersRunning", running);
        m.put("ContainersPaused", paused);
        m.put("ContainersStopped", stopped);
        m.put("Images", images);
        m.put("Driver", "overlay");
        m.put("ImageRoots", imageRoots());
        m.put("CgroupDriver", "cgroupfs");
        m.put("CgroupVersion", cg.startsWith("v2") ? "2" : cg.startsWith("v1") ? "1" : "");
        m.put("KernelVersion", read("/proc/sys/kernel/osrelease", "unknown"));
        m.put("OperatingSystem", osName());
        m.put("OSType", "linux");
        m.put("Architecture", read("/proc/sys/kernel/arch", System.getProperty("os.arch")));
        m.put("NCPU", Runtime.getRuntime().availableProcessors());
        m.put("MemTotal", memTotal());
        m.put("DockerRootDir", root);
        m.put("Name", read("/proc/sys/kernel/hostname", ""));
        m.put("ServerVersion", VersionCommand.version());
        List<String> security = new ArrayList<>();
        if (seccomp().startsWith("available")) security.add("name=seccomp,profile=builtin");
        if (!"0".equals(uid())) security.add("name=rootless");
        security.add("name=cgroupns");
        m.put("SecurityOptions", security);
        m.put("Launcher", launcher());
        m.put("Runtime", runtime());
        m.put("Cgroups", cg);
        m.put("UserNamespaces", userNamespaces());
        m.put("Seccomp", seccomp());
        m.put("RootlessNetwork", rootlessNetwork());
        m.put("TimeNamespaces", Files.exists(Path.of("/proc/self/ns/time")));
        m.put("Java", Runtime.version() + " (" + System.getProperty("java.home") + ")");
        return m;
    }

    private static long memTotal() {
        for (String line : lines("/proc/meminfo"))
            if (line.startsWith("MemTotal:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        return 0;
    }

    private static String osName() {
        for (String line : lines("/etc/os-release"))
            if (line.startsWith("PRETTY_NAME=")) return line.substring("PRETTY_NAME=".length()).replace("\"", "");
        return "Linux";
    }

    static String launcher() {
        String arch = switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> null;
        };
        List<String> embedded = new ArrayList<>();
        for (String a : List.of("x86_64", "aarch64"))
            if (InfoCommand.class.getResource("/io/jcontainer/linux/native/linux-" + a + "/jcontainer-launcher") != null) embedded.add(a);
        if (arch == null) return "none for " + System.getProperty("os.arch") + " (embedded: " + String.join(", ", embedded) + ")";
        return "linux-" + arch + (embedded.contains(arch) ? "" : " MISSING from the jar") + " (embedded: " + String.join(", ", embedded) + ")";
    }

    private static String runtime() {
        try {
            return ContainerRuntime.get().getClass().getName();
        } catch (ContainerException | Error e) {
            return "unavailable: " + e.getMessage();
        }
    }

    static String uid() {
        for (String line : lines("/proc/self/status"))
            if (line.startsWith("Uid:")) return line.substring(4).trim().split("\\s+")[1]; // effective uid
        return "?";
    }

    /** v2 (unified), v1 with a controller-less cgroup2 beside it (hybrid), or plain v1. */
    static String cgroups() {
        String rootType = null, unifiedType = null;
        TreeSet<String> v1 = new TreeSet<>();
        for (String line : lines("/proc/self/mountinfo")) {
            // id parent major:minor root mountpoint options [optional...] - fstype source superoptions
            String[] f = line.split(" ");
            int dash = List.of(f).indexOf("-");
            if (dash < 0 || dash + 3 >= f.length) continue;
            String mountPoint = f[4], type = f[dash + 1], superOpts = f[dash + 3];
            if (mountPoint.equals("/sys/fs/cgroup")) rootType = type;
            if (mountPoint.equals("/sys/fs/cgroup/unified")) unifiedType = type;
            if (type.equals("cgroup") && mountPoint.startsWith("/sys/fs/cgroup/"))
                for (String o : superOpts.split(","))
                    if (!o.equals("rw") && !o.equals("ro") && !o.startsWith("name=") && !o.startsWith("release_agent") && !o.equals("clone_children")
                            && !o.equals("noprefix") && !o.equals("xattr") && !o.equals("nsdelegate") && !o.equals("cpuset_v2_mode")) v1.add(o);
        }
        if ("cgroup2".equals(rootType)) {
            String ctl = read("/sys/fs/cgroup/cgroup.controllers", "");
            return "v2 (unified), controllers: " + (ctl.isEmpty() ? "none" : ctl) + writable("/sys/fs/cgroup");
        }
        if (!v1.isEmpty()) {
            String mode = "cgroup2".equals(unifiedType) ? "v1 (hybrid: a controller-less cgroup2 at /sys/fs/cgroup/unified)" : "v1 (legacy)";
            return mode + ", controllers: " + String.join(" ", v1) + writable("/sys/fs/cgroup/memory");
        }
        return "none mounted at /sys/fs/cgroup (resource limits unavailable)";
    }

    private static String writable(String dir) {
        return Files.isWritable(Path.of(dir)) ? ", writable" : ", not writable by this user (limits need root or a delegated subtree)";
    }

    /** The sysctls that block user namespaces, as the runtime checks them. */
    static String userNamespaces() {
        boolean root = "0".equals(uid());
        if (!Files.exists(Path.of("/proc/self/ns/user"))) return "unavailable: kernel built without CONFIG_USER_NS";
        if ("0".equals(read("/proc/sys/user/max_user_namespaces", "1")))
            return "unavailable: user.max_user_namespaces=0 (sysctl -w user.max_user_namespaces=15000)";
        if (!root && "0".equals(read("/proc/sys/kernel/unprivileged_userns_clone", "1")))
            return "unavailable to non-root: kernel.unprivileged_userns_clone=0 (sysctl -w kernel.unprivileged_userns_clone=1)";
        if (!root && "1".equals(read("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", "0")))
            return "restricted by AppArmor: kernel.apparmor_restrict_unprivileged_userns=1";
        return "available (max " + read("/proc/sys/user/max_user_namespaces", "?") + ")";
    }

    static String seccomp() {
        String actions = read("/proc/sys/kernel/seccomp/actions_avail", null);
        if (actions != null) return "available (actions: " + actions + ")";
        for (String line : lines("/proc/self/status")) if (line.startsWith("Seccomp:")) return "available";
        return "unavailable: kernel built without CONFIG_SECCOMP_FILTER";
    }

    /** Read as a stream: Files.readString of a /proc/sys file returned only its first byte here. */
    private static String read(String path, String dflt) {
        try (var in = Files.newInputStream(Path.of(path))) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return dflt;
        }
    }

    private static List<String> lines(String path) {
        try {
            return Files.readAllLines(Path.of(path));
        } catch (IOException e) {
            return List.of();
        }
    }
}
