/*
 * `dump [--strict] FILE`: each record as decoded, one JSON line, with no
 * state checks (the reference's iter_updates).  Lines are streamed: a
 * stream broken half-way still shows everything before the break.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>

#include "cli.h"
#include "core/diag.h"
#include "core/framing.h"
#include "format/json_write.h"
#include "follow/signals.h"
#include "core/stream_reader.h"

static const char DUMP_USAGE[] =
    "Usage: thermos-dispatch dump [--strict] FILE\n"
    "Print each record of the checkpoint stream FILE ('-' for standard\n"
    "input) as one JSON line, without checking the state machine.\n"
    "\n"
    "  --strict     a torn last record is an error, not a warning\n"
    "  -h, --help   show this help and exit\n";

static void record_line(GString *out, const td_record *rec, const td_ckpt *ck) {
  g_string_append_printf(out, "{\"record\":%" PRIu64 ",\"offset\":%" PRIu64,
                         rec->index, rec->offset);
  if (ck->has_header) {
    g_string_append(out, ",\"header\":");
    td_json_write_runner_header(out, &ck->header);
  }
  if (ck->has_task) {
    g_string_append(out, ",\"task_status\":");
    td_json_write_task_status(out, &ck->task);
  }
  if (ck->has_process) {
    g_string_append(out, ",\"process_status\":");
    td_json_write_process_status(out, &ck->process);
  }
  g_string_append(out, "}\n");
}

static int dump(td_stream *s, bool strict) {
  td_record rec;
  td_ckpt ck;
  GString *line = g_string_sized_new(512);
  int rc = TD_EXIT_OK;
  for (bool more = true; more;) {
    int sig = td_signals_stop_requested();
    if (sig) {
      rc = td_exit_for_signal(sig);
      break;
    }
    switch (td_stream_next(s, &rec, &ck)) {
    case TD_STREAM_RECORD:
      g_string_truncate(line, 0);
      record_line(line, &rec, &ck);
      if (!td_write_stdout(line->str, line->len)) {
        rc = TD_EXIT_SOFTWARE;
        more = false;
      }
      break;
    case TD_STREAM_END:
      more = false;
      break;
    case TD_STREAM_TORN:
      td_stream_report(s, &rec, td_stream_reason(s), !strict);
      rc = strict ? TD_EXIT_DATAERR : TD_EXIT_OK;
      more = false;
      break;
    case TD_STREAM_INTERRUPTED:
      break; /* the loop's head looks at the signal */
    case TD_STREAM_IO:
      td_error("%s: %s", td_stream_path(s), td_stream_reason(s));
      rc = TD_EXIT_NOINPUT;
      more = false;
      break;
    case TD_STREAM_ERROR:
    default:
      /* What came before the error is already out: keep the order. */
      td_flush_stdout();
      td_stream_report(s, &rec, td_stream_reason(s), false);
      rc = TD_EXIT_DATAERR;
      more = false;
      break;
    }
  }
  g_string_free(line, TRUE);
  return rc;
}

enum { OPT_STRICT = 256 };

static bool dump_option(int opt, void *user) {
  if (opt != OPT_STRICT)
    return false;
  *(bool *)user = true;
  return true;
}

int td_cmd_dump(int argc, char **argv) {
  static const struct option options[] = {
      {"strict", no_argument, NULL, OPT_STRICT}, {NULL, 0, NULL, 0}};
  static const td_command_spec spec = {"dump",      DUMP_USAGE, options, NULL,
                                       dump_option, 1,          1};
  bool strict = false;
  int rc = td_parse_command(argc, argv, &spec, &strict);
  if (rc != TD_PARSE_CONTINUE)
    return rc;
  td_stream *s = td_stream_open(argv[optind], TD_MAX_RECORD_SIZE_LIMIT);
  if (!s)
    return TD_EXIT_NOINPUT;
  td_signals_install();
  rc = dump(s, strict);
  td_stream_close(s);
  return rc;
}
