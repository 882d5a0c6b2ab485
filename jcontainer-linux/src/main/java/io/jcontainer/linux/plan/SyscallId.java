package io.jcontainer.linux.plan;

/** The system calls the launcher reports failures of; order mirrors plan.h {@code enum syscall_id}. */
public enum SyscallId {
    NONE, OPENAT2, MKDIRAT, MOUNT, UMOUNT2, PIVOT_ROOT, CHDIR, SETHOSTNAME, SETDOMAINNAME, SYMLINKAT, OPENAT, WRITE,
    SETSID, SETGROUPS, SETRESGID, SETRESUID, CAPSET, PRCTL, PRLIMIT, SECCOMP, CLOSE_RANGE, EXECVE, UNSHARE, SETNS,
    CLONE, FSTATFS, READ, PLAN, PIPE2, FCHDIR, SOCKET, IOCTL, HOOK, MOUNT_SETATTR, BIND, LISTEN, MKNODAT,
    OPEN_TREE, FSOPEN, FSCONFIG, FSMOUNT, MOVE_MOUNT, DUP3;

    /** The call's name as its man page spells it, e.g. {@code pivot_root}. */
    public String callName() {
        return switch (this) {
            case PRLIMIT -> "prlimit64";
            case PLAN -> "plan (malformed)";
            case CLONE -> "clone3";
            case HOOK -> "hook";
            default -> name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    public static SyscallId of(int code) {
        SyscallId[] v = values();
        return code >= 0 && code < v.length ? v[code] : NONE;
    }
}
