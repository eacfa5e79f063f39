/*
 * The /events hub.  One mutex guards every subscriber; each has a queue of
 * formatted events (shared GBytes: an event is formatted once, whatever
 * the number of subscribers) and a condition its reader waits on.
 *
 * The dispatch thread only appends references under the mutex, so a
 * client that stops reading costs it nothing: once that client's queue
 * holds more than QUEUE_BOUND bytes it is dropped (its queue freed and its
 * stream ended), and a browser's EventSource reconnects and reloads.
 *
 * Each stream runs on a connection thread of its own (the server is thread
 * per connection), blocked in the content reader until an event comes, a
 * keepalive is due or the hub shuts down.  A subscriber is freed when
 * libmicrohttpd destroys its response, i.e. when the connection ends.
 */
#ifdef HAVE_CONFIG_H
#include "build_config.h"
#endif

#include "observer_events.h"

#include <stdbool.h>
#include <string.h>

#include <glib.h>

/* Pending bytes a subscriber may fall behind by before it is dropped. */
#define QUEUE_BOUND (256u * 1024u)
/* Idle time after which a stream sends a comment: proxies and browsers
 * keep a stream that speaks, and a dead client is found by the write. */
#define KEEPALIVE_US (OBS_EVENTS_KEEPALIVE * G_USEC_PER_SEC)
/* The block size libmicrohttpd asks the reader for. */
#define READ_BLOCK 16384u

static const char keepalive[] = ": keepalive\n\n";

typedef struct sub {
  obs_events *hub;
  char *task_id; /* only this task's events; NULL: all */
  size_t task_len;
  GQueue queue;   /* GBytes, formatted events */
  size_t pending; /* bytes in queue, less `offset` */
  size_t offset;  /* bytes of the head already sent */
  bool ended;     /* dropped or shut down: the stream ends */
  bool listed;    /* in hub->subs */
  GCond wake;
} sub;

struct obs_events {
  GMutex lock;    /* guards everything below and every sub */
  GList *subs;    /* the live subscribers */
  unsigned count; /* subscribers not yet freed (their connections open) */
  unsigned max;
  bool closed;
};

obs_events *obs_events_new(unsigned max_subscribers) {
  obs_events *e = g_new0(obs_events, 1);
  g_mutex_init(&e->lock);
  e->max = max_subscribers;
  return e;
}

/* Ends a subscriber's stream: its pending events are dropped and its
 * reader woken.  Under the hub's lock. */
static void sub_end(obs_events *e, sub *s) {
  s->ended = true;
  g_queue_clear_full(&s->queue, (GDestroyNotify)g_bytes_unref);
  s->pending = 0;
  s->offset = 0;
  if (s->listed) {
    e->subs = g_list_remove(e->subs, s);
    s->listed = false;
  }
  g_cond_signal(&s->wake);
}

void obs_events_shutdown(obs_events *e) {
  g_mutex_lock(&e->lock);
  e->closed = true;
  while (e->subs)
    sub_end(e, e->subs->data);
  g_mutex_unlock(&e->lock);
}

void obs_events_free(obs_events *e) {
  if (!e)
    return;
  /* Streams free their subscribers as their connections end: the server
   * has stopped by now, so none is left. */
  g_warn_if_fail(e->count == 0);
  g_list_free(e->subs);
  g_mutex_clear(&e->lock);
  g_free(e);
}

void obs_events_publish(obs_events *e, const char *task_id, size_t task_id_len,
                        const char *json, size_t len) {
  GBytes *msg = NULL;
  g_mutex_lock(&e->lock);
  for (GList *l = e->subs; l;) {
    sub *s = l->data;
    l = l->next; /* sub_end may unlink s */
    if (s->task_id && (s->task_len != task_id_len ||
                       memcmp(s->task_id, task_id, task_id_len) != 0))
      continue;
    if (!msg) { /* formatted once, and only if someone wants it */
      gsize n = 6 + len + 2;
      char *buf = g_malloc(n);
      memcpy(buf, "data: ", 6);
      memcpy(buf + 6, json, len);
      memcpy(buf + 6 + len, "\n\n", 2);
      msg = g_bytes_new_take(buf, n);
    }
    size_t n = g_bytes_get_size(msg);
    if (s->pending + n > QUEUE_BOUND) {
      sub_end(e, s); /* fallen behind: it reconnects and reloads */
      continue;
    }
    g_queue_push_tail(&s->queue, g_bytes_ref(msg));
    s->pending += n;
    g_cond_signal(&s->wake);
  }
  g_mutex_unlock(&e->lock);
  if (msg)
    g_bytes_unref(msg);
}

