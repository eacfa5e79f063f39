/* Writing checkpoint records with Thrift's c_glib generated code: the
 * writer side of `encode`, and how tests and benchmarks make streams. */
#ifndef TD_THRIFT_WRITE_H
#define TD_THRIFT_WRITE_H

#include <glib.h>

#include "core/decoder.h"

/**
 * Appends one framed record (4-byte big-endian length, then the RunnerCkpt
 * body) holding the members set in `rec` and, in each, the fields whose
 * presence bit is set.  Returns 0, or -1 with `error` set.
 */
int td_thrift_write(const td_ckpt *rec, GByteArray *out, GError **error);

#endif
