package io.jcontainer.linux.files;

import io.jcontainer.linux.sys.Proc;

import java.util.List;

/**
 * A container's uid and gid maps (/proc/PID/uid_map, gid_map), for cp's ownership: ids inside
 * its user namespace to the host's and back. Without a user namespace of its own both are the
 * identity. An id with no mapping becomes the overflow id (65534), as the kernel shows it.
 */
record IdMaps(List<long[]> uid, List<long[]> gid) {
    private static final int OVERFLOW = 65534;

    static IdMaps of(long pid) {
        return new IdMaps(read(pid, "uid_map"), read(pid, "gid_map"));
    }

    private static List<long[]> read(long pid, String which) {
        List<long[]> out = Proc.HOST.idMap(Long.toString(pid), which);
        // no such process or no procfs: identity
        return out == null || out.isEmpty() ? List.of(new long[]{0, 0, 4294967295L}) : out;
    }

    int uidHost(int inside) { return toHost(uid, inside); }
    int gidHost(int inside) { return toHost(gid, inside); }
    int uidInside(int host) { return toInside(uid, host); }
    int gidInside(int host) { return toInside(gid, host); }

    private static int toHost(List<long[]> map, int inside) {
        for (long[] m : map) if (inside >= m[0] && inside < m[0] + m[2]) return (int) (m[1] + inside - m[0]);
        return OVERFLOW;
    }

    private static int toInside(List<long[]> map, int host) {
        for (long[] m : map) if (host >= m[1] && host < m[1] + m[2]) return (int) (m[0] + host - m[1]);
        return OVERFLOW;
    }
}
