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
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib-unix.h>
#include <glib.h>

#include "core/diag.h"
#include "core/stream_reader.h"
#include "event_loop.h"
#include "inotify.h"
#include "roots.h"
#include "watcher_private.h"

static void target_free(gpointer p) { g_free(p); }

/* Adds an inotify watch; -1 when none can be had (said once). */
int tdw_add_watch(td_watcher *w, const char *path, uint32_t mask,
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

static void add_root_now(const char *path, void *user) {
  tdw_add_root(user, path, false);
}

static void add_root_later(const char *path, void *user) {
  tdw_add_root(user, path, true);
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
    tdw_root_sync(w, value, true);
    tdw_scan_finished(w, value);
    tdw_scan_checkpoints(w, value, true);
  }
  /* A copy: a removal changes the table. */
  GList *all = g_hash_table_get_values(w->tasks);
  for (GList *l = all; l; l = l->next) {
    task *t = l->data;
    if (!g_file_test(t->dir, G_FILE_TEST_IS_DIR)) {
      tdw_remove_task(w, t);
    } else if (t->follower) {
      td_follower_poll(t->follower);
      td_follower_check_path(t->follower);
    } else {
      tdw_start_follower(w, t);
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
          tdw_root_sync(w, r, true);
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
    tdw_level_gone(w, r, tg->kind);
    tdw_root_sync(w, r, true);
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
      tdw_root_sync(w, tg->root, true);
    break;
  case T_TASKS:
    if (appeared && strcmp(name, "finished") == 0)
      tdw_root_sync(w, tg->root, true);
    break;
  case T_FINISHED:
    if (appeared)
      tdw_mark_finished(w, tg->root, name);
    break;
  case T_CHECKPOINTS:
    if (appeared && (e->mask & IN_ISDIR)) {
      tdw_add_task(w, tg->root, name, true);
    } else if (e->mask & (IN_DELETE | IN_MOVED_FROM)) {
      char *runner =
          g_build_filename(tg->root->path, "checkpoints", name, "runner", NULL);
      task *t = g_hash_table_lookup(w->tasks, runner);
      g_free(runner);
      if (t)
        tdw_remove_task(w, t);
    }
    break;
  case T_TASK: {
    task *t = tg->task;
    if (e->mask & (IN_DELETE_SELF | IN_MOVE_SELF)) {
      tdw_remove_task(w, t);
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
        tdw_start_follower(w, t);
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
      tdw_root_sync(w, r, true);
    level *levels[] = {&r->tasks, &r->finished, &r->checkpoints};
    bool pending = false;
    for (size_t i = 0; i < G_N_ELEMENTS(levels); i++)
      pending |= levels[i]->removed_pending;
    /* A directory removed with its root, whose own removal is not read
     * yet: the root is looked at first, and its removal said instead. */
    if (pending)
      tdw_root_sync(w, r, true);
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
      tdw_start_follower(w, l->data);
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
    tdw_scan_checkpoints(w, value, true);
    tdw_scan_finished(w, value);
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
      tdw_start_follower(w, t);
  }
  for (guint i = 0; i < gone->len; i++)
    tdw_remove_task(w, g_ptr_array_index(gone, i));
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
  w->inner.on_end = tdw_on_end;
  w->inner.user = w;
  w->inotify = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  w->targets =
      g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, target_free);
  w->roots =
      g_hash_table_new_full(g_str_hash, g_str_equal, NULL, tdw_root_free);
  w->real_roots = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  w->tasks =
      g_hash_table_new_full(g_str_hash, g_str_equal, NULL, tdw_task_free);
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
      tdw_add_root(w, roots[i], false);
    }
  }
  w->started = true;
  w->rescan_interval = rescan_interval;
  if (w->patterns->len)
    w->rescan_source = td_timeout_add_seconds(rescan_interval, rescan, w);
  return w;
}

void td_watcher_reconfigure(td_watcher *w, const td_config *cfg, double linger,
                            double rescan_interval) {
  w->inner.cfg = cfg;
  w->inner.linger = linger;
  if (rescan_interval == w->rescan_interval)
    return;
  w->rescan_interval = rescan_interval;
  if (w->rescan_source) {
    g_source_remove(w->rescan_source);
    w->rescan_source = td_timeout_add_seconds(rescan_interval, rescan, w);
  }
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
