/*
 * attach.c — OP_ATTACH: a detached container's terminal or stdin, served to attach clients.
 */
#include "launcher.h"

/* ---- OP_ATTACH: a detached container's terminal or stdin, held for later clients ----
 * A detached container outlives the JVM that started it, so whoever attaches later (docker
 * attach) must find its terminal's master, or its stdin's write end, somewhere: the monitor
 * holds them (as conmon does) and serves clients on a unix stream socket in the container's state
 * directory, mode 0600. Frames, both ways: u32 type, u32 length, payload (ATT_* in plan.h).
 * Output is read whether or not anyone is attached — the log gets all of it — and copied to
 * each client with one non-blocking write: a client that cannot take a whole frame at once
 * (its socket buffer is full: it is too slow, or gone) is disconnected, never waited for
 * (possibly mid-frame: the client discards the part it got).
 * Input is written to the payload without blocking either: while a chunk is pending (the
 * payload does not read), the monitor stops reading clients, so they are slowed, not dropped.
 * SIGPIPE is blocked in the monitor (EPIPE instead) and unblocked again in each child. */
const char *att_path;
u32 att_flags;
int att_listen = -1;
int att_in = -1;       /* where clients' input goes: the pty master or the stdin pipe */
int att_child_in = -1; /* the child's stdin: the pty slave or the pipe's read end */
u64 att_oldmask;
static struct att_client { int fd; u32 got, left; u32 hdr[2]; unsigned char small[4]; } att_cl[ATT_CLIENTS];
static char att_pend[65536];
u32 att_plen;
static u32 att_poff;
static int att_in_eof; /* a client's input ended: stdin is closed once what is pending is written */

int att_primary = -1; /* ATTACH_HOLD: the client waited for, whose pace gates the output (att_gated) */

int att_client_fd(int i) {
  return att_cl[i].fd;
}

static void att_drop(int i) {
  sys1(NR_close, att_cl[i].fd);
  att_cl[i].fd = -1;
  if (i == att_primary) att_primary = -1;
}

/* Whether the primary client's socket is full (waiting up to ms for room). Its CLI reads at its
 * terminal's pace, as the JVM read an attached run's terminal: while it cannot take more, no
 * output is read — the payload waits on its terminal — instead of the client being dropped.
 * Other clients, and a detached container, never slow the payload down. */
int att_gated(int ms) {
  if (att_primary < 0) return 0;
  struct pollfd w = {att_cl[att_primary].fd, POLLOUT, 0};
  struct { long s, ns; } t = {ms / 1000, (long)(ms % 1000) * 1000000};
  long r;
  do r = sys5(NR_ppoll, &w, 1, &t, 0, 8); while (r == -EINTR);
  return r == 0;
}

/* The whole frame, or the client goes: after a partial write the stream cannot continue (the
 * client discards the truncated frame it then sees before EOF). */
static void att_send(int i, char *frame, u32 len) {
  long r;
  do r = sys3(NR_write, att_cl[i].fd, frame, len); while (r == -EINTR);
  if (r != (long)len) att_drop(i);
}

/* frame: 8 free bytes, then len bytes of data */
void att_broadcast(u32 type, char *frame, u32 len) {
  if (!att_path) return; /* att_cl is set up by attach_setup only */
  u32 hdr[2] = {type, len};
  memcpy(frame, hdr, 8);
  for (int i = 0; i < ATT_CLIENTS; i++)
    if (att_cl[i].fd >= 0) att_send(i, frame, len + 8);
}

/* The payload ended: tell every client how, and let them go. */
void att_exit(s32 code, s32 status) {
  char frame[16];
  u32 hdr[2] = {ATT_EXIT, 8};
  s32 st[2] = {code, status};
  memcpy(frame, hdr, 8);
  memcpy(frame + 8, st, 8);
  for (int i = 0; i < ATT_CLIENTS; i++)
    if (att_cl[i].fd >= 0) { att_send(i, frame, 16); if (att_cl[i].fd >= 0) att_drop(i); }
  att_plen = att_poff = 0;
}

