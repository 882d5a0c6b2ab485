/*
 * jcontainer launcher — the only code that runs between the JVM and a container's payload.
 *
 * Why a separate static program and not code in the JVM: after clone() in a multi-threaded
 * process only async-signal-safe code may run in the child, and Java never is. So the JVM
 * compiles the container spec into a plain-data plan (plan.h) and starts this program with
 * posix_spawn (vfork-like, so its cost does not grow with the JVM's heap) from a sealed memfd
 * (so a payload can never overwrite it: the CVE-2019-5736 class).
 *
 * The launcher is policy-free: it executes ops in the order given and reports the first
 * failure precisely (phase, op index, system call, errno). It is libc-independent (raw system
 * calls, sys.h), single-threaded, and stays alive as a tiny monitor of its container
 * (monitor.c). This file is the start, up to STARTED or FAILED; launcher.h lists the parts.
 *
 *   JVM                         launcher (this)                    child
 *   ---                         ---------------                    -----
 *   spawn, send plan   ---->    read plan, close stray fds
 *                               run pre-clone ops (setns)
 *                               clone3(namespace flags) ------->   blocks on the go pipe
 *                               run parent ops (uid/gid maps,
 *                               cgroup placement), then go ---->   run child ops in order
 *                               wait on the error pipe   <-----    EXEC: the pipe closes (CLOEXEC)
 *                                                                  or an error record arrives
 *   <---- STARTED pid | FAILED record
 *   SIGNAL n  ----------------> pidfd_send_signal
 *   (EOF: the JVM died) ------> SIGKILL the container, reap, exit
 *   <---- EXITED code, status   (child reaped)
 *   reap the launcher
 */
#include "launcher.h"

int ctl = 3;
s32 child = -1;
long child_pidfd = -1;
u32 plan_flags;
s32 child_go_fd = -1;
int child_err_fd = -1;
s32 mntns_fd = -1; /* the child's mount namespace, held until we exit */

/* OP_CLONE_INTO_CGROUP: a cgroup2 directory the child is born in. Born there, it never
 * migrates: a migration (a cgroup.procs write) takes cgroup_threadgroup_rwsem for writing,
 * which waits for an RCU grace period — 5-15 ms per start measured on this kind of host. */
static s32 into_cgroup_fd = -1;
static const char *into_cgroup_path; /* in the plan buffer */

