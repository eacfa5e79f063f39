/* SIGHUP in `tail` and `watch`: the configuration read again, with the
 * same command-line input, and applied while the streams are followed. */
#ifndef TD_RELOAD_H
#define TD_RELOAD_H

#include "follow/follower.h"
#include "follow/watcher.h"
#include "follow_setup.h"

/** What a reload changes besides the plugins. */
typedef struct td_reload {
  td_follow_setup *h;
  td_follow_ctx *ctx;   /**< the followers' (tail) or the watcher's */
  td_watcher *watcher;  /**< watch, else NULL */
  double linger_option; /**< tail --linger, which a reload keeps; < 0: none */
} td_reload;

/**
 * For td_follow_loop_on_reload, with a td_reload as `user`.  The whole
 * configuration is read and checked first (every enabled instance started
 * in mode check): if anything is wrong, each problem is reported and one
 * line says that the previous configuration still runs, unchanged.
 * Otherwise the [host] keys that cannot change are kept (one line each),
 * the plugins are reloaded (td_plugin_set_reload), the instances added
 * read every followed stream's records so far as history (td_catch_up),
 * and the other keys take effect.
 */
void td_reload_run(void *user);

#endif
