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

#endif
