/* Parsing one JSON line of json.md (a `dump` record or a logger event line)
 * into a td_ckpt: `encode`'s input. */
#ifndef TD_CKPT_PARSE_H
#define TD_CKPT_PARSE_H

#include <stddef.h>

#include "core/decoder.h"
#include "core/error.h"

typedef struct td_ckpt_parser td_ckpt_parser;

td_ckpt_parser *td_ckpt_parser_new(void);
void td_ckpt_parser_free(td_ckpt_parser *p);

/**
 * Parses one line.  Returns 0 with `out` filled in (valid until the next
 * call), or -1 with a one-line reason in `err`.
 */
int td_ckpt_parse_line(td_ckpt_parser *p, const char *line, size_t len,
                       td_ckpt *out, td_err *err);

#endif
