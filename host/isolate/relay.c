/* The relay as a dispatcher target (td_relay_ops: what the host reads of
 * each stream) and as an instance (start, stop, free). */
#include "relay.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/diag.h"
#include "core/stream_reader.h"
#include "hello.h"
#include "plugin/plugin_set.h"
#include "relay_private.h"

/* The back-pressure message, at most this often. */
#define FULL_LOG_INTERVAL 60.0
/* Records between two turns of the relay while the host reads fast. */
#define SERVICE_EVERY 2048

static relay_stream *stream_for(td_relay *r, const thermos_event *ev) {
  return g_hash_table_lookup(r->open, ev->source);
}

static gboolean on_idle(gpointer user) {
  td_relay *r = user;
  r->idle_source = 0;
  td_relay_service(r, 0);
  return G_SOURCE_REMOVE;
}

/* Queued: sent once the host's event loop is free, or sooner. */
static void queue(td_relay *r, item_kind kind, relay_stream *rs) {
  if (!r->running)
    return; /* a new worker is given everything anyway */
  td_relay_push(r, kind, rs);
  if (!r->idle_source)
    r->idle_source = g_idle_add(on_idle, r);
}

/* ---- what the dispatcher calls ---- */

static void relay_stream_open(void *ctx, const thermos_event *ev,
                              const td_stream *reader) {
  td_relay *r = ctx;
  if (r->disabled || stream_for(r, ev))
    return;
  relay_stream *rs = g_new0(relay_stream, 1);
  rs->sid = r->next_sid++;
  rs->key = ev->source;
  rs->source = g_strdup(ev->source);
  rs->open_history = ev->history;
  rs->fd = -1;
  struct stat st;
  int fd = reader ? td_stream_fd(reader) : -1;
  if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
    /* The file itself, read again at will: the queue is offsets. */
    rs->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  } else {
    /* A pipe is read once: what the host reads is kept for the worker. */
    rs->fd = memfd_create("thermos-dispatch-copy", MFD_CLOEXEC);
    rs->copying = true;
  }
  if (rs->fd < 0) {
    td_error("%s: %s: %s; not delivered to this instance", r->name, rs->source,
             g_strerror(errno));
    g_free(rs->source);
    g_free(rs);
    return;
  }
  /* Added while the stream was read already: what is there is history. */
  uint64_t pos = reader && !rs->copying ? td_stream_position(reader) : 0;
  rs->base_end = rs->avail_end = rs->history_end = pos;
  g_hash_table_insert(r->open, (gpointer)ev->source, rs);
  g_ptr_array_add(r->streams, rs);
  queue(r, IT_OPEN, rs);
  if (pos)
    queue(r, IT_DATA, rs);
}

static void keep_copy(td_relay *r, relay_stream *rs, const td_record *rec) {
  uint8_t head[4] = {(uint8_t)(rec->len >> 24), (uint8_t)(rec->len >> 16),
                     (uint8_t)(rec->len >> 8), (uint8_t)rec->len};
  if (pwrite(rs->fd, head, 4, (off_t)rec->offset) != 4 ||
      pwrite(rs->fd, rec->body, rec->len, (off_t)rec->offset + 4) !=
          (ssize_t)rec->len)
    td_error("%s: %s: keeping a copy: %s", r->name, rs->source,
             g_strerror(errno));
}

/* Back-pressure: the host waits while the worker is this far behind, as
 * long as it is up (never for a dead or restarting one). */
static void wait_for_room(td_relay *r) {
  double now = td_relay_now();
  if (r->last_full_log == 0 || now - r->last_full_log >= FULL_LOG_INTERVAL) {
    td_warning("%s: %" G_GUINT64_FORMAT
               " records queued (queue_records): waiting for its worker",
               r->name, r->backlog);
    r->last_full_log = now;
  }
  while (r->running && !r->disabled && r->backlog >= r->queue_records)
    td_relay_service(r, 100);
}

static void relay_record(void *ctx, const thermos_event *ev,
                         const td_record *rec) {
  td_relay *r = ctx;
  relay_stream *rs = stream_for(r, ev);
  if (!rs)
    return;
  uint64_t end = rec->offset + 4 + rec->len;
  if (end <= rs->avail_end)
    return; /* there before this relay: sent as history */
  if (rs->copying)
    keep_copy(r, rs, rec);
  rs->avail_end = end;
  if (ev->history)
    rs->history_end = end;
  r->backlog++;
  queue(r, IT_DATA, rs);
  if (++r->since_service >= SERVICE_EVERY) {
    r->since_service = 0;
    td_relay_service(r, 0);
  }
  if (r->backlog >= r->queue_records && r->running)
    wait_for_room(r);
}

static void relay_stream_error(void *ctx, const thermos_event *ev,
                               const char *reason) {
  td_relay *r = ctx;
  relay_stream *rs = stream_for(r, ev);
  if (!rs || rs->has_error)
    return;
  rs->has_error = true;
  rs->error_record = ev->record;
  rs->error_offset = ev->offset;
  rs->error_reason = g_strdup(reason);
  queue(r, IT_ERROR, rs);
}

