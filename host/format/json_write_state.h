/* `state --json`: the reconstructed state as json.md's object. */
#ifndef TD_JSON_WRITE_STATE_H
#define TD_JSON_WRITE_STATE_H

#include <glib.h>

#include "core/runner_state.h"

void td_json_write_state(GString *out, const thermos_runner_state *st);

#endif
