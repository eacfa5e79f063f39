/* Shared by the cmocka unit tests: a byte builder for Thrift's binary
 * protocol and the record framing, and a printable form of byte strings.
 * The builders are written from checkpoint-format.md, not from the code
 * under test, so the tests check the decoder against the format. */
#ifndef TD_UNIT_HELPERS_H
#define TD_UNIT_HELPERS_H

#include <stddef.h>
#include <stdint.h>

#include <glib.h>
#include <thermos/handler.h>

/* Wire type bytes of TBinaryProtocol. */
enum {
  TU_STOP = 0,
  TU_BOOL = 2,
  TU_BYTE = 3,
  TU_DOUBLE = 4,
  TU_I16 = 6,
  TU_I32 = 8,
  TU_I64 = 10,
  TU_STRING = 11,
  TU_STRUCT = 12,
  TU_MAP = 13,
  TU_SET = 14,
  TU_LIST = 15
};

/* A string literal as (pointer, length), so embedded NULs count. */
#define TU_LIT(s) (s), (sizeof(s) - 1)

/* Big-endian scalars, as the binary protocol writes them. */
void tu_u8(GByteArray *b, uint8_t v);
void tu_i16(GByteArray *b, int16_t v);
void tu_i32(GByteArray *b, int32_t v);
void tu_i64(GByteArray *b, int64_t v);
void tu_double(GByteArray *b, double v);
void tu_bytes(GByteArray *b, const void *p, size_t n);
/** A Thrift string: i32 length, then the bytes. */
void tu_str(GByteArray *b, const void *p, size_t n);

/** A field header: type byte, then the i16 id. */
void tu_field(GByteArray *b, uint8_t type, int16_t id);
void tu_stop(GByteArray *b);
void tu_map_begin(GByteArray *b, uint8_t ktype, uint8_t vtype, int32_t n);
/** A list or set header: element type, then the i32 count. */
void tu_list_begin(GByteArray *b, uint8_t etype, int32_t n);

/* A whole field: header and value. */
void tu_f_i32(GByteArray *b, int16_t id, int32_t v);
void tu_f_i64(GByteArray *b, int16_t id, int64_t v);
void tu_f_double(GByteArray *b, int16_t id, double v);
void tu_f_str(GByteArray *b, int16_t id, const void *p, size_t n);

/** One framed record: the 4-byte big-endian length, then the body. */
void tu_frame(GByteArray *out, const void *body, size_t len);

/** Bytes as text, non-printable ones as \xHH, for failure messages. */
char *tu_escape(const void *p, size_t n);

/** Whether a thermos_str holds exactly these bytes. */
int tu_str_is(thermos_str s, const void *p, size_t n);

/** The bits of a double, to compare doubles exactly (-0.0, NaN). */
uint64_t tu_bits(double d);

#endif
