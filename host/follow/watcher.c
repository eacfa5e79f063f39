/*
 * The watcher keeps one inotify descriptor for everything: each root, its
 * checkpoints/ and tasks/finished/ directories, and each task directory
 * (whose IN_MODIFY events for "runner" say the stream grew, so a task costs
 * one watch, not two).  Should the watches run out, the tasks left without
 * one are polled once a second instead, and the user is told once.
 *
 * A root, its checkpoints/, tasks/ or tasks/finished/ may be removed and
 * made again (a cleanup job, a sandbox re-created by the agent, a Mesos
 * run directory of the same name): each is watched by its inode, so a
 * directory that disappears, or is replaced by another of the same name,
 * drops its watches and its tasks, and is scanned afresh when it is back
 * (its tasks then live from their first record, like any task that
 * appears while the host runs).  A root itself, whose parent is not
 * watched, is looked for again on every tick and glob rescan.
 */
#include "watcher.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib-unix.h>
#include <glib.h>

#include "core/diag.h"
#include "event_loop.h"
#include "inotify.h"
#include "roots.h"
#include "core/stream_reader.h"

typedef enum target_kind {
  T_ROOT,        /* ROOT: checkpoints/ or tasks/ may appear */
  T_CHECKPOINTS, /* ROOT/checkpoints: task directories */
  T_TASKS,       /* ROOT/tasks: finished/ may appear */
  T_FINISHED,    /* ROOT/tasks/finished: markers of finished tasks */
  T_TASK,        /* ROOT/checkpoints/<id>: its runner stream */
  T_PARENT       /* the parent of roots that are gone: their return */
} target_kind;

typedef struct root root;
typedef struct task task;

typedef struct target {
  target_kind kind;
  root *root;
  task *task; /* T_TASK */
} target;

/* One directory of a root (the root itself, checkpoints/, tasks/,
 * tasks/finished/), known by its inode. */
typedef struct level {
  const char *name; /* below the root: "" for the root itself */
  target_kind kind;
  uint32_t mask;
  int wd;       /* -1: no watch (absent, or none to be had) */
  bool present; /* seen, with this inode */
  dev_t dev;
  ino_t ino;
  bool removed_pending; /* gone: said on the next tick if still gone */
  bool removed_said;    /* "removed" said: "followed again" is owed */
} level;

struct root {
  char *path;
  bool gone; /* the root itself is not there (said once) */
  level self, tasks, finished, checkpoints;
};

struct task {
  root *root;
  char *id;
  char *dir;
  char *runner;
  int wd; /* -1: polled */
  td_follower *follower;
  bool created_later;
  bool finished;      /* tasks/finished/<id> exists */
  bool unusable_said; /* the runner could not be opened, and was warned of */
  bool retry;         /* its open failed for want of descriptors or memory */
  bool done; /* followed to its end; kept so it is not followed again */
};

struct td_watcher {
  td_follow_ctx *ctx;
  td_follow_ctx inner; /* the followers' context: ends come here */
  int inotify;
  guint inotify_source;
  GHashTable *targets;    /* wd -> target * */
  GHashTable *roots;      /* path -> root * */
  GHashTable *real_roots; /* the roots' real paths */
  GHashTable *tasks;      /* runner path -> task * */
  GPtrArray *patterns;    /* roots with glob characters */
  guint rescan_source;
  bool started;
  bool watches_exhausted;
  GHashTable *retry;   /* task *: to open again on the next tick */
  GHashTable *parents; /* parent path -> parent_watch *, of gone roots */
  bool aborted;
  GPtrArray *ended; /* followers to free once the loop is back */
  guint reap_source;
};

static void target_free(gpointer p) { g_free(p); }

/* A watch on the parent directory of roots that are gone, shared by all
 * of them (one inotify watch per directory): a root made again is seen at
 * once, not on the next tick. */
typedef struct parent_watch {
  int wd;
  unsigned users;
} parent_watch;

static void root_free(gpointer p) {
  root *r = p;
  g_free(r->path);
  g_free(r);
}

/* What a root's directories are watched for: what appears in them, and
 * their own removal or replacement. */
#define LEVEL_GONE_MASK (IN_DELETE_SELF | IN_MOVE_SELF)
static void level_init(level *lv, const char *name, target_kind kind,
                       uint32_t mask) {
  lv->name = name;
  lv->kind = kind;
  lv->mask = mask | LEVEL_GONE_MASK | IN_ONLYDIR;
  lv->wd = -1;
}

