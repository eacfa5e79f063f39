/*
 * The thermos_dispatch_* families: what the host counts of itself.
 *
 * The readers are called from the dispatch thread only (the tick), and what
 * they hand out (names, paths) is valid during that call only: the
 * snapshot keeps copies, already written as label text, so that rendering
 * (at tick, and at fini, when the readers may no longer be called) needs
 * nothing of the host.
 *
 * Cardinality: four series and a histogram of ten per instance (a handful);
 * with per-stream series, one per stream open now (10,000 tasks followed:
 * 10,000 series, about 1 MB a scrape), each gone when its stream closes.
 * Its `source` label adds no series (one stream, one path); it keeps two
 * streams of the same task id (a task under two roots) apart.
 */
#ifdef HAVE_CONFIG_H
#include "build_config.h"
#endif

#include "metrics_self.h"

#include <string.h>

#include "metrics_registry.h"

/* One instance, as the last read found it; labels already escaped. */
typedef struct self_instance {
  GString *labels; /* instance="...",module="..." */
  uint64_t events;
  uint64_t failed;
  int disabled;
  uint64_t callbacks;
  double seconds;
  uint64_t buckets[THERMOS_CALLBACK_BUCKETS]; /* cumulative */
} self_instance;

/* One stream: its label text lies in the arena, at [off, off + len). */
typedef struct self_stream {
  size_t off;
  size_t len;
  uint64_t unread;
} self_stream;

struct mx_self {
  bool per_stream;
  bool read;         /* at least one read: the families exist */
  GArray *instances; /* self_instance */
  GArray *streams;   /* self_stream, sorted by label text */
  GString *arena;    /* the streams' label text, reused from read to read */
  uint64_t unread;   /* over every stream */
};

static const double BOUNDS[THERMOS_CALLBACK_BUCKETS] =
    THERMOS_CALLBACK_BUCKET_BOUNDS;

static void instance_clear(gpointer p) {
  self_instance *in = p;
  if (in->labels)
    g_string_free(in->labels, TRUE);
}

mx_self *mx_self_new(bool per_stream) {
  mx_self *s = g_new0(mx_self, 1);
  s->per_stream = per_stream;
  s->instances = g_array_new(FALSE, TRUE, sizeof(self_instance));
  g_array_set_clear_func(s->instances, instance_clear);
  s->streams = g_array_new(FALSE, FALSE, sizeof(self_stream));
  s->arena = g_string_new(NULL);
  return s;
}

void mx_self_free(mx_self *s) {
  if (!s)
    return;
  g_array_free(s->instances, TRUE);
  g_array_free(s->streams, TRUE);
  g_string_free(s->arena, TRUE);
  g_free(s);
}

bool mx_self_available(const thermos_host_v1 *host) {
  return THERMOS_HAS_MEMBER(host, thermos_host_v1, stream_stats) &&
         host->instance_count && host->instance_stats && host->stream_count &&
         host->stream_stats;
}

static void put_label(GString *out, const char *name, const char *value,
                      size_t len) {
  g_string_append(out, name);
  g_string_append(out, "=\"");
  mx_put_label_value(out, value ? value : "", value ? len : 0);
  g_string_append_c(out, '"');
}

static void read_instances(mx_self *s, const thermos_host_v1 *host) {
  g_array_set_size(s->instances, 0);
  size_t n = host->instance_count(host->host);
  for (size_t i = 0; i < n; i++) {
    thermos_instance_stats st;
    memset(&st, 0, sizeof st);
    st.struct_size = sizeof st;
    if (!host->instance_stats(host->host, i, &st))
      break;
    self_instance in = {0};
    in.labels = g_string_new(NULL);
    put_label(in.labels, "instance", st.instance,
              st.instance ? strlen(st.instance) : 0);
    g_string_append_c(in.labels, ',');
    put_label(in.labels, "module", st.module,
              st.module ? strlen(st.module) : 0);
    in.events = st.events;
    in.failed = st.callbacks_failed;
    in.disabled = st.disabled ? 1 : 0;
    in.callbacks = st.callbacks;
    in.seconds = st.callback_seconds;
    memcpy(in.buckets, st.callback_buckets, sizeof in.buckets);
    g_array_append_val(s->instances, in);
  }
}

/* The arena, for the sort's comparison (g_array_sort has no user data). */
static const GString *sort_arena;

static gint stream_order(gconstpointer a, gconstpointer b) {
  const self_stream *x = a, *y = b;
  int c = memcmp(sort_arena->str + x->off, sort_arena->str + y->off,
                 MIN(x->len, y->len));
  if (c)
    return c;
  return x->len < y->len ? -1 : x->len > y->len;
}

