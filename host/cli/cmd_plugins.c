/*
 * `plugins [-v]`: the modules in the plugin directory (name, version, ABI,
 * path) and the configured instances, enabled or not; -v adds options.
 */
#include <getopt.h>
#include <stdbool.h>
#include <string.h>

#include <glib.h>

#include "cli.h"
#include "config/config.h"
#include "core/diag.h"
#include "plugin/loader.h"
#include "plugin/plugin_set.h"

static const char PLUGINS_USAGE[] =
    "Usage: thermos-dispatch [OPTION]... plugins [-v]\n"
    "List the modules in the plugin directory and the configured instances.\n"
    "\n"
    "  -v, --verbose   also list each module's options\n"
    "  -h, --help      show this help and exit\n";

static const char *const TYPE_NAMES[] = {"?",      "string", "bool", "int",
                                         "double", "path",   "enum"};

static void print_options(const thermos_handler_v1 *h) {
  if (!h->options) {
    printf("      (accepts any key)\n");
    return;
  }
  for (const thermos_option *o = h->options; o->key; o++) {
    int t = o->type >= 1 && o->type <= 6 ? o->type : 0;
    printf("      %-14s %-6s", o->key, TYPE_NAMES[t]);
    if (o->type == THERMOS_OPT_ENUM && o->choices)
      printf(" %s", o->choices);
    if (o->default_value)
      printf(" (default %s)", *o->default_value ? o->default_value : "\"\"");
    if (o->help)
      printf(": %s", o->help);
    printf("\n");
  }
}

static void print_module(const td_module *m, bool verbose) {
  const thermos_handler_v1 *h = &m->table;
  printf("  %-12s %-10s ABI %u (%u bytes)  %s\n", m->name,
         h->version ? h->version : "-", (unsigned)h->abi_major,
         (unsigned)m->plugin_struct_size, m->path);
  if (verbose)
    print_options(h);
}

/* g_ptr_array_sort hands over pointers to the elements. */
static gint by_name(gconstpointer a, gconstpointer b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int list_modules(const char *dir, bool verbose) {
  printf("modules in %s:\n", dir);
  GDir *d = g_dir_open(dir, 0, NULL);
  if (!d) {
    printf("  (none: the directory cannot be read)\n");
    return 0;
  }
  GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
  const char *entry;
  while ((entry = g_dir_read_name(d)))
    if (g_str_has_suffix(entry, ".so"))
      g_ptr_array_add(names, g_strndup(entry, strlen(entry) - 3));
  g_dir_close(d);
  g_ptr_array_sort(names, by_name);
  int refused = 0;
  for (guint i = 0; i < names->len; i++) {
    const char *name = g_ptr_array_index(names, i);
    char *reason = NULL;
    td_module *m = td_module_load(dir, name, &reason);
    if (m) {
      print_module(m, verbose);
      td_module_free(m);
    } else {
      printf("  %-12s refused: %s\n", name, reason);
      g_free(reason);
      refused++;
    }
  }
  if (names->len == 0)
    printf("  (none)\n");
  g_ptr_array_free(names, TRUE);
  return refused;
}

static const char *on_error_name(td_on_error e) {
  return e == TD_ON_ERROR_ABORT     ? "abort"
         : e == TD_ON_ERROR_DISABLE ? "disable"
                                    : "continue";
}

static bool plugins_option(int opt, void *user) {
  if (opt != 'v')
    return false;
  *(bool *)user = true;
  return true;
}

int td_cmd_plugins(int argc, char **argv) {
  static const struct option options[] = {{"verbose", no_argument, NULL, 'v'},
                                          {NULL, 0, NULL, 0}};
  static const td_command_spec spec = {
      "plugins", PLUGINS_USAGE, options, "v", plugins_option, 0, 0};
  bool verbose = false;
  int rc = td_parse_command(argc, argv, &spec, &verbose);
  if (rc != TD_PARSE_CONTINUE)
    return rc;
  td_config *cfg = td_config_load(td_global_args(), false, &rc);
  if (!cfg)
    return rc;
  list_modules(cfg->plugin_dir, verbose);
  printf("instances (%s):\n", cfg->file ? cfg->file : "built-in default");
  for (guint i = 0; i < cfg->instances->len; i++) {
    const td_instance_conf *ic = g_ptr_array_index(cfg->instances, i);
    printf("  %-12s %-8s module %s, on_error %s\n", ic->name,
           ic->enabled ? "enabled" : "disabled",
           ic->path ? ic->path : ic->module, on_error_name(ic->on_error));
    if (verbose)
      for (guint k = 0; k < ic->settings->len; k++) {
        const td_setting *s = g_ptr_array_index(ic->settings, k);
        printf("      %s = %s\n", s->key, s->value);
      }
  }
  if (cfg->instances->len == 0)
    printf("  (none)\n");
  td_config_free(cfg);
  return TD_EXIT_OK;
}
