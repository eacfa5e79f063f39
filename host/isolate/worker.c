#include "worker.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

#include "core/diag.h"
#include "core/exit_codes.h"
#include "core/stream_reader.h"
#include "follow/stream_session.h"
#include "hello.h"
#include "plugin/plugin_set.h"
#include "protocol.h"
#include "wire.h"

/* One stream as the worker holds it: the records the host sent, in an
 * anonymous file read by a real session. */
typedef struct wstream {
  td_session *session;
  const uint8_t *pending; /* the records of the DATA message in hand */
  size_t pending_len;
  bool failed; /* a record could not be read: nothing more is */
} wstream;

typedef struct worker {
  td_config *cfg;
  td_hello hello;
  td_plugin_set *set;
  td_dispatcher *d;
  td_progress_page *page;
  GHashTable *streams; /* sid -> wstream * */
  uint64_t seq;        /* messages handled */
  GByteArray *in;      /* bytes read, not yet handled */
  GByteArray *out;
} worker;

/* The stream's reader takes the message's records from memory: no copy
 * but the reader's own, no system call. */
static long feed(void *user, void *buf, size_t n) {
  wstream *ws = user;
  size_t k = MIN(n, ws->pending_len);
  memcpy(buf, ws->pending, k);
  ws->pending += k;
  ws->pending_len -= k;
  return (long)k;
}

static void stream_free(gpointer p) {
  wstream *w = p;
  td_session_free(w->session);
  g_free(w);
}

static bool write_all(const uint8_t *p, size_t n) {
  while (n) {
    ssize_t k = write(TD_WORKER_CHANNEL_FD, p, n);
    if (k < 0 && errno == EINTR)
      continue;
    if (k <= 0)
      return false;
    p += k;
    n -= (size_t)k;
  }
  return true;
}

static bool send_ready(bool ok) {
  GByteArray *b = g_byte_array_new();
  size_t m = td_wire_begin(b, TD_MSG_READY);
  td_wire_u32(b, ok);
  td_wire_end(b, m);
  bool sent = write_all(b->data, b->len);
  g_byte_array_free(b, TRUE);
  return sent;
}

static bool send_ack(worker *w) {
  td_worker_stats st;
  memset(&st, 0, sizeof st);
  const td_instance *in = g_ptr_array_index(w->set->instances, 0);
  const td_target *t = &in->target;
  st.events = t->events;
  st.callbacks = t->callbacks;
  st.failures = t->failures;
  st.suppressed = t->suppressed;
  st.callback_seconds = t->callback_seconds;
  for (int i = 0; i < 8 && i < THERMOS_CALLBACK_BUCKETS; i++)
    st.buckets[i] = t->callback_buckets[i];
  st.disabled = t->disabled;
  st.aborted = td_dispatcher_aborted(w->d);
  g_byte_array_set_size(w->out, 0);
  size_t m = td_wire_begin(w->out, TD_MSG_ACK);
  td_wire_u64(w->out, w->seq);
  g_byte_array_append(w->out, (const guint8 *)&st, sizeof st);
  td_wire_end(w->out, m);
  return write_all(w->out->data, w->out->len);
}

/* After each record: how far this stream got, for the host's message
 * (and restart) should the worker die on the next one. */
static void record_done(void *user, const td_record *rec, int history) {
  (void)history;
  td_progress_page *page = user;
  page->done_end = rec->offset + 4 + rec->len;
  page->done_records++;
  page->next_record = rec->index + 1;
  page->beat++;
}

static void doing(worker *w, td_worker_doing what, uint32_t sid) {
  w->page->seq = w->seq;
  w->page->sid = sid;
  w->page->done_records = 0;
  w->page->doing = what;
  w->page->beat++;
}

static wstream *stream_of(worker *w, uint32_t sid) {
  return g_hash_table_lookup(w->streams, GUINT_TO_POINTER(sid));
}