void att_accept(void) {
  long fd = sys4(NR_accept4, att_listen, 0, 0, O_CLOEXEC | O_NONBLOCK); /* SOCK_* == O_* */
  if (fd < 0) return;
  for (int i = 0; i < ATT_CLIENTS; i++) {
    if (att_cl[i].fd >= 0) continue;
    memset(&att_cl[i], 0, sizeof att_cl[i]);
    att_cl[i].fd = (int)fd;
    char frame[12];
    u32 hello[3] = {ATT_HELLO, 4, att_flags};
    memcpy(frame, hello, 12);
    att_send(i, frame, 12);
    return;
  }
  sys1(NR_close, fd); /* full */
}

/* The payload reads EOF on its stdin pipe (a terminal is never closed: that would hang it up). */
static void att_close_in(void) {
  if ((att_flags & ATTACH_TTY) || att_in < 0) return;
  sys1(NR_close, att_in);
  att_in = -1;
}

/* Writes pending input to the payload without blocking; a payload that closed its stdin
 * (EPIPE) or a hung-up terminal (EIO) gets nothing more. */
void att_flush(void) {
  while (att_poff < att_plen) {
    long r = sys3(NR_write, att_in, att_pend + att_poff, att_plen - att_poff);
    if (r == -EINTR) continue;
    if (r == -EAGAIN) return;
    if (r <= 0) break;
    att_poff += (u32)r;
  }
  att_plen = att_poff = 0;
  if (att_in_eof) att_close_in();
}

/* Reads what one client sent (non-blocking), a header or part of a payload at a time. */
void att_read(int i) {
  struct att_client *c = &att_cl[i];
  long n;
  if (c->got < 8) {
    n = sys3(NR_read, c->fd, (char *)c->hdr + c->got, 8 - c->got);
    if (n == -EAGAIN || n == -EINTR) return;
    if (n <= 0) { att_drop(i); return; }
    c->got += (u32)n;
    if (c->got < 8) return;
    c->left = c->hdr[1];
    if ((c->hdr[0] == ATT_STDIN && c->left > sizeof att_pend) || (c->hdr[0] == ATT_RESIZE && c->left != 4)
        || (c->hdr[0] != ATT_STDIN && c->hdr[0] != ATT_RESIZE)) { att_drop(i); return; }
    if (c->left == 0) { /* an empty STDIN frame: that client's input ended */
      c->got = 0;
      if (c->hdr[0] == ATT_STDIN) { att_in_eof = 1; if (!att_plen) att_close_in(); }
      return;
    }
  }
  if (c->hdr[0] == ATT_RESIZE) {
    n = sys3(NR_read, c->fd, c->small + (4 - c->left), c->left);
  } else {
    n = sys3(NR_read, c->fd, att_pend, c->left); /* only called with nothing pending */
    if (n > 0 && (att_flags & ATTACH_STDIN) && att_in >= 0) { att_plen = (u32)n; att_poff = 0; }
  }
  if (n == -EAGAIN || n == -EINTR) return;
  if (n <= 0) { att_drop(i); return; }
  c->left -= (u32)n;
  if (c->left) return;
  c->got = 0;
  if (c->hdr[0] == ATT_RESIZE && (att_flags & ATTACH_TTY)) {
    unsigned short ws[4] = {(unsigned short)(c->small[0] | c->small[1] << 8), (unsigned short)(c->small[2] | c->small[3] << 8), 0, 0};
    sys3(NR_ioctl, att_in, 0x5414 /* TIOCSWINSZ: the kernel sends SIGWINCH */, ws);
  }
}