/* Copies queued bytes into buf: under the hub's lock. */
static size_t take(sub *s, char *buf, size_t max) {
  size_t out = 0;
  while (out < max && !g_queue_is_empty(&s->queue)) {
    GBytes *head = g_queue_peek_head(&s->queue);
    gsize size;
    const char *data = g_bytes_get_data(head, &size);
    size_t n = MIN(size - s->offset, max - out);
    memcpy(buf + out, data + s->offset, n);
    out += n;
    s->offset += n;
    s->pending -= n;
    if (s->offset == size) {
      g_bytes_unref(g_queue_pop_head(&s->queue));
      s->offset = 0;
    }
  }
  return out;
}

static ssize_t read_events(void *cls, uint64_t pos, char *buf, size_t max) {
  (void)pos;
  sub *s = cls;
  obs_events *e = s->hub;
  gint64 until = g_get_monotonic_time() + KEEPALIVE_US;
  ssize_t ret;
  g_mutex_lock(&e->lock);
  while (!s->ended && g_queue_is_empty(&s->queue))
    if (!g_cond_wait_until(&s->wake, &e->lock, until))
      break; /* idle: time for a keepalive */
  if (s->ended) {
    ret = MHD_CONTENT_READER_END_OF_STREAM;
  } else if (!g_queue_is_empty(&s->queue)) {
    ret = (ssize_t)take(s, buf, max);
  } else {
    size_t n = MIN(sizeof keepalive - 1, max);
    memcpy(buf, keepalive, n);
    ret = (ssize_t)n;
  }
  g_mutex_unlock(&e->lock);
  return ret;
}

static void free_sub(void *cls) {
  sub *s = cls;
  obs_events *e = s->hub;
  g_mutex_lock(&e->lock);
  sub_end(e, s);
  e->count--;
  g_mutex_unlock(&e->lock);
  g_cond_clear(&s->wake);
  g_free(s->task_id);
  g_free(s);
}

enum MHD_Result obs_events_serve(obs_events *e, tdp_http *h,
                                 struct MHD_Connection *c) {
  const char *task_id =
      MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "task_id");
  sub *s = g_new0(sub, 1);
  s->hub = e;
  if (task_id && *task_id) { /* ?task_id= alone: every task */
    s->task_id = g_strdup(task_id);
    s->task_len = strlen(task_id);
  }
  g_queue_init(&s->queue);
  g_cond_init(&s->wake);
  g_mutex_lock(&e->lock);
  bool full = e->closed || e->count >= e->max;
  if (!full) {
    e->count++;
    e->subs = g_list_prepend(e->subs, s);
    s->listed = true;
  }
  g_mutex_unlock(&e->lock);
  if (full) {
    g_cond_clear(&s->wake);
    g_free(s->task_id);
    g_free(s);
    static const char busy[] = "503 too many event streams\n";
    return tdp_http_reply(c, MHD_HTTP_SERVICE_UNAVAILABLE,
                          "text/plain; charset=utf-8", busy, sizeof busy - 1);
  }
  /* From here on the response owns s (free_sub), whatever happens. */
  struct MHD_Response *r = MHD_create_response_from_callback(
      MHD_SIZE_UNKNOWN, READ_BLOCK, read_events, s, free_sub);
  if (!r) {
    free_sub(s);
    return MHD_NO;
  }
  MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
                          "text/event-stream; charset=utf-8");
  MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
  tdp_http_common_headers(r);
  tdp_http_hold(h, c); /* streams on purpose: no request deadline */
  enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, r);
  MHD_destroy_response(r);
  return ret;
}
