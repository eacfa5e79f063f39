/* The watcher's tasks: each ROOT/checkpoints/<id> found, its follower
 * started (or retried when descriptors ran out), finished by its marker,
 * and dropped when its directory goes. */
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

void tdw_task_free(gpointer p) {
  task *t = p;
  td_follower_free(t->follower);
  g_free(t->id);
  g_free(t->dir);
  g_free(t->runner);
  g_free(t);
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
void tdw_on_end(td_follower *f, td_follow_end why, void *user) {
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

void tdw_start_follower(td_watcher *w, task *t) {
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

void tdw_add_task(td_watcher *w, root *r, const char *id, bool later) {
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
  t->wd = tdw_add_watch(w, t->dir,
                        IN_CREATE | IN_MOVED_TO | IN_MODIFY | IN_DELETE |
                            IN_MOVED_FROM | IN_DELETE_SELF | IN_MOVE_SELF |
                            IN_ONLYDIR,
                        T_TASK, r, t);
  if (!later && finished_and_covered(w, t)) {
    t->done = true;
    return;
  }
  tdw_start_follower(w, t);
}

/* The task's directory is gone: stop following it; its cursor goes too. */
void tdw_remove_task(td_watcher *w, task *t) {
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

void tdw_scan_checkpoints(td_watcher *w, root *r, bool later) {
  char *dir = g_build_filename(r->path, "checkpoints", NULL);
  GDir *d = g_dir_open(dir, 0, NULL);
  const char *name;
  while (d && (name = g_dir_read_name(d))) {
    char *sub = g_build_filename(dir, name, NULL);
    if (g_file_test(sub, G_FILE_TEST_IS_DIR))
      tdw_add_task(w, r, name, later);
    g_free(sub);
  }
  if (d)
    g_dir_close(d);
  g_free(dir);
}

void tdw_mark_finished(td_watcher *w, root *r, const char *id) {
  char *runner = g_build_filename(r->path, "checkpoints", id, "runner", NULL);
  task *t = g_hash_table_lookup(w->tasks, runner);
  g_free(runner);
  if (!t || t->finished)
    return;
  t->finished = true;
  if (t->follower)
    td_follower_set_finished(t->follower);
}

void tdw_scan_finished(td_watcher *w, root *r) {
  char *dir = g_build_filename(r->path, "tasks", "finished", NULL);
  GDir *d = g_dir_open(dir, 0, NULL);
  const char *name;
  while (d && (name = g_dir_read_name(d)))
    tdw_mark_finished(w, r, name);
  if (d)
    g_dir_close(d);
  g_free(dir);
}

/* Every task of a root is dropped: the directory holding them went. */
void tdw_remove_root_tasks(td_watcher *w, root *r) {
  GList *all = g_hash_table_get_values(w->tasks); /* a removal edits it */
  for (GList *l = all; l; l = l->next) {
    task *t = l->data;
    if (t->root == r)
      tdw_remove_task(w, t);
  }
  g_list_free(all);
}
