/*
 * `status [--only active|finished] [-v N] [--json] ROOT... [-- REGEX...]`:
 * Aurora's `thermos status` for the tasks under checkpoint roots.
 *
 * Each stream is read at most once, and only as far as the output needs:
 * a task the REGEXes or --only leave out is decided on its directory name
 * alone (its stream is never opened); -v 0 needs only the owner of the
 * stream file (one fstat); -v 1 and more need the latest task status,
 * which may come with the last record, so the stream is read to its end,
 * or to the first damage, and no further.  One state is kept at a time
 * (each process's latest run only), printed and freed.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "config/config.h"
#include "core/diag.h"
#include "core/error.h"
#include "core/framing.h"
#include "core/runner_state.h"
#include "core/stream_reader.h"
#include "status_print.h"
#include "status_tasks.h"

static const char STATUS_USAGE[] =
    "Usage: thermos-dispatch status [--only active|finished] [-v N] [--json]\n"
    "                               ROOT... [-- REGEX...]\n"
    "List the tasks under the Thermos checkpoint ROOTs (glob patterns are\n"
    "expanded), as 'thermos status' does: those whose id a REGEX matches\n"
    "(anywhere in the id), or all without one.  Everything after '--' is a\n"
    "REGEX.  Exit status 1 and \"No tasks found.\" when none is listed.\n"
    "\n"
    "  --only active|finished\n"
    "               list only active or only finished tasks\n"
    "  -v, --verbosity N\n"
    "               0: id and owner (default); 1: and state and start time;\n"
    "               2: and user, ports and sandbox; 3: and each process's\n"
    "               latest run\n"
    "  --json       one JSON object per task, with the same fields\n"
    "  -h, --help   show this help and exit\n";

typedef struct status_options {
  td_status_only only;
  int64_t verbosity;
  bool json;
  const char *bad_only, *bad_verbosity;
} status_options;

enum { OPT_ONLY = 256, OPT_JSON };

static bool status_option(int opt, void *user) {
  status_options *o = user;
  switch (opt) {
  case OPT_ONLY:
    if (strcmp(optarg, "active") == 0)
      o->only = TD_STATUS_ACTIVE;
    else if (strcmp(optarg, "finished") == 0)
      o->only = TD_STATUS_FINISHED;
    else
      o->bad_only = optarg;
    return true;
  case 'v':
    if (!td_parse_int(optarg, &o->verbosity) || o->verbosity < 0 ||
        o->verbosity > 3)
      o->bad_verbosity = optarg;
    return true;
  case OPT_JSON:
    o->json = true;
    return true;
  default:
    return false;
  }
}

/* A warning about the task being read: what is printed so far goes out
 * first, so that on a terminal each warning comes just before its task
 * (stdout is flushed only then, not once per task). */
static void G_GNUC_PRINTF(1, 2) warn(const char *fmt, ...) {
  fflush(stdout);
  va_list ap;
  va_start(ap, fmt);
  char *msg = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  td_warning("%s", msg);
  g_free(msg);
}

/* Where a stream is damaged, named by `shown` (the path escaped: the id is
 * the task's). */
static void warn_at(const char *shown, const td_record *rec,
                    const char *reason) {
  warn("%s: record %" G_GUINT64_FORMAT " at byte %" G_GUINT64_FORMAT ": %s",
       shown, rec->index, rec->offset, reason);
}

/* Reads the stream to its end or its first damage (a warning each). */
static void read_state(td_stream *s, const char *shown,
                       thermos_runner_state *st, bool *damaged) {
  td_record rec;
  td_ckpt ck;
  td_transition tr;
  td_err err;
  for (;;) {
    switch (td_stream_next(s, &rec, &ck)) {
    case TD_STREAM_RECORD:
      if (td_runner_state_apply(st, &ck, &tr, &err) < 0) {
        warn_at(shown, &rec, err.msg);
        *damaged = true;
        return;
      }
      break;
    case TD_STREAM_END:
      return;
    case TD_STREAM_INTERRUPTED:
      break;
    case TD_STREAM_IO:
      warn("%s: %s", shown, td_stream_reason(s));
      *damaged = true;
      return;
    case TD_STREAM_TORN:
    case TD_STREAM_ERROR:
    default:
      warn_at(shown, &rec, td_stream_reason(s));
      *damaged = true;
      return;
    }
  }
}

