/*
 * plan.c — reading the plan (plan.h): a cursor over the buffer that never reads past its end
 * (a short or malformed plan sets `bad`, and the op fails as SC_PLAN EINVAL), and the failure
 * record the launcher reports.
 */
#include "launcher.h"

/* The plan, as the JVM sent it: it stays here for the launcher's whole life (a restart policy
 * runs its ops again), and ops keep pointers into it instead of copying strings. */
unsigned char plan[PLAN_MAX];

u32 rd_u32(struct cursor *c) {
  u32 v = 0;
  if (c->end - c->p < 4) { c->bad = 1; return 0; }
  memcpy(&v, c->p, 4);
  c->p += 4;
  return v;
}
u64 rd_u64(struct cursor *c) {
  u64 v = 0;
  if (c->end - c->p < 8) { c->bad = 1; return 0; }
  memcpy(&v, c->p, 8);
  c->p += 8;
  return v;
}
/* A blob or string: u32 length, bytes, padding to 4. Strings carry their NUL in the length. */
const unsigned char *rd_blob(struct cursor *c, u32 *len) {
  u32 n = rd_u32(c);
  u32 padded = (n + 3u) & ~3u;
  if (c->bad || padded < n || (u64)(c->end - c->p) < padded) { c->bad = 1; *len = 0; return 0; }
  const unsigned char *b = c->p;
  c->p += padded;
  *len = n;
  return b;
}
const char *rd_str(struct cursor *c) {
  u32 n;
  const unsigned char *b = rd_blob(c, &n);
  if (!b || n == 0 || b[n - 1] != 0) { c->bad = 1; return ""; }
  return (const char *)b;
}

/* ---- failures: MSG_FAILED u32 phase, index, opcode, syscall, s32 errno, str detail ---- */
void set_detail(struct failure *f, const char *s) {
  size_t n = slen(s);
  if (n >= sizeof f->detail) n = sizeof f->detail - 1;
  memcpy(f->detail, s, n);
  f->detail[n] = 0;
}

void send_failure(int ctl, const struct failure *f) {
  unsigned char buf[sizeof *f + 8];
  u32 dl = (u32)slen(f->detail) + 1;
  u32 head[6] = {f->phase, f->index, f->opcode, f->syscall, (u32)f->err, dl};
  memcpy(buf, head, sizeof head);
  memcpy(buf + sizeof head, f->detail, dl);
  send_frame(ctl, MSG_FAILED, buf, (u32)(sizeof head + dl));
}

/* Advances past `count` ops without running them. */
void skip_ops(struct cursor *c, u32 count) {
  for (u32 i = 0; i < count && !c->bad; i++) {
    rd_u32(c);
    u32 len = rd_u32(c);
    if ((u64)(c->end - c->p) < len) { c->bad = 1; return; }
    c->p += len;
  }
}
