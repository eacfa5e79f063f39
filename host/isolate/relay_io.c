/* The relay's messages: the queue turned into bytes on the channel (a
 * stream's records read again from its file, whole records per message),
 * and the worker's acknowledgements turned into what the plugin got. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "core/dispatcher.h"
#include "core/diag.h"
#include "plugin/plugin_set.h"
#include "relay_private.h"
#include "wire.h"

void td_relay_push(td_relay *r, item_kind kind, relay_stream *rs) {
  item *last = g_queue_peek_tail(&r->items);
  if (kind == IT_DATA && last && last->kind == IT_DATA && last->rs == rs) {
    last->end = rs->avail_end; /* one item per run of one stream's records */
    return;
  }
  if (kind == IT_TICK && last && last->kind == IT_TICK) {
    last->now = td_relay_now();
    return;
  }
  item *it = g_new0(item, 1);
  it->kind = kind;
  it->rs = rs;
  if (rs)
    it->end = rs->avail_end;
  g_queue_push_tail(&r->items, it);
}

void td_relay_clear_queues(td_relay *r) {
  g_queue_clear_full(&r->items, g_free);
  g_queue_clear_full(&r->unacked, g_free);
  g_byte_array_set_size(r->out, 0);
  r->out_pos = 0;
  g_byte_array_set_size(r->inbuf, 0);
}

void td_relay_stream_free(td_relay *r, relay_stream *rs) {
  if (rs->key && g_hash_table_lookup(r->open, rs->key) == rs)
    g_hash_table_remove(r->open, rs->key);
  g_ptr_array_remove_fast(r->streams, rs);
  if (rs->fd >= 0)
    close(rs->fd);
  g_free(rs->source);
  g_free(rs->error_reason);
  g_free(rs);
}

void td_relay_requeue(td_relay *r) {
  td_relay_clear_queues(r);
  for (guint i = 0; i < r->streams->len; i++) {
    relay_stream *rs = g_ptr_array_index(r->streams, i);
    /* What the plugin got already is history to the new worker: it
     * rebuilds the state, and the rest comes live. */
    rs->start_history = MAX(rs->history_end, rs->done_end);
    rs->sent_end = 0;
    td_relay_push(r, IT_OPEN, rs);
    if (rs->avail_end)
      td_relay_push(r, IT_DATA, rs);
    if (rs->has_error && !rs->error_done)
      td_relay_push(r, IT_ERROR, rs);
    if (rs->host_closed)
      td_relay_push(r, IT_CLOSE, rs);
  }
}

bool td_relay_wants_write(const td_relay *r) {
  return r->items.length > 0 || r->out_pos < r->out->len;
}

bool td_relay_idle(const td_relay *r) {
  return r->items.length == 0 && r->unacked.length == 0 &&
         r->out_pos >= r->out->len;
}

/* ---- out ---- */

static void log_sent(td_relay *r, item_kind kind, relay_stream *rs) {
  sent *s = g_new0(sent, 1);
  s->seq = r->next_seq++;
  s->kind = kind;
  s->rs = rs;
  g_queue_push_tail(&r->unacked, s);
}

static uint32_t frame_len(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         (uint32_t)p[3];
}

/* Reads `n` bytes of the stream's file at `at`; false if it has fewer
 * (the file shrank under the host, which ends the stream anyway). */
static bool read_at(const relay_stream *rs, uint8_t *buf, size_t n,
                    uint64_t at) {
  size_t got = 0;
  while (got < n) {
    ssize_t k = pread(rs->fd, buf + got, n - got, (off_t)(at + got));
    if (k < 0 && errno == EINTR)
      continue;
    if (k <= 0)
      return false;
    got += (size_t)k;
  }
  return true;
}

/* One DATA message of whole records from where this worker is, up to
 * `end`; false if the file could not be read (the rest is dropped). */
