/* Building and reading message bodies: fixed-width integers in the
 * host's byte order (both ends are the same binary on the same machine),
 * strings with a length, and bounds checked on every read. */
#ifndef TD_ISOLATE_WIRE_H
#define TD_ISOLATE_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

void td_wire_u32(GByteArray *b, uint32_t v);
void td_wire_u64(GByteArray *b, uint64_t v);
void td_wire_double(GByteArray *b, double v);
/** A string (NULL allowed: read back as NULL). */
void td_wire_str(GByteArray *b, const char *s);
/** Starts a message: its header, the length filled by td_wire_end. */
size_t td_wire_begin(GByteArray *b, uint32_t type);
void td_wire_end(GByteArray *b, size_t start);

/** A body being read; `ok` turns false at the first read past its end. */
typedef struct td_wire_reader {
  const uint8_t *p;
  size_t left;
  bool ok;
} td_wire_reader;

void td_wire_reader_init(td_wire_reader *r, const void *body, size_t len);
uint32_t td_wire_get_u32(td_wire_reader *r);
uint64_t td_wire_get_u64(td_wire_reader *r);
double td_wire_get_double(td_wire_reader *r);
/** A string: valid as long as the body; NULL if it was NULL (or past the
 * end, with `ok` false). */
const char *td_wire_get_str(td_wire_reader *r);

#endif