static void task_free(gpointer p) {
  task *t = p;
  td_follower_free(t->follower);
  g_free(t->id);
  g_free(t->dir);
  g_free(t->runner);
  g_free(t);
}

/* Adds an inotify watch; -1 when none can be had (said once). */
static int add_watch(td_watcher *w, const char *path, uint32_t mask,
                     target_kind kind, root *r, task *t) {
  int wd = inotify_add_watch(w->inotify, path, mask);
  if (wd < 0) {
    if (errno == ENOSPC && !w->watches_exhausted) {
      w->watches_exhausted = true;
      td_warning("out of inotify watches (fs.inotify.max_user_watches): "
                 "polling the remaining tasks every second");
    }
    return -1;
  }
  target *tg = g_new0(target, 1);
  tg->kind = kind;
  tg->root = r;
  tg->task = t;
  g_hash_table_replace(w->targets, GINT_TO_POINTER(wd), tg);
  return wd;
}

/* Drops a task's inotify watch (a task followed to its end, or removed):
 * a long-running host with task churn must not run out of watches. */
static void drop_watch(td_watcher *w, task *t) {
  if (t->wd < 0)
    return;
  inotify_rm_watch(w->inotify, t->wd);
  g_hash_table_remove(w->targets, GINT_TO_POINTER(t->wd));
  t->wd = -1;
}

static gboolean reap(gpointer user) {
  td_watcher *w = user;
  w->reap_source = 0;
  for (guint i = 0; i < w->ended->len; i++) {
    task *t = g_ptr_array_index(w->ended, i);
    td_follower_free(t->follower);
    t->follower = NULL;
  }
  g_ptr_array_set_size(w->ended, 0);
  return G_SOURCE_REMOVE;
}

/* A follower ended: its state is freed once control is back in the loop
 * (the follower is still on the stack now). */
static void on_end(td_follower *f, td_follow_end why, void *user) {
  td_watcher *w = user;
  task *t = g_hash_table_lookup(w->tasks, td_follower_path(f));
  if (why == TD_FOLLOW_ABORTED) {
    w->aborted = true;
    if (w->ctx->on_end)
      w->ctx->on_end(f, why, w->ctx->user);
  }
  if (!t)
    return;
  t->done = true;
  /* Its directory's removal is still seen, through checkpoints/. */
  drop_watch(w, t);
  g_ptr_array_add(w->ended, t);
  if (!w->reap_source)
    w->reap_source = g_idle_add(reap, w);
}

/* Whether an open that failed with `err` may work later by itself: the
 * host or the system was out of descriptors or memory. */
static bool transient(int err) {
  return err == EMFILE || err == ENFILE || err == ENOMEM || err == EAGAIN ||
         err == EINTR;
}

static void start_follower(td_watcher *w, task *t) {
  if (t->follower || t->done)
    return;
  int err = 0;
  t->follower = td_follower_start(&w->inner, t->runner, t->created_later, &err);
  if (!t->follower) {
    if (err == ENOENT) {
      /* Not there yet: the normal case. */
    } else if (transient(err)) {
      /* Out of descriptors (or memory): the next tick tries again, once
       * finished tasks have given theirs back. */
      if (!t->retry)
        td_warning("%s: %s; retrying every second", t->runner, g_strerror(err));
      t->retry = true;
      g_hash_table_add(w->retry, t);
    } else if (!t->unusable_said) {
      /* A FIFO, a link, a loop of links, a directory without search
       * permission: will not mend by itself, and is said once; the other
       * tasks go on. */
      td_warning("%s: %s; not followed", t->runner,
                 td_stream_open_reason(t->runner, err));
      t->unusable_said = true;
    }
    return;
  }
  if (t->retry) {
    t->retry = false;
    g_hash_table_remove(w->retry, t);
  }
  if (t->finished)
    td_follower_set_finished(t->follower);
}

/* A finished task whose cursor covers its whole stream was dispatched to
 * its end by an earlier run: it is not read again. */
static bool finished_and_covered(td_watcher *w, task *t) {
  if (!w->ctx->cursors || !t->finished)
    return false;
  td_cursor *c = td_cursor_open(w->ctx->cursors, t->runner);
  td_file_identity id;
  uint64_t offset, index;
  bool covered = false;
  if (c && td_cursor_get(c, &id, &offset, &index)) {
    struct stat sb;
    covered = stat(t->runner, &sb) == 0 && (uint64_t)sb.st_size == offset &&
              (uint64_t)sb.st_ino == id.ino;
  }
  td_cursor_close(c);
  return covered;
}

