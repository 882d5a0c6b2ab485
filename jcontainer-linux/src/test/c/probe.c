/*
 * probe — a static, hostile test payload for jcontainer's attack suite (SECURITY.md rows 1–26).
 *
 * Each subcommand tries one thing a malicious payload would try and prints ONE result line:
 *   "OK [detail]"  the attempt succeeded           (exit 0)
 *   "E<SYMBOL>"    the kernel refused, with errno   (exit 1)
 * Informational commands (fds, caps, ids) print their data, then "OK". Exit 2 = usage error.
 * Tests assert on the last line. Built with gcc -static so it needs nothing from the image.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static const char *errsym(int e) {
  switch (e) {
#define E(x) case x: return #x;
    E(EPERM) E(ENOENT) E(ESRCH) E(EINTR) E(EIO) E(ENXIO) E(E2BIG) E(ENOEXEC) E(EBADF) E(ECHILD)
    E(EAGAIN) E(ENOMEM) E(EACCES) E(EFAULT) E(EBUSY) E(EEXIST) E(EXDEV) E(ENODEV) E(ENOTDIR)
    E(EISDIR) E(EINVAL) E(ENFILE) E(EMFILE) E(ENOTTY) E(ETXTBSY) E(EFBIG) E(ENOSPC) E(ESPIPE)
    E(EROFS) E(EMLINK) E(EPIPE) E(ENOSYS) E(ENOTEMPTY) E(ELOOP) E(EAFNOSUPPORT) E(EPROTONOSUPPORT)
    E(ESOCKTNOSUPPORT) E(EOPNOTSUPP) E(EDQUOT) E(EUSERS) E(ENOKEY) E(EKEYREVOKED)
#undef E
  default: return "EUNKNOWN";
  }
}

static int fail(int e) {
  printf("%s\n", errsym(e));
  return 1;
}
static int ok(const char *detail) {
  printf(detail ? "OK %s\n" : "OK\n", detail);
  return 0;
}
/* result of a call returning <0 on error */
static int res(long r) { return r < 0 ? fail(errno) : ok(NULL); }

/* mkdir x; chroot x; chdir .. x64; chroot .; then try to read the host canary. */
static int chroot_escape(const char *canary) {
  mkdir("/tmp/.escape", 0755);
  if (chroot("/tmp/.escape") < 0) return fail(errno);
  for (int i = 0; i < 64; i++) chdir("..");
  if (chroot(".") < 0) return fail(errno);
  int fd = open(canary, O_RDONLY);
  if (fd < 0) return fail(errno);
  char buf[256];
  ssize_t n = read(fd, buf, sizeof buf - 1);
  buf[n > 0 ? n : 0] = 0;
  printf("OK ESCAPED %s\n", buf);
  return 0;
}

static unsigned long ns_flags(const char *s) {
  unsigned long f = 0;
  char *dup = strdup(s), *save = 0;
  for (char *t = strtok_r(dup, ",", &save); t; t = strtok_r(0, ",", &save)) {
    if (!strcmp(t, "user")) f |= CLONE_NEWUSER;
    else if (!strcmp(t, "mnt")) f |= CLONE_NEWNS;
    else if (!strcmp(t, "net")) f |= CLONE_NEWNET;
    else if (!strcmp(t, "pid")) f |= CLONE_NEWPID;
    else if (!strcmp(t, "ipc")) f |= CLONE_NEWIPC;
    else if (!strcmp(t, "uts")) f |= CLONE_NEWUTS;
    else if (!strcmp(t, "cgroup")) f |= CLONE_NEWCGROUP;
    else f |= strtoul(t, 0, 0);
  }
  return f;
}

/* Forks until the kernel refuses; children sleep. Prints the refusal and the count, then sleeps
 * (the test kills the container). A cap keeps a missing pids limit from taking the host down. */
static __attribute__((noreturn)) void forkbomb(long max) {
  long n = 0;
  for (; n < max; n++) {
    pid_t p = fork();
    if (p == 0) { for (;;) pause(); }
    if (p < 0) {
      printf("%s %ld\n", errsym(errno), n);
      fflush(stdout);
      for (;;) pause();
    }
  }
  printf("OK %ld\n", n);
  fflush(stdout);
  for (;;) pause();
}

static int memhog(long mb) {
  for (long i = 0; i < mb; i++) {
    char *p = mmap(0, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return fail(errno);
    memset(p, 0x5a, 1 << 20);
  }
  printf("OK %ld\n", mb);
  return 0;
}

static int fds(void) {
  DIR *d = opendir("/proc/self/fd");
  if (!d) return fail(errno);
  int self = dirfd(d);
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.' || atoi(e->d_name) == self) continue;
    char path[300], target[512];
    snprintf(path, sizeof path, "/proc/self/fd/%s", e->d_name);
    ssize_t n = readlink(path, target, sizeof target - 1);
    target[n > 0 ? n : 0] = 0;
    printf("fd %s %s\n", e->d_name, target);
  }
  closedir(d);
  char cwd[512];
  if (getcwd(cwd, sizeof cwd)) printf("cwd %s\n", cwd);
  else printf("cwd %s\n", errsym(errno));
  return ok(NULL);
}

