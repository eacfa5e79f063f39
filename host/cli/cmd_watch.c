/*
 * `watch ROOT...`: follow every task under each Thermos checkpoint root
 * until a signal.
 */
#include <getopt.h>
#include <sys/resource.h>

#include "cli.h"
#include "config/config.h"
#include "core/diag.h"
#include "follow/event_loop.h"
#include "follow_setup.h"
#include "reload.h"
#include "plugin/plugin_set.h"
#include "follow/watcher.h"

static const char WATCH_USAGE[] =
    "Usage: thermos-dispatch [OPTION]... watch ROOT...\n"
    "Follow every task under each Thermos checkpoint ROOT (each\n"
    "ROOT/checkpoints/<task_id>/runner), those there now and those created\n"
    "later, until SIGINT or SIGTERM.  A ROOT with glob characters is expanded\n"
    "again every [host] rescan_interval seconds.\n"
    "\n"
    "  -h, --help   show this help and exit\n";

/* A host follows thousands of tasks, each with its stream open: the soft
 * limit on open files (often 1024) is raised to the hard one. */
static void raise_file_limit(void) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
}

typedef struct watch_run {
  td_follow_loop *loop;
  td_watcher *watcher;
} watch_run;

static void on_abort(td_follower *f, td_follow_end why, void *user) {
  (void)f;
  (void)why;
  watch_run *run = user;
  if (run->loop)
    td_follow_loop_quit(run->loop);
}

static void on_tick(void *user) {
  watch_run *run = user;
  if (run->watcher)
    td_watcher_tick(run->watcher);
}

int td_cmd_watch(int argc, char **argv) {
  static const td_command_spec spec = {"watch", WATCH_USAGE, NULL, NULL,
                                       NULL,    1,           -1};
  int rc = td_parse_command(argc, argv, &spec, NULL);
  if (rc != TD_PARSE_CONTINUE)
    return rc;
  td_follow_setup h;
  rc = td_follow_setup_start(&h, THERMOS_MODE_WATCH);
  if (rc != TD_EXIT_OK)
    return rc;
  raise_file_limit();
  watch_run run = {NULL, NULL};
  td_follow_ctx ctx = {h.cfg, h.d,      h.cursors, h.cfg->linger,
                       false, on_abort, &run};
  run.loop = td_follow_loop_new(h.d, h.cursors, on_tick, &run);
  run.watcher = td_watcher_start(&ctx, argv + optind, argc - optind,
                                 h.cfg->rescan_interval);
  td_reload reload = {&h, &ctx, run.watcher, -1};
  td_follow_loop_on_reload(run.loop, td_reload_run, &reload);
  rc = TD_EXIT_NOINPUT;
  if (run.watcher) {
    rc = TD_EXIT_OK;
    if (!td_watcher_aborted(run.watcher))
      td_follow_loop_run(run.loop);
    td_watcher_stop(run.watcher);
    td_watcher_free(run.watcher);
  }
  td_follow_loop_free(run.loop);
  return td_follow_setup_finish(&h, rc);
}
