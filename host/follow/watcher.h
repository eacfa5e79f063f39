/* `watch`: every task under Thermos checkpoint roots, each
 * ROOT/checkpoints/<id>/runner followed with its own state, as tasks
 * appear, finish and are removed.  Directories are watched with inotify;
 * only roots given as glob patterns are expanded again periodically. */
#ifndef TD_WATCHER_H
#define TD_WATCHER_H

#include "follower.h"

typedef struct td_watcher td_watcher;

/**
 * Starts watching `roots` (patterns with glob characters are expanded):
 * the streams there now are dispatched as the cursor rules say.  NULL
 * (reported) if a root without glob characters does not exist.
 * `ctx->on_end` and `ctx->user` are the watcher's own.
 */
td_watcher *td_watcher_start(td_follow_ctx *ctx, char **roots, int n_roots,
                             double rescan_interval);
/** A reload: the configuration the followers read from now on (for the
 * streams opened later), the linger of the timers set from now on, and
 * the period of the glob rescans. */
void td_watcher_reconfigure(td_watcher *w, const td_config *cfg, double linger,
                            double rescan_interval);
/** Stops following every task (cursors saved, on_stream_close). */
void td_watcher_stop(td_watcher *w);
void td_watcher_free(td_watcher *w);
/** Periodic work (once a second): polls what inotify cannot watch. */
void td_watcher_tick(td_watcher *w);
/** Whether a plugin asked to abort. */
bool td_watcher_aborted(const td_watcher *w);

#endif
