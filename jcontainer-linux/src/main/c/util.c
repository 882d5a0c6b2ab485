/*
 * util.c — the launcher's helpers: whole reads and writes, frames, paths (memcpy and the like
 * are in freestanding.c).
 */
#include "launcher.h"

long xwrite_all(int fd, const void *p, size_t n) {
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
long xread_full(int fd, void *p, size_t n) {
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
__attribute__((noreturn)) void die(int code) {
  for (;;) sys1(NR_exit_group, code);
}
/* One write for a usual frame: a header written alone woke the JVM's reader, which then
 * blocked again for the payload (two wake-ups per report on the start's critical path). */
void send_frame(int fd, u32 type, const void *payload, u32 len) {
  u32 buf[2 + 256];
  buf[0] = type;
  buf[1] = len;
  if (len <= sizeof buf - 8) {
    if (len) memcpy(buf + 2, payload, len);
    xwrite_all(fd, buf, 8 + len);
    return;
  }
  xwrite_all(fd, buf, 8);
  xwrite_all(fd, payload, len);
}
/* Splits "/a/b/c" into its parent ("/a/b", in buf) and last component (returned). */
const char *split_parent(const char *path, char *buf, size_t size) {
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

/* "/proc/self/fd/N": the kernel's name for exactly the inode a descriptor holds. */
void fd_path(char *buf, long fd) {
  memcpy(buf, "/proc/self/fd/", 14);
  utoa(buf + 14, (u64)fd);
}

/* Writes a small record so that a reader sees all of it or nothing: to "PATH.tmp", then
 * renamed over PATH. Best effort: the monitor has nobody to report a failure to. */
void write_atomically(const char *path, const char *buf, size_t len) {
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
/* open("/proc/PID/ns/NAME"): a namespace of a process, held or joined by fd. */
long open_ns(s32 pid, const char *name) {
  char path[48] = "/proc/";
  int n = 6 + utoa(path + 6, (u64)pid);
  memcpy(path + n, "/ns/", 4);
  memcpy(path + n + 4, name, slen(name) + 1);
  return sys4(NR_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC, 0);
}

long unix_address(const char *path, struct unix_sa *sa, long *dir) {
  memset(sa, 0, sizeof *sa);
  sa->family = 1; /* AF_UNIX */
  *dir = -1;
  size_t n = slen(path);
  if (n < sizeof sa->path) {
    memcpy(sa->path, path, n);
    return 0;
  }
  char parent[4096];
  const char *name = split_parent(path, parent, sizeof parent);
  if (!name || slen(name) > 48) return -36 /* ENAMETOOLONG */;
  long d = sys4(NR_openat, AT_FDCWD, parent, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
  if (d < 0) return d;
  *dir = d;
  memcpy(sa->path, "/proc/self/fd/", 14);
  int k = 14 + utoa(sa->path + 14, (u64)d);
  sa->path[k++] = '/';
  memcpy(sa->path + k, name, slen(name) + 1);
  return 0;
}
