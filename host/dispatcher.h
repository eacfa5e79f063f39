/* The dispatcher: each transition to every enabled instance in
 * configuration order (universal callbacks first, then state-specific
 * ones), stream lifecycle callbacks, and the `on_error` policies. */
#ifndef TD_DISPATCHER_H
#define TD_DISPATCHER_H

#include <stdbool.h>
#include <stdint.h>

#include <thermos/handler.h>

#include "plugin_set.h"
#include "runner_state.h"

typedef struct td_dispatcher td_dispatcher;

td_dispatcher *td_dispatcher_new(td_plugin_set *set);
void td_dispatcher_free(td_dispatcher *d);

/* Each returns false once an instance with on_error = abort has failed:
 * the caller stops, and exits 70. */
bool td_dispatch_transition(td_dispatcher *d, const thermos_event *ev,
                            const td_transition *tr);
bool td_dispatch_stream_open(td_dispatcher *d, const thermos_event *ev);
bool td_dispatch_stream_error(td_dispatcher *d, const thermos_event *ev,
                              const char *reason);
bool td_dispatch_stream_close(td_dispatcher *d, const thermos_event *ev);
bool td_dispatch_tick(td_dispatcher *d, double now);
bool td_dispatch_reopen(td_dispatcher *d);

/** Whether an abort was requested. */
bool td_dispatcher_aborted(const td_dispatcher *d);

/** Prints, for each instance any of whose callbacks failed (under any
 * on_error policy), one line saying how many; returns how many in all.
 * `replay` and `tail` exit 70 when it is not 0, as `make -k` does. */
uint64_t td_dispatcher_report_failures(const td_dispatcher *d);

#endif
