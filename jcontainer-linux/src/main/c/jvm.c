/*
 * jvm.c — the JVM's steps while the child waits: the launcher stops and lets the JVM act on
 * the child (it has the privileges or the knowledge the launcher lacks), then goes on.
 */
#include "launcher.h"

/* OP_WAIT_JVM: the JVM gets the child's pid and acts on it while the child waits on its go
 * pipe — newuidmap/newgidmap (setuid helpers) write wide id maps for a non-root JVM, which the
 * launcher itself may not. Signal commands arriving meanwhile are dropped: nothing runs yet. */
long wait_jvm_op(struct failure *f, s32 child_pid) {
  set_detail(f, "the JVM's id mapping helper (newuidmap/newgidmap)");
  send_frame(ctl, MSG_CHILD, &child_pid, 4);
  for (;;) {
    u32 hdr[2];
    s32 arg;
    if (xread_full(ctl, hdr, sizeof hdr) != (long)sizeof hdr || hdr[1] != 4 || xread_full(ctl, &arg, 4) != 4)
      FAIL(SC_READ, -EINVAL);
    if (hdr[0] == CMD_CONTINUE) return 0;
    if (hdr[0] == CMD_ABORT) FAIL(SC_JVM_HELPER, -(arg > 0 ? arg : EPERM));
  }
}

/* OP_AWAIT_JVM (child): a second byte on the go pipe: the launcher relays the JVM's CMD_READY;
 * EOF means the JVM gave up (its cgroup setup failed) and the launcher is killing us anyway. */
long await_jvm_op(struct failure *f) {
  char b;
  long r;
  (void)f;
  do r = sys3(NR_read, child_go_fd, &b, 1); while (r == -EINTR);
  if (r != 1) die(126);
  sys1(NR_close, child_go_fd);
  child_go_fd = -1;
  return 0;
}

/* PF_AWAIT_JVM: while the child sets up its root, the JVM makes its cgroups; relay its
 * CMD_READY as a second byte on the go pipe. Returns early if the child reports (it failed
 * before waiting); a JVM that aborts or goes away ends the start: the child is killed. */
void await_jvm(int go_wr, int err_rd) {
  for (;;) {
    struct pollfd pfd[2] = {{ctl, POLLIN, 0}, {err_rd, POLLIN, 0}};
    long r = sys5(NR_ppoll, pfd, 2, 0, 0, 8);
    if (r == -EINTR) continue;
    if (r < 0) break;
    if (pfd[1].revents & (POLLIN | POLLHUP)) return; /* the normal path reads the child's report */
    if (!(pfd[0].revents & (POLLIN | POLLHUP))) continue;
    u32 hdr[2];
    s32 arg;
    if (xread_full(ctl, hdr, sizeof hdr) != (long)sizeof hdr || hdr[1] != 4 || xread_full(ctl, &arg, 4) != 4) break;
    if (hdr[0] == CMD_READY) {
      char one = 1;
      xwrite_all(go_wr, &one, 1);
      return;
    }
    if (hdr[0] == CMD_SIGNAL) sys2(NR_kill, child, arg);
    else if (hdr[0] != CMD_SIGNAL_GROUP) break; /* CMD_ABORT, or anything unexpected */
  }
  /* the JVM gave up or is gone: no report, it knows why */
  reap_net_helper(1);
  sys2(NR_kill, child, SIGKILL);
  struct siginfo_min si;
  sys5(NR_waitid, P_PID, child, &si, WEXITED, 0);
  die(1);
}
