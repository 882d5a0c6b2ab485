/*
 * restart.c — OP_RESTART: the monitor restarts its container per policy.
 */
#include "launcher.h"

/* ---- OP_RESTART: restart policies of detached containers (docker --restart) ----
 * Nobody else outlives the JVM, so the monitor itself restarts its child: the plan is still in
 * memory, and the parent and child ops simply run again (cgroup placement, id maps, mounts,
 * credentials: a fresh container each time). A manual stop leaves the stop marker file first,
 * which disables the policy, as docker's does. Back-off doubles from 100 ms to 25.6 s. Each
 * new child's pid goes to pid_file (temp + rename) for the state store, with how often the policy
 * restarted it (docker's RestartCount): "PID RESTARTS\n". */
u32 restart_mode, restarts;
static u32 restart_max;
static const char *restart_marker, *restart_pid_file;

int should_restart(s32 code, s32 status) {
  if (!restart_mode) return 0;
  if (restart_max && restarts >= restart_max) return 0;
  if (restart_mode == 1 && code == 1 /* CLD_EXITED */ && status == 0) return 0;
  return sys4(NR_faccessat, AT_FDCWD, restart_marker, 0 /* F_OK */, 0) != 0; /* no marker: not stopped by hand */
}

void restart_backoff(void) {
  u32 shift = restarts < 8 ? restarts : 8;
  struct { long s, ns; } t = {(long)((100u << shift) / 1000), (long)((100u << shift) % 1000) * 1000000L};
  sys5(NR_ppoll, 0, 0, &t, 0, 8);
}

void write_pid_file(s32 pid) {
  if (!restart_pid_file) return;
  char buf[48];
  int i = utoa(buf, (u64)pid);
  buf[i++] = ' ';
  i += utoa(buf + i, restarts);
  buf[i++] = '\n';
  write_atomically(restart_pid_file, buf, (size_t)i);
}

/* OP_RESTART (pre): u32 mode, u32 max, str stop_marker, str pid_file. */
long restart_op(struct cursor *c) {
  restart_mode = rd_u32(c);
  restart_max = rd_u32(c);
  restart_marker = rd_str(c);
  restart_pid_file = rd_str(c);
  return 0;
}
