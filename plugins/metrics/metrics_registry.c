/*
 * The metrics plugin's series and their exposition.  The set of families is
 * fixed, so there is no general registry: each family is written by hand in
 * a fixed order, its series in a stable order (task_id, then state by wire
 * value), every known state always present so that a series never appears
 * or vanishes as tasks change state (Prometheus would read a gap).
 */
#ifdef HAVE_CONFIG_H
#include "build_config.h"
#endif

#include "metrics_registry.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mx_registry {
  bool per_task;
  double *bounds; /* the histogram's upper bounds, increasing */
  size_t n_bounds;
  GHashTable *series; /* GString task_id -> mx_series */
  double last_record;
};

static const char *const PROCESS_STATES[MX_STATES] = {
    "WAITING", "FORKED", "RUNNING", "SUCCESS",
    "KILLED",  "FAILED", "LOST",    "UNKNOWN"};
static const char *const TASK_STATES[MX_STATES] = {
    "ACTIVE", "SUCCESS",  "FAILED",     "KILLED",
    "LOST",   "CLEANING", "FINALIZING", "UNKNOWN"};

mx_series *mx_series_new(mx_registry *r) {
  mx_series *s = g_new0(mx_series, 1);
  s->run_buckets = g_new0(uint64_t, r->n_bounds + 1);
  return s;
}

void mx_series_free(mx_series *s) {
  if (!s)
    return;
  g_free(s->run_buckets);
  g_free(s);
}

static void series_free(gpointer p) { mx_series_free(p); }

void mx_series_merge(mx_registry *r, mx_series *dst, const mx_series *src) {
  for (int i = 0; i < MX_STATES; i++) {
    dst->process_transitions[i] += src->process_transitions[i];
    dst->task_transitions[i] += src->task_transitions[i];
  }
  dst->records += src->records;
  dst->stream_errors += src->stream_errors;
  for (size_t i = 0; i <= r->n_bounds; i++)
    dst->run_buckets[i] += src->run_buckets[i];
  dst->run_count += src->run_count;
  dst->run_sum += src->run_sum;
}

static void key_free(gpointer p) { g_string_free(p, TRUE); }

mx_registry *mx_registry_new(bool per_task, const double *buckets,
                             size_t n_buckets) {
  mx_registry *r = g_new0(mx_registry, 1);
  r->per_task = per_task;
  r->bounds = g_new(double, n_buckets ? n_buckets : 1);
  if (n_buckets)
    memcpy(r->bounds, buckets, n_buckets * sizeof *buckets);
  r->n_bounds = n_buckets;
  r->series =
      g_hash_table_new_full((GHashFunc)g_string_hash,
                            (GEqualFunc)g_string_equal, key_free, series_free);
  /* Without per_task the one series exists from the start, so a scrape
   * before the first event already shows every family at zero. */
  if (!per_task)
    mx_series_of(r, (thermos_str){NULL, 0});
  return r;
}

void mx_registry_free(mx_registry *r) {
  if (!r)
    return;
  g_hash_table_destroy(r->series);
  g_free(r->bounds);
  g_free(r);
}

mx_series *mx_series_of(mx_registry *r, thermos_str task_id) {
  if (!r->per_task)
    task_id = (thermos_str){"", 0};
  /* A stack key for the lookup: most events hit an existing series. */
  GString key = {.str = (char *)(task_id.data ? task_id.data : ""),
                 .len = task_id.len,
                 .allocated_len = task_id.len + 1};
  mx_series *s = g_hash_table_lookup(r->series, &key);
  if (!s) {
    s = mx_series_new(r);
    g_hash_table_insert(r->series, g_string_new_len(key.str, (gssize)key.len),
                        s);
  }
  return s;
}

int mx_state_slot(int32_t state) {
  return state >= 0 && state < MX_UNKNOWN ? (int)state : MX_UNKNOWN;
}

void mx_observe_run(mx_registry *r, mx_series *s, double seconds) {
  size_t i = 0;
  while (i < r->n_bounds && seconds > r->bounds[i])
    i++;
  s->run_buckets[i]++;
  s->run_count++;
  s->run_sum += seconds;
}

void mx_gauges_reset(mx_registry *r) {
  GHashTableIter it;
  gpointer v;
  g_hash_table_iter_init(&it, r->series);
  while (g_hash_table_iter_next(&it, NULL, &v)) {
    mx_series *s = v;
    memset(s->processes, 0, sizeof s->processes);
    memset(s->tasks, 0, sizeof s->tasks);
    s->open_streams = 0;
  }
}

void mx_set_last_record(mx_registry *r, double when) { r->last_record = when; }

/* --- value and label forms ---------------------------------------------- */

/* Length of the well-formed UTF-8 sequence at s (1 to 4), or minus the
 * length of its maximal ill-formed subpart (the longest prefix of some
 * well-formed sequence, at least 1 byte), per Unicode's "U+FFFD
 * substitution of maximal subparts", the rule json.md follows. */
