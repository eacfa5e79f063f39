/* Builders for the unit tests; see unit-helpers.h. */
#include "unit-helpers.h"

#include <string.h>

void tu_u8(GByteArray *b, uint8_t v) { g_byte_array_append(b, &v, 1); }

void tu_i16(GByteArray *b, int16_t v) {
  uint16_t u = (uint16_t)v;
  uint8_t p[2] = {(uint8_t)(u >> 8), (uint8_t)u};
  g_byte_array_append(b, p, sizeof p);
}

void tu_i32(GByteArray *b, int32_t v) {
  uint32_t u = (uint32_t)v;
  uint8_t p[4] = {(uint8_t)(u >> 24), (uint8_t)(u >> 16), (uint8_t)(u >> 8),
                  (uint8_t)u};
  g_byte_array_append(b, p, sizeof p);
}

void tu_i64(GByteArray *b, int64_t v) {
  uint64_t u = (uint64_t)v;
  uint8_t p[8];
  for (int i = 0; i < 8; i++)
    p[i] = (uint8_t)(u >> (56 - 8 * i));
  g_byte_array_append(b, p, sizeof p);
}

void tu_double(GByteArray *b, double v) { tu_i64(b, (int64_t)tu_bits(v)); }

void tu_bytes(GByteArray *b, const void *p, size_t n) {
  g_byte_array_append(b, p, (guint)n);
}

void tu_str(GByteArray *b, const void *p, size_t n) {
  tu_i32(b, (int32_t)n);
  tu_bytes(b, p, n);
}

void tu_field(GByteArray *b, uint8_t type, int16_t id) {
  tu_u8(b, type);
  tu_i16(b, id);
}

void tu_stop(GByteArray *b) { tu_u8(b, TU_STOP); }

void tu_map_begin(GByteArray *b, uint8_t ktype, uint8_t vtype, int32_t n) {
  tu_u8(b, ktype);
  tu_u8(b, vtype);
  tu_i32(b, n);
}

void tu_list_begin(GByteArray *b, uint8_t etype, int32_t n) {
  tu_u8(b, etype);
  tu_i32(b, n);
}

void tu_f_i32(GByteArray *b, int16_t id, int32_t v) {
  tu_field(b, TU_I32, id);
  tu_i32(b, v);
}

void tu_f_i64(GByteArray *b, int16_t id, int64_t v) {
  tu_field(b, TU_I64, id);
  tu_i64(b, v);
}

void tu_f_double(GByteArray *b, int16_t id, double v) {
  tu_field(b, TU_DOUBLE, id);
  tu_double(b, v);
}

void tu_f_str(GByteArray *b, int16_t id, const void *p, size_t n) {
  tu_field(b, TU_STRING, id);
  tu_str(b, p, n);
}

void tu_frame(GByteArray *out, const void *body, size_t len) {
  tu_i32(out, (int32_t)(uint32_t)len);
  tu_bytes(out, body, len);
}

char *tu_escape(const void *p, size_t n) {
  GString *s = g_string_new(NULL);
  const unsigned char *c = p;
  for (size_t i = 0; i < n; i++) {
    if (c[i] >= 0x20 && c[i] < 0x7f && c[i] != '\\')
      g_string_append_c(s, (char)c[i]);
    else
      g_string_append_printf(s, "\\x%02x", c[i]);
  }
  return g_string_free(s, FALSE);
}

int tu_str_is(thermos_str s, const void *p, size_t n) {
  return s.len == n && (n == 0 || memcmp(s.data, p, n) == 0);
}

uint64_t tu_bits(double d) {
  uint64_t u;
  memcpy(&u, &d, sizeof u);
  return u;
}
