/*
 * net.c — the container's network namespace and its loopback interface.
 */
#include "launcher.h"

/* A new network namespace starts with "lo" down; ioctl is all it takes to raise it. */
long loopback_up(u32 *sc) {
  long s = sys3(NR_socket, 2 /* AF_INET */, 2 /* SOCK_DGRAM */ | O_CLOEXEC, 0);
  if (s < 0) { *sc = SC_SOCKET; return s; }
  struct { char name[16]; short flags; char pad[22]; } ifr;
  memset(&ifr, 0, sizeof ifr);
  ifr.name[0] = 'l';
  ifr.name[1] = 'o';
  long r = sys3(NR_ioctl, s, 0x8913 /* SIOCGIFFLAGS */, &ifr);
  if (r >= 0) {
    ifr.flags |= 1 /* IFF_UP */;
    r = sys3(NR_ioctl, s, 0x8914 /* SIOCSIFFLAGS */, &ifr);
  }
  sys1(NR_close, s);
  if (r < 0) *sc = SC_IOCTL;
  return r;
}

/* ---- OP_NET_HELPER / OP_JOIN_NET: the network namespace, made beside the child ----
 * Creating a network namespace is the single most expensive step of a container (~0.5 ms of
 * kernel work here: loopback device, sysctl tables, per-protocol state). Done by clone3 it
 * delays everything the child does. A helper process makes it instead, in parallel with the
 * child's mounts: it joins the child's user namespace (so the new namespace is owned by it,
 * exactly as if clone3 had made it), unshares a network namespace, raises lo, and passes the
 * namespace's fd over a socketpair; the child setns into it before the first step that needs
 * it (mounting sysfs, which is tagged with the mounter's network namespace). */
s32 net_sock[2] = {-1, -1}; /* [0] the child's end, [1] the helper's */
static s32 net_helper_pid = -1;

/* msg = {syscall, errno} of a failure, or {0, 0} with the namespace fd attached */
static void send_netns(s32 nsfd, u32 sc, s32 err) {
  u32 msg[2] = {sc, (u32)err};
  struct iovec iov = {msg, sizeof msg};
  union { struct cmsghdr h; unsigned char buf[sizeof(struct cmsghdr) + 8]; } cm;
  struct msghdr m = {0, 0, &iov, 1, 0, 0, 0};
  if (nsfd >= 0) {
    memset(&cm, 0, sizeof cm);
    cm.h.len = sizeof(struct cmsghdr) + 4;
    cm.h.level = SOL_SOCKET;
    cm.h.type = SCM_RIGHTS;
    memcpy(cm.buf + sizeof(struct cmsghdr), &nsfd, 4);
    m.control = cm.buf;
    m.controllen = sizeof cm.buf;
  }
  sys3(NR_sendmsg, net_sock[1], &m, MSG_NOSIGNAL); /* EPIPE: the child is gone; nothing to do */
}

static __attribute__((noreturn)) void net_helper(s32 child_pid, u32 join_user) {
  u32 sc = 0;
  long r = 0;
  if (join_user) {
    /* the launcher created the child's user namespace, so its creator's euid has every
     * capability there (user_namespaces(7)), and a single-threaded fork may setns into it */
    r = open_ns(child_pid, "user");
    if (r < 0) { sc = SC_OPENAT; goto fail; }
    r = sys2(NR_setns, r, CLONE_NEWUSER);
    if (r < 0) { sc = SC_SETNS; goto fail; }
  }
  r = sys1(NR_unshare, CLONE_NEWNET);
  if (r < 0) { sc = SC_UNSHARE; goto fail; }
  r = loopback_up(&sc);
  if (r < 0) goto fail;
  r = sys4(NR_openat, AT_FDCWD, "/proc/self/ns/net", O_RDONLY | O_CLOEXEC, 0);
  if (r < 0) { sc = SC_OPENAT; goto fail; }
  send_netns((s32)r, 0, 0);
  die(0);
fail:
  send_netns(-1, sc, (s32)-r);
  die(1);
}

void reap_net_helper(int kill_it) {
  if (net_helper_pid <= 0) return;
  if (kill_it) sys2(NR_kill, net_helper_pid, SIGKILL);
  struct siginfo_min si;
  long r;
  do r = sys5(NR_waitid, P_PID, net_helper_pid, &si, WEXITED, 0); while (r == -EINTR);
  net_helper_pid = -1;
}

/* (parent) Forks the helper; the child's end of the socketpair was made before clone. */
long net_helper_op(struct cursor *c, struct failure *f, s32 child_pid) {
  u32 join_user = rd_u32(c);
  if (net_sock[1] < 0) FAIL(SC_PLAN, -EINVAL); /* the plan lacks PF_NET_HELPER */
  long r = sys5(NR_clone, SIGCHLD, 0, 0, 0, 0);
  if (r < 0) FAIL(SC_CLONE, r);
  if (r == 0) net_helper(child_pid, join_user);
  net_helper_pid = (s32)r;
  sys1(NR_close, net_sock[1]);
  net_sock[1] = -1;
  return 0;
}

/* (child) Receives the helper's network namespace, or its failure, and joins it. */
long join_net_op(struct failure *f) {
  set_detail(f, "network namespace from the helper");
  u32 msg[2] = {0, 0};
  struct iovec iov = {msg, sizeof msg};
  union { struct cmsghdr h; unsigned char buf[sizeof(struct cmsghdr) + 8]; } cm;
  struct msghdr m = {0, 0, &iov, 1, cm.buf, sizeof cm.buf, 0};
  long r;
  do r = sys3(NR_recvmsg, net_sock[0], &m, MSG_CMSG_CLOEXEC); while (r == -EINTR);
  sys1(NR_close, net_sock[0]);
  net_sock[0] = -1;
  if (r < 0) FAIL(SC_READ, r);
  if (r != (long)sizeof msg) FAIL(SC_READ, -EPIPE); /* the helper died without a word */
  if (m.controllen < sizeof(struct cmsghdr) || cm.h.type != SCM_RIGHTS) {
    /* the helper's own failure: its system call and errno */
    set_detail(f, "creating the network namespace (helper)");
    f->syscall = msg[0];
    f->err = (s32)msg[1];
    return -1;
  }
  s32 nsfd;
  memcpy(&nsfd, cm.buf + sizeof(struct cmsghdr), 4);
  r = sys2(NR_setns, nsfd, CLONE_NEWNET);
  sys1(NR_close, nsfd);
  if (r < 0) FAIL(SC_SETNS, r);
  return 0;
}
