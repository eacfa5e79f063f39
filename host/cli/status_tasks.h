/* `status`: the tasks under checkpoint roots, found from directory names
 * alone (no stream is opened here), filtered by id and by active or
 * finished. */
#ifndef TD_STATUS_TASKS_H
#define TD_STATUS_TASKS_H

#include <stdbool.h>

#include <glib.h>

/** Which tasks `--only` keeps. */
typedef enum td_status_only {
  TD_STATUS_BOTH,
  TD_STATUS_ACTIVE,
  TD_STATUS_FINISHED
} td_status_only;

/** One task: ROOT/checkpoints/ID/runner is its stream. */
typedef struct td_status_task {
  const char *root; /**< the root as found (borrowed from the list) */
  char *id;
  bool finished; /**< ROOT/tasks/finished/ID exists */
} td_status_task;

typedef struct td_status_list {
  GPtrArray *roots; /**< char *: each root once, in argument order */
  GPtrArray *tasks; /**< td_status_task *: by root, then by id */
} td_status_list;

/**
 * Lists the tasks of `roots` (paths or glob patterns) whose id any of
 * `regexes` (GRegex *; none: every id) matches, kept by `only`.  A root
 * that cannot be read is one warning, and the others are still listed.
 */
void td_status_list_collect(td_status_list *l, char **roots, int n_roots,
                            GPtrArray *regexes, td_status_only only);
void td_status_list_clear(td_status_list *l);

#endif