static bool encode_data(td_relay *r, relay_stream *rs, uint64_t end) {
  uint64_t from = rs->sent_end;
  size_t want = (size_t)MIN(end - from, (uint64_t)TD_MSG_DATA_CHUNK);
  if (want > r->chunk_size) {
    r->chunk = g_realloc(r->chunk, want);
    r->chunk_size = want;
  }
  if (!read_at(rs, r->chunk, want, from))
    return false;
  /* Whole records only: the worker's progress is counted in them.  The
   * records the plugin had, or that were there before the relay, lead;
   * the rest are in the backlog. */
  uint64_t counted_from = MAX(rs->base_end, rs->done_end);
  size_t used = 0;
  uint64_t records = 0, fresh = 0;
  while (used + 4 <= want) {
    uint64_t len = 4 + (uint64_t)frame_len(r->chunk + used);
    if (used + len > want)
      break;
    used += (size_t)len;
    records++;
    fresh += from + used > counted_from;
  }
  if (records == 0) {
    /* One record larger than a chunk: alone in its message. */
    uint8_t head[4];
    if (!read_at(rs, head, 4, from))
      return false;
    uint64_t len = 4 + (uint64_t)frame_len(head);
    if (from + len > end || len > TD_MSG_MAX_BODY - 64)
      return false;
    if (len > r->chunk_size) {
      r->chunk = g_realloc(r->chunk, len);
      r->chunk_size = len;
    }
    if (!read_at(rs, r->chunk, len, from))
      return false;
    used = (size_t)len;
    records = 1;
    fresh = from + used > counted_from;
  }
  size_t m = td_wire_begin(r->out, TD_MSG_DATA);
  td_wire_u32(r->out, rs->sid);
  td_wire_u64(r->out, MAX(rs->history_end, rs->start_history));
  g_byte_array_append(r->out, r->chunk, (guint)used);
  td_wire_end(r->out, m);
  log_sent(r, IT_DATA, rs);
  sent *s = g_queue_peek_tail(&r->unacked);
  s->records = records;
  s->fresh = fresh;
  rs->sent_end = from + used;
  s->end = rs->sent_end;
  return true;
}

/* Turns the next item into the next message(s) in `out`. */
static void encode_next(td_relay *r) {
  item *it = g_queue_peek_head(&r->items);
  relay_stream *rs = it->rs;
  size_t m;
  switch (it->kind) {
  case IT_OPEN:
    m = td_wire_begin(r->out, TD_MSG_OPEN);
    td_wire_u32(r->out, rs->sid);
    td_wire_u32(r->out, (uint32_t)(rs->open_history || rs->start_history > 0));
    td_wire_u64(r->out, MAX(rs->history_end, rs->start_history));
    td_wire_str(r->out, rs->source);
    td_wire_end(r->out, m);
    log_sent(r, IT_OPEN, rs);
    break;
  case IT_DATA:
    if (rs->sent_end < it->end && encode_data(r, rs, it->end) &&
        rs->sent_end < it->end)
      return; /* more of this item next time */
    if (rs->sent_end < it->end) {
      td_warning("%s: %s: could not be read again at byte %" G_GUINT64_FORMAT
                 "; the rest of it is not delivered to this instance",
                 r->name, rs->source, rs->sent_end);
      rs->avail_end = rs->sent_end;
    }
    break;
  case IT_ERROR:
    m = td_wire_begin(r->out, TD_MSG_ERROR);
    td_wire_u32(r->out, rs->sid);
    td_wire_u64(r->out, rs->error_record);
    td_wire_u64(r->out, rs->error_offset);
    td_wire_str(r->out, rs->error_reason);
    td_wire_end(r->out, m);
    log_sent(r, IT_ERROR, rs);
    break;
  case IT_CLOSE:
    m = td_wire_begin(r->out, TD_MSG_CLOSE);
    td_wire_u32(r->out, rs->sid);
    td_wire_end(r->out, m);
    log_sent(r, IT_CLOSE, rs);
    break;
  case IT_TICK:
    m = td_wire_begin(r->out, TD_MSG_TICK);
    td_wire_double(r->out, it->now);
    td_wire_end(r->out, m);
    log_sent(r, IT_TICK, NULL);
    break;
  case IT_REOPEN:
    m = td_wire_begin(r->out, TD_MSG_REOPEN);
    td_wire_end(r->out, m);
    log_sent(r, IT_REOPEN, NULL);
    break;
  case IT_STOP:
  default:
    m = td_wire_begin(r->out, TD_MSG_STOP);
    td_wire_end(r->out, m);
    log_sent(r, IT_STOP, NULL);
    break;
  }
  g_free(g_queue_pop_head(&r->items));
}

