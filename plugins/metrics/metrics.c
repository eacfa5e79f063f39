/*
 * The bundled `metrics` plugin: Prometheus text exposition (format 0.0.4)
 * of what the host dispatches, written to a textfile for node_exporter
 * and/or served on /metrics.  See thermos-dispatch-metrics(5).
 *
 * Counters count live events only, so that a restart, which re-reads what
 * streams hold as history, never replays a burst into rate().  Gauges
 * describe the tasks followed now, history included: they are recomputed
 * from a small per-stream summary (each process' latest state, the task's
 * latest state) kept up to date through the host's state readers.
 *
 * Everything here is static but the entry point: the module is loaded into
 * a host that may load other modules, so it must export nothing else.
 */
#ifdef HAVE_CONFIG_H
#include "build_config.h"
#endif

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <glib.h>
#include <thermos/handler.h>

#include "core/states.h"
#include "plugin_options.h"

#include "metrics_http.h"
#include "metrics_registry.h"
#include "metrics_self.h"
#include "metrics_textfile.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0.1.0"
#endif

#define DEFAULT_BUCKETS "1,5,15,60,300,900,3600,14400,86400"

/* What one stream contributes to the gauges. */
typedef struct stream {
  GString *task_id;   /* the latest event's task_id: the gauges' label */
  int32_t task_state; /* the latest task status' state; -1: none yet */
  GHashTable *procs;  /* GString process name -> latest run's state + 1 */
  /* per_task: what the stream counted before its task id was known (the
   * task status a runner writes before its header), moved to the task's
   * series once the id is known, to task_id="" if it never is. */
  mx_series *pending;
} stream;

/* One instance: two sections backed by this module share nothing. */
typedef struct metrics {
  const thermos_host_v1 *host;
  bool check;       /* THERMOS_MODE_CHECK: validated, nothing more */
  bool per_task;    /* per_task = yes */
  bool keep_closed; /* replay: a closed stream still counts */
  char *textfile;   /* NULL: none */
  double interval;
  double last_write; /* tick time of the last write attempt; 0: none */
  int write_failing; /* errno of the failure last logged; 0: healthy */
  mx_registry *reg;
  mx_http *http;
  mx_self *self;       /* the thermos_dispatch_* families; NULL: off */
  GHashTable *streams; /* source path -> stream */
  /* The stream of the previous event: consecutive events nearly always
   * come from one stream, and hashing its path each time is wasted. */
  const char *last_source;
  stream *last_stream;
  bool dirty; /* something changed since the last rendering */
  GString *text;
} metrics;

static const thermos_option OPTIONS[] = {
    {"textfile", THERMOS_OPT_PATH, NULL,
     "write the exposition to this file (atomically, for node_exporter's "
     "textfile collector)",
     NULL},
    {"interval", THERMOS_OPT_DOUBLE, "15",
     "seconds between textfile writes (on tick; also written at exit)", NULL},
    {"listen", THERMOS_OPT_STRING, "",
     "HOST:PORT to serve /metrics on (a bare PORT: 127.0.0.1, loopback); "
     "empty: no server",
     NULL},
    {"per_task", THERMOS_OPT_BOOL, "no",
     "add a task_id label to every series (one set of series per task)", NULL},
    {"buckets", THERMOS_OPT_STRING, DEFAULT_BUCKETS,
     "upper bounds in seconds of the run-duration histogram, increasing", NULL},
    {"self_metrics", THERMOS_OPT_ENUM, "all",
     "the host's own statistics (thermos_dispatch_*): all, instances (no "
     "series per stream, only their sum) or no",
     "all|instances|no"},
    {NULL, 0, NULL, NULL, NULL}};

/* --- streams ------------------------------------------------------------- */

static void stream_free(gpointer p) {
  stream *s = p;
  g_string_free(s->task_id, TRUE);
  g_hash_table_destroy(s->procs);
  mx_series_free(s->pending);
  g_free(s);
}

static void gstring_free(gpointer p) { g_string_free(p, TRUE); }

static stream *stream_new(void) {
  stream *s = g_new0(stream, 1);
  s->task_id = g_string_new(NULL);
  s->task_state = -1;
  s->procs = g_hash_table_new_full(
      (GHashFunc)g_string_hash, (GEqualFunc)g_string_equal, gstring_free, NULL);
  return s;
}

