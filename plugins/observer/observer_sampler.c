/* The sampler (observer_sampler.h): one thread for every task.  Each
 * sample pass walks /proc once (observer_proc.h) and sums each tracked
 * process's tree; each disk pass walks each sandbox (observer_disk.h).
 * The lock guards the tables only: a pass copies what it needs under it,
 * works without it, and publishes under it, so the dispatch thread's
 * O(1) calls and the readers' copies never wait on /proc or a disk walk.
 * A pass of 200 tracked processes costs about 4 ms of CPU on a host of a
 * few hundred processes, and grows with the host's process count (each
 * /proc/<pid>/stat is read once a pass); a sandbox's walk is bounded by
 * OBS_DISK_MAX_ENTRIES.  Processes and sandboxes told of since the last
 * pass get an early pass of their own (at most one a second). */
#include "observer_sampler.h"

#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "observer_disk.h"
#include "observer_proc.h"

/* How far a /proc entry's start may be from the checkpoint's start_time
 * and still be the same process.  Both clocks are the wall clock, but
 * /proc's is boot time (whole seconds) plus ticks, and the runner writes
 * start_time just after the fork; a pid reused this soon after its first
 * owner started is not told apart. */
#define START_SLACK 15.0

/* A process or sandbox told of since the last pass is sampled at once
 * rather than an interval later, but such early passes run at most once
 * a FRESH_GAP, however fast tasks start. */
#define FRESH_GAP G_TIME_SPAN_SECOND

/* One process of a tree at the last pass: the next pass's CPU rate is the
 * growth of these ticks (Aurora's ProcessTreeCollector). */
typedef struct prev_tick {
  int32_t pid;
  uint64_t starttime; /* a reused pid is another process */
  uint64_t ticks;     /* utime + stime */
} prev_tick;

typedef struct s_task s_task;

typedef struct s_proc {
  guint64 serial; /* new on every track: a late result for an old one is
                     dropped */
  s_task *task;
  char *name;
  int32_t pid;
  double start_time;
  bool sampled;
  bool fresh; /* not yet in a pass */
  obs_usage usage;
  /* The sampler thread's state, lent to a pass without the lock. */
  GArray *prev; /* prev_tick, by pid; NULL before the first sample */
  gint64 prev_stamp;
} s_proc;

struct s_task {
  guint64 serial;
  char *id;
  char *sandbox; /* NULL: none */
  uint64_t disk;
  bool disk_fresh;   /* the sandbox not yet walked */
  GHashTable *procs; /* name -> s_proc * (owned) */
};

struct obs_sampler {
  GMutex lock;
  GCond cond;
  gint stop; /* atomic: also read by a disk walk, to end promptly */
  GThread *thread;
  unsigned sample_interval, disk_interval;
  GHashTable *tasks;          /* id -> s_task * (owned) */
  GHashTable *by_serial;      /* serial -> s_proc * */
  GHashTable *task_by_serial; /* serial -> s_task * */
  guint64 next_serial;
  bool fresh_procs, fresh_disks; /* some process or sandbox is fresh */
  int proc_fd;                   /* /proc, or -1 */
};

static void proc_free(gpointer data) {
  s_proc *p = data;
  g_free(p->name);
  if (p->prev)
    g_array_free(p->prev, TRUE);
  g_free(p);
}

static void task_free(gpointer data) {
  s_task *t = data;
  g_hash_table_destroy(t->procs);
  g_free(t->id);
  g_free(t->sandbox);
  g_free(t);
}

/* Under the lock. */
static s_task *task_get(obs_sampler *s, const char *task_id, bool create) {
  s_task *t = g_hash_table_lookup(s->tasks, task_id);
  if (t || !create)
    return t;
  t = g_new0(s_task, 1);
  t->serial = ++s->next_serial;
  t->id = g_strdup(task_id);
  t->procs = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, proc_free);
  g_hash_table_insert(s->tasks, t->id, t);
  g_hash_table_insert(s->task_by_serial, &t->serial, t);
  return t;
}