/* Before clone: the terminal or the stdin pipe, and the listening socket. */
long attach_setup(struct failure *f) {
  if (!att_path) return 0;
  u64 pipe_sig = 1ull << (SIGPIPE - 1);
  sys4(NR_rt_sigprocmask, SIG_BLOCK, &pipe_sig, &att_oldmask, 8);
  for (int i = 0; i < ATT_CLIENTS; i++) att_cl[i].fd = -1;
  long r;
  if (att_flags & ATTACH_TTY) {
    /* the host's devpts, as a JVM-opened terminal; TIOCGPTPEER: no /dev/pts path to race */
    set_detail(f, "/dev/ptmx");
    long m = sys4(NR_openat, AT_FDCWD, "/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK, 0);
    if (m < 0) FAIL(SC_OPENAT, m);
    att_in = (int)m;
    int unlock = 0;
    r = sys3(NR_ioctl, m, 0x40045431 /* TIOCSPTLCK */, &unlock);
    if (r < 0) FAIL(SC_IOCTL, r);
    r = sys3(NR_ioctl, m, 0x5441 /* TIOCGPTPEER */, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (r < 0) FAIL(SC_IOCTL, r);
    att_child_in = (int)r;
    /* the log reads a copy of the master: EIO there (slave closed) must not close clients' input */
    log_pipe[0][0] = (int)sys3(NR_fcntl, m, F_DUPFD_CLOEXEC, 3);
  } else if (att_flags & ATTACH_STDIN) {
    int p[2];
    r = sys2(NR_pipe2, p, O_CLOEXEC);
    if (r < 0) FAIL(SC_PIPE2, r);
    att_child_in = p[0];
    att_in = p[1];
    sys3(NR_fcntl, att_in, F_SETFL, O_NONBLOCK);
  }
  set_detail(f, att_path);
  struct unix_sa sa;
  long dir, a = unix_address(att_path, &sa, &dir);
  if (a < 0) FAIL(a == -36 ? SC_BIND : SC_OPENAT, a);
  long s = sys3(NR_socket, 1 /* AF_UNIX */, 1 /* SOCK_STREAM */ | O_CLOEXEC | O_NONBLOCK, 0);
  if (s < 0) { if (dir >= 0) sys1(NR_close, dir); FAIL(SC_SOCKET, s); }
  att_listen = (int)s;
  sys3(NR_unlinkat, AT_FDCWD, att_path, 0); /* a monitor killed by SIGKILL could not remove it */
  long old = sys1(NR_umask, 0177);      /* born 0600: no window where others may connect */
  r = sys3(NR_bind, s, &sa, sizeof sa);
  sys1(NR_umask, old);
  if (dir >= 0) sys1(NR_close, dir);
  if (r < 0) FAIL(SC_BIND, r);
  r = sys2(NR_listen, s, 8);
  if (r < 0) FAIL(SC_LISTEN, r);
  return 0;
}

/* ATTACH_HOLD: the CLI's run -t (without -d) starts the container detached and attaches to it
 * at once; docker attaches before it starts the container, so the client sees all the output.
 * Here the payload already runs when the JVM learns it started: read none of its output (it
 * waits in the terminal, or the pipe, whose writer blocks when full) until the first client
 * is accepted — or the JVM lets go of us without attaching (EOF on the control socket). */
void att_hold(void) {
  for (;;) {
    if (ctl < 0 || att_listen < 0) return;
    struct pollfd pfd[2] = {{att_listen, POLLIN, 0}, {ctl, POLLIN, 0}};
    long r = sys5(NR_ppoll, pfd, 2, 0, 0, 8);
    if (r == -EINTR) continue;
    if (r < 0) return;
    if (pfd[0].revents & POLLIN) att_accept();
    if ((pfd[1].revents & (POLLIN | POLLHUP)) && handle_command() < 0) ctl = -1; /* detached: nobody to tell */
    for (int i = 0; i < ATT_CLIENTS; i++) if (att_cl[i].fd >= 0) { att_primary = i; return; }
  }
}

/* OP_ATTACH (pre): str socket_path, u32 flags (ATTACH_*). */
long attach_op(struct cursor *c) {
  att_path = rd_str(c);
  att_flags = rd_u32(c);
  return 0;
}