static int utf8_length(const unsigned char *s, size_t len) {
  unsigned char c = s[0];
  if (c < 0x80)
    return 1;
  int need;
  unsigned char lo = 0x80, hi = 0xBF; /* the range of the second byte */
  if (c >= 0xC2 && c <= 0xDF) {
    need = 1;
  } else if (c >= 0xE0 && c <= 0xEF) {
    need = 2;
    if (c == 0xE0)
      lo = 0xA0; /* no overlong forms */
    else if (c == 0xED)
      hi = 0x9F; /* no surrogates */
  } else if (c >= 0xF0 && c <= 0xF4) {
    need = 3;
    if (c == 0xF0)
      lo = 0x90;
    else if (c == 0xF4)
      hi = 0x8F; /* nothing above U+10FFFF */
  } else {
    return -1;
  }
  for (int k = 1; k <= need; k++) {
    if ((size_t)k >= len)
      return -k;
    unsigned char b = s[k];
    bool ok = k == 1 ? (b >= lo && b <= hi) : (b >= 0x80 && b <= 0xBF);
    if (!ok)
      return -k;
  }
  return need + 1;
}

void mx_put_label_value(GString *out, const char *s, size_t len) {
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0;
  while (i < len) {
    unsigned char c = p[i];
    if (c == '\\') {
      g_string_append_len(out, "\\\\", 2);
      i++;
    } else if (c == '"') {
      g_string_append_len(out, "\\\"", 2);
      i++;
    } else if (c == '\n') {
      g_string_append_len(out, "\\n", 2);
      i++;
    } else {
      int n = utf8_length(p + i, len - i);
      if (n > 0) {
        g_string_append_len(out, (const char *)p + i, n);
        i += (size_t)n;
      } else {
        g_string_append_len(out, "\xEF\xBF\xBD", 3); /* U+FFFD */
        i += (size_t)-n;
      }
    }
  }
}

void mx_put_double(GString *out, double v) {
  if (isnan(v)) {
    g_string_append(out, "NaN");
    return;
  }
  if (isinf(v)) {
    g_string_append(out, v > 0 ? "+Inf" : "-Inf");
    return;
  }
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  /* Integers (counts, whole seconds) print as integers, not 1e+01. */
  if (v == floor(v) && fabs(v) < 1e15) {
    g_string_append_printf(out, "%.0f", v);
    return;
  }
  g_ascii_formatd(buf, sizeof buf, "%.15g", v);
  if (g_ascii_strtod(buf, NULL) != v)
    g_ascii_formatd(buf, sizeof buf, "%.17g", v);
  g_string_append(out, buf);
}

/* --- exposition ---------------------------------------------------------- */

static void family(GString *out, const char *name, const char *type,
                   const char *help) {
  g_string_append_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
                         type);
}

/* `name{task_id="...",` or `name{`: the caller adds its own labels and
 * the closing brace. */
static void series_open(mx_registry *r, GString *out, const char *name,
                        const GString *task) {
  g_string_append(out, name);
  g_string_append_c(out, '{');
  if (r->per_task) {
    g_string_append(out, "task_id=\"");
    mx_put_label_value(out, task->str, task->len);
    g_string_append(out, "\",");
  }
}

/* One series per state: the seven known always, UNKNOWN only when some
 * value outside the enum was seen (it then stays, being a counter). */
static void by_state(mx_registry *r, GString *out, const char *name,
                     const GString *task, const uint64_t *v,
                     const char *const *names) {
  for (int i = 0; i < MX_STATES; i++) {
    if (i == MX_UNKNOWN && v[i] == 0)
      continue;
    series_open(r, out, name, task);
    g_string_append_printf(out, "state=\"%s\"} %" G_GUINT64_FORMAT "\n",
                           names[i], v[i]);
  }
}

/* A single-valued series: `name{task_id="..."} v` or `name v`. */
static void single(mx_registry *r, GString *out, const char *name,
                   const GString *task, uint64_t v) {
  if (r->per_task) {
    series_open(r, out, name, task);
    out->str[out->len - 1] = '}'; /* the ',' after task_id */
  } else {
    g_string_append(out, name);
  }
  g_string_append_printf(out, " %" G_GUINT64_FORMAT "\n", v);
}

static gint key_order(gconstpointer a, gconstpointer b) {
  const GString *x = *(const GString *const *)a;
  const GString *y = *(const GString *const *)b;
  int c = memcmp(x->str, y->str, MIN(x->len, y->len));
  if (c)
    return c;
  return x->len < y->len ? -1 : x->len > y->len;
}

