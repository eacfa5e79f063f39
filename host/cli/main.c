/*
 * thermos-dispatch: global options, then one command.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build_config.h"
#include "cli.h"
#include "config/config.h"
#include "core/diag.h"
#include "follow/signals.h"
#include "isolate/isolation.h"
#include "isolate/protocol.h"
#include "isolate/worker.h"
#include "plugin/crash_guard.h"
#include "plugin/plugin_set.h"

static const char USAGE[] =
    "Usage: thermos-dispatch [OPTION]... COMMAND [ARG]...\n"
    "Rebuild and dispatch the state of Thermos checkpoint streams.\n"
    "\n"
    "Commands:\n"
    "  replay [--truncate] [--recovery] [--tolerate-torn-tail] FILE...\n"
    "                      dispatch every record of each FILE to the plugins\n"
    "  tail [--forever] [--linger S] FILE\n"
    "                      dispatch FILE, then what is appended to it\n"
    "  watch ROOT...       follow every task under Thermos checkpoint roots\n"
    "  status [--only active|finished] [-v N] [--json] ROOT... [-- REGEX...]\n"
    "                      list the tasks under checkpoint roots\n"
    "  plugins [-v]        list the modules and the configured instances\n"
    "  check               load the configuration and every enabled plugin\n"
    "  state [--json] [--truncate] [--strict] FILE\n"
    "                      print the state reconstructed from FILE\n"
    "  dump [--strict] FILE\n"
    "                      print each record of FILE as a JSON line\n"
    "  encode              JSON lines on stdin to a checkpoint stream on "
    "stdout\n"
    "\n"
    "Options:\n"
    "  -c FILE             read the configuration from FILE\n"
    "  -o SECTION.KEY=VALUE\n"
    "                      set a configuration key ([host] or an instance)\n"
    "  -p PATH             add an instance of the plugin file PATH\n"
    "  --trace             print each plugin callback, its result and its\n"
    "                      duration (replay, tail, watch)\n"
    "  -h, --help          show this help and exit\n"
    "  -V, --version       show the version and exit\n"
    "\n"
    "FILE may be '-' for standard input.  'thermos-dispatch COMMAND --help'\n"
    "describes a command.  Exit status: 0 success, 64 usage error, 65 stream\n"
    "error, 66 input missing or unreadable, 70 internal error or a plugin\n"
    "abort, 78 configuration or plugin loading error; 128+N when a plugin\n"
    "(or the host) crashed with signal N.\n";

static td_config_args global_args;

const td_config_args *td_global_args(void) { return &global_args; }

int td_usage_error(const char *cmd, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *msg = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  if (cmd)
    td_error("%s: %s (see '" TD_PROGRAM " %s --help')", cmd, msg, cmd);
  else
    td_error("%s (see '" TD_PROGRAM " --help')", msg);
  g_free(msg);
  return TD_EXIT_USAGE;
}

int td_bad_option(const char *cmd, char **argv) {
  /* getopt_long leaves the offending word just before optind; a missing
   * option argument is reported against the option itself. */
  const char *word = argv[optind - 1];
  if (optopt && word[0] == '-' && word[1] != '-' &&
      strchr(word, optopt) == NULL)
    return td_usage_error(cmd, "unknown option '-%c'", optopt);
  return td_usage_error(cmd, "unknown option '%s'", word);
}

int td_exit_for_signal(int sig) {
  return sig == SIGINT ? TD_EXIT_SIGINT : TD_EXIT_SIGTERM;
}

int td_print_version(void) {
  printf("%s %s\n", TD_PROGRAM, PACKAGE_VERSION);
  return TD_EXIT_OK;
}

static bool stdout_failed;

bool td_write_stdout(const char *data, size_t len) {
  if (stdout_failed)
    return false;
  if (len && fwrite(data, 1, len, stdout) != len) {
    stdout_failed = true;
    td_error("stdout: %s", g_strerror(errno));
    return false;
  }
  return true;
}

bool td_flush_stdout(void) {
  if (stdout_failed)
    return false;
  if (fflush(stdout) != 0 || ferror(stdout)) {
    stdout_failed = true;
    td_error("stdout: %s", g_strerror(errno ? errno : EIO));
    return false;
  }
  return true;
}

