/*
 * jcontainer launcher — the only code that runs between the JVM and a sandboxed payload.
 *
 * Why a separate static program and not code in the JVM: after clone() in a multi-threaded
 * process only async-signal-safe code may run in the child, and Java never is. So the JVM
 * compiles the container spec into a plain-data plan (plan.h) and starts this program with
 * posix_spawn (vfork-like, so its cost does not grow with the JVM's heap) from a sealed memfd
 * (so a payload can never overwrite it: the CVE-2019-5736 class).
 *
 * The launcher is policy-free: it executes ops in the order given and reports the first
 * failure precisely (phase, op index, system call, errno). It is libc-independent (raw system
 * calls, sys.h), single-threaded, and stays alive as a tiny monitor of its sandbox:
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
 *   (EOF: the JVM died) ------> SIGKILL the sandbox, reap, exit
 *   <---- EXITED code, status   (child reaped)
 *   reap the launcher
 */
#include "sys.h"
#include "plan.h"

/* ---- freestanding helpers (the compiler may emit calls to these) ---- */
void *memcpy(void *d, const void *s, size_t n) {
  char *dd = d;
  const char *ss = s;
  while (n--) *dd++ = *ss++;
  return d;
}
void *memset(void *d, int c, size_t n) {
  char *dd = d;
  while (n--) *dd++ = (char)c;
  return d;
}
static size_t slen(const char *s) {
  size_t n = 0;
  while (s[n]) n++;
  return n;
}
static int utoa(char *buf, u64 v) {
  char tmp[24];
  int n = 0, i = 0;
  do tmp[n++] = (char)('0' + v % 10); while ((v /= 10));
  while (n) buf[i++] = tmp[--n];
  buf[i] = 0;
  return i;
}
static long xwrite_all(int fd, const void *p, size_t n) {
  const char *c = p;
  while (n) {
    long r = sys3(NR_write, fd, c, n);
    if (r == -EINTR) continue;
    if (r < 0) return r;
    c += r;
    n -= (size_t)r;
  }
  return 0;
}
static long xread_full(int fd, void *p, size_t n) {
  char *c = p;
  size_t got = 0;
  while (got < n) {
    long r = sys3(NR_read, fd, c + got, n - got);
    if (r == -EINTR) continue;
    if (r <= 0) return r < 0 ? r : (long)got;
    got += (size_t)r;
  }
  return (long)got;
}
static __attribute__((noreturn)) void die(int code) {
  for (;;) sys1(NR_exit_group, code);
}

/* ---- the plan ---- */
#define PLAN_MAX (4u << 20)
static unsigned char plan[PLAN_MAX];
static u32 plan_len;

struct cursor { const unsigned char *p, *end; int bad; };
static u32 rd_u32(struct cursor *c) {
  u32 v = 0;
  if (c->end - c->p < 4) { c->bad = 1; return 0; }
  memcpy(&v, c->p, 4);
  c->p += 4;
  return v;
}
static u64 rd_u64(struct cursor *c) {
  u64 v = 0;
  if (c->end - c->p < 8) { c->bad = 1; return 0; }
  memcpy(&v, c->p, 8);
  c->p += 8;
  return v;
}
/* A blob or string: u32 length, bytes, padding to 4. Strings carry their NUL in the length. */
static const unsigned char *rd_blob(struct cursor *c, u32 *len) {
  u32 n = rd_u32(c);
  u32 padded = (n + 3u) & ~3u;
  if (c->bad || padded < n || (u64)(c->end - c->p) < padded) { c->bad = 1; *len = 0; return 0; }
  const unsigned char *b = c->p;
  c->p += padded;
  *len = n;
  return b;
}
static const char *rd_str(struct cursor *c) {
  u32 n;
  const unsigned char *b = rd_blob(c, &n);
  if (!b || n == 0 || b[n - 1] != 0) { c->bad = 1; return ""; }
  return (const char *)b;
}

/* ---- error reporting ---- */
struct failure { u32 phase, index, opcode, syscall; s32 err; char detail[512]; };

static void set_detail(struct failure *f, const char *s) {
  size_t n = slen(s);
  if (n >= sizeof f->detail) n = sizeof f->detail - 1;
  memcpy(f->detail, s, n);
  f->detail[n] = 0;
}

static void send_frame(int fd, u32 type, const void *payload, u32 len) {
  u32 hdr[2] = {type, len};
  xwrite_all(fd, hdr, sizeof hdr);
  if (len) xwrite_all(fd, payload, len);
}

static void send_failure(int ctl, const struct failure *f) {
  unsigned char buf[sizeof *f + 8];
  u32 dl = (u32)slen(f->detail) + 1;
  u32 head[6] = {f->phase, f->index, f->opcode, f->syscall, (u32)f->err, dl};
  memcpy(buf, head, sizeof head);
  memcpy(buf + sizeof head, f->detail, dl);
  send_frame(ctl, MSG_FAILED, buf, (u32)(sizeof head + dl));
}

/* ---- in-root path resolution ----
 * Every path inside the new root is opened with openat2(RESOLVE_IN_ROOT) against the root
 * dirfd, so a symlink planted in the image (e.g. /dev -> /, or a mount target pointing at
 * ../../etc) resolves inside the root, never on the host. Missing directories are created one
 * component at a time with mkdirat on the fd of the already-resolved parent. */
static int root_fd = -1;

