/* The state machine of dispatch-semantics.md: one decoded record in, the
 * reconstructed RunnerState updated and the transition to dispatch out.  It
 * knows nothing of files or plugins. */
#ifndef TD_RUNNER_STATE_H
#define TD_RUNNER_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <thermos/handler.h>

#include "decoder.h"
#include "error.h"

typedef struct thermos_runner_state thermos_runner_state;

typedef enum td_transition_kind {
  TD_TRANSITION_NONE,           /**< skipped (recovery mode): nothing to call */
  TD_TRANSITION_INITIALIZATION, /**< a header: on_initialization */
  TD_TRANSITION_TASK,           /**< a task status: on_task_transition */
  TD_TRANSITION_PROCESS         /**< a process status: on_process_transition */
} td_transition_kind;

/** What one record produced.  Pointers are the record's decoded update. */
typedef struct td_transition {
  td_transition_kind kind;
  int32_t state; /**< the new state, for TASK and PROCESS */
  const thermos_runner_header *header;
  const thermos_task_status *task;
  const thermos_process_status *process;
} td_transition;

/** The most processes `[host] max_processes` may allow in one stream (the
 * index keeps 32-bit positions). */
#define TD_MAX_PROCESSES_LIMIT 16777216
/** `[host] max_processes`' default. */
#define TD_MAX_PROCESSES_DEFAULT 10000

/** A new state; it allows TD_MAX_PROCESSES_LIMIT processes until
 * td_runner_state_set_max_processes says otherwise. */
thermos_runner_state *td_runner_state_new(bool truncate, bool recovery);
void td_runner_state_free(thermos_runner_state *st);
/** A process record that would add process number `max` + 1 is an error,
 * `more than MAX processes` (a hostile stream cannot make the state grow
 * without bound).  At most TD_MAX_PROCESSES_LIMIT. */
void td_runner_state_set_max_processes(thermos_runner_state *st, size_t max);

/**
 * Applies one record.  Returns 0 with `out` filled in (`err` untouched), or
 * -1 with the state unchanged and `err` holding dispatch-semantics.md's
 * reason.
 */
int td_runner_state_apply(thermos_runner_state *st, const td_ckpt *rec,
                          td_transition *out, td_err *err);

/* Readers.  Pointers stay valid until the next apply or free. */
const thermos_runner_header *
td_runner_state_header(const thermos_runner_state *st);
/** Whether a task status was seen ("statuses" present in the state). */
bool td_runner_state_has_statuses(const thermos_runner_state *st);
size_t td_runner_state_task_status_count(const thermos_runner_state *st);
const thermos_task_status *
td_runner_state_task_status(const thermos_runner_state *st, size_t i);
/** Processes in the order they first appeared. */
size_t td_runner_state_process_count(const thermos_runner_state *st);
thermos_str td_runner_state_process_name(const thermos_runner_state *st,
                                         size_t i);
/** Runs kept of process `i` (one in truncate mode), oldest first. */
size_t td_runner_state_run_count_at(const thermos_runner_state *st, size_t i);
const thermos_process_status *
td_runner_state_run_at(const thermos_runner_state *st, size_t i, size_t run);
/** Runs ever started by process `i`, counting those truncate dropped. */
uint64_t td_runner_state_runs_started_at(const thermos_runner_state *st,
                                         size_t i);
/** By name: SIZE_MAX when the process is unknown. */
size_t td_runner_state_find_process(const thermos_runner_state *st,
                                    thermos_str name);

#endif
