/* The names of the process and task states, and which of them end a run or
 * a task.  Inline, so that the bundled plugins share them without linking
 * the core. */
#ifndef TD_STATES_H
#define TD_STATES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <thermos/handler.h>

/** The name of a process state ("RUNNING"), or NULL outside the enum. */
static inline const char *td_process_state_name(int32_t state) {
  static const char *const names[] = {"WAITING", "FORKED", "RUNNING", "SUCCESS",
                                      "KILLED",  "FAILED", "LOST"};
  if (state < 0 || (size_t)state >= sizeof names / sizeof names[0])
    return NULL;
  return names[state];
}

/** The name of a task state ("ACTIVE"), or NULL outside the enum. */
static inline const char *td_task_state_name(int32_t state) {
  static const char *const names[] = {"ACTIVE",    "SUCCESS", "FAILED",
                                      "KILLED",    "LOST",    "CLEANING",
                                      "FINALIZING"};
  if (state < 0 || (size_t)state >= sizeof names / sizeof names[0])
    return NULL;
  return names[state];
}

/** Whether a run in this state is over (the reference's terminal process
 * states): a later update starts a new run. */
static inline bool td_process_state_terminal(int32_t state) {
  return state == THERMOS_PROCESS_SUCCESS || state == THERMOS_PROCESS_FAILED ||
         state == THERMOS_PROCESS_KILLED || state == THERMOS_PROCESS_LOST;
}

/** Whether a task in this state is over (CLEANING and FINALIZING are not:
 * processes still run). */
static inline bool td_task_state_terminal(int32_t state) {
  return state == THERMOS_TASK_SUCCESS || state == THERMOS_TASK_FAILED ||
         state == THERMOS_TASK_KILLED || state == THERMOS_TASK_LOST;
}

#endif
