/*
 * monitor.c — after the start, the launcher stays as a ~100 KB monitor of its container: it
 * forwards the JVM's signals, logs and serves attach clients (log.c, attach.c), reaps orphans,
 * and when the payload ends reports EXITED, records the status, restarts it per policy
 * (restart.c) or removes what the container leaves (its cgroups). When the JVM's end of the
 * control socket closes (the JVM died), an attached container is killed; a detached one runs on.
 */
#include "launcher.h"

/* ---- OP_STATUS_FILE: the exit status, durably ----
 * A detached container outlives the JVM that started it, so nobody may be listening on the
 * control socket when its payload exits. The monitor then leaves "si_code si_status\n" in a
 * file of the container's state directory (written to a temporary name and renamed, so a reader
 * sees the whole record or none); its mtime is the finish time. */
static const char *status_file; /* points into the plan buffer, which lives as long as we do */
static u64 oom_kills(void);
static u64 oom_before; /* the cgroups' oom_kill count when this run began (restarts keep the cgroups) */

/* "si_code si_status oom\n": oom is 1 when the kernel's OOM killer ended a process of the
 * container during this run — read here because the cgroups that count it go with us. */
void write_status_file(s32 code, s32 status) {
  if (!status_file) return;
  u64 ooms = oom_kills();
  char buf[48];
  int i = utoa(buf, (u64)code);
  buf[i++] = ' ';
  i += utoa(buf + i, (u64)status);
  buf[i++] = ' ';
  buf[i++] = ooms > oom_before ? '1' : '0';
  buf[i++] = '\n';
  oom_before = ooms;
  write_atomically(status_file, buf, (size_t)i);
}

/* OP_STATUS_FILE (pre): str path. */
long status_file_op(struct cursor *c) {
  status_file = rd_str(c);
  return 0;
}

/* OP_REMOVE_ON_EXIT: the container's cgroups. A detached container's: nobody else knows when it
 * has ended for good (its JVM may be long gone), so the monitor removes them then; a monitor that
 * dies first leaves them to `rm`. An attached container's (REMOVE_IF_JVM_GONE): its JVM removes
 * them after it read their last figures (OOM kills), unless it died — then the monitor, which saw
 * the control socket close and killed the container, removes them, wherever they are (a sweep
 * by a later start finds only its own JVM's cgroups). Pointers into the plan buffer. */
#define REMOVE_MAX 16
static const char *remove_on_exit[REMOVE_MAX];
static u32 nremove, remove_flags;

void remove_dirs(void) {
  if ((remove_flags & REMOVE_IF_JVM_GONE) && ctl >= 0) return; /* the JVM is there: its job */
  for (u32 i = 0; i < nremove; i++)
    for (int tries = 0; tries < 20; tries++) { /* EBUSY: a task still leaving (v1 frees it lazily) */
      long r = sys3(NR_unlinkat, AT_FDCWD, remove_on_exit[i], 0x200 /* AT_REMOVEDIR */);
      if (r != -EBUSY) break;
      struct { long s, ns; } t = {0, 10000000};
      sys5(NR_ppoll, 0, 0, &t, 0, 8);
    }
}

/* The "oom_kill N" counter of the container's memory cgroup among its dirs: v2's memory.events,
 * v1's memory.oom_control (Linux 4.13+); 0 where there is none. */
static u64 oom_kills(void) {
  static const char *files[] = {"/memory.events", "/memory.oom_control"};
  u64 total = 0;
  for (u32 i = 0; i < nremove; i++)
    for (int k = 0; k < 2; k++) {
      char path[4096], buf[1024];
      size_t n = slen(remove_on_exit[i]), m = slen(files[k]);
      if (n + m >= sizeof path) continue;
      memcpy(path, remove_on_exit[i], n);
      memcpy(path + n, files[k], m + 1);
      long fd = sys4(NR_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC, 0);
      if (fd < 0) continue;
      long r = sys3(NR_read, fd, buf, sizeof buf - 1);
      sys1(NR_close, fd);
      if (r <= 0) continue;
      buf[r] = 0;
      for (char *line = buf; *line; ) {
        int k9 = 0;
        while (k9 < 9 && line[k9] == "oom_kill "[k9]) k9++;
        if (k9 == 9) {
          u64 v = 0;
          for (char *d = line + 9; *d >= '0' && *d <= '9'; d++) v = v * 10 + (u64)(*d - '0');
          total += v;
        }
        while (*line && *line != '\n') line++;
        if (*line) line++;
      }
    }
  return total;
}

