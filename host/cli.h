/* Commands of the thermos-dispatch program and its exit codes. */
#ifndef TD_CLI_H
#define TD_CLI_H

/* sysexits(3) values, as cli-and-config.md assigns them. */
enum {
  TD_EXIT_OK = 0,
  TD_EXIT_USAGE = 64,
  TD_EXIT_DATAERR = 65,
  TD_EXIT_NOINPUT = 66,
  TD_EXIT_SOFTWARE = 70,
  TD_EXIT_CONFIG = 78,
  TD_EXIT_SIGINT = 130,
  TD_EXIT_SIGTERM = 143
};

/* Each command gets argv from its own name on and returns an exit code. */
int td_cmd_state(int argc, char **argv);
int td_cmd_dump(int argc, char **argv);
int td_cmd_encode(int argc, char **argv);

#endif