static int status_lines(void) {
  FILE *f = fopen("/proc/self/status", "r");
  if (!f) return fail(errno);
  char line[512];
  while (fgets(line, sizeof line, f))
    if (!strncmp(line, "Cap", 3) || !strncmp(line, "NoNewPrivs", 10) || !strncmp(line, "Seccomp:", 8) ||
        !strncmp(line, "Uid", 3) || !strncmp(line, "Gid", 3) || !strncmp(line, "Groups", 6))
      fputs(line, stdout);
  fclose(f);
  return ok(NULL);
}

static int ids(void) {
  uid_t r, e, s;
  getresuid(&r, &e, &s);
  printf("uid %u euid %u suid %u\n", r, e, s);
  return status_lines();
}

static int do_bpf(void) {
  union bpf_attr a;
  memset(&a, 0, sizeof a);
  a.map_type = BPF_MAP_TYPE_ARRAY;
  a.key_size = 4;
  a.value_size = 4;
  a.max_entries = 1;
  return res(syscall(SYS_bpf, BPF_MAP_CREATE, &a, sizeof a));
}

static int do_perf(void) {
  struct perf_event_attr a;
  memset(&a, 0, sizeof a);
  a.size = sizeof a;
  a.type = PERF_TYPE_SOFTWARE;
  a.config = PERF_COUNT_SW_CPU_CLOCK;
  a.exclude_kernel = 1;
  return res(syscall(SYS_perf_event_open, &a, 0, -1, -1, 0));
}

static int clone3_userns(void) {
  struct { uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls; } ca;
  memset(&ca, 0, sizeof ca);
  ca.flags = CLONE_NEWUSER;
  ca.exit_signal = SIGCHLD;
  long p = syscall(435 /* clone3 */, &ca, sizeof ca);
  if (p < 0) return fail(errno);
  if (p == 0) _exit(0);
  waitpid((pid_t)p, 0, 0);
  return ok(NULL);
}

/* TIOCSTI on fd (default 0); "high" sets bit 32 of the request, which the kernel ignores (the
 * request is an unsigned int) but a seccomp filter comparing 64 bits might not. */
static int tiocsti(int fd, int high) {
  char c = 'x';
  unsigned long req = TIOCSTI;
  if (high) req |= 1UL << 32;
  return res(syscall(SYS_ioctl, fd, req, &c));
}

static int fill(const char *path) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return fail(errno);
  static char buf[1 << 20];
  memset(buf, 'f', sizeof buf);
  long total = 0;
  for (;;) {
    ssize_t n = write(fd, buf, sizeof buf);
    if (n < 0) { printf("%s %ld\n", errsym(errno), total); return 1; }
    total += n;
    if (total > (8L << 30)) return ok("unbounded");
  }
}

/* Creates empty files until an error; past `max` (default 200,000) it reports "OK unbounded". */
static int fill_inodes(const char *dir, const char *max) {
  char p[512];
  long n = max ? atol(max) : 200000;
  for (long i = 0; i < n; i++) {
    snprintf(p, sizeof p, "%s/i%ld", dir, i);
    int fd = open(p, O_WRONLY | O_CREAT, 0644);
    if (fd < 0) { printf("%s %ld\n", errsym(errno), i); return 1; }
    close(fd);
  }
  return ok("unbounded");
}

static int nofile(void) {
  long n = 0;
  for (;;) {
    int fd = open("/dev/null", O_RDONLY);
    if (fd < 0) { printf("%s %ld\n", errsym(errno), n); return 1; }
    if (++n > 10000000) return ok("unbounded");
  }
}

static int readfile(const char *path) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) return fail(errno);
  char buf[4096];
  ssize_t n = read(fd, buf, sizeof buf);
  if (n < 0) return fail(errno);
  printf("OK %zd\n", n);
  return 0;
}

static int writefile(const char *path, const char *content) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return fail(errno);
  if (write(fd, content, strlen(content)) < 0) return fail(errno);
  if (close(fd) < 0) return fail(errno);
  return ok(NULL);
}

/* Opens /proc/PID/exe for writing (CVE-2019-5736): the runtime's binary must not be writable. */
static int open_exe(const char *pid) {
  char p[64];
  snprintf(p, sizeof p, "/proc/%s/exe", pid);
  int fd = open(p, O_WRONLY);
  if (fd >= 0) {
    if (write(fd, "x", 1) < 0) return fail(errno);
    return ok("WRITTEN");
  }
  if (errno != ETXTBSY) return fail(errno);
  /* the classic trick: an O_PATH/O_RDONLY fd, then reopen through /proc/self/fd after exit */
  fd = open(p, O_RDONLY);
  if (fd < 0) return fail(ETXTBSY);
  char q[64];
  snprintf(q, sizeof q, "/proc/self/fd/%d", fd);
  int w = open(q, O_WRONLY);
  if (w < 0) return fail(errno);
  return ok("REOPENED");
}

