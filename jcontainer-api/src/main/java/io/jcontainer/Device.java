package io.jcontainer;

/**
 * A device node in the container: OCI's {@code linux.devices} entry, or docker's
 * {@code --device HOST[:CONTAINER[:PERMISSIONS]]} when {@code hostPath} is set (then type,
 * major and minor are read from the host node at start, and the node is bound in).
 *
 * @param path        absolute path inside the container
 * @param type        'c' (character), 'b' (block), 'u' (unbuffered character) or 'p' (FIFO); 0 when taken from {@code hostPath}
 * @param fileMode    permission bits of the node, or null for 0666 (docker's)
 * @param uid         owner inside the container, or null for 0
 * @param gid         group inside the container, or null for 0
 * @param hostPath    the host node to bind (docker), or null to create the node (OCI)
 * @param permissions the cgroup access docker's rule grants: a subset of "rwm"
 */
public record Device(String path, char type, long major, long minor, Integer fileMode, Integer uid, Integer gid,
                     String hostPath, String permissions) {
    public Device {
        Checks.absolute("devices", path);
        if (!path.startsWith("/dev/")) throw new InvalidSpecException("devices", "a device belongs under /dev, got '" + path + "'");
        if (path.contains("/../") || path.endsWith("/..")) throw new InvalidSpecException("devices", "'..' in " + path);
        if (hostPath != null) {
            Checks.absolute("devices", hostPath);
        } else if ("cbup".indexOf(type) < 0 || type == 0) {
            throw new InvalidSpecException("devices", path + ": type must be c, b, u or p, got '" + type + "'");
        }
        if (major < 0 || minor < 0) throw new InvalidSpecException("devices", path + ": negative major/minor");
        if (fileMode != null && (fileMode < 0 || fileMode > 07777)) throw new InvalidSpecException("devices", path + ": bad file mode " + fileMode);
        if (permissions == null) permissions = "rwm";
        if (permissions.isEmpty() || !permissions.matches("r?w?m?"))
            throw new InvalidSpecException("devices", path + ": permissions must be a subset of 'rwm' in that order, got '" + permissions + "'");
    }

    /** OCI: a node of this type and number, made in the container. */
    public static Device node(String path, char type, long major, long minor) {
        return new Device(path, type, major, minor, null, null, null, null, "rwm");
    }

    /** Docker's {@code --device /dev/fuse} or {@code --device /dev/sda:/dev/xvdc:r}. */
    public static Device parse(String spec) {
        String[] p = spec.split(":", -1);
        if (p.length > 3 || p[0].isEmpty()) throw new InvalidSpecException("device", "expected HOST[:CONTAINER[:PERMISSIONS]], got '" + spec + "'");
        String host = p[0], ctr = p.length > 1 && !p[1].isEmpty() ? p[1] : host, perms = p.length > 2 ? p[2] : "rwm";
        if (p.length == 2 && p[1].matches("r?w?m?") && !p[1].isEmpty()) { ctr = host; perms = p[1]; }
        return new Device(ctr, (char) 0, 0, 0, null, null, null, host, perms);
    }
}
