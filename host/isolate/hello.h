/* The HELLO message: everything a worker needs to run its one instance
 * as the host would, in process (the instance's section, the [host] keys
 * that matter to a dispatch, the command's mode and flags). */
#ifndef TD_ISOLATE_HELLO_H
#define TD_ISOLATE_HELLO_H

#include <stdbool.h>

#include <glib.h>

#include "config/config.h"

typedef struct td_hello {
  int mode; /**< THERMOS_MODE_* */
  bool truncate;
  bool recovery;
  bool trace;
} td_hello;

/** Appends the HELLO message for instance `ic` of `cfg` to `out`. */
void td_hello_encode(GByteArray *out, const td_config *cfg,
                     const td_instance_conf *ic, const td_hello *h);

/** A configuration of that one instance (in process: not isolated), or
 * NULL if the body is malformed. */
td_config *td_hello_decode(const void *body, size_t len, td_hello *h);

#endif
