/* freestanding.c — see freestanding.h. */
#include "freestanding.h"

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
size_t slen(const char *s) {
  size_t n = 0;
  while (s[n]) n++;
  return n;
}
int streq(const char *a, const char *b) {
  while (*a && *a == *b) a++, b++;
  return *a == *b;
}
int utoa(char *buf, u64 v) {
  char tmp[24];
  int n = 0, i = 0;
  do tmp[n++] = (char)('0' + v % 10); while ((v /= 10));
  while (n) buf[i++] = tmp[--n];
  buf[i] = 0;
  return i;
}
