/*
 * proxy.c — OP_PROXY: a userland proxy for a published TCP port the kernel cannot forward.
 *
 * Published ports are kernel DNAT (nftables). From the host's own loopback that works for IPv4
 * only because the bridge has route_localnet; IPv6 has no such switch, so a packet to [::1] is
 * never routed out to a container. docker serves that case with its userland proxy; so do we:
 * at the pre stage the launcher binds and listens on the published address (a port taken is the
 * start's own failure: bind, EADDRINUSE) and forks a small process of its own that accepts and
 * copies bytes both ways to the container's address. It lives exactly as long as the monitor —
 * PR_SET_PDEATHSIG ties it to the single-threaded launcher, so a monitor that ends (the
 * container gone for good, or killed) takes it along, and the kernel closes its sockets: there
 * is nothing of it to remove or sweep. No JVM: it runs here, libc-free like the rest.
 *
 * One process per published port, single-threaded, one ppoll loop over up to PROXY_PAIRS
 * connections; each direction has one buffer, refilled only when drained, so a slow reader
 * slows its writer (no unbounded buffering). A side's end of stream becomes a shutdown of the
 * other's write side; a connection goes when both directions ended or either side failed.
 */
#include "launcher.h"

#define PROXY_PAIRS 64
#define PROXY_BUF 16384
#define AF_INET 2
#define AF_INET6 10
#define SOCK_STREAM 1
#define SO_REUSEADDR 2
#define SO_ERROR 4
#define IPPROTO_IPV6 41
#define IPV6_V6ONLY 26
#define SHUT_WR 1
#define EINPROGRESS 115

struct sa_in { unsigned short family, port; unsigned char addr[4], zero[8]; };
struct sa_in6 { unsigned short family, port; u32 flowinfo; unsigned char addr[16]; u32 scope; };
union sa { struct sa_in v4; struct sa_in6 v6; };

/* What one side sent, on its way to the other. */
struct half { u32 len, off; int eof, shut; unsigned char buf[PROXY_BUF]; };
/* A client and its connection to the container: cu from client to upstream, uc back. */
struct pair { int c, u, connecting; struct half cu, uc; };

static struct pair pairs[PROXY_PAIRS]; /* bss: touched only in the proxy process */
static union sa target;
static u32 target_len;

static u32 make_sa(union sa *s, const unsigned char *addr, u32 len, u32 port) {
  memset(s, 0, sizeof *s);
  unsigned short be = (unsigned short)(((port & 0xff) << 8) | ((port >> 8) & 0xff));
  if (len == 4) {
    s->v4.family = AF_INET;
    s->v4.port = be;
    memcpy(s->v4.addr, addr, 4);
    return sizeof s->v4;
  }
  s->v6.family = AF_INET6;
  s->v6.port = be;
  memcpy(s->v6.addr, addr, 16);
  return sizeof s->v6;
}

static void close_pair(struct pair *p) {
  sys1(NR_close, p->c);
  sys1(NR_close, p->u);
  p->c = p->u = -1;
}

/* 0, or -1 when the pair is broken. */
static int pump_read(int from, struct half *h) {
  long n = sys3(NR_read, from, h->buf, PROXY_BUF);
  if (n == -EAGAIN || n == -EINTR) return 0;
  if (n < 0) return -1;
  if (n == 0) h->eof = 1;
  h->len = (u32)n;
  h->off = 0;
  return 0;
}

static int pump_write(int to, struct half *h) {
  long n = sys3(NR_write, to, h->buf + h->off, h->len - h->off);
  if (n == -EAGAIN || n == -EINTR) return 0;
  if (n < 0) return -1;
  h->off += (u32)n;
  if (h->off == h->len) h->len = h->off = 0;
  return 0;
}

/* A side that ended and whose last bytes went out: the other side's write half ends too. */
static void pass_eof(int to, struct half *h) {
  if (h->eof && !h->len && !h->shut) {
    sys2(NR_shutdown, to, SHUT_WR);
    h->shut = 1;
  }
}

static void accept_one(int lfd, struct pair *p) {
  long c = sys4(NR_accept4, lfd, 0, 0, O_NONBLOCK | O_CLOEXEC);
  if (c < 0) return;
  long u = sys3(NR_socket, target.v4.family, SOCK_STREAM | O_NONBLOCK | O_CLOEXEC, 0);
  if (u < 0) {
    sys1(NR_close, c);
    return;
  }
  long r = sys3(NR_connect, u, &target, target_len);
  if (r < 0 && r != -EINPROGRESS) { /* the client sees its connection closed, as docker's proxy does */
    sys1(NR_close, u);
    sys1(NR_close, c);
    return;
  }
  p->c = (int)c;
  p->u = (int)u;
  p->connecting = r < 0;
  p->cu.len = p->cu.off = 0;
  p->cu.eof = p->cu.shut = 0;
  p->uc.len = p->uc.off = 0;
  p->uc.eof = p->uc.shut = 0;
}

