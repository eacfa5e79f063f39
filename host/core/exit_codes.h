/* The program's exit statuses: every layer that ends a command (the
 * configuration, the followers, the commands) returns one of these. */
#ifndef TD_EXIT_CODES_H
#define TD_EXIT_CODES_H

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

#endif
