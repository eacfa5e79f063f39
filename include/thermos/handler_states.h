/*
 * <thermos/handler_states.h>: the names of the process and task states, and
 * which of them are terminal (since 1.1): inline helpers. Part of the
 * thermos-dispatch handler ABI 1.1: include <thermos/handler.h>, which includes
 * this header; its rules (growth, values, lifetimes) hold here too.
 */
#ifndef THERMOS_HANDLER_STATES_H
#define THERMOS_HANDLER_STATES_H

#include <stddef.h>
#include <stdint.h>

#include <thermos/handler_data.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------
 * State helpers (since 1.1)
 * ------------------------------------------------------------------------ */

/** Since 1.1: the name of a process state ("RUNNING"), or NULL for a
 * value outside thermos_process_state. */
static inline const char *thermos_process_state_name(int32_t state) {
  static const char *const names[] = {"WAITING", "FORKED", "RUNNING", "SUCCESS",
                                      "KILLED",  "FAILED", "LOST"};
  if (state < 0 || (size_t)state >= sizeof names / sizeof names[0])
    return NULL;
  return names[state];
}

/** Since 1.1: the name of a task state ("ACTIVE"), or NULL for a value
 * outside thermos_task_state. */
static inline const char *thermos_task_state_name(int32_t state) {
  static const char *const names[] = {"ACTIVE",    "SUCCESS", "FAILED",
                                      "KILLED",    "LOST",    "CLEANING",
                                      "FINALIZING"};
  if (state < 0 || (size_t)state >= sizeof names / sizeof names[0])
    return NULL;
  return names[state];
}

/** Since 1.1: whether a process run in this state is over (SUCCESS,
 * FAILED, KILLED, LOST): a later update of the process starts a new run. */
static inline int thermos_process_state_is_terminal(int32_t state) {
  return state == THERMOS_PROCESS_SUCCESS || state == THERMOS_PROCESS_FAILED ||
         state == THERMOS_PROCESS_KILLED || state == THERMOS_PROCESS_LOST;
}

/** Since 1.1: whether a task in this state is over (SUCCESS, FAILED,
 * KILLED, LOST; not CLEANING or FINALIZING, where processes still run). */
static inline int thermos_task_state_is_terminal(int32_t state) {
  return state == THERMOS_TASK_SUCCESS || state == THERMOS_TASK_FAILED ||
         state == THERMOS_TASK_KILLED || state == THERMOS_TASK_LOST;
}

#ifdef __cplusplus
}
#endif

#endif /* THERMOS_HANDLER_STATES_H */