void mx_render(mx_registry *r, GString *out) {
  g_string_truncate(out, 0);
  /* Series in task_id order: the same input always gives the same text. */
  GPtrArray *keys = g_ptr_array_new();
  GHashTableIter it;
  gpointer k;
  g_hash_table_iter_init(&it, r->series);
  while (g_hash_table_iter_next(&it, &k, NULL))
    g_ptr_array_add(keys, k);
  g_ptr_array_sort(keys, key_order);
#define EACH_SERIES(task, s)                                                   \
  for (guint n_ = 0; n_ < keys->len; n_++)                                     \
    for (const GString *task = keys->pdata[n_]; task; task = NULL)             \
      for (mx_series *s = g_hash_table_lookup(r->series, task); s; s = NULL)

  family(out, "thermos_process_transitions_total", "counter",
         "Process transitions delivered live, by the state entered.");
  EACH_SERIES(t, s)
  by_state(r, out, "thermos_process_transitions_total", t,
           s->process_transitions, PROCESS_STATES);

  family(out, "thermos_task_transitions_total", "counter",
         "Task transitions delivered live, by the state entered.");
  EACH_SERIES(t, s)
  by_state(r, out, "thermos_task_transitions_total", t, s->task_transitions,
           TASK_STATES);

  family(out, "thermos_records_total", "counter",
         "Checkpoint records dispatched live.");
  EACH_SERIES(t, s) single(r, out, "thermos_records_total", t, s->records);

  family(out, "thermos_stream_errors_total", "counter",
         "Checkpoint streams stopped on an error.");
  EACH_SERIES(t, s)
  single(r, out, "thermos_stream_errors_total", t, s->stream_errors);

  /* Gauges of a task no open stream follows any more are left out with
   * per_task: they would only be zeros, forever. */
  family(out, "thermos_processes", "gauge",
         "Processes of the tasks followed, by the state of their latest run.");
  EACH_SERIES(t, s)
  if (!r->per_task || s->open_streams)
    by_state(r, out, "thermos_processes", t, s->processes, PROCESS_STATES);

  family(out, "thermos_tasks", "gauge",
         "Tasks followed, by their latest task state.");
  EACH_SERIES(t, s)
  if (!r->per_task || s->open_streams)
    by_state(r, out, "thermos_tasks", t, s->tasks, TASK_STATES);

  family(out, "thermos_process_run_seconds", "histogram",
         "Duration of live process runs that ended in SUCCESS, FAILED or "
         "KILLED, from start_time to stop_time.");
  EACH_SERIES(t, s) {
    uint64_t cum = 0;
    for (size_t i = 0; i <= r->n_bounds; i++) {
      cum += s->run_buckets[i];
      series_open(r, out, "thermos_process_run_seconds_bucket", t);
      g_string_append(out, "le=\"");
      mx_put_double(out, i < r->n_bounds ? r->bounds[i] : INFINITY);
      g_string_append_printf(out, "\"} %" G_GUINT64_FORMAT "\n", cum);
    }
    if (r->per_task) {
      series_open(r, out, "thermos_process_run_seconds_sum", t);
      out->str[out->len - 1] = '}';
      g_string_append_c(out, ' ');
    } else {
      g_string_append(out, "thermos_process_run_seconds_sum ");
    }
    mx_put_double(out, s->run_sum);
    g_string_append_c(out, '\n');
    single(r, out, "thermos_process_run_seconds_count", t, s->run_count);
  }
#undef EACH_SERIES
  g_ptr_array_free(keys, TRUE);

  family(out, "thermos_last_record_timestamp_seconds", "gauge",
         "Wall time of the last record delivered live (0: none yet).");
  g_string_append(out, "thermos_last_record_timestamp_seconds ");
  mx_put_double(out, r->last_record);
  g_string_append_c(out, '\n');
}

double *mx_parse_buckets(const char *value, size_t *n, char **err) {
  gchar **parts = g_strsplit(value, ",", -1);
  GArray *a = g_array_new(FALSE, FALSE, sizeof(double));
  *err = NULL;
  for (gchar **p = parts; *p && !*err; p++) {
    const char *s = g_strstrip(*p);
    char *end;
    errno = 0;
    double d = g_ascii_strtod(s, &end);
    if (*s == '\0' || *end != '\0' || errno == ERANGE)
      *err = g_strdup_printf("'%s' is not a number", s);
    else if (!isfinite(d) || d <= 0)
      *err = g_strdup_printf("'%s': a bucket bound is a finite positive "
                             "number of seconds (+Inf is implicit)",
                             s);
    else if (a->len && d <= g_array_index(a, double, a->len - 1))
      *err = g_strdup_printf("'%s': bucket bounds must be increasing", s);
    else
      g_array_append_val(a, d);
  }
  g_strfreev(parts);
  if (!*err && a->len == 0)
    *err = g_strdup("expected a comma-separated list of bucket bounds");
  if (*err) {
    g_array_free(a, TRUE);
    return NULL;
  }
  *n = a->len;
  return (double *)g_array_free(a, FALSE);
}
