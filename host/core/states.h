/* The names of the process and task states, and which of them end a run or
 * a task: the public header's helpers, under the host's names.  Inline, so
 * that the bundled plugins share them without linking the core. */
#ifndef TD_STATES_H
#define TD_STATES_H

#include <stdbool.h>
#include <stdint.h>

#include <thermos/handler.h>

/** The name of a process state ("RUNNING"), or NULL outside the enum. */
static inline const char *td_process_state_name(int32_t state) {
  return thermos_process_state_name(state);
}

/** The name of a task state ("ACTIVE"), or NULL outside the enum. */
static inline const char *td_task_state_name(int32_t state) {
  return thermos_task_state_name(state);
}

/** Whether a run in this state is over (the reference's terminal process
 * states): a later update starts a new run. */
static inline bool td_process_state_terminal(int32_t state) {
  return thermos_process_state_is_terminal(state) != 0;
}

/** Whether a task in this state is over (CLEANING and FINALIZING are not:
 * processes still run). */
static inline bool td_task_state_terminal(int32_t state) {
  return thermos_task_state_is_terminal(state) != 0;
}

#endif
