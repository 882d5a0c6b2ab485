/*
 * sys.h — the launcher's only view of the kernel: raw system calls, no libc.
 *
 * The launcher runs between the JVM and the payload, so it must not depend on which libc
 * (glibc, musl) the host has, and must stay small enough to audit. Everything here is a
 * thin inline wrapper: the number, the arguments, and -errno on failure (kernel ABI).
 * Supported: x86_64 and aarch64 (generic syscall table).
 */
#ifndef JC_SYS_H
#define JC_SYS_H

typedef unsigned long u64;
typedef unsigned int u32;
typedef int s32;
typedef long s64;
typedef unsigned long size_t;

#if defined(__x86_64__)
#define NR_read 0
#define NR_write 1
#define NR_close 3
#define NR_fstatfs 138
#define NR_pipe2 293
#define NR_openat 257
#define NR_mkdirat 258
#define NR_symlinkat 266
#define NR_dup3 292
#define NR_fcntl 72
#define NR_chdir 80
#define NR_fchdir 81
#define NR_execve 59
#define NR_exit_group 231
#define NR_kill 62
#define NR_waitid 247
#define NR_umask 95
#define NR_setsid 112
#define NR_setgroups 116
#define NR_setresuid 117
#define NR_setresgid 119
#define NR_capset 126
#define NR_prctl 157
#define NR_pivot_root 155
#define NR_mount 165
#define NR_umount2 166
#define NR_sethostname 170
#define NR_setdomainname 171
#define NR_unshare 272
#define NR_setns 308
#define NR_prlimit64 302
#define NR_seccomp 317
#define NR_ppoll 271
#define NR_rt_sigprocmask 14
#define NR_rt_sigaction 13
#define NR_getpid 39
#define NR_clone 56
#define NR_getdents64 217
#define NR_fchmod 91
#define NR_fchown 93
#define NR_socket 41
#define NR_ioctl 16
#define NR_statx 332
#define NR_rt_sigtimedwait 128
#define NR_renameat2 316
#define NR_clock_gettime 228
#define NR_lseek 8
#define NR_faccessat 269
#define NR_mknodat 259
#define NR_unlinkat 263
#define NR_recvmsg 47
#define NR_sendmsg 46
#define NR_socketpair 53
#define NR_setpgid 109
#define NR_bind 49
#define NR_connect 42
#define NR_listen 50
#define NR_accept4 288
#define NR_setsockopt 54
#define NR_getsockopt 55
#define NR_shutdown 48
#define NR_getppid 110
#elif defined(__aarch64__)
#define NR_read 63
#define NR_write 64
#define NR_close 57
#define NR_fstatfs 44
#define NR_pipe2 59
#define NR_openat 56
#define NR_mkdirat 34
#define NR_symlinkat 36
#define NR_dup3 24
#define NR_fcntl 25
#define NR_chdir 49
#define NR_fchdir 50
#define NR_execve 221
#define NR_exit_group 94
#define NR_kill 129
#define NR_waitid 95
#define NR_umask 166
#define NR_setsid 157
#define NR_setgroups 159
#define NR_setresuid 147
#define NR_setresgid 149
#define NR_capset 91
#define NR_prctl 167
#define NR_pivot_root 41
#define NR_mount 40
#define NR_umount2 39
#define NR_sethostname 161
#define NR_setdomainname 162
#define NR_unshare 97
#define NR_setns 268
#define NR_prlimit64 261
#define NR_seccomp 277
#define NR_ppoll 73
#define NR_rt_sigprocmask 135
#define NR_rt_sigaction 134
#define NR_getpid 172
#define NR_clone 220
#define NR_getdents64 61
#define NR_fchmod 52
#define NR_fchown 55
#define NR_socket 198
#define NR_ioctl 29
#define NR_statx 291
#define NR_rt_sigtimedwait 137
#define NR_renameat2 276
#define NR_clock_gettime 113
#define NR_lseek 62
#define NR_faccessat 48
#define NR_mknodat 33
#define NR_unlinkat 35
#define NR_recvmsg 212
#define NR_sendmsg 211
#define NR_socketpair 199
#define NR_setpgid 154
#define NR_bind 200
#define NR_connect 203
#define NR_listen 201
#define NR_accept4 242
#define NR_setsockopt 208
#define NR_getsockopt 209
#define NR_shutdown 210
#define NR_getppid 173
#else
#error "jcontainer launcher: unsupported architecture"
#endif
/* Same number on every architecture since Linux 5.3+ (asm-generic numbering for new calls). */
#define NR_pidfd_send_signal 424
#define NR_pidfd_open 434
#define NR_clone3 435
#define NR_close_range 436
#define NR_openat2 437
#define NR_mount_setattr 442 /* 5.12 */
#define NR_open_tree 428 /* 5.2: the new mount API */
#define NR_move_mount 429
#define NR_fsopen 430
#define NR_fsconfig 431
#define NR_fsmount 432

static inline long sys6(long n, long a, long b, long c, long d, long e, long f) {
#if defined(__x86_64__)
  register long r10 __asm__("r10") = d;
  register long r8 __asm__("r8") = e;
  register long r9 __asm__("r9") = f;
  long ret;
  __asm__ volatile("syscall"
                   : "=a"(ret)
                   : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                   : "rcx", "r11", "memory");
  return ret;
#else
  register long x8 __asm__("x8") = n;
  register long x0 __asm__("x0") = a;
  register long x1 __asm__("x1") = b;
  register long x2 __asm__("x2") = c;
  register long x3 __asm__("x3") = d;
  register long x4 __asm__("x4") = e;
  register long x5 __asm__("x5") = f;
  __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5) : "memory");
  return x0;
