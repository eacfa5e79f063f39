/* Parsing one JSON line of json.md (a `dump` record or a logger event line)
 * into a td_ckpt: `encode`'s input. */
#ifndef TD_JSON_READ_H
#define TD_JSON_READ_H

#include <stddef.h>

#include "core/decoder.h"
#include "core/error.h"

typedef struct td_json_reader td_json_reader;

td_json_reader *td_json_reader_new(void);
void td_json_reader_free(td_json_reader *p);

/**
 * Parses one line.  Returns 0 with `out` filled in (valid until the next
 * call), or -1 with a one-line reason in `err`.
 */
int td_json_read_line(td_json_reader *p, const char *line, size_t len,
                      td_ckpt *out, td_err *err);

#endif
