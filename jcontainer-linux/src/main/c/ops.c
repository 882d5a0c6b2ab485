/*
 * ops.c — the ops stage: one phase's ops (plan.h), executed in order, each one system call or a
 * short fixed sequence. Policy-free: what to do, in which order, is the JVM's (PlanCompiler);
 * this only does it and reports the first failure precisely (op index, call, errno, path).
 */
#include "launcher.h"

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
/* Makes every missing directory of path (the last one too if last_too) inside the root. A last
 * directory this call creates gets last_mode (when not 0) by fchmod, so the umask cannot take the
 * sticky /tmp's write bits; one that existed keeps its mode (a user's rootfs is not changed). */
static long mkdirs_in_root(const char *path, int last_too, u32 last_mode, u32 *sc) {
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
      if (r == 0 && saved == 0 && last_mode) {
        long d = sys4(NR_openat, dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
        if (d >= 0) {
          r = sys2(NR_fchmod, d, last_mode);
          sys1(NR_close, d);
        } else {
          r = d;
        }
        if (r < 0) { sys1(NR_close, dfd); *sc = SC_MKDIRAT; return r; }
      }
      sys1(NR_close, dfd);
      if (r < 0 && r != -EEXIST) { *sc = SC_MKDIRAT; return r; }
    }
    buf[i] = saved;
    while (buf[i + 1] == '/') i++;
  }
  return 0;
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

