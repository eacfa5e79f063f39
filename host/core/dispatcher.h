/* The dispatcher: each transition to every enabled instance in
 * configuration order (universal callbacks first, then state-specific
 * ones), stream lifecycle callbacks, and the `on_error` policies. */
#ifndef TD_DISPATCHER_H
#define TD_DISPATCHER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <thermos/handler.h>

#include "runner_state.h"

/** What a target does when one of its callbacks fails. */
typedef enum td_on_error {
  TD_ON_ERROR_CONTINUE, /**< log (at most once a second), go on */
  TD_ON_ERROR_DISABLE,  /**< log, stop calling the target */
  TD_ON_ERROR_ABORT     /**< stop everything, exit 70 */
} td_on_error;

struct td_record;
struct td_stream;

/**
 * An isolated instance's stand-in (`isolation = process`): instead of the
 * table's callbacks it is handed each stream's records as they are read,
 * and runs the plugin elsewhere (a worker process).  Each function is
 * optional.  `ctx` is the target's.
 */
typedef struct td_relay_ops {
  /** A stream opened; `reader` is what it is read through (its position
   * says how much of it exists already, for a relay added later). */
  void (*stream_open)(void *ctx, const thermos_event *ev,
                      const struct td_stream *reader);
  /** A whole record was read and dispatched in process (`ev` located at
   * it, with its history flag). */
  void (*record)(void *ctx, const thermos_event *ev,
                 const struct td_record *rec);
  void (*stream_error)(void *ctx, const thermos_event *ev, const char *reason);
  void (*stream_close)(void *ctx, const thermos_event *ev);
  void (*tick)(void *ctx, double now);
  void (*reopen)(void *ctx);
} td_relay_ops;

/** The longest failure reason a plugin can hand over (fail_reason). */
#define TD_REASON_MAX 256

/**
 * One receiver of the dispatch, as the core sees a plugin instance: its
 * table, its context, its on_error policy, and what the dispatcher keeps
 * of its failures and timing.  The plugin layer fills one in per started
 * instance; the core knows nothing of modules or configuration.
 */
typedef struct td_target {
  const char *name;                /**< the instance's name, for messages */
  const char *module;              /**< its module's name, for statistics */
  const thermos_handler_v1 *table; /**< NULL for a relay */
  const td_relay_ops *relay;       /**< set for an isolated instance */
  void *ctx; /**< what init gave back (a relay's own context) */
  td_on_error on_error;
  bool disabled;         /**< on_error = disable fired, or disabled at start */
  double last_error_log; /**< monotonic seconds, for rate limiting */
  unsigned suppressed;   /**< failures not logged since */
  uint64_t failures;     /**< callbacks that failed, all told */
  uint64_t events;       /**< transitions delivered */
  uint64_t callbacks;    /**< callbacks called */
  double callback_seconds;                             /**< their total time */
  uint64_t callback_buckets[THERMOS_CALLBACK_BUCKETS]; /**< not cumulative */
  char reason[TD_REASON_MAX]; /**< fail_reason() during the current call */
  /* The dispatcher's own: */
  size_t slot;  /**< its stream_ctx slot in each stream, for good */
  bool pending; /**< added at run time, still catching up */
} td_target;

/** Sets the reason the current callback of `t` is about to fail with
 * (fail_reason of the host table); cut at a character boundary. */
void td_target_set_reason(td_target *t, const char *reason);

/** The statistics of a target as the public ABI describes them
 * (cumulative buckets); fills what `out->struct_size` has room for. */
void td_target_stats(const td_target *t, thermos_instance_stats *out);

/**
 * The callback running now, for a crash report: written before each
 * callback and cleared after it, read by a fatal-signal handler (hence
 * volatile, and only pointers to strings that outlive the call).
 */
typedef struct td_callback_site {
  const char *instance; /**< NULL when no callback runs */
  const char *callback; /**< "on_process_forked", "tick", ... */
  const char *source;   /**< the stream, or NULL (tick, reopen) */
  uint64_t record;
  uint64_t offset;
} td_callback_site;

/** The one site of the process (one thread dispatches). */
extern volatile td_callback_site td_current_callback;