static void add_task(td_watcher *w, root *r, const char *id, bool later) {
  char *runner = g_build_filename(r->path, "checkpoints", id, "runner", NULL);
  if (g_hash_table_contains(w->tasks, runner)) {
    g_free(runner);
    return;
  }
  task *t = g_new0(task, 1);
  t->root = r;
  t->id = g_strdup(id);
  t->dir = g_build_filename(r->path, "checkpoints", id, NULL);
  t->runner = runner;
  t->created_later = later;
  t->finished = td_root_task_finished(r->path, id);
  g_hash_table_insert(w->tasks, t->runner, t);
  t->wd =
      add_watch(w, t->dir,
                IN_CREATE | IN_MOVED_TO | IN_MODIFY | IN_DELETE |
                    IN_MOVED_FROM | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR,
                T_TASK, r, t);
  if (!later && finished_and_covered(w, t)) {
    t->done = true;
    return;
  }
  start_follower(w, t);
}

/* The task's directory is gone: stop following it; its cursor goes too. */
static void remove_task(td_watcher *w, task *t) {
  if (t->follower && !td_follower_ended(t->follower)) {
    td_follower_removed(t->follower);
  } else if (w->ctx->cursors) {
    td_cursor_delete(td_cursor_open(w->ctx->cursors, t->runner));
  }
  drop_watch(w, t);
  g_hash_table_remove(w->retry, t);
  /* A follower waiting to be reaped is freed with the task. */
  g_ptr_array_remove(w->ended, t);
  g_hash_table_remove(w->tasks, t->runner);
}

static void scan_checkpoints(td_watcher *w, root *r, bool later) {
  char *dir = g_build_filename(r->path, "checkpoints", NULL);
  GDir *d = g_dir_open(dir, 0, NULL);
  const char *name;
  while (d && (name = g_dir_read_name(d))) {
    char *sub = g_build_filename(dir, name, NULL);
    if (g_file_test(sub, G_FILE_TEST_IS_DIR))
      add_task(w, r, name, later);
    g_free(sub);
  }
  if (d)
    g_dir_close(d);
  g_free(dir);
}

static void mark_finished(td_watcher *w, root *r, const char *id) {
  char *runner = g_build_filename(r->path, "checkpoints", id, "runner", NULL);
  task *t = g_hash_table_lookup(w->tasks, runner);
  g_free(runner);
  if (!t || t->finished)
    return;
  t->finished = true;
  if (t->follower)
    td_follower_set_finished(t->follower);
}

static void scan_finished(td_watcher *w, root *r) {
  char *dir = g_build_filename(r->path, "tasks", "finished", NULL);
  GDir *d = g_dir_open(dir, 0, NULL);
  const char *name;
  while (d && (name = g_dir_read_name(d)))
    mark_finished(w, r, name);
  if (d)
    g_dir_close(d);
  g_free(dir);
}

/* Every task of a root is dropped: the directory holding them went. */
static void remove_root_tasks(td_watcher *w, root *r) {
  GList *all = g_hash_table_get_values(w->tasks); /* a removal edits it */
  for (GList *l = all; l; l = l->next) {
    task *t = l->data;
    if (t->root == r)
      remove_task(w, t);
  }
  g_list_free(all);
}

static void level_unwatch(td_watcher *w, level *lv) {
  if (lv->wd >= 0) {
    /* The target goes first: the IN_IGNORED that follows finds nothing. */
    g_hash_table_remove(w->targets, GINT_TO_POINTER(lv->wd));
    inotify_rm_watch(w->inotify, lv->wd);
    lv->wd = -1;
  }
}

typedef enum level_change {
  LEVEL_SAME,   /* as it was: there, or still not there */
  LEVEL_NEW,    /* there now, and not before (or another directory) */
  LEVEL_REMOVED /* there before, not now */
} level_change;

/* Looks at one directory of a root again: a directory that appeared (or
 * replaced the one watched) gets a watch, one that went loses it. */
