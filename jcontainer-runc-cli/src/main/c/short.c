/*
 * short.c — jcontainer-runc's short commands without a JVM: `state`, `start`, `kill` and `delete`
 * of a container `create` made (no monitor: its process waits at its start FIFO), which an engine
 * runs for every container (podman: create, start, delete --force; containerd's shim: state too),
 * and `list` of a root holding only such containers. The lifecycle event journal gets the lines
 * the Java path appends for the same commands (kill; die and destroy at delete).
 * A JVM's start alone costs more than runc's whole command (a Go binary of ~5 ms here), so
 * ./jcontainer-runc execs this program first for those verbs.
 *
 * It reads the fixed-format file the Java side writes beside each such record (`short`, see
 * Store.java: length-prefixed fields, nothing to unescape) and answers exactly as the Java path
 * would — same output bytes, same errors (runc's wording, logged as runc logs them), same exit
 * status. Everything else it hands to the JVM unchanged: it execs the script again with
 * JCONTAINER_RUNC_SHORT=0 in the environment (any other flag or command, --debug, a record without
 * the file, a paused container, --force of a live one, kill --all, a container with hooks, a
 * signal the table lacks, a root that is missing or writable by others, and every unexpected
 * failure). Whatever it does not know, Java decides. With JCONTAINER_RUNC_SHORT=only (tests) it
 * exits 250 instead of handing over, so a test knows which path answered.
 *
 * Static, no libc (the launcher's sys.h): the same binary runs on glibc and musl hosts.
 * Usage (from ./jcontainer-runc only): jcontainer-runc-short SCRIPT [runc arguments...]
 */
#include "sys.h"
#include "freestanding.h"

#if defined(__x86_64__)
#define NR_geteuid 107
#define NR_flock 73
#else
#define NR_geteuid 175
#define NR_flock 32
#endif
#define LOCK_EX 2
#define ENXIO 6
#define ENOTEMPTY 39
#define EISDIR 21
#define AT_REMOVEDIR 0x200
#define RESOLVE_NO_SYMLINKS 0x04
#define CGROUP_SUPER_MAGIC 0x27e0eb
#define CGROUP2_SUPER_MAGIC 0x63677270
#define SIGTERM 15
#define F_OK 0

static int starts(const char *s, const char *p) {
  while (*p) if (*s++ != *p++) return 0;
  return 1;
}
static __attribute__((noreturn)) void quit(int code) {
  for (;;) sys1(NR_exit_group, code);
}
static void write_all(int fd, const void *p, size_t n) {
  const char *c = p;
  while (n) {
    long r = sys3(NR_write, fd, c, n);
    if (r == -EINTR) continue;
    if (r <= 0) return;
    c += r;
    n -= (size_t)r;
  }
}
static void sleep_ms(long ms) {
  struct { long s, ns; } ts = {ms / 1000, (ms % 1000) * 1000000};
  sys5(NR_ppoll, 0, 0, &ts, 0, 8);
}

/* ---- output: one buffer, written at the end (a command's whole answer is small) ---- */
static char out[1 << 16];
static size_t outn;
static void put(const char *s, size_t n) {
  if (outn + n > sizeof out) { write_all(1, out, outn); outn = 0; }
  if (n > sizeof out) { write_all(1, s, n); return; }
  memcpy(out + outn, s, n);
  outn += n;
}
static void puts_(const char *s) { put(s, slen(s)); }
static void putnum(u64 v) { char b[24]; put(b, (size_t)utoa(b, v)); }
static void flush(void) { write_all(1, out, outn); outn = 0; }

/* ---- falling back to the JVM: the script again, told not to come here ---- */
static char **g_argv;
static char **g_envp;
static __attribute__((noreturn)) void to_java(void) {
  static char *env[4096];
  int n = 0;
  for (char **e = g_envp; *e && n < 4094; e++) {
    /* tests: JCONTAINER_RUNC_SHORT=only says when a command would have gone to Java */
    if (streq(*e, "JCONTAINER_RUNC_SHORT=only")) {
      write_all(2, "jcontainer-runc-short: not handled here\n", 40);
      quit(250);
    }
    if (!starts(*e, "JCONTAINER_RUNC_SHORT=")) env[n++] = *e;
  }
  env[n++] = "JCONTAINER_RUNC_SHORT=0";
  env[n] = 0;
  long r = sys3(NR_execve, g_argv[1], g_argv + 1, env);
  char msg[64] = "jcontainer-runc: cannot run the script again: errno ";
  int k = (int)slen(msg);
  k += utoa(msg + k, (u64)-r);
  msg[k++] = '\n';
  write_all(2, msg, (size_t)k);
  quit(125);
}

