/* seccomp-loadbench: what loading a seccomp filter costs the kernel, without the JVM or the
 * launcher in the way. Interleaved in one run, medians over N rounds:
 *   fork+exit                 vs  fork + seccomp(filter) + exit
 *   fork+exec /bin/busybox true  vs  the same with the filter loaded before exec
 * each for the given filter file (struct sock_filter[], as SeccompStartCost writes to
 * target/default-seccomp-filter.bin) and for a one-instruction "allow" filter as the floor.
 *
 *   gcc -O2 -o target/seccomp-loadbench src/test/c/seccomp-loadbench.c
 *   target/seccomp-loadbench target/default-seccomp-filter.bin 2000
 */
#define _GNU_SOURCE
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static struct sock_filter prog[4096], allow[1] = {{BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW}};

static double now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* mode bit 0: exec busybox true; bits 1-2: 0 no filter, 1 the file's, 2 allow-all */
static double once(int mode, int n) {
  double t0 = now_us();
  pid_t p = fork();
  if (p == 0) {
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); /* in every mode, so only the filter differs */
    int which = mode >> 1;
    if (which) {
      struct sock_fprog fp = {which == 1 ? (unsigned short)n : 1, which == 1 ? prog : allow};
      if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp)) _exit(9);
    }
    if (mode & 1) execl("/bin/busybox", "true", (char *)NULL);
    _exit(0);
  }
  int st;
  waitpid(p, &st, 0);
  if (st) { fprintf(stderr, "child failed: status %d\n", st); exit(1); }
  return now_us() - t0;
}

int main(int argc, char **argv) {
  if (argc < 3) { fprintf(stderr, "usage: %s FILTER.bin ROUNDS\n", argv[0]); return 2; }
  FILE *f = fopen(argv[1], "rb");
  if (!f) { perror(argv[1]); return 1; }
  int n = (int)fread(prog, 8, 4096, f);
  fclose(f);
  int rounds = atoi(argv[2]);
  double *r[6];
  for (int m = 0; m < 6; m++) r[m] = malloc(sizeof(double) * rounds);
  for (int i = -rounds / 10; i < rounds; i++)
    for (int m = 0; m < 6; m++) {
      double dt = once(m, n);
      if (i >= 0) r[m][i] = dt;
    }
  for (int m = 0; m < 6; m++) qsort(r[m], rounds, sizeof(double), cmp);
  int h = rounds / 2;
  printf("%s: %d instructions, medians of %d rounds (us)\n", argv[1], n, rounds);
  printf("  fork+exit:             none %.1f  filter %.1f (%+.1f)  allow-1 %.1f (%+.1f)\n", r[0][h], r[2][h],
         r[2][h] - r[0][h], r[4][h], r[4][h] - r[0][h]);
  printf("  fork+exec true+exit:   none %.1f  filter %.1f (%+.1f)  allow-1 %.1f (%+.1f)\n", r[1][h], r[3][h],
         r[3][h] - r[1][h], r[5][h], r[5][h] - r[1][h]);
  return 0;
}