/* Writes what the channel takes now; false if it is broken. */
static bool write_out(td_relay *r) {
  for (;;) {
    if (r->out_pos >= r->out->len) {
      g_byte_array_set_size(r->out, 0);
      r->out_pos = 0;
      /* Several small messages go out in one write. */
      while (!g_queue_is_empty(&r->items) && r->out->len < TD_MSG_DATA_CHUNK)
        encode_next(r);
      if (!r->out->len)
        return true;
    }
    ssize_t k = write(r->proc.channel, r->out->data + r->out_pos,
                      r->out->len - r->out_pos);
    if (k < 0 && errno == EINTR)
      continue;
    if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
      return true;
    if (k <= 0)
      return false;
    r->out_pos += (size_t)k;
  }
}

/* ---- in ---- */

void td_relay_apply_stats(td_relay *r) {
  td_target *t = &r->in->target;
  const td_worker_stats *b = &r->base, *c = &r->cur;
  t->events = b->events + c->events;
  t->callbacks = b->callbacks + c->callbacks;
  t->failures = b->failures + c->failures;
  t->suppressed = (unsigned)(b->suppressed + c->suppressed);
  t->callback_seconds = b->callback_seconds + c->callback_seconds;
  for (int i = 0; i < 8 && i < THERMOS_CALLBACK_BUCKETS; i++)
    t->callback_buckets[i] = b->buckets[i] + c->buckets[i];
}

/* The plugin got the first `records` records of a DATA message, up to
 * byte `end`. */
static void data_done(td_relay *r, const sent *s, uint64_t records,
                      uint64_t end) {
  uint64_t old = s->records - s->fresh; /* they lead the message */
  uint64_t newly = records > old ? records - old : 0;
  r->backlog -= MIN(r->backlog, newly);
  if (end > s->rs->done_end)
    s->rs->done_end = end;
}

/* Everything up to message `seq` was handled by the worker. */
static void acked(td_relay *r, uint64_t seq) {
  sent *s;
  while ((s = g_queue_peek_head(&r->unacked)) && s->seq <= seq) {
    g_queue_pop_head(&r->unacked);
    if (s->kind == IT_DATA)
      data_done(r, s, s->records, s->end);
    else if (s->kind == IT_ERROR)
      s->rs->error_done = true;
    else if (s->kind == IT_CLOSE)
      td_relay_stream_free(r, s->rs);
    g_free(s);
  }
}

/* After a death: what its progress page says was done. */
void td_relay_settle_page(td_relay *r) {
  const td_progress_page *p = r->page;
  bool mid = p->doing != TD_DOING_IDLE;
  uint64_t whole = mid && p->seq > 0 ? p->seq - 1 : p->seq;
  acked(r, whole);
  sent *s = g_queue_peek_head(&r->unacked);
  if (mid && s && s->seq == p->seq && s->kind == IT_DATA &&
      p->doing == TD_DOING_RECORD && p->done_records > 0)
    data_done(r, s, MIN(p->done_records, s->records), p->done_end);
}