/* ---- runc's log (Log.java): logrus text or JSON lines, to stderr or --log FILE ---- */
static const char *log_file;
static int log_json;
static int civil(char *b, u64 t) { /* "YYYY-MM-DDTHH:MM:SSZ", UTC (Instant.toString at seconds) */
  long days = (long)(t / 86400), rem = (long)(t % 86400);
  long z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
  long doe = z - era * 146097, yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  long y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
  long d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) y++;
  long v[6] = {y, m, d, rem / 3600, rem / 60 % 60, rem % 60};
  const char sep[6] = {'-', '-', 'T', ':', ':', 'Z'};
  int k = 0;
  for (int i = 0; i < 6; i++) {
    int w = i == 0 ? 4 : 2;
    for (int j = w - 1; j >= 0; j--) { long p = 1; for (int q = 0; q < j; q++) p *= 10; b[k++] = (char)('0' + v[i] / p % 10); }
    b[k++] = sep[i];
  }
  b[k] = 0;
  return k;
}
static void log_error(const char *msg) {
  struct { long s, ns; } ts = {0, 0};
  sys2(NR_clock_gettime, 0 /* CLOCK_REALTIME */, &ts);
  char time[32];
  civil(time, (u64)ts.s);
  static char line[2048];
  size_t n = 0;
#define ADD(s) do { const char *a_ = (s); size_t l_ = slen(a_); if (n + l_ < sizeof line - 8) { memcpy(line + n, a_, l_); n += l_; } } while (0)
  if (log_json) { ADD("{\"level\":\"error\",\"msg\":\""); } else { ADD("time=\""); ADD(time); ADD("\" level=error msg=\""); }
  for (const char *c = msg; *c && n < sizeof line - 16; c++) {
    /* our messages are ids and fixed text; both quotings escape these the same way */
    if (*c == '"' || *c == '\\') { line[n++] = '\\'; line[n++] = *c; }
    else if ((unsigned char)*c < 0x20) to_java(); /* never ours: let Java quote it */
    else line[n++] = *c;
  }
  if (log_json) { ADD("\",\"time\":\""); ADD(time); ADD("\"}\n"); } else ADD("\"\n");
  if (!log_file) {
    write_all(2, line, n);
    return;
  }
  long fd = sys4(NR_openat, AT_FDCWD, log_file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
  if (fd < 0) {
    write_all(2, line, n);
  } else {
    write_all((int)fd, line, n);
    sys1(NR_close, fd);
  }
  write_all(2, msg, slen(msg)); /* runc prints the bare error too when the log is elsewhere */
  write_all(2, "\n", 1);
}
static __attribute__((noreturn)) void fail(const char *msg) {
  flush();
  log_error(msg);
  quit(1);
}

/* ---- flags: Go's syntax as Flags.java parses it; anything it does not know goes to Java ---- */
struct def { const char *name, *alias; int value; const char *val; };
static char *args[64];
static int nargs;
/* stop_at_arg: the global flags end at the command name */
static int parse(char **argv, int argc, struct def *defs, int ndefs, int stop_at_arg) {
  nargs = 0;
  for (int i = 0; i < argc; i++) {
    char *a = argv[i];
    if (streq(a, "--")) {
      for (i++; i < argc; i++) { if (nargs == 63) to_java(); args[nargs++] = argv[i]; }
      break;
    }
    if (a[0] != '-' || a[1] == 0) {
      if (stop_at_arg) {
        for (; i < argc; i++) { if (nargs == 63) to_java(); args[nargs++] = argv[i]; }
        break;
      }
      if (nargs == 63) to_java();
      args[nargs++] = a;
      continue;
    }
    char *body = a + (a[1] == '-' ? 2 : 1);
    static char name[64];
    const char *inl = 0;
    size_t k = 0;
    while (body[k] && body[k] != '=') { if (k == 63) to_java(); name[k] = body[k]; k++; }
    name[k] = 0;
    if (body[k] == '=') inl = body + k + 1;
    struct def *d = 0;
    for (int j = 0; j < ndefs; j++)
      if (streq(defs[j].name, name) || (defs[j].alias && streq(defs[j].alias, name))) d = &defs[j];
    if (!d) to_java(); /* Java says "flag provided but not defined" (or prints help) */
    if (d->value) {
      if (inl) d->val = inl;
      else if (i + 1 < argc) d->val = argv[++i];
      else to_java();
    } else {
      const char *v = inl ? inl : "true";
      if (!streq(v, "true") && !streq(v, "false")) to_java();
      d->val = v;
    }
  }
  return nargs;
}
static int on(struct def *d) { return d->val && streq(d->val, "true"); }

/* ---- the record: Store.java's `short` file ---- */
static char rec[1 << 16];
static size_t recn;
struct field { const char *p; size_t n; };
static struct field f_pid, f_ticks, f_paused, f_hooks, f_fifo, f_lifecycle, f_head, f_mid, f_tail;
static struct field f_bundle, f_created, f_owner, f_order, f_jhead, f_jmid, f_jtail; /* list's */
static struct field f_cgroups[16];
static int ncgroups;
static char root[4096];
static char dir[4096]; /* ROOT/ID */
static u64 pid, ticks;

static u64 num(struct field f) {
  u64 v = 0;
  if (f.n == 0 || f.n > 19) to_java();
  for (size_t i = 0; i < f.n; i++) {
    if (f.p[i] < '0' || f.p[i] > '9') to_java();
    v = v * 10 + (u64)(f.p[i] - '0');
  }
  return v;
}
/* a field as a C string (paths): NUL-terminated in place of its LF */
static const char *str(struct field f) {
  for (size_t i = 0; i < f.n; i++) if (f.p[i] == 0) to_java();
  ((char *)f.p)[f.n] = 0;
  return f.p;
}
static void cat(char *buf, size_t size, const char *a, const char *b, const char *c) {
  size_t x = slen(a), y = slen(b), z = slen(c);
  if (x + y + z + 1 > size) to_java();
  memcpy(buf, a, x);
  memcpy(buf + x, b, y);
  memcpy(buf + x + y, c, z + 1);
}
static int valid_id(const char *id) {
  if (!*id || streq(id, ".") || streq(id, "..")) return 0;
  for (const char *c = id; *c; c++) {
    char ch = *c;
    if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '+' || ch == '.' || ch == '-'))
      return 0;
  }
  return 1;
}
static long exists(const char *path) {
  return sys4(NR_faccessat, AT_FDCWD, path, F_OK, 0) == 0;
}