/* OP_REMOVE_ON_EXIT (pre): u32 flags, u32 n, str dir[n]. */
long remove_on_exit_op(struct cursor *c) {
  remove_flags = rd_u32(c);
  u32 n = rd_u32(c);
  for (u32 i = 0; i < n; i++) {
    const char *d = rd_str(c);
    if (nremove < REMOVE_MAX) remove_on_exit[nremove++] = d;
  }
  return 0;
}

/* OP_UNMOUNT_ON_EXIT: a container root that fuse-overlayfs serves (the kernel refused the overlay).
 * A detached container's: nobody else knows when it has ended for good, so the monitor unmounts it
 * then (lazily: the container's own mount namespace, which we hold, still uses it until we exit;
 * fuse-overlayfs ends when the last use goes). An attached one's (REMOVE_IF_JVM_GONE) only if the
 * JVM died: else the JVM's close does it and waits for fuse-overlayfs. Root unmounts it itself;
 * an ordinary user may not unmount in the initial mount namespace and runs the setuid helper
 * (fusermount3), which checks that the mount is the user's. A failure leaves it to the next
 * command's sweep, as before. Pointers into the plan buffer. */
static const char *unmount_path, *unmount_helper;
static u32 unmount_flags;

long unmount_on_exit_op(struct cursor *c) {
  unmount_flags = rd_u32(c);
  unmount_path = rd_str(c);
  unmount_helper = rd_str(c);
  return 0;
}

