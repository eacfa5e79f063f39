#include "wire.h"

#include <string.h>

#include "protocol.h"

/* A string is its length plus one (0 for NULL), then its bytes and a NUL,
 * so that a reader can hand it out in place. */

static void put(GByteArray *b, const void *p, size_t n) {
  g_byte_array_append(b, p, (guint)n);
}

void td_wire_u32(GByteArray *b, uint32_t v) { put(b, &v, sizeof v); }
void td_wire_u64(GByteArray *b, uint64_t v) { put(b, &v, sizeof v); }
void td_wire_double(GByteArray *b, double v) { put(b, &v, sizeof v); }

void td_wire_str(GByteArray *b, const char *s) {
  if (!s) {
    td_wire_u32(b, 0);
    return;
  }
  size_t n = strlen(s);
  td_wire_u32(b, (uint32_t)n + 1);
  put(b, s, n + 1);
}

size_t td_wire_begin(GByteArray *b, uint32_t type) {
  size_t start = b->len;
  td_msg_header h = {type, 0};
  put(b, &h, sizeof h);
  return start;
}

void td_wire_end(GByteArray *b, size_t start) {
  td_msg_header h;
  memcpy(&h, b->data + start, sizeof h);
  h.len = (uint32_t)(b->len - start - sizeof h);
  memcpy(b->data + start, &h, sizeof h);
}

void td_wire_reader_init(td_wire_reader *r, const void *body, size_t len) {
  r->p = body;
  r->left = len;
  r->ok = true;
}

static bool take(td_wire_reader *r, void *out, size_t n) {
  if (!r->ok || r->left < n) {
    r->ok = false;
    memset(out, 0, n);
    return false;
  }
  memcpy(out, r->p, n);
  r->p += n;
  r->left -= n;
  return true;
}

uint32_t td_wire_get_u32(td_wire_reader *r) {
  uint32_t v;
  take(r, &v, sizeof v);
  return v;
}

uint64_t td_wire_get_u64(td_wire_reader *r) {
  uint64_t v;
  take(r, &v, sizeof v);
  return v;
}

double td_wire_get_double(td_wire_reader *r) {
  double v;
  take(r, &v, sizeof v);
  return v;
}

const char *td_wire_get_str(td_wire_reader *r) {
  uint32_t n = td_wire_get_u32(r);
  if (!r->ok || n == 0)
    return NULL;
  if (r->left < n || r->p[n - 1] != '\0' ||
      memchr(r->p, '\0', n) != r->p + n - 1) {
    r->ok = false;
    return NULL;
  }
  const char *s = (const char *)r->p;
  r->p += n;
  r->left -= n;
  return s;
}
