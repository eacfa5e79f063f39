#include "dispatcher.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <glib.h>

#include "callback_clock.h"
#include "diag.h"
#include "error.h"
#include "stream_reader.h"

volatile td_callback_site td_current_callback;

/* What the dispatcher keeps of an open stream: each target's stream_ctx
 * slot, and what its statistics say. */
typedef struct td_dstream {
  const char *source;
  thermos_str task_id;
  uint64_t records;
  uint64_t offset;                   /* of the last record dispatched */
  const thermos_runner_state *state; /* the live session's */
  const td_stream *reader;
  void **slots; /* one per target slot */
  size_t nslots;
} td_dstream;

struct td_dispatcher {
  GPtrArray *targets; /* td_target *, in dispatch order */
  GHashTable *known;  /* every target added and not removed (set) */
  size_t nslots;      /* slots handed out: one per target ever added */
  bool catching_up;   /* callbacks reach the pending targets only */
  bool has_relays;    /* whether any target ever added is a relay */
  bool quiet_streams; /* the stream's own warnings are someone else's */
  bool aborted;
  GHashTable *warned_task_states; /* unknown task state values warned of */
  GHashTable *streams;            /* ev->source (by address) -> td_dstream */
  GPtrArray *stream_list;         /* the same, for indexed statistics */
  td_dstream *last;               /* the last stream looked up */
  thermos_event cur;              /* the event as one target sees it */
  bool trace;
  double slow_callback;
};

static const double BUCKET_BOUNDS[THERMOS_CALLBACK_BUCKETS] =
    THERMOS_CALLBACK_BUCKET_BOUNDS;

static void dstream_free(gpointer p) {
  td_dstream *s = p;
  g_free(s->slots);
  g_free(s);
}

td_dispatcher *td_dispatcher_new(void) {
  td_dispatcher *d = g_new0(td_dispatcher, 1);
  d->targets = g_ptr_array_new();
  d->known = g_hash_table_new(g_direct_hash, g_direct_equal);
  d->warned_task_states = g_hash_table_new(g_direct_hash, g_direct_equal);
  d->streams =
      g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, dstream_free);
  d->stream_list = g_ptr_array_new();
  td_callback_clock_init();
  return d;
}

void td_dispatcher_free(td_dispatcher *d) {
  if (!d)
    return;
  g_ptr_array_free(d->stream_list, TRUE);
  g_hash_table_destroy(d->streams);
  g_hash_table_destroy(d->warned_task_states);
  g_ptr_array_free(d->targets, TRUE);
  g_hash_table_destroy(d->known);
  g_free(d);
}

/* A target seen for the first time gets a slot of its own in every
 * stream, for good: slots are never reused, so a removed target's
 * leftovers can never reach another. */
static void adopt(td_dispatcher *d, td_target *t, bool pending) {
  g_hash_table_add(d->known, t);
  t->slot = d->nslots++;
  t->pending = pending;
  d->has_relays |= t->relay != NULL;
}

void td_dispatcher_add(td_dispatcher *d, td_target *t) {
  adopt(d, t, false);
  g_ptr_array_add(d->targets, t);
}

void td_dispatcher_abort(td_dispatcher *d) { d->aborted = true; }

void td_dispatcher_quiet_streams(td_dispatcher *d) { d->quiet_streams = true; }

void td_dispatcher_set_trace(td_dispatcher *d, bool trace) { d->trace = trace; }

void td_dispatcher_set_slow_callback(td_dispatcher *d, double seconds) {
  d->slow_callback = seconds;
}

bool td_dispatcher_aborted(const td_dispatcher *d) { return d->aborted; }

size_t td_dispatcher_disabled_count(const td_dispatcher *d) {
  size_t n = 0;
  for (guint i = 0; i < d->targets->len; i++)
    n += ((const td_target *)g_ptr_array_index(d->targets, i))->disabled;
  return n;
}

