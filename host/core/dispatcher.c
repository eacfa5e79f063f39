#include "dispatcher.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "diag.h"

struct td_dispatcher {
  GPtrArray *targets; /* td_target *, in dispatch order */
  bool aborted;
  GHashTable *warned_task_states; /* unknown task state values warned of */
};

td_dispatcher *td_dispatcher_new(void) {
  td_dispatcher *d = g_new0(td_dispatcher, 1);
  d->targets = g_ptr_array_new();
  d->warned_task_states = g_hash_table_new(g_direct_hash, g_direct_equal);
  return d;
}

void td_dispatcher_free(td_dispatcher *d) {
  if (!d)
    return;
  g_hash_table_destroy(d->warned_task_states);
  g_ptr_array_free(d->targets, TRUE);
  g_free(d);
}

void td_dispatcher_add(td_dispatcher *d, td_target *t) {
  g_ptr_array_add(d->targets, t);
}

bool td_dispatcher_aborted(const td_dispatcher *d) { return d->aborted; }

uint64_t td_dispatcher_report_failures(const td_dispatcher *d) {
  uint64_t total = 0;
  for (guint i = 0; i < d->targets->len; i++) {
    const td_target *in = g_ptr_array_index(d->targets, i);
    if (!in->failures)
      continue;
    td_error("%s: %" PRIu64 " callback%s failed", in->name, in->failures,
             in->failures == 1 ? "" : "s");
    total += in->failures;
  }
  return total;
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

/* Each live target in order; stops at an abort. */
#define FOR_EACH_INSTANCE(d, in)                                               \
  for (guint i_ = 0; !(d)->aborted && i_ < (d)->targets->len; i_++)            \
    for (td_target *in = g_ptr_array_index((d)->targets, i_);                  \
         in && !in->disabled; in = NULL)

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
  switch (tr->kind) {
  case TD_TRANSITION_INITIALIZATION:
    FOR_EACH_INSTANCE(d, in) {
      if (in->table->on_initialization &&
          in->table->on_initialization(in->ctx, ev, tr->header))
        failed(d, in, "on_initialization", ev);
    }
    break;
  case TD_TRANSITION_PROCESS:
    FOR_EACH_INSTANCE(d, in) {
      if (in->table->on_process_transition &&
          in->table->on_process_transition(in->ctx, ev, tr->state, tr->process))
        failed(d, in, "on_process_transition", ev);
    }
    FOR_EACH_INSTANCE(d, in) {
      thermos_process_fn fn = process_fn(in->table, tr->state);
      if (fn && fn(in->ctx, ev, tr->process))
        failed(d, in, PROCESS_CALLBACKS[tr->state], ev);
    }
    break;
  case TD_TRANSITION_TASK: {
    FOR_EACH_INSTANCE(d, in) {
      if (in->table->on_task_transition &&
          in->table->on_task_transition(in->ctx, ev, tr->state, tr->task))
        failed(d, in, "on_task_transition", ev);
    }
    bool known = tr->state >= THERMOS_TASK_ACTIVE &&
                 tr->state <= THERMOS_TASK_FINALIZING;
    if (!known) {
      /* The reference would fail in any task handler: universal only. */
      gpointer key = GINT_TO_POINTER(tr->state);
      if (!g_hash_table_contains(d->warned_task_states, key)) {
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
      if (fn && fn(in->ctx, ev, tr->task))
        failed(d, in, TASK_CALLBACKS[tr->state], ev);
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
  FOR_EACH_INSTANCE(d, in) {
    if (in->table->on_stream_open && in->table->on_stream_open(in->ctx, ev))
      failed(d, in, "on_stream_open", ev);
  }
  return !d->aborted;
}

bool td_dispatch_stream_error(td_dispatcher *d, const thermos_event *ev,
                              const char *reason) {
  FOR_EACH_INSTANCE(d, in) {
    if (in->table->on_stream_error &&
        in->table->on_stream_error(in->ctx, ev, reason))
      failed(d, in, "on_stream_error", ev);
  }
  return !d->aborted;
}

bool td_dispatch_stream_close(td_dispatcher *d, const thermos_event *ev) {
  /* What was opened is closed, after an abort too. */
  for (guint i = 0; i < d->targets->len; i++) {
    td_target *in = g_ptr_array_index(d->targets, i);
    if (!in->disabled && in->table->on_stream_close &&
        in->table->on_stream_close(in->ctx, ev) && !d->aborted)
      failed(d, in, "on_stream_close", ev);
  }
  return !d->aborted;
}

bool td_dispatch_tick(td_dispatcher *d, double now) {
  FOR_EACH_INSTANCE(d, in) {
    if (in->table->tick && in->table->tick(in->ctx, now))
      failed(d, in, "tick", NULL);
  }
  return !d->aborted;
}

bool td_dispatch_reopen(td_dispatcher *d) {
  FOR_EACH_INSTANCE(d, in) {
    if (in->table->reopen && in->table->reopen(in->ctx))
      failed(d, in, "reopen", NULL);
  }
  return !d->aborted;
}
