/* `status`: one task as text (the lines of Aurora's `thermos status`) or as
 * a JSON object, from what was read of its stream. */
#ifndef TD_STATUS_PRINT_H
#define TD_STATUS_PRINT_H

#include <stdbool.h>
#include <sys/types.h>

#include <glib.h>

#include "core/runner_state.h"
#include "status_tasks.h"

/** What was read of one task's stream. */
typedef struct td_status_view {
  bool opened;              /**< its stream could be opened at all */
  uid_t uid;                /**< the stream file's owner, when opened */
  thermos_runner_state *st; /**< -v 1 and more: the state read */
  bool damaged;             /**< read only up to a damage (warned of) */
} td_status_view;

/** Appends the task's lines at `verbosity` (0 to 3).  `owners` caches the
 * names of uids (g_hash_table_new_full(g_direct_hash, g_direct_equal,
 * NULL, g_free)). */
void td_status_text(GString *out, const td_status_task *t,
                    const td_status_view *v, int verbosity, GHashTable *owners);
/** Appends the task as one JSON object and a newline. */
void td_status_json(GString *out, const td_status_task *t,
                    const td_status_view *v, int verbosity, GHashTable *owners);

#endif