long into_cgroup_op(struct cursor *c, struct failure *f) {
  const char *p = rd_str(c);
  set_detail(f, p);
  long fd = sys4(NR_openat, AT_FDCWD, p, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  if (fd < 0) FAIL(SC_OPENAT, fd);
  if (into_cgroup_fd >= 0) sys1(NR_close, into_cgroup_fd);
  into_cgroup_fd = (s32)fd;
  into_cgroup_path = p;
  return 0;
}

void fail_and_exit(struct failure *f) {
  reap_net_helper(1);
  hooks_cleanup();
  unmount_root(); /* a detached container that could not restart: its FUSE root goes too */
  remove_dirs(); /* a detached container that could not (re)start: its cgroups go with it */
  if (restarts) write_status_file(1 /* CLD_EXITED */, 127); /* a restart that could not start */
  if (att_listen >= 0) sys3(NR_unlinkat, AT_FDCWD, att_path, 0);
  send_failure(ctl, f);
  die(1);
}

/* ---- the child ---- */
static __attribute__((noreturn)) void child_main(struct cursor *c, u32 nchild, int go_rd, int err_wr) {
  struct failure f;
  memset(&f, 0, sizeof f);
  /* Die with the launcher: it is single-threaded, so "parent thread exits" means it exits.
   * Without a monitor the launcher leaves once the child waits at its start: the child stays. */
  if (!(plan_flags & PF_NO_MONITOR)) sys2(NR_prctl, PR_SET_PDEATHSIG, SIGKILL);
  char b;
  long r;
  do r = sys3(NR_read, go_rd, &b, 1); while (r == -EINTR);
  if (r != 1) die(126); /* the launcher gave up on us (it reports why) */
  child_go_fd = go_rd; /* OP_HOOK stops wait on it; closed at exec */
  child_err_fd = err_wr;
  if (run_ops(c, nchild, PHASE_CHILD, &f, 0) < 0 && child_err_fd >= 0) { /* -1: past a monitorless start, nobody reads */
    unsigned char buf[sizeof f];
    memcpy(buf, &f, sizeof f);
    xwrite_all(child_err_fd, buf, sizeof f);
  }
  die(127);
}

/* Kills the child that could not be set up, reaps it, and reports why. A created container
 * (it waited for its start) that ends so was killed or removed: it has an exit status. */
static __attribute__((noreturn)) void abandon_child(struct failure *f) {
  sys2(NR_kill, child, SIGKILL);
  struct siginfo_min si;
  sys5(NR_waitid, P_PID, child, &si, WEXITED, 0);
  if (created) write_status_file(si.si_code, si.si_status);
  fail_and_exit(f);
}

/* Releases the silent stops next in line (hooks.c) as the JVM answers them, ahead of the child.
 * Stops when the next stop is one the child reports, or when the child has something to say
 * first (a failure record, or its end), which the caller then reads. */
static void release_silent(const struct stop *stops, u32 nstops, u32 *si, int go_wr, int err_rd) {
  char one = 1;
  while (*si < nstops && HOOK_SILENT(stops[*si].flags)) {
    struct failure hf;
    memset(&hf, 0, sizeof hf);
    hf.phase = PHASE_CHILD;
    hf.index = stops[*si].index;
    hf.opcode = OP_HOOK;
    long r = hook_wait(stops[*si].point, stops[*si].flags | HOOKF_AHEAD, &hf, err_rd);
    if (r < 0) abandon_child(&hf);
    if (r > 0) return;
    xwrite_all(go_wr, &one, 1);
    (*si)++;
  }
}

/* One start of the container (again for a restart policy): clone, parent ops, go, and the
 * child's report; STARTED is sent for the first start only. `c` points at the parent ops. */
static void start_child(struct cursor c, u64 clone_flags, u32 nparent, u32 nchild) {
  struct failure f;
  memset(&f, 0, sizeof f);
  int go[2], err[2];
  long r = sys2(NR_pipe2, go, O_CLOEXEC);
  if (r >= 0) r = sys2(NR_pipe2, err, O_CLOEXEC);
  if (r < 0) { f.syscall = SC_PIPE2; f.err = (s32)-r; fail_and_exit(&f); }
  if (plan_flags & PF_NET_HELPER) {
    r = sys4(NR_socketpair, AF_UNIX, SOCK_SEQPACKET | O_CLOEXEC, 0, net_sock);
    if (r < 0) { f.syscall = SC_SOCKET; f.err = (s32)-r; fail_and_exit(&f); }
  }

  /* clone3 gives a pidfd atomically and can enter a time namespace; clone() is the fallback
   * for kernels before 5.3 or seccomp profiles that answer ENOSYS for clone3. */
  s32 pidfd = -1;
  struct clone_args ca;
  memset(&ca, 0, sizeof ca);
  ca.flags = clone_flags | CLONE_PIDFD;
  ca.pidfd = (u64)(unsigned long)&pidfd;
  ca.exit_signal = SIGCHLD;
  if (into_cgroup_fd >= 0) {
    ca.flags |= CLONE_INTO_CGROUP;
    ca.cgroup = (u64)into_cgroup_fd;
  }
  long pid = sys2(NR_clone3, &ca, sizeof ca);
  int born_in_cgroup = pid >= 0 && into_cgroup_fd >= 0;
  /* before 5.7: no CLONE_INTO_CGROUP (EINVAL, E2BIG); EBADF: not a cgroup2 directory */
  if ((pid == -EINVAL || pid == -E2BIG || pid == -EBADF) && into_cgroup_fd >= 0) {
    ca.flags &= ~CLONE_INTO_CGROUP;
    ca.cgroup = 0;
    pid = sys2(NR_clone3, &ca, sizeof ca);
  }
  if (pid == -ENOSYS || pid == -EPERM) {
    if (!(clone_flags & CLONE_NEWTIME)) {
      /* zero stack and tids: fork semantics, same argument order for what we pass */
      pid = sys5(NR_clone, (clone_flags | SIGCHLD), 0, 0, 0, 0);
      pidfd = -1;
    }
  }
  if (pid < 0) { f.phase = PHASE_PARENT; f.syscall = SC_CLONE; f.err = (s32)-pid; f.index = 0; fail_and_exit(&f); }
  if (pid == 0) {
    sys1(NR_close, go[1]);
    sys1(NR_close, err[0]);
    sys1(NR_close, ctl);
    if (net_sock[1] >= 0) sys1(NR_close, net_sock[1]);
    skip_ops(&c, nparent); /* the child ops follow the parent's */
    if (log_path && !(att_flags & ATTACH_TTY)) {
      sys3(NR_dup3, log_pipe[0][1], 1, 0);
      sys3(NR_dup3, log_pipe[1][1], 2, 0);
    }
    if (att_path) { /* the monitor's ends stay with it; the payload's signal mask is the launcher's */
      sys1(NR_close, att_listen);
      if (att_in >= 0) sys1(NR_close, att_in);
      if (att_child_in >= 0) sys3(NR_dup3, att_child_in, 0, 0);
      if (att_flags & ATTACH_TTY) {
        sys3(NR_dup3, att_child_in, 1, 0);
        sys3(NR_dup3, att_child_in, 2, 0);
      }
    }
    sys4(NR_rt_sigprocmask, SIG_SETMASK, &att_oldmask, 0, 8); /* the launcher's own mask, SIGPIPE unblocked */
    child_main(&c, nchild, go[0], err[1]);
  }
  child = (s32)pid;
  if (console_sock >= 0) { sys1(NR_close, console_sock); console_sock = -1; } /* the child sends; a restart has no terminal to send */
  child_pidfd = pidfd >= 0 ? pidfd : sys2(NR_pidfd_open, pid, 0);
  if (into_cgroup_fd >= 0 && !born_in_cgroup) { /* the slow way: migrate it while it waits */
    char path[4096], num[24];
    size_t n = slen(into_cgroup_path);
    if (n > sizeof path - 16) n = sizeof path - 16;
    memcpy(path, into_cgroup_path, n);
    memcpy(path + n, "/cgroup.procs", 14);
    int nl = utoa(num, (u64)pid);
    long fd = sys4(NR_openat, AT_FDCWD, path, O_WRONLY | O_CLOEXEC, 0);
    r = fd < 0 ? fd : sys3(NR_write, fd, num, nl);
    if (fd >= 0) sys1(NR_close, fd);
    if (r < 0) {
      f.phase = PHASE_PARENT; f.syscall = fd < 0 ? SC_OPENAT : SC_WRITE; f.err = (s32)-r; f.index = 0;
      set_detail(&f, path);
      abandon_child(&f);
    }
  }
  /* Hold the child's mount namespace until we exit. When the last process of a namespace
   * exits, the kernel unmounts its whole tree in that exit, before the parent is notified;
   * with our reference the teardown happens in our own exit instead — after the EXITED report,
   * so nobody waits for it (the spawn server reaps us). Best effort: without /proc it is
   * only slower. */
  if ((clone_flags & CLONE_NEWNS) && mntns_fd < 0) mntns_fd = (s32)open_ns((s32)pid, "mnt");
  sys1(NR_close, go[0]);
  sys1(NR_close, err[1]);
  if (net_sock[0] >= 0) sys1(NR_close, net_sock[0]);
  net_sock[0] = -1;
  /* our copies of the log pipes' write ends: kept only for the children a restart policy may start */
  if (!restart_mode) for (int i = 0; i < 2; i++) if (log_pipe[i][1] >= 0) { sys1(NR_close, log_pipe[i][1]); log_pipe[i][1] = -1; }
  if (!restart_mode && att_child_in >= 0) { sys1(NR_close, att_child_in); att_child_in = -1; }
  long pr = run_ops(&c, nparent, PHASE_PARENT, &f, child);
  struct stop stops[32];
  u32 nstops = child_stops(c, nchild, stops, 32), si = 0;
  if (net_sock[1] >= 0) { sys1(NR_close, net_sock[1]); net_sock[1] = -1; } /* no helper ran: the child sees EOF */
  if (pr < 0) abandon_child(&f);
  /* Not dumpable only now: a non-dumpable process's /proc/PID files belong to root, and the
   * child inherits the flag at clone — a non-root launcher could then not write the child's
   * setgroups/uid_map above (EACCES). */
  if (plan_flags & PF_NOT_DUMPABLE) sys2(NR_prctl, PR_SET_DUMPABLE, 0);
  char one = 1;
  xwrite_all(go[1], &one, 1);

  /* Exec succeeded when the close-on-exec error pipe closes with nothing written; before that
   * the child may stop at hook points (hooks.c) and reports a failure as a record. */
  struct failure cf;
  long n;
  release_silent(stops, nstops, &si, go[1], err[0]);
  while ((n = xread_full(err[0], &cf, sizeof cf)) == (long)sizeof cf && cf.phase == PHASE_HOOK) {
    struct failure hf;
    memset(&hf, 0, sizeof hf);
    hf.phase = PHASE_CHILD;
    hf.index = cf.index;
    hf.opcode = OP_HOOK;
    if (hook_wait(cf.opcode, cf.syscall, &hf, err[0]) < 0) abandon_child(&hf);
    xwrite_all(go[1], &one, 1);
    if (si < nstops) si++; /* the reported stop was the next one */
    release_silent(stops, nstops, &si, go[1], err[0]);
  }
  if (n == 0 && si < nstops) { /* no exec without passing every stop: it died on the way */
    memset(&cf, 0, sizeof cf);
    cf.phase = PHASE_CHILD;
    cf.index = stops[si].index;
    cf.opcode = OP_HOOK;
    cf.syscall = SC_HOOK;
    cf.err = ECHILD;
    set_detail(&cf, "the container's first process ended before its exec");
    n = (long)sizeof cf;
  }
  sys1(NR_close, go[1]);
  sys1(NR_close, err[0]);
  reap_net_helper(n == (long)sizeof cf); /* it has sent, or the child failed: it is done or may die */
  if (n == (long)sizeof cf) {
    struct siginfo_min si;
    sys5(NR_waitid, P_PID, child, &si, WEXITED, 0);
    cf.detail[sizeof cf.detail - 1] = 0;
    fail_and_exit(&cf);
  }
  s32 p[2] = {child, (s32)sys0(NR_getpid)};
  if (!restarts) send_frame(ctl, MSG_STARTED, p, sizeof p);
  write_pid_file(child);
  if ((att_flags & ATTACH_HOLD) && !restarts) att_hold();
  /* A created container's clients may have connected while it waited at its start FIFO (start -a
   * attaches first): accept them before any output is read, so they see all of it. */
  else if (created && !restarts && att_listen >= 0) for (int i = 0; i < ATT_CLIENTS; i++) att_accept();
}

void launcher_main(void) {
  struct failure f;
  memset(&f, 0, sizeof f);
  f.phase = PHASE_PLAN;
  /* Nothing of the JVM beyond stdio and the control socket may survive into the container:
   * posix_spawn inherits every fd the JVM did not mark close-on-exec (CVE-2024-21626 class). */
  if (sys3(NR_close_range, 4, ~0u, 0) < 0)
    for (int fd = 4; fd < 65536; fd++) sys1(NR_close, fd);

  u32 len = 0;
  if (xread_full(ctl, &len, 4) != 4 || len > PLAN_MAX || len < 32) { f.syscall = SC_READ; f.err = EINVAL; fail_and_exit(&f); }
  if (xread_full(ctl, plan, len) != (long)len) { f.syscall = SC_READ; f.err = EINVAL; fail_and_exit(&f); }
  struct cursor c = {plan, plan + len, 0};
  u32 magic = rd_u32(&c), version = rd_u32(&c);
  u64 clone_flags = rd_u64(&c);
  u32 pflags = rd_u32(&c), npre = rd_u32(&c), nparent = rd_u32(&c), nchild = rd_u32(&c);
  plan_flags = pflags;
  if (c.bad || magic != PLAN_MAGIC || version != PLAN_VERSION) { f.syscall = SC_PLAN; f.err = EINVAL; fail_and_exit(&f); }
  /* Detached: leave the JVM's session, so a Ctrl-C or hang-up aimed at the JVM's terminal
   * does not reach the monitor (whose death would take the container along: PDEATHSIG). */
  if (!(pflags & PF_KILL_ON_EOF)) sys0(NR_setsid);

  if (run_ops(&c, npre, PHASE_PRE, &f, 0) < 0) fail_and_exit(&f);
  if (log_setup(&f) < 0) fail_and_exit(&f);
  if (attach_setup(&f) < 0) fail_and_exit(&f);
  /* The monitor writes to pipes whose readers may be gone — the JVM or runc process that started
   * a detached exec and exited, an engine's FIFO: EPIPE for it, never a SIGPIPE death that an
   * engine reaping it would report as the container's status (141). Each child gets the mask back. */
  if (!att_path) {
    u64 pipe_sig = 1ull << (SIGPIPE - 1);
    sys4(NR_rt_sigprocmask, SIG_BLOCK, &pipe_sig, &att_oldmask, 8);
  }
  if (!(clone_flags & CLONE_NEWPID) && !(pflags & PF_NO_MONITOR)) subreaper = sys2(NR_prctl, PR_SET_CHILD_SUBREAPER, 1) == 0;

  start_child(c, clone_flags, nparent, nchild);
  /* Without a monitor and past the start (runc's exec -d: a created container's launcher left at
   * its FIFO already): the process is reparented to the caller's subreaper (conmon, containerd's
   * shim), which reaps it and reads its status, as runc's exec leaves it. */
  if (pflags & PF_NO_MONITOR) die(0);
  while (monitor()) start_child(c, clone_flags, nparent, nchild);
  die(0);
}