static void on_open(worker *w, td_wire_reader *r) {
  uint32_t sid = td_wire_get_u32(r);
  int history = (int)td_wire_get_u32(r);
  uint64_t history_end = td_wire_get_u64(r);
  const char *source = td_wire_get_str(r);
  if (!r->ok || !source || stream_of(w, sid))
    return;
  wstream *ws = g_new0(wstream, 1);
  td_stream *stream =
      td_stream_open_source(source, feed, ws, w->cfg->max_record_size);
  ws->session =
      td_session_new(stream, w->d, w->hello.truncate, w->hello.recovery);
  td_session_set_max_processes(ws->session, w->cfg->max_processes);
  td_session_on_record_done(ws->session, record_done, w->page);
  g_hash_table_insert(w->streams, GUINT_TO_POINTER(sid), ws);
  doing(w, TD_DOING_OPEN, sid);
  w->page->done_end = 0;
  w->page->next_record = 0;
  td_session_set_history(ws->session, history);
  td_session_open(ws->session);
  td_session_set_history_limit(ws->session, history_end);
}

static void on_data(worker *w, td_wire_reader *r) {
  uint32_t sid = td_wire_get_u32(r);
  uint64_t history_end = td_wire_get_u64(r);
  wstream *ws = stream_of(w, sid);
  if (!r->ok || !ws)
    return;
  if (ws->failed)
    return;
  ws->pending = r->p;
  ws->pending_len = r->left;
  doing(w, TD_DOING_RECORD, sid);
  uint64_t position = td_stream_position(td_session_stream(ws->session));
  w->page->done_end = position;
  w->page->next_record =
      td_session_event(ws->session)->record + (position > 0 ? 1 : 0);
  td_session_set_history_limit(ws->session, history_end);
  td_pump_result res = td_session_pump(ws->session, NULL, NULL);
  /* The host read these records already: a failure here is the worker's
   * own, said once (by the session), and the stream goes no further. */
  if (res == TD_PUMP_STREAM_ERROR || res == TD_PUMP_READ_ERROR)
    ws->failed = true;
  ws->pending_len = 0;
}

static void on_error(worker *w, td_wire_reader *r) {
  uint32_t sid = td_wire_get_u32(r);
  uint64_t record = td_wire_get_u64(r);
  uint64_t offset = td_wire_get_u64(r);
  const char *reason = td_wire_get_str(r);
  wstream *ws = stream_of(w, sid);
  if (!r->ok || !ws)
    return;
  doing(w, TD_DOING_ERROR, sid);
  /* Reported by the host already: the callback only. */
  td_session_error_at(ws->session, record, offset, reason ? reason : "");
}

static void on_close(worker *w, td_wire_reader *r) {
  uint32_t sid = td_wire_get_u32(r);
  wstream *ws = stream_of(w, sid);
  if (!r->ok || !ws)
    return;
  doing(w, TD_DOING_CLOSE, sid);
  td_session_close(ws->session);
  g_hash_table_remove(w->streams, GUINT_TO_POINTER(sid));
}

/* Handles one message; false to stop (STOP). */
static bool handle(worker *w, uint32_t type, const uint8_t *body, size_t len) {
  td_wire_reader r;
  td_wire_reader_init(&r, body, len);
  w->seq++;
  switch (type) {
  case TD_MSG_OPEN:
    on_open(w, &r);
    break;
  case TD_MSG_DATA:
    on_data(w, &r);
    break;
  case TD_MSG_ERROR:
    on_error(w, &r);
    break;
  case TD_MSG_CLOSE:
    on_close(w, &r);
    break;
  case TD_MSG_TICK: {
    double now = td_wire_get_double(&r);
    doing(w, TD_DOING_TICK, 0);
    td_dispatch_tick(w->d, now);
    break;
  }
  case TD_MSG_REOPEN:
    doing(w, TD_DOING_REOPEN, 0);
    td_dispatch_reopen(w->d);
    break;
  case TD_MSG_STOP:
    return false;
  default:
    break;
  }
  w->page->doing = TD_DOING_IDLE;
  return true;
}

/* Reads more of the channel; false at its end. */
static bool fill(worker *w) {
  guint had = w->in->len;
  g_byte_array_set_size(w->in, had + (1u << 20));
  for (;;) {
    ssize_t k = read(TD_WORKER_CHANNEL_FD, w->in->data + had, 1u << 20);
    if (k < 0 && errno == EINTR)
      continue;
    g_byte_array_set_size(w->in, had + (guint)(k > 0 ? k : 0));
    return k > 0;
  }
}

