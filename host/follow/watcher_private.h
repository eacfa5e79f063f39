/* What the parts of the watcher share: the watched things (roots and
 * their directories, tasks, inotify targets) and the functions one part
 * calls in another.  watcher.c: inotify events, the tick, start and stop;
 * watcher_roots.c: a root's directories known by inode, gone and back;
 * watcher_tasks.c: the tasks of a root and their followers.  Private to
 * host/follow. */
#ifndef TD_WATCHER_PRIVATE_H
#define TD_WATCHER_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/inotify.h>
#include <sys/types.h>

#include <glib.h>

#include "follower.h"
#include "watcher.h"

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
  double rescan_interval; /* seconds, of rescan_source */
  bool started;
  bool watches_exhausted;
  GHashTable *retry;   /* task *: to open again on the next tick */
  GHashTable *parents; /* parent path -> parent_watch *, of gone roots */
  bool aborted;
  GPtrArray *ended; /* followers to free once the loop is back */
  guint reap_source;
};

/* A watch on the parent directory of roots that are gone, shared by all
 * of them (one inotify watch per directory): a root made again is seen at
 * once, not on the next tick. */
typedef struct parent_watch {
  int wd;
  unsigned users;
} parent_watch;

/* What a root's directories are watched for besides what appears in them:
 * their own removal or replacement. */
#define LEVEL_GONE_MASK (IN_DELETE_SELF | IN_MOVE_SELF)

/* watcher.c */
/** Adds an inotify watch; -1 when none can be had (said once). */
int tdw_add_watch(td_watcher *w, const char *path, uint32_t mask,
                  target_kind kind, root *r, task *t);

/* watcher_tasks.c */
void tdw_task_free(gpointer p);
/** A follower ended (the followers' on_end). */
void tdw_on_end(td_follower *f, td_follow_end why, void *user);
void tdw_start_follower(td_watcher *w, task *t);
void tdw_add_task(td_watcher *w, root *r, const char *id, bool later);
/** The task's directory is gone: stop following it; its cursor goes too. */
void tdw_remove_task(td_watcher *w, task *t);
/** Every task of a root is dropped: the directory holding them went. */
void tdw_remove_root_tasks(td_watcher *w, root *r);
void tdw_scan_checkpoints(td_watcher *w, root *r, bool later);
void tdw_mark_finished(td_watcher *w, root *r, const char *id);
void tdw_scan_finished(td_watcher *w, root *r);

/* watcher_roots.c */
void tdw_root_free(gpointer p);
/** Brings what is watched of a root in line with what is on disk. */
void tdw_root_sync(td_watcher *w, root *r, bool later);
/** The kernel says the directory of a root watched as `kind` is gone. */
void tdw_level_gone(td_watcher *w, root *r, target_kind kind);
/** A root to follow (by its real path, once), or one found again. */
void tdw_add_root(td_watcher *w, const char *path, bool later);

#endif
