/* seccomp-probe: makes one system call a container's seccomp filter should decide, and prints
 * "<name>: ok" or "<name>: <ERRNO>" (the symbol). A filter that kills the process leaves no
 * line at all — the test then sees the signal (SIGSYS) in the exit status.
 * Built static at test time (gcc -static -O2) by SeccompContainerTest; minimal on purpose.
 *
 *   seccomp-probe keyctl add_key ... (any number of probes, in order)                        */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/sched.h>

static const char *sym(int e) {
  switch (e) {
  case EPERM: return "EPERM";
  case ENOSYS: return "ENOSYS";
  case EINVAL: return "EINVAL";
  case EFAULT: return "EFAULT";
  case EBADF: return "EBADF";
  case ENOKEY: return "ENOKEY";
  case EACCES: return "EACCES";
  case EAFNOSUPPORT: return "EAFNOSUPPORT";
  case ENOTTY: return "ENOTTY";
  case EOPNOTSUPP: return "EOPNOTSUPP";
  default: { static char b[32]; snprintf(b, sizeof b, "errno%d", e); return b; }
  }
}

static long probe(const char *n) {
  if (!strcmp(n, "keyctl")) return syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3 /* session */, 0);
  if (!strcmp(n, "add_key")) return syscall(SYS_add_key, "user", "probe", "x", 1, -3);
  if (!strcmp(n, "request_key")) return syscall(SYS_request_key, "user", "probe", 0, 0);
  if (!strcmp(n, "userfaultfd")) return syscall(SYS_userfaultfd, 0);
  if (!strcmp(n, "io_uring_setup")) return syscall(SYS_io_uring_setup, 1, 0 /* EFAULT if it got that far */);
  if (!strcmp(n, "bpf")) return syscall(SYS_bpf, 0, 0, 0);
  if (!strcmp(n, "perf_event_open")) return syscall(SYS_perf_event_open, 0, 0, -1, -1, 0);
  if (!strcmp(n, "unshare_user")) return syscall(SYS_unshare, CLONE_NEWUSER);
  if (!strcmp(n, "pivot_root")) return syscall(SYS_pivot_root, "/", "/");
  if (!strcmp(n, "clone3")) {
    struct clone_args a;
    memset(&a, 0, sizeof a);
    a.flags = CLONE_NEWUSER;
    a.exit_signal = SIGCHLD;
    long r = syscall(SYS_clone3, &a, sizeof a);
    if (r == 0) _exit(0);
    return r;
  }
  if (!strcmp(n, "clone_newuser") || !strcmp(n, "clone_plain")) {
    long flags = SIGCHLD | (n[6] == 'n' ? CLONE_NEWUSER : 0);
    long r = syscall(SYS_clone, flags, 0, 0, 0, 0);
    if (r == 0) _exit(0);
    return r;
  }
  if (!strcmp(n, "socket_alg")) return syscall(SYS_socket, 38, SOCK_SEQPACKET, 0);
  if (!strcmp(n, "socket_vsock")) return syscall(SYS_socket, 40, SOCK_STREAM, 0);
  if (!strcmp(n, "socket_vsock_high")) return syscall(SYS_socket, 0x100000028L, SOCK_STREAM, 0);
  if (!strcmp(n, "socket_inet")) return syscall(SYS_socket, 2, SOCK_DGRAM, 0);
  if (!strcmp(n, "personality_query")) return syscall(SYS_personality, 0xffffffffUL);
  if (!strcmp(n, "personality_bsd")) return syscall(SYS_personality, 0x0006 /* PER_BSD */);
  if (!strcmp(n, "tiocsti")) { char c = 'x'; return syscall(SYS_ioctl, 0, 0xffffffff00005412UL, &c); }
  if (!strcmp(n, "newer_than_profile")) return syscall(452 /* fchmodat2 (6.6) on x86_64 and aarch64 */, -1, "x", 0, 0);
  if (!strcmp(n, "getpid")) return syscall(SYS_getpid);
#ifdef __x86_64__
  if (!strcmp(n, "x32")) return syscall(0x40000000 | SYS_getpid);
  if (!strcmp(n, "int80")) { long r; __asm__ volatile("int $0x80" : "=a"(r) : "a"(20 /* i386 getpid */) : "memory"); return r; }
#endif
  fprintf(stderr, "seccomp-probe: unknown probe %s\n", n);
  _exit(2);
}

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    errno = 0;
    long r = probe(argv[i]);
    printf("%s: %s\n", argv[i], r < 0 ? sym(errno) : "ok");
    fflush(stdout);
  }
  return 0;
}