/* The event's stream, created if the host did not open it first; its
 * task_id label follows the event's (empty until the header is seen for
 * a checkpoint outside .../checkpoints/<id>/runner). */
static stream *stream_of(metrics *m, const thermos_event *ev) {
  stream *s;
  if (ev->source == m->last_source && m->last_stream) {
    s = m->last_stream;
  } else {
    s = g_hash_table_lookup(m->streams, ev->source);
    if (!s) {
      s = stream_new();
      g_hash_table_insert(m->streams, g_strdup(ev->source), s);
    }
    m->last_source = ev->source;
    m->last_stream = s;
  }
  if (s->task_id->len != ev->task_id.len ||
      memcmp(s->task_id->str, ev->task_id.data, ev->task_id.len) != 0)
    g_string_overwrite_len(g_string_truncate(s->task_id, 0), 0,
                           ev->task_id.data ? ev->task_id.data : "",
                           (gssize)ev->task_id.len);
  return s;
}

/* The series an event's counts go to.  With per_task, the event's task_id
 * is the label; an event before it is known counts in the stream's pending
 * series, so that every record of a task is counted under its id. */
static mx_series *counters_of(metrics *m, const thermos_event *ev) {
  if (!m->per_task)
    return mx_series_of(m->reg, ev->task_id);
  stream *s = stream_of(m, ev);
  if (ev->task_id.len == 0) {
    if (!s->pending)
      s->pending = mx_series_new(m->reg);
    return s->pending;
  }
  mx_series *se = mx_series_of(m->reg, ev->task_id);
  if (s->pending) {
    mx_series_merge(m->reg, se, s->pending);
    g_clear_pointer(&s->pending, mx_series_free);
  }
  return se;
}

static void forget_last(metrics *m) {
  m->last_source = NULL;
  m->last_stream = NULL;
}

/* Sums every stream into the gauges of its task's series. */
static void compute_gauges(metrics *m) {
  mx_gauges_reset(m->reg);
  GHashTableIter it;
  gpointer v;
  g_hash_table_iter_init(&it, m->streams);
  while (g_hash_table_iter_next(&it, NULL, &v)) {
    stream *s = v;
    mx_series *se =
        mx_series_of(m->reg, (thermos_str){s->task_id->str, s->task_id->len});
    se->open_streams++;
    if (s->task_state >= 0)
      se->tasks[mx_state_slot(s->task_state)]++;
    GHashTableIter pi;
    gpointer st;
    g_hash_table_iter_init(&pi, s->procs);
    while (g_hash_table_iter_next(&pi, NULL, &st))
      se->processes[mx_state_slot(GPOINTER_TO_INT(st) - 1)]++;
  }
}

/* --- output -------------------------------------------------------------- */

static void render(metrics *m) {
  compute_gauges(m);
  mx_render(m->reg, m->text);
  mx_self_render(m->self, m->text);
  m->dirty = false;
  if (m->http)
    mx_http_publish(m->http, g_bytes_new(m->text->str, m->text->len));
}

/* Writes the textfile; logs a failure once for a run of identical ones. */
static int write_textfile(metrics *m) {
  char *err = NULL;
  int e = mx_textfile_write(m->textfile, m->text->str, m->text->len, &err);
  if (e != 0 && e != m->write_failing)
    thermos_logf(m->host, THERMOS_LOG_ERROR, "%s", err);
  else if (e == 0 && m->write_failing)
    thermos_logf(m->host, THERMOS_LOG_INFO, "textfile %s written again",
                 m->textfile);
  m->write_failing = e;
  g_free(err);
  return e ? -1 : 0;
}

static double wall_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* --- callbacks ----------------------------------------------------------- */

/* Every universal callback of a live record counts as one record. */
static void live_record(metrics *m, const thermos_event *ev) {
  counters_of(m, ev)->records++;
  mx_set_last_record(m->reg, wall_now());
}

static int metrics_on_stream_open(void *ctx, const thermos_event *ev) {
  metrics *m = ctx;
  /* A path opened again (replay of the same file twice) starts over. */
  g_hash_table_remove(m->streams, ev->source);
  forget_last(m);
  stream_of(m, ev);
  m->dirty = true;
  return THERMOS_OK;
}

