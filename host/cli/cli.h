/* Commands of the thermos-dispatch program and its exit codes. */
#ifndef TD_CLI_H
#define TD_CLI_H

#include "core/exit_codes.h"

#include <stdbool.h>
#include <stdio.h>

#include <glib.h>

/** Prints "thermos-dispatch: CMD: MESSAGE (see 'thermos-dispatch CMD
 * --help')" and returns TD_EXIT_USAGE. */
int td_usage_error(const char *cmd, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/** The message for an option getopt_long refused (argv[optind - 1]). */
int td_bad_option(const char *cmd, char **argv);

/** The exit status of a command stopped by `sig` (SIGINT or SIGTERM):
 * 130 or 143, as a shell reports a process the signal killed. */
int td_exit_for_signal(int sig);

/** Prints the version line; returns TD_EXIT_OK. */
int td_print_version(void);

/** Writes `len` bytes to stdout; on failure prints the error once and
 * returns false. */
bool td_write_stdout(const char *data, size_t len);
/** Flushes stdout; false (after printing the error) if anything failed. */
bool td_flush_stdout(void);

struct option;

/** A command's options and arguments, for td_parse_command. */
typedef struct td_command_spec {
  const char *name;             /**< "state" */
  const char *usage;            /**< its --help text */
  const struct option *options; /**< its own long options, {NULL}-ended */
  const char *shortopts;        /**< its own short options, or NULL */
  /** Takes one of its own options (getopt's value; optarg is set); false
   * if the option is not one of them. */
  bool (*on_option)(int opt, void *user);
  int min_args; /**< FILE arguments required */
  int max_args; /**< at most, or -1 for any number */
} td_command_spec;

/** td_parse_command's "go on": the arguments start at optind. */
#define TD_PARSE_CONTINUE (-1)

/**
 * Parses a command's argv (argv[0] is the command): --help and --version
 * print and return 0; a bad option or argument count prints the usage
 * error and returns 64.  Otherwise returns TD_PARSE_CONTINUE.
 */
int td_parse_command(int argc, char **argv, const td_command_spec *spec,
                     void *user);

/* Each command gets argv from its own name on and returns an exit code. */
int td_cmd_state(int argc, char **argv);
int td_cmd_dump(int argc, char **argv);
int td_cmd_encode(int argc, char **argv);
int td_cmd_replay(int argc, char **argv);
int td_cmd_plugins(int argc, char **argv);
int td_cmd_check(int argc, char **argv);
int td_cmd_tail(int argc, char **argv);
int td_cmd_watch(int argc, char **argv);
int td_cmd_status(int argc, char **argv);

struct td_config_args;
/** -c, -o and -p as given before the command. */
const struct td_config_args *td_global_args(void);

#endif
