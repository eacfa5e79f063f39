/* Fuzz target: `encode`'s input.  Each line (as `encode` splits them) goes
 * through the JSON line parser; a parsed record is written with Thrift's
 * generated code, and what was written must decode again. */
#include <stdint.h>
#include <string.h>

#include <glib.h>

#include "format/json_read.h"
#include "format/thrift_write.h"
#include "core/decoder.h"
#include "fuzz.h"

static int blank(const char *s, size_t len) {
  for (size_t i = 0; i < len; i++)
    if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
      return 0;
  return 1;
}

static void encode_line(td_json_reader *p, td_decoder *dec, GByteArray *out,
                        const char *s, size_t len) {
  if (blank(s, len))
    return;
  td_ckpt ck;
  td_err reason;
  if (td_json_read_line(p, s, len, &ck, &reason))
    return;
  GError *err = NULL;
  g_byte_array_set_size(out, 0);
  if (td_thrift_write(&ck, out, &err)) {
    g_error_free(err);
    return;
  }
  /* A framed record: a 4-byte big-endian length, then the body. */
  if (out->len < 4)
    __builtin_trap();
  const uint8_t *b = out->data;
  uint32_t n = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
               (uint32_t)b[2] << 8 | (uint32_t)b[3];
  if (n != out->len - 4)
    __builtin_trap();
  td_ckpt back;
  if (td_decode_ckpt(dec, b + 4, n, &back, &reason))
    __builtin_trap(); /* encode wrote what the decoder rejects */
  if (back.has_header != ck.has_header || back.has_task != ck.has_task ||
      back.has_process != ck.has_process)
    __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  td_json_reader *p = td_json_reader_new();
  td_decoder dec;
  td_decoder_init(&dec);
  GByteArray *out = g_byte_array_new();
  const char *s = (const char *)data;
  size_t left = size;
  while (left > 0) {
    const char *nl = memchr(s, '\n', left);
    size_t len = nl ? (size_t)(nl - s) : left;
    encode_line(p, &dec, out, s, len);
    if (!nl)
      break;
    left -= len + 1;
    s = nl + 1;
  }
  g_byte_array_unref(out);
  td_decoder_clear(&dec);
  td_json_reader_free(p);
  return 0;
}