static int metrics_on_stream_error(void *ctx, const thermos_event *ev,
                                   const char *reason) {
  (void)reason;
  metrics *m = ctx;
  counters_of(m, ev)->stream_errors++;
  m->dirty = true;
  return THERMOS_OK;
}

static int metrics_on_stream_close(void *ctx, const thermos_event *ev) {
  metrics *m = ctx;
  stream *s = g_hash_table_lookup(m->streams, ev->source);
  if (s && s->pending) { /* its task id never became known */
    mx_series_merge(m->reg, mx_series_of(m->reg, (thermos_str){"", 0}),
                    s->pending);
    g_clear_pointer(&s->pending, mx_series_free);
  }
  /* The closed stream's path may be freed and its address reused. */
  forget_last(m);
  if (!m->keep_closed) {
    g_hash_table_remove(m->streams, ev->source);
    m->dirty = true;
  }
  return THERMOS_OK;
}

static int metrics_on_initialization(void *ctx, const thermos_event *ev,
                                     const thermos_runner_header *h) {
  (void)h;
  metrics *m = ctx;
  stream_of(m, ev);
  if (!ev->history)
    live_record(m, ev);
  m->dirty = true;
  return THERMOS_OK;
}

static int metrics_on_process_transition(void *ctx, const thermos_event *ev,
                                         int32_t state,
                                         const thermos_process_status *ps) {
  metrics *m = ctx;
  const thermos_host_v1 *host = m->host;
  stream *s = stream_of(m, ev);
  m->dirty = true;
  if (!ev->history) {
    live_record(m, ev);
    counters_of(m, ev)->process_transitions[mx_state_slot(state)]++;
  }
  if (!(ps->present & THERMOS_PS_PROCESS))
    return THERMOS_OK;
  /* The event's state is after the update: its latest run is the run
   * this update belongs to, with the start_time of an earlier update. */
  size_t n = host->process_run_count(ev->state, ps->process);
  const thermos_process_status *run =
      n ? host->process_run(ev->state, ps->process, n - 1) : NULL;
  GString key = {.str = (char *)(ps->process.data ? ps->process.data : ""),
                 .len = ps->process.len,
                 .allocated_len = ps->process.len + 1};
  if (run && (run->present & THERMOS_PS_STATE))
    g_hash_table_replace(s->procs, g_string_new_len(key.str, (gssize)key.len),
                         GINT_TO_POINTER(mx_state_slot(run->state) + 1));
  else
    g_hash_table_remove(s->procs, &key);

  if (!ev->history && td_process_state_terminal(state) &&
      state != THERMOS_PROCESS_LOST && (ps->present & THERMOS_PS_STOP_TIME) &&
      run && (run->present & THERMOS_PS_START_TIME)) {
    double d = ps->stop_time - run->start_time;
    /* A clock stepped back between start and stop says nothing useful. */
    if (isfinite(d) && d >= 0)
      mx_observe_run(m->reg, counters_of(m, ev), d);
  }
  return THERMOS_OK;
}

static int metrics_on_task_transition(void *ctx, const thermos_event *ev,
                                      int32_t state,
                                      const thermos_task_status *ts) {
  (void)ts;
  metrics *m = ctx;
  stream *s = stream_of(m, ev);
  m->dirty = true;
  if (!ev->history) {
    live_record(m, ev);
    counters_of(m, ev)->task_transitions[mx_state_slot(state)]++;
  }
  size_t n = m->host->task_status_count(ev->state);
  const thermos_task_status *last =
      n ? m->host->task_status(ev->state, n - 1) : NULL;
  s->task_state = last && (last->present & THERMOS_TS_STATE)
                      ? mx_state_slot(last->state)
                      : -1;
  return THERMOS_OK;
}

static int metrics_tick(void *ctx, double now) {
  metrics *m = ctx;
  if (m->check)
    return THERMOS_OK;
  if (m->self) {
    /* Read here, on the dispatch thread, as the readers require; the
     * snapshot serves the HTTP thread and the textfile until the next. */
    mx_self_read(m->self, m->host);
    m->dirty = true;
  }
  if (m->dirty)
    render(m);
  if (!m->textfile || (m->last_write > 0 && now - m->last_write < m->interval))
    return THERMOS_OK;
  /* Counted from the attempt: a failing directory is retried every
   * interval, not every second. */
  m->last_write = now;
  return write_textfile(m);
}