/* Store.open's checks: a directory of ours, writable by nobody else; else Java (it makes a
 * missing root, and words the refusals) */
static void open_root(const char *given) {
  if (given) {
    if (given[0] != '/') to_java(); /* relative: Java makes it absolute and normal */
    cat(root, sizeof root, given, "", "");
  } else {
    const char *xdg = 0;
    for (char **e = g_envp; *e; e++) if (starts(*e, "XDG_RUNTIME_DIR=")) xdg = *e + 16;
    if (sys0(NR_geteuid) == 0 || !xdg || !*xdg) cat(root, sizeof root, "/run/jcontainer-runc", "", "");
    else cat(root, sizeof root, xdg, "/jcontainer-runc", "");
  }
  unsigned char stx[256];
  if (sys5(NR_statx, AT_FDCWD, root, 0, 0x7ff, stx) < 0) to_java();
  unsigned short mode;
  u32 uid;
  memcpy(&mode, stx + 28, 2);
  memcpy(&uid, stx + 20, 4);
  if ((mode & 0170000) != 0040000 || (mode & 022) || uid != (u32)sys0(NR_geteuid)) to_java();
}

/* Store.load: 0 when the container does not exist, 1 with the record read */
static int load(const char *id) {
  if (!valid_id(id)) to_java(); /* Java words it */
  cat(dir, sizeof dir, root, "/", id);
  char path[4200];
  cat(path, sizeof path, dir, "/short", "");
  long fd = sys4(NR_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW, 0);
  if (fd < 0) {
    cat(path, sizeof path, dir, "/state.json", "");
    if (fd == -ENOENT && !exists(path) && !exists(dir)) return 0;
    to_java(); /* a foreground run's record, or one written before this file */
  }
  recn = 0;
  struct field none = {0, 0};
  f_pid = f_ticks = f_paused = f_hooks = f_fifo = f_lifecycle = f_head = f_mid = f_tail = none;
  f_bundle = f_created = f_owner = f_order = f_jhead = f_jmid = f_jtail = none;
  ncgroups = 0;
  for (;;) {
    long r = sys3(NR_read, fd, rec + recn, sizeof rec - 1 - recn);
    if (r == -EINTR) continue;
    if (r < 0) to_java();
    if (r == 0) break;
    recn += (size_t)r;
    if (recn >= sizeof rec - 1) to_java();
  }
  sys1(NR_close, fd);
  /* "jcontainer-runc-short 1\n", then fields: KEY SP LENGTH LF BYTES LF */
  static const char magic[] = "jcontainer-runc-short 1\n";
  size_t i = sizeof magic - 1;
  if (recn < i || !starts(rec, magic)) to_java();
  int end = 0;
  while (i < recn) {
    const char *key = rec + i;
    size_t k = i;
    while (k < recn && rec[k] != ' ') k++;
    if (k >= recn) to_java();
    rec[k] = 0;
    u64 len = 0;
    size_t j = k + 1;
    while (j < recn && rec[j] != '\n') {
      if (rec[j] < '0' || rec[j] > '9' || len > (1u << 20)) to_java();
      len = len * 10 + (u64)(rec[j++] - '0');
    }
    if (j >= recn || j + 1 + len >= recn || rec[j + 1 + len] != '\n') to_java();
    struct field f = {rec + j + 1, len};
    i = j + 2 + len;
    if (streq(key, "pid")) f_pid = f;
    else if (streq(key, "ticks")) f_ticks = f;
    else if (streq(key, "paused")) f_paused = f;
    else if (streq(key, "hooks")) f_hooks = f;
    else if (streq(key, "fifo")) f_fifo = f;
    else if (streq(key, "lifecycle")) f_lifecycle = f;
    else if (streq(key, "cgroup")) { if (ncgroups == 16) to_java(); f_cgroups[ncgroups++] = f; }
    else if (streq(key, "head")) f_head = f;
    else if (streq(key, "mid")) f_mid = f;
    else if (streq(key, "tail")) f_tail = f;
    else if (streq(key, "bundle")) f_bundle = f;
    else if (streq(key, "created")) f_created = f;
    else if (streq(key, "owner")) f_owner = f;
    else if (streq(key, "order")) f_order = f;
    else if (streq(key, "jhead")) f_jhead = f;
    else if (streq(key, "jmid")) f_jmid = f;
    else if (streq(key, "jtail")) f_jtail = f;
    else if (streq(key, "end")) { end = 1; break; }
    /* other keys (later versions' additions) are not ours to read */
  }
  if (!end || !f_fifo.p || !f_lifecycle.p || !f_head.p || !f_mid.p || !f_tail.p || !f_hooks.p || !f_paused.p) to_java();
  pid = num(f_pid);
  ticks = num(f_ticks);
  str(f_fifo);
  str(f_lifecycle);
  for (int c = 0; c < ncgroups; c++) str(f_cgroups[c]);
  return 1;
}