static void relay_stream_close(void *ctx, const thermos_event *ev) {
  td_relay *r = ctx;
  relay_stream *rs = stream_for(r, ev);
  if (!rs)
    return;
  g_hash_table_remove(r->open, ev->source);
  rs->key = NULL; /* the host's string goes with its stream */
  rs->host_closed = true;
  queue(r, IT_CLOSE, rs);
}

static void relay_tick(void *ctx, double now) {
  td_relay *r = ctx;
  if (!r->running)
    return;
  queue(r, IT_TICK, NULL);
  item *last = g_queue_peek_tail(&r->items);
  if (last && last->kind == IT_TICK)
    last->now = now;
}

static void relay_reopen(void *ctx) { queue(ctx, IT_REOPEN, NULL); }

static const td_relay_ops OPS = {relay_stream_open,  relay_record,
                                 relay_stream_error, relay_stream_close,
                                 relay_tick,         relay_reopen};

/* ---- the instance ---- */

static td_relay *relay_new(td_instance *in) {
  td_relay *r = g_new0(td_relay, 1);
  const td_instance_conf *ic = in->conf;
  r->in = in;
  r->name = ic->name;
  r->callback_timeout = ic->callback_timeout;
  r->max_restarts = ic->max_restarts;
  r->queue_records = ic->queue_records;
  r->proc.channel = r->proc.pidfd = r->proc.progress = -1;
  r->hello = g_byte_array_new();
  r->out = g_byte_array_new();
  r->inbuf = g_byte_array_new();
  r->open = g_hash_table_new(g_direct_hash, g_direct_equal);
  r->streams = g_ptr_array_new();
  r->restarts = g_array_new(FALSE, FALSE, sizeof(double));
  g_queue_init(&r->items);
  g_queue_init(&r->unacked);
  return r;
}

static void relay_destroy(td_relay *r) {
  if (r->running) {
    kill(r->proc.pid, SIGKILL);
    waitpid(r->proc.pid, NULL, 0);
  }
  td_relay_unwatch(r);
  if (r->timer_source)
    g_source_remove(r->timer_source);
  if (r->idle_source)
    g_source_remove(r->idle_source);
  if (r->page)
    munmap(r->page, sizeof *r->page);
  if (r->proc.channel >= 0)
    close(r->proc.channel);
  if (r->proc.pidfd >= 0)
    close(r->proc.pidfd);
  if (r->proc.progress >= 0)
    close(r->proc.progress);
  td_relay_clear_queues(r);
  while (r->streams->len)
    td_relay_stream_free(r, g_ptr_array_index(r->streams, 0));
  g_ptr_array_free(r->streams, TRUE);
  g_hash_table_destroy(r->open);
  g_array_free(r->restarts, TRUE);
  g_byte_array_free(r->hello, TRUE);
  g_byte_array_free(r->out, TRUE);
  g_byte_array_free(r->inbuf, TRUE);
  g_free(r->chunk);
  td_worker_user_clear(&r->user);
  g_free(r);
}

bool td_relay_start(td_instance *in, const td_config *cfg, bool recovery) {
  td_instance_conf *ic = in->conf;
  td_relay *r = relay_new(in);
  char *why = NULL;
  if (!td_worker_user_lookup(ic->user, &r->user, &why)) {
    td_config_report(td_instance_key_origin(ic, "user"),
                     td_instance_section(in), "user", "%s", why);
    g_free(why);
    relay_destroy(r);
    return false;
  }
  td_hello h = {in->set ? in->set->mode : 0, in->set && in->set->truncate,
                recovery, td_plugin_set_tracing()};
  td_hello_encode(r->hello, cfg, ic, &h);
  in->isolated = r;
  in->target.relay = &OPS;
  in->target.ctx = r;
  r->starting = true;
  if (td_relay_spawn(r)) {
    /* Its init: the worker loads the module, checks the options and says
     * what is wrong itself. */
    while (r->running && !r->ready && !r->init_failed)
      td_relay_service(r, 100);
  }
  if (!r->ready && r->running)
    td_relay_died(r, false); /* said why, or is said to */
  r->starting = false;
  if (!r->ready) {
    in->isolated = NULL;
    in->target.relay = NULL;
    relay_destroy(r);
    return false;
  }
  in->inited = true;
  return true;
}

void td_relay_drain(td_instance *in) {
  td_relay *r = in->isolated;
  if (!r)
    return;
  /* Everything the host read reaches the plugin before its fini; a
   * worker waiting out its backoff is started now. */
  while (!r->disabled) {
    if (!r->running) {
      if (r->restart_at == 0 && r->streams->len == 0)
        break;
      r->restart_at = td_relay_now();
    }
    if (r->running && td_relay_idle(r))
      break;
    td_relay_service(r, 100);
  }
}

void td_relay_stop(td_instance *in) {
  td_relay *r = in->isolated;
  if (!r)
    return;
  td_relay_drain(in);
  if (r->running) {
    r->stopping = true;
    td_relay_push(r, IT_STOP, NULL);
    while (r->running)
      td_relay_service(r, 100);
  }
  r->restart_at = 0;
}

void td_relay_free(td_instance *in) {
  td_relay *r = in->isolated;
  if (!r)
    return;
  in->isolated = NULL;
  relay_destroy(r);
}