typedef struct command {
  const char *name;
  int (*run)(int argc, char **argv);
  bool stops_between_records; /* reads the signal flags */
  bool dispatches;            /* calls plugin callbacks on records */
} command;

static const command COMMANDS[] = {
    {"state", td_cmd_state, true, false},
    {"dump", td_cmd_dump, true, false},
    {"encode", td_cmd_encode, false, false},
    {"replay", td_cmd_replay, true, true},
    {"plugins", td_cmd_plugins, false, false},
    {"check", td_cmd_check, false, false},
    {"tail", td_cmd_tail, true, true},
    {"watch", td_cmd_watch, true, true},
    {"status", td_cmd_status, false, false},
};

int main(int argc, char **argv) {
  enum { OPT_TRACE = 256 };
  static const struct option options[] = {
      {"help", no_argument, NULL, 'h'},
      {"version", no_argument, NULL, 'V'},
      {"trace", no_argument, NULL, OPT_TRACE},
      {NULL, 0, NULL, 0}};
  /* A worker of an isolated instance (isolate/worker.h): started by a
   * host, never by hand, never shown in the help, and given nothing of
   * the host's set-up (its descriptors are its channel and page only). */
  if (argc == 2 && strcmp(argv[1], TD_WORKER_COMMAND) == 0)
    return td_worker_main();
  /* Before anything else: a SIGHUP (reopen your logs) or SIGTERM sent
   * while the configuration is still being read must not kill the host
   * with its default action.  Commands that never look at the flags get
   * the default actions back below. */
  td_signals_install();
  /* A failed write is an error where it happens, not a silent death. */
  signal(SIGPIPE, SIG_IGN);
  static char outbuf[1 << 16];
  setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);

  opterr = 0;
  int c;
  /* "+": stop at the command; its options are its own. */
  global_args.overrides = g_ptr_array_new();
  global_args.plugin_paths = g_ptr_array_new();
  while ((c = getopt_long(argc, argv, "+hVc:o:p:", options, NULL)) != -1) {
    switch (c) {
    case 'c':
      global_args.config_file = optarg;
      break;
    case 'o':
      g_ptr_array_add(global_args.overrides, optarg);
      break;
    case 'p':
      g_ptr_array_add(global_args.plugin_paths, optarg);
      break;
    case OPT_TRACE:
      td_plugin_set_trace(true);
      break;
    case 'h':
      fputs(USAGE, stdout);
      return td_flush_stdout() ? TD_EXIT_OK : TD_EXIT_SOFTWARE;
    case 'V':
      td_print_version();
      return td_flush_stdout() ? TD_EXIT_OK : TD_EXIT_SOFTWARE;
    default:
      if (optopt == 'c' || optopt == 'o' || optopt == 'p')
        return td_usage_error(NULL, "option '-%c' needs an argument", optopt);
      return td_bad_option(NULL, argv);
    }
  }
  if (optind >= argc)
    return td_usage_error(NULL, "missing command");
  const char *name = argv[optind];
  td_isolation_install();
  for (size_t i = 0; i < G_N_ELEMENTS(COMMANDS); i++) {
    if (strcmp(name, COMMANDS[i].name) == 0) {
      int sub_argc = argc - optind;
      char **sub_argv = argv + optind;
      optind = 0; /* a full re-initialisation of getopt for the command */
      if (!COMMANDS[i].stops_between_records)
        td_signals_default();
      /* Before any plugin is loaded: a crash names its culprit. */
      if (COMMANDS[i].dispatches)
        td_crash_guard_install();
      int rc = COMMANDS[i].run(sub_argc, sub_argv);
      if (!td_flush_stdout() && rc < TD_EXIT_SOFTWARE)
        rc = TD_EXIT_SOFTWARE;
      g_ptr_array_free(global_args.overrides, TRUE);
      g_ptr_array_free(global_args.plugin_paths, TRUE);
      return rc;
    }
  }
  return td_usage_error(NULL, "unknown command '%s'", name);
}
