package io.jcontainer;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** Linux capabilities (capabilities(7)), numbered as the kernel numbers them. */
public enum Capability {
    CHOWN, DAC_OVERRIDE, DAC_READ_SEARCH, FOWNER, FSETID, KILL, SETGID, SETUID, SETPCAP, LINUX_IMMUTABLE,
    NET_BIND_SERVICE, NET_BROADCAST, NET_ADMIN, NET_RAW, IPC_LOCK, IPC_OWNER, SYS_MODULE, SYS_RAWIO,
    SYS_CHROOT, SYS_PTRACE, SYS_PACCT, SYS_ADMIN, SYS_BOOT, SYS_NICE, SYS_RESOURCE, SYS_TIME,
    SYS_TTY_CONFIG, MKNOD, LEASE, AUDIT_WRITE, AUDIT_CONTROL, SETFCAP, MAC_OVERRIDE, MAC_ADMIN, SYSLOG,
    WAKE_ALARM, BLOCK_SUSPEND, AUDIT_READ, PERFMON, BPF, CHECKPOINT_RESTORE;

    /** The kernel's number for this capability (its ordinal, by construction). */
    public int number() {
        return ordinal();
    }

    /** Docker's and runc's default set (14): what an ordinary container keeps. */
    public static Set<Capability> dockerDefaults() {
        return EnumSet.of(CHOWN, DAC_OVERRIDE, FSETID, FOWNER, MKNOD, NET_RAW, SETGID, SETUID, SETFCAP,
                SETPCAP, NET_BIND_SERVICE, SYS_CHROOT, KILL, AUDIT_WRITE);
    }

    /** Parses {@code NET_ADMIN}, {@code CAP_NET_ADMIN} or {@code net_admin}. */
    public static Capability parse(String text) {
        String t = text.trim().toUpperCase(Locale.ROOT);
        if (t.startsWith("CAP_")) t = t.substring(4);
        try {
            return valueOf(t);
        } catch (IllegalArgumentException e) {
            throw new InvalidSpecException("capability", "unknown capability '" + text + "'");
        }
    }
}