static long open_in_root(const char *path, u64 flags) {
  struct open_how how = {flags | O_CLOEXEC, 0, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
  return sys4(NR_openat2, root_fd, path, &how, sizeof how);
}

/* Creates missing directories of `path` (all components when `last_too`), each under its
 * resolved parent. Returns 0 or -errno with the failing call in *sc. */
static long mkdirs_in_root(const char *path, int last_too, u32 *sc) {
  char buf[4096];
  size_t n = slen(path);
  if (n >= sizeof buf) { *sc = SC_MKDIRAT; return -EINVAL; }
  memcpy(buf, path, n + 1);
  size_t i = 0;
  while (buf[i] == '/') i++;
  for (; i <= n; i++) {
    if (buf[i] != '/' && buf[i] != 0) continue;
    if (buf[i] == 0 && !last_too) break;
    char saved = buf[i];
    buf[i] = 0;
    /* parent = everything before the last component */
    size_t j = i;
    while (j > 0 && buf[j - 1] != '/') j--;
    const char *name = buf + j;
    if (*name) {
      long dfd;
      if (j == 0) {
        dfd = open_in_root("/", O_PATH | O_DIRECTORY);
      } else {
        char c = buf[j - 1];
        buf[j - 1] = 0;
        dfd = open_in_root(j == 1 ? "/" : buf, O_PATH | O_DIRECTORY);
        buf[j - 1] = c;
      }
      if (dfd < 0) { *sc = SC_OPENAT2; return dfd; }
      long r = sys3(NR_mkdirat, dfd, name, 0755);
      sys1(NR_close, dfd);
      if (r < 0 && r != -EEXIST) { *sc = SC_MKDIRAT; return r; }
    }
    buf[i] = saved;
    while (buf[i + 1] == '/') i++;
  }
  return 0;
}

/* Opens (creating if asked) a mount target inside the root and returns an O_PATH fd. */
/* Splits "/a/b/c" into its parent ("/a/b", in buf) and last component (returned). */
static const char *split_parent(const char *path, char *buf, size_t size) {
  size_t n = slen(path);
  if (n == 0 || n >= size) return 0;
  memcpy(buf, path, n + 1);
  while (n > 1 && buf[n - 1] == '/') buf[--n] = 0;
  size_t j = n;
  while (j > 0 && buf[j - 1] != '/') j--;
  if (j == n) return 0;
  const char *name = path + j;
  if (j <= 1) { buf[0] = '/'; buf[1] = 0; } else buf[j - 1] = 0;
  return name;
}

/* The common cases in one or two system calls: a file target created where none exists yet
 * (O_EXCL: an existing FIFO or device is never opened, it takes the careful path below), or a
 * directory made under a parent that exists. Returns -ENOENT to fall back to the full walk. */
static long target_fast(const char *path, u32 mflags) {
  if (mflags & MF_MKFILE) {
    long f = open_in_root(path, O_WRONLY | O_CREAT | O_EXCL | O_NOCTTY | O_NOFOLLOW);
    if (f >= 0) return f;
    return f == -EEXIST ? open_in_root(path, O_PATH) : -ENOENT;
  }
  char parent[4096];
  const char *name = split_parent(path, parent, sizeof parent);
  if (!name) return -ENOENT;
  long pfd = open_in_root(parent, O_PATH | O_DIRECTORY);
  if (pfd < 0) return -ENOENT;
  long r = sys3(NR_mkdirat, pfd, name, 0755);
  long fd = r < 0 && r != -EEXIST ? r : sys4(NR_openat, pfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
  sys1(NR_close, pfd);
  return fd < 0 ? -ENOENT : fd;
}

static long target_fd(const char *path, u32 mflags, u32 *sc) {
  long fd = open_in_root(path, O_PATH);
  if (fd == -ENOENT && (mflags & (MF_MKDIR | MF_MKFILE))) {
    fd = target_fast(path, mflags);
    if (fd >= 0) return fd;
  }
  if (fd == -ENOENT && (mflags & (MF_MKDIR | MF_MKFILE))) {
    long r = mkdirs_in_root(path, (mflags & MF_MKDIR) != 0, sc);
    if (r < 0) return r;
    if (mflags & MF_MKFILE) {
      long f = open_in_root(path, O_WRONLY | O_CREAT | O_NOCTTY | O_NOFOLLOW);
      if (f < 0 && f != -EEXIST) { *sc = SC_OPENAT2; return f; }
      if (f >= 0) sys1(NR_close, f);
    }
    fd = open_in_root(path, O_PATH);
  }
  if (fd < 0) *sc = SC_OPENAT2;
  return fd;
}

/* "/proc/self/fd/N": the kernel's name for exactly the inode we resolved above. */
static void fd_path(char *buf, long fd) {
  memcpy(buf, "/proc/self/fd/", 14);
  utoa(buf + 14, (u64)fd);
}

/* Flags that a remount must keep: in a user namespace the kernel refuses to clear locked
 * flags (nosuid, nodev, noexec, atime) inherited from the host, so read and repeat them. */
static u64 kept_flags(long fd, u32 *sc, long *err) {
  struct statfs_buf st;
  long r = sys2(NR_fstatfs, fd, &st);
  if (r < 0) { *sc = SC_FSTATFS; *err = r; return 0; }
  u64 f = 0;
  if (st.f_flags & ST_NOSUID) f |= MS_NOSUID;
  if (st.f_flags & ST_NODEV) f |= MS_NODEV;
  if (st.f_flags & ST_NOEXEC) f |= MS_NOEXEC;
  if (st.f_flags & ST_NOATIME) f |= MS_NOATIME;
  if (st.f_flags & ST_NODIRATIME) f |= MS_NODIRATIME;
  if (st.f_flags & ST_RELATIME) f |= MS_RELATIME;
  if (st.f_flags & ST_RDONLY) f |= MS_RDONLY;
  return f;
}

/* ---- executing ops ---- */
#define FAIL(call, e)                 \
  do {                                \
    f->syscall = (call);              \
    f->err = (s32)(-(e));             \
    return -1;                        \
  } while (0)

/* Host paths opened before the child switched to its namespace's root ids (OP_HOLD): with a
 * map like 0 -> 100000 the switched child may not traverse root-only host directories, but a
 * descriptor opened earlier still names the object. */
#define HELD_MAX 256
static int held[HELD_MAX];
static u32 nheld;

/* A remount changes only the top mount of a recursive bind: the submounts below (the host's
 * cgroupfs under /sys/fs/cgroup, say) would stay writable. mount_setattr(AT_RECURSIVE) applies
 * the flags to the whole tree (Linux 5.12; older kernels keep the top-only remount). A plain
 * non-recursive bind is no way out: in a user namespace it fails with EINVAL over locked
 * submounts. */
static long setattr_recursive(long fd, u64 flags) {
  struct { u64 set, clr, propagation, userns_fd; } attr = {0, 0, 0, 0};
  if (flags & MS_RDONLY) attr.set |= 1;  /* MOUNT_ATTR_RDONLY */
  if (flags & MS_NOSUID) attr.set |= 2;  /* MOUNT_ATTR_NOSUID */
  if (flags & MS_NODEV) attr.set |= 4;   /* MOUNT_ATTR_NODEV */
  if (flags & MS_NOEXEC) attr.set |= 8;  /* MOUNT_ATTR_NOEXEC */
  long r = sys5(NR_mount_setattr, fd, "", 0x1000 /* AT_EMPTY_PATH */ | 0x8000 /* AT_RECURSIVE */, &attr, sizeof attr);
  return r == -ENOSYS ? 0 : r;
}

static long do_mount(struct cursor *c, struct failure *f) {
  const char *src = rd_str(c), *tgt = rd_str(c), *fstype = rd_str(c);
  u64 flags = rd_u64(c);
  const char *data = rd_str(c);
  u32 mflags = rd_u32(c);
  if (c->bad) FAIL(SC_PLAN, -EINVAL);
  set_detail(f, tgt);
  char srcp[40];
  if (src[0] == '@') {
    u32 i = 0;
    for (const char *p = src + 1; *p >= '0' && *p <= '9'; p++) i = i * 10 + (u32)(*p - '0');
    if (i >= nheld) FAIL(SC_PLAN, -EINVAL);
    if (held[i] < 0) return 0; /* an optional source that did not exist */
    fd_path(srcp, held[i]);
    src = srcp;
  }
  char fdp[40];
  const char *target = tgt;
  long tfd = -1;
  if ((mflags & MF_OPTIONAL) && *src == '/') {
    long s = sys4(NR_openat, AT_FDCWD, src, O_PATH | O_CLOEXEC, 0);
    if (s == -ENOENT) return 0;
    if (s >= 0) sys1(NR_close, s);
  }
  if (mflags & MF_TARGET_IN_ROOT) {
    u32 sc = 0;
    tfd = target_fd(tgt, mflags, &sc);
    if (tfd < 0) FAIL(sc, tfd);
    fd_path(fdp, tfd);
    target = fdp;
  } else if (mflags & MF_MKDIR) {
    sys3(NR_mkdirat, AT_FDCWD, tgt, 0755);
  }
  long r = sys5(NR_mount, *src ? src : 0, target, *fstype ? fstype : 0, flags, *data ? data : 0);
  if (r < 0) {
    if (tfd >= 0) sys1(NR_close, tfd);
    FAIL(SC_MOUNT, r);
  }
  /* A bind mount ignores MS_RDONLY & co. on creation: apply them with a remount. */
  if ((flags & MS_BIND) && (flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC))) {
    long mfd = tfd >= 0 ? open_in_root(tgt, O_PATH) : sys4(NR_openat, AT_FDCWD, tgt, O_PATH | O_CLOEXEC, 0);
    if (mfd < 0) FAIL(SC_OPENAT2, mfd);
    u32 sc = 0;
    long err = 0;
    u64 keep = kept_flags(mfd, &sc, &err);
    if (err) { sys1(NR_close, mfd); FAIL(sc, err); }
    fd_path(fdp, mfd);
    r = sys5(NR_mount, 0, fdp, 0, MS_REMOUNT | MS_BIND | keep | (flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)), 0);
    if (r < 0) { sys1(NR_close, mfd); FAIL(SC_MOUNT, r); }
    if (flags & MS_REC) r = setattr_recursive(mfd, flags);
    sys1(NR_close, mfd);
    if (r < 0) FAIL(SC_MOUNT_SETATTR, r);
  }
  if (tfd >= 0) sys1(NR_close, tfd);
  return 0;
}

static long do_remount(struct cursor *c, struct failure *f) {
  const char *tgt = rd_str(c);
  u64 add = rd_u64(c);
  u32 mflags = rd_u32(c);
  if (c->bad) FAIL(SC_PLAN, -EINVAL);
  set_detail(f, tgt);
  long fd = (mflags & MF_TARGET_IN_ROOT) ? open_in_root(tgt, O_PATH)
                                          : sys4(NR_openat, AT_FDCWD, tgt, O_PATH | O_CLOEXEC, 0);
  if (fd == -ENOENT && (mflags & MF_OPTIONAL)) return 0;
  if (fd < 0) FAIL(SC_OPENAT2, fd);
  u32 sc = 0;
  long err = 0;
  u64 keep = kept_flags(fd, &sc, &err);
  if (err) { sys1(NR_close, fd); FAIL(sc, err); }
  char fdp[40];
  long r;
  if (!(mflags & MF_NO_SELF_BIND)) {
    fd_path(fdp, fd);
    /* Bind the path onto itself first, so that the remount only touches this subtree. */
    r = sys5(NR_mount, fdp, fdp, 0, MS_BIND | MS_REC, 0);
    sys1(NR_close, fd);
    if (r < 0) FAIL(SC_MOUNT, r);
    fd = (mflags & MF_TARGET_IN_ROOT) ? open_in_root(tgt, O_PATH) : sys4(NR_openat, AT_FDCWD, tgt, O_PATH | O_CLOEXEC, 0);
    if (fd < 0) FAIL(SC_OPENAT2, fd);
  }
  fd_path(fdp, fd);
  r = sys5(NR_mount, 0, fdp, 0, MS_REMOUNT | MS_BIND | keep | add, 0);
  sys1(NR_close, fd);
  if (r < 0) FAIL(SC_MOUNT, r);
  return 0;
}

