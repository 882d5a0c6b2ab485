/*
 * console.c — OP_CONSOLE_SOCKET and OP_CONSOLE: the container's terminal handed to an engine.
 *
 * runc's --console-socket: an engine (conmon, containerd's shim) listens on a unix socket and
 * expects the master of the container's pty on it, as one message whose bytes name the file and
 * whose SCM_RIGHTS carries the fd. As runc does, the pty comes from the container's own devpts
 * instance (opened inside it, so `tty` there says /dev/pts/0) and the container's side sends it:
 * the launcher connects first, on the host, before any setns (the path is the engine's, outside
 * the container), and the child inherits the connected socket.
 */
#include "launcher.h"

int console_sock = -1;
int console_stdio; /* fds 0-2 are the pty's slave (OP_CONSOLE): OP_SETRESUID gives it to the process's user */

/* (pre) str path */
long console_socket_op(struct cursor *c, struct failure *f) {
  const char *path = rd_str(c);
  if (c->bad) FAIL(SC_PLAN, -EINVAL);
  set_detail(f, path);
  struct unix_sa sa;
  long dir, a = unix_address(path, &sa, &dir);
  if (a < 0) FAIL(a == -36 ? SC_CONNECT : SC_OPENAT, a);
  long s = sys3(NR_socket, AF_UNIX, 1 /* SOCK_STREAM */ | O_CLOEXEC, 0);
  if (s < 0) { if (dir >= 0) sys1(NR_close, dir); FAIL(SC_SOCKET, s); }
  long r = sys3(NR_connect, s, &sa, sizeof sa);
  if (dir >= 0) sys1(NR_close, dir);
  if (r < 0) { sys1(NR_close, s); FAIL(SC_CONNECT, r); }
  console_sock = (int)s;
  return 0;
}

/* (child) u32 rows, u32 cols: after the container's /dev is set up (and pivot_root, or the exec's
 * setns into its mount namespace), before the process section. */
long console_op(struct cursor *c, struct failure *f) {
  u32 rows = rd_u32(c), cols = rd_u32(c);
  if (c->bad || console_sock < 0) FAIL(SC_PLAN, -EINVAL);
  set_detail(f, "/dev/ptmx");
  long m = sys4(NR_openat, AT_FDCWD, "/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC, 0);
  if (m < 0) FAIL(SC_OPENAT, m);
  int unlock = 0;
  long r = sys3(NR_ioctl, m, 0x40045431 /* TIOCSPTLCK */, &unlock);
  if (r < 0) FAIL(SC_IOCTL, r);
  if (rows || cols) {
    unsigned short ws[4] = {(unsigned short)rows, (unsigned short)cols, 0, 0};
    r = sys3(NR_ioctl, m, 0x5414 /* TIOCSWINSZ */, ws);
    if (r < 0) FAIL(SC_IOCTL, r);
  }
  /* TIOCGPTPEER: the slave without a path lookup (no /dev/pts/N to race or to be missing) */
  long s = sys3(NR_ioctl, m, 0x5441 /* TIOCGPTPEER */, O_RDWR | O_NOCTTY);
  if (s < 0) FAIL(SC_IOCTL, s);
  for (int fd = 0; fd < 3; fd++) {
    r = sys3(NR_dup3, s, fd, 0);
    if (r < 0) FAIL(SC_DUP3, r);
  }
  if (s > 2) sys1(NR_close, s);
  console_stdio = 1;
  /* runc's utils.SendFd: the file's name as the bytes, the fd as SCM_RIGHTS */
  static const char name[] = "/dev/ptmx";
  struct iovec iov = {(void *)name, sizeof name - 1};
  union { struct cmsghdr h; unsigned char buf[sizeof(struct cmsghdr) + 8]; } cm;
  memset(&cm, 0, sizeof cm);
  cm.h.len = sizeof(struct cmsghdr) + 4;
  cm.h.level = SOL_SOCKET;
  cm.h.type = SCM_RIGHTS;
  s32 mfd = (s32)m;
  memcpy(cm.buf + sizeof(struct cmsghdr), &mfd, 4);
  struct msghdr msg = {0, 0, &iov, 1, cm.buf, sizeof cm.buf, 0};
  set_detail(f, "console socket");
  r = sys3(NR_sendmsg, console_sock, &msg, MSG_NOSIGNAL);
  if (r < 0) FAIL(SC_SENDMSG, r);
  sys1(NR_close, m);
  sys1(NR_close, console_sock);
  console_sock = -1;
  return 0;
}