/* Opens (creating if asked) a mount target inside the root and returns an O_PATH fd. */
static long target_fd(const char *path, u32 mflags, u32 *sc) {
  long fd = open_in_root(path, O_PATH);
  if (fd == -ENOENT && (mflags & (MF_MKDIR | MF_MKFILE))) {
    fd = target_fast(path, mflags);
    if (fd >= 0) return fd;
  }
  if (fd == -ENOENT && (mflags & (MF_MKDIR | MF_MKFILE))) {
    long r = mkdirs_in_root(path, (mflags & MF_MKDIR) != 0, 0, sc);
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

/* The new root, attached by descriptor. Its mount point lies in jcontainer's runtime directory on
 * the host: it is opened once, without following a symlink, and the root file system is made
 * detached (open_tree for a bind, fsopen/fsconfig/fsmount for a fresh one) and moved onto that
 * descriptor. Nothing looks the path up a second time, so a rename in the directory between two
 * lookups cannot put another directory under the container (SECURITY.md row 35). The attached tree
 * is the root dirfd. */
static long mount_new_root(const char *src, const char *tgt, const char *fstype, u64 flags, const char *data,
                           struct failure *f) {
  long mp = sys4(NR_openat, AT_FDCWD, tgt, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
  if (mp < 0) FAIL(SC_OPENAT, mp);
  long tree;
  if (flags & MS_BIND) {
    tree = sys3(NR_open_tree, AT_FDCWD, src, 1 /* OPEN_TREE_CLONE */ | O_CLOEXEC | ((flags & MS_REC) ? 0x8000 /* AT_RECURSIVE */ : 0));
    if (tree < 0) { sys1(NR_close, mp); set_detail(f, src); FAIL(SC_OPEN_TREE, tree); }
    long r = setattr_recursive(tree, flags);
    if (r < 0) { sys1(NR_close, tree); sys1(NR_close, mp); FAIL(SC_MOUNT_SETATTR, r); }
  } else {
    long fs = sys2(NR_fsopen, fstype, 1 /* FSOPEN_CLOEXEC */);
    if (fs < 0) { sys1(NR_close, mp); FAIL(SC_FSOPEN, fs); }
    /* data is "key=value,key,..." as for mount(2) */
    char opt[4096];
    u64 n = slen(data), start = 0;
    for (u64 i = 0; i <= n; i++) {
      if (i < n && data[i] != ',') continue;
      u64 len = i - start;
      if (len > 0 && len < sizeof opt) {
        memcpy(opt, data + start, len);
        opt[len] = 0;
        char *val = 0;
        for (u64 k = 0; k < len; k++) if (opt[k] == '=') { opt[k] = 0; val = opt + k + 1; break; }
        long r;
        if (val && slen(val) > 255 && streq(opt, "lowerdir")) {
          /* fsconfig copies at most 256 bytes of a string value: an image's many lower layers
           * go one by one, topmost first, as "lowerdir+" (Linux 6.8+) — the same stack. */
          r = 0;
          for (char *seg = val; r >= 0 && *seg;) {
            char *end = seg;
            while (*end && *end != ':') end++;
            char saved = *end;
            *end = 0;
            r = sys5(NR_fsconfig, fs, 1 /* FSCONFIG_SET_STRING */, "lowerdir+", seg, 0);
            *end = saved;
            seg = saved ? end + 1 : end;
          }
        } else {
          r = sys5(NR_fsconfig, fs, val ? 1 /* FSCONFIG_SET_STRING */ : 0 /* FSCONFIG_SET_FLAG */, opt, val, 0);
        }
        if (r < 0) { sys1(NR_close, fs); sys1(NR_close, mp); set_detail(f, opt); FAIL(SC_FSCONFIG, r); }
      } else if (len > 0) {
        sys1(NR_close, fs); sys1(NR_close, mp); FAIL(SC_FSCONFIG, -E2BIG);
      }
      start = i + 1;
    }
    long r = sys5(NR_fsconfig, fs, 6 /* FSCONFIG_CMD_CREATE */, 0, 0, 0);
    if (r < 0) { sys1(NR_close, fs); sys1(NR_close, mp); FAIL(SC_FSCONFIG, r); }
    u64 attr = (flags & MS_RDONLY ? 1 : 0) | (flags & MS_NOSUID ? 2 : 0) | (flags & MS_NODEV ? 4 : 0) | (flags & MS_NOEXEC ? 8 : 0);
    tree = sys3(NR_fsmount, fs, 1 /* FSMOUNT_CLOEXEC */, attr);
    sys1(NR_close, fs);
    if (tree < 0) { sys1(NR_close, mp); FAIL(SC_FSMOUNT, tree); }
  }
  long r = sys5(NR_move_mount, tree, "", mp, "", 0x4 /* MOVE_MOUNT_F_EMPTY_PATH */ | 0x40 /* MOVE_MOUNT_T_EMPTY_PATH */);
  sys1(NR_close, mp);
  if (r < 0) { sys1(NR_close, tree); FAIL(SC_MOVE_MOUNT, r); }
  if (root_fd >= 0) sys1(NR_close, root_fd);
  root_fd = (int)tree;
  return 0;
}

static long do_mount(struct cursor *c, struct failure *f) {
  const char *src = rd_str(c), *tgt = rd_str(c), *fstype = rd_str(c);
  u64 flags = rd_u64(c);
  const char *data = rd_str(c);
  u32 mflags = rd_u32(c);
  if (c->bad) FAIL(SC_PLAN, -EINVAL);
  set_detail(f, tgt);
  if (mflags & MF_NEW_ROOT) return mount_new_root(src, tgt, fstype, flags, data, f);
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
    if (tfd == -ENOENT && (mflags & MF_TARGET_OPTIONAL)) return 0;
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

/* The terminal on fd 0 is a pty of the host's devpts, which the container's own devpts does not
 * list: ttyname(3) would find no path for it. Bind it (as /dev/pts/N of this, still the host's,
 * tree: a descriptor opened in another mount namespace cannot be a bind source) onto `path` in the
 * root, open it there and put that on those of fds 0-2 that are terminals. After pivot_root,
 * /proc/self/fd/0 then reads `path`, which is the same file. */
static long reopen_tty(struct cursor *c, struct failure *f) {
  const char *path = rd_str(c);
  if (c->bad) FAIL(SC_PLAN, -EINVAL);
  set_detail(f, path);
  unsigned char stx[256];
  long r = sys5(NR_statx, 0, "", 0x1000 /* AT_EMPTY_PATH */, 0x7ff /* STATX_BASIC_STATS */, stx);
  if (r < 0) FAIL(SC_FSTATFS, r);
  u32 major, minor;
  memcpy(&major, stx + 128, 4); /* stx_rdev_major */
  memcpy(&minor, stx + 132, 4);
  if (major < 136 || major > 143) FAIL(SC_IOCTL, -ENOTTY); /* not a Unix98 pty slave */
  char src[40] = "/dev/pts/";
  utoa(src + 9, (u64)(major - 136) << 20 | minor);
  u32 sc = 0;
  long tfd = target_fd(path, MF_MKFILE, &sc);
  if (tfd < 0) FAIL(sc, tfd);
  char fdp[40];
  fd_path(fdp, tfd);
  r = sys5(NR_mount, src, fdp, 0, MS_BIND, 0);
  sys1(NR_close, tfd);
  if (r < 0) { set_detail(f, src); FAIL(SC_MOUNT, r); }
  long t = open_in_root(path, O_RDWR | O_NOCTTY);
  if (t < 0) FAIL(SC_OPENAT2, t);
  unsigned char termios[64];
  for (int fd = 0; fd <= 2; fd++) {
    if (sys3(NR_ioctl, fd, 0x5401 /* TCGETS: a terminal */, termios) < 0) continue;
    r = sys3(NR_dup3, t, fd, 0);
    if (r < 0) { sys1(NR_close, t); FAIL(SC_DUP3, r); }
  }
  sys1(NR_close, t);
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
  long r = mkdirs_in_root(path, 0, 0, &sc);
  if (r < 0) FAIL(sc, r);
  long fd = open_in_root(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_NOCTTY);
  if (fd < 0) FAIL(SC_OPENAT2, fd);
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
  long r = mkdirs_in_root(link, 0, 0, &sc);
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
  /* execvp semantics: search $PATH of the payload's environment (the container's, not ours). */
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

/* Changing uid/gid clears PR_SET_PDEATHSIG (prctl(2)): without arming it again, a payload
 * running as another user would outlive a killed launcher, unseen by anyone. */
static void rearm_pdeathsig(void) {
  if (plan_flags & PF_NO_MONITOR) return; /* never armed: its parent is the caller's subreaper now */
  sys2(NR_prctl, PR_SET_PDEATHSIG, SIGKILL);
}

/* Runs `count` ops from the cursor; returns 0 or -1 with *f filled. Ops that configure
 * another part of the launcher (log, attach, restart, ...) hand their payload to it. */
long run_ops(struct cursor *c, u32 count, u32 phase, struct failure *f, s32 child_pid) {
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
      u32 mode = rd_u32(&oc) & 07777;
      u32 sc = 0;
      set_detail(f, p);
      r = mkdirs_in_root(p, 1, mode, &sc);
      if (r < 0) FAIL(sc, r);
      break;
    }
    case OP_SYMLINK: if (do_symlink(&oc, f) < 0) return -1; break;
    case OP_WRITE_FILE: if (do_write_file(&oc, f) < 0) return -1; break;
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
      /* As runc: the terminal belongs to the process's user (its group stays devpts' tty group),
       * while we still may chown it. Best effort: a user namespace may not map its owner. */
      if (console_stdio) for (int fd = 0; fd < 3; fd++) sys3(NR_fchown, fd, u, (u32)-1);
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
    case OP_INIT: if (init_op(f) < 0) return -1; break;
    case OP_STATUS_FILE: status_file_op(&oc); break;
    case OP_RESTART: restart_op(&oc); break;
    case OP_REMOVE_ON_EXIT: remove_on_exit_op(&oc); break;
    case OP_UNMOUNT_ON_EXIT: unmount_on_exit_op(&oc); break;
    case OP_ATTACH: attach_op(&oc); break;
    case OP_PROXY: if (proxy_op(&oc, f) < 0) return -1; break;
    case OP_CONSOLE_SOCKET: if (console_socket_op(&oc, f) < 0) return -1; break;
    case OP_CONSOLE: if (console_op(&oc, f) < 0) return -1; break;
    case OP_REOPEN_TTY: if (reopen_tty(&oc, f) < 0) return -1; break;
    case OP_SETCTTY:
      /* after setsid: a session leader without a terminal acquires stdin, the pty slave */
      r = sys3(NR_ioctl, 0, 0x540E /* TIOCSCTTY */, 0);
      if (r < 0) FAIL(SC_IOCTL, r);
      break;
    case OP_LOG: if (log_op(&oc, f) < 0) return -1; break;
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
    case OP_CLONE_INTO_CGROUP: if (into_cgroup_op(&oc, f) < 0) return -1; break;
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
    case OP_LOOPBACK_UP: {
      set_detail(f, "lo");
      u32 sc = 0;
      r = loopback_up(&sc);
      if (r < 0) FAIL(sc, r);
      break;
    }
    case OP_NET_HELPER: if (net_helper_op(&oc, f, child_pid) < 0) return -1; break;
    case OP_HOOK: if (hook_op(&oc, f, phase, i, child_pid) < 0) return -1; break;
    case OP_START_FIFO: if (start_fifo_op(&oc, f) < 0) return -1; break;
    case OP_JOIN_NET: if (join_net_op(f) < 0) return -1; break;
    default:
      FAIL(SC_PLAN, -ENOSYS);
    }
    if (oc.bad) FAIL(SC_PLAN, -EINVAL);
  }
  return 0;
}
