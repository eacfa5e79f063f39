/* For test plugins that act on a record, whatever it holds: defines the
 * three universal callbacks PREFIX_initialization, PREFIX_process and
 * PREFIX_task, each calling FN(ctx, ev). */
#ifndef TD_TEST_EACH_RECORD_H
#define TD_TEST_EACH_RECORD_H

#include <thermos/handler.h>

#define TD_EACH_RECORD_CALLBACKS(prefix, fn)                                   \
  static int prefix##_initialization(void *ctx, const thermos_event *ev,       \
                                     const thermos_runner_header *header) {    \
    (void)header;                                                              \
    return fn(ctx, ev);                                                        \
  }                                                                            \
  static int prefix##_process(void *ctx, const thermos_event *ev,              \
                              int32_t state,                                   \
                              const thermos_process_status *u) {               \
    (void)state;                                                               \
    (void)u;                                                                   \
    return fn(ctx, ev);                                                        \
  }                                                                            \
  static int prefix##_task(void *ctx, const thermos_event *ev, int32_t state,  \
                           const thermos_task_status *u) {                     \
    (void)state;                                                               \
    (void)u;                                                                   \
    return fn(ctx, ev);                                                        \
  }

/* For test plugins that check every record callback alike: defines
 * PREFIX_initialization, PREFIX_process_transition, PREFIX_task_transition
 * and the fourteen state-specific callbacks, each returning
 * FN(ctx, ev, "its callback's name"); TD_NAMED_RECORD_MEMBERS(PREFIX) is
 * the table's members that name them. */
#define TD_NAMED_PROCESS_FN(prefix, fn, state)                                 \
  static int prefix##_process_##state(void *ctx, const thermos_event *ev,      \
                                      const thermos_process_status *u) {       \
    (void)u;                                                                   \
    return fn(ctx, ev, "on_process_" #state);                                  \
  }
#define TD_NAMED_TASK_FN(prefix, fn, state)                                    \
  static int prefix##_task_##state(void *ctx, const thermos_event *ev,         \
                                   const thermos_task_status *u) {             \
    (void)u;                                                                   \
    return fn(ctx, ev, "on_task_" #state);                                     \
  }
#define TD_NAMED_RECORD_CALLBACKS(prefix, fn)                                  \
  static int prefix##_initialization(void *ctx, const thermos_event *ev,       \
                                     const thermos_runner_header *h) {         \
    (void)h;                                                                   \
    return fn(ctx, ev, "on_initialization");                                   \
  }                                                                            \
  static int prefix##_process_transition(void *ctx, const thermos_event *ev,   \
                                         int32_t state,                        \
                                         const thermos_process_status *u) {    \
    (void)state;                                                               \
    (void)u;                                                                   \
    return fn(ctx, ev, "on_process_transition");                               \
  }                                                                            \
  static int prefix##_task_transition(void *ctx, const thermos_event *ev,      \
                                      int32_t state,                           \
                                      const thermos_task_status *u) {          \
    (void)state;                                                               \
    (void)u;                                                                   \
    return fn(ctx, ev, "on_task_transition");                                  \
  }                                                                            \
  TD_NAMED_PROCESS_FN(prefix, fn, waiting)                                     \
  TD_NAMED_PROCESS_FN(prefix, fn, forked)                                      \
  TD_NAMED_PROCESS_FN(prefix, fn, running)                                     \
  TD_NAMED_PROCESS_FN(prefix, fn, success)                                     \
  TD_NAMED_PROCESS_FN(prefix, fn, failed)                                      \
  TD_NAMED_PROCESS_FN(prefix, fn, lost)                                        \
  TD_NAMED_PROCESS_FN(prefix, fn, killed)                                      \
  TD_NAMED_TASK_FN(prefix, fn, active)                                         \
  TD_NAMED_TASK_FN(prefix, fn, cleaning)                                       \
  TD_NAMED_TASK_FN(prefix, fn, finalizing)                                     \
  TD_NAMED_TASK_FN(prefix, fn, success)                                        \
  TD_NAMED_TASK_FN(prefix, fn, failed)                                         \
  TD_NAMED_TASK_FN(prefix, fn, killed)                                         \
  TD_NAMED_TASK_FN(prefix, fn, lost)
#define TD_NAMED_RECORD_MEMBERS(prefix)                                        \
  .on_initialization = prefix##_initialization,                                \
  .on_process_transition = prefix##_process_transition,                        \
  .on_task_transition = prefix##_task_transition,                              \
  .on_process_waiting = prefix##_process_waiting,                              \
  .on_process_forked = prefix##_process_forked,                                \
  .on_process_running = prefix##_process_running,                              \
  .on_process_success = prefix##_process_success,                              \
  .on_process_failed = prefix##_process_failed,                                \
  .on_process_lost = prefix##_process_lost,                                    \
  .on_process_killed = prefix##_process_killed,                                \
  .on_task_active = prefix##_task_active,                                      \
  .on_task_cleaning = prefix##_task_cleaning,                                  \
  .on_task_finalizing = prefix##_task_finalizing,                              \
  .on_task_success = prefix##_task_success,                                    \
  .on_task_failed = prefix##_task_failed,                                      \
  .on_task_killed = prefix##_task_killed, .on_task_lost = prefix##_task_lost

#endif
