/*
 * `watch ROOT...`: follow every task under each Thermos checkpoint root
 * until a signal.
 */
#include <getopt.h>
#include <sys/resource.h>

#include "cli.h"
#include "config.h"
#include "diag.h"
#include "follow_loop.h"
#include "plugin_set.h"
#include "watcher.h"

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
  td_config *cfg = td_config_load(td_global_args(), false, &rc);
  if (!cfg)
    return rc;
  td_cursors *cursors = NULL;
  if (cfg->state_dir) {
    char *error = NULL;
    cursors = td_cursors_open(cfg->state_dir, &error);
    if (!cursors) {
      td_error("state_dir %s", error);
      g_free(error);
      td_config_free(cfg);
      return TD_EXIT_CONFIG;
    }
  }
  td_plugin_set *set = td_plugin_set_start(cfg, THERMOS_MODE_WATCH, false);
  if (!set) {
    td_cursors_close(cursors);
    td_config_free(cfg);
    return TD_EXIT_CONFIG;
  }
  raise_file_limit();
  td_dispatcher *d = td_dispatcher_new(set);
  watch_run run = {NULL, NULL};
  td_follow_ctx ctx = {cfg, d, cursors, cfg->linger, false, on_abort, &run};
  run.loop = td_follow_loop_new(d, cursors, on_tick, &run);
  run.watcher = td_watcher_start(&ctx, argv + optind, argc - optind,
                                 cfg->rescan_interval);
  bool started = run.watcher != NULL;
  rc = TD_EXIT_NOINPUT;
  if (started) {
    rc = TD_EXIT_OK;
    if (!td_watcher_aborted(run.watcher))
      td_follow_loop_run(run.loop);
    td_watcher_stop(run.watcher);
    td_watcher_free(run.watcher);
  }
  td_follow_loop_free(run.loop);
  if (td_dispatcher_aborted(d))
    rc = TD_EXIT_SOFTWARE;
  else if (started)
    td_dispatch_tick(d, td_realtime_now());
  td_dispatcher_free(d);
  td_plugin_set_stop(set);
  td_cursors_close(cursors);
  td_config_free(cfg);
  return rc;
}