uint64_t td_dispatcher_report_failures(const td_dispatcher *d) {
  uint64_t total = 0;
  for (guint i = 0; i < d->targets->len; i++) {
    const td_target *in = g_ptr_array_index(d->targets, i);
    if (!in->failures)
      continue;
    if (in->suppressed)
      td_error("%s: %" PRIu64 " callback%s failed (%u not logged: at most one "
               "line a second)",
               in->name, in->failures, in->failures == 1 ? "" : "s",
               in->suppressed);
    else
      td_error("%s: %" PRIu64 " callback%s failed", in->name, in->failures,
               in->failures == 1 ? "" : "s");
    total += in->failures;
  }
  return total;
}

/* ---- streams ---- */

/* The dispatcher's record of the stream an event belongs to, made on first
 * sight (on_stream_open, or a caller that never opens). */
static td_dstream *stream_of(td_dispatcher *d, const thermos_event *ev) {
  if (d->last && d->last->source == ev->source)
    return d->last;
  td_dstream *s = g_hash_table_lookup(d->streams, ev->source);
  if (!s) {
    s = g_new0(td_dstream, 1);
    s->source = ev->source;
    s->nslots = d->nslots ? d->nslots : 1;
    s->slots = g_new0(void *, s->nslots);
    g_hash_table_insert(d->streams, (gpointer)ev->source, s);
    g_ptr_array_add(d->stream_list, s);
  }
  d->last = s;
  return s;
}

static void stream_forget(td_dispatcher *d, const thermos_event *ev) {
  td_dstream *s = g_hash_table_lookup(d->streams, ev->source);
  if (!s)
    return;
  if (d->last == s)
    d->last = NULL;
  g_ptr_array_remove_fast(d->stream_list, s);
  g_hash_table_remove(d->streams, ev->source);
}

void td_dispatcher_stream_reader(td_dispatcher *d, const thermos_event *ev,
                                 const td_stream *reader) {
  /* A catch-up re-reads the stream through another reader: the live one
   * stays what the statistics (and relays) look at. */
  td_dstream *s = stream_of(d, ev);
  if (!d->catching_up || !s->reader)
    s->reader = reader;
}

const td_stream *td_dispatcher_stream_at(const td_dispatcher *d, size_t i,
                                         const char **source) {
  if (i >= d->stream_list->len)
    return NULL;
  const td_dstream *ds = g_ptr_array_index(d->stream_list, (guint)i);
  if (source)
    *source = ds->source;
  return ds->reader;
}

size_t td_dispatcher_stream_count(const td_dispatcher *d) {
  return d->stream_list->len;
}

int td_dispatcher_stream_stats(const td_dispatcher *d, size_t i,
                               thermos_stream_stats *out) {
  if (i >= d->stream_list->len)
    return 0;
  const td_dstream *ds = g_ptr_array_index(d->stream_list, (guint)i);
  thermos_stream_stats s;
  memset(&s, 0, sizeof s);
  s.struct_size = out->struct_size;
  s.source = ds->source;
  s.task_id = ds->task_id;
  s.records = ds->records;
  if (ds->reader) {
    struct stat st;
    s.bytes_read = td_stream_bytes_read(ds->reader);
    if (fstat(td_stream_fd(ds->reader), &st) == 0 && S_ISREG(st.st_mode) &&
        (uint64_t)st.st_size > s.bytes_read)
      s.bytes_unread = (uint64_t)st.st_size - s.bytes_read;
  }
  size_t n = out->struct_size < sizeof s ? out->struct_size : sizeof s;
  memcpy(out, &s, n);
  return 1;
}

/* The event handed to targets: the caller's, with each target's own slot
 * set in turn by target_event(). */
static void begin_event(td_dispatcher *d, const thermos_event *ev) {
  d->cur = *ev;
  d->cur.struct_size = sizeof d->cur;
  d->cur.stream_ctx = NULL;
}

