/*
 * hooks.c — OP_HOOK: the launcher stops at a named point (HOOK_* in plan.h) while the JVM, or
 * whoever starts a created container, does work the launcher cannot: id maps through the
 * setuid newuidmap, cgroups made in parallel with the child's setup, OCI hooks. One mechanism
 * for every such hand-off:
 *
 *   parent stop (HOOK_CREATE_RUNTIME, in the parent ops): the launcher itself waits;
 *   child stop (later points, in the child ops): the child writes a stop record on its error
 *     pipe and blocks on the go pipe; the launcher waits, then writes the go byte.
 *
 * Waiting means: report MSG_HOOK point, pid (HOOKF_REPORT), then take the JVM's CMD_CONTINUE or
 * CMD_ABORT for that point — an answer may come before the point is reached (the JVM made the
 * cgroups while the child mounted) and is then kept. A created container's start stop
 * (HOOKF_FIFO) waits for a byte on a FIFO in its state directory instead (runc's exec.fifo),
 * which outlives the JVM that created it. Signals sent meanwhile reach the child; its death, or
 * the JVM's end while it is the one to answer, ends the start.
 */
#include "launcher.h"

static u32 answered;           /* bit n: CMD_CONTINUE for point n has come */
static int start_fifo = -1;    /* OP_START_FIFO: our read end, non-blocking */
static int start_fifo_w = -1;  /* PF_NO_MONITOR: a write end the child keeps, so its read end never polls as hung up */
static const char *start_fifo_path;
int created;                   /* the container waits (or waited) for its start at the FIFO */

/* OP_START_FIFO (pre): made by the launcher, so it exists exactly while someone waits on it;
 * opened for reading without blocking, so that `start` (opening it to write) finds a reader. */
long start_fifo_op(struct cursor *c, struct failure *f) {
  const char *p = rd_str(c);
  set_detail(f, p);
  sys3(NR_unlinkat, AT_FDCWD, p, 0); /* a monitor killed by SIGKILL could not remove it */
  long r = sys4(NR_mknodat, AT_FDCWD, p, 0010000 /* S_IFIFO */ | 0600, 0);
  if (r < 0) FAIL(SC_MKNODAT, r);
  long fd = sys4(NR_openat, AT_FDCWD, p, O_RDONLY | O_NONBLOCK | O_CLOEXEC, 0);
  if (fd < 0) FAIL(SC_OPENAT, fd);
  start_fifo = (int)fd;
  start_fifo_path = p;
  if (plan_flags & PF_NO_MONITOR) {
    fd = sys4(NR_openat, AT_FDCWD, p, O_WRONLY | O_NONBLOCK | O_CLOEXEC, 0);
    if (fd < 0) FAIL(SC_OPENAT, fd);
    start_fifo_w = (int)fd;
  }
  return 0;
}

void hooks_cleanup(void) {
  if (start_fifo < 0) return;
  sys1(NR_close, start_fifo);
  start_fifo = -1;
  sys3(NR_unlinkat, AT_FDCWD, start_fifo_path, 0);
}

/* A byte on the start FIFO: 1; a writer that left without one (the FIFO then polls as hung up
 * until reopened): 0. */
static int fifo_ready(void) {
  char b;
  long n;
  do n = sys3(NR_read, start_fifo, &b, 1); while (n == -EINTR);
  if (n == 1) return 1;
  if (n == 0) { /* reopen: a fresh reader is not hung up */
    long fd = sys4(NR_openat, AT_FDCWD, start_fifo_path, O_RDONLY | O_NONBLOCK | O_CLOEXEC, 0);
    if (fd >= 0) { sys1(NR_close, start_fifo); start_fifo = (int)fd; }
  }
  return 0;
}

/* One command while the container starts; -1 at EOF or a malformed frame. An ABORT (for this
 * point, or one not reached yet: the start fails either way) fills *f and returns 1. */
static int start_command(struct failure *f) {
  u32 type, len;
  unsigned char p[8 + 512];
  if (read_command(&type, p, sizeof p, &len) < 0) return -1;
  u32 at = 0;
  if (len >= 4) memcpy(&at, p, 4);
  if (type == CMD_CONTINUE && len == 4 && at < 32) answered |= 1u << at;
  else if (type == CMD_ABORT && len >= 8) {
    s32 e;
    memcpy(&e, p + 4, 4);
    f->syscall = SC_HOOK;
    f->err = e > 0 ? e : EPERM;
    p[len < sizeof p ? len : sizeof p - 1] = 0;
    set_detail(f, len > 8 ? (const char *)p + 8 : "");
    return 1;
  } else if (type == CMD_SIGNAL && len == 4) {
    s32 sig;
    memcpy(&sig, p, 4);
    sys2(NR_kill, child, sig);
  }
  return 0;
}

