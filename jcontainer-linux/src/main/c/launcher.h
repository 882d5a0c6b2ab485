/*
 * launcher.h — what the launcher's parts share. One static, libc-free program, split by role:
 *
 *   launcher.c  reads the plan, clones the child, runs the parent ops, reports STARTED/FAILED
 *   ops.c       the ops stage: executes one phase's ops in order (in-root paths, mounts, creds)
 *   init.c      OP_INIT: a tiny PID 1 for the payload
 *   net.c       OP_NET_HELPER / OP_JOIN_NET: the network namespace, made beside the child
 *   hooks.c     OP_HOOK: stops where the JVM (or `start`) works while the child waits
 *   monitor.c   after the start: signals, exit report, status file, orphans, cgroups removed
 *   log.c       OP_LOG: the payload's output in CRI format, rotated
 *   attach.c    OP_ATTACH: the terminal or stdin held for later attach clients
 *   console.c   OP_CONSOLE_SOCKET / OP_CONSOLE: the terminal's master sent to an engine (runc's --console-socket)
 *   restart.c   OP_RESTART: restart policies of detached containers
 *   serve.c     the spawn server (--serve) and the entry point
 *   holder.c    --netns-holder: an ordinary user's rootless network namespace (docs/networking.md)
 *   proxy.c     OP_PROXY: a userland proxy for a published port the kernel cannot forward ([::1])
 *   plan.c      the plan buffer, its cursor, failure records
 *   freestanding.c  memcpy, memset, slen, streq, utoa (shared with jcontainer-runc's short.c)
 *   util.c      whole reads and writes, frames, paths
 *
 * Single-threaded throughout: the globals below are plain variables.
 */
#ifndef JC_LAUNCHER_H
#define JC_LAUNCHER_H

#include "sys.h"
#include "freestanding.h"
#include "plan.h"

/* ---- util.c ---- */
long xwrite_all(int fd, const void *p, size_t n);
long xread_full(int fd, void *p, size_t n);
__attribute__((noreturn)) void die(int code);
void send_frame(int fd, u32 type, const void *payload, u32 len);
const char *split_parent(const char *path, char *buf, size_t size);
/* A unix socket's address: sun_path holds 107 bytes, so a longer path is reached through its
 * directory's fd, *dir (close it after bind or connect; -1 when none). 0, -ENAMETOOLONG, or
 * openat's -errno for the directory. */
struct unix_sa { unsigned short family; char path[108]; };
long unix_address(const char *path, struct unix_sa *sa, long *dir);
void fd_path(char *buf, long fd);
void write_atomically(const char *path, const char *buf, size_t len);
long open_ns(s32 pid, const char *name);

/* ---- plan.c ---- */
#define PLAN_MAX (4u << 20)
extern unsigned char plan[PLAN_MAX];

struct cursor { const unsigned char *p, *end; int bad; };
u32 rd_u32(struct cursor *c);
u64 rd_u64(struct cursor *c);
const unsigned char *rd_blob(struct cursor *c, u32 *len);
const char *rd_str(struct cursor *c);
void skip_ops(struct cursor *c, u32 count);

/* The first failure of a start: which phase, op and system call, errno and a path. */
struct failure { u32 phase, index, opcode, syscall; s32 err; char detail[512]; };
void set_detail(struct failure *f, const char *s);
void send_failure(int ctl, const struct failure *f);

/* Inside an op: record the failing call and errno (e is -errno) and return -1. */
#define FAIL(call, e)                 \
  do {                                \
    f->syscall = (call);              \
    f->err = (s32)(-(e));             \
    return -1;                        \
  } while (0)

/* ---- ops.c ---- */
long run_ops(struct cursor *c, u32 count, u32 phase, struct failure *f, s32 child_pid);

