/* Aurora's observer JSON (task_observer.py, http/json.py), rendered from
 * copies of the model: the same field names and JSON types; timestamps as
 * integer seconds; a return_code of 0 kept (Aurora drops it).  Knows
 * nothing of HTTP.  Internal to the plugin. */
#ifndef OBS_JSON_H
#define OBS_JSON_H

#include <stddef.h>

#include <glib.h>

#include "observer_model.h"
#include "observer_sampler.h"

/** Aurora's normalisation of a page offset: a negative offset counts from
 * the end of a list longer than it, and is 0 otherwise. */
long obs_json_offset(long offset, size_t total);

/** /j/task_ids: {"tasks":[rows],"type","offset","num","task_count"}.
 * `tasks` as obs_model_page returns; a task without a header or status is
 * left out, as Aurora leaves out the tasks it cannot read. */
void obs_json_task_ids(GString *out, const char *type, long offset, long num,
                       const GPtrArray *tasks, size_t total,
                       obs_sampler *sampler);

/** /j/task_id_count: {"active","finished","all"}. */
void obs_json_counts(GString *out, obs_counts c);

/** One member of /j/task's map, `"<id>":{...}` (no separator); nothing
 * for a task without a header or status.  Returns whether it wrote. */
int obs_json_task_member(GString *out, const obs_task_view *t,
                         obs_sampler *sampler);

/** /j/process: one run (`run` < 0 counts from the latest, as a Python
 * index); {} when there is no such process or run. */
void obs_json_process(GString *out, const obs_task_view *t, const char *process,
                      long run, obs_sampler *sampler);

/** /j/processes: one member, `"<id>":{"<proc>":<latest run>,...}`; `t`
 * NULL gives `"<id>":{}`. */
void obs_json_processes_member(GString *out, const char *task_id,
                               const obs_task_view *t, obs_sampler *sampler);

#endif