static long do_mask(struct cursor *c, struct failure *f) {
  const char *path = rd_str(c);
  if (c->bad) FAIL(SC_PLAN, -EINVAL);
  set_detail(f, path);
  long fd = open_in_root(path, O_PATH);
  if (fd == -ENOENT) return 0; /* nothing to mask */
  if (fd < 0) FAIL(SC_OPENAT2, fd);
  char fdp[40];
  fd_path(fdp, fd);
  /* statx on the descriptor we hold tells file from directory without a second lookup */
  unsigned char stx[256];
  long r = sys5(NR_statx, fd, "", 0x1000 /* AT_EMPTY_PATH */, 1 /* STATX_TYPE */, stx);
  if (r < 0) { sys1(NR_close, fd); FAIL(SC_FSTATFS, r); }
  unsigned short mode;
  memcpy(&mode, stx + 28, 2); /* stx_mode */
  if ((mode & 0170000) == 0040000) {
    r = sys5(NR_mount, "tmpfs", fdp, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0,mode=0");
  } else {
    r = sys5(NR_mount, "/dev/null", fdp, 0, MS_BIND, 0);
  }
  sys1(NR_close, fd);
  if (r < 0) FAIL(SC_MOUNT, r);
  return 0;
}

static long do_write_file(struct cursor *c, struct failure *f) {
  const char *path = rd_str(c);
  u32 mode = rd_u32(c), len;
  const unsigned char *content = rd_blob(c, &len);
  if (c->bad) FAIL(SC_PLAN, -EINVAL);
  set_detail(f, path);
  u32 sc = 0;
  long r = mkdirs_in_root(path, 0, &sc);
  if (r < 0) FAIL(sc, r);
  long fd = open_in_root(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_NOCTTY);
  if (fd < 0) {
    /* openat2 takes the mode in open_how; retry through the struct with the mode set */
    FAIL(SC_OPENAT2, fd);
  }
  sys2(NR_fchmod, fd, mode);
  r = xwrite_all((int)fd, content, len);
  sys1(NR_close, fd);
  if (r < 0) FAIL(SC_WRITE, r);
  return 0;
}

static long do_symlink(struct cursor *c, struct failure *f) {
  const char *target = rd_str(c), *link = rd_str(c);
  if (c->bad) FAIL(SC_PLAN, -EINVAL);
  set_detail(f, link);
  u32 sc = 0;
  long r = mkdirs_in_root(link, 0, &sc);
  if (r < 0) FAIL(sc, r);
  /* resolve the parent inside the root, then create the link by name under it */
  char buf[4096];
  size_t n = slen(link);
  if (n >= sizeof buf) FAIL(SC_SYMLINKAT, -EINVAL);
  memcpy(buf, link, n + 1);
  size_t j = n;
  while (j > 0 && buf[j - 1] != '/') j--;
  const char *name = link + j;
  if (j > 1) buf[j - 1] = 0; else { buf[0] = '/'; buf[1] = 0; }
  long dfd = open_in_root(buf, O_PATH | O_DIRECTORY);
  if (dfd < 0) FAIL(SC_OPENAT2, dfd);
  r = sys3(NR_symlinkat, target, dfd, name);
  sys1(NR_close, dfd);
  if (r < 0 && r != -EEXIST) FAIL(SC_SYMLINKAT, r);
  return 0;
}

static long do_pivot_root(const char *newroot, struct failure *f) {
  set_detail(f, newroot);
  /* pivot_root(".", "."): the old root ends up stacked under the new one at "/", and is
   * detached at once — no directory for it inside the image, no path back to the host.
   * (Plain chroot is escapable by a process with CAP_SYS_CHROOT; see the seed's program.) */
  /* fchdir to the root we already hold: the path may pass through host directories that
   * ids switched to a user namespace's root can no longer traverse */
  long r = root_fd >= 0 ? sys1(NR_fchdir, root_fd) : sys1(NR_chdir, newroot);
  if (r < 0) FAIL(root_fd >= 0 ? SC_FCHDIR : SC_CHDIR, r);
  r = sys2(NR_pivot_root, ".", ".");
  if (r < 0) FAIL(SC_PIVOT_ROOT, r);
  r = sys2(NR_umount2, ".", MNT_DETACH);
  if (r < 0) FAIL(SC_UMOUNT2, r);
  r = sys1(NR_chdir, "/");
  if (r < 0) FAIL(SC_CHDIR, r);
  if (root_fd >= 0) { sys1(NR_close, root_fd); root_fd = -1; }
  return 0;
}

static long do_caps(struct cursor *c, struct failure *f) {
  u64 bounding = rd_u64(c), eff = rd_u64(c), perm = rd_u64(c), inh = rd_u64(c), amb = rd_u64(c);
  if (c->bad) FAIL(SC_PLAN, -EINVAL);
  for (int cap = 0; cap < 64; cap++) {
    if (bounding & (1ULL << cap)) continue;
    long r = sys2(NR_prctl, PR_CAPBSET_DROP, cap);
    if (r == -EINVAL) break; /* past the kernel's last capability */
    if (r < 0) FAIL(SC_PRCTL, r);
  }
  if (eff == ~0ULL && perm == ~0ULL && inh == ~0ULL) return 0; /* bounding set only */
  struct cap_header h = {CAP_V3, 0};
  struct cap_data d[2] = {{(u32)eff, (u32)perm, (u32)inh}, {(u32)(eff >> 32), (u32)(perm >> 32), (u32)(inh >> 32)}};
  long r = sys2(NR_capset, &h, d);
  if (r < 0) FAIL(SC_CAPSET, r);
  if (amb == ~0ULL) return 0;
  sys5(NR_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
  for (int cap = 0; cap < 64; cap++) {
    if (!(amb & (1ULL << cap))) continue;
    r = sys5(NR_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0);
    if (r < 0) FAIL(SC_PRCTL, r);
  }
  return 0;
}

static long do_close_fds(struct failure *f) {
  /* CLOSE_RANGE_CLOEXEC (5.11): the error pipe stays usable until exec succeeds. */
  long r = sys3(NR_close_range, 3, ~0u, 4 /* CLOSE_RANGE_CLOEXEC */);
  if (r == 0) return 0;
  for (int fd = 3; fd < 65536; fd++) sys3(NR_fcntl, fd, F_SETFD, FD_CLOEXEC);
  (void)f;
  return 0;
}

static const char *env_get(const char *const *envp, const char *key) {
  size_t k = slen(key);
  for (; *envp; envp++) {
    const char *e = *envp;
    size_t i = 0;
    while (i < k && e[i] == key[i]) i++;
    if (i == k && e[k] == '=') return e + k + 1;
  }
  return 0;
}

static long do_exec(struct cursor *c, struct failure *f) {
  const char *path = rd_str(c);
  u32 argc = rd_u32(c);
  if (c->bad || argc > 65536) FAIL(SC_PLAN, -EINVAL);
  const char *argv[argc + 1];
  for (u32 i = 0; i < argc; i++) argv[i] = rd_str(c);
  argv[argc] = 0;
  u32 envc = rd_u32(c);
  if (c->bad || envc > 65536) FAIL(SC_PLAN, -EINVAL);
  const char *envp[envc + 1];
  for (u32 i = 0; i < envc; i++) envp[i] = rd_str(c);
  envp[envc] = 0;
  if (c->bad) FAIL(SC_PLAN, -EINVAL);
  set_detail(f, path);
  int has_slash = 0;
  for (const char *p = path; *p; p++) if (*p == '/') has_slash = 1;
  if (has_slash) {
    long r = sys3(NR_execve, path, argv, envp);
    FAIL(SC_EXECVE, r);
  }
  /* execvp semantics: search $PATH of the payload's environment (the sandbox's, not ours). */
  const char *search = env_get(envp, "PATH");
  if (!search) search = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  long last = -ENOENT;
  size_t plen = slen(path);
  char buf[4096];
  for (const char *s = search;;) {
    const char *e = s;
    while (*e && *e != ':') e++;
    size_t dl = (size_t)(e - s);
    if (dl + plen + 2 < sizeof buf) {
      memcpy(buf, s, dl);
      size_t k = dl;
      if (k == 0) buf[k++] = '.';
      buf[k++] = '/';
      memcpy(buf + k, path, plen + 1);
      long r = sys3(NR_execve, buf, argv, envp);
      if (r != -ENOENT && r != -ENOTDIR) { set_detail(f, buf); last = r; if (r != -EACCES) break; }
    }
    if (!*e) break;
    s = e + 1;
  }
  FAIL(SC_EXECVE, last);
}

/* ---- OP_INIT: a tiny PID 1 (docker run --init) ----
 * Without it the payload is PID 1 of its PID namespace, and the kernel then drops every
 * signal it has no handler for (SIGTERM to a plain `sleep` does nothing; only SIGKILL works),
 * and orphans reparented to it stay zombies unless it reaps them. With OP_INIT the child forks
 * once more: the parent stays as PID 1 and only blocks every signal, waits for them with
 * rt_sigtimedwait (no handler: nothing async to get wrong), forwards all but SIGCHLD to the
 * payload, reaps every child on SIGCHLD, and exits with the payload's status (128 + signal if
 * it was killed, as tini). Blocked signals are queued even for PID 1 (kernel/signal.c,
 * sig_ignored), so a SIGTERM from outside reaches it. Its own exit ends the namespace. */
static int child_err_fd = -1; /* the child's end of the error pipe: init must not hold it */

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

static long do_init(struct failure *f) {
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
  init_loop((s32)pid, &all);
}

/* ---- OP_STATUS_FILE: the exit status, durably ----
 * A detached sandbox outlives the JVM that started it, so nobody may be listening on the
 * control socket when its payload exits. The monitor then leaves "si_code si_status\n" in a
 * file of the sandbox's state directory (written to a temporary name and renamed, so a reader
 * sees the whole record or none); its mtime is the finish time. */
static const char *status_file; /* points into the plan buffer, which lives as long as we do */

/* Writes a small record so that a reader sees all of it or nothing: to "PATH.tmp", then
 * renamed over PATH. Best effort: the monitor has nobody to report a failure to. */
static void write_atomically(const char *path, const char *buf, size_t len) {
  char tmp[4096];
  size_t n = slen(path);
  if (n + 5 > sizeof tmp) return;
  memcpy(tmp, path, n);
  memcpy(tmp + n, ".tmp", 5);
  long fd = sys4(NR_openat, AT_FDCWD, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0) return;
  long r = xwrite_all((int)fd, buf, len);
  sys1(NR_close, fd);
  if (r == 0) sys5(NR_renameat2, AT_FDCWD, tmp, AT_FDCWD, path, 0);
}

static void write_status_file(s32 code, s32 status) {
  if (!status_file) return;
  char buf[48];
  int i = utoa(buf, (u64)code);
  buf[i++] = ' ';
  i += utoa(buf + i, (u64)status);
  buf[i++] = '\n';
  write_atomically(status_file, buf, (size_t)i);
}

/* ---- OP_LOG: the sandbox's stdout and stderr, logged by the monitor ----
 * A detached sandbox has no JVM to read its output, and a JVM must never buffer a flood of it
 * (its heap would grow with the payload's output). So the monitor reads both pipes and writes
 * the CRI log format (what containerd and CRI-O write, one entry per line):
 *     2026-11-28T05:50:01.123456789Z stdout F the line
 * "F" ends a line; "P" is a partial line (no newline yet) that the next entry continues. The
 * file is bounded: past max_bytes it is renamed to .1 (.1 to .2, ...) and a new one started,
 * keeping max_files files in all. */
static const char *log_path;
static u64 log_max;
static u32 log_files;
static long log_fd = -1;
static u64 log_size;
static int log_pipe[2][2] = {{-1, -1}, {-1, -1}}; /* [stdout|stderr][read|write] */

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

static void att_broadcast(u32 type, char *frame, u32 len);

/* Reads what one pipe has and logs it (and copies it to attach clients); returns 0 at end of
 * file (every writer gone; EIO on a pty master whose slave is closed). */
static int log_pump(int which) {
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
static u32 att_flags;

static long log_setup(struct failure *f) {
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

/* ---- OP_ATTACH: a detached sandbox's terminal or stdin, held for later clients ----
 * A detached sandbox outlives the JVM that started it, so whoever attaches later (docker
 * attach) must find its terminal's master, or its stdin's write end, somewhere: the monitor
 * holds them (as conmon does) and serves clients on a unix stream socket in the sandbox's state
 * directory, mode 0600. Frames, both ways: u32 type, u32 length, payload (ATT_* in plan.h).
 * Output is read whether or not anyone is attached — the log gets all of it — and copied to
 * each client with one non-blocking write: a client that cannot take a whole frame at once
 * (its socket buffer is full: it is too slow, or gone) is disconnected, never waited for
 * (possibly mid-frame: the client discards the part it got).
 * Input is written to the payload without blocking either: while a chunk is pending (the
 * payload does not read), the monitor stops reading clients, so they are slowed, not dropped.
 * SIGPIPE is blocked in the monitor (EPIPE instead) and unblocked again in each child. */
#define ATT_CLIENTS 16
static const char *att_path;
static int att_listen = -1;
static int att_in = -1;       /* where clients' input goes: the pty master or the stdin pipe */
static int att_child_in = -1; /* the child's stdin: the pty slave or the pipe's read end */
static u64 att_oldmask;
static struct att_client { int fd; u32 got, left; u32 hdr[2]; unsigned char small[4]; } att_cl[ATT_CLIENTS];
static char att_pend[65536];
static u32 att_plen, att_poff;

static int att_primary = -1; /* ATTACH_HOLD: the client waited for, whose pace gates the output (att_gated) */

static void att_drop(int i) {
  sys1(NR_close, att_cl[i].fd);
  att_cl[i].fd = -1;
  if (i == att_primary) att_primary = -1;
}

/* Whether the primary client's socket is full (waiting up to ms for room). Its CLI reads at its
 * terminal's pace, as the JVM read an attached run's terminal: while it cannot take more, no
 * output is read — the payload waits on its terminal — instead of the client being dropped.
 * Other clients, and a detached sandbox, never slow the payload down. */
static int att_gated(int ms) {
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
static void att_broadcast(u32 type, char *frame, u32 len) {
  if (!att_path) return; /* att_cl is set up by attach_setup only */
  u32 hdr[2] = {type, len};
  memcpy(frame, hdr, 8);
  for (int i = 0; i < ATT_CLIENTS; i++)
    if (att_cl[i].fd >= 0) att_send(i, frame, len + 8);
}

/* The payload ended: tell every client how, and let them go. */
static void att_exit(s32 code, s32 status) {
  char frame[16];
  u32 hdr[2] = {ATT_EXIT, 8};
  s32 st[2] = {code, status};
  memcpy(frame, hdr, 8);
  memcpy(frame + 8, st, 8);
  for (int i = 0; i < ATT_CLIENTS; i++)
    if (att_cl[i].fd >= 0) { att_send(i, frame, 16); if (att_cl[i].fd >= 0) att_drop(i); }
  att_plen = att_poff = 0;
}

static void att_accept(void) {
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

/* Writes pending input to the payload without blocking; a payload that closed its stdin
 * (EPIPE) or a hung-up terminal (EIO) gets nothing more. */
static void att_flush(void) {
  while (att_poff < att_plen) {
    long r = sys3(NR_write, att_in, att_pend + att_poff, att_plen - att_poff);
    if (r == -EINTR) continue;
    if (r == -EAGAIN) return;
    if (r <= 0) break;
    att_poff += (u32)r;
  }
  att_plen = att_poff = 0;
}

/* Reads what one client sent (non-blocking), a header or part of a payload at a time. */
static void att_read(int i) {
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
    if (c->left == 0) { c->got = 0; return; }
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
static long attach_setup(struct failure *f) {
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
  /* sun_path holds 107 bytes: a longer path is reached through its directory's fd */
  struct { unsigned short family; char path[108]; } sa;
  memset(&sa, 0, sizeof sa);
  sa.family = 1; /* AF_UNIX */
  set_detail(f, att_path);
  size_t n = slen(att_path);
  long dir = -1;
  if (n < sizeof sa.path) {
    memcpy(sa.path, att_path, n);
  } else {
    char parent[4096];
    const char *name = split_parent(att_path, parent, sizeof parent);
    if (!name || slen(name) > 48) FAIL(SC_BIND, -36 /* ENAMETOOLONG */);
    dir = sys4(NR_openat, AT_FDCWD, parent, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
    if (dir < 0) FAIL(SC_OPENAT, dir);
    memcpy(sa.path, "/proc/self/fd/", 14);
    int k = 14 + utoa(sa.path + 14, (u64)dir);
    sa.path[k++] = '/';
    memcpy(sa.path + k, name, slen(name) + 1);
  }
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

/* ---- OP_RESTART: restart policies of detached sandboxes (docker --restart) ----
 * Nobody else outlives the JVM, so the monitor itself restarts its child: the plan is still in
 * memory, and the parent and child ops simply run again (cgroup placement, id maps, mounts,
 * credentials: a fresh sandbox each time). A manual stop leaves the stop marker file first,
 * which disables the policy, as docker's does. Back-off doubles from 100 ms to 25.6 s. Each
 * new child's pid goes to pid_file (temp + rename) for the state store. */
static u32 restart_mode, restart_max, restarts;
static const char *restart_marker, *restart_pid_file;

static int should_restart(s32 code, s32 status) {
  if (!restart_mode) return 0;
  if (restart_max && restarts >= restart_max) return 0;
  if (restart_mode == 1 && code == 1 /* CLD_EXITED */ && status == 0) return 0;
  return sys4(NR_faccessat, AT_FDCWD, restart_marker, 0 /* F_OK */, 0) != 0; /* no marker: not stopped by hand */
}

static void restart_backoff(void) {
  u32 shift = restarts < 8 ? restarts : 8;
  struct { long s, ns; } t = {(long)((100u << shift) / 1000), (long)((100u << shift) % 1000) * 1000000L};
  sys5(NR_ppoll, 0, 0, &t, 0, 8);
}

static void write_pid_file(s32 pid) {
  if (!restart_pid_file) return;
  char buf[24];
  int i = utoa(buf, (u64)pid);
  buf[i++] = '\n';
  write_atomically(restart_pid_file, buf, (size_t)i);
}

/* ---- orphans of a sandbox without a PID namespace ----
 * With a PID namespace its init reaps them (and OP_INIT makes that init a reaper). Without
 * one they would be reparented to the host's init, which on some hosts never reaps them. So
 * the monitor makes itself their reaper (PR_SET_CHILD_SUBREAPER) and reaps them: every second
 * while the sandbox runs — never the sandbox's first process, whose pidfd says when it ends —
 * and all that are left when it has ended. */
static int subreaper;

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

/* Advances past `count` ops without running them. */
static void skip_ops(struct cursor *c, u32 count) {
  for (u32 i = 0; i < count && !c->bad; i++) {
    rd_u32(c);
    u32 len = rd_u32(c);
    if ((u64)(c->end - c->p) < len) { c->bad = 1; return; }
    c->p += len;
  }
}

/* Changing uid/gid clears PR_SET_PDEATHSIG (prctl(2)): without arming it again, a payload
 * running as another user would outlive a killed launcher, unseen by anyone. */
static void rearm_pdeathsig(void) {
  sys2(NR_prctl, PR_SET_PDEATHSIG, SIGKILL);
}

/* OP_WAIT_JVM: the JVM gets the child's pid and acts on it while the child waits on its go
 * pipe — newuidmap/newgidmap (setuid helpers) write wide id maps for a non-root JVM, which the
 * launcher itself may not. Signal commands arriving meanwhile are dropped: nothing runs yet. */
static int ctl;
static long do_wait_jvm(struct failure *f, s32 child_pid) {
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

/* Runs `count` ops from the cursor; returns 0 or -1 with *f filled. */
/* open("/proc/PID/ns/NAME"): a namespace of a process, held or joined by fd. */
static long open_ns(s32 pid, const char *name) {
  char path[48] = "/proc/";
  int n = 6 + utoa(path + 6, (u64)pid);
  memcpy(path + n, "/ns/", 4);
  memcpy(path + n + 4, name, slen(name) + 1);
  return sys4(NR_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC, 0);
}

/* A new network namespace starts with "lo" down; ioctl is all it takes to raise it. */
static long loopback_up(u32 *sc) {
  long s = sys3(NR_socket, 2 /* AF_INET */, 2 /* SOCK_DGRAM */ | O_CLOEXEC, 0);
  if (s < 0) { *sc = SC_SOCKET; return s; }
  struct { char name[16]; short flags; char pad[22]; } ifr;
  memset(&ifr, 0, sizeof ifr);
  ifr.name[0] = 'l';
  ifr.name[1] = 'o';
  long r = sys3(NR_ioctl, s, 0x8913 /* SIOCGIFFLAGS */, &ifr);
  if (r >= 0) {
    ifr.flags |= 1 /* IFF_UP */;
    r = sys3(NR_ioctl, s, 0x8914 /* SIOCSIFFLAGS */, &ifr);
  }
  sys1(NR_close, s);
  if (r < 0) *sc = SC_IOCTL;
  return r;
}

/* ---- OP_NET_HELPER / OP_JOIN_NET: the network namespace, made beside the child ----
 * Creating a network namespace is the single most expensive step of a sandbox (~0.5 ms of
 * kernel work here: loopback device, sysctl tables, per-protocol state). Done by clone3 it
 * delays everything the child does. A helper process makes it instead, in parallel with the
 * child's mounts: it joins the child's user namespace (so the new namespace is owned by it,
 * exactly as if clone3 had made it), unshares a network namespace, raises lo, and passes the
 * namespace's fd over a socketpair; the child setns into it before the first step that needs
 * it (mounting sysfs, which is tagged with the mounter's network namespace). */
/* OP_CLONE_INTO_CGROUP: a cgroup2 directory the child is born in. Born there, it never
 * migrates: a migration (a cgroup.procs write) takes cgroup_threadgroup_rwsem for writing,
 * which waits for an RCU grace period — 5-15 ms per start measured on this kind of host. */
static s32 into_cgroup_fd = -1;
static const char *into_cgroup_path; /* in the plan buffer */

/* OP_REMOVE_ON_EXIT: a detached sandbox's cgroups. Nobody else knows when it has ended for good
 * (its JVM may be long gone), so the monitor removes them then; a monitor that dies first
 * leaves them to `rm`. Pointers into the plan buffer. */
#define REMOVE_MAX 16
static const char *remove_on_exit[REMOVE_MAX];
static u32 nremove;

static void remove_dirs(void) {
  for (u32 i = 0; i < nremove; i++)
    for (int tries = 0; tries < 20; tries++) { /* EBUSY: a task still leaving (v1 frees it lazily) */
      long r = sys3(NR_unlinkat, AT_FDCWD, remove_on_exit[i], 0x200 /* AT_REMOVEDIR */);
      if (r != -EBUSY) break;
      struct { long s, ns; } t = {0, 10000000};
      sys5(NR_ppoll, 0, 0, &t, 0, 8);
    }
}

static s32 child_go_fd = -1; /* the child's go pipe, kept for OP_AWAIT_JVM */
static u32 plan_flags;
static s32 net_sock[2] = {-1, -1}; /* [0] the child's end, [1] the helper's */
static s32 net_helper_pid = -1;

/* msg = {syscall, errno} of a failure, or {0, 0} with the namespace fd attached */
static void send_netns(s32 nsfd, u32 sc, s32 err) {
  u32 msg[2] = {sc, (u32)err};
  struct iovec iov = {msg, sizeof msg};
  union { struct cmsghdr h; unsigned char buf[sizeof(struct cmsghdr) + 8]; } cm;
  struct msghdr m = {0, 0, &iov, 1, 0, 0, 0};
  if (nsfd >= 0) {
    memset(&cm, 0, sizeof cm);
    cm.h.len = sizeof(struct cmsghdr) + 4;
    cm.h.level = SOL_SOCKET;
    cm.h.type = SCM_RIGHTS;
    memcpy(cm.buf + sizeof(struct cmsghdr), &nsfd, 4);
    m.control = cm.buf;
    m.controllen = sizeof cm.buf;
  }
  sys3(NR_sendmsg, net_sock[1], &m, MSG_NOSIGNAL); /* EPIPE: the child is gone; nothing to do */
}

static __attribute__((noreturn)) void net_helper(s32 child_pid, u32 join_user) {
  u32 sc = 0;
  long r = 0;
  if (join_user) {
    /* the launcher created the child's user namespace, so its creator's euid has every
     * capability there (user_namespaces(7)), and a single-threaded fork may setns into it */
    r = open_ns(child_pid, "user");
    if (r < 0) { sc = SC_OPENAT; goto fail; }
    r = sys2(NR_setns, r, CLONE_NEWUSER);
    if (r < 0) { sc = SC_SETNS; goto fail; }
  }
  r = sys1(NR_unshare, CLONE_NEWNET);
  if (r < 0) { sc = SC_UNSHARE; goto fail; }
  r = loopback_up(&sc);
  if (r < 0) goto fail;
  r = sys4(NR_openat, AT_FDCWD, "/proc/self/ns/net", O_RDONLY | O_CLOEXEC, 0);
  if (r < 0) { sc = SC_OPENAT; goto fail; }
  send_netns((s32)r, 0, 0);
  die(0);
fail:
  send_netns(-1, sc, (s32)-r);
  die(1);
}

static void reap_net_helper(int kill_it) {
  if (net_helper_pid <= 0) return;
  if (kill_it) sys2(NR_kill, net_helper_pid, SIGKILL);
  struct siginfo_min si;
  long r;
  do r = sys5(NR_waitid, P_PID, net_helper_pid, &si, WEXITED, 0); while (r == -EINTR);
  net_helper_pid = -1;
}

static long run_ops(struct cursor *c, u32 count, u32 phase, struct failure *f, s32 child_pid) {
  for (u32 i = 0; i < count; i++) {
    u32 op = rd_u32(c), len = rd_u32(c);
    if (c->bad || (u64)(c->end - c->p) < len) { f->phase = phase; f->index = i; f->opcode = op; FAIL(SC_PLAN, -EINVAL); }
    struct cursor oc = {c->p, c->p + len, 0};
    c->p += len;
    f->phase = phase;
    f->index = i;
    f->opcode = op;
    f->detail[0] = 0;
    long r = 0;
    switch (op) {
    case OP_HOSTNAME: {
      const char *s = rd_str(&oc);
      r = sys2(NR_sethostname, s, slen(s));
      if (r < 0) FAIL(SC_SETHOSTNAME, r);
      break;
    }
    case OP_DOMAINNAME: {
      const char *s = rd_str(&oc);
      r = sys2(NR_setdomainname, s, slen(s));
      if (r < 0) FAIL(SC_SETDOMAINNAME, r);
      break;
    }
    case OP_MOUNT: if (do_mount(&oc, f) < 0) return -1; break;
    case OP_REMOUNT: if (do_remount(&oc, f) < 0) return -1; break;
    case OP_MASK_PATH: if (do_mask(&oc, f) < 0) return -1; break;
    case OP_MKDIR: {
      const char *p = rd_str(&oc);
      u32 sc = 0;
      set_detail(f, p);
      r = mkdirs_in_root(p, 1, &sc);
      if (r < 0) FAIL(sc, r);
      break;
    }
    case OP_SYMLINK: if (do_symlink(&oc, f) < 0) return -1; break;
    case OP_WRITE_FILE: if (do_write_file(&oc, f) < 0) return -1; break;
    case OP_ROOT_OPEN: {
      const char *p = rd_str(&oc);
      set_detail(f, p);
      if (root_fd >= 0) sys1(NR_close, root_fd);
      root_fd = (int)sys4(NR_openat, AT_FDCWD, p, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
      if (root_fd < 0) { r = root_fd; root_fd = -1; FAIL(SC_OPENAT, r); }
      break;
    }
    case OP_PIVOT_ROOT: if (do_pivot_root(rd_str(&oc), f) < 0) return -1; break;
    case OP_CHDIR: {
      const char *p = rd_str(&oc);
      set_detail(f, p);
      r = sys1(NR_chdir, p);
      if (r < 0) FAIL(SC_CHDIR, r);
      break;
    }
    case OP_SETSID:
      r = sys0(NR_setsid);
      if (r < 0) FAIL(SC_SETSID, r);
      break;
    case OP_SETGROUPS: {
      u32 n = rd_u32(&oc);
      if (n > 65536 || (u64)(oc.end - oc.p) < (u64)n * 4) FAIL(SC_PLAN, -EINVAL);
      r = sys2(NR_setgroups, n, oc.p);
      if (r < 0) FAIL(SC_SETGROUPS, r);
      break;
    }
    case OP_SETRESGID: {
      u32 g = rd_u32(&oc);
      r = sys3(NR_setresgid, g, g, g);
      if (r < 0) FAIL(SC_SETRESGID, r);
      rearm_pdeathsig();
      break;
    }
    case OP_SETRESUID: {
      u32 u = rd_u32(&oc);
      r = sys3(NR_setresuid, u, u, u);
      if (r < 0) FAIL(SC_SETRESUID, r);
      rearm_pdeathsig();
      break;
    }
    case OP_KEEPCAPS:
      r = sys2(NR_prctl, PR_SET_KEEPCAPS, rd_u32(&oc));
      if (r < 0) FAIL(SC_PRCTL, r);
      break;
    case OP_CAPS: if (do_caps(&oc, f) < 0) return -1; break;
    case OP_NO_NEW_PRIVS:
      r = sys5(NR_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
      if (r < 0) FAIL(SC_PRCTL, r);
      break;
    case OP_RLIMIT: {
      u32 res = rd_u32(&oc);
      struct rlimit64 rl = {rd_u64(&oc), rd_u64(&oc)};
      r = sys4(NR_prlimit64, 0, res, &rl, 0);
      if (r < 0) FAIL(SC_PRLIMIT, r);
      break;
    }
    case OP_SECCOMP: {
      u32 flags = rd_u32(&oc), len2;
      const unsigned char *prog = rd_blob(&oc, &len2);
      if (oc.bad || len2 % 8 || len2 / 8 > 65535) FAIL(SC_PLAN, -EINVAL);
      /* The filter may be anywhere in the plan; the kernel copies it, alignment is ours. */
      static unsigned long long aligned[65536];
      memcpy(aligned, prog, len2);
      struct sock_fprog fp = {(unsigned short)(len2 / 8), aligned};
      r = sys3(NR_seccomp, SECCOMP_SET_MODE_FILTER, flags, &fp);
      if (r < 0) FAIL(SC_SECCOMP, r);
      break;
    }
    case OP_CLOSE_FDS: if (do_close_fds(f) < 0) return -1; break;
    case OP_UMASK: sys1(NR_umask, rd_u32(&oc)); break;
    case OP_EXEC: do_exec(&oc, f); return -1;
    case OP_INIT: if (do_init(f) < 0) return -1; break;
    case OP_STATUS_FILE: status_file = rd_str(&oc); break;
    case OP_RESTART:
      restart_mode = rd_u32(&oc);
      restart_max = rd_u32(&oc);
      restart_marker = rd_str(&oc);
      restart_pid_file = rd_str(&oc);
      break;
    case OP_REMOVE_ON_EXIT: {
      u32 n = rd_u32(&oc);
      for (u32 i = 0; i < n; i++) {
        const char *d = rd_str(&oc);
        if (nremove < REMOVE_MAX) remove_on_exit[nremove++] = d;
      }
      break;
    }
    case OP_ATTACH:
      att_path = rd_str(&oc);
      att_flags = rd_u32(&oc);
      break;
    case OP_SETCTTY:
      /* after setsid: a session leader without a terminal acquires stdin, the pty slave */
      r = sys3(NR_ioctl, 0, 0x540E /* TIOCSCTTY */, 0);
      if (r < 0) FAIL(SC_IOCTL, r);
      break;
    case OP_LOG:
      log_path = rd_str(&oc);
      log_max = rd_u64(&oc);
      log_files = rd_u32(&oc);
      if (log_files < 1 || log_files > 100) FAIL(SC_PLAN, -EINVAL);
      break;
    case OP_MAKE_PRIVATE: {
      const char *p = rd_str(&oc);
      set_detail(f, p);
      r = sys5(NR_mount, 0, p, 0, MS_REC | MS_PRIVATE, 0);
      if (r < 0) FAIL(SC_MOUNT, r);
      break;
    }
    case OP_UNSHARE:
      r = sys1(NR_unshare, rd_u32(&oc));
      if (r < 0) FAIL(SC_UNSHARE, r);
      break;
    case OP_SETNS: {
      const char *p = rd_str(&oc);
      u32 type = rd_u32(&oc);
      set_detail(f, p);
      long fd = sys4(NR_openat, AT_FDCWD, p, O_RDONLY | O_CLOEXEC, 0);
      if (fd < 0) FAIL(SC_OPENAT, fd);
      r = sys2(NR_setns, fd, type);
      sys1(NR_close, fd);
      if (r < 0) FAIL(SC_SETNS, r);
      break;
    }
    case OP_WRITE_PID: {
      const char *pt = rd_str(&oc), *ct = rd_str(&oc);
      char path[4096], content[4096];
      size_t pi = 0, ci = 0;
      for (const char *s = pt; *s && pi < sizeof path - 24; s++) {
        if (s[0] == '%' && s[1] == 'p') { pi += (size_t)utoa(path + pi, (u64)child_pid); s++; }
        else path[pi++] = *s;
      }
      path[pi] = 0;
      for (const char *s = ct; *s && ci < sizeof content - 24; s++) {
        if (s[0] == '%' && s[1] == 'p') { ci += (size_t)utoa(content + ci, (u64)child_pid); s++; }
        else content[ci++] = *s;
      }
      set_detail(f, path);
      long fd = sys4(NR_openat, AT_FDCWD, path, O_WRONLY | O_CLOEXEC, 0);
      if (fd < 0) FAIL(SC_OPENAT, fd);
      /* One write(2): id maps must be written in a single call (user_namespaces(7)). */
      r = sys3(NR_write, fd, content, ci);
      sys1(NR_close, fd);
      if (r < 0) FAIL(SC_WRITE, r);
      break;
    }
    case OP_CLONE_INTO_CGROUP: {
      const char *p = rd_str(&oc);
      set_detail(f, p);
      long fd = sys4(NR_openat, AT_FDCWD, p, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
      if (fd < 0) FAIL(SC_OPENAT, fd);
      if (into_cgroup_fd >= 0) sys1(NR_close, into_cgroup_fd);
      into_cgroup_fd = (s32)fd;
      into_cgroup_path = p;
      break;
    }
    case OP_DETACH: {
      const char *p = rd_str(&oc);
      set_detail(f, p);
      r = sys2(NR_umount2, p, MNT_DETACH);
      if (r < 0) FAIL(SC_UMOUNT2, r);
      break;
    }
    case OP_HOLD: {
      const char *p = rd_str(&oc);
      u32 optional = rd_u32(&oc);
      set_detail(f, p);
      if (nheld >= HELD_MAX) FAIL(SC_PLAN, -EINVAL);
      long fd = sys4(NR_openat, AT_FDCWD, p, O_PATH | O_CLOEXEC, 0);
      if (fd == -ENOENT && optional) fd = -1;
      else if (fd < 0) FAIL(SC_OPENAT, fd);
      held[nheld++] = (int)fd;
      break;
    }
    case OP_WAIT_JVM: if (do_wait_jvm(f, child_pid) < 0) return -1; break;
    case OP_LOOPBACK_UP: {
      set_detail(f, "lo");
      u32 sc = 0;
      r = loopback_up(&sc);
      if (r < 0) FAIL(sc, r);
      break;
    }
    case OP_NET_HELPER: {
      u32 join_user = rd_u32(&oc);
      if (net_sock[1] < 0) FAIL(SC_PLAN, -EINVAL); /* the plan lacks PF_NET_HELPER */
      r = sys5(NR_clone, SIGCHLD, 0, 0, 0, 0);
      if (r < 0) FAIL(SC_CLONE, r);
      if (r == 0) net_helper(child_pid, join_user);
      net_helper_pid = (s32)r;
      sys1(NR_close, net_sock[1]);
      net_sock[1] = -1;
      break;
    }
    case OP_AWAIT_JVM: {
      /* a second byte on the go pipe: the launcher relays the JVM's CMD_READY; EOF means the
       * JVM gave up (its cgroup setup failed) and the launcher is killing us anyway */
      char b;
      do r = sys3(NR_read, child_go_fd, &b, 1); while (r == -EINTR);
      if (r != 1) die(126);
      sys1(NR_close, child_go_fd);
      child_go_fd = -1;
      break;
    }
    case OP_JOIN_NET: {
      set_detail(f, "network namespace from the helper");
      u32 msg[2] = {0, 0};
      struct iovec iov = {msg, sizeof msg};
      union { struct cmsghdr h; unsigned char buf[sizeof(struct cmsghdr) + 8]; } cm;
      struct msghdr m = {0, 0, &iov, 1, cm.buf, sizeof cm.buf, 0};
      do r = sys3(NR_recvmsg, net_sock[0], &m, MSG_CMSG_CLOEXEC); while (r == -EINTR);
      sys1(NR_close, net_sock[0]);
      net_sock[0] = -1;
      if (r < 0) FAIL(SC_READ, r);
      if (r != (long)sizeof msg) FAIL(SC_READ, -EPIPE); /* the helper died without a word */
      if (m.controllen < sizeof(struct cmsghdr) || cm.h.type != SCM_RIGHTS) {
        /* the helper's own failure: its system call and errno */
        set_detail(f, "creating the network namespace (helper)");
        f->syscall = msg[0];
        f->err = (s32)msg[1];
        return -1;
      }
      s32 nsfd;
      memcpy(&nsfd, cm.buf + sizeof(struct cmsghdr), 4);
      r = sys2(NR_setns, nsfd, CLONE_NEWNET);
      sys1(NR_close, nsfd);
      if (r < 0) FAIL(SC_SETNS, r);
      break;
    }
    default:
      FAIL(SC_PLAN, -ENOSYS);
    }
    if (oc.bad) FAIL(SC_PLAN, -EINVAL);
  }
  return 0;
}

/* ---- the child ---- */
static __attribute__((noreturn)) void child_main(struct cursor *c, u32 nchild, int go_rd, int err_wr) {
  struct failure f;
  memset(&f, 0, sizeof f);
  /* Die with the launcher: it is single-threaded, so "parent thread exits" means it exits. */
  sys2(NR_prctl, PR_SET_PDEATHSIG, SIGKILL);
  char b;
  long r;
  do r = sys3(NR_read, go_rd, &b, 1); while (r == -EINTR);
  if (r != 1) die(126); /* the launcher gave up on us (it reports why) */
  if (plan_flags & PF_AWAIT_JVM) child_go_fd = go_rd;
  else sys1(NR_close, go_rd);
  child_err_fd = err_wr;
  if (run_ops(c, nchild, PHASE_CHILD, &f, 0) < 0) {
    unsigned char buf[sizeof f];
    memcpy(buf, &f, sizeof f);
    xwrite_all(err_wr, buf, sizeof f);
  }
  die(127);
}

/* ---- the launcher ---- */
static int ctl = 3;
static s32 child = -1;
static long child_pidfd = -1;

/* PF_AWAIT_JVM: while the child sets up its root, the JVM makes its cgroups; relay its
 * CMD_READY as a second byte on the go pipe. Returns early if the child reports (it failed
 * before waiting); a JVM that aborts or goes away ends the start: the child is killed. */
static void await_jvm(int go_wr, int err_rd) {
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

static void fail_and_exit(struct failure *f) {
  reap_net_helper(1);
  remove_dirs(); /* a detached sandbox that could not (re)start: its cgroups go with it */
  if (restarts) write_status_file(1 /* CLD_EXITED */, 127); /* a restart that could not start */
  if (att_listen >= 0) sys3(NR_unlinkat, AT_FDCWD, att_path, 0);
  send_failure(ctl, f);
  die(1);
}

/* Reads one command; -1 on EOF or a malformed frame (the JVM side is gone or broken). */
static int handle_command(void) {
  u32 hdr[2];
  s32 arg;
  if (ctl < 0) return 0;
  if (xread_full(ctl, hdr, sizeof hdr) != (long)sizeof hdr) return -1;
  if (hdr[1] != 4 || xread_full(ctl, &arg, 4) != 4) return -1;
  if (hdr[0] == CMD_SIGNAL) {
    if (child_pidfd >= 0) sys4(NR_pidfd_send_signal, child_pidfd, arg, 0, 0);
    else sys2(NR_kill, child, arg);
  } else if (hdr[0] == CMD_SIGNAL_GROUP) {
    sys2(NR_kill, -child, arg);
  }
  return 0;
}

/* ATTACH_HOLD: the CLI's run -t (without -d) starts the sandbox detached and attaches to it
 * at once; docker attaches before it starts the container, so the client sees all the output.
 * Here the payload already runs when the JVM learns it started: read none of its output (it
 * waits in the terminal, or the pipe, whose writer blocks when full) until the first client
 * is accepted — or the JVM lets go of us without attaching (EOF on the control socket). */
static void att_hold(void) {
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

static s32 mntns_fd = -1; /* the child's mount namespace, held until we exit */

static __attribute__((noreturn)) void launcher_main(void) {
  struct failure f;
  memset(&f, 0, sizeof f);
  f.phase = PHASE_PLAN;
  /* Nothing of the JVM beyond stdio and the control socket may survive into the sandbox:
   * posix_spawn inherits every fd the JVM did not mark close-on-exec (CVE-2024-21626 class). */
  if (sys3(NR_close_range, 4, ~0u, 0) < 0)
    for (int fd = 4; fd < 65536; fd++) sys1(NR_close, fd);

  u32 len = 0;
  if (xread_full(ctl, &len, 4) != 4 || len > PLAN_MAX || len < 32) { f.syscall = SC_READ; f.err = EINVAL; fail_and_exit(&f); }
  if (xread_full(ctl, plan, len) != (long)len) { f.syscall = SC_READ; f.err = EINVAL; fail_and_exit(&f); }
  plan_len = len;
  struct cursor c = {plan, plan + len, 0};
  u32 magic = rd_u32(&c), version = rd_u32(&c);
  u64 clone_flags = rd_u64(&c);
  u32 pflags = rd_u32(&c), npre = rd_u32(&c), nparent = rd_u32(&c), nchild = rd_u32(&c);
  plan_flags = pflags;
  if (c.bad || magic != PLAN_MAGIC || version != PLAN_VERSION) { f.syscall = SC_PLAN; f.err = EINVAL; fail_and_exit(&f); }
  /* Detached: leave the JVM's session, so a Ctrl-C or hang-up aimed at the JVM's terminal
   * does not reach the monitor (whose death would take the sandbox along: PDEATHSIG). */
  if (!(pflags & PF_KILL_ON_EOF)) sys0(NR_setsid);

  if (run_ops(&c, npre, PHASE_PRE, &f, 0) < 0) fail_and_exit(&f);
  if (log_setup(&f) < 0) fail_and_exit(&f);
  if (attach_setup(&f) < 0) fail_and_exit(&f);
  struct cursor after_pre = c;
  if (!(clone_flags & CLONE_NEWPID)) subreaper = sys2(NR_prctl, PR_SET_CHILD_SUBREAPER, 1) == 0;

again:
  c = after_pre;

  int go[2], err[2];
  long r = sys2(NR_pipe2, go, O_CLOEXEC);
  if (r >= 0) r = sys2(NR_pipe2, err, O_CLOEXEC);
  if (r < 0) { f.syscall = SC_PIPE2; f.err = (s32)-r; fail_and_exit(&f); }
  if (pflags & PF_NET_HELPER) {
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
      sys4(NR_rt_sigprocmask, SIG_SETMASK, &att_oldmask, 0, 8);
    }
    child_main(&c, nchild, go[0], err[1]);
  }
  child = (s32)pid;
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
      sys2(NR_kill, child, SIGKILL);
      struct siginfo_min si;
      sys5(NR_waitid, P_PID, child, &si, WEXITED, 0);
      fail_and_exit(&f);
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
  if (net_sock[1] >= 0) { sys1(NR_close, net_sock[1]); net_sock[1] = -1; } /* no helper ran: the child sees EOF */
  if (pr < 0) {
    sys2(NR_kill, child, SIGKILL);
    struct siginfo_min si;
    sys5(NR_waitid, P_PID, child, &si, WEXITED, 0);
    fail_and_exit(&f);
  }
  /* Not dumpable only now: a non-dumpable process's /proc/PID files belong to root, and the
   * child inherits the flag at clone — a non-root launcher could then not write the child's
   * setgroups/uid_map above (EACCES). */
  if (pflags & PF_NOT_DUMPABLE) sys2(NR_prctl, PR_SET_DUMPABLE, 0);
  char one = 1;
  xwrite_all(go[1], &one, 1);
  if (pflags & PF_AWAIT_JVM) await_jvm(go[1], err[0]);
  sys1(NR_close, go[1]);

  /* Exec succeeded when the close-on-exec error pipe closes with nothing written. */
  struct failure cf;
  long n = xread_full(err[0], &cf, sizeof cf);
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

  /* Monitor: wait for the child's exit, commands from the JVM, or the JVM's death. */
  for (;;) {
    /* negative fds are ignored by poll: a gone JVM (detached), no pidfd, no log */
    int gated = att_gated(0); /* then wait for the primary client's room, not for output */
    struct pollfd pfd[6 + ATT_CLIENTS] = {{ctl, POLLIN, 0}, {(s32)child_pidfd, POLLIN, 0}, {gated ? -1 : log_pipe[0][0], POLLIN, 0},
                                          {gated ? -1 : log_pipe[1][0], POLLIN, 0}, {att_listen, POLLIN, 0}, {att_plen ? att_in : -1, POLLOUT, 0}};
    /* clients are read only when no input is pending: the payload's pace slows them down */
    for (int i = 0; i < ATT_CLIENTS; i++) pfd[6 + i] = (struct pollfd){att_plen || !att_path ? -1 : att_cl[i].fd, POLLIN, 0};
    if (gated) pfd[6 + att_primary] = (struct pollfd){att_cl[att_primary].fd, (short)(POLLOUT | (att_plen ? 0 : POLLIN)), 0};
    /* without a pidfd (kernel < 5.3) fall back to polling the child every 10 ms */
    struct { long s, ns; } tick = {0, 10000000}, second = {1, 0};
    r = sys5(NR_ppoll, pfd, 6 + ATT_CLIENTS, child_pidfd < 0 ? &tick : subreaper ? &second : 0, 0, 8);
    if (r == -EINTR) continue;
    if (subreaper) reap_orphans(child, 0);
    for (int i = 0; i < 2; i++)
      if ((pfd[2 + i].revents & (POLLIN | POLLHUP | POLLERR)) && !log_pump(i)) { sys1(NR_close, log_pipe[i][0]); log_pipe[i][0] = -1; }
    if (pfd[5].revents) att_flush();
    for (int i = 0; i < ATT_CLIENTS; i++)
      if ((pfd[6 + i].revents & ~POLLOUT) && att_cl[i].fd >= 0 && !att_plen) {
        att_read(i);
        if (att_plen) att_flush();
      }
    if (pfd[4].revents & POLLIN) att_accept();
    if (child_pidfd >= 0 && (pfd[1].revents & POLLIN)) break;
    if (pfd[0].revents & (POLLIN | POLLHUP)) {
      if (handle_command() < 0) {
        /* EOF on the control socket: the JVM is gone (or let go of us). */
        if (pflags & PF_KILL_ON_EOF) {
          sys2(NR_kill, -child, SIGKILL);
          sys2(NR_kill, child, SIGKILL);
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
  /* The sandbox ends with its first process (as a container does). With a PID namespace the
   * kernel kills the rest; without one, kill its process group (the child did setsid, so the
   * group is the sandbox's) — while the unreaped child still pins the pid, so the group id
   * cannot have been reused by anyone else. */
  struct siginfo_min si;
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
      goto again;
    }
  }
  if (ctl >= 0) send_frame(ctl, MSG_EXITED, status, sizeof status);
  if (att_listen >= 0) sys3(NR_unlinkat, AT_FDCWD, att_path, 0);
  remove_dirs();
  die(0);
}

/* ---- the spawn server ----
 * posix_spawn of this program costs an exec (mapping and faulting in a new image) on every
 * sandbox start. Started once with "--serve", the launcher instead waits for start requests
 * on fd 3 and forks itself for each: a fork of this tiny, single-threaded process copies a few
 * page tables, and the child runs launcher_main exactly as a freshly spawned launcher would.
 * Policy-free like the rest: it only hands the four fds it receives to the child. */
static __attribute__((noreturn)) void serve_main(void) {
  if (sys3(NR_close_range, 4, ~0u, 0) < 0)
    for (int fd = 4; fd < 65536; fd++) sys1(NR_close, fd);
  /* Children are reaped by the kernel: the JVM learns of each launcher's end from its own
   * control socket, and nobody here needs their status. */
  struct ksigaction ign = {SIG_IGN, 0, 0, 0}, dfl = {SIG_DFL, 0, 0, 0};
  sys4(NR_rt_sigaction, SIGCHLD, &ign, 0, 8);
  for (;;) {
    u32 magic = 0;
    struct iovec iov = {&magic, sizeof magic};
    union { struct cmsghdr h; unsigned char buf[sizeof(struct cmsghdr) + 4 * SERVE_FDS + 8]; } cm;
    struct msghdr m = {0, 0, &iov, 1, cm.buf, sizeof cm.buf, 0};
    long n = sys3(NR_recvmsg, 3, &m, MSG_CMSG_CLOEXEC);
    if (n == -EINTR) continue;
    if (n <= 0) die(0); /* EOF: the JVM is gone or let go of us */
    s32 fds[SERVE_FDS];
    u32 nfds = 0;
    if (m.controllen >= sizeof(struct cmsghdr) && cm.h.level == SOL_SOCKET && cm.h.type == SCM_RIGHTS) {
      nfds = (u32)((cm.h.len - sizeof(struct cmsghdr)) / 4);
      if (nfds > SERVE_FDS) nfds = SERVE_FDS;
      memcpy(fds, cm.buf + sizeof(struct cmsghdr), nfds * 4);
    }
    if (n == 4 && magic == SERVE_MAGIC && nfds == SERVE_FDS && !(m.flags & MSG_CTRUNC)) {
      long pid = sys5(NR_clone, SIGCHLD, 0, 0, 0, 0);
      if (pid == 0) {
        sys4(NR_rt_sigaction, SIGCHLD, &dfl, 0, 8);
        sys2(NR_setpgid, 0, 0); /* its own process group, as posix_spawn gave it */
        /* 0-3 are taken here (/dev/null and the server socket), so every received fd is >= 4 */
        for (int i = 0; i < SERVE_FDS; i++) sys3(NR_dup3, fds[i], i, 0);
        launcher_main(); /* closes the received copies (close_range from 4) */
      }
      if (pid < 0) {
        struct failure f;
        memset(&f, 0, sizeof f);
        f.phase = PHASE_PLAN;
        f.syscall = SC_CLONE;
        f.err = (s32)-pid;
        set_detail(&f, "the spawn server could not fork a launcher");
        send_failure(fds[3], &f);
      }
    }
    for (u32 i = 0; i < nfds; i++) sys1(NR_close, fds[i]);
  }
}

static int streq(const char *a, const char *b) {
  while (*a && *a == *b) a++, b++;
  return *a == *b;
}

/* sp: what the kernel left on the stack — argc, then argv[]. */
void launcher_entry(long *sp) {
  long argc = sp[0];
  char **argv = (char **)(sp + 1);
  if (argc > 1 && streq(argv[1], "--serve")) serve_main();
  launcher_main();
}

/* Entry point: no libc, so no crt; the kernel jumps here with the stack holding argc/argv. */
#if defined(__x86_64__)
__asm__(".text\n.global _start\n_start:\n xor %rbp,%rbp\n mov %rsp,%rdi\n and $-16,%rsp\n call launcher_entry\n hlt\n");
#else
__asm__(".text\n.global _start\n_start:\n mov x29, #0\n mov x30, #0\n mov x0, sp\n bl launcher_entry\n brk #0\n");
#endif
