/*
 * init.c — OP_INIT, the payload's PID 1 (docker run --init).
 */
#include "launcher.h"

/* ---- OP_INIT: a tiny PID 1 (docker run --init) ----
 * Without it the payload is PID 1 of its PID namespace, and the kernel then drops every
 * signal it has no handler for (SIGTERM to a plain `sleep` does nothing; only SIGKILL works),
 * and orphans reparented to it stay zombies unless it reaps them. With OP_INIT the child forks
 * once more: the parent stays as PID 1 and only blocks every signal, waits for them with
 * rt_sigtimedwait (no handler: nothing async to get wrong), forwards all but SIGCHLD to the
 * payload, reaps every child on SIGCHLD, and exits with the payload's status (128 + signal if
 * it was killed, as tini). Blocked signals are queued even for PID 1 (kernel/signal.c,
 * sig_ignored), so a SIGTERM from outside reaches it. Its own exit ends the namespace. */
static __attribute__((noreturn)) void init_loop(s32 payload, const u64 *blocked) {
  for (;;) {
    struct siginfo_min si;
    long sig = sys4(NR_rt_sigtimedwait, blocked, &si, 0, 8);
    if (sig < 0) continue;
    if (sig != SIGCHLD) {
      sys2(NR_kill, payload, sig);
      continue;
    }
    for (;;) {
      memset(&si, 0, sizeof si);
      long r = sys5(NR_waitid, P_ALL, 0, &si, WEXITED | WNOHANG, 0);
      if (r == -EINTR) continue;
      if (r < 0 || si.si_pid == 0) break; /* ECHILD, or nothing more to reap now */
      if (si.si_pid == payload) die(si.si_code == 1 /* CLD_EXITED */ ? si.si_status : 128 + si.si_status);
    }
  }
}

char *arg_area;
size_t arg_area_len;

/* PID 1 is the launcher itself, not an exec: without this `ps` inside shows the memfd's fd number
 * as its name and "jcontainer-launcher --serve" as its command line. docker's shows docker-init. */
static void name_init(void) {
  static const char name[] = "jcontainer-init";
  sys2(NR_prctl, PR_SET_NAME, (long)name);
  if (arg_area && arg_area_len >= sizeof name) {
    memset(arg_area, 0, arg_area_len);
    memcpy(arg_area, name, sizeof name);
  }
}

long init_op(struct failure *f) {
  u64 all = ~0ull & ~((1ull << (SIGKILL - 1)) | (1ull << (SIGSTOP - 1))), old = 0;
  long r = sys4(NR_rt_sigprocmask, SIG_BLOCK, &all, &old, 8);
  if (r < 0) FAIL(SC_PRCTL, r);
  long pid = sys5(NR_clone, SIGCHLD, 0, 0, 0, 0); /* fork(): the payload-to-be */
  if (pid < 0) {
    sys4(NR_rt_sigprocmask, SIG_SETMASK, &old, 0, 8);
    FAIL(SC_CLONE, pid);
  }
  if (pid == 0) { /* the payload: its signal mask as it was, then on to EXEC */
    sys4(NR_rt_sigprocmask, SIG_SETMASK, &old, 0, 8);
    return 0;
  }
  /* The payload's exec closes its copy of the error pipe; ours would keep the launcher
   * waiting forever. An exec failure is still reported: the payload writes it before dying. */
  if (child_err_fd >= 0) sys1(NR_close, child_err_fd);
  name_init();
  init_loop((s32)pid, &all);
}