static level_change level_sync(td_watcher *w, root *r, level *lv) {
  char *path =
      *lv->name ? g_build_filename(r->path, lv->name, NULL) : g_strdup(r->path);
  struct stat sb;
  bool there = stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
  level_change change = LEVEL_SAME;
  if (lv->present && (!there || sb.st_dev != lv->dev || sb.st_ino != lv->ino)) {
    level_unwatch(w, lv);
    lv->present = false;
    change = LEVEL_REMOVED;
    /* Said on the next tick if still gone: a directory removed with its
     * root (whose own removal is said) or made again at once must not be
     * reported as lost. */
    if (*lv->name)
      lv->removed_pending = true;
  }
  if (there && !lv->present) {
    lv->present = true;
    lv->dev = sb.st_dev;
    lv->ino = sb.st_ino;
    change = LEVEL_NEW;
    lv->removed_pending = false;
    if (lv->removed_said) {
      td_error("%s: followed again", path);
      lv->removed_said = false;
    }
  }
  if (there && lv->wd < 0 && !w->watches_exhausted && w->inotify >= 0)
    lv->wd = add_watch(w, path, lv->mask, lv->kind, r, NULL);
  g_free(path);
  return change;
}

static void parent_watch_add(td_watcher *w, root *r) {
  char *dir = g_path_get_dirname(r->path);
  parent_watch *pw = g_hash_table_lookup(w->parents, dir);
  if (pw) {
    pw->users++;
    g_free(dir);
    return;
  }
  int wd = add_watch(w, dir, IN_CREATE | IN_MOVED_TO | IN_ONLYDIR, T_PARENT,
                     NULL, NULL);
  if (wd < 0) {
    g_free(dir); /* the tick looks for the root */
    return;
  }
  pw = g_new0(parent_watch, 1);
  pw->wd = wd;
  pw->users = 1;
  g_hash_table_insert(w->parents, dir, pw);
}

static void parent_watch_drop(td_watcher *w, root *r) {
  char *dir = g_path_get_dirname(r->path);
  parent_watch *pw = g_hash_table_lookup(w->parents, dir);
  if (pw && --pw->users == 0) {
    g_hash_table_remove(w->targets, GINT_TO_POINTER(pw->wd));
    inotify_rm_watch(w->inotify, pw->wd);
    g_hash_table_remove(w->parents, dir);
  }
  g_free(dir);
}

/* The root itself went (or another directory took its name): its watches
 * and tasks go, and it is looked for again through its parent's watch and
 * on every tick. */
static void root_gone(td_watcher *w, root *r) {
  td_warning("%s: removed; followed again once it is back", r->path);
  r->gone = true;
  parent_watch_add(w, r);
  level *levels[] = {&r->checkpoints, &r->finished, &r->tasks, &r->self};
  for (size_t i = 0; i < G_N_ELEMENTS(levels); i++) {
    level_unwatch(w, levels[i]);
    levels[i]->present = false;
    levels[i]->removed_pending = false;
    levels[i]->removed_said = false;
  }
  remove_root_tasks(w, r);
}

/* Brings what is watched of a root in line with what is on disk: called at
 * the start, on any inotify event about one of its directories, and on the
 * tick for a root that is gone or lacks a watch.  Idempotent. */
static void root_sync(td_watcher *w, root *r, bool later) {
  struct stat sb;
  bool there = stat(r->path, &sb) == 0 && S_ISDIR(sb.st_mode);
  bool replaced = there && r->self.present &&
                  (sb.st_dev != r->self.dev || sb.st_ino != r->self.ino);
  if (!r->gone && (!there || replaced))
    root_gone(w, r);
  if (!there)
    return;
  if (r->gone) {
    r->gone = false;
    parent_watch_drop(w, r);
    later = true; /* nothing watched it meanwhile */
    td_error("%s: followed again", r->path);
  }
  level_sync(w, r, &r->self);
  level_sync(w, r, &r->tasks);
  /* Finished markers first, so a task found finished is closed once
   * drained rather than lingering. */
  if (level_sync(w, r, &r->finished) == LEVEL_NEW)
    scan_finished(w, r);
  switch (level_sync(w, r, &r->checkpoints)) {
  case LEVEL_REMOVED:
    remove_root_tasks(w, r);
    break;
  case LEVEL_NEW:
    /* Another checkpoints/ may have replaced the one watched: its tasks
     * are other tasks, even under the same names. */
    remove_root_tasks(w, r);
    scan_checkpoints(w, r, later);
    break;
  case LEVEL_SAME:
  default:
    break;
  }
}

/* The kernel says the directory of a root watched as `kind` is gone (the
 * watch is then gone too): for the root itself, the whole root. */