static __attribute__((noreturn)) void proxy_loop(int lfd) {
  static struct pollfd pfd[1 + 2 * PROXY_PAIRS];
  for (int i = 0; i < PROXY_PAIRS; i++) pairs[i].c = pairs[i].u = -1;
  for (;;) {
    int slot = -1;
    for (int i = 0; i < PROXY_PAIRS; i++) {
      struct pair *p = &pairs[i];
      short ce = 0, ue = 0;
      if (p->c < 0) {
        if (slot < 0) slot = i;
      } else if (p->connecting) {
        ue = POLLOUT;
      } else {
        if (!p->cu.eof && !p->cu.len) ce |= POLLIN;
        if (p->uc.len) ce |= POLLOUT;
        if (!p->uc.eof && !p->uc.len) ue |= POLLIN;
        if (p->cu.len) ue |= POLLOUT;
      }
      /* a side with nothing asked of it is not polled: its hang-up would wake us in a loop */
      pfd[1 + 2 * i] = (struct pollfd){ce ? p->c : -1, ce, 0};
      pfd[2 + 2 * i] = (struct pollfd){ue ? p->u : -1, ue, 0};
    }
    pfd[0] = (struct pollfd){slot >= 0 ? lfd : -1, POLLIN, 0}; /* all slots busy: new clients wait in the backlog */
    long r = sys5(NR_ppoll, pfd, 1 + 2 * PROXY_PAIRS, 0, 0, 8);
    if (r == -EINTR) continue;
    if (r < 0) die(1);
    for (int i = 0; i < PROXY_PAIRS; i++) {
      struct pair *p = &pairs[i];
      short cr = pfd[1 + 2 * i].revents, ur = pfd[2 + 2 * i].revents;
      if (p->c < 0 || !(cr | ur)) continue;
      if (p->connecting) {
        s32 err = 0;
        u32 len = sizeof err;
        if (sys5(NR_getsockopt, p->u, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err) close_pair(p);
        else p->connecting = 0;
        continue;
      }
      int bad = (cr | ur) & POLLERR ? -1 : 0;
      if (!bad && (cr & (POLLIN | POLLHUP)) && !p->cu.len) bad = pump_read(p->c, &p->cu);
      if (!bad && (ur & (POLLIN | POLLHUP)) && !p->uc.len) bad = pump_read(p->u, &p->uc);
      if (!bad && p->cu.len) bad = pump_write(p->u, &p->cu); /* at once: the other side is usually ready */
      if (!bad && p->uc.len) bad = pump_write(p->c, &p->uc);
      if (bad) {
        close_pair(p);
        continue;
      }
      pass_eof(p->u, &p->cu);
      pass_eof(p->c, &p->uc);
      if (p->cu.shut && p->uc.shut) close_pair(p);
    }
    if (slot >= 0 && (pfd[0].revents & POLLIN)) accept_one(lfd, &pairs[slot]);
  }
}

/* OP_PROXY (pre): blob listen_addr, u32 listen_port, blob target_addr, u32 target_port. */
long proxy_op(struct cursor *c, struct failure *f) {
  u32 llen = 0, tlen = 0;
  const unsigned char *laddr = rd_blob(c, &llen);
  u32 lport = rd_u32(c);
  const unsigned char *taddr = rd_blob(c, &tlen);
  u32 tport = rd_u32(c);
  if (c->bad || (llen != 4 && llen != 16) || (tlen != 4 && tlen != 16) || !lport || lport > 65535 || !tport || tport > 65535)
    FAIL(SC_PLAN, -EINVAL);
  char detail[64] = "published port ";
  size_t dl = slen(detail);
  dl += (size_t)utoa(detail + dl, lport);
  memcpy(detail + dl, " (userland proxy)", 18);
  set_detail(f, detail);
  union sa l;
  u32 sl = make_sa(&l, laddr, llen, lport);
  target_len = make_sa(&target, taddr, tlen, tport);
  long s = sys3(NR_socket, l.v4.family, SOCK_STREAM | O_CLOEXEC, 0);
  if (s < 0) FAIL(SC_SOCKET, s);
  s32 one = 1;
  sys5(NR_setsockopt, s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one); /* as docker's: a port in TIME_WAIT is free */
  if (llen == 16) sys5(NR_setsockopt, s, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  long r = sys3(NR_bind, s, &l, sl);
  if (r < 0) {
    sys1(NR_close, s);
    FAIL(SC_BIND, r);
  }
  r = sys2(NR_listen, s, 128);
  if (r < 0) {
    sys1(NR_close, s);
    FAIL(SC_LISTEN, r);
  }
  s32 monitor = (s32)sys0(NR_getpid);
  r = sys5(NR_clone, SIGCHLD, 0, 0, 0, 0);
  if (r < 0) {
    sys1(NR_close, s);
    FAIL(SC_CLONE, r);
  }
  if (r == 0) {
    /* ends with the monitor (checked after arming: it may have ended already) */
    sys2(NR_prctl, PR_SET_PDEATHSIG, SIGKILL);
    if ((s32)sys0(NR_getppid) != monitor) die(0);
    /* only the listening socket: never the control socket, stdio or anything else of the launcher */
    sys3(NR_dup3, s, 0, 0);
    if (sys3(NR_close_range, 1, ~0u, 0) < 0)
      for (int fd = 1; fd < 65536; fd++) sys1(NR_close, fd);
    u64 pipe_sig = 1ull << (SIGPIPE - 1); /* a client gone mid-write is EPIPE, not our death */
    sys4(NR_rt_sigprocmask, SIG_BLOCK, &pipe_sig, 0, 8);
    proxy_loop(0);
  }
  sys1(NR_close, s);
  return 0;
}
