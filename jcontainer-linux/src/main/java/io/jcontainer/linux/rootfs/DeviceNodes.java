package io.jcontainer.linux.rootfs;

import io.jcontainer.Device;
import io.jcontainer.InvalidSpecException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The host node behind a {@link Device}: jcontainer binds device nodes from the host (the
 * launcher has no mknod, and a user namespace may not make nodes), as docker's {@code --device}
 * and rootless runc do. An OCI node must match the host's in type and number.
 */
public final class DeviceNodes {
    private DeviceNodes() {
    }

    /** A host device node: its path, type ('c', 'b' or 'p'), numbers, permission bits and owner. */
    public record HostNode(String path, char type, long major, long minor, int mode, int uid, int gid) {
        /** The devices cgroup rule that lets the container use it, e.g. {@code c 1:7 rwm}. */
        public String cgroupRule(String permissions) {
            return type + " " + major + ":" + minor + " " + permissions;
        }
    }

    public static HostNode resolve(Device d) {
        String hostPath = d.hostPath() != null ? d.hostPath() : d.path();
        int mode, uid, gid;
        long rdev;
        try {
            Map<String, Object> a = Files.readAttributes(Path.of(hostPath), "unix:mode,rdev,uid,gid");
            mode = (Integer) a.get("mode");
            rdev = (Long) a.get("rdev");
            uid = (Integer) a.get("uid");
            gid = (Integer) a.get("gid");
        } catch (IOException | UnsupportedOperationException e) {
            throw new InvalidSpecException("devices", d.path() + ": the host node " + hostPath + " cannot be read (" + e + "); "
                    + "jcontainer binds device nodes from the host (it does not mknod)");
        }
        char type = switch (mode & 0170000) {
            case 0020000 -> 'c';
            case 0060000 -> 'b';
            case 0010000 -> 'p';
            default -> 0;
        };
        if (type == 0) throw new InvalidSpecException("devices", d.path() + ": the host's " + hostPath + " is not a device node");
        // glibc's gnu_dev_major/minor
        long major = ((rdev >>> 32) & 0xfffff000L) | ((rdev >>> 8) & 0xfff), minor = ((rdev >>> 12) & 0xffffff00L) | (rdev & 0xff);
        HostNode n = new HostNode(hostPath, type, major, minor, mode & 07777, uid, gid);
        if (d.hostPath() == null) {
            char want = d.type() == 'u' ? 'c' : d.type();
            if (want != type || d.major() != major || d.minor() != minor)
                throw new InvalidSpecException("devices", d.path() + " (" + d.type() + " " + d.major() + ":" + d.minor() + "): the host's "
                        + hostPath + " is " + type + " " + major + ":" + minor + "; jcontainer binds device nodes from the host (it does not mknod)");
        }
        if ((d.fileMode() != null && d.fileMode() != n.mode()) || (d.uid() != null && d.uid() != uid) || (d.gid() != null && d.gid() != gid))
            throw new InvalidSpecException("devices", d.path() + ": fileMode/uid/gid " + d.fileMode() + "/" + d.uid() + "/" + d.gid()
                    + " differ from the host node's " + Integer.toOctalString(n.mode()) + "/" + uid + "/" + gid
                    + ", and a node bound from the host keeps its own");
        return n;
    }
}