/* Under the lock: removes one process from both tables. */
static void proc_remove(obs_sampler *s, s_task *t, s_proc *p) {
  g_hash_table_remove(s->by_serial, &p->serial);
  g_hash_table_remove(t->procs, p->name); /* frees p */
}

/* --- a sample pass ------------------------------------------------------ */

typedef struct work {
  guint64 serial;
  int32_t pid;
  double start_time;
  GArray *prev; /* owned by the pass until published */
  gint64 prev_stamp;
  bool sampled;
  obs_usage usage;
} work;

static int tick_by_pid(const void *a, const void *b) {
  const prev_tick *x = a, *y = b;
  return (x->pid > y->pid) - (x->pid < y->pid);
}

static const prev_tick *prev_find(const GArray *prev, int32_t pid) {
  if (!prev)
    return NULL;
  prev_tick key = {.pid = pid};
  return bsearch(&key, prev->data, prev->len, sizeof key, tick_by_pid);
}

/* One process's tree, summed: Aurora's ProcessTreeCollector.sample. */
static void sample_one(obs_proc_table *table, double boot, double hz,
                       gint64 now, GPtrArray *tree, work *w) {
  const obs_proc_stat *root = obs_proc_table_get(table, w->pid);
  w->sampled = false;
  memset(&w->usage, 0, sizeof w->usage);
  if (!root)
    goto gone;
  if (w->start_time > 0 && boot >= 0 &&
      fabs(obs_proc_start_time(root, boot) - w->start_time) > START_SLACK)
    goto gone; /* the pid now belongs to another process */
  g_ptr_array_set_size(tree, 0);
  obs_proc_table_tree(table, w->pid, tree);
  GArray *next = g_array_sized_new(FALSE, FALSE, sizeof(prev_tick), tree->len);
  uint64_t grown = 0, utime = 0, stime = 0;
  obs_usage *u = &w->usage;
  for (guint i = 0; i < tree->len; i++) {
    const obs_proc_stat *st = tree->pdata[i];
    utime += st->utime;
    stime += st->stime;
    u->rss += st->rss;
    u->vms += st->vsize;
    u->threads += st->threads;
    prev_tick pt = {st->pid, st->starttime, st->utime + st->stime};
    g_array_append_val(next, pt);
    /* A process new since the last pass spent all its CPU since then. */
    const prev_tick *old = prev_find(w->prev, st->pid);
    uint64_t before = old && old->starttime == st->starttime ? old->ticks : 0;
    if (pt.ticks > before)
      grown += pt.ticks - before;
  }
  g_array_sort(next, tick_by_pid);
  u->user = (double)utime / hz;
  u->system = (double)stime / hz;
  u->ram = u->rss;
  u->nice = root->nice;
  g_strlcpy(u->status, obs_proc_status_name(root->state), sizeof u->status);
  /* The first sample has no rate: two are needed, as in Aurora. */
  if (w->prev && w->prev_stamp > 0 && now > w->prev_stamp)
    u->cpu = (double)grown / hz / ((double)(now - w->prev_stamp) / 1e6);
  if (w->prev)
    g_array_free(w->prev, TRUE);
  w->prev = next;
  w->prev_stamp = now;
  w->sampled = true;
  return;
gone:
  if (w->prev)
    g_array_free(w->prev, TRUE);
  w->prev = NULL;
  w->prev_stamp = 0;
}