static void level_gone(td_watcher *w, root *r, target_kind kind) {
  level *lv = kind == T_ROOT          ? &r->self
              : kind == T_TASKS       ? &r->tasks
              : kind == T_FINISHED    ? &r->finished
              : kind == T_CHECKPOINTS ? &r->checkpoints
                                      : NULL;
  if (!lv)
    return;
  if (lv == &r->self) {
    if (!r->gone)
      root_gone(w, r);
    return;
  }
  level_unwatch(w, lv);
  if (!lv->present)
    return;
  lv->present = false;
  lv->removed_pending = true;
  if (lv == &r->checkpoints)
    remove_root_tasks(w, r);
}

static root *root_new(const char *path) {
  root *r = g_new0(root, 1);
  r->path = g_strdup(path);
  level_init(&r->self, "", T_ROOT, IN_CREATE | IN_MOVED_TO);
  level_init(&r->tasks, "tasks", T_TASKS, IN_CREATE | IN_MOVED_TO);
  level_init(&r->finished, "tasks/finished", T_FINISHED,
             IN_CREATE | IN_MOVED_TO);
  level_init(&r->checkpoints, "checkpoints", T_CHECKPOINTS,
             IN_CREATE | IN_MOVED_TO | IN_DELETE | IN_MOVED_FROM);
  return r;
}

static void add_root(td_watcher *w, const char *path, bool later) {
  root *known = g_hash_table_lookup(w->roots, path);
  if (known) {
    /* A glob rescan finds a root again: back, perhaps, after a removal. */
    root_sync(w, known, true);
    return;
  }
  /* By its real path: a glob over Mesos run directories also matches the
   * `latest` link to one of them, which must not be followed twice. */
  if (!td_root_first_visit(w->real_roots, path))
    return;
  root *r = root_new(path);
  g_hash_table_insert(w->roots, r->path, r);
  root_sync(w, r, later);
}

static void add_root_now(const char *path, void *user) {
  add_root(user, path, false);
}

static void add_root_later(const char *path, void *user) {
  add_root(user, path, true);
}

static void expand(td_watcher *w, const char *pattern, bool later) {
  td_root_expand(pattern, later ? add_root_later : add_root_now, w);
}

static gboolean rescan(gpointer user) {
  td_watcher *w = user;
  for (guint i = 0; i < w->patterns->len; i++)
    expand(w, g_ptr_array_index(w->patterns, i), true);
  return G_SOURCE_CONTINUE;
}

/* inotify's queue overflowed: events were lost, any of them.  Everything
 * is looked at again: every root (a task created meanwhile is live from
 * its first record, like any task that appears while the host runs),
 * every follower for growth and replacement, every task for removal. */
static void resync(td_watcher *w) {
  td_warning("inotify: event queue overflowed: rescanning every root");
  rescan(w);
  GHashTableIter it;
  gpointer value;
  g_hash_table_iter_init(&it, w->roots);
  while (g_hash_table_iter_next(&it, NULL, &value)) {
    root_sync(w, value, true);
    scan_finished(w, value);
    scan_checkpoints(w, value, true);
  }
  /* A copy: a removal changes the table. */
  GList *all = g_hash_table_get_values(w->tasks);
  for (GList *l = all; l; l = l->next) {
    task *t = l->data;
    if (!g_file_test(t->dir, G_FILE_TEST_IS_DIR)) {
      remove_task(w, t);
    } else if (t->follower) {
      td_follower_poll(t->follower);
      td_follower_check_path(t->follower);
    } else {
      start_follower(w, t);
    }
  }
  g_list_free(all);
}