/* Record.alive: the recorded process, with its start time (field 22 of /proc/PID/stat, in
 * clock ticks), and neither a zombie nor dead */
static int alive(void) {
  if (pid <= 1) return 0;
  char path[48] = "/proc/";
  int k = 6 + utoa(path + 6, pid);
  memcpy(path + k, "/stat", 6);
  long fd = sys4(NR_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0) return 0;
  char b[1024];
  long n = sys3(NR_read, fd, b, sizeof b - 1);
  sys1(NR_close, fd);
  if (n <= 0) return 0;
  b[n] = 0;
  long close = -1;
  for (long i = 0; i < n; i++) if (b[i] == ')') close = i;
  if (close < 0 || close + 2 >= n) return 0;
  char st = b[close + 2];
  if (st == 'Z' || st == 'X') return 0;
  if (ticks == 0) return 1;
  /* after ')': state is field 3; starttime field 22 */
  int field = 2;
  u64 v = 0;
  for (long i = close + 1; i < n; i++) {
    if (b[i] == ' ') { field++; v = 0; continue; }
    if (field == 22) {
      if (b[i] < '0' || b[i] > '9') break;
      v = v * 10 + (u64)(b[i] - '0');
      if (b[i + 1] == ' ' || b[i + 1] == 0) return v == ticks;
    }
  }
  return 0;
}

/* Record.monitorlessStatus */
static const char *status(void) {
  if (!alive()) return "stopped";
  if (exists(f_fifo.p)) return "created";
  return num(f_paused) ? "paused" : "running";
}

