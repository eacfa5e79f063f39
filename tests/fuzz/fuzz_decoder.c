/* Fuzz target: the decoder on one record's bytes (a RunnerCkpt body). */
#include <stdint.h>
#include <string.h>

#include "core/decoder.h"
#include "fuzz.h"

/* Every string the decoder returns must lie inside the record. */
static void check_str(thermos_str s, const uint8_t *data, size_t size) {
  if (s.len == 0)
    return;
  const uint8_t *p = (const uint8_t *)s.data;
  if (p < data || s.len > size || p > data + (size - s.len))
    __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  td_decoder dec;
  td_decoder_init(&dec);
  td_ckpt ck;
  td_err detail;
  td_err_clear(&detail);
  if (td_decode_ckpt(&dec, data, size, &ck, &detail) == 0) {
    if (ck.has_header) {
      check_str(ck.header.task_id, data, size);
      check_str(ck.header.sandbox, data, size);
      check_str(ck.header.hostname, data, size);
      check_str(ck.header.user, data, size);
      check_str(ck.header.log_dir, data, size);
      for (size_t i = 0; i < ck.header.n_ports; i++)
        check_str(ck.header.ports[i].name, data, size);
    }
    if (ck.has_process)
      check_str(ck.process.process, data, size);
  } else if (memchr(detail.msg, '\0', sizeof detail.msg) == NULL) {
    __builtin_trap(); /* the reason must be a terminated string */
  }
  td_decoder_clear(&dec);
  return 0;
}