/* Samples every tracked process, or only the fresh ones. */
static void sample_pass(obs_sampler *s, bool only_fresh) {
  if (s->proc_fd < 0)
    return; /* no /proc: nothing is ever sampled */
  g_mutex_lock(&s->lock);
  GArray *works = g_array_sized_new(FALSE, FALSE, sizeof(work),
                                    g_hash_table_size(s->by_serial));
  GHashTableIter it;
  gpointer value;
  g_hash_table_iter_init(&it, s->by_serial);
  while (g_hash_table_iter_next(&it, NULL, &value)) {
    s_proc *p = value;
    if (only_fresh && !p->fresh)
      continue;
    p->fresh = false;
    work w = {.serial = p->serial,
              .pid = p->pid,
              .start_time = p->start_time,
              .prev = p->prev,
              .prev_stamp = p->prev_stamp};
    p->prev = NULL; /* lent to the pass */
    g_array_append_val(works, w);
  }
  s->fresh_procs = false;
  g_mutex_unlock(&s->lock);
  if (works->len == 0) {
    g_array_free(works, TRUE);
    return;
  }

  obs_proc_table *table = obs_proc_table_new(s->proc_fd);
  double boot = obs_proc_boot_time(s->proc_fd);
  gint64 now = g_get_monotonic_time();
  long ticks = sysconf(_SC_CLK_TCK);
  double hz = ticks > 0 ? (double)ticks : 100.0;
  GPtrArray *tree = g_ptr_array_new();
  for (guint i = 0; i < works->len; i++)
    sample_one(table, boot, hz, now, tree, &g_array_index(works, work, i));
  g_ptr_array_free(tree, TRUE);
  obs_proc_table_free(table);

  g_mutex_lock(&s->lock);
  for (guint i = 0; i < works->len; i++) {
    work *w = &g_array_index(works, work, i);
    s_proc *p = g_hash_table_lookup(s->by_serial, &w->serial);
    if (!p) {
      /* Untracked or forgotten during the pass. */
      if (w->prev)
        g_array_free(w->prev, TRUE);
      continue;
    }
    p->sampled = w->sampled;
    p->usage = w->usage;
    p->prev = w->prev;
    p->prev_stamp = w->prev_stamp;
  }
  g_mutex_unlock(&s->lock);
  g_array_free(works, TRUE);
}

/* --- a disk pass -------------------------------------------------------- */

typedef struct disk_work {
  guint64 serial;
  char *sandbox;
} disk_work;

/* Walks every sandbox, or only the fresh ones. */
static void disk_pass(obs_sampler *s, bool only_fresh) {
  g_mutex_lock(&s->lock);
  GArray *works = g_array_new(FALSE, FALSE, sizeof(disk_work));
  GHashTableIter it;
  gpointer value;
  g_hash_table_iter_init(&it, s->tasks);
  while (g_hash_table_iter_next(&it, NULL, &value)) {
    s_task *t = value;
    if (!t->sandbox || (only_fresh && !t->disk_fresh))
      continue;
    t->disk_fresh = false;
    disk_work w = {t->serial, g_strdup(t->sandbox)};
    g_array_append_val(works, w);
  }
  s->fresh_disks = false;
  g_mutex_unlock(&s->lock);

  for (guint i = 0; i < works->len; i++) {
    disk_work *w = &g_array_index(works, disk_work, i);
    obs_disk_result r;
    bool ok = !g_atomic_int_get(&s->stop) &&
              obs_disk_usage(w->sandbox, OBS_DISK_MAX_ENTRIES,
                             OBS_DISK_MAX_DEPTH, &s->stop, &r);
    if (ok && !g_atomic_int_get(&s->stop)) {
      g_mutex_lock(&s->lock);
      s_task *t = g_hash_table_lookup(s->task_by_serial, &w->serial);
      /* Only if the sandbox is still the one walked. */
      if (t && t->sandbox && strcmp(t->sandbox, w->sandbox) == 0)
        t->disk = r.bytes;
      g_mutex_unlock(&s->lock);
    }
    g_free(w->sandbox);
  }
  g_array_free(works, TRUE);
}

/* --- the thread --------------------------------------------------------- */