void unmount_root(void) {
  if (!unmount_path || ((unmount_flags & REMOVE_IF_JVM_GONE) && ctl >= 0)) return;
  const char *path = unmount_path;
  unmount_path = 0; /* once */
  long r = sys2(NR_umount2, path, MNT_DETACH | 8 /* UMOUNT_NOFOLLOW */);
  if (r == 0 || r == -EINVAL /* not a mount (any more) */ || !unmount_helper || !*unmount_helper) return;
  long pid = sys5(NR_clone, SIGCHLD, 0, 0, 0, 0);
  if (pid < 0) return;
  if (pid == 0) {
    u64 none = 0;
    sys4(NR_rt_sigprocmask, SIG_SETMASK, &none, 0, 8);
    sys3(NR_close_range, 3, ~0U, 0);
    const char *argv[] = {unmount_helper, "-u", "-z", "--", path, 0};
    const char *envp[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", 0};
    sys3(NR_execve, unmount_helper, argv, envp);
    die(127);
  }
  struct siginfo_min si;
  do r = sys5(NR_waitid, P_PID, pid, &si, WEXITED, 0); while (r == -EINTR);
}

/* ---- orphans of a container without a PID namespace ----
 * With a PID namespace its init reaps them (and OP_INIT makes that init a reaper). Without
 * one they would be reparented to the host's init, which on some hosts never reaps them. So
 * the monitor makes itself their reaper (PR_SET_CHILD_SUBREAPER) and reaps them: every second
 * while the container runs — never the container's first process, whose pidfd says when it ends —
 * and all that are left when it has ended. */
int subreaper;

static void reap_orphans(s32 first, int all) {
  for (;;) {
    struct siginfo_min si;
    memset(&si, 0, sizeof si);
    long r = sys5(NR_waitid, P_ALL, 0, &si, WEXITED | WNOHANG | 0x01000000 /* WNOWAIT: peek */, 0);
    if (r < 0 || si.si_pid == 0) return;
    if (si.si_pid == first && !all) return; /* the first process: the monitor reports it */
    sys5(NR_waitid, P_PID, si.si_pid, &si, WEXITED | WNOHANG, 0);
  }
}

/* Reads one command frame (u32 type, u32 length, payload) with up to `size` bytes of payload;
 * -1 on EOF or a malformed or oversized frame (the JVM side is gone or broken). */
int read_command(u32 *type, unsigned char *payload, u32 size, u32 *len) {
  u32 hdr[2];
  if (xread_full(ctl, hdr, sizeof hdr) != (long)sizeof hdr) return -1;
  if (hdr[1] > size || xread_full(ctl, payload, hdr[1]) != (long)hdr[1]) return -1;
  *type = hdr[0];
  *len = hdr[1];
  return 0;
}

/* Reads one command after the start (signals; late hook answers are ignored); -1 on EOF or a
 * malformed frame. */
int handle_command(void) {
  u32 type, len;
  unsigned char p[8 + 512];
  s32 arg = 0;
  if (ctl < 0) return 0;
  if (read_command(&type, p, sizeof p, &len) < 0) return -1;
  if (len != 4) return 0;
  memcpy(&arg, p, 4);
  if (type == CMD_SIGNAL) {
    if (child_pidfd >= 0) sys4(NR_pidfd_send_signal, child_pidfd, arg, 0, 0);
    else sys2(NR_kill, child, arg);
  } else if (type == CMD_SIGNAL_GROUP) {
    sys2(NR_kill, -child, arg);
  }
  return 0;
}


/* Ends the monitor as its child ended: whoever reaps the monitor instead of the child — an
 * engine's subreaper (conmon, containerd's shim) once the runtime process is gone — reads the
 * container's own status from it (the JVM, when there is one, has it from MSG_EXITED). A signal
 * whose default action does not kill becomes 128 + its number, as a shell reports it. */
static __attribute__((noreturn)) void exit_as(s32 code, s32 status) {
  if (code == 1 /* CLD_EXITED */) die(status & 0xff);
  if (status > 0 && status < 65 && status != SIGCHLD && status != 23 /* SIGURG */ && status != 28 /* SIGWINCH */
      && status != SIGSTOP && status != 20 /* SIGTSTP */ && status != 21 && status != 22 && status != 18 /* SIGCONT */) {
    sys2(NR_prctl, 4 /* PR_SET_DUMPABLE */, 0); /* no core file of ours for the payload's SIGSEGV */
    struct ksigaction dfl = {SIG_DFL, 0, 0, 0};
    sys4(NR_rt_sigaction, status, &dfl, 0, 8);
    u64 none = 0;
    sys4(NR_rt_sigprocmask, SIG_SETMASK, &none, 0, 8);
    sys2(NR_kill, sys0(NR_getpid), status);
  }
  die(128 + (status & 0x7f));
}

/* Watches the started child until it ends for good: returns 1 when a restart policy starts it
 * again; otherwise reports its end and exits. */
int monitor(void) {
  for (;;) {
    /* negative fds are ignored by poll: a gone JVM (detached), no pidfd, no log */
    int gated = att_gated(0); /* then wait for the primary client's room, not for output */
    struct pollfd pfd[6 + ATT_CLIENTS] = {{ctl, POLLIN, 0}, {(s32)child_pidfd, POLLIN, 0}, {gated ? -1 : log_pipe[0][0], POLLIN, 0},
                                          {gated ? -1 : log_pipe[1][0], POLLIN, 0}, {att_listen, POLLIN, 0}, {att_plen ? att_in : -1, POLLOUT, 0}};
    /* clients are read only when no input is pending: the payload's pace slows them down */
    for (int i = 0; i < ATT_CLIENTS; i++) pfd[6 + i] = (struct pollfd){att_plen || !att_path ? -1 : att_client_fd(i), POLLIN, 0};
    if (gated) pfd[6 + att_primary] = (struct pollfd){att_client_fd(att_primary), (short)(POLLOUT | (att_plen ? 0 : POLLIN)), 0};
    /* without a pidfd (kernel < 5.3) fall back to polling the child every 10 ms */
    struct { long s, ns; } tick = {0, 10000000}, second = {1, 0};
    long r = sys5(NR_ppoll, pfd, 6 + ATT_CLIENTS, child_pidfd < 0 ? &tick : subreaper ? &second : 0, 0, 8);
    if (r == -EINTR) continue;
    if (subreaper) reap_orphans(child, 0);
    for (int i = 0; i < 2; i++)
      if ((pfd[2 + i].revents & (POLLIN | POLLHUP | POLLERR)) && !log_pump(i)) { sys1(NR_close, log_pipe[i][0]); log_pipe[i][0] = -1; }
    if (pfd[5].revents) att_flush();
    for (int i = 0; i < ATT_CLIENTS; i++)
      if ((pfd[6 + i].revents & ~POLLOUT) && att_client_fd(i) >= 0 && !att_plen) {
        att_read(i);
        if (att_plen) att_flush();
      }
    if (pfd[4].revents & POLLIN) att_accept();
    if (child_pidfd >= 0 && (pfd[1].revents & POLLIN)) break;
    if (pfd[0].revents & (POLLIN | POLLHUP)) {
      if (handle_command() < 0) {
        /* EOF on the control socket: the JVM is gone (or let go of us). */
        if (plan_flags & PF_KILL_ON_EOF) {
          sys2(NR_kill, -child, SIGKILL);
          sys2(NR_kill, child, SIGKILL);
          sys1(NR_close, ctl);
          ctl = -1; /* nobody to tell, and its cgroups are ours to remove */
          break;
        }
        ctl = -1; /* detached: keep monitoring, nobody to tell */
      }
    }
    if (child_pidfd < 0) {
      struct siginfo_min si;
      memset(&si, 0, sizeof si);
      if (sys5(NR_waitid, P_PID, child, &si, WEXITED | WNOHANG | 0x01000000 /* WNOWAIT */, 0) == 0 && si.si_pid) break;
    }
  }
  /* What the payload wrote before it ended is still in the pipes: log it (non-blocking reads). */
  for (int i = 0; i < 2; i++)
    if (log_pipe[i][0] >= 0) while ((att_gated(5000), log_pump(i))) { /* a primary client gone quiet gets 5 s, then is dropped */
      struct pollfd one = {log_pipe[i][0], POLLIN, 0};
      struct { long s, ns; } none = {0, 0};
      if (sys5(NR_ppoll, &one, 1, &none, 0, 8) <= 0) break;
    }
  /* The container ends with its first process (as docker's do). With a PID namespace the
   * kernel kills the rest; without one, kill its process group (the child did setsid, so the
   * group is the container's) — while the unreaped child still pins the pid, so the group id
   * cannot have been reused by anyone else. */
  struct siginfo_min si;
  long r;
  do r = sys5(NR_waitid, P_PID, child, &si, WEXITED | 0x01000000 /* WNOWAIT */, 0); while (r == -EINTR);
  sys2(NR_kill, -child, SIGKILL);
  do r = sys5(NR_waitid, P_PID, child, &si, WEXITED, 0); while (r == -EINTR);
  s32 status[2] = {si.si_code, si.si_status};
  write_status_file(si.si_code, si.si_status);
  if (att_path) {
    att_gated(5000);
    att_exit(si.si_code, si.si_status);
  }
  if (subreaper) reap_orphans(child, 1);
  if (should_restart(si.si_code, si.si_status)) {
    if (child_pidfd >= 0) sys1(NR_close, child_pidfd);
    if (mntns_fd >= 0) sys1(NR_close, mntns_fd);
    mntns_fd = -1;
    restart_backoff();
    if (should_restart(0, 1)) { /* still not stopped by hand after the back-off */
      restarts++;
      return 1;
    }
  }
  if (ctl >= 0) send_frame(ctl, MSG_EXITED, status, sizeof status);
  if (att_listen >= 0) sys3(NR_unlinkat, AT_FDCWD, att_path, 0);
  unmount_root();
  remove_dirs();
  exit_as(si.si_code, si.si_status);
}
