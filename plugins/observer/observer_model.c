/* The observer's model of every task (observer_model.h).
 *
 * Tasks live in a hash table by id and in GSequences ordered by a change
 * counter (most recently changed last, so a page reads backwards from the
 * end): one of every task, one of active and one of finished tasks.  An
 * event moves its task to the end of its sequences: O(log n).
 *
 * A process keeps at most OBS_MAX_RUNS runs (the oldest dropped first), so
 * a process restarted forever cannot grow without bound. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

#include <glib.h>
#include <thermos/handler.h>

#include "core/states.h"
#include "observer_model.h"

/** The most runs kept of one process. */
#define OBS_MAX_RUNS 1000

/* A run as kept: obs_run without its padding (32 bytes, not 40), in an
 * array grown one at a time while small and then by half, never doubled:
 * runs are most of what a task keeps. */
typedef struct run {
  double start_time, stop_time;
  int32_t return_code, pid;
  int32_t state;
  bool has_return_code;
} run;

typedef struct proc {
  char *name;
  run *runs; /* oldest first */
  uint32_t n_runs, cap_runs;
} proc;

typedef struct task {
  char *task_id;
  char *root; /* NULL: unknown */
  char *user, *hostname, *sandbox, *log_dir;
  char *name; /* from the config file, once read; NULL: not yet */
  double launch_time;
  bool has_header;
  bool finished;
  GArray *statuses; /* obs_status; NULL until the first */
  GArray *ports;    /* obs_port; NULL when none */
  GPtrArray *procs; /* proc *, by name; NULL until the first */
  uint64_t stamp;   /* the change counter at its latest change */
  GSequenceIter *in_all, *in_type;
} task;

struct obs_model {
  GMutex lock;
  size_t max_finished;
  uint64_t clock;
  GHashTable *tasks; /* task_id -> task */
  GSequence *all, *active, *finished;
};

static void proc_free(gpointer p) {
  proc *pr = p;
  g_free(pr->name);
  g_free(pr->runs);
  g_free(pr);
}

static void task_free(gpointer p) {
  task *t = p;
  g_free(t->task_id);
  g_free(t->root);
  g_free(t->user);
  g_free(t->hostname);
  g_free(t->sandbox);
  g_free(t->log_dir);
  g_free(t->name);
  if (t->statuses)
    g_array_free(t->statuses, TRUE);
  if (t->ports) {
    for (guint i = 0; i < t->ports->len; i++)
      g_free(g_array_index(t->ports, obs_port, i).name);
    g_array_free(t->ports, TRUE);
  }
  if (t->procs)
    g_ptr_array_free(t->procs, TRUE);
  g_free(t);
}

obs_model *obs_model_new(size_t max_finished) {
  obs_model *m = g_new0(obs_model, 1);
  g_mutex_init(&m->lock);
  m->max_finished = max_finished;
  m->tasks = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, task_free);
  m->all = g_sequence_new(NULL);
  m->active = g_sequence_new(NULL);
  m->finished = g_sequence_new(NULL);
  return m;
}

void obs_model_free(obs_model *m) {
  if (!m)
    return;
  g_sequence_free(m->all);
  g_sequence_free(m->active);
  g_sequence_free(m->finished);
  g_hash_table_destroy(m->tasks);
  g_mutex_clear(&m->lock);
  g_free(m);
}

/* A copy of a Thrift string as a C string; NUL bytes end it early, which
 * is what every reader of a C string would see anyway. */
static char *str_dup(thermos_str s) {
  return g_strndup(s.data ? s.data : "", s.len);
}

/* ROOT from ROOT/checkpoints/<id> (or ROOT/checkpoints/<id>/runner);
 * NULL when the path has another shape. */
