/* tcpsink PORT: the receiving end of benchmarks/run-network's bulk transfer. Listens on PORT,
 * takes one connection, says 'R' (ready: a proxy such as pasta accepts before the container
 * listens, so the sender waits for this byte before its clock starts), reads everything with a
 * 1 MiB buffer until the sender's EOF, answers 'D' with the byte count, and exits. Static, so the
 * same binary runs on the host and in a busybox container; its large reads keep it from being
 * the bottleneck (busybox nc reads a few KiB at a time). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static char buf[1 << 20];

int main(int argc, char **argv) {
  if (argc != 2) { fprintf(stderr, "usage: tcpsink PORT\n"); return 2; }
  int l = socket(AF_INET, SOCK_STREAM, 0), one = 1;
  setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons((unsigned short) atoi(argv[1]));
  if (bind(l, (struct sockaddr *) &a, sizeof a) < 0 || listen(l, 1) < 0) { perror("tcpsink: bind/listen"); return 1; }
  int c = accept(l, NULL, NULL);
  if (c < 0) { perror("tcpsink: accept"); return 1; }
  if (write(c, "R", 1) != 1) return 1;
  long long total = 0;
  for (;;) {
    ssize_t n = read(c, buf, sizeof buf);
    if (n < 0) { perror("tcpsink: read"); return 1; }
    if (n == 0) break;
    total += n;
  }
  char done[32];
  int len = snprintf(done, sizeof done, "D%lld\n", total);
  if (write(c, done, len) != len) return 1;
  close(c);
  return 0;
}
