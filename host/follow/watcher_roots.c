/* The watcher's roots: a root and its checkpoints/, tasks/ and
 * tasks/finished/, each known by its inode, so that a directory removed or
 * replaced drops its watches and tasks and is scanned afresh when it is
 * back; a root that is gone is looked for through its parent's watch. */
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

void tdw_root_free(gpointer p) {
  root *r = p;
  g_free(r->path);
  g_free(r);
}

static void tdw_level_init(level *lv, const char *name, target_kind kind,
                           uint32_t mask) {
  lv->name = name;
  lv->kind = kind;
  lv->mask = mask | LEVEL_GONE_MASK | IN_ONLYDIR;
  lv->wd = -1;
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
    lv->wd = tdw_add_watch(w, path, lv->mask, lv->kind, r, NULL);
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
  int wd = tdw_add_watch(w, dir, IN_CREATE | IN_MOVED_TO | IN_ONLYDIR, T_PARENT,
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
  tdw_remove_root_tasks(w, r);
}

/* Brings what is watched of a root in line with what is on disk: called at
 * the start, on any inotify event about one of its directories, and on the
 * tick for a root that is gone or lacks a watch.  Idempotent. */
void tdw_root_sync(td_watcher *w, root *r, bool later) {
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
    tdw_scan_finished(w, r);
  switch (level_sync(w, r, &r->checkpoints)) {
  case LEVEL_REMOVED:
    tdw_remove_root_tasks(w, r);
    break;
  case LEVEL_NEW:
    /* Another checkpoints/ may have replaced the one watched: its tasks
     * are other tasks, even under the same names. */
    tdw_remove_root_tasks(w, r);
    tdw_scan_checkpoints(w, r, later);
    break;
  case LEVEL_SAME:
  default:
    break;
  }
}

/* The kernel says the directory of a root watched as `kind` is gone (the
 * watch is then gone too): for the root itself, the whole root. */
void tdw_level_gone(td_watcher *w, root *r, target_kind kind) {
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
    tdw_remove_root_tasks(w, r);
}

static root *root_new(const char *path) {
  root *r = g_new0(root, 1);
  r->path = g_strdup(path);
  tdw_level_init(&r->self, "", T_ROOT, IN_CREATE | IN_MOVED_TO);
  tdw_level_init(&r->tasks, "tasks", T_TASKS, IN_CREATE | IN_MOVED_TO);
  tdw_level_init(&r->finished, "tasks/finished", T_FINISHED,
                 IN_CREATE | IN_MOVED_TO);
  tdw_level_init(&r->checkpoints, "checkpoints", T_CHECKPOINTS,
                 IN_CREATE | IN_MOVED_TO | IN_DELETE | IN_MOVED_FROM);
  return r;
}

void tdw_add_root(td_watcher *w, const char *path, bool later) {
  root *known = g_hash_table_lookup(w->roots, path);
  if (known) {
    /* A glob rescan finds a root again: back, perhaps, after a removal. */
    tdw_root_sync(w, known, true);
    return;
  }
  /* By its real path: a glob over Mesos run directories also matches the
   * `latest` link to one of them, which must not be followed twice. */
  if (!td_root_first_visit(w->real_roots, path))
    return;
  root *r = root_new(path);
  g_hash_table_insert(w->roots, r->path, r);
  tdw_root_sync(w, r, later);
}