static char *root_of(const char *source, const char *task_id) {
  if (!source)
    return NULL;
  size_t n = strlen(source), idn = strlen(task_id);
  static const char runner[] = "/runner";
  if (n >= sizeof runner - 1 &&
      strcmp(source + n - (sizeof runner - 1), runner) == 0)
    n -= sizeof runner - 1;
  static const char ck[] = "/checkpoints/";
  size_t ckn = sizeof ck - 1;
  if (n < ckn + idn + 1 || memcmp(source + n - idn, task_id, idn) != 0 ||
      memcmp(source + n - idn - ckn, ck, ckn) != 0)
    return NULL;
  return g_strndup(source, n - idn - ckn);
}

/* Moves the task to the newest end of its sequences. */
static void touch(obs_model *m, task *t) {
  t->stamp = ++m->clock;
  if (t->in_all)
    g_sequence_remove(t->in_all);
  if (t->in_type)
    g_sequence_remove(t->in_type);
  t->in_all = g_sequence_append(m->all, t);
  t->in_type = g_sequence_append(t->finished ? m->finished : m->active, t);
}

/* The event's task, created when first seen; NULL when the event has no
 * task id yet (a status written before the header of a stream whose path
 * does not name the task). */
static task *task_of(obs_model *m, const thermos_event *ev) {
  if (ev->task_id.len == 0 || !ev->task_id.data)
    return NULL;
  char *id = str_dup(ev->task_id);
  task *t = g_hash_table_lookup(m->tasks, id);
  if (t) {
    g_free(id);
    return t;
  }
  t = g_new0(task, 1);
  t->task_id = id;
  t->root = root_of(ev->source, id);
  g_hash_table_insert(m->tasks, t->task_id, t);
  return t;
}

static void drop_finished(obs_model *m) {
  while ((size_t)g_sequence_get_length(m->finished) > m->max_finished) {
    task *old = g_sequence_get(g_sequence_get_begin_iter(m->finished));
    g_sequence_remove(old->in_all);
    g_sequence_remove(old->in_type);
    g_hash_table_remove(m->tasks, old->task_id);
  }
}

static void set_finished(obs_model *m, task *t) {
  if (t->finished)
    return;
  t->finished = true;
  touch(m, t);
  drop_finished(m);
}

static void set_str(char **dst, bool present, thermos_str s) {
  g_free(*dst);
  *dst = present ? str_dup(s) : NULL;
}

void obs_model_initialization(obs_model *m, const thermos_event *ev,
                              const thermos_runner_header *h) {
  g_mutex_lock(&m->lock);
  task *t = task_of(m, ev);
  if (t) {
    uint32_t p = h->present;
    t->has_header = true;
    set_str(&t->user, p & THERMOS_RH_USER, h->user);
    set_str(&t->hostname, p & THERMOS_RH_HOSTNAME, h->hostname);
    set_str(&t->sandbox, p & THERMOS_RH_SANDBOX, h->sandbox);
    set_str(&t->log_dir, p & THERMOS_RH_LOG_DIR, h->log_dir);
    t->launch_time = (p & THERMOS_RH_LAUNCH_TIME_MS)
                         ? (double)h->launch_time_ms / 1000.0
                         : 0;
    if (t->ports) {
      for (guint i = 0; i < t->ports->len; i++)
        g_free(g_array_index(t->ports, obs_port, i).name);
      g_array_free(t->ports, TRUE);
      t->ports = NULL;
    }
    if ((p & THERMOS_RH_PORTS) && h->n_ports) {
      t->ports =
          g_array_sized_new(FALSE, FALSE, sizeof(obs_port), (guint)h->n_ports);
      for (size_t i = 0; i < h->n_ports; i++) {
        obs_port port = {str_dup(h->ports[i].name), (int32_t)h->ports[i].port};
        g_array_append_val(t->ports, port);
      }
    }
    touch(m, t);
  }
  g_mutex_unlock(&m->lock);
}

static proc *proc_of(task *t, thermos_str name) {
  if (!t->procs)
    t->procs = g_ptr_array_new_with_free_func(proc_free);
  /* Few processes a task: a linear search costs less than a table. */
  for (guint i = 0; i < t->procs->len; i++) {
    proc *p = g_ptr_array_index(t->procs, i);
    if (strlen(p->name) == name.len &&
        memcmp(p->name, name.data ? name.data : "", name.len) == 0)
      return p;
  }
  proc *p = g_new0(proc, 1);
  p->name = str_dup(name);
  g_ptr_array_add(t->procs, p);
  return p;
}

