/*
 * `tail [--forever] [--linger S] FILE`: dispatch what the file holds
 * (history), then follow what the runner appends (live) until the task is
 * over, or a signal.  Appends are noticed through inotify (GLib's file
 * monitor batches changes for hundreds of milliseconds); the file's
 * directory is watched too, so a file moved onto the path is seen.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib-unix.h>

#include "cli.h"
#include "config/config.h"
#include "core/diag.h"
#include "follow/event_loop.h"
#include "follow_setup.h"
#include "reload.h"
#include "follow/follower.h"
#include "follow/inotify.h"
#include "core/stream_reader.h"
#include "plugin/plugin_set.h"

static const char TAIL_USAGE[] =
    "Usage: thermos-dispatch [OPTION]... tail [--forever] [--linger S] FILE\n"
    "Dispatch what the checkpoint stream FILE holds (history), then follow\n"
    "what is appended (live) until the task is over, or a signal.\n"
    "\n"
    "  --forever    do not stop when the task is over\n"
    "  --linger S   the task is over S seconds after its terminal status with\n"
    "               nothing appended (default: [host] linger, 5; at most\n"
    "               2592000, 30 days)\n"
    "  -h, --help   show this help and exit\n";

typedef struct tail_options {
  bool forever;
  double linger;    /* < 0: the configuration's */
  char *bad_linger; /* the usage error, or NULL */
} tail_options;

enum { OPT_FOREVER = 256, OPT_LINGER };

static bool tail_option(int opt, void *user) {
  tail_options *o = user;
  switch (opt) {
  case OPT_FOREVER:
    o->forever = true;
    return true;
  case OPT_LINGER: {
    char *expected;
    if (!td_parse_seconds(optarg, 0, TD_SECONDS_MAX, &o->linger, &expected)) {
      g_free(o->bad_linger);
      o->bad_linger =
          g_strdup_printf("--linger: expected %s, not '%s'", expected, optarg);
    }
    g_free(expected);
    return true;
  }
  default:
    return false;
  }
}

typedef struct tail {
  td_follow_loop *loop;
  td_follower *follower;
  int inotify;
  int rc;
} tail;

static void on_end(td_follower *f, td_follow_end why, void *user) {
  (void)f;
  tail *t = user;
  switch (why) {
  case TD_FOLLOW_OVER:
  case TD_FOLLOW_REMOVED:
    t->rc = TD_EXIT_OK;
    break;
  case TD_FOLLOW_ABORTED:
    t->rc = TD_EXIT_SOFTWARE;
    break;
  default:
    t->rc = TD_EXIT_DATAERR;
    break;
  }
  if (t->loop)
    td_follow_loop_quit(t->loop);
}

/* Once a second: whatever inotify could not say (a file system without
 * it) is caught here. */
static void on_tick(void *user) {
  tail *t = user;
  td_follower_poll(t->follower);
  td_follower_check_path(t->follower);
}

static int run(const char *path, td_follow_setup *h, tail_options *o) {
  tail t = {NULL, NULL, -1, TD_EXIT_OK};
  td_follow_ctx ctx = {h->cfg,     h->d,
                       h->cursors, o->linger >= 0 ? o->linger : h->cfg->linger,
                       o->forever, on_end,
                       &t};
  td_reload reload = {h, &ctx, NULL, o->linger};
  /* The loop first, for its signal handlers; then the watch, so nothing
   * appended between the first read and the watch is missed. */
  t.loop = td_follow_loop_new(h->d, h->cursors, on_tick, &t);
  td_follow_loop_on_reload(t.loop, td_reload_run, &reload);
  t.inotify = td_inotify_watch_file(path);
  int open_err = 0;
  t.follower = td_follower_start(&ctx, path, false, &open_err);
  if (!t.follower) {
    td_error("%s: %s", path, td_stream_open_reason(path, open_err));
    td_follow_loop_free(t.loop);
    if (t.inotify >= 0)
      close(t.inotify);
    return TD_EXIT_NOINPUT;
  }
  if (!td_follower_ended(t.follower)) {
    guint src = t.inotify >= 0 ? td_inotify_follow(t.inotify, t.follower) : 0;
    td_follow_loop_run(t.loop);
    if (src)
      g_source_remove(src);
    td_follower_stop(t.follower); /* after a signal: close it now */
  }
  td_follow_loop_free(t.loop);
  td_follower_free(t.follower);
  if (t.inotify >= 0)
    close(t.inotify);
  return t.rc;
}

int td_cmd_tail(int argc, char **argv) {
  static const struct option options[] = {
      {"forever", no_argument, NULL, OPT_FOREVER},
      {"linger", required_argument, NULL, OPT_LINGER},
      {NULL, 0, NULL, 0}};
  static const td_command_spec spec = {"tail",      TAIL_USAGE, options, NULL,
                                       tail_option, 1,          1};
  tail_options o = {false, -1, NULL};
  int rc = td_parse_command(argc, argv, &spec, &o);
  if (rc != TD_PARSE_CONTINUE) {
    g_free(o.bad_linger);
    return rc;
  }
  if (o.bad_linger) {
    rc = td_usage_error("tail", "%s", o.bad_linger);
    g_free(o.bad_linger);
    return rc;
  }
  const char *path = argv[optind];
  if (strcmp(path, "-") == 0)
    return td_usage_error("tail", "FILE cannot be standard input");

  td_follow_setup h;
  rc = td_follow_setup_start(&h, THERMOS_MODE_TAIL);
  if (rc != TD_EXIT_OK)
    return rc;
  h.callback_failures_fail = true;
  rc = run(path, &h, &o);
  return td_follow_setup_finish(&h, rc);
}
