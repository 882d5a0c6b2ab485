/*
 * holder.c — "--netns-holder SOCKET UID GID": an ordinary user's rootless network namespace.
 *
 * A bridge can be made only in a network namespace whose user namespace the maker is capable
 * in; an ordinary user's JVM is capable in user namespaces it owns, but can neither enter one
 * (setns of a user namespace needs a single-threaded caller) nor open a socket in a network
 * namespace it cannot setns into. This process holds a user namespace (root there = the user)
 * and a network namespace owned by it — the bridges of the user's networks live there — and
 * hands out, on request, what only a process inside can make: route sockets opened in its
 * network namespace or in a container's (one whose user namespace descends from ours), and
 * the descriptor of its user namespace (the launcher joins it before clone, so the container's
 * own user namespace is a child of ours and a veth end may be moved into its network
 * namespace). The JVM does every netlink request itself on those sockets: the kernel checks
 * the opener's capabilities (ours, in this namespace) and the sender's (the user owns it).
 *
 * Protocol, one request per connection on a SOCK_SEQPACKET socket (mode 0600, in the user's
 * own directory): a byte — 'R' a route socket here, 'J' (with a network namespace's fd) a route
 * socket there, 'U' our user namespace, 'P' are you there, 'Q' quit — answered by an s32 (0 or -errno) with the fd.
 *
 * The first process forks the holder and exits when it is ready (0) or failed (1, the reason on
 * stderr): whoever spawned it waits for that exit and never for the holder.
 */
#include "launcher.h"

static u32 atou(const char *s) {
  u32 v = 0;
  while (*s >= '0' && *s <= '9') v = v * 10 + (u32)(*s++ - '0');
  return v;
}

static void say(const char *what, long err) {
  char buf[256];
  size_t n = 0;
  const char *p = "jcontainer netns holder: ";
  while (*p && n < 200) buf[n++] = *p++;
  for (p = what; *p && n < 230; p++) buf[n++] = *p;
  p = ": errno ";
  while (*p) buf[n++] = *p++;
  n += (size_t)utoa(buf + n, (u64)(-err));
  buf[n++] = '\n';
  xwrite_all(2, buf, n);
}

static long write_file(const char *path, const char *s) {
  long fd = sys4(NR_openat, AT_FDCWD, path, O_WRONLY | O_CLOEXEC, 0);
  if (fd < 0) return fd;
  long r = xwrite_all((int)fd, s, slen(s));
  sys1(NR_close, fd);
  return r < 0 ? r : 0;
}

static void reply(long c, s32 status, long fd) {
  struct iovec iov = {&status, sizeof status};
  union { struct cmsghdr h; unsigned char buf[sizeof(struct cmsghdr) + 8]; } cm;
  struct msghdr m = {0, 0, &iov, 1, 0, 0, 0};
  if (fd >= 0) {
    memset(&cm, 0, sizeof cm);
    cm.h.len = sizeof(struct cmsghdr) + 4;
    cm.h.level = SOL_SOCKET;
    cm.h.type = SCM_RIGHTS;
    s32 f = (s32)fd;
    memcpy(cm.buf + sizeof(struct cmsghdr), &f, 4);
    m.control = cm.buf;
    m.controllen = sizeof cm.buf;
  }
  sys3(NR_sendmsg, c, &m, MSG_NOSIGNAL);
}

static long route_socket(void) {
  return sys3(NR_socket, 16 /* AF_NETLINK */, 3 /* SOCK_RAW */ | O_CLOEXEC, 0 /* NETLINK_ROUTE */);
}