void obs_model_process(obs_model *m, const thermos_event *ev, int32_t state,
                       const thermos_process_status *ps) {
  if (!(ps->present & THERMOS_PS_PROCESS))
    return;
  g_mutex_lock(&m->lock);
  task *t = task_of(m, ev);
  if (t) {
    proc *p = proc_of(t, ps->process);
    /* The host dispatches valid transitions only: WAITING starts a run,
     * every other state updates the latest. */
    if (state == THERMOS_PROCESS_WAITING || p->n_runs == 0) {
      if (p->n_runs >= OBS_MAX_RUNS) {
        memmove(p->runs, p->runs + 1, (p->n_runs - 1) * sizeof *p->runs);
        p->n_runs--;
      }
      if (p->n_runs == p->cap_runs) {
        /* One at a time while small (most processes run a few times),
         * then by half. */
        p->cap_runs =
            p->cap_runs < 8 ? p->cap_runs + 1 : p->cap_runs + p->cap_runs / 2;
        p->runs = g_renew(run, p->runs, p->cap_runs);
      }
      memset(&p->runs[p->n_runs++], 0, sizeof *p->runs);
    }
    run *r = &p->runs[p->n_runs - 1];
    r->state = state;
    if (ps->present & THERMOS_PS_START_TIME)
      r->start_time = ps->start_time;
    if (ps->present & THERMOS_PS_STOP_TIME)
      r->stop_time = ps->stop_time;
    if (ps->present & THERMOS_PS_PID)
      r->pid = ps->pid;
    if (ps->present & THERMOS_PS_RETURN_CODE) {
      r->return_code = ps->return_code;
      r->has_return_code = true;
    }
    touch(m, t);
  }
  g_mutex_unlock(&m->lock);
}

void obs_model_task(obs_model *m, const thermos_event *ev, int32_t state,
                    const thermos_task_status *ts) {
  g_mutex_lock(&m->lock);
  task *t = task_of(m, ev);
  if (t) {
    if (!t->statuses)
      t->statuses = g_array_new(FALSE, FALSE, sizeof(obs_status));
    obs_status s = {state, (ts->present & THERMOS_TS_TIMESTAMP_MS)
                               ? (double)ts->timestamp_ms / 1000.0
                               : 0};
    g_array_append_val(t->statuses, s);
    touch(m, t);
    if (td_task_state_terminal(state))
      set_finished(m, t);
  }
  g_mutex_unlock(&m->lock);
}

void obs_model_stream_close(obs_model *m, const thermos_event *ev) {
  g_mutex_lock(&m->lock);
  task *t = ev->task_id.len ? task_of(m, ev) : NULL;
  if (t && !t->finished && t->root) {
    char *path = g_strconcat(t->root, "/tasks/finished/", t->task_id, NULL);
    struct stat st;
    if (lstat(path, &st) == 0)
      set_finished(m, t);
    g_free(path);
  }
  g_mutex_unlock(&m->lock);
}

/* --- readers ------------------------------------------------------------- */

static char *dup0(const char *s) { return g_strdup(s ? s : ""); }