static const thermos_event *target_event(td_dispatcher *d, td_dstream *s,
                                         const td_target *t) {
  if (s && t->slot >= s->nslots) {
    /* A target added after the stream opened. */
    size_t n = d->nslots;
    s->slots = g_renew(void *, s->slots, n);
    memset(s->slots + s->nslots, 0, (n - s->nslots) * sizeof *s->slots);
    s->nslots = n;
  }
  d->cur.stream_ctx = s ? &s->slots[t->slot] : NULL;
  return &d->cur;
}

/* Where a failure happened, for its message. */
static char *where(const thermos_event *ev) {
  if (!ev)
    return g_strdup("");
  return g_strdup_printf(" at %s record %" PRIu64, ev->source, ev->record);
}

/* Applies the instance's on_error to a failed callback. */
static void failed(td_dispatcher *d, td_target *in, const char *callback,
                   const thermos_event *ev) {
  char *at = where(ev);
  if (in->reason[0]) {
    /* The plugin's own words (fail_reason), after the location. */
    char *with = g_strconcat(at, ": ", in->reason, NULL);
    g_free(at);
    at = with;
  }
  in->failures++;
  switch (in->on_error) {
  case TD_ON_ERROR_ABORT:
    td_error("%s: %s failed%s; aborting (on_error = abort)", in->name, callback,
             at);
    d->aborted = true;
    break;
  case TD_ON_ERROR_DISABLE:
    td_error("%s: %s failed%s; instance disabled (on_error = disable)",
             in->name, callback, at);
    in->disabled = true;
    break;
  case TD_ON_ERROR_CONTINUE:
  default: {
    /* A plugin failing on every record must not flood the log: at most
     * one line a second, saying how many were left out. */
    double now = (double)g_get_monotonic_time() / 1e6;
    if (in->last_error_log == 0 || now - in->last_error_log >= 1.0) {
      if (in->suppressed)
        td_warning("%s: %s failed%s (and %u more failures)", in->name, callback,
                   at, in->suppressed);
      else
        td_warning("%s: %s failed%s", in->name, callback, at);
      in->last_error_log = now;
      in->suppressed = 0;
    } else {
      in->suppressed++;
    }
    break;
  }
  }
  g_free(at);
}

/* Whether `in` is called now: enabled, and pending exactly when a
 * catch-up runs. */
static inline bool live(const td_dispatcher *d, const td_target *in) {
  return !in->disabled && in->pending == d->catching_up;
}

/* Each live in-process target in order; stops at an abort. */
#define FOR_EACH_INSTANCE(d, in)                                               \
  for (guint i_ = 0; !(d)->aborted && i_ < (d)->targets->len; i_++)            \
    for (td_target *in = g_ptr_array_index((d)->targets, i_);                  \
         in && !in->relay && live((d), in); in = NULL)

/* Each live relay in order. */
#define FOR_EACH_RELAY(d, in)                                                  \
  for (guint i_ = 0; !(d)->aborted && i_ < (d)->targets->len; i_++)            \
    for (td_target *in = g_ptr_array_index((d)->targets, i_);                  \
         in && in->relay && live((d), in); in = NULL)

/* Before a callback: where it runs (for a crash report), and when. */
static uint64_t call_begin(td_target *in, const char *callback,
                           const thermos_event *ev) {
  td_current_callback.record = ev ? ev->record : 0;
  td_current_callback.offset = ev ? ev->offset : 0;
  td_current_callback.source = ev ? ev->source : NULL;
  td_current_callback.callback = callback;
  td_current_callback.instance = in->name;
  in->reason[0] = '\0';
  return td_callback_clock_now();
}

