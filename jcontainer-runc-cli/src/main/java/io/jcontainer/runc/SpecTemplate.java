package io.jcontainer.runc;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainer.oci.runtime.OciConfig;

import java.util.List;

/**
 * What {@code spec} writes: runc's template (the same process, mounts, namespaces and paths, so
 * tools that edit runc's output edit ours), with this runtime's spec version. {@code --rootless}
 * makes the changes runc makes: a user namespace mapping our uid and gid to root, no network
 * namespace, the host's {@code /sys} bound, no {@code gid=5} on devpts, no device rules.
 */
final class SpecTemplate {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final List<String> CAPS = List.of("CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE");

    private SpecTemplate() {
    }

    static ObjectNode config(boolean rootless) {
        ObjectNode o = F.objectNode().put("ociVersion", OciConfig.SPEC_VERSION);
        ObjectNode p = o.putObject("process").put("terminal", true);
        p.putObject("user").put("uid", 0).put("gid", 0);
        p.putArray("args").add("sh");
        p.putArray("env").add("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin").add("TERM=xterm");
        p.put("cwd", "/");
        ObjectNode caps = p.putObject("capabilities");
        for (String set : List.of("bounding", "effective", "permitted")) strings(caps.putArray(set), CAPS);
        p.putArray("rlimits").addObject().put("type", "RLIMIT_NOFILE").put("hard", 1024).put("soft", 1024);
        p.put("noNewPrivileges", true);
        o.putObject("root").put("path", "rootfs").put("readonly", true);
        o.put("hostname", "runc");
        ArrayNode m = o.putArray("mounts");
        mount(m, "/proc", "proc", "proc");
        mount(m, "/dev", "tmpfs", "tmpfs", "nosuid", "strictatime", "mode=755", "size=65536k");
        if (rootless) mount(m, "/dev/pts", "devpts", "devpts", "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620");
        else mount(m, "/dev/pts", "devpts", "devpts", "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5");
        mount(m, "/dev/shm", "tmpfs", "shm", "nosuid", "noexec", "nodev", "mode=1777", "size=65536k");
        mount(m, "/dev/mqueue", "mqueue", "mqueue", "nosuid", "noexec", "nodev");
        if (rootless) mount(m, "/sys", "none", "/sys", "rbind", "nosuid", "noexec", "nodev", "ro");
        else mount(m, "/sys", "sysfs", "sysfs", "nosuid", "noexec", "nodev", "ro");
        mount(m, "/sys/fs/cgroup", "cgroup", "cgroup", "nosuid", "noexec", "nodev", "relatime", "ro");
        ObjectNode l = o.putObject("linux");
        if (rootless) {
            int uid = Runc.euid(), gid = egid();
            l.putArray("uidMappings").addObject().put("containerID", 0).put("hostID", uid).put("size", 1);
            l.putArray("gidMappings").addObject().put("containerID", 0).put("hostID", gid).put("size", 1);
        } else {
            l.putObject("resources").putArray("devices").addObject().put("allow", false).put("access", "rwm");
        }
        ArrayNode ns = l.putArray("namespaces");
        for (String n : rootless ? List.of("pid", "ipc", "uts", "mount", "user") : List.of("pid", "network", "ipc", "uts", "mount"))
            ns.addObject().put("type", n);
        strings(l.putArray("maskedPaths"), List.of("/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi"));
        strings(l.putArray("readonlyPaths"), List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"));
        return o;
    }

    private static int egid() {
        try {
            return (Integer) java.nio.file.Files.getAttribute(java.nio.file.Path.of("/proc/self"), "unix:gid");
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void mount(ArrayNode m, String dest, String type, String source, String... options) {
        ObjectNode x = m.addObject().put("destination", dest).put("type", type).put("source", source);
        if (options.length > 0) strings(x.putArray("options"), List.of(options));
    }

    private static void strings(ArrayNode a, List<String> l) {
        l.forEach(a::add);
    }
}