__attribute__((noreturn)) void holder_main(const char *sock, const char *uid, const char *gid) {
  if (sys3(NR_close_range, 3, ~0u, 0) < 0)
    for (int fd = 3; fd < 65536; fd++) sys1(NR_close, fd);
  s32 ready[2];
  if (sys2(NR_pipe2, ready, O_CLOEXEC) < 0) die(1);
  long pid = sys5(NR_clone, SIGCHLD, 0, 0, 0, 0);
  if (pid < 0) { say("fork", pid); die(1); }
  if (pid > 0) {
    sys1(NR_close, ready[1]);
    char ok = 1;
    long n;
    do n = sys3(NR_read, ready[0], &ok, 1); while (n == -EINTR);
    die(n == 1 && ok == 0 ? 0 : 1);
  }
  sys1(NR_close, ready[0]);
  sys0(NR_setsid); /* no terminal's signals, no process group of the JVM's */
  char map[64];
  long r = sys1(NR_unshare, CLONE_NEWUSER);
  if (r < 0) { say("unshare(CLONE_NEWUSER)", r); die(1); }
  if ((r = write_file("/proc/self/setgroups", "deny")) < 0) { say("writing /proc/self/setgroups", r); die(1); }
  memcpy(map, "0 ", 2);
  int k = 2;
  k += utoa(map + k, atou(uid));
  memcpy(map + k, " 1", 3);
  if ((r = write_file("/proc/self/uid_map", map)) < 0) { say("writing /proc/self/uid_map", r); die(1); }
  k = 2;
  k += utoa(map + k, atou(gid));
  memcpy(map + k, " 1", 3);
  if ((r = write_file("/proc/self/gid_map", map)) < 0) { say("writing /proc/self/gid_map", r); die(1); }
  r = sys1(NR_unshare, CLONE_NEWNET);
  if (r < 0) { say("unshare(CLONE_NEWNET)", r); die(1); }
  u32 sc = 0;
  if ((r = loopback_up(&sc)) < 0) { say("raising lo", r); die(1); }
  long self_net = sys4(NR_openat, AT_FDCWD, "/proc/self/ns/net", O_RDONLY | O_CLOEXEC, 0);
  if (self_net < 0) { say("opening /proc/self/ns/net", self_net); die(1); }
  struct unix_sa sa;
  long dir;
  if ((r = unix_address(sock, &sa, &dir)) < 0) { say("the socket's address", r); die(1); }
  long s = sys3(NR_socket, 1 /* AF_UNIX */, 5 /* SOCK_SEQPACKET */ | O_CLOEXEC, 0);
  if (s < 0) { say("socket", s); die(1); }
  sys3(NR_unlinkat, AT_FDCWD, sock, 0); /* a holder killed by SIGKILL could not remove it */
  long old = sys1(NR_umask, 0177); /* born 0600: only the user connects */
  r = sys3(NR_bind, s, &sa, sizeof sa);
  sys1(NR_umask, old);
  if (dir >= 0) sys1(NR_close, dir);
  if (r < 0) { say("bind", r); die(1); }
  if ((r = sys2(NR_listen, s, 16)) < 0) { say("listen", r); die(1); }
  char zero = 0;
  xwrite_all(ready[1], &zero, 1);
  sys1(NR_close, ready[1]);
  /* nothing of the spawner's stdio stays open here */
  sys3(NR_dup3, 0, 1, 0);
  sys3(NR_dup3, 0, 2, 0);
  for (;;) {
    long c = sys4(NR_accept4, s, 0, 0, O_CLOEXEC);
    if (c < 0) continue;
    char req = 0;
    struct iovec iov = {&req, 1};
    union { struct cmsghdr h; unsigned char buf[sizeof(struct cmsghdr) + 8]; } cm;
    struct msghdr m = {0, 0, &iov, 1, cm.buf, sizeof cm.buf, 0};
    long n;
    do n = sys3(NR_recvmsg, c, &m, MSG_CMSG_CLOEXEC); while (n == -EINTR);
    s32 nsfd = -1;
    if (n > 0 && m.controllen >= sizeof(struct cmsghdr) + 4 && cm.h.level == SOL_SOCKET && cm.h.type == SCM_RIGHTS)
      memcpy(&nsfd, cm.buf + sizeof(struct cmsghdr), 4);
    long fd = -1;
    s32 status = 0;
    if (n != 1) {
      status = -22; /* EINVAL */
    } else if (req == 'P') {
      /* alive: nothing to hand out */
    } else if (req == 'R') {
      fd = route_socket();
    } else if (req == 'U') {
      fd = sys4(NR_openat, AT_FDCWD, "/proc/self/ns/user", O_RDONLY | O_CLOEXEC, 0);
    } else if (req == 'J' && nsfd >= 0) {
      fd = sys2(NR_setns, nsfd, CLONE_NEWNET);
      if (fd == 0) {
        fd = route_socket();
        /* back home, or nothing more may be handed out from here */
        if (sys2(NR_setns, self_net, CLONE_NEWNET) < 0) die(2);
      }
    } else if (req == 'Q') {
      sys3(NR_unlinkat, AT_FDCWD, sock, 0);
      reply(c, 0, -1);
      die(0);
    } else {
      status = -22;
    }
    if (fd < 0 && status == 0) status = (s32)fd;
    reply(c, status, fd >= 0 ? fd : -1);
    if (fd >= 0) sys1(NR_close, fd);
    if (nsfd >= 0) sys1(NR_close, nsfd);
    sys1(NR_close, c);
  }
}
