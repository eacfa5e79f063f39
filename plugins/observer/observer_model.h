/* The observer's picture of every task: updated by the dispatch thread from
 * the plugin's callbacks, read by the HTTP threads as copies ("views").
 * One mutex guards it; the dispatch thread holds it for O(log n) work per
 * event, a reader for the copy of what one request shows (never while it
 * renders or writes to a client), so the dispatch thread never waits on a
 * request.  Internal to the plugin. */
#ifndef OBS_MODEL_H
#define OBS_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>
#include <thermos/handler.h>

typedef struct obs_model obs_model;

/** Which tasks a list shows: Aurora's "active", "finished", "all". */
typedef enum obs_type { OBS_ACTIVE, OBS_FINISHED, OBS_ALL } obs_type;

/** One run of a process, as its latest status says. */
typedef struct obs_run {
  int32_t state;     /**< a thermos_process_state */
  double start_time; /**< seconds since the epoch; 0 = not yet */
  double stop_time;  /**< seconds since the epoch; 0 = not yet */
  int32_t return_code;
  bool has_return_code;
  int32_t pid; /**< 0 = none */
} obs_run;

typedef struct obs_process_view {
  char *name;
  GArray *runs; /**< obs_run, oldest first; empty = never started */
} obs_process_view;

typedef struct obs_status {
  int32_t state;    /**< a thermos_task_state */
  double timestamp; /**< seconds since the epoch */
} obs_status;

typedef struct obs_port {
  char *name;
  int32_t port;
} obs_port;

/** A copy of one task, owned by the caller (obs_task_view_free). */
typedef struct obs_task_view {
  char *task_id;
  char *root; /**< the checkpoint root (holds checkpoints/, tasks/) */
  char *user; /**< "" when the header has none; likewise below */
  char *hostname;
  char *sandbox;
  char *log_dir;      /**< the header's, or "" for older runners */
  char *name;         /**< from the config file; NULL until it was read */
  double launch_time; /**< the header's launch_time_ms / 1000, or 0 */
  bool has_header;
  bool finished;        /**< in Aurora's "finished" list */
  GArray *statuses;     /**< obs_status, oldest first */
  GArray *ports;        /**< obs_port */
  GPtrArray *processes; /**< obs_process_view *, by name */
} obs_task_view;

void obs_task_view_free(obs_task_view *v);

/** Aurora's counts: {"active", "finished", "all"}. */
typedef struct obs_counts {
  size_t active, finished, all;
} obs_counts;

/** A new empty model keeping at most `max_finished` finished tasks (the
 * oldest dropped first). */
obs_model *obs_model_new(size_t max_finished);
void obs_model_free(obs_model *m);

/* --- the dispatch thread's side ------------------------------------------
 * `source` is the event's stream path (ROOT/checkpoints/<task_id>, or any
 * other path: then the root is unknown). */
void obs_model_initialization(obs_model *m, const thermos_event *ev,
                              const thermos_runner_header *h);
void obs_model_process(obs_model *m, const thermos_event *ev, int32_t state,
                       const thermos_process_status *ps);
void obs_model_task(obs_model *m, const thermos_event *ev, int32_t state,
                    const thermos_task_status *ts);
/** The stream ended (the task may have been moved to tasks/finished/). */
void obs_model_stream_close(obs_model *m, const thermos_event *ev);

/* --- the readers' side (any thread) --------------------------------------- */

/** Remembers the task's name once its config file was read: a list of
 * tasks then reads no file for it again (the name of an Aurora task never
 * changes).  A name already known is kept. */
void obs_model_set_name(obs_model *m, const char *task_id, const char *name);

/** A copy of the task, or NULL when unknown. */
obs_task_view *obs_model_get(obs_model *m, const char *task_id);

/** The tasks of `type`, most recently changed first, from `offset` (a
 * negative offset counts from the end, as Aurora's) at most `num`; the
 * total of that type in *total.  An array of obs_task_view * that frees
 * its elements. */
GPtrArray *obs_model_page(obs_model *m, obs_type type, long offset, long num,
                          size_t *total);

obs_counts obs_model_counts(obs_model *m);

#endif