/* ---- removal ---- */
/* rm -r of NAME under the directory PARENT (no symlink followed; depth-bounded) */
static int rm_tree(long parent, const char *name, int depth) {
  long r = sys3(NR_unlinkat, parent, name, 0);
  if (r == 0 || r == -ENOENT) return 0;
  if (r != -EISDIR && r != -EPERM) return (int)r;
  if (depth > 7) return -ENOTEMPTY;
  long fd = sys4(NR_openat, parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
  if (fd < 0) return fd == -ENOENT ? 0 : (int)fd;
  static char buf[8][4096];
  for (;;) {
    long n = sys3(NR_getdents64, fd, buf[depth], sizeof buf[depth]);
    if (n <= 0) break;
    for (long off = 0; off < n;) {
      unsigned short reclen;
      memcpy(&reclen, buf[depth] + off + 16, 2);
      const char *child = buf[depth] + off + 19;
      off += reclen;
      if (streq(child, ".") || streq(child, "..")) continue;
      int e = rm_tree(fd, child, depth + 1);
      if (e < 0) { sys1(NR_close, fd); return e; }
    }
  }
  sys1(NR_close, fd);
  r = sys3(NR_unlinkat, parent, name, AT_REMOVEDIR);
  return r == -ENOENT ? 0 : (int)r;
}
static int rm_path(const char *path) {
  char parent[4096];
  size_t n = slen(path);
  if (n == 0 || n >= sizeof parent || path[0] != '/') return -EINVAL;
  memcpy(parent, path, n + 1);
  size_t j = n;
  while (j > 0 && parent[j - 1] != '/') j--;
  if (j == n) return -EINVAL;
  const char *name = path + j;
  if (j <= 1) parent[1] = 0; else parent[j - 1] = 0;
  long fd = sys4(NR_openat, AT_FDCWD, parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  if (fd < 0) return fd == -ENOENT ? 0 : (int)fd;
  int r = rm_tree(fd, name, 0);
  sys1(NR_close, fd);
  return r;
}
/* ContainerStore.removeCgroups: rmdir, retried for a second while tasks still leave (EBUSY).
 * Only a directory inside a cgroup file system (its parent is one), reached without a symlink. */
static void rm_cgroup(const char *path) {
  char parent[4096];
  size_t n = slen(path);
  if (n < 2 || n >= sizeof parent || path[0] != '/') return;
  for (size_t i = 0; i + 1 < n; i++) if (path[i] == '/' && (path[i + 1] == '/' || (path[i + 1] == '.' && (path[i + 2] == '/' || path[i + 2] == 0 || (path[i + 2] == '.' && (path[i + 3] == '/' || path[i + 3] == 0)))))) return;
  memcpy(parent, path, n + 1);
  size_t j = n;
  while (j > 0 && parent[j - 1] != '/') j--;
  if (j == n || j <= 1) return;
  parent[j - 1] = 0;
  struct open_how how = {O_PATH | O_DIRECTORY | O_CLOEXEC, 0, RESOLVE_NO_SYMLINKS};
  long fd = sys4(NR_openat2, AT_FDCWD, parent, &how, sizeof how);
  if (fd < 0) return;
  struct statfs_buf sf;
  if (sys2(NR_fstatfs, fd, &sf) < 0 || (sf.f_type != CGROUP_SUPER_MAGIC && sf.f_type != CGROUP2_SUPER_MAGIC)) {
    sys1(NR_close, fd);
    return;
  }
  for (int i = 0; i < 100; i++) {
    long r = sys3(NR_unlinkat, fd, path + j, AT_REMOVEDIR);
    if (r == 0 || r == -ENOENT) break;
    sleep_ms(10);
  }
  sys1(NR_close, fd);
}

/* ---- the lifecycle event journal (EventJournal.java), as the JVM path appends to it ---- */
/* The lines Java appends for the same commands (LinuxContainers: kill of a running container,
 * die and destroy at delete) go to the lifecycle store's journal, LIFECYCLE/../.events, under
 * its lock file, rotated past 1 MiB as EventJournal rotates it. The attributes every line of this
 * container carries (name, image, annotations) were written by Java at create, already escaped,
 * to the record's `event` file: the one JSON object the line's "attributes" is, to which the
 * command's own (signal, exitCode: digits only) are added. */
#define JOURNAL_MAX (1L << 20)
static char ev_attrs[1 << 15];
static size_t ev_attrsn;
/* reads ROOT/ID/event; a record without it (older, or attributes Java would not let us extend)
 * has its journaled commands answered by Java */
static void load_event_attrs(void) {
  char path[4200];
  cat(path, sizeof path, dir, "/event", "");
  long fd = sys4(NR_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW, 0);
  if (fd < 0) to_java();
  ev_attrsn = 0;
  for (;;) {
    long r = sys3(NR_read, fd, ev_attrs + ev_attrsn, sizeof ev_attrs - ev_attrsn);
    if (r == -EINTR) continue;
    if (r < 0) { sys1(NR_close, fd); to_java(); }
    if (r == 0) break;
    ev_attrsn += (size_t)r;
    if (ev_attrsn == sizeof ev_attrs) { sys1(NR_close, fd); to_java(); }
  }
  sys1(NR_close, fd);
  if (ev_attrsn < 2 || ev_attrs[0] != '{' || ev_attrs[ev_attrsn - 1] != '}') to_java();
  for (size_t i = 0; i < ev_attrsn; i++) if (ev_attrs[i] == '\n' || ev_attrs[i] == 0) to_java();
}
/* Instant.toString: seconds, then the fraction in groups of three digits, trailing zero groups dropped */
static int instant(char *b, long sec, long ns) {
  int k = civil(b, (u64)sec) - 1; /* over the 'Z' */
  if (ns) {
    int digits = ns % 1000000 == 0 ? 3 : ns % 1000 == 0 ? 6 : 9;
    long v = digits == 3 ? ns / 1000000 : digits == 6 ? ns / 1000 : ns;
    b[k++] = '.';
    for (int j = digits - 1; j >= 0; j--) { long p = 1; for (int q = 0; q < j; q++) p *= 10; b[k++] = (char)('0' + v / p % 10); }
  }
  b[k++] = 'Z';
  b[k] = 0;
  return k;
}
/* one event: ACTION with the extra attribute KEY=VALUE (VALUE digits or '-'; none when key is 0).
 * A journal that cannot be written goes to Java, which fails the command naming it. */
static void journal(const char *action, const char *key, const char *value) {
  static char line[sizeof ev_attrs + 512];
  size_t n = 0;
  struct { long s, ns; } ts = {0, 0};
  sys2(NR_clock_gettime, 0 /* CLOCK_REALTIME */, &ts);
  char time[48];
  instant(time, ts.s, ts.ns);
  const char *lc = f_lifecycle.p;
  size_t lcn = slen(lc), b = lcn;
  while (b > 0 && lc[b - 1] != '/') b--;
#define LADD(p_, n_) do { size_t l_ = (n_); if (n + l_ >= sizeof line) to_java(); memcpy(line + n, (p_), l_); n += l_; } while (0)
#define LSTR(s_) do { const char *s2_ = (s_); LADD(s2_, slen(s2_)); } while (0)
  LSTR("{\"time\":\""); LSTR(time); LSTR("\",\"type\":\"container\",\"action\":\""); LSTR(action);
  LSTR("\",\"id\":\""); LADD(lc + b, lcn - b); LSTR("\",\"attributes\":");
  LADD(ev_attrs, ev_attrsn - 1);
  if (key) {
    if (ev_attrsn > 2) LSTR(",");
    LSTR("\""); LSTR(key); LSTR("\":\""); LSTR(value); LSTR("\"");
  }
  LSTR("}}\n");
  /* LIFECYCLE is STORE/ID: the journal lives in STORE */
  char store[4200], path[4300], old[4300];
  if (b < 2 || b - 1 >= sizeof store) to_java();
  memcpy(store, lc, b - 1);
  store[b - 1] = 0;
  cat(path, sizeof path, store, "/.events.lock", "");
  long lock = sys4(NR_openat, AT_FDCWD, path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (lock < 0) to_java();
  long r;
  while ((r = sys2(NR_flock, lock, LOCK_EX)) == -EINTR) { }
  if (r < 0) { sys1(NR_close, lock); to_java(); }
  cat(path, sizeof path, store, "/.events", "");
  unsigned char stx[256];
  if (sys5(NR_statx, AT_FDCWD, path, 0x100 /* AT_SYMLINK_NOFOLLOW */, 0x200 /* STATX_SIZE */, stx) == 0) {
    u64 size;
    memcpy(&size, stx + 40, 8);
    if ((long)size + (long)n > JOURNAL_MAX) {
      cat(old, sizeof old, store, "/.events.1", "");
      if (sys5(NR_renameat2, AT_FDCWD, path, AT_FDCWD, old, 0) < 0) { sys1(NR_close, lock); to_java(); }
    }
  }
  long fd = sys4(NR_openat, AT_FDCWD, path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) { sys1(NR_close, lock); to_java(); }
  write_all((int)fd, line, n);
  sys1(NR_close, fd);
  sys1(NR_close, lock); /* the lock goes with its last descriptor */
}

/* ---- the commands ---- */
static void print_state(const char *st) {
  put(f_head.p, f_head.n);
  putnum(streq(st, "stopped") ? 0 : pid);
  put(f_mid.p, f_mid.n);
  puts_(st);
  put(f_tail.p, f_tail.n);
  puts_("\n");
}

static int cmd_state(char **argv, int argc) {
  if (parse(argv, argc, 0, 0, 0) != 1) to_java();
  if (!load(args[0])) fail("container does not exist");
  print_state(status());
  return 0;
}

static int cmd_start(char **argv, int argc) {
  if (parse(argv, argc, 0, 0, 0) != 1) to_java();
  if (!load(args[0])) fail("container does not exist");
  if (num(f_hooks)) to_java(); /* poststart: Java's */
  const char *st = status();
  if (streq(st, "stopped")) fail("cannot start a container that has stopped");
  if (!streq(st, "created")) fail("cannot start an already running container");
  /* its waiting process holds the FIFO's read end: a write end opens at once while it lives */
  long fd = sys4(NR_openat, AT_FDCWD, f_fifo.p, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW, 0);
  if (fd < 0) to_java(); /* ended meanwhile (ENXIO), or raced by another start: Java words it */
  char zero = 0;
  long w = sys3(NR_write, fd, &zero, 1);
  sys1(NR_close, fd);
  if (w != 1) to_java();
  long r = sys3(NR_unlinkat, AT_FDCWD, f_fifo.p, 0);
  if (r < 0 && r != -ENOENT) {
    static char msg[4400];
    cat(msg, sizeof msg, "cannot remove the start FIFO ", f_fifo.p, "");
    fail(msg);
  }
  return 0;
}

static int signal_number(const char *text) {
  static const char *names[] = {0, "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2", "PIPE",
                                "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU", "XFSZ",
                                "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS"};
  char t[16];
  size_t n = slen(text);
  if (n == 0 || n >= sizeof t) return -1;
  for (size_t i = 0; i <= n; i++) t[i] = (char)(text[i] >= 'a' && text[i] <= 'z' ? text[i] - 32 : text[i]);
  const char *s = starts(t, "SIG") ? t + 3 : t;
  if (*s >= '0' && *s <= '9') {
    int v = 0;
    for (const char *c = s; *c; c++) {
      if (*c < '0' || *c > '9' || v > 100) return -1;
      v = v * 10 + (*c - '0');
    }
    return v >= 1 && v <= 31 ? v : -1;
  }
  for (int i = 1; i <= 31; i++) if (streq(s, names[i])) return i;
  return -1;
}

/* kill(2) of the recorded process through a pidfd: it cannot be a reused pid once the start
 * time has been checked with the pidfd held */
static long pidfd_of_ours(void) {
  long pfd = sys2(NR_pidfd_open, pid, 0);
  if (pfd < 0) return pfd;
  if (!alive()) { sys1(NR_close, pfd); return -3 /* ESRCH */; }
  return pfd;
}

static int cmd_kill(char **argv, int argc) {
  struct def d[] = {{"all", "a", 0, 0}};
  int n = parse(argv, argc, d, 1, 0);
  if (n < 1 || n > 2) to_java();
  const char *sig = n == 2 ? args[1] : "SIGTERM";
  if (streq(sig, "0")) { /* is it there (kill(2)'s check); --all of a stopped one signals nobody */
    if (!load(args[0])) fail("container does not exist");
    if (streq(status(), "stopped") && !on(&d[0])) fail("container not running");
    return 0;
  }
  if (on(&d[0])) to_java(); /* every process of it: Java's */
  int s = signal_number(sig);
  if (s < 0) to_java(); /* Java words it */
  if (!load(args[0])) fail("container does not exist");
  const char *st = status();
  if (streq(st, "stopped")) fail("container not running");
  if (streq(st, "paused")) to_java(); /* a frozen process: Java thaws it after a SIGKILL */
  if (streq(st, "created") && s != SIGKILL && s != SIGTERM) to_java(); /* Java refuses it, in its words */
  int running = streq(st, "running");
  if (running) load_event_attrs();
  long pfd = pidfd_of_ours();
  if (pfd == -3) return 0; /* ended meanwhile: as Java, whose signal would find nobody */
  if (pfd < 0) to_java();
  /* as LinuxContainers.kill: a running one's kill is journaled before the signal (a follower
   * noticing the exit must not see its die first); a created one's is not */
  if (running) { char num[8]; num[utoa(num, (u64)s)] = 0; journal("kill", "signal", num); }
  long r = sys4(NR_pidfd_send_signal, pfd, s, 0, 0);
  sys1(NR_close, pfd);
  if (r < 0 && r != -3) to_java();
  return 0;
}

static int cmd_delete(char **argv, int argc) {
  struct def d[] = {{"force", "f", 0, 0}};
  if (parse(argv, argc, d, 1, 0) != 1) to_java();
  int force = on(&d[0]);
  if (!load(args[0])) {
    if (force) return 0; /* runc: deleting a missing container with --force is not an error */
    fail("container does not exist");
  }
  if (num(f_hooks)) to_java(); /* poststop: Java's */
  /* the lifecycle record's directory, as Java named it: under this root's lifecycle store */
  char expect[4200];
  cat(expect, sizeof expect, root, "/jcontainer:lifecycle/containers/", "");
  const char *lc = f_lifecycle.p;
  if (!starts(lc, expect) || !valid_id(lc + slen(expect))) to_java();
  const char *st = status();
  if (streq(st, "running") || streq(st, "paused")) {
    if (!force) {
      static char msg[512];
      char tmp[300];
      cat(tmp, sizeof tmp, "cannot delete container ", args[0], " that is not stopped: ");
      cat(msg, sizeof msg, tmp, st, "");
      fail(msg);
    }
    to_java(); /* --force of a live one: every process of it, Java's */
  }
  load_event_attrs();
  /* as LinuxContainers.remove after noticeExits: an exit nobody reported gets its die, once
   * (the `died` marker, made exclusively, says it was reported); a monitorless container has
   * no exit record, so its code is unknown (-1). A created one that never ran has no die. */
  if (streq(st, "stopped")) {
    char marker[4200];
    cat(marker, sizeof marker, lc, "/died", "");
    long m = sys4(NR_openat, AT_FDCWD, marker, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (m >= 0) { sys1(NR_close, m); journal("die", "exitCode", "-1"); }
    else if (m != -EEXIST && m != -ENOENT) to_java();
  }
  if (streq(st, "created")) {
    /* runc deletes a created container without --force: it never ran. Its process waits at its
     * FIFO: SIGKILL, then wait until it has gone (a zombie its reaper collects) */
    long pfd = pidfd_of_ours();
    if (pfd >= 0) {
      sys4(NR_pidfd_send_signal, pfd, SIGKILL, 0, 0);
      struct pollfd p = {(s32)pfd, POLLIN, 0};
      struct { long s, ns; } ts = {10, 0};
      sys5(NR_ppoll, &p, 1, &ts, 0, 8);
      sys1(NR_close, pfd);
    } else if (pfd != -3) {
      to_java();
    }
  }
  for (int c = 0; c < ncgroups; c++) rm_cgroup(f_cgroups[c].p);
  if (rm_path(lc) < 0) to_java();
  journal("destroy", 0, 0);
  if (rm_path(dir) < 0) to_java();
  return 0;
}


/* list (Runc.list): every record of the root, ordered by creation time, as runc's table, its
 * JSON (the states, compact) or -q (the ids). A record this program cannot read (a foreground
 * run's, an older one) sends the whole command to Java. */
#define MAX_LIST 1024
struct row { char *order, *id, *pid, *status, *bundle, *created, *owner, *json; };
static struct row rows[MAX_LIST];
static int nrows;
static char arena[1 << 21];
static size_t arenan;
static char *keep(const char *p, size_t n) {
  if (arenan + n + 1 > sizeof arena) to_java();
  char *c = arena + arenan;
  memcpy(c, p, n);
  c[n] = 0;
  arenan += n + 1;
  return c;
}
static int cmp(const char *a, const char *b) {
  while (*a && *a == *b) { a++; b++; }
  return (unsigned char)*a - (unsigned char)*b;
}
/* Java pads by String.length(): a UTF-16 count, which equals the byte count for ASCII only */
static size_t ascii_len(const char *s) {
  size_t n = 0;
  for (; s[n]; n++) if ((unsigned char)s[n] >= 0x80) to_java();
  return n;
}
static int cmd_list(char **argv, int argc) {
  struct def d[] = {{"format", "f", 1, 0}, {"quiet", "q", 0, 0}};
  if (parse(argv, argc, d, 2, 0) != 0) to_java();
  const char *format = d[0].val ? d[0].val : "table";
  int quiet = on(&d[1]);
  if (!quiet && !streq(format, "table") && !streq(format, "json")) to_java(); /* Java words it */
  long rfd = sys4(NR_openat, AT_FDCWD, root, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  if (rfd < 0) to_java();
  static char dbuf[1 << 15];
  static char names[1 << 16];
  size_t namesn = 0;
  int nnames = 0;
  static char *name_at[MAX_LIST];
  for (;;) {
    long n = sys3(NR_getdents64, rfd, dbuf, sizeof dbuf);
    if (n < 0) { sys1(NR_close, rfd); to_java(); }
    if (n == 0) break;
    for (long off = 0; off < n;) {
      unsigned short reclen;
      memcpy(&reclen, dbuf + off + 16, 2);
      const char *child = dbuf + off + 19;
      off += reclen;
      if (!valid_id(child)) continue; /* not a record (the lifecycle store, ".", ".."): Java skips it */
      size_t l = slen(child);
      if (nnames == MAX_LIST || namesn + l + 1 > sizeof names) { sys1(NR_close, rfd); to_java(); }
      memcpy(names + namesn, child, l + 1);
      name_at[nnames++] = names + namesn;
      namesn += l + 1;
    }
  }
  sys1(NR_close, rfd);
  for (int i = 0; i < nnames; i++) {
    char path[4300];
    cat(path, sizeof path, root, "/", name_at[i]);
    char st_path[4400];
    cat(st_path, sizeof st_path, path, "/state.json", "");
    if (!exists(st_path)) continue; /* being created, or not ours: Java lists it not */
    if (!load(name_at[i])) continue;
    if (!f_order.p || !f_bundle.p || !f_created.p || !f_owner.p || !f_jhead.p || !f_jmid.p || !f_jtail.p) to_java();
    const char *st = status();
    struct row *r = &rows[nrows++];
    r->order = keep(f_order.p, f_order.n);
    r->id = keep(name_at[i], slen(name_at[i]));
    char num[24];
    u64 shown = streq(st, "stopped") ? 0 : pid;
    r->pid = keep(num, (size_t)utoa(num, shown));
    r->status = keep(st, slen(st));
    r->bundle = keep(f_bundle.p, f_bundle.n);
    r->created = keep(f_created.p, f_created.n);
    r->owner = keep(f_owner.p, f_owner.n);
    size_t j0 = arenan;
    keep(f_jhead.p, f_jhead.n); arenan--;
    keep(num, (size_t)utoa(num, shown)); arenan--;
    keep(f_jmid.p, f_jmid.n); arenan--;
    keep(st, slen(st)); arenan--;
    keep(f_jtail.p, f_jtail.n);
    r->json = arena + j0;
  }
  /* Java's sort is stable: insertion sort keeps the directory's order among equal times */
  for (int i = 1; i < nrows; i++) {
    struct row x = rows[i];
    int j = i - 1;
    while (j >= 0 && cmp(rows[j].order, x.order) > 0) { rows[j + 1] = rows[j]; j--; }
    rows[j + 1] = x;
  }
  if (quiet) {
    for (int i = 0; i < nrows; i++) { puts_(rows[i].id); puts_("\n"); }
    return 0;
  }
  if (streq(format, "json")) {
    puts_("[");
    for (int i = 0; i < nrows; i++) { if (i) puts_(","); puts_(rows[i].json); }
    puts_("]\n");
    return 0;
  }
  /* Go's tabwriter as Runc.table sets it up: each column but the last padded to the widest cell
   * (at least 9) plus 3 spaces */
  static const char *head[6] = {"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"};
  size_t w[6];
  for (int c = 0; c < 6; c++) w[c] = slen(head[c]);
  for (int i = 0; i < nrows; i++) {
    const char *cell[6] = {rows[i].id, rows[i].pid, rows[i].status, rows[i].bundle, rows[i].created, rows[i].owner};
    for (int c = 0; c < 6; c++) { size_t l = ascii_len(cell[c]); if (l > w[c]) w[c] = l; }
  }
  for (int i = -1; i < nrows; i++) {
    const char *cell[6];
    if (i < 0) for (int c = 0; c < 6; c++) cell[c] = head[c];
    else { struct row *r = &rows[i]; cell[0] = r->id; cell[1] = r->pid; cell[2] = r->status; cell[3] = r->bundle; cell[4] = r->created; cell[5] = r->owner; }
    for (int c = 0; c < 6; c++) {
      puts_(cell[c]);
      if (c < 5) for (size_t k = slen(cell[c]); k < (w[c] > 9 ? w[c] : 9) + 3; k++) put(" ", 1);
    }
    puts_("\n");
  }
  return 0;
}

static int entry(char **argv, int argc) {
  if (argc < 3) to_java();
  struct def g[] = {{"debug", 0, 0, 0}, {"log", 0, 1, 0}, {"log-format", 0, 1, 0}, {"root", 0, 1, 0}, {"criu", 0, 1, 0},
                    {"systemd-cgroup", 0, 0, 0}, {"rootless", 0, 1, 0}, {"version", "v", 0, 0}, {"help", "h", 0, 0}};
  int n = parse(argv + 2, argc - 2, g, 9, 1);
  if (n == 0 || on(&g[0]) || on(&g[5]) || on(&g[7]) || on(&g[8])) to_java();
  if (g[2].val && !streq(g[2].val, "text") && !streq(g[2].val, "json")) to_java();
  if (g[6].val && !streq(g[6].val, "true") && !streq(g[6].val, "false") && !streq(g[6].val, "auto")) to_java();
  log_file = g[1].val;
  log_json = g[2].val && streq(g[2].val, "json");
  const char *command = args[0];
  static char *rest[64];
  int nrest = n - 1;
  for (int i = 0; i < nrest; i++) rest[i] = args[i + 1];
  int (*run)(char **, int) = 0;
  if (streq(command, "state")) run = cmd_state;
  else if (streq(command, "start")) run = cmd_start;
  else if (streq(command, "kill")) run = cmd_kill;
  else if (streq(command, "delete") || streq(command, "rm")) run = cmd_delete;
  else if (streq(command, "list") || streq(command, "ls")) run = cmd_list;
  else to_java();
  open_root(g[3].val);
  int status = run(rest, nrest);
  flush();
  return status;
}

void short_entry(long *sp) {
  int argc = (int)sp[0];
  g_argv = (char **)(sp + 1);
  g_envp = g_argv + argc + 1;
  if (argc < 2) {
    write_all(2, "usage: jcontainer-runc-short SCRIPT [runc arguments...] (run by ./jcontainer-runc)\n", 83);
    quit(125);
  }
  quit(entry(g_argv, argc));
}

/* Entry point: no libc, so no crt; the kernel jumps here with the stack holding argc/argv. */
#if defined(__x86_64__)
__asm__(".text\n.global _start\n_start:\n xor %rbp,%rbp\n mov %rsp,%rdi\n and $-16,%rsp\n call short_entry\n hlt\n");
#else
__asm__(".text\n.global _start\n_start:\n mov x29, #0\n mov x30, #0\n mov x0, sp\n bl short_entry\n brk #0\n");
#endif