/* The next whole message at the start of `in`, if there is one. */
static bool next(worker *w, td_msg_header *h) {
  if (w->in->len < sizeof *h)
    return false;
  memcpy(h, w->in->data, sizeof *h);
  if (h->len > TD_MSG_MAX_BODY) {
    td_error("worker: malformed message from the host");
    _exit(TD_EXIT_SOFTWARE);
  }
  return w->in->len - sizeof *h >= h->len;
}

static bool start(worker *w) {
  td_msg_header h;
  while (!next(w, &h))
    if (!fill(w))
      return false;
  if (h.type != TD_MSG_HELLO)
    return false;
  w->cfg = td_hello_decode(w->in->data + sizeof h, h.len, &w->hello);
  g_byte_array_remove_range(w->in, 0, (guint)(sizeof h + h.len));
  if (!w->cfg)
    return false;
  td_plugin_set_trace(w->hello.trace);
  w->page->doing = TD_DOING_INIT;
  w->set = td_plugin_set_start(w->cfg, w->hello.mode, w->hello.truncate, false);
  w->page->doing = TD_DOING_IDLE;
  if (!w->set || w->set->instances->len != 1) {
    send_ready(false);
    return false;
  }
  w->d = td_plugin_set_dispatcher(w->set);
  td_dispatcher_quiet_streams(w->d);
  return send_ready(true);
}

int td_worker_main(void) {
  struct stat st;
  if (fstat(TD_WORKER_CHANNEL_FD, &st) < 0 || !S_ISSOCK(st.st_mode) ||
      fstat(TD_WORKER_PROGRESS_FD, &st) < 0 ||
      (size_t)st.st_size < sizeof(td_progress_page)) {
    td_error("%s: for the host's own use (an isolated instance's worker)",
             TD_WORKER_COMMAND);
    return TD_EXIT_USAGE;
  }
  /* The host decides when its worker ends: a terminal's Ctrl-C or the
   * service manager's TERM reaches the host, which stops it in order. */
  signal(SIGINT, SIG_IGN);
  signal(SIGTERM, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
  signal(SIGPIPE, SIG_IGN);
  worker w;
  memset(&w, 0, sizeof w);
  w.page = mmap(NULL, sizeof *w.page, PROT_READ | PROT_WRITE, MAP_SHARED,
                TD_WORKER_PROGRESS_FD, 0);
  if (w.page == MAP_FAILED)
    return TD_EXIT_SOFTWARE;
  w.in = g_byte_array_new();
  w.out = g_byte_array_new();
  w.streams =
      g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, stream_free);
  int rc = TD_EXIT_CONFIG;
  if (start(&w)) {
    rc = TD_EXIT_OK;
    bool running = true;
    while (running) {
      td_msg_header h;
      size_t used = 0;
      /* Every whole message read, then one ACK for all of them. */
      while (running && w.in->len - used >= sizeof h) {
        memcpy(&h, w.in->data + used, sizeof h);
        if (h.len > TD_MSG_MAX_BODY) {
          td_error("worker: malformed message from the host");
          return TD_EXIT_SOFTWARE;
        }
        if (w.in->len - used - sizeof h < h.len)
          break;
        running = handle(&w, h.type, w.in->data + used + sizeof h, h.len);
        used += sizeof h + h.len;
      }
      g_byte_array_remove_range(w.in, 0, (guint)used);
      if (!running)
        break;
      if (used && !send_ack(&w))
        break; /* the host is gone */
      if (!fill(&w))
        break;
    }
    g_hash_table_destroy(w.streams);
    w.streams = NULL;
    w.page->doing = TD_DOING_FINI;
    td_plugin_set_stop(w.set);
    w.page->doing = TD_DOING_IDLE;
  }
  if (w.streams)
    g_hash_table_destroy(w.streams);
  g_byte_array_free(w.in, TRUE);
  g_byte_array_free(w.out, TRUE);
  td_config_free(w.cfg);
  return rc;
}