/* After it: timing, trace, a slow call, and on_error for a failure. */
static void call_end(td_dispatcher *d, td_target *in, const char *callback,
                     const thermos_event *ev, uint64_t t0, int rc) {
  double dt = td_callback_clock_seconds(t0, td_callback_clock_now());
  td_current_callback.instance = NULL;
  in->callbacks++;
  in->callback_seconds += dt;
  int b = 0;
  while (b < THERMOS_CALLBACK_BUCKETS && dt > BUCKET_BOUNDS[b])
    b++;
  if (b < THERMOS_CALLBACK_BUCKETS)
    in->callback_buckets[b]++;
  if (d->trace || (d->slow_callback > 0 && dt > d->slow_callback)) {
    char *at = where(ev);
    if (d->trace)
      td_error("trace: %s: %s%s -> %d (%.1f us)", in->name, callback, at, rc,
               dt * 1e6);
    if (d->slow_callback > 0 && dt > d->slow_callback)
      td_warning("%s: %s took %.3f s%s (slow_callback = %g s)", in->name,
                 callback, dt, at, d->slow_callback);
    g_free(at);
  }
  if (rc)
    failed(d, in, callback, ev);
  in->reason[0] = '\0';
}

/* Calls one callback of one target through call_begin and call_end. */
#define INVOKE(d, in, name, ev, call)                                          \
  do {                                                                         \
    uint64_t t0_ = call_begin((in), (name), (ev));                             \
    int rc_ = (call);                                                          \
    call_end((d), (in), (name), (ev), t0_, rc_);                               \
  } while (0)

static thermos_process_fn process_fn(const thermos_handler_v1 *h,
                                     int32_t state) {
  switch (state) {
  case THERMOS_PROCESS_WAITING:
    return h->on_process_waiting;
  case THERMOS_PROCESS_FORKED:
    return h->on_process_forked;
  case THERMOS_PROCESS_RUNNING:
    return h->on_process_running;
  case THERMOS_PROCESS_SUCCESS:
    return h->on_process_success;
  case THERMOS_PROCESS_KILLED:
    return h->on_process_killed;
  case THERMOS_PROCESS_FAILED:
    return h->on_process_failed;
  case THERMOS_PROCESS_LOST:
    return h->on_process_lost;
  default:
    return NULL;
  }
}

static thermos_task_fn task_fn(const thermos_handler_v1 *h, int32_t state) {
  switch (state) {
  case THERMOS_TASK_ACTIVE:
    return h->on_task_active;
  case THERMOS_TASK_SUCCESS:
    return h->on_task_success;
  case THERMOS_TASK_FAILED:
    return h->on_task_failed;
  case THERMOS_TASK_KILLED:
    return h->on_task_killed;
  case THERMOS_TASK_LOST:
    return h->on_task_lost;
  case THERMOS_TASK_CLEANING:
    return h->on_task_cleaning;
  case THERMOS_TASK_FINALIZING:
    return h->on_task_finalizing;
  default:
    return NULL;
  }
}

static const char *const PROCESS_CALLBACKS[] = {
    "on_process_waiting", "on_process_forked", "on_process_running",
    "on_process_success", "on_process_killed", "on_process_failed",
    "on_process_lost"};
static const char *const TASK_CALLBACKS[] = {
    "on_task_active", "on_task_success",  "on_task_failed",    "on_task_killed",
    "on_task_lost",   "on_task_cleaning", "on_task_finalizing"};