typedef struct td_dispatcher td_dispatcher;

td_dispatcher *td_dispatcher_new(void);
void td_dispatcher_free(td_dispatcher *d);
/** Appends a target: each transition reaches the targets in the order they
 * were added.  The target must outlive the dispatcher. */
void td_dispatcher_add(td_dispatcher *d, td_target *t);

/**
 * Run-time changes (a configuration reload).  td_dispatcher_remove closes
 * every open stream for `t` alone (on_stream_close, unless it is disabled)
 * and never calls it again.  td_dispatcher_set_order makes `targets` (all
 * of them, removed ones left out, new ones added) the dispatch order; a
 * target not seen before is `pending`: every callback skips it until
 * td_dispatcher_catch_up_end, and between td_dispatcher_catch_up_begin and
 * _end the callbacks reach the pending targets only, so that a session
 * re-reading a stream from its start brings them up to date.
 */
void td_dispatcher_remove(td_dispatcher *d, td_target *t);
void td_dispatcher_set_order(td_dispatcher *d, td_target *const *targets,
                             size_t n);
void td_dispatcher_catch_up_begin(td_dispatcher *d);
void td_dispatcher_catch_up_end(td_dispatcher *d);
/** Whether any target is pending. */
bool td_dispatcher_has_pending(const td_dispatcher *d);
/** The open streams' readers, for a catch-up: the i-th stream's source
 * and reader (NULL past the end). */
const struct td_stream *td_dispatcher_stream_at(const td_dispatcher *d,
                                                size_t i, const char **source);

/** The stream's own warnings (an unknown task state) are not said: an
 * isolated instance's worker, whose host said them. */
void td_dispatcher_quiet_streams(td_dispatcher *d);

/** A relay's instance failed with on_error = abort: the run stops as if
 * an in-process one had. */
void td_dispatcher_abort(td_dispatcher *d);

/* Each returns false once an instance with on_error = abort has failed:
 * the caller stops, and exits 70. */
bool td_dispatch_transition(td_dispatcher *d, const thermos_event *ev,
                            const td_transition *tr);
bool td_dispatch_stream_open(td_dispatcher *d, const thermos_event *ev);
bool td_dispatch_stream_error(td_dispatcher *d, const thermos_event *ev,
                              const char *reason);
bool td_dispatch_stream_close(td_dispatcher *d, const thermos_event *ev);
/** After a record's transition was dispatched: relays get the record. */
void td_dispatch_record(td_dispatcher *d, const thermos_event *ev,
                        const struct td_record *rec);
bool td_dispatch_tick(td_dispatcher *d, double now);
bool td_dispatch_reopen(td_dispatcher *d);

/** `--trace`: one line per callback per instance, with its result and
 * duration, on stderr. */
void td_dispatcher_set_trace(td_dispatcher *d, bool trace);
/** A callback slower than this many seconds is logged with its instance
 * and record (0: never). */
void td_dispatcher_set_slow_callback(td_dispatcher *d, double seconds);

/** Tells the dispatcher which reader a stream's events come from, so that
 * its statistics can say how many bytes lie unread (once, after open). */
void td_dispatcher_stream_reader(td_dispatcher *d, const thermos_event *ev,
                                 const struct td_stream *reader);
/** The streams opened and not yet closed. */
size_t td_dispatcher_stream_count(const td_dispatcher *d);
/** The i-th of them (no set order); 0 past the end. */
int td_dispatcher_stream_stats(const td_dispatcher *d, size_t i,
                               thermos_stream_stats *out);

/** How many targets are disabled (on_error = disable, or at start). */
size_t td_dispatcher_disabled_count(const td_dispatcher *d);

/** Whether an abort was requested. */
bool td_dispatcher_aborted(const td_dispatcher *d);

/** Prints, for each instance any of whose callbacks failed (under any
 * on_error policy), one line saying how many (and how many of them the
 * rate limit left out of the log); returns how many in all.
 * `replay` and `tail` exit 70 when it is not 0, as `make -k` does. */
uint64_t td_dispatcher_report_failures(const td_dispatcher *d);

#endif
