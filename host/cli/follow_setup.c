#include "follow_setup.h"

#include <string.h>

#include "cli.h"
#include "config/config.h"
#include "core/diag.h"
#include "follow/event_loop.h"
#include "follow/signals.h"
#include "plugin/plugin_set.h"

int td_follow_setup_start(td_follow_setup *h, int mode) {
  int rc;
  memset(h, 0, sizeof *h);
  /* From the start, so that a SIGTERM while the plugins initialise is held
   * until the loop runs, and the plugins' fini is still called. */
  td_signals_install();
  h->cfg = td_config_load(td_global_args(), false, &rc);
  if (!h->cfg)
    return rc;
  if (h->cfg->state_dir) {
    char *error = NULL;
    h->cursors = td_cursors_open(h->cfg->state_dir, &error);
    if (!h->cursors) {
      td_error("state_dir %s", error);
      g_free(error);
      td_config_free(h->cfg);
      return TD_EXIT_CONFIG;
    }
  }
  h->set = td_plugin_set_start(h->cfg, mode, h->cfg->truncate, false);
  if (!h->set) {
    td_cursors_close(h->cursors);
    td_config_free(h->cfg);
    return TD_EXIT_CONFIG;
  }
  h->d = td_plugin_set_dispatcher(h->set);
  return TD_EXIT_OK;
}

int td_follow_setup_finish(td_follow_setup *h, int rc) {
  if (!td_dispatcher_aborted(h->d))
    td_dispatch_tick(h->d, td_realtime_now());
  /* Isolated instances get all that was read before the counts. */
  td_plugin_set_drain(h->set);
  /* After an abort, its error line says it all. */
  if (td_dispatcher_aborted(h->d))
    rc = TD_EXIT_SOFTWARE;
  else if (td_dispatcher_report_failures(h->d) && h->callback_failures_fail &&
           rc < TD_EXIT_SOFTWARE)
    rc = TD_EXIT_SOFTWARE;
  td_plugin_set_stop(h->set);
  td_cursors_close(h->cursors);
  td_config_free(h->cfg);
  return rc;
}