static void view_task(const td_status_task *t, int verbosity,
                      td_status_view *v) {
  memset(v, 0, sizeof *v);
  char *path = g_build_filename(t->root, "checkpoints", t->id, "runner", NULL);
  GString *shown = g_string_new(NULL);
  td_escape_bytes(shown, path, strlen(path));
  /* The task's own directory must not be a link out of the root either;
   * the stream is opened without following a link, and only if regular. */
  char *dir = g_path_get_dirname(path);
  struct stat sb;
  const char *why = NULL;
  td_stream *s = NULL;
  if (lstat(dir, &sb) != 0)
    why = g_strerror(errno);
  else if (S_ISLNK(sb.st_mode))
    why = "a symbolic link";
  else if (!S_ISDIR(sb.st_mode))
    why = g_strerror(ENOTDIR);
  if (why) {
    warn("%.*s: %s", (int)(shown->len - strlen("/runner")), shown->str, why);
  } else {
    int err = 0;
    s = td_stream_open_followed(path, TD_MAX_RECORD_SIZE_LIMIT, &err);
    if (!s)
      warn("%s: %s", shown->str, td_stream_open_reason(path, err));
  }
  if (s && fstat(td_stream_fd(s), &sb) == 0) {
    v->opened = true;
    v->uid = sb.st_uid;
    if (verbosity >= 1) {
      v->st = td_runner_state_new(true, false);
      td_runner_state_set_max_processes(v->st, TD_MAX_PROCESSES_DEFAULT);
      read_state(s, shown->str, v->st, &v->damaged);
    }
  }
  if (s)
    td_stream_close(s);
  g_free(dir);
  g_string_free(shown, TRUE);
  g_free(path);
}

static void view_clear(td_status_view *v) {
  if (v->st)
    td_runner_state_free(v->st);
}

/* Prints the tasks of one kind; returns how many. */
static size_t print_tasks(const td_status_list *l, bool finished,
                          const status_options *o, GHashTable *owners) {
  GString *out = g_string_sized_new(1 << 16);
  size_t shown = 0;
  for (guint i = 0; i < l->tasks->len; i++) {
    const td_status_task *t = g_ptr_array_index(l->tasks, i);
    if (t->finished != finished)
      continue;
    if (shown++ == 0 && !o->json) {
      const char *title = finished ? "Finished tasks:\n" : "Active tasks:\n";
      td_write_stdout(title, strlen(title));
    }
    td_status_view v;
    view_task(t, (int)o->verbosity, &v);
    if (o->json)
      td_status_json(out, t, &v, (int)o->verbosity, owners);
    else
      td_status_text(out, t, &v, (int)o->verbosity, owners);
    view_clear(&v);
    td_write_stdout(out->str, out->len);
    g_string_truncate(out, 0);
  }
  if (shown && !o->json)
    td_write_stdout("\n", 1);
  g_string_free(out, TRUE);
  return shown;
}

/* The REGEXes after "--"; NULL (reported) if one does not compile. */
static GPtrArray *compile_regexes(char **args, int n) {
  GPtrArray *res =
      g_ptr_array_new_with_free_func((GDestroyNotify)g_regex_unref);
  for (int i = 0; i < n; i++) {
    /* RAW: ids are bytes, not necessarily UTF-8. */
    GRegex *re = g_regex_new(args[i], G_REGEX_RAW, 0, NULL);
    if (!re) {
      td_usage_error("status", "invalid REGEX '%s'", args[i]);
      g_ptr_array_free(res, TRUE);
      return NULL;
    }
    g_ptr_array_add(res, re);
  }
  return res;
}

int td_cmd_status(int argc, char **argv) {
  static const struct option options[] = {
      {"only", required_argument, NULL, OPT_ONLY},
      {"verbosity", required_argument, NULL, 'v'},
      {"json", no_argument, NULL, OPT_JSON},
      {NULL, 0, NULL, 0}};
  static const td_command_spec spec = {
      "status", STATUS_USAGE, options, "v:", status_option, 0, -1};
  /* Everything after the first "--" is a REGEX: split before getopt,
   * which would move the "--" and lose where the ROOTs end. */
  int n_args = argc, first_regex = argc;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--") == 0) {
      n_args = i;
      first_regex = i + 1;
      break;
    }
  }
  status_options o = {TD_STATUS_BOTH, 0, false, NULL, NULL};
  int rc = td_parse_command(n_args, argv, &spec, &o);
  if (rc != TD_PARSE_CONTINUE)
    return rc;
  if (o.bad_only)
    return td_usage_error("status",
                          "--only: expected 'active' or 'finished', not '%s'",
                          o.bad_only);
  if (o.bad_verbosity)
    return td_usage_error("status",
                          "--verbosity: expected an integer from 0 to 3, not "
                          "'%s'",
                          o.bad_verbosity);
  if (optind >= n_args)
    return td_usage_error("status", "missing ROOT");
  GPtrArray *regexes = compile_regexes(argv + first_regex, argc - first_regex);
  if (!regexes)
    return TD_EXIT_USAGE;

  td_status_list l;
  td_status_list_collect(&l, argv + optind, n_args - optind, regexes, o.only);
  GHashTable *owners =
      g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
  size_t shown = 0;
  if (o.only != TD_STATUS_FINISHED)
    shown += print_tasks(&l, false, &o, owners);
  if (o.only != TD_STATUS_ACTIVE)
    shown += print_tasks(&l, true, &o, owners);
  g_hash_table_destroy(owners);
  td_status_list_clear(&l);
  g_ptr_array_free(regexes, TRUE);
  if (shown == 0) {
    if (!o.json)
      td_write_stdout("No tasks found.\n", 16);
    return 1;
  }
  return TD_EXIT_OK;
}
