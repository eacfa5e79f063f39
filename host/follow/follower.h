/* A followed stream: read what it holds (history, or live after a
 * cursor), then what is appended, as the file grows; know when its task is
 * over; keep its cursor.  Owned by `tail` (one) or `watch` (many), which
 * tell it when the file changed. */
#ifndef TD_FOLLOWER_H
#define TD_FOLLOWER_H

#include <stdbool.h>

#include "config/config.h"
#include "cursor.h"
#include "core/dispatcher.h"

typedef struct td_follower td_follower;

/** Why a follower ended. */
typedef enum td_follow_end {
  TD_FOLLOW_OVER,         /**< the task is over (or finished, in watch) */
  TD_FOLLOW_STREAM_ERROR, /**< a bad record (reported) */
  TD_FOLLOW_ABORTED,      /**< a plugin with on_error = abort failed */
  TD_FOLLOW_SHRUNK,       /**< the file shrank (reported) */
  TD_FOLLOW_REPLACED,     /**< the path names another file (reported) */
  TD_FOLLOW_REMOVED       /**< the file or its task directory is gone */
} td_follow_end;

/** What every follower of one command shares. */
typedef struct td_follow_ctx {
  const td_config *cfg;
  td_dispatcher *d;
  td_cursors *cursors; /**< NULL without state_dir */
  double linger;       /**< seconds */
  bool forever;        /**< tail --forever: never over by itself */
  /** Called once when a follower ends (after on_stream_close): the owner
   * frees it with td_follower_free, from this callback or later. */
  void (*on_end)(td_follower *f, td_follow_end why, void *user);
  void *user;
} td_follow_ctx;

/**
 * Starts following `path`: opens it (td_stream_open_followed: NULL, with
 * `*open_err` set and nothing printed, if it cannot be), decides what is
 * history (the cursor rules; a stream created after the host started is live
 * from its first record), calls on_stream_open and dispatches what the file
 * holds.  It may end at once (on_end is then called before this returns the
 * follower).
 */
td_follower *td_follower_start(td_follow_ctx *ctx, const char *path,
                               bool created_later, int *open_err);
void td_follower_free(td_follower *f);

/** The file may have grown: dispatch what was appended. */
void td_follower_poll(td_follower *f);
/** The path may have been removed or replaced: check it. */
void td_follower_check_path(td_follower *f);
/** watch: tasks/finished/<id> exists; over once the stream is drained. */
void td_follower_set_finished(td_follower *f);
/** The task directory is gone: ends (REMOVED), its cursor deleted. */
void td_follower_removed(td_follower *f);
/** Shutdown: saves the cursor, calls on_stream_close, does not call
 * on_end. */
void td_follower_stop(td_follower *f);

const char *td_follower_path(const td_follower *f);
bool td_follower_ended(const td_follower *f);
/** Whether the latest task status is terminal. */
bool td_follower_task_terminal(const td_follower *f);

#endif
