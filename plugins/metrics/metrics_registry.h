/* The metrics plugin's series and their Prometheus text exposition (format
 * 0.0.4).  Internal to the plugin: the module is built with hidden
 * visibility, so these names stay private. */
#ifndef METRICS_REGISTRY_H
#define METRICS_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>
#include <thermos/handler.h>

/** Slots of a by-state array: the seven states of each enum by wire value,
 * then one for every value outside the enum (state="UNKNOWN"). */
#define MX_STATES 8
#define MX_UNKNOWN 7

/** The series of one task_id label value (the one "" when per_task = no). */
typedef struct mx_series {
  uint64_t process_transitions[MX_STATES];
  uint64_t task_transitions[MX_STATES];
  uint64_t records;
  uint64_t stream_errors;
  /* Gauges: recomputed from the open streams before each rendering. */
  uint64_t processes[MX_STATES];
  uint64_t tasks[MX_STATES];
  unsigned open_streams; /**< streams counted into the gauges */
  /* The run-duration histogram: per-bucket (not cumulative) counts, the
   * last slot for runs above the largest bound. */
  uint64_t *run_buckets;
  uint64_t run_count;
  double run_sum;
} mx_series;

typedef struct mx_registry mx_registry;

/** `buckets`: increasing positive upper bounds (copied). */
mx_registry *mx_registry_new(bool per_task, const double *buckets,
                             size_t n_buckets);
void mx_registry_free(mx_registry *r);

/** The series of a task (of every task when per_task = no), created on
 * first use.  Valid until the registry is freed. */
mx_series *mx_series_of(mx_registry *r, thermos_str task_id);

/** A series outside the registry (for counts whose task is not known
 * yet); free it with mx_series_free. */
mx_series *mx_series_new(mx_registry *r);
void mx_series_free(mx_series *s);
/** Adds src's counters and histogram to dst's (gauges are left alone). */
void mx_series_merge(mx_registry *r, mx_series *dst, const mx_series *src);

/** A state's slot in the by-state arrays. */
int mx_state_slot(int32_t state);

/** Adds one run of `seconds` to the series' histogram. */
void mx_observe_run(mx_registry *r, mx_series *s, double seconds);

/** Sets every series' gauges to zero, before they are summed again. */
void mx_gauges_reset(mx_registry *r);

/** Wall time of the last live record (0: none yet). */
void mx_set_last_record(mx_registry *r, double when);

/** Replaces `out` with the whole exposition. */
void mx_render(mx_registry *r, GString *out);

/** Appends a label value: ill-formed UTF-8 as U+FFFD (one per maximal
 * ill-formed subpart, as json.md does), then \\, \" and \n escaped. */
void mx_put_label_value(GString *out, const char *s, size_t len);

/** Appends a sample value: integers exactly, others in the shortest of %.15g
 * and %.17g that reads back the same, +Inf, -Inf, NaN. */
void mx_put_double(GString *out, double v);

/** Parses `buckets = 1,5,...`: returns the bounds (g_free them), or NULL
 * with *err set (g_free it). */
double *mx_parse_buckets(const char *value, size_t *n, char **err);

#endif
