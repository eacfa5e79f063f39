/*
 * `check`: load the configuration and every enabled plugin in
 * THERMOS_MODE_CHECK (init, then fini), report every problem, and exit 0
 * only if all is well.
 */
#include <getopt.h>

#include "cli.h"
#include "config.h"
#include "plugin_set.h"

static const char CHECK_USAGE[] =
    "Usage: thermos-dispatch [OPTION]... check\n"
    "Load the configuration and every enabled plugin (which validate their\n"
    "options without binding ports or writing output), and report every\n"
    "problem.  Exit status 0 only if all is well, else 78.\n";

int td_cmd_check(int argc, char **argv) {
  static const struct option options[] = {{"help", no_argument, NULL, 'h'},
                                          {"version", no_argument, NULL, 'V'},
                                          {NULL, 0, NULL, 0}};
  int c;
  while ((c = getopt_long(argc, argv, "hV", options, NULL)) != -1) {
    switch (c) {
    case 'h':
      fputs(CHECK_USAGE, stdout);
      return TD_EXIT_OK;
    case 'V':
      return td_print_version();
    default:
      return td_bad_option("check", argv);
    }
  }
  if (optind < argc)
    return td_usage_error("check", "unexpected argument '%s'", argv[optind]);
  int rc;
  td_config *cfg = td_config_load(td_global_args(), true, &rc);
  if (!cfg)
    return rc;
  /* Every problem is reported: the plugins too, after configuration
   * errors. */
  td_plugin_set *set = td_plugin_set_start(cfg, THERMOS_MODE_CHECK, true);
  if (!set || cfg->errors) {
    td_plugin_set_stop(set);
    td_config_free(cfg);
    return TD_EXIT_CONFIG;
  }
  printf("%s: configuration ok, %u plugin instance%s enabled\n",
         cfg->file ? cfg->file : "built-in default", set->instances->len,
         set->instances->len == 1 ? "" : "s");
  td_plugin_set_stop(set);
  td_config_free(cfg);
  return TD_EXIT_OK;
}
