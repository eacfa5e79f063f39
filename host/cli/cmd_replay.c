/*
 * `replay [--truncate] [--recovery] [--tolerate-torn-tail] FILE...`: every
 * record of each stream to the enabled plugins, files one after another,
 * each with its own state; an error in one stops that one only.
 */
#include <getopt.h>
#include <stdbool.h>
#include <time.h>

#include "cli.h"
#include "config/config.h"
#include "core/diag.h"
#include "core/dispatcher.h"
#include "follow/event_loop.h"
#include "isolate/isolation.h"
#include "plugin/plugin_set.h"
#include "follow/signals.h"
#include "follow/stream_session.h"

static const char REPLAY_USAGE[] =
    "Usage: thermos-dispatch [OPTION]... replay [--truncate] [--recovery]\n"
    "                        [--tolerate-torn-tail] FILE...\n"
    "Dispatch every record of each checkpoint stream FILE ('-' for standard\n"
    "input) to the enabled plugins.\n"
    "\n"
    "  --truncate            keep only the latest task status and run of\n"
    "                        each process\n"
    "  --recovery            skip records out of sequence, as the runner\n"
    "                        does when it re-reads its own checkpoint\n"
    "  --tolerate-torn-tail  a torn last record is a warning, not an error\n"
    "  -h, --help            show this help and exit\n";

static int max_code(int a, int b) { return a > b ? a : b; }

/* Replays one file; returns its exit code. */
static int replay_file(const char *path, const td_config *cfg, td_dispatcher *d,
                       bool truncate, bool recovery, bool tolerate_torn) {
  td_stream *stream = td_stream_open(path, cfg->max_record_size);
  if (!stream)
    return TD_EXIT_NOINPUT;
  td_session *s = td_session_new(stream, d, truncate, recovery);
  td_session_set_max_processes(s, cfg->max_processes);
  int rc = TD_EXIT_OK;
  if (!td_session_open(s)) {
    rc = TD_EXIT_SOFTWARE;
  } else {
    switch (td_session_pump(s, td_replay_between_records, d)) {
    case TD_PUMP_END:
      break;
    case TD_PUMP_TORN:
      if (!td_session_fail(s, td_session_torn_record(s),
                           td_session_torn_reason(s), tolerate_torn))
        rc = TD_EXIT_SOFTWARE;
      else if (!tolerate_torn)
        rc = TD_EXIT_DATAERR;
      break;
    case TD_PUMP_STREAM_ERROR:
      rc = TD_EXIT_DATAERR;
      break;
    case TD_PUMP_READ_ERROR:
      rc = TD_EXIT_NOINPUT;
      break;
    case TD_PUMP_ABORTED:
      rc = TD_EXIT_SOFTWARE;
      break;
    case TD_PUMP_STOPPED:
      rc = td_exit_for_signal(td_signals_stop_requested());
      break;
    }
  }
  if (!td_session_close(s))
    rc = max_code(rc, TD_EXIT_SOFTWARE);
  td_session_free(s);
  return rc;
}

typedef struct replay_options {
  bool truncate, recovery, tolerate;
} replay_options;

enum { OPT_TRUNCATE = 256, OPT_RECOVERY, OPT_TOLERATE };

static bool replay_option(int opt, void *user) {
  replay_options *o = user;
  switch (opt) {
  case OPT_TRUNCATE:
    o->truncate = true;
    return true;
  case OPT_RECOVERY:
    o->recovery = true;
    return true;
  case OPT_TOLERATE:
    o->tolerate = true;
    return true;
  default:
    return false;
  }
}

int td_cmd_replay(int argc, char **argv) {
  static const struct option options[] = {
      {"truncate", no_argument, NULL, OPT_TRUNCATE},
      {"recovery", no_argument, NULL, OPT_RECOVERY},
      {"tolerate-torn-tail", no_argument, NULL, OPT_TOLERATE},
      {NULL, 0, NULL, 0}};
  static const td_command_spec spec = {
      "replay", REPLAY_USAGE, options, NULL, replay_option, 1, -1};
  replay_options o = {false, false, false};
  int rc = td_parse_command(argc, argv, &spec, &o);
  if (rc != TD_PARSE_CONTINUE)
    return rc;
  bool truncate = o.truncate, recovery = o.recovery, tolerate = o.tolerate;
  td_config *cfg = td_config_load(td_global_args(), false, &rc);
  if (!cfg)
    return rc;
  td_signals_install();
  td_isolation_set_recovery(recovery);
  td_plugin_set *set = td_plugin_set_start(cfg, THERMOS_MODE_REPLAY,
                                           truncate || cfg->truncate, false);
  if (!set) {
    td_config_free(cfg);
    return TD_EXIT_CONFIG;
  }
  td_dispatcher *d = td_plugin_set_dispatcher(set);
  rc = TD_EXIT_OK;
  for (int i = optind; i < argc; i++) {
    if (td_signals_stop_requested() || td_dispatcher_aborted(d))
      break;
    rc = max_code(rc, replay_file(argv[i], cfg, d, truncate || cfg->truncate,
                                  recovery, tolerate));
  }
  if (!td_dispatcher_aborted(d))
    td_dispatch_tick(d, td_realtime_now());
  /* Isolated instances get all that was read before the counts. */
  td_plugin_set_drain(set);
  if (td_dispatcher_aborted(d) || td_dispatcher_report_failures(d))
    rc = max_code(rc, TD_EXIT_SOFTWARE);
  int sig = td_signals_stop_requested();
  if (sig)
    rc = max_code(rc, td_exit_for_signal(sig));
  td_plugin_set_stop(set);
  td_config_free(cfg);
  return rc;
}
