/* A task's config file, ROOT/tasks/{active,finished}/<task_id>: the JSON
 * Thermos wrote when the task started (Aurora's "task" in /j/task, and
 * where its name comes from).  Written by the task's launcher, so read
 * as hostile input: bounded, never through a symlink, a regular file only.
 * Internal to the plugin. */
#ifndef OBS_CONFIG_H
#define OBS_CONFIG_H

#include <stddef.h>

/** The largest config file read; a larger one is taken as missing. */
#define OBS_CONFIG_MAX (1024 * 1024)

/** Whether `task_id` may name a file: not empty, not "." or "..", no '/'
 * and no NUL within its `len` bytes. */
int obs_task_id_ok(const char *task_id, size_t len);

/** The config file's content (NUL-terminated, g_free it; its length in
 * *len when len is not NULL), tried in tasks/finished/ then tasks/active/;
 * NULL when root is empty, the id is refused, or no readable regular file
 * of at most OBS_CONFIG_MAX bytes is there. */
char *obs_config_read(const char *root, const char *task_id, size_t *len);

/** The config's top-level string member `key` (g_free it), or NULL when
 * the JSON does not parse or has no such string. */
char *obs_config_string(const char *json, size_t len, const char *key);

/** Whether the content parses as one JSON value. */
int obs_config_is_json(const char *json, size_t len);

#endif
