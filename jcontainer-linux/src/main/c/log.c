/*
 * log.c — OP_LOG: the monitor writes the container's output to a bounded log.
 */
#include "launcher.h"

/* ---- OP_LOG: the container's stdout and stderr, logged by the monitor ----
 * A detached container has no JVM to read its output, and a JVM must never buffer a flood of it
 * (its heap would grow with the payload's output). So the monitor reads both pipes and writes
 * the CRI log format (what containerd and CRI-O write, one entry per line):
 *     2026-11-28T05:50:01.123456789Z stdout F the line
 * "F" ends a line; "P" is a partial line (no newline yet) that the next entry continues. The
 * file is bounded: past max_bytes it is renamed to .1 (.1 to .2, ...) and a new one started,
 * keeping max_files files in all. */
const char *log_path;
static u64 log_max;
static u32 log_files;
static long log_fd = -1;
static u64 log_size;
int log_pipe[2][2] = {{-1, -1}, {-1, -1}}; /* [stdout|stderr][read|write] */

static void log_open(void) {
  log_fd = sys4(NR_openat, AT_FDCWD, log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0640);
  long end = log_fd >= 0 ? sys3(NR_lseek, log_fd, 0, 2 /* SEEK_END */) : 0;
  log_size = end > 0 ? (u64)end : 0;
}

static void log_rotate(void) {
  if (log_fd >= 0) sys1(NR_close, log_fd);
  char from[4096], to[4096];
  size_t n = slen(log_path);
  if (n + 24 > sizeof from) { log_open(); return; }
  for (u32 i = log_files - 1; i >= 1; i--) {
    memcpy(from, log_path, n);
    memcpy(to, log_path, n);
    from[n] = '.';
    to[n] = '.';
    utoa(to + n + 1, i);
    if (i == 1) from[n] = 0; else utoa(from + n + 1, i - 1);
    sys5(NR_renameat2, AT_FDCWD, from, AT_FDCWD, to, 0);
  }
  if (log_files <= 1) sys3(NR_unlinkat, AT_FDCWD, log_path, 0);
  log_open();
}

/* RFC 3339 UTC with nanoseconds, from the realtime clock (civil_from_days, H. Hinnant). */
static int log_time(char *b) {
  struct { long s, ns; } ts = {0, 0};
  sys2(NR_clock_gettime, 0 /* CLOCK_REALTIME */, &ts);
  long days = ts.s / 86400, sec = ts.s % 86400;
  long z = days + 719468, era = z / 146097, doe = z - era * 146097;
  long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365, y = yoe + era * 400;
  long doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
  long d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) y++;
  long parts[6] = {y, m, d, sec / 3600, sec / 60 % 60, sec % 60};
  const char seps[6] = {'-', '-', 'T', ':', ':', '.'};
  int i = 0;
  for (int k = 0; k < 6; k++) {
    int width = k == 0 ? 4 : 2;
    for (int w = width - 1; w >= 0; w--) { b[i + w] = (char)('0' + parts[k] % 10); parts[k] /= 10; }
    i += width;
    b[i++] = seps[k];
  }
  long ns = ts.ns;
  for (int w = 8; w >= 0; w--) { b[i + w] = (char)('0' + ns % 10); ns /= 10; }
  i += 9;
  b[i++] = 'Z';
  return i;
}

/* Entries are gathered and written together: one write(2) per read of the payload's output
 * (or per 16 KiB), not three per line — a payload printing short lines would otherwise cost
 * the monitor ~3 system calls a line (measured: 20 MB of "y" lines through `run -t` took 22 s). */
static char log_out[16384];
static size_t log_out_len;

static void log_flush(void) {
  if (log_out_len && log_fd >= 0) xwrite_all((int)log_fd, log_out, log_out_len);
  log_out_len = 0;
}

static void log_put(const char *p, size_t n) {
  while (n) {
    if (log_out_len == sizeof log_out) log_flush();
    size_t k = sizeof log_out - log_out_len;
    if (k > n) k = n;
    memcpy(log_out + log_out_len, p, k);
    log_out_len += k;
    p += k;
    n -= k;
  }
}

static void log_entry(const char *prefix, int plen, const char *data, size_t len, char tag) {
  if (log_fd < 0) return;
  if (log_size + (u64)plen + len + 3 > log_max && log_size > 0) {
    log_flush(); /* the entries so far belong to the file being rotated out */
    log_rotate();
  }
  if (log_fd < 0) return;
  char head[64];
  memcpy(head, prefix, (size_t)plen);
  head[plen] = tag;
  head[plen + 1] = ' ';
  log_put(head, (size_t)plen + 2);
  log_put(data, len);
  log_put("\n", 1);
  log_size += (u64)plen + len + 3;
}

/* Reads what one pipe has and logs it (and copies it to attach clients); returns 0 at end of
 * file (every writer gone; EIO on a pty master whose slave is closed). */
int log_pump(int which) {
  static char frame[8 + 65536]; /* room for an attach frame's header before the data */
  char *buf = frame + 8;
  long n = sys3(NR_read, log_pipe[which][0], buf, 65536);
  if (n == -EINTR || n == -EAGAIN) return 1;
  if (n <= 0) return 0;
  att_broadcast(which == 0 ? ATT_STDOUT : ATT_STDERR, frame, (u32)n);
  char prefix[48];
  int plen = log_time(prefix);
  const char *name = which == 0 ? " stdout " : " stderr ";
  memcpy(prefix + plen, name, 8);
  plen += 8;
  size_t start = 0;
  for (size_t i = 0; i < (size_t)n; i++) {
    if (buf[i] != '\n') continue;
    log_entry(prefix, plen, buf + start, i - start, 'F');
    start = i + 1;
  }
  if (start < (size_t)n) log_entry(prefix, plen, buf + start, (size_t)n - start, 'P');
  log_flush();
  return 1;
}

/* Before clone: the pipes the child's stdout and stderr will be, and the log file. */
long log_setup(struct failure *f) {
  if (!log_path) return 0;
  for (int i = 0; i < 2 && !(att_flags & ATTACH_TTY); i++) { /* a terminal's output comes from its master */
    long r = sys2(NR_pipe2, log_pipe[i], O_CLOEXEC);
    if (r < 0) FAIL(SC_PIPE2, r);
    sys3(NR_fcntl, log_pipe[i][0], F_SETFL, O_NONBLOCK); /* only our end: the payload's writes block as usual */
  }
  set_detail(f, log_path);
  log_open();
  if (log_fd < 0) FAIL(SC_OPENAT, log_fd);
  return 0;
}

/* OP_LOG (pre): str path, u64 max_bytes, u32 max_files. */
long log_op(struct cursor *c, struct failure *f) {
  log_path = rd_str(c);
  log_max = rd_u64(c);
  log_files = rd_u32(c);
  if (log_files < 1 || log_files > 100) FAIL(SC_PLAN, -EINVAL);
  return 0;
}