static void on_event(const struct inotify_event *e, void *user) {
  td_watcher *w = user;
  if (e->mask & IN_Q_OVERFLOW) {
    resync(w);
    return;
  }
  target *tg = g_hash_table_lookup(w->targets, GINT_TO_POINTER(e->wd));
  if (!tg)
    return;
  if (tg->kind == T_PARENT) {
    if (e->mask & IN_IGNORED) {
      /* The parent went too: the tick looks for the roots. */
      GHashTableIter it;
      gpointer key, value;
      g_hash_table_iter_init(&it, w->parents);
      while (g_hash_table_iter_next(&it, &key, &value))
        if (((parent_watch *)value)->wd == e->wd)
          g_hash_table_iter_remove(&it);
      g_hash_table_remove(w->targets, GINT_TO_POINTER(e->wd));
    } else if (e->len && (e->mask & (IN_CREATE | IN_MOVED_TO))) {
      /* Which gone root has this name under this parent. */
      GList *roots = g_hash_table_get_values(w->roots);
      for (GList *l = roots; l; l = l->next) {
        root *r = l->data;
        if (!r->gone)
          continue;
        char *base = g_path_get_basename(r->path);
        bool match = strcmp(base, e->name) == 0;
        g_free(base);
        if (match)
          root_sync(w, r, true);
      }
      g_list_free(roots);
    }
    return;
  }
  if (tg->kind == T_TASK) {
    if (e->mask & IN_IGNORED) {
      if (tg->task->wd == e->wd)
        tg->task->wd = -1;
      g_hash_table_remove(w->targets, GINT_TO_POINTER(e->wd));
      return;
    }
  } else if (e->mask & (LEVEL_GONE_MASK | IN_IGNORED)) {
    /* The directory watched was deleted or moved away: that inode is gone
     * from its path, whatever stat says now (a directory made again at
     * once may get the same inode number). */
    root *r = tg->root; /* tg goes with the watch */
    level_gone(w, r, tg->kind);
    root_sync(w, r, true);
    return;
  }
  const char *name = e->len ? e->name : "";
  bool appeared = e->mask & (IN_CREATE | IN_MOVED_TO);
  switch (tg->kind) {
  case T_PARENT: /* handled above */
    break;
  case T_ROOT:
    if (appeared &&
        (strcmp(name, "checkpoints") == 0 || strcmp(name, "tasks") == 0))
      root_sync(w, tg->root, true);
    break;
  case T_TASKS:
    if (appeared && strcmp(name, "finished") == 0)
      root_sync(w, tg->root, true);
    break;
  case T_FINISHED:
    if (appeared)
      mark_finished(w, tg->root, name);
    break;
  case T_CHECKPOINTS:
    if (appeared && (e->mask & IN_ISDIR)) {
      add_task(w, tg->root, name, true);
    } else if (e->mask & (IN_DELETE | IN_MOVED_FROM)) {
      char *runner =
          g_build_filename(tg->root->path, "checkpoints", name, "runner", NULL);
      task *t = g_hash_table_lookup(w->tasks, runner);
      g_free(runner);
      if (t)
        remove_task(w, t);
    }
    break;
  case T_TASK: {
    task *t = tg->task;
    if (e->mask & (IN_DELETE_SELF | IN_MOVE_SELF)) {
      remove_task(w, t);
    } else if (strcmp(name, "runner") == 0) {
      if (t->follower) {
        td_follower_poll(t->follower);
        /* Another file moved onto the path; a runner merely deleted is
         * left to the removal of its directory, which usually follows. */
        if (appeared)
          td_follower_check_path(t->follower);
      } else if (appeared) {
        /* Created after the host started: live from its first record. */
        t->created_later = true;
        start_follower(w, t);
      }
    }
    break;
  }
  }
}

static gboolean on_inotify(gint fd, GIOCondition cond, gpointer user) {
  (void)cond;
  td_inotify_drain(fd, on_event, user);
  return G_SOURCE_CONTINUE;
}

