#include "launcher.h"

/* ---- the spawn server ----
 * posix_spawn of this program costs an exec (mapping and faulting in a new image) on every
 * container start. Started once with "--serve", the launcher instead waits for start requests
 * on fd 3 and forks itself for each: a fork of this tiny, single-threaded process copies a few
 * page tables, and the child runs launcher_main exactly as a freshly spawned launcher would.
 * Policy-free like the rest: it only hands the four fds it receives to the child. */
void serve_main(void) {
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

/* sp: what the kernel left on the stack — argc, then argv[]. */
void launcher_entry(long *sp);
void launcher_entry(long *sp) {
  long argc = sp[0];
  char **argv = (char **)(sp + 1);
  if (argc > 0) { /* argv's strings are contiguous: from the first to the end of the last */
    arg_area = argv[0];
    arg_area_len = (size_t)(argv[argc - 1] + slen(argv[argc - 1]) + 1 - argv[0]);
  }
  if (argc > 1 && streq(argv[1], "--serve")) serve_main();
  if (argc > 4 && streq(argv[1], "--netns-holder")) holder_main(argv[2], argv[3], argv[4]);
  launcher_main();
}

/* Entry point: no libc, so no crt; the kernel jumps here with the stack holding argc/argv. */
#if defined(__x86_64__)
__asm__(".text\n.global _start\n_start:\n xor %rbp,%rbp\n mov %rsp,%rdi\n and $-16,%rsp\n call launcher_entry\n hlt\n");
#else
__asm__(".text\n.global _start\n_start:\n mov x29, #0\n mov x30, #0\n mov x0, sp\n bl launcher_entry\n brk #0\n");
#endif