static void read_streams(mx_self *s, const thermos_host_v1 *host) {
  g_array_set_size(s->streams, 0);
  g_string_truncate(s->arena, 0);
  s->unread = 0;
  size_t n = host->stream_count(host->host);
  for (size_t i = 0; i < n; i++) {
    thermos_stream_stats st;
    memset(&st, 0, sizeof st);
    st.struct_size = sizeof st;
    if (!host->stream_stats(host->host, i, &st))
      break;
    s->unread += st.bytes_unread;
    if (!s->per_stream)
      continue;
    self_stream e = {.off = s->arena->len, .unread = st.bytes_unread};
    put_label(s->arena, "task_id", st.task_id.data, st.task_id.len);
    g_string_append_c(s->arena, ',');
    put_label(s->arena, "source", st.source, st.source ? strlen(st.source) : 0);
    e.len = s->arena->len - e.off;
    g_array_append_val(s->streams, e);
  }
  /* A stable order: the same streams always render the same text. */
  sort_arena = s->arena;
  g_array_sort(s->streams, stream_order);
  sort_arena = NULL;
}

void mx_self_read(mx_self *s, const thermos_host_v1 *host) {
  read_instances(s, host);
  read_streams(s, host);
  s->read = true;
}

static void family(GString *out, const char *name, const char *type,
                   const char *help) {
  g_string_append_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
                         type);
}

static void sample(GString *out, const char *name, const GString *labels,
                   uint64_t v) {
  g_string_append_printf(out, "%s{%s} %" G_GUINT64_FORMAT "\n", name,
                         labels->str, v);
}

#define EACH_INSTANCE(s, in)                                                   \
  for (guint i_ = 0; i_ < (s)->instances->len; i_++)                           \
    for (const self_instance *in =                                             \
             &g_array_index((s)->instances, self_instance, i_);                \
         in; in = NULL)

static void render_instances(const mx_self *s, GString *out) {
  family(out, "thermos_dispatch_events_total", "counter",
         "Transitions the host delivered to the instance, history included.");
  EACH_INSTANCE(s, in)
  sample(out, "thermos_dispatch_events_total", in->labels, in->events);

  family(out, "thermos_dispatch_callbacks_failed_total", "counter",
         "Callbacks of the instance that returned a failure.");
  EACH_INSTANCE(s, in)
  sample(out, "thermos_dispatch_callbacks_failed_total", in->labels,
         in->failed);

  family(out, "thermos_dispatch_instance_disabled", "gauge",
         "1 once the host no longer calls the instance (on_error = disable), "
         "else 0.");
  EACH_INSTANCE(s, in)
  sample(out, "thermos_dispatch_instance_disabled", in->labels,
         (uint64_t)in->disabled);

  family(out, "thermos_dispatch_callback_seconds", "histogram",
         "Time the instance's callbacks took, each call timed by the host.");
  EACH_INSTANCE(s, in) {
    for (int b = 0; b <= THERMOS_CALLBACK_BUCKETS; b++) {
      g_string_append_printf(
          out, "thermos_dispatch_callback_seconds_bucket{%s,le=\"",
          in->labels->str);
      if (b < THERMOS_CALLBACK_BUCKETS)
        mx_put_double(out, BOUNDS[b]);
      else
        g_string_append(out, "+Inf");
      g_string_append_printf(out, "\"} %" G_GUINT64_FORMAT "\n",
                             b < THERMOS_CALLBACK_BUCKETS ? in->buckets[b]
                                                          : in->callbacks);
    }
    g_string_append_printf(out, "thermos_dispatch_callback_seconds_sum{%s} ",
                           in->labels->str);
    mx_put_double(out, in->seconds);
    g_string_append_c(out, '\n');
    sample(out, "thermos_dispatch_callback_seconds_count", in->labels,
           in->callbacks);
  }
}

static void render_streams(const mx_self *s, GString *out) {
  if (s->per_stream) {
    family(out, "thermos_dispatch_stream_unread_bytes", "gauge",
           "Bytes written to an open stream that the host has not read yet.");
    const self_stream *prev = NULL;
    uint64_t sum = 0;
    /* Sorted: equal label texts (one path read twice at once, which the
     * host does not do) are adjacent, and summed into one series. */
    for (guint i = 0; i <= s->streams->len; i++) {
      const self_stream *e = i < s->streams->len
                                 ? &g_array_index(s->streams, self_stream, i)
                                 : NULL;
      if (prev && e && e->len == prev->len &&
          memcmp(s->arena->str + e->off, s->arena->str + prev->off, e->len) ==
              0) {
        sum += e->unread;
        continue;
      }
      if (prev) {
        g_string_append(out, "thermos_dispatch_stream_unread_bytes{");
        g_string_append_len(out, s->arena->str + prev->off, (gssize)prev->len);
        g_string_append_printf(out, "} %" G_GUINT64_FORMAT "\n", sum);
      }
      prev = e;
      sum = e ? e->unread : 0;
    }
  }
  family(out, "thermos_dispatch_unread_bytes", "gauge",
         "Bytes written to the open streams that the host has not read yet, "
         "all streams together.");
  g_string_append_printf(
      out, "thermos_dispatch_unread_bytes %" G_GUINT64_FORMAT "\n", s->unread);
}

void mx_self_render(const mx_self *s, GString *out) {
  if (!s || !s->read)
    return;
  render_instances(s, out);
  render_streams(s, out);
}
