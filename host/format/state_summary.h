/* `state` without --json: a human summary of the reconstructed state. */
#ifndef TD_STATE_SUMMARY_H
#define TD_STATE_SUMMARY_H

#include <glib.h>

#include "core/runner_state.h"

void td_state_summary(GString *out, const thermos_runner_state *st);

/** Appends milliseconds since the epoch as ISO 8601 UTC with milliseconds,
 * or the plain number when it is outside what a calendar date can show. */
void td_format_time_ms(GString *out, int64_t ms);

#endif
