/* Thermos checkpoint roots as a command line names them (`watch`,
 * `status`): a directory, or a glob pattern of directories, holding
 * checkpoints/<task_id>/runner and tasks/{active,finished}/<task_id>. */
#ifndef TD_ROOTS_H
#define TD_ROOTS_H

#include <stdbool.h>

#include <glib.h>

/** Whether `arg` has glob characters (*, ? or [): a pattern, expanded. */
bool td_root_is_pattern(const char *arg);

/** Calls `fn` with each directory `pattern` matches (glob(3), unsorted). */
void td_root_expand(const char *pattern,
                    void (*fn)(const char *path, void *user), void *user);

/**
 * Whether `path` is a root not seen before: its real path is added to
 * `seen` (a set of strings the caller frees with g_free), so that a glob
 * over Mesos run directories, which also matches their `latest` link,
 * yields each root once.  False also when the real path cannot be had.
 */
bool td_root_first_visit(GHashTable *seen, const char *path);

/** Whether ROOT/tasks/finished/ID exists: the runner marked it finished. */
bool td_root_task_finished(const char *root, const char *id);

#endif
