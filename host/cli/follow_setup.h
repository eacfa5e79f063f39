/* The start and the end that `tail` and `watch` share around their
 * followers: the configuration, the state directory, the plugins and the
 * dispatcher. */
#ifndef TD_FOLLOW_SETUP_H
#define TD_FOLLOW_SETUP_H

#include <stdbool.h>

#include "core/dispatcher.h"
#include "follow/cursor.h"

/** What `tail` and `watch` set up around their followers. */
typedef struct td_follow_setup {
  struct td_config *cfg;
  td_cursors *cursors; /**< NULL without state_dir */
  struct td_plugin_set *set;
  td_dispatcher *d;
  /** tail: exit 70 when any callback failed (watch, a service, reports
   * them only). */
  bool callback_failures_fail;
} td_follow_setup;

/**
 * Loads the configuration, opens the state directory and starts the
 * plugins in `mode`.  Returns 0, or the exit code after reporting.
 */
int td_follow_setup_start(td_follow_setup *h, int mode);
/** The last tick (unless a plugin aborted), fini, and frees; returns `rc`,
 * or 70 after an abort. */
int td_follow_setup_finish(td_follow_setup *h, int rc);

#endif
