/* The dispatcher: each transition to every enabled instance in
 * configuration order (universal callbacks first, then state-specific
 * ones), stream lifecycle callbacks, and the `on_error` policies. */
#ifndef TD_DISPATCHER_H
#define TD_DISPATCHER_H

#include <stdbool.h>
#include <stdint.h>

#include <thermos/handler.h>

#include "runner_state.h"

/** What a target does when one of its callbacks fails. */
typedef enum td_on_error {
  TD_ON_ERROR_CONTINUE, /**< log (at most once a second), go on */
  TD_ON_ERROR_DISABLE,  /**< log, stop calling the target */
  TD_ON_ERROR_ABORT     /**< stop everything, exit 70 */
} td_on_error;

/**
 * One receiver of the dispatch, as the core sees a plugin instance: its
 * table, its context, its on_error policy, and what the dispatcher keeps
 * of its failures.  The plugin layer fills one in per started instance;
 * the core knows nothing of modules or configuration.
 */
typedef struct td_target {
  const char *name; /**< the instance's name, for messages */
  const thermos_handler_v1 *table;
  void *ctx; /**< what init gave back */
  td_on_error on_error;
  bool disabled;         /**< on_error = disable fired */
  double last_error_log; /**< monotonic seconds, for rate limiting */
  unsigned suppressed;   /**< failures not logged since */
  uint64_t failures;     /**< callbacks that failed, all told */
} td_target;

typedef struct td_dispatcher td_dispatcher;

td_dispatcher *td_dispatcher_new(void);
void td_dispatcher_free(td_dispatcher *d);
/** Appends a target: each transition reaches the targets in the order they
 * were added.  The target must outlive the dispatcher. */
void td_dispatcher_add(td_dispatcher *d, td_target *t);

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
