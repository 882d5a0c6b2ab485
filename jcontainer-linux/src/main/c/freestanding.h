/*
 * freestanding.h — the few string and memory functions libc would give, for every libc-free
 * program the build makes (the launcher, jcontainer-runc's short-command program). The compiler
 * may emit calls to memcpy and memset itself, so they keep their standard names.
 */
#ifndef JC_FREESTANDING_H
#define JC_FREESTANDING_H
#include "sys.h"

void *memcpy(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
size_t slen(const char *s);
int streq(const char *a, const char *b);
/* v in decimal into buf (NUL-terminated, at most 21 bytes); the digits' count */
int utoa(char *buf, u64 v);
#endif