static void on_message(td_relay *r, uint32_t type, const uint8_t *body,
                       size_t len) {
  td_wire_reader rd;
  td_wire_reader_init(&rd, body, len);
  if (type == TD_MSG_READY) {
    r->ready = td_wire_get_u32(&rd) != 0;
    r->init_failed = !r->ready;
    r->last_answer = td_relay_now();
    return;
  }
  if (type != TD_MSG_ACK)
    return;
  uint64_t seq = td_wire_get_u64(&rd);
  if (rd.left >= sizeof r->cur)
    memcpy(&r->cur, rd.p, sizeof r->cur);
  r->last_answer = td_relay_now();
  acked(r, seq);
  td_relay_apply_stats(r);
  if (r->cur.aborted && r->in->set && r->in->set->dispatcher)
    td_dispatcher_abort(r->in->set->dispatcher);
  if (r->cur.disabled && !r->disabled)
    td_relay_disable(r, NULL);
}

/* Reads what the worker wrote; false at its end. */
static bool read_in(td_relay *r) {
  for (;;) {
    guint had = r->inbuf->len;
    g_byte_array_set_size(r->inbuf, had + 65536);
    ssize_t k = read(r->proc.channel, r->inbuf->data + had, 65536);
    g_byte_array_set_size(r->inbuf, had + (guint)(k > 0 ? k : 0));
    if (k < 0 && errno == EINTR)
      continue;
    if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
      break;
    if (k <= 0)
      return false;
  }
  size_t used = 0;
  td_msg_header h;
  while (r->inbuf->len - used >= sizeof h) {
    memcpy(&h, r->inbuf->data + used, sizeof h);
    if (h.len > 4096 || (h.type != TD_MSG_READY && h.type != TD_MSG_ACK)) {
      /* Not what a worker writes: it is not trusted any further. */
      kill(r->proc.pid, SIGKILL);
      return false;
    }
    if (r->inbuf->len - used - sizeof h < h.len)
      break;
    on_message(r, h.type, r->inbuf->data + used + sizeof h, h.len);
    used += sizeof h + h.len;
    if (!r->running)
      return true;
  }
  g_byte_array_remove_range(r->inbuf, 0, (guint)used);
  return true;
}

/* ---- the whole turn ---- */

void td_relay_service(td_relay *r, int timeout_ms) {
  if (r->disabled)
    return;
  double now = td_relay_now();
  if (!r->running) {
    if (r->restart_at > 0 && now >= r->restart_at)
      td_relay_spawn(r);
    else if (timeout_ms != 0 && r->restart_at > 0) {
      double wait = (r->restart_at - now) * 1000;
      if (timeout_ms < 0 || wait < timeout_ms)
        timeout_ms = (int)wait + 1;
      g_usleep((gulong)timeout_ms * 1000);
      return;
    }
    if (!r->running)
      return;
  }
  bool want_write = td_relay_wants_write(r);
  struct pollfd fds[2] = {
      {r->proc.channel, (short)(POLLIN | (want_write ? POLLOUT : 0)), 0},
      {r->proc.pidfd, POLLIN, 0}};
  int n = poll(fds, r->proc.pidfd >= 0 ? 2 : 1, timeout_ms);
  if (n < 0 && errno != EINTR)
    return;
  bool dead = false;
  if (fds[0].revents & (POLLIN | POLLHUP | POLLERR))
    dead = !read_in(r);
  if (!r->running)
    return;
  if (!dead && !write_out(r))
    dead = true;
  if (!dead)
    td_relay_sync_out(r);
  if (!dead && r->proc.pidfd >= 0 && (fds[1].revents & POLLIN))
    dead = true;
  if (dead) {
    td_relay_died(r, false);
    return;
  }
  /* Alive, with work outstanding: is it still answering? */
  now = td_relay_now();
  if (r->page->beat != r->last_beat) {
    r->last_beat = r->page->beat;
    r->last_answer = now;
  }
  if (r->starting && !r->ready) {
    if (now - r->started_at >= r->callback_timeout)
      td_relay_died(r, true);
  } else if (g_queue_is_empty(&r->unacked)) {
    r->last_answer = now;
  } else if (now - r->last_answer >= r->callback_timeout) {
    td_relay_died(r, true);
  }
}