static gpointer sampler_main(gpointer data) {
  obs_sampler *s = data;
  const gint64 sec = G_TIME_SPAN_SECOND;
  gint64 next_sample = g_get_monotonic_time();
  gint64 next_disk = next_sample;
  gint64 next_fresh = next_sample;
  while (!g_atomic_int_get(&s->stop)) {
    gint64 now = g_get_monotonic_time();
    if (s->sample_interval && now >= next_sample) {
      sample_pass(s, false);
      next_sample = now + (gint64)s->sample_interval * sec;
    }
    now = g_get_monotonic_time();
    if (s->disk_interval && now >= next_disk) {
      disk_pass(s, false);
      next_disk = now + (gint64)s->disk_interval * sec;
    }
    now = g_get_monotonic_time();
    g_mutex_lock(&s->lock);
    bool fresh_procs = s->fresh_procs, fresh_disks = s->fresh_disks;
    g_mutex_unlock(&s->lock);
    if ((fresh_procs || fresh_disks) && now >= next_fresh) {
      if (fresh_procs)
        sample_pass(s, true);
      if (fresh_disks)
        disk_pass(s, true);
      next_fresh = now + FRESH_GAP;
    }

    g_mutex_lock(&s->lock);
    while (!g_atomic_int_get(&s->stop)) {
      gint64 wake = G_MAXINT64;
      if (s->sample_interval)
        wake = next_sample;
      if (s->disk_interval && next_disk < wake)
        wake = next_disk;
      if ((s->fresh_procs || s->fresh_disks) && next_fresh < wake)
        wake = next_fresh;
      if (g_get_monotonic_time() >= wake)
        break;
      /* Woken early by stop or by something fresh: look again. */
      if (wake == G_MAXINT64)
        g_cond_wait(&s->cond, &s->lock);
      else
        g_cond_wait_until(&s->cond, &s->lock, wake);
    }
    g_mutex_unlock(&s->lock);
  }
  return NULL;
}

obs_sampler *obs_sampler_start(unsigned sample_interval,
                               unsigned disk_interval) {
  obs_sampler *s = g_new0(obs_sampler, 1);
  g_mutex_init(&s->lock);
  g_cond_init(&s->cond);
  s->sample_interval = sample_interval;
  s->disk_interval = disk_interval;
  s->tasks = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, task_free);
  s->by_serial = g_hash_table_new(g_int64_hash, g_int64_equal);
  s->task_by_serial = g_hash_table_new(g_int64_hash, g_int64_equal);
  s->proc_fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  GError *err = NULL;
  s->thread = g_thread_try_new("obs-sampler", sampler_main, s, &err);
  if (!s->thread) {
    g_clear_error(&err);
    s->thread = NULL;
    obs_sampler_stop(s);
    return NULL;
  }
  return s;
}

void obs_sampler_stop(obs_sampler *s) {
  if (!s)
    return;
  if (s->thread) {
    g_mutex_lock(&s->lock);
    g_atomic_int_set(&s->stop, 1);
    g_cond_broadcast(&s->cond);
    g_mutex_unlock(&s->lock);
    g_thread_join(s->thread);
  }
  g_hash_table_destroy(s->by_serial);
  g_hash_table_destroy(s->task_by_serial);
  g_hash_table_destroy(s->tasks);
  if (s->proc_fd >= 0)
    close(s->proc_fd);
  g_cond_clear(&s->cond);
  g_mutex_clear(&s->lock);
  g_free(s);
}

/* --- the dispatch thread's side ----------------------------------------- */

void obs_sampler_track(obs_sampler *s, const char *task_id, const char *process,
                       int32_t pid, double start_time) {
  if (!s || !task_id || !process || pid <= 0)
    return;
  g_mutex_lock(&s->lock);
  s_task *t = task_get(s, task_id, true);
  s_proc *old = g_hash_table_lookup(t->procs, process);
  if (old && old->pid == pid && old->start_time == start_time) {
    g_mutex_unlock(&s->lock); /* the same run, told again */
    return;
  }
  if (old)
    proc_remove(s, t, old);
  s_proc *p = g_new0(s_proc, 1);
  p->serial = ++s->next_serial;
  p->task = t;
  p->name = g_strdup(process);
  p->pid = pid;
  p->start_time = start_time;
  g_hash_table_insert(t->procs, p->name, p);
  g_hash_table_insert(s->by_serial, &p->serial, p);
  if (s->sample_interval) {
    p->fresh = true;
    s->fresh_procs = true;
    g_cond_signal(&s->cond);
  }
  g_mutex_unlock(&s->lock);
}