/* ---- launcher.c: the launcher's own state ---- */
extern int ctl;            /* the control socket (fd 3); -1 once a detached container's JVM is gone */
extern s32 child;          /* the container's first process */
extern long child_pidfd;
extern u32 plan_flags;     /* PF_* */
extern s32 child_go_fd;    /* (child) the go pipe's read end: OP_HOOK stops wait on it */
extern int child_err_fd;   /* (child) the error pipe's write end: init must not hold it */
extern s32 mntns_fd;       /* the child's mount namespace, held until the launcher exits */
__attribute__((noreturn)) void launcher_main(void);
__attribute__((noreturn)) void fail_and_exit(struct failure *f);
long into_cgroup_op(struct cursor *c, struct failure *f);

/* ---- init.c ---- */
long init_op(struct failure *f);
extern char *arg_area;     /* argv's strings (what /proc/PID/cmdline shows), for init to rename itself */
extern size_t arg_area_len;

/* ---- net.c ---- */
extern s32 net_sock[2]; /* [0] the child's end, [1] the helper's */
long loopback_up(u32 *sc);
long net_helper_op(struct cursor *c, struct failure *f, s32 child_pid);
long join_net_op(struct failure *f);
void reap_net_helper(int kill_it);

/* ---- hooks.c ---- */
/* A child at an OP_HOOK stop writes a record on its error pipe in the shape of a failure, with
 * this phase: index = op index, opcode = point, syscall = flags. Never on the JVM's wire. */
#define PHASE_HOOK 4
extern int console_stdio;
extern int created;
long hook_op(struct cursor *c, struct failure *f, u32 phase, u32 index, s32 child_pid);
long hook_wait(u32 point, u32 flags, struct failure *f, int err_rd);
/* hook_wait flag (not on the wire): waiting ahead of the child for a stop it does not report;
 * the child having something to say (a failure record, its end) returns 1 instead of failing. */
#define HOOKF_AHEAD (1u << 31)
/* A child stop the child does not report: the launcher releases it as soon as the JVM answers,
 * so a child that arrives after the answer goes on without a hand-off. */
#define HOOK_SILENT(flags) (!((flags) & (HOOKF_REPORT | HOOKF_FIFO)))
struct stop { u32 point, flags, index; };
u32 child_stops(struct cursor c, u32 nchild, struct stop *out, u32 max);
long start_fifo_op(struct cursor *c, struct failure *f);
void hooks_cleanup(void);

/* ---- monitor.c ---- */
extern int subreaper;
long status_file_op(struct cursor *c);
long remove_on_exit_op(struct cursor *c);
long unmount_on_exit_op(struct cursor *c);
void write_status_file(s32 code, s32 status);
void remove_dirs(void);
void unmount_root(void);
int read_command(u32 *type, unsigned char *payload, u32 size, u32 *len);
int handle_command(void);
int monitor(void);

/* ---- log.c ---- */
extern const char *log_path;
extern int log_pipe[2][2]; /* [stdout|stderr][read|write] */
long log_op(struct cursor *c, struct failure *f);
long log_setup(struct failure *f);
int log_pump(int which);

/* ---- attach.c ---- */
#define ATT_CLIENTS 16
extern const char *att_path;
extern u32 att_flags;
extern int att_listen, att_in, att_child_in, att_primary;
extern u64 att_oldmask;
extern u32 att_plen;
long attach_op(struct cursor *c);
long attach_setup(struct failure *f);
int att_client_fd(int i);
int att_gated(int ms);
void att_broadcast(u32 type, char *frame, u32 len);
void att_exit(s32 code, s32 status);
void att_accept(void);
void att_flush(void);
void att_read(int i);
void att_hold(void);

/* ---- restart.c ---- */
extern u32 restart_mode, restarts;
long restart_op(struct cursor *c);
int should_restart(s32 code, s32 status);
void restart_backoff(void);
void write_pid_file(s32 pid);

/* ---- serve.c ---- */
__attribute__((noreturn)) void serve_main(void);
__attribute__((noreturn)) void holder_main(const char *sock, const char *uid, const char *gid);

/* ---- console.c ---- */
extern int console_sock;   /* the connected console socket: the child sends over it, the launcher closes its copy */
long console_socket_op(struct cursor *c, struct failure *f);
long console_op(struct cursor *c, struct failure *f);

/* ---- proxy.c ---- */
long proxy_op(struct cursor *c, struct failure *f);

#endif