#endif
}
#define sys0(n) sys6(n, 0, 0, 0, 0, 0, 0)
#define sys1(n, a) sys6(n, (long)(a), 0, 0, 0, 0, 0)
#define sys2(n, a, b) sys6(n, (long)(a), (long)(b), 0, 0, 0, 0)
#define sys3(n, a, b, c) sys6(n, (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define sys4(n, a, b, c, d) sys6(n, (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define sys5(n, a, b, c, d, e) sys6(n, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)

/* Kernel constants used by the launcher (uapi values, identical on both architectures). */
#define AT_FDCWD -100
#define AT_SYMLINK_NOFOLLOW 0x100
#define O_RDONLY 0
#define O_WRONLY 1
#define O_RDWR 2
#define O_CREAT 0100
#define O_EXCL 0200
#define O_NOCTTY 0400
#define O_TRUNC 01000
#define O_APPEND 02000
#define O_NONBLOCK 04000
#define O_CLOEXEC 02000000
#define O_PATH 010000000
#if defined(__x86_64__)
#define O_DIRECTORY 0200000
#define O_NOFOLLOW 0400000
#else
#define O_DIRECTORY 040000
#define O_NOFOLLOW 0100000
#endif
#define F_SETFD 2
#define F_SETFL 4
#define F_DUPFD_CLOEXEC 1030
#define EAGAIN 11
#define FD_CLOEXEC 1
#define RESOLVE_NO_MAGICLINKS 0x02
#define RESOLVE_IN_ROOT 0x10
struct open_how { u64 flags, mode, resolve; };

#define MS_RDONLY 1
#define MS_NOSUID 2
#define MS_NODEV 4
#define MS_NOEXEC 8
#define MS_REMOUNT 32
#define MS_NOATIME 1024
#define MS_NODIRATIME 2048
#define MS_BIND 4096
#define MS_REC 16384
#define MS_PRIVATE (1 << 18)
#define MS_RELATIME (1 << 21)
#define MS_STRICTATIME (1 << 24)
#define MNT_DETACH 2
/* statfs f_flags (ST_*) mirror the MS_* bits for these. */
#define ST_RDONLY 1
#define ST_NOSUID 2
#define ST_NODEV 4
#define ST_NOEXEC 8
#define ST_NOATIME 1024
#define ST_NODIRATIME 2048
#define ST_RELATIME 4096

#define CLONE_NEWTIME 0x80
#define CLONE_PIDFD 0x1000
#define CLONE_NEWCGROUP 0x02000000
#define CLONE_NEWUTS 0x04000000
#define CLONE_NEWIPC 0x08000000
#define CLONE_NEWUSER 0x10000000
#define CLONE_NEWPID 0x20000000
#define CLONE_NEWNET 0x40000000
#define CLONE_NEWNS 0x00020000
#define CLONE_INTO_CGROUP 0x200000000ULL
struct clone_args {
  u64 flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid,
      set_tid_size, cgroup;
};

#define PR_SET_PDEATHSIG 1
#define PR_SET_DUMPABLE 4
#define PR_SET_NAME 15
#define PR_SET_KEEPCAPS 8
#define PR_CAPBSET_DROP 24
#define PR_SET_NO_NEW_PRIVS 38
#define PR_SET_CHILD_SUBREAPER 36
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_RAISE 2
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#define SECCOMP_SET_MODE_FILTER 1

#define SIGKILL 9
#define SIGCHLD 17
#define SIGSTOP 19
#define SIGPIPE 13
#define SIG_BLOCK 0
#define SIG_SETMASK 2
#define P_ALL 0
#define ECHILD 10
#define P_PID 1
#define P_PIDFD 3
#define WEXITED 4
#define WNOHANG 1
#define POLLIN 1
#define POLLOUT 4
#define POLLERR 8
#define POLLHUP 0x10
struct pollfd { s32 fd; short events, revents; };

/* recvmsg(2) with SCM_RIGHTS, for the spawn server */
struct iovec { void *base; size_t len; };
struct msghdr { void *name; u32 namelen; struct iovec *iov; size_t iovlen; void *control; size_t controllen; s32 flags; };
struct cmsghdr { size_t len; s32 level, type; };
#define SOL_SOCKET 1
#define SCM_RIGHTS 1
#define MSG_CTRUNC 8
#define MSG_NOSIGNAL 0x4000
#define AF_UNIX 1
#define SOCK_SEQPACKET 5
#define MSG_CMSG_CLOEXEC 0x40000000
/* the kernel's struct sigaction (the same layout on x86_64 and arm64, both define SA_RESTORER) */
struct ksigaction { unsigned long handler, flags, restorer; u64 mask; };
#define SIG_DFL 0ul
#define SIG_IGN 1ul

#define EINTR 4
#define EIO 5
#define ENOENT 2
#define EEXIST 17
#define ENOTDIR 20
#define EINVAL 22
#define ENOTTY 25
#define EPIPE 32
#define ENOSYS 38
#define E2BIG 7
#define EBADF 9
#define EBUSY 16
#define EPERM 1
#define EACCES 13
#define ENOEXEC 8

struct statfs_buf { long f_type, f_bsize; u64 f_blocks, f_bfree, f_bavail, f_files, f_ffree; s32 f_fsid[2]; long f_namelen, f_frsize, f_flags, f_spare[4]; };

/* siginfo as filled by waitid: only the fields the launcher reads. */
struct siginfo_min { s32 si_signo, si_errno, si_code; s32 pad0; s32 si_pid, si_uid; s32 si_status; s32 rest[25]; };

struct cap_header { u32 version; s32 pid; };
struct cap_data { u32 effective, permitted, inheritable; };
#define CAP_V3 0x20080522

struct sock_fprog { unsigned short len; void *filter; };

struct rlimit64 { u64 cur, max; };

#endif