/* --- life cycle ---------------------------------------------------------- */

static void metrics_free(metrics *m) {
  mx_http_stop(m->http);
  mx_registry_free(m->reg);
  mx_self_free(m->self);
  if (m->streams)
    g_hash_table_destroy(m->streams);
  if (m->text)
    g_string_free(m->text, TRUE);
  g_free(m->textfile);
  g_free(m);
}

static int metrics_init(const thermos_host_v1 *host, void **ctx) {
  metrics *m = g_new0(metrics, 1);
  m->host = host;
  m->check = tdp_check_mode(host);
  m->keep_closed = host->mode == THERMOS_MODE_REPLAY;
  char *err = NULL;

  /* Every problem is reported, not only the first. */
  bool ok = tdp_option_bool(host, "per_task", "no", &m->per_task);
  ok = tdp_option_seconds(host, "interval", "15", &m->interval) && ok;

  size_t n_buckets = 0;
  double *buckets = mx_parse_buckets(
      tdp_option(host, "buckets", DEFAULT_BUCKETS), &n_buckets, &err);
  if (!buckets) {
    host->config_error(host->host, "buckets", err);
    g_clear_pointer(&err, g_free);
    ok = false;
  }

  const char *textfile = tdp_option(host, "textfile", "");
  if (*textfile) {
    m->textfile = g_strdup(textfile);
    /* Only check mode looks ahead: a directory created between start and
     * the first write is fine, a missing one a callback error then. */
    if (m->check && mx_textfile_check(textfile, &err) != 0) {
      host->config_error(host->host, "textfile", err);
      g_clear_pointer(&err, g_free);
      ok = false;
    }
  }

  const char *listen = tdp_option(host, "listen", "");
  struct sockaddr_storage addr;
  socklen_t addr_len = 0;
  bool have_listen = false;
  if (*listen) {
    if (mx_listen_parse(listen, &addr, &addr_len, &err) != 0) {
      host->config_error(host->host, "listen", err);
      g_clear_pointer(&err, g_free);
      ok = false;
    } else {
      have_listen = true;
    }
  }

  /* A host before 1.1 has no statistics: the families are left out. */
  const char *self = tdp_option(host, "self_metrics", "all");
  bool want_self = strcmp(self, "no") != 0 && mx_self_available(host);

  if (ok) {
    m->reg = mx_registry_new(m->per_task, buckets, n_buckets);
    if (want_self)
      m->self = mx_self_new(strcmp(self, "all") == 0);
    m->streams =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, stream_free);
    m->text = g_string_new(NULL);
  }
  g_free(buckets);
  if (ok && have_listen && !m->check) {
    m->http = mx_http_start(host, &addr, &err);
    if (!m->http) {
      char *msg = g_strdup_printf("cannot listen on %s: %s", listen, err);
      host->config_error(host->host, "listen", msg);
      g_free(msg);
      g_clear_pointer(&err, g_free);
      ok = false;
    }
  }
  if (!ok) {
    metrics_free(m); /* the host calls no fini after a failed init */
    return THERMOS_ERROR;
  }
  if (!m->check)
    render(m); /* a scrape before the first tick sees every family */
  *ctx = m;
  return THERMOS_OK;
}

static void metrics_fini(void *ctx) {
  metrics *m = ctx;
  if (!m->check && m->textfile) {
    render(m);
    /* A failure is logged, unless tick logged the same one already;
     * nothing more can be done. */
    write_textfile(m);
  }
  metrics_free(m);
}

static const thermos_handler_v1 METRICS = {
    .abi_major = THERMOS_HANDLER_ABI_MAJOR,
    .struct_size = sizeof(thermos_handler_v1),
    .name = "metrics",
    .version = PACKAGE_VERSION,
    .options = OPTIONS,
    .init = metrics_init,
    .fini = metrics_fini,
    .tick = metrics_tick,
    .on_stream_open = metrics_on_stream_open,
    .on_stream_error = metrics_on_stream_error,
    .on_stream_close = metrics_on_stream_close,
    .on_initialization = metrics_on_initialization,
    .on_process_transition = metrics_on_process_transition,
    .on_task_transition = metrics_on_task_transition,
};

THERMOS_EXPORT const thermos_handler_v1 *thermos_handler_v1_entry(void) {
  return &METRICS;
}
