/*
 * The option handling every command shares: its own options, then --help,
 * --version, unknown options and the count of FILE arguments, each with the
 * same messages and exit codes.
 */
#include <getopt.h>
#include <string.h>

#include "cli.h"

int td_parse_command(int argc, char **argv, const td_command_spec *spec,
                     void *user) {
  /* Own options first, then the two every command has. */
  size_t n = 0;
  while (spec->options && spec->options[n].name)
    n++;
  struct option *all = g_new0(struct option, n + 3);
  if (n)
    memcpy(all, spec->options, n * sizeof *all);
  all[n] = (struct option){"help", no_argument, NULL, 'h'};
  all[n + 1] = (struct option){"version", no_argument, NULL, 'V'};
  char *shortopts =
      g_strconcat("hV", spec->shortopts ? spec->shortopts : "", NULL);
  int rc = TD_PARSE_CONTINUE;
  int c;
  while (rc == TD_PARSE_CONTINUE &&
         (c = getopt_long(argc, argv, shortopts, all, NULL)) != -1) {
    if (c == 'h') {
      fputs(spec->usage, stdout);
      rc = TD_EXIT_OK;
    } else if (c == 'V') {
      rc = td_print_version();
    } else if (c == '?' || !spec->on_option || !spec->on_option(c, user)) {
      rc = td_bad_option(spec->name, argv);
    }
  }
  g_free(shortopts);
  g_free(all);
  if (rc != TD_PARSE_CONTINUE)
    return rc;
  int args = argc - optind;
  if (args < spec->min_args)
    return td_usage_error(spec->name, "missing FILE");
  if (spec->max_args >= 0 && args > spec->max_args)
    return td_usage_error(spec->name, "unexpected argument '%s'",
                          argv[optind + spec->max_args]);
  return TD_PARSE_CONTINUE;
}