int main(int argc, char **argv) {
  setvbuf(stdout, 0, _IOLBF, 0);
  if (argc < 2) { fprintf(stderr, "usage: probe COMMAND [ARGS]\n"); return 2; }
  const char *cmd = argv[1], *a = argc > 2 ? argv[2] : 0, *b = argc > 3 ? argv[3] : 0;
#define IS(x) (!strcmp(cmd, x))
  if (IS("chroot-escape")) return chroot_escape(a ? a : "/canary");
  if (IS("pivot")) {
    mkdir("/tmp/.pivot", 0755);
    return res(syscall(SYS_pivot_root, "/", "/tmp/.pivot"));
  }
  if (IS("mount")) /* mount FSTYPE TARGET [SOURCE] */
    return res(mount(b && argc > 4 ? argv[4] : a, b, a, 0, 0));
  if (IS("bind")) /* bind SOURCE TARGET */
    return res(mount(a, b, 0, MS_BIND | MS_REC, 0));
  if (IS("remount")) /* remount PATH rw|ro */
    return res(mount(0, a, 0, MS_REMOUNT | MS_BIND | (b && !strcmp(b, "ro") ? MS_RDONLY : 0), 0));
  if (IS("umount")) return res(umount2(a, MNT_DETACH));
  if (IS("unshare")) return res(unshare((int)ns_flags(a)));
  if (IS("setns")) {
    int fd = open(a, O_RDONLY);
    if (fd < 0) return fail(errno);
    return res(setns(fd, 0));
  }
  if (IS("forkbomb")) forkbomb(a ? atol(a) : 5000);
  if (IS("memhog")) return memhog(atol(a));
  if (IS("fds")) return fds();
  if (IS("caps")) return status_lines();
  if (IS("ids")) return ids();
  if (IS("keyctl")) return res(syscall(SYS_keyctl, 1 /* KEYCTL_JOIN_SESSION_KEYRING */, 0));
  if (IS("add_key")) return res(syscall(SYS_add_key, "user", "jc", "x", 1, -3 /* session */));
  if (IS("bpf")) return do_bpf();
  if (IS("perf")) return do_perf();
  if (IS("userfaultfd")) return res(syscall(323 /* userfaultfd */, O_CLOEXEC));
  if (IS("io_uring")) {
    char params[120];
    memset(params, 0, sizeof params);
    return res(syscall(425 /* io_uring_setup */, 1, params));
  }
  if (IS("af_alg")) return res(socket(38 /* AF_ALG */, SOCK_SEQPACKET, 0));
  if (IS("af_vsock")) return res(socket(40 /* AF_VSOCK */, SOCK_STREAM, 0));
  if (IS("clone3-userns")) return clone3_userns();
  if (IS("tiocsti")) return tiocsti(a ? atoi(a) : 0, 0);
  if (IS("tiocsti-high")) return tiocsti(a ? atoi(a) : 0, 1);
  if (IS("tioclinux")) {
    char sub = 2; /* TIOCL_SETSEL-ish: any subcode; must be refused */
    return res(ioctl(a ? atoi(a) : 0, TIOCLINUX, &sub));
  }
  if (IS("mknod")) /* mknod PATH MAJOR MINOR [b|c]: a device node, then try to open it */ {
    mode_t type = argc > 5 && argv[5][0] == 'c' ? S_IFCHR : S_IFBLK;
    if (mknod(a, type | 0600, makedev(b ? atoi(b) : 8, argc > 4 ? atoi(argv[4]) : 0)) < 0) return fail(errno);
    int fd = open(a, O_RDONLY);
    if (fd < 0) { printf("MKNOD_ONLY %s\n", errsym(errno)); return 1; }
    return ok("OPENED");
  }
  if (IS("raw-socket")) return res(socket(AF_INET, SOCK_RAW, 1 /* ICMP */));
  if (IS("packet-socket")) return res(socket(17 /* AF_PACKET */, SOCK_RAW, 0));
  if (IS("ptrace")) return res(ptrace(PTRACE_ATTACH, atoi(a), 0, 0));
  if (IS("kill")) return res(kill(atoi(a), SIGKILL));
  if (IS("kill-all")) return res(kill(-1, SIGKILL));
  if (IS("write")) return writefile(a, b ? b : "pwned\n");
  if (IS("read")) return readfile(a);
  if (IS("open-exe")) return open_exe(a ? a : "self");
  if (IS("fill")) return fill(a);
  if (IS("fill-inodes")) return fill_inodes(a, b);
  if (IS("nofile")) return nofile();
  if (IS("sethostname")) return res(sethostname("pwned", 5));
  if (IS("personality")) return res(syscall(SYS_personality, strtoul(a, 0, 0)));
  if (IS("init-module")) return res(syscall(SYS_init_module, "", 0, ""));
  if (IS("swapon")) return res(syscall(SYS_swapon, "/tmp/swap", 0));
  if (IS("sleep")) { printf("OK\n"); fflush(stdout); for (;;) pause(); }
  if (IS("spin")) { printf("OK\n"); fflush(stdout); for (volatile unsigned long i = 0;; i++) ; }
  fprintf(stderr, "probe: unknown command %s\n", cmd);
  return 2;
}