long hook_wait(u32 point, u32 flags, struct failure *f, int err_rd) {
  set_detail(f, "");
  if ((flags & HOOKF_FIFO) && start_fifo < 0) FAIL(SC_PLAN, -EINVAL); /* the plan lacks OP_START_FIFO */
  if (flags & HOOKF_FIFO) created = 1;
  if ((flags & HOOKF_REPORT) && ctl >= 0) {
    s32 m[3] = {(s32)point, child, (s32)sys0(NR_getpid)};
    send_frame(ctl, MSG_HOOK, m, sizeof m);
  }
  /* No monitor: the child waits on the FIFO itself (hook_child); our work is done. The FIFO
   * stays for `start`; what the container leaves (cgroups) is removed by `delete`. */
  if ((flags & HOOKF_FIFO) && (plan_flags & PF_NO_MONITOR)) die(0);
  for (;;) {
    if (!(flags & HOOKF_FIFO) && (answered & (1u << point))) {
      answered &= ~(1u << point);
      return 0;
    }
    if (!(flags & HOOKF_FIFO) && ctl < 0) {
      set_detail(f, "no JVM to do the hook's work (it is gone)");
      FAIL(SC_HOOK, -EPIPE);
    }
    struct pollfd pfd[3] = {{ctl, POLLIN, 0}, {err_rd, POLLIN, 0}, {(flags & HOOKF_FIFO) ? start_fifo : -1, POLLIN, 0}};
    long r = sys5(NR_ppoll, pfd, 3, 0, 0, 8);
    if (r == -EINTR) continue;
    if (r < 0) FAIL(SC_HOOK, r);
    if ((pfd[2].revents & (POLLIN | POLLHUP)) && fifo_ready()) {
      hooks_cleanup();
      return 0;
    }
    if ((pfd[1].revents & (POLLIN | POLLHUP)) && (flags & HOOKF_AHEAD)) return 1; /* its record says why */
    if (pfd[1].revents & (POLLIN | POLLHUP)) { /* the child died while it waited */
      set_detail(f, "the container's first process ended while it waited");
      FAIL(SC_HOOK, -ECHILD);
    }
    if (pfd[0].revents & (POLLIN | POLLHUP)) {
      int c = start_command(f);
      if (c > 0) return -1;
      if (c < 0) { /* the JVM is gone */
        sys1(NR_close, ctl);
        ctl = -1;
        if ((flags & HOOKF_FIFO) && !(plan_flags & PF_KILL_ON_EOF)) continue; /* created: outlives the JVM */
        set_detail(f, "the JVM went away during the hook");
        FAIL(SC_HOOK, -EPIPE);
      }
    }
  }
}

/* OP_HOOK in the child: tell the launcher (a stop record on the error pipe), wait for its go.
 * A silent stop (work the JVM did in parallel, nothing to report) is not told: the launcher
 * waits for the JVM's answer ahead of the child and writes the go byte then, so a child that
 * comes later reads it at once — no wake-up of the launcher and back on the start's path. */
long hook_child(u32 point, u32 flags, u32 index) {
  if (!HOOK_SILENT(flags)) {
    struct failure rec;
    memset(&rec, 0, sizeof rec);
    rec.phase = PHASE_HOOK;
    rec.index = index;
    rec.opcode = point;
    rec.syscall = flags;
    xwrite_all(child_err_fd, &rec, sizeof rec);
  }
  char b;
  long r;
  if ((flags & HOOKF_FIFO) && (plan_flags & PF_NO_MONITOR)) {
    /* Monitorless: the launcher exits on our record; we wait for `start`'s byte on the FIFO
     * (fds inherited at clone, opened on the host before pivot_root). Past this point nobody
     * reads a failure record: a later failure is only our exit status (127). */
    sys1(NR_close, child_err_fd);
    child_err_fd = -1;
    for (;;) {
      struct pollfd pfd = {start_fifo, POLLIN, 0};
      r = sys5(NR_ppoll, &pfd, 1, 0, 0, 8);
      if (r == -EINTR) continue;
      if (r < 0) die(126);
      do r = sys3(NR_read, start_fifo, &b, 1); while (r == -EINTR);
      if (r == 1) break;
      if (r != -EAGAIN) die(126);
    }
    sys1(NR_close, start_fifo);
    sys1(NR_close, start_fifo_w);
    start_fifo = start_fifo_w = -1;
    return 0;
  }
  do r = sys3(NR_read, child_go_fd, &b, 1); while (r == -EINTR);
  if (r != 1) die(126); /* the launcher gave up on us: it reports why */
  return 0;
}

long hook_op(struct cursor *c, struct failure *f, u32 phase, u32 index, s32 child_pid) {
  u32 point = rd_u32(c), flags = rd_u32(c);
  if (c->bad || point == 0 || point >= 32) FAIL(SC_PLAN, -EINVAL);
  if (phase == PHASE_CHILD) return hook_child(point, flags, index);
  if (phase != PHASE_PARENT || (flags & HOOKF_FIFO) || child_pid <= 0) FAIL(SC_PLAN, -EINVAL);
  return hook_wait(point, flags, f, -1);
}

/* The child's OP_HOOK stops in plan order (at most max): what the launcher must answer, and
 * which of them it answers ahead of the child (HOOK_SILENT). */
u32 child_stops(struct cursor c, u32 nchild, struct stop *out, u32 max) {
  u32 n = 0;
  for (u32 i = 0; i < nchild && !c.bad; i++) {
    u32 op = rd_u32(&c), len = rd_u32(&c);
    if (c.bad || (u64)(c.end - c.p) < len) break;
    if (op == OP_HOOK && len >= 8 && n < max) {
      struct cursor oc = {c.p, c.p + len, 0};
      out[n].point = rd_u32(&oc);
      out[n].flags = rd_u32(&oc);
      out[n].index = i;
      n++;
    }
    c.p += len;
  }
  return n;
}
