/*
 * plan.h — the wire format between the JVM and the launcher. Mirrored on the Java side by
 * io.jcontainer.linux.plan.{PlanEncoder, Plan, Op, SyscallId} and linux.launch.ControlChannel,
 * linux.attach.AttachProtocol, by the same names; change both sides together and bump
 * PLAN_VERSION. PlanHeaderTest parses this file and fails on any constant the two sides disagree on.
 *
 * A plan is: header, then three ordered op lists:
 *   pre-clone ops  — run by the launcher itself before clone (join existing namespaces);
 *   parent ops     — run by the launcher after clone while the child waits (id maps, cgroups);
 *   child ops      — run by the child, in order, ending with EXEC.
 * Every integer is little-endian (the only byte order of the supported targets); strings are
 * u32 length (with the NUL) + bytes + NUL, padded to 4 bytes; a blob is u32 length + bytes,
 * padded to 4. Each op is u32 opcode, u32 payload length, payload.
 */
#ifndef JC_PLAN_H
#define JC_PLAN_H

#define PLAN_MAGIC 0x3150434Au /* "JCP1" */
#define PLAN_VERSION 2

/* header flags */
#define PF_KILL_ON_EOF 1 /* the JVM closing the control socket kills the container (attached mode) */
#define PF_NOT_DUMPABLE 2
#define PF_NET_HELPER 4 /* a socketpair joins the child and the OP_NET_HELPER helper (created before clone) */
#define PF_NO_MONITOR 8  /* a created container without a monitor (runc's create): at the start FIFO stop the child waits
                            on the FIFO itself and the launcher reports and exits; the child outlives it (no PDEATHSIG),
                            reparented to the caller's subreaper, which reaps it; an exec's (runc's exec -d) launcher
                            exits once it has reported STARTED */

enum opcode {
  OP_HOSTNAME = 1,     /* str name */
  OP_DOMAINNAME = 2,   /* str name */
  OP_MOUNT = 3,        /* str src, str target, str fstype, u64 flags, str data, u32 mflags */
  OP_REMOUNT = 4,      /* str target, u64 add_flags, u32 mflags */
  OP_MKDIR = 5,        /* str path, u32 mode (in root) */
  OP_SYMLINK = 6,      /* str target, str linkpath (in root) */
  OP_WRITE_FILE = 7,   /* str path, u32 mode, blob content (in root) */
  /* 8 was OP_ROOT_OPEN (a second lookup of the root's mount point): OP_MOUNT with MF_NEW_ROOT now */
  OP_PIVOT_ROOT = 9,   /* str newroot */
  OP_CHDIR = 10,       /* str path */
  OP_SETSID = 11,
  OP_SETGROUPS = 12,   /* u32 n, u32 gid[n] */
  OP_SETRESGID = 13,   /* u32 gid */
  OP_SETRESUID = 14,   /* u32 uid */
  OP_CAPS = 15,        /* u64 bounding, effective, permitted, inheritable, ambient */
  OP_NO_NEW_PRIVS = 16,
  OP_RLIMIT = 17,      /* u32 resource, u64 soft, u64 hard */
  OP_SECCOMP = 18,     /* u32 flags, blob sock_filter[] */
  OP_CLOSE_FDS = 19,   /* mark every fd >= 3 close-on-exec */
  OP_UMASK = 20,       /* u32 mask */
  OP_EXEC = 21,        /* str path, u32 argc, str argv[argc], u32 envc, str envp[envc] */
  OP_MAKE_PRIVATE = 22,/* str path: recursively private propagation */
  OP_MASK_PATH = 23,   /* str path (in root): /dev/null over a file, ro tmpfs over a dir */
  OP_UNSHARE = 24,     /* u32 flags */
  OP_KEEPCAPS = 25,    /* u32 on: PR_SET_KEEPCAPS (explicit capability sets across the uid change) */
  OP_SETNS = 26,       /* (pre) str path, u32 nstype */
  OP_WRITE_PID = 27,   /* str path_template, str content_template: "%p" = child pid (parent) */
  OP_LOOPBACK_UP = 29, /* bring "lo" up in the new network namespace */
  OP_HOLD = 30,        /* str path, u32 optional: open O_PATH now; a later source "@N" means the N-th held path */
  OP_NET_HELPER = 32,  /* (parent) u32 join_user: fork a helper that joins the child's user namespace (if
                        * join_user), creates a network namespace with "lo" up, and sends its fd to the child */
  OP_JOIN_NET = 33,    /* (child) receive the helper's network namespace and setns into it */
  OP_CLONE_INTO_CGROUP = 35, /* (pre) str dir: clone3 the child straight into this cgroup2 directory
                              * (CLONE_INTO_CGROUP, 5.7+); older kernels: write its pid to dir/cgroup.procs */
  OP_REMOVE_ON_EXIT = 36, /* (pre) u32 flags (REMOVE_*), u32 n, str dir[n]: directories (the container's cgroups)
                           * the monitor removes when its container has ended for good */
  OP_HOOK = 37,        /* (parent, child) u32 point, u32 flags: stop at a hook point (HOOK_*, HOOKF_* below) */
  OP_START_FIFO = 38,  /* (pre) str path: make a FIFO there; HOOKF_FIFO stops wait for a byte written to it */
  OP_INIT = 40,        /* fork: the parent stays as a reaping, signal-forwarding PID 1; the child goes on */
  OP_STATUS_FILE = 41, /* (pre) str path: where the monitor records the child's exit, for detached containers */
  OP_LOG = 42,         /* (pre) str path, u64 max_bytes, u32 max_files: the monitor logs the child's stdout/stderr */
  OP_SETCTTY = 43,     /* make stdin (a pty slave) the controlling terminal of the new session */
  OP_RESTART = 44,     /* (pre) u32 mode (1 on-failure, 2 always), u32 max (0: unlimited), str stop_marker, str pid_file
                        * ("PID RESTARTS\n" at every start of the child) */
  OP_ATTACH = 45,      /* (pre) str socket_path, u32 flags (ATTACH_*): the monitor holds the terminal or stdin
                        * and serves attach clients on a unix socket (see the ATT_* frames below) */
  OP_CONSOLE_SOCKET = 46, /* (pre, first) str path: connect to the unix socket an engine listens on (runc's
                           * --console-socket), before any setns; the child's OP_CONSOLE sends over it */
  OP_CONSOLE = 47,     /* (child) u32 rows, u32 cols: open /dev/ptmx (the container's own devpts), its peer
                        * becomes 0-2, the master goes over the console socket (SCM_RIGHTS, runc's message) */
  OP_REOPEN_TTY = 48,  /* str path (in root): bind the pty slave on fd 0 there, open it there and put it on
                        * those of fds 0-2 that are terminals, so ttyname(3) finds a path inside the root */
  OP_UNMOUNT_ON_EXIT = 49, /* (pre) u32 flags (REMOVE_*), str path, str helper: a FUSE root (fuse-overlayfs) that the
                            * monitor unmounts when its container has ended for good: umount2(MNT_DETACH), else (an
                            * ordinary user) the setuid helper as "helper -u -z -- path" (fusermount3); "": none */
  OP_PROXY = 50,       /* (pre) blob listen_addr (4 or 16 bytes), u32 listen_port, blob target_addr (4 or 16),
                        * u32 target_port: a published TCP port the kernel cannot forward ([::1]: IPv6 has no
                        * route_localnet), served by a userland proxy process the monitor owns (proxy.c) */
};

/* OP_REMOVE_ON_EXIT flags */
#define REMOVE_IF_JVM_GONE 1 /* only if the JVM has gone (an attached container: else the JVM removes them itself) */

/* mount flags of OP_MOUNT / OP_REMOUNT */
#define MF_TARGET_IN_ROOT 1 /* resolve target under the root dirfd, never leaving it */
#define MF_MKDIR 2          /* create the target (and parents) as directories if missing */
#define MF_MKFILE 4         /* create the target as an empty file if missing (parents as dirs) */
#define MF_OPTIONAL 8       /* ENOENT on the source is not an error: skip the op */
#define MF_NO_SELF_BIND 16  /* OP_REMOUNT: the target is already a mount; do not bind it onto itself */
#define MF_NEW_ROOT 32      /* OP_MOUNT: the new root. The target (a host directory) is opened once with
                             * O_NOFOLLOW; the file system is made detached (open_tree for a bind,
                             * fsopen/fsmount for a fresh one), moved onto that descriptor, and becomes
                             * the directory in-root paths resolve against */
#define MF_TARGET_OPTIONAL 64 /* OP_MOUNT: a target missing in the root is not an error: skip the op
                               * (files bound over a user's directory root only where it has them) */

/* Which system call failed: reported with errno so errors name the exact call. */
enum syscall_id {
  SC_NONE = 0, SC_OPENAT2, SC_MKDIRAT, SC_MOUNT, SC_UMOUNT2, SC_PIVOT_ROOT, SC_CHDIR,
  SC_SETHOSTNAME, SC_SETDOMAINNAME, SC_SYMLINKAT, SC_OPENAT, SC_WRITE, SC_SETSID, SC_SETGROUPS,
  SC_SETRESGID, SC_SETRESUID, SC_CAPSET, SC_PRCTL, SC_PRLIMIT, SC_SECCOMP, SC_CLOSE_RANGE,
  SC_EXECVE, SC_UNSHARE, SC_SETNS, SC_CLONE, SC_FSTATFS, SC_READ, SC_PLAN, SC_PIPE2, SC_FCHDIR, SC_SOCKET, SC_IOCTL,
  SC_HOOK, /* the work done at an OP_HOOK stop failed (CMD_ABORT), or nobody was there to do it */
  SC_MOUNT_SETATTR, SC_BIND, SC_LISTEN, SC_MKNODAT,
  SC_OPEN_TREE, SC_FSOPEN, SC_FSCONFIG, SC_FSMOUNT, SC_MOVE_MOUNT, SC_CONNECT, SC_SENDMSG, SC_DUP3,
};

/* launcher -> JVM frames: u32 type, u32 length, payload */
#define MSG_STARTED 1 /* s32 pid (in the launcher's pid namespace), s32 the launcher's own pid */
#define MSG_FAILED 2  /* u32 phase, u32 op_index, u32 opcode, u32 syscall, s32 errno, str detail */
#define MSG_EXITED 3  /* s32 si_code (CLD_*), s32 si_status */
#define MSG_HOOK 4    /* u32 point, s32 pid, s32 the launcher's pid: the container waits at an OP_HOOK stop with HOOKF_REPORT */
/* JVM -> launcher frames */
#define CMD_SIGNAL 1       /* s32 signal: to the container's first process */
#define CMD_SIGNAL_GROUP 2 /* s32 signal: to its process group */
#define CMD_CONTINUE 3     /* u32 point: the work of that hook point is done (may come before the point is reached) */
#define CMD_ABORT 4        /* u32 point, s32 errno, str message: it failed; the launcher kills the child and
                            * reports FAILED (op OP_HOOK, SC_HOOK, that errno, the message as detail) */

/* Hook points: where the launcher stops so that the JVM (or, for HOOKF_FIFO, whoever starts a
 * created container) does its work. A point nobody registered work for has no OP_HOOK: it costs
 * nothing. The JVM's own points after start and after exit are the STARTED and EXITED frames. */
#define HOOK_CREATE_RUNTIME 1   /* parent: after clone, before the child sets up (id maps, cgroups, network) */
#define HOOK_CREATE_CONTAINER 2 /* child: its root is set up, before pivot_root (deferred cgroups, OCI createContainer) */
#define HOOK_START_CONTAINER 3  /* child: after pivot_root, before the process setup and exec (a created container waits here) */
/* OP_HOOK flags */
#define HOOKF_REPORT 1 /* send MSG_HOOK when reached (else the JVM answers unasked, having worked in parallel) */
#define HOOKF_FIFO 2   /* go on at a byte on the OP_START_FIFO FIFO (`start` of a created container), not at CMD_CONTINUE */

/* The spawn server (`jcontainer-launcher --serve`, fd 3 a SOCK_SEQPACKET socket): each message
 * is the u32 SERVE_MAGIC with SCM_RIGHTS fds {stdin, stdout, stderr, control}; the server forks
 * a launcher that has them as 0, 1, 2 and 3. EOF ends the server. */
#define SERVE_MAGIC 0x6a637376u /* "vscj" */
#define SERVE_FDS 4

/* OP_ATTACH flags */
#define ATTACH_TTY 1   /* the monitor opens a pty: the slave is the child's 0-2, it keeps the master */
#define ATTACH_STDIN 2 /* clients' input goes to the child's stdin (a pipe, or the pty) */
#define ATTACH_HOLD 4  /* read no output before the first client is there (or the JVM lets go): run -t without -d */

/* Attach socket frames (stream socket; both directions): u32 type, u32 length, payload.
 * monitor -> client */
#define ATT_STDOUT 1 /* bytes (a terminal's output is stdout) */
#define ATT_STDERR 2 /* bytes */
#define ATT_EXIT 3   /* s32 si_code, s32 si_status: the payload ended; the monitor closes the client */
#define ATT_HELLO 4  /* u32 ATTACH_* flags: first frame after accept */
/* client -> monitor */
#define ATT_STDIN 1  /* bytes for the payload's stdin (dropped without ATTACH_STDIN); at most 64 KiB.
                      * Empty: the client's input ended (docker's StdinOnce): closed once written */
#define ATT_RESIZE 2 /* u16 rows, u16 cols: TIOCSWINSZ on the master (ignored without a tty) */

#define PHASE_PLAN 0
#define PHASE_PRE 1
#define PHASE_PARENT 2
#define PHASE_CHILD 3

#endif