void obs_sampler_untrack(obs_sampler *s, const char *task_id,
                         const char *process) {
  if (!s || !task_id || !process)
    return;
  g_mutex_lock(&s->lock);
  s_task *t = task_get(s, task_id, false);
  s_proc *p = t ? g_hash_table_lookup(t->procs, process) : NULL;
  if (p)
    proc_remove(s, t, p);
  g_mutex_unlock(&s->lock);
}

void obs_sampler_sandbox(obs_sampler *s, const char *task_id,
                         const char *sandbox) {
  if (!s || !task_id)
    return;
  g_mutex_lock(&s->lock);
  s_task *t = task_get(s, task_id, sandbox && *sandbox);
  if (t && g_strcmp0(t->sandbox, sandbox && *sandbox ? sandbox : NULL)) {
    g_free(t->sandbox);
    t->sandbox = sandbox && *sandbox ? g_strdup(sandbox) : NULL;
    t->disk = 0;
    if (t->sandbox && s->disk_interval) {
      t->disk_fresh = true;
      s->fresh_disks = true;
      g_cond_signal(&s->cond);
    }
  }
  g_mutex_unlock(&s->lock);
}

void obs_sampler_forget(obs_sampler *s, const char *task_id) {
  if (!s || !task_id)
    return;
  g_mutex_lock(&s->lock);
  s_task *t = task_get(s, task_id, false);
  if (t) {
    GHashTableIter it;
    gpointer value;
    g_hash_table_iter_init(&it, t->procs);
    while (g_hash_table_iter_next(&it, NULL, &value))
      g_hash_table_remove(s->by_serial, &((s_proc *)value)->serial);
    g_hash_table_remove(s->task_by_serial, &t->serial);
    g_hash_table_remove(s->tasks, task_id); /* frees t */
  }
  g_mutex_unlock(&s->lock);
}

/* --- readers ------------------------------------------------------------- */

bool obs_sampler_process(obs_sampler *s, const char *task_id,
                         const char *process, obs_usage *out) {
  memset(out, 0, sizeof *out);
  if (!s || !task_id || !process)
    return false;
  bool found = false;
  g_mutex_lock(&s->lock);
  s_task *t = task_get(s, task_id, false);
  s_proc *p = t ? g_hash_table_lookup(t->procs, process) : NULL;
  if (p && p->sampled) {
    *out = p->usage;
    found = true;
  }
  g_mutex_unlock(&s->lock);
  return found;
}

void obs_sampler_task(obs_sampler *s, const char *task_id, obs_usage *out) {
  memset(out, 0, sizeof *out);
  if (!s || !task_id)
    return;
  g_mutex_lock(&s->lock);
  s_task *t = task_get(s, task_id, false);
  if (t) {
    /* Aurora's sum keeps the nice and status of one of the processes; here
     * the one with the lowest pid, so the choice does not change between
     * reads. */
    int32_t first = 0;
    GHashTableIter it;
    gpointer value;
    g_hash_table_iter_init(&it, t->procs);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
      const s_proc *p = value;
      if (!p->sampled)
        continue;
      const obs_usage *u = &p->usage;
      out->cpu += u->cpu;
      out->user += u->user;
      out->system += u->system;
      out->rss += u->rss;
      out->vms += u->vms;
      out->threads += u->threads;
      if (!first || p->pid < first) {
        first = p->pid;
        out->nice = u->nice;
        memcpy(out->status, u->status, sizeof out->status);
      }
    }
    out->ram = out->rss;
    out->disk = t->disk;
  }
  g_mutex_unlock(&s->lock);
}
