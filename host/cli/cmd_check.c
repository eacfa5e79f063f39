/*
 * `check`: load the configuration and every enabled plugin in
 * THERMOS_MODE_CHECK (init, then fini), report every problem, and exit 0
 * only if all is well.
 */
#include <getopt.h>

#include "cli.h"
#include "config/config.h"
#include "plugin/plugin_set.h"

static const char CHECK_USAGE[] =
    "Usage: thermos-dispatch [OPTION]... check\n"
    "Load the configuration and every enabled plugin (which validate their\n"
    "options without binding ports or writing output), and report every\n"
    "problem.  Exit status 0 only if all is well, else 78.\n";

int td_cmd_check(int argc, char **argv) {
  static const td_command_spec spec = {"check", CHECK_USAGE, NULL, NULL,
                                       NULL,    0,           0};
  int rc = td_parse_command(argc, argv, &spec, NULL);
  if (rc != TD_PARSE_CONTINUE)
    return rc;
  td_config *cfg = td_config_load(td_global_args(), true, &rc);
  if (!cfg)
    return rc;
  /* Every problem is reported: the plugins too, after configuration
   * errors. */
  td_plugin_set *set =
      td_plugin_set_start(cfg, THERMOS_MODE_CHECK, cfg->truncate, true);
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
