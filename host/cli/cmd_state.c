/*
 * `state [--json] [--truncate] [--strict] FILE`: the state a stream
 * reconstructs.  A torn last record is what a running task's stream often
 * ends with, so it is a warning unless --strict.
 */
#include <getopt.h>
#include <stdbool.h>

#include "cli.h"
#include "config/config.h"
#include "core/diag.h"
#include "core/error.h"
#include "core/framing.h"
#include "core/runner_state.h"
#include "follow/signals.h"
#include "format/json_write_state.h"
#include "format/state_summary.h"
#include "core/stream_reader.h"

static const char STATE_USAGE[] =
    "Usage: thermos-dispatch state [--json] [--truncate] [--strict]\n"
    "                              [--max-processes N] FILE\n"
    "Print the state reconstructed from the checkpoint stream FILE ('-' for\n"
    "standard input).\n"
    "\n"
    "  --json       the state as JSON instead of a summary\n"
    "  --truncate   keep only the latest task status and run of each process\n"
    "  --strict     a torn last record is an error, not a warning\n"
    "  --max-processes N\n"
    "               a stream naming more than N processes is an error\n"
    "               (default 10000, at most 16777216)\n"
    "  -h, --help   show this help and exit\n";

/* Replays the stream into `st`; returns the exit code. */
static int reconstruct(td_stream *s, thermos_runner_state *st, bool strict) {
  td_record rec;
  td_ckpt ck;
  td_transition tr;
  td_err err;
  for (;;) {
    int sig = td_signals_stop_requested();
    if (sig)
      return td_exit_for_signal(sig);
    switch (td_stream_next(s, &rec, &ck)) {
    case TD_STREAM_RECORD:
      if (td_runner_state_apply(st, &ck, &tr, &err) < 0) {
        td_stream_report(s, &rec, err.msg, false);
        return TD_EXIT_DATAERR;
      }
      break;
    case TD_STREAM_END:
      return TD_EXIT_OK;
    case TD_STREAM_TORN:
      td_stream_report(s, &rec, td_stream_reason(s), !strict);
      return strict ? TD_EXIT_DATAERR : TD_EXIT_OK;
    case TD_STREAM_INTERRUPTED:
      break; /* the loop's head looks at the signal */
    case TD_STREAM_IO:
      td_error("%s: %s", td_stream_path(s), td_stream_reason(s));
      return TD_EXIT_NOINPUT;
    case TD_STREAM_ERROR:
    default:
      td_stream_report(s, &rec, td_stream_reason(s), false);
      return TD_EXIT_DATAERR;
    }
  }
}

typedef struct state_options {
  bool json, truncate, strict;
  int64_t max_processes;
  const char *bad_max; /* the value of a refused --max-processes */
} state_options;

enum { OPT_JSON = 256, OPT_TRUNCATE, OPT_STRICT, OPT_MAX_PROCESSES };

static bool state_option(int opt, void *user) {
  state_options *o = user;
  switch (opt) {
  case OPT_JSON:
    o->json = true;
    return true;
  case OPT_TRUNCATE:
    o->truncate = true;
    return true;
  case OPT_STRICT:
    o->strict = true;
    return true;
  case OPT_MAX_PROCESSES:
    if (!td_parse_int(optarg, &o->max_processes) || o->max_processes < 1 ||
        o->max_processes > TD_MAX_PROCESSES_LIMIT)
      o->bad_max = optarg;
    return true;
  default:
    return false;
  }
}

int td_cmd_state(int argc, char **argv) {
  static const struct option options[] = {
      {"json", no_argument, NULL, OPT_JSON},
      {"truncate", no_argument, NULL, OPT_TRUNCATE},
      {"strict", no_argument, NULL, OPT_STRICT},
      {"max-processes", required_argument, NULL, OPT_MAX_PROCESSES},
      {NULL, 0, NULL, 0}};
  static const td_command_spec spec = {"state",      STATE_USAGE, options, NULL,
                                       state_option, 1,           1};
  state_options o = {false, false, false, TD_MAX_PROCESSES_DEFAULT, NULL};
  int rc = td_parse_command(argc, argv, &spec, &o);
  if (rc != TD_PARSE_CONTINUE)
    return rc;
  if (o.bad_max)
    return td_usage_error("state",
                          "--max-processes: expected an integer from 1 to "
                          "%d, not '%s'",
                          TD_MAX_PROCESSES_LIMIT, o.bad_max);
  bool json = o.json, truncate = o.truncate, strict = o.strict;

  td_stream *s = td_stream_open(argv[optind], TD_MAX_RECORD_SIZE_LIMIT);
  if (!s)
    return TD_EXIT_NOINPUT;
  td_signals_install();
  thermos_runner_state *st = td_runner_state_new(truncate, false);
  td_runner_state_set_max_processes(st, (size_t)o.max_processes);
  rc = reconstruct(s, st, strict);
  if (rc == TD_EXIT_OK) {
    GString *out = g_string_sized_new(4096);
    if (json)
      td_json_write_state(out, st);
    else
      td_state_summary(out, st);
    td_write_stdout(out->str, out->len);
    g_string_free(out, TRUE);
  }
  td_runner_state_free(st);
  td_stream_close(s);
  return rc;
}
