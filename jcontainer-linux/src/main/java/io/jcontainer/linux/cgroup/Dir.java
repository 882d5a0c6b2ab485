package io.jcontainer.linux.cgroup;

import io.jcontainer.HostUnsupportedException;
import io.jcontainer.InvalidSpecException;
import io.jcontainer.linux.sys.Errno;
import io.jcontainer.linux.sys.SyscallException;

/**
 * One cgroup directory and the version of its hierarchy: what a controller class writes to.
 * Reading helpers parse the kernel's flat-keyed files ({@code key value} per line).
 */
record Dir(CgroupFs fs, String path, boolean v2) {
    String file(String name) {
        return path + "/" + name;
    }

    boolean has(String name) {
        return fs.exists(file(name));
    }

    void write(String name, String value) {
        fs.write(file(name), value);
    }

    /**
     * Writes a limit the user asked for; the kernel's refusal becomes an InvalidSpecException
     * naming the setting and value, a missing file a HostUnsupportedException.
     */
    void set(String setting, String name, String value) {
        try {
            write(name, value);
        } catch (SyscallException e) {
            if (e.errno() == Errno.ENOENT)
                throw new HostUnsupportedException(setting + " cannot be applied: " + file(name) + " does not exist on this host",
                        "enable the kernel feature behind " + name + " (see the kernel's cgroup documentation)");
            if (e.errno() == Errno.EINVAL || e.errno() == Errno.EBUSY || e.errno() == 34 /* ERANGE */)
                throw new InvalidSpecException(setting, "the kernel refused " + value.strip() + " for " + name + ": " + e.getMessage());
            throw e;
        }
    }

    String read(String name) {
        return fs.read(file(name));
    }

    /** The processes listed in cgroup.procs (thread-group ids, one per line). */
    java.util.List<String> procs() {
        return read("cgroup.procs").lines().filter(l -> !l.isBlank()).toList();
    }

    /** A long from a single-value file ("max" reads as -1); -1 when the file is missing. */
    long number(String name) {
        if (!has(name)) return -1;
        String s = read(name).strip();
        return s.equals("max") ? -1 : Long.parseLong(s);
    }

    /** The value of {@code key} in a flat-keyed file; -1 when the file or the key is missing. */
    long keyed(String name, String key) {
        if (!has(name)) return -1;
        for (String line : read(name).split("\n")) {
            int sp = line.indexOf(' ');
            if (sp > 0 && line.regionMatches(0, key, 0, sp) && sp == key.length()) return Long.parseLong(line.substring(sp + 1).strip());
        }
        return -1;
    }
}
