#include "reload.h"

#include <glib.h>
#include <thermos/handler.h>

#include "cli.h"
#include "config/config.h"
#include "core/diag.h"
#include "follow/catch_up.h"
#include "plugin/instance.h"
#include "plugin/plugin_set.h"

/* The configuration as the command line gives it, read and checked:
 * NULL (each problem reported, and counted in `*problems`) unless all of
 * it is sound; then `*checked` holds its instances started in mode
 * check. */
static td_config *load_checked(const td_follow_setup *h,
                               td_plugin_set **checked, int *problems) {
  int rc;
  td_config *cfg = td_config_load(td_global_args(), true, &rc);
  *problems = cfg ? cfg->errors : 1;
  *checked = NULL;
  if (!cfg)
    return NULL;
  int bad = 0;
  *checked = td_plugin_set_check(cfg, h->set->truncate, &bad);
  *problems += bad;
  if (*problems) {
    td_plugin_set_stop(*checked);
    *checked = NULL;
    td_config_free(cfg);
    return NULL;
  }
  return cfg;
}

void td_reload_run(void *user) {
  td_reload *r = user;
  td_follow_setup *h = r->h;
  td_plugin_set *checked;
  int problems;
  td_config *cfg = load_checked(h, &checked, &problems);
  if (!cfg) {
    td_error("reload: configuration not changed (%d problem%s); still "
             "running the previous one",
             problems, problems == 1 ? "" : "s");
    return;
  }
  td_config_keep_fixed(h->cfg, cfg);
  td_reload_counts c;
  td_plugin_set_reload(h->set, h->cfg, cfg, checked, &c);
  td_config_free(h->cfg);
  h->cfg = cfg;
  /* What the followers read from now on: max_processes of the streams
   * opened later, linger of the timers set later. */
  r->ctx->cfg = cfg;
  r->ctx->linger = r->linger_option >= 0 ? r->linger_option : cfg->linger;
  if (r->watcher)
    td_watcher_reconfigure(r->watcher, cfg, r->ctx->linger,
                           cfg->rescan_interval);
  td_catch_up(h->d, cfg->truncate, cfg->max_processes, cfg->max_record_size);
  if (c.added || c.changed || c.removed || c.failed) {
    char *msg =
        g_strdup_printf("%u kept, %u added, %u changed, %u removed, "
                        "%u not started",
                        c.kept, c.added, c.changed, c.removed, c.failed);
    td_log(THERMOS_LOG_INFO, "reload", msg);
    g_free(msg);
  }
}