void td_watcher_tick(td_watcher *w) {
  /* Roots that are gone (nothing watches their parent) or lack a watch
   * are looked at; the others tell through inotify. */
  GHashTableIter rit;
  gpointer rv;
  g_hash_table_iter_init(&rit, w->roots);
  while (g_hash_table_iter_next(&rit, NULL, &rv)) {
    root *r = rv;
    if (r->gone || r->self.wd < 0 ||
        (r->checkpoints.present && r->checkpoints.wd < 0))
      root_sync(w, r, true);
    level *levels[] = {&r->tasks, &r->finished, &r->checkpoints};
    bool pending = false;
    for (size_t i = 0; i < G_N_ELEMENTS(levels); i++)
      pending |= levels[i]->removed_pending;
    /* A directory removed with its root, whose own removal is not read
     * yet: the root is looked at first, and its removal said instead. */
    if (pending)
      root_sync(w, r, true);
    for (size_t i = 0; !r->gone && i < G_N_ELEMENTS(levels); i++) {
      level *lv = levels[i];
      if (!lv->removed_pending)
        continue;
      lv->removed_pending = false;
      lv->removed_said = true;
      td_warning("%s/%s: removed; followed again once it is back", r->path,
                 lv->name);
    }
  }
  if (g_hash_table_size(w->retry)) {
    /* A copy: a start takes the task out of the set. */
    GList *again = g_hash_table_get_keys(w->retry);
    for (GList *l = again; l; l = l->next)
      start_follower(w, l->data);
    g_list_free(again);
  }
  if (!w->watches_exhausted)
    return;
  /* Without watches for some: look at those, and at new directories. */
  GHashTableIter it;
  gpointer value;
  g_hash_table_iter_init(&it, w->roots);
  while (g_hash_table_iter_next(&it, NULL, &value)) {
    if (((root *)value)->gone)
      continue;
    scan_checkpoints(w, value, true);
    scan_finished(w, value);
  }
  GPtrArray *gone = g_ptr_array_new();
  g_hash_table_iter_init(&it, w->tasks);
  while (g_hash_table_iter_next(&it, NULL, &value)) {
    task *t = value;
    if (t->wd >= 0)
      continue;
    if (!g_file_test(t->dir, G_FILE_TEST_IS_DIR))
      g_ptr_array_add(gone, t);
    else if (t->done)
      continue;
    else if (t->follower)
      td_follower_poll(t->follower);
    else
      start_follower(w, t);
  }
  for (guint i = 0; i < gone->len; i++)
    remove_task(w, g_ptr_array_index(gone, i));
  g_ptr_array_free(gone, TRUE);
}

td_watcher *td_watcher_start(td_follow_ctx *ctx, char **roots, int n_roots,
                             double rescan_interval) {
  for (int i = 0; i < n_roots; i++) {
    if (!td_root_is_pattern(roots[i]) &&
        !g_file_test(roots[i], G_FILE_TEST_IS_DIR)) {
      td_error("%s: %s", roots[i],
               g_file_test(roots[i], G_FILE_TEST_EXISTS) ? g_strerror(ENOTDIR)
                                                         : g_strerror(ENOENT));
      return NULL;
    }
  }
  td_watcher *w = g_new0(td_watcher, 1);
  w->ctx = ctx;
  w->inner = *ctx;
  w->inner.on_end = on_end;
  w->inner.user = w;
  w->inotify = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  w->targets =
      g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, target_free);
  w->roots = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, root_free);
  w->real_roots = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  w->tasks = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, task_free);
  w->patterns = g_ptr_array_new_with_free_func(g_free);
  w->ended = g_ptr_array_new();
  w->retry = g_hash_table_new(g_direct_hash, g_direct_equal);
  w->parents = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  if (w->inotify < 0) {
    w->watches_exhausted = true;
    td_warning("inotify: %s: polling every task every second",
               g_strerror(errno));
  } else {
    w->inotify_source = td_add_fd_watch(w->inotify, on_inotify, w);
  }
  for (int i = 0; i < n_roots; i++) {
    if (td_root_is_pattern(roots[i])) {
      g_ptr_array_add(w->patterns, g_strdup(roots[i]));
      expand(w, roots[i], false);
    } else {
      add_root(w, roots[i], false);
    }
  }
  w->started = true;
  if (w->patterns->len)
    w->rescan_source = td_timeout_add_seconds(rescan_interval, rescan, w);
  return w;
}

bool td_watcher_aborted(const td_watcher *w) { return w->aborted; }

void td_watcher_stop(td_watcher *w) {
  GHashTableIter it;
  gpointer value;
  g_hash_table_iter_init(&it, w->tasks);
  while (g_hash_table_iter_next(&it, NULL, &value)) {
    task *t = value;
    if (t->follower)
      td_follower_stop(t->follower);
  }
}

void td_watcher_free(td_watcher *w) {
  if (!w)
    return;
  if (w->rescan_source)
    g_source_remove(w->rescan_source);
  if (w->reap_source)
    g_source_remove(w->reap_source);
  if (w->inotify_source)
    g_source_remove(w->inotify_source);
  g_ptr_array_free(w->ended, TRUE);
  g_hash_table_destroy(w->retry);
  g_hash_table_destroy(w->parents);
  g_hash_table_destroy(w->tasks);
  g_hash_table_destroy(w->targets);
  g_hash_table_destroy(w->roots);
  g_hash_table_destroy(w->real_roots);
  g_ptr_array_free(w->patterns, TRUE);
  if (w->inotify >= 0)
    close(w->inotify);
  g_free(w);
}