bool td_dispatch_transition(td_dispatcher *d, const thermos_event *ev,
                            const td_transition *tr) {
  if (tr->kind == TD_TRANSITION_NONE)
    return !d->aborted;
  td_dstream *s = stream_of(d, ev);
  /* A catch-up's event points into its own state, freed after it: the
   * stream's statistics stay the live session's. */
  if (!d->catching_up) {
    s->records = ev->record + 1;
    s->offset = ev->offset;
    s->task_id = ev->task_id;
  }
  begin_event(d, ev);
  FOR_EACH_INSTANCE(d, in) { in->events++; }
  switch (tr->kind) {
  case TD_TRANSITION_INITIALIZATION:
    FOR_EACH_INSTANCE(d, in) {
      if (in->table->on_initialization)
        INVOKE(d, in, "on_initialization", ev,
               in->table->on_initialization(in->ctx, target_event(d, s, in),
                                            tr->header));
    }
    break;
  case TD_TRANSITION_PROCESS:
    FOR_EACH_INSTANCE(d, in) {
      if (in->table->on_process_transition)
        INVOKE(d, in, "on_process_transition", ev,
               in->table->on_process_transition(in->ctx, target_event(d, s, in),
                                                tr->state, tr->process));
    }
    FOR_EACH_INSTANCE(d, in) {
      thermos_process_fn fn = process_fn(in->table, tr->state);
      if (fn)
        INVOKE(d, in, PROCESS_CALLBACKS[tr->state], ev,
               fn(in->ctx, target_event(d, s, in), tr->process));
    }
    break;
  case TD_TRANSITION_TASK: {
    FOR_EACH_INSTANCE(d, in) {
      if (in->table->on_task_transition)
        INVOKE(d, in, "on_task_transition", ev,
               in->table->on_task_transition(in->ctx, target_event(d, s, in),
                                             tr->state, tr->task));
    }
    bool known = tr->state >= THERMOS_TASK_ACTIVE &&
                 tr->state <= THERMOS_TASK_FINALIZING;
    if (!known) {
      /* The reference would fail in any task handler: universal only. */
      gpointer key = GINT_TO_POINTER(tr->state);
      if (!d->quiet_streams &&
          !g_hash_table_contains(d->warned_task_states, key)) {
        g_hash_table_add(d->warned_task_states, key);
        td_warning("%s: record %" PRIu64 " at byte %" PRIu64
                   ": unknown task state %" PRId32
                   ": task state handlers not called",
                   ev->source, ev->record, ev->offset, tr->state);
      }
      break;
    }
    FOR_EACH_INSTANCE(d, in) {
      thermos_task_fn fn = task_fn(in->table, tr->state);
      if (fn)
        INVOKE(d, in, TASK_CALLBACKS[tr->state], ev,
               fn(in->ctx, target_event(d, s, in), tr->task));
    }
    break;
  }
  case TD_TRANSITION_NONE:
  default:
    break;
  }
  return !d->aborted;
}

bool td_dispatch_stream_open(td_dispatcher *d, const thermos_event *ev) {
  td_dstream *s = stream_of(d, ev);
  if (!d->catching_up) {
    s->task_id = ev->task_id;
    s->state = ev->state;
  }
  FOR_EACH_RELAY(d, in) {
    if (in->relay->stream_open)
      in->relay->stream_open(in->ctx, ev, s->reader);
  }
  begin_event(d, ev);
  FOR_EACH_INSTANCE(d, in) {
    if (in->table->on_stream_open)
      INVOKE(d, in, "on_stream_open", ev,
             in->table->on_stream_open(in->ctx, target_event(d, s, in)));
  }
  return !d->aborted;
}

bool td_dispatch_stream_error(td_dispatcher *d, const thermos_event *ev,
                              const char *reason) {
  td_dstream *s = stream_of(d, ev);
  FOR_EACH_RELAY(d, in) {
    if (in->relay->stream_error)
      in->relay->stream_error(in->ctx, ev, reason);
  }
  begin_event(d, ev);
  FOR_EACH_INSTANCE(d, in) {
    if (in->table->on_stream_error)
      INVOKE(
          d, in, "on_stream_error", ev,
          in->table->on_stream_error(in->ctx, target_event(d, s, in), reason));
  }
  return !d->aborted;
}

bool td_dispatch_stream_close(td_dispatcher *d, const thermos_event *ev) {
  td_dstream *s = stream_of(d, ev);
  begin_event(d, ev);
  /* What was opened is closed, after an abort too (a failure then is not
   * counted: the run is over). */
  for (guint i = 0; i < d->targets->len; i++) {
    td_target *in = g_ptr_array_index(d->targets, i);
    if (!live(d, in))
      continue;
    if (in->relay) {
      if (in->relay->stream_close)
        in->relay->stream_close(in->ctx, ev);
      continue;
    }
    if (!in->table->on_stream_close)
      continue;
    if (d->aborted) {
      in->table->on_stream_close(in->ctx, target_event(d, s, in));
      continue;
    }
    INVOKE(d, in, "on_stream_close", ev,
           in->table->on_stream_close(in->ctx, target_event(d, s, in)));
  }
  /* A catch-up's close is not the stream's: it stays open, live. */
  if (!d->catching_up)
    stream_forget(d, ev);
  return !d->aborted;
}

