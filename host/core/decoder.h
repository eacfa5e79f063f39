/* Decoder: one record's bytes (a RunnerCkpt union in Thrift's binary
 * protocol) into plain structs, zero-copy and bounds-checked. */
#ifndef TD_DECODER_H
#define TD_DECODER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <thermos/handler.h>

#include "error.h"

/** Containers and structs nested deeper than this are an error. */
#define TD_MAX_NESTING 64

/** A decoded RunnerCkpt.  Strings point into the record's bytes. */
typedef struct td_ckpt {
  bool has_header;  /**< runner_header was on the wire */
  bool has_process; /**< process_status was on the wire */
  bool has_task;    /**< task_status was on the wire */
  thermos_runner_header header;
  thermos_process_status process;
  thermos_task_status task;
} td_ckpt;

/** Scratch memory reused across records (the ports array). */
typedef struct td_decoder {
  thermos_port *ports;
  size_t ports_cap;
} td_decoder;

void td_decoder_init(td_decoder *dec);
void td_decoder_clear(td_decoder *dec);

/**
 * Decodes `len` bytes at `buf` into `out`.  Returns 0 (`detail` untouched),
 * or -1 with `detail` (the DETAIL of "undecodable record: DETAIL") set.
 * `out` and its ports stay valid until the next call with the same decoder.
 */
int td_decode_ckpt(td_decoder *dec, const uint8_t *buf, size_t len,
                   td_ckpt *out, td_err *detail);

#endif