static obs_task_view *view_of(const task *t) {
  obs_task_view *v = g_new0(obs_task_view, 1);
  v->task_id = g_strdup(t->task_id);
  v->root = dup0(t->root);
  v->user = dup0(t->user);
  v->hostname = dup0(t->hostname);
  v->sandbox = dup0(t->sandbox);
  v->log_dir = dup0(t->log_dir);
  v->name = g_strdup(t->name);
  v->launch_time = t->launch_time;
  v->has_header = t->has_header;
  v->finished = t->finished;
  v->statuses = g_array_new(FALSE, FALSE, sizeof(obs_status));
  if (t->statuses)
    g_array_append_vals(v->statuses, t->statuses->data, t->statuses->len);
  v->ports = g_array_new(FALSE, FALSE, sizeof(obs_port));
  for (guint i = 0; t->ports && i < t->ports->len; i++) {
    obs_port p = g_array_index(t->ports, obs_port, i);
    p.name = g_strdup(p.name);
    g_array_append_val(v->ports, p);
  }
  v->processes = g_ptr_array_new();
  for (guint i = 0; t->procs && i < t->procs->len; i++) {
    const proc *p = g_ptr_array_index(t->procs, i);
    obs_process_view *pv = g_new0(obs_process_view, 1);
    pv->name = g_strdup(p->name);
    pv->runs = g_array_sized_new(FALSE, FALSE, sizeof(obs_run), p->n_runs);
    for (uint32_t k = 0; k < p->n_runs; k++) {
      const run *r = &p->runs[k];
      obs_run o = {r->state,       r->start_time,      r->stop_time,
                   r->return_code, r->has_return_code, r->pid};
      g_array_append_val(pv->runs, o);
    }
    g_ptr_array_add(v->processes, pv);
  }
  return v;
}

void obs_task_view_free(obs_task_view *v) {
  if (!v)
    return;
  g_free(v->task_id);
  g_free(v->root);
  g_free(v->user);
  g_free(v->hostname);
  g_free(v->sandbox);
  g_free(v->log_dir);
  g_free(v->name);
  g_array_free(v->statuses, TRUE);
  for (guint i = 0; i < v->ports->len; i++)
    g_free(g_array_index(v->ports, obs_port, i).name);
  g_array_free(v->ports, TRUE);
  for (guint i = 0; i < v->processes->len; i++) {
    obs_process_view *pv = g_ptr_array_index(v->processes, i);
    g_free(pv->name);
    g_array_free(pv->runs, TRUE);
    g_free(pv);
  }
  g_ptr_array_free(v->processes, TRUE);
  g_free(v);
}

void obs_model_set_name(obs_model *m, const char *task_id, const char *name) {
  g_mutex_lock(&m->lock);
  task *t = g_hash_table_lookup(m->tasks, task_id);
  if (t && !t->name)
    t->name = g_strdup(name);
  g_mutex_unlock(&m->lock);
}

obs_task_view *obs_model_get(obs_model *m, const char *task_id) {
  g_mutex_lock(&m->lock);
  task *t = g_hash_table_lookup(m->tasks, task_id);
  obs_task_view *v = t ? view_of(t) : NULL;
  g_mutex_unlock(&m->lock);
  return v;
}

GPtrArray *obs_model_page(obs_model *m, obs_type type, long offset, long num,
                          size_t *total) {
  GPtrArray *out =
      g_ptr_array_new_with_free_func((GDestroyNotify)obs_task_view_free);
  g_mutex_lock(&m->lock);
  GSequence *seq = type == OBS_ACTIVE     ? m->active
                   : type == OBS_FINISHED ? m->finished
                                          : m->all;
  long len = g_sequence_get_length(seq);
  *total = (size_t)len;
  /* Aurora: a negative offset counts from the end when the list is longer
   * than it, and is 0 otherwise. */
  if (offset < 0)
    offset = len > -offset ? ((offset % len) + len) % len : 0;
  if (num > 0 && offset < len) {
    /* Newest last in the sequence: position `offset` of the newest-first
     * list is len - 1 - offset. */
    GSequenceIter *it =
        g_sequence_get_iter_at_pos(seq, (gint)(len - 1 - offset));
    for (long i = 0; i < num && offset + i < len; i++) {
      g_ptr_array_add(out, view_of(g_sequence_get(it)));
      if (g_sequence_iter_is_begin(it))
        break;
      it = g_sequence_iter_prev(it);
    }
  }
  g_mutex_unlock(&m->lock);
  return out;
}

obs_counts obs_model_counts(obs_model *m) {
  g_mutex_lock(&m->lock);
  obs_counts c = {(size_t)g_sequence_get_length(m->active),
                  (size_t)g_sequence_get_length(m->finished),
                  (size_t)g_sequence_get_length(m->all)};
  g_mutex_unlock(&m->lock);
  return c;
}