void td_dispatch_record(td_dispatcher *d, const thermos_event *ev,
                        const td_record *rec) {
  /* A relay added later learns at its stream_open how far the stream
   * went: a catch-up's records are not for it. */
  if (d->catching_up || !d->has_relays)
    return;
  FOR_EACH_RELAY(d, in) {
    if (in->relay->record)
      in->relay->record(in->ctx, ev, rec);
  }
}

void td_dispatcher_remove(td_dispatcher *d, td_target *t) {
  if (!g_ptr_array_remove(d->targets, t))
    return;
  /* Forgotten: a target made later at the same address (its instance is
   * freed next) is a new one, pending, with a slot of its own. */
  g_hash_table_remove(d->known, t);
  if (t->disabled || t->pending)
    return;
  /* What was opened for it is closed, as at the end of a stream. */
  for (guint i = 0; i < d->stream_list->len; i++) {
    td_dstream *s = g_ptr_array_index(d->stream_list, i);
    thermos_event ev;
    memset(&ev, 0, sizeof ev);
    ev.struct_size = sizeof ev;
    ev.source = s->source;
    ev.task_id = s->task_id;
    ev.record = s->records ? s->records - 1 : 0;
    /* Where the stream is, with its state, as a close at its end says. */
    ev.offset = s->offset;
    ev.state = s->state;
    if (t->relay) {
      if (t->relay->stream_close)
        t->relay->stream_close(t->ctx, &ev);
      continue;
    }
    if (!t->table->on_stream_close)
      continue;
    begin_event(d, &ev);
    INVOKE(d, t, "on_stream_close", &ev,
           t->table->on_stream_close(t->ctx, target_event(d, s, t)));
  }
}

void td_dispatcher_set_order(td_dispatcher *d, td_target *const *targets,
                             size_t n) {
  g_ptr_array_set_size(d->targets, 0);
  for (size_t i = 0; i < n; i++) {
    if (!g_hash_table_contains(d->known, targets[i]))
      adopt(d, targets[i], true);
    g_ptr_array_add(d->targets, targets[i]);
  }
}

void td_dispatcher_catch_up_begin(td_dispatcher *d) { d->catching_up = true; }

void td_dispatcher_catch_up_end(td_dispatcher *d) {
  d->catching_up = false;
  for (guint i = 0; i < d->targets->len; i++)
    ((td_target *)g_ptr_array_index(d->targets, i))->pending = false;
}

bool td_dispatcher_has_pending(const td_dispatcher *d) {
  for (guint i = 0; i < d->targets->len; i++)
    if (((const td_target *)g_ptr_array_index(d->targets, i))->pending)
      return true;
  return false;
}

bool td_dispatch_tick(td_dispatcher *d, double now) {
  FOR_EACH_RELAY(d, in) {
    if (in->relay->tick)
      in->relay->tick(in->ctx, now);
  }
  FOR_EACH_INSTANCE(d, in) {
    if (in->table->tick)
      INVOKE(d, in, "tick", NULL, in->table->tick(in->ctx, now));
  }
  return !d->aborted;
}

bool td_dispatch_reopen(td_dispatcher *d) {
  FOR_EACH_RELAY(d, in) {
    if (in->relay->reopen)
      in->relay->reopen(in->ctx);
  }
  FOR_EACH_INSTANCE(d, in) {
    if (in->table->reopen)
      INVOKE(d, in, "reopen", NULL, in->table->reopen(in->ctx));
  }
  return !d->aborted;
}
