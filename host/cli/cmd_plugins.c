/*
 * `plugins [-v]`: the modules in each directory of the plugin path and
 * those given with -p (name, version, ABI, path; refused, with why; or
 * shadowed by the same name in an earlier directory), and the configured
 * instances, enabled or not; -v adds options.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include <glib.h>

#include "cli.h"
#include "config/config.h"
#include "core/diag.h"
#include "plugin/loader.h"
#include "plugin/options.h"
#include "plugin/plugin_set.h"

static const char PLUGINS_USAGE[] =
    "Usage: thermos-dispatch [OPTION]... plugins [-v]\n"
    "List the modules of the plugin path and of -p, and the configured\n"
    "instances.\n"
    "\n"
    "  -v, --verbose   also list each module's options\n"
    "  -h, --help      show this help and exit\n";

static const char *const TYPE_NAMES[] = {"?",      "string", "bool", "int",
                                         "double", "path",   "enum"};

/* Columns are as wide as their longest entry, and never narrower than
 * these (the widths of short listings stay as they were). */
#define NAME_MIN 12
#define VERSION_MIN 10
#define KEY_MIN 14

static int width_of(const char *s, int min) {
  size_t n = s ? strlen(s) : 0;
  return n > (size_t)min ? (int)MIN(n, 256) : min;
}

/* " range 1 to 65535" for an option with THERMOS_OPTION_RANGE. */
static void print_range(const td_option_decl *o) {
  if (!(o->flags & THERMOS_OPTION_RANGE))
    return;
  if (o->type == THERMOS_OPT_INT) {
    printf(" range %" PRId64 " to %" PRId64, o->int_min, o->int_max);
  } else {
    char *lo = td_format_double(o->double_min);
    char *hi = td_format_double(o->double_max);
    printf(" range %s to %s", lo, hi);
    g_free(lo);
    g_free(hi);
  }
}

static void print_options(const thermos_handler_v1 *h) {
  if (!td_options_declared(h)) {
    printf("      (accepts any key)\n");
    return;
  }
  td_option_decl o;
  int kw = KEY_MIN;
  for (size_t i = 0; td_option_at(h, i, &o); i++)
    kw = MAX(kw, width_of(o.key, KEY_MIN));
  for (size_t i = 0; td_option_at(h, i, &o); i++) {
    int t = o.type >= 1 && o.type <= 6 ? o.type : 0;
    printf("      %-*s %-6s", kw, o.key, TYPE_NAMES[t]);
    if (o.type == THERMOS_OPT_ENUM && o.choices)
      printf(" %s", o.choices);
    if (o.flags & THERMOS_OPTION_REQUIRED)
      printf(" required");
    print_range(&o);
    if (o.default_value)
      printf(" (default %s)", *o.default_value ? o.default_value : "\"\"");
    if (o.help)
      printf(": %s", o.help);
    printf("\n");
  }
}

/* One line of a module listing: loaded, refused, or shadowed by the
 * module of the same name in an earlier directory of the plugin path. */
typedef struct row {
  char *name;
  td_module *m;
  char *refused;
  char *shadowed_by;
} row;

static void row_free(gpointer p) {
  row *r = p;
  g_free(r->name);
  td_module_free(r->m);
  g_free(r->refused);
  g_free(r->shadowed_by);
  g_free(r);
}

typedef struct listing {
  GPtrArray *groups; /* GPtrArray * of row *, one per heading */
  GPtrArray *titles; /* char *: the headings */
  GPtrArray *empty;  /* char *: what an empty group says */
  GHashTable *seen;  /* module name -> the file that wins */
  int name_w, version_w;
} listing;

static void add_row(listing *l, GPtrArray *group, row *r) {
  g_ptr_array_add(group, r);
  l->name_w = MAX(l->name_w, width_of(r->name, NAME_MIN));
  if (r->m)
    l->version_w =
        MAX(l->version_w, width_of(r->m->table.version, VERSION_MIN));
}

/* g_ptr_array_sort hands over pointers to the elements. */
static gint by_name(gconstpointer a, gconstpointer b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void scan_dir(listing *l, const char *dir) {
  GPtrArray *group = g_ptr_array_new_with_free_func(row_free);
  g_ptr_array_add(l->groups, group);
  g_ptr_array_add(l->titles, g_strdup_printf("modules in %s:", dir));
  GDir *d = g_dir_open(dir, 0, NULL);
  g_ptr_array_add(l->empty, g_strdup(d ? "(none)"
                                       : "(none: the directory "
                                         "cannot be read)"));
  if (!d)
    return;
  GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
  const char *entry;
  while ((entry = g_dir_read_name(d)))
    if (g_str_has_suffix(entry, ".so"))
      g_ptr_array_add(names, g_strndup(entry, strlen(entry) - 3));
  g_dir_close(d);
  g_ptr_array_sort(names, by_name);
  for (guint i = 0; i < names->len; i++) {
    row *r = g_new0(row, 1);
    r->name = g_strdup(g_ptr_array_index(names, i));
    const char *winner = g_hash_table_lookup(l->seen, r->name);
    if (winner) {
      /* Never loaded: the search of the plugin path stops before it. */
      r->shadowed_by = g_strdup(winner);
    } else {
      r->m = td_module_load(dir, r->name, &r->refused);
      g_hash_table_insert(l->seen, g_strdup(r->name),
                          td_module_file(dir, r->name));
    }
    add_row(l, group, r);
  }
  g_ptr_array_free(names, TRUE);
}

/* The modules of -p instances, loaded from their paths. */
static void scan_paths(listing *l, const td_config *cfg) {
  GPtrArray *group = NULL;
  for (guint i = 0; i < cfg->instances->len; i++) {
    const td_instance_conf *ic = g_ptr_array_index(cfg->instances, i);
    if (!ic->path)
      continue;
    if (!group) {
      group = g_ptr_array_new_with_free_func(row_free);
      g_ptr_array_add(l->groups, group);
      g_ptr_array_add(l->titles, g_strdup("modules given with -p:"));
      g_ptr_array_add(l->empty, g_strdup("(none)"));
    }
    row *r = g_new0(row, 1);
    r->m = td_module_load_path(ic->path, &r->refused);
    r->name = g_strdup(r->m ? r->m->name : ic->name);
    add_row(l, group, r);
  }
}

static void print_row(const listing *l, const row *r, bool verbose) {
  if (r->shadowed_by) {
    printf("  %-*s shadowed by %s\n", l->name_w, r->name, r->shadowed_by);
  } else if (!r->m) {
    printf("  %-*s refused: %s\n", l->name_w, r->name, r->refused);
  } else {
    const thermos_handler_v1 *h = &r->m->table;
    printf("  %-*s %-*s ABI %u (%u bytes)  %s\n", l->name_w, r->name,
           l->version_w, h->version ? h->version : "-", (unsigned)h->abi_major,
           (unsigned)r->m->plugin_struct_size, r->m->path);
    if (verbose)
      print_options(h);
  }
}

static void list_modules(const td_config *cfg, bool verbose) {
  listing l = {
      g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref),
      g_ptr_array_new_with_free_func(g_free),
      g_ptr_array_new_with_free_func(g_free),
      g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free),
      NAME_MIN,
      VERSION_MIN};
  for (char **dir = cfg->plugin_path; *dir; dir++)
    scan_dir(&l, *dir);
  scan_paths(&l, cfg);
  for (guint g = 0; g < l.groups->len; g++) {
    const GPtrArray *group = g_ptr_array_index(l.groups, g);
    printf("%s\n", (const char *)g_ptr_array_index(l.titles, g));
    for (guint i = 0; i < group->len; i++)
      print_row(&l, g_ptr_array_index(group, i), verbose);
    if (group->len == 0)
      printf("  %s\n", (const char *)g_ptr_array_index(l.empty, g));
  }
  g_ptr_array_free(l.groups, TRUE);
  g_ptr_array_free(l.empty, TRUE);
  g_ptr_array_free(l.titles, TRUE);
  g_hash_table_destroy(l.seen);
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
  list_modules(cfg, verbose);
  printf("instances (%s):\n", cfg->file ? cfg->file : "built-in default");
  int name_w = NAME_MIN;
  for (guint i = 0; i < cfg->instances->len; i++) {
    const td_instance_conf *ic = g_ptr_array_index(cfg->instances, i);
    name_w = MAX(name_w, width_of(ic->name, NAME_MIN));
  }
  for (guint i = 0; i < cfg->instances->len; i++) {
    const td_instance_conf *ic = g_ptr_array_index(cfg->instances, i);
    printf("  %-*s %-8s module %s, on_error %s\n", name_w, ic->name,
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
