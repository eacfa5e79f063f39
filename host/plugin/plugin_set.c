#include "plugin_set.h"

#include <string.h>

#include "core/diag.h"
#include "crash_guard.h"

/* --trace, for every dispatcher made (one per process). */
static bool trace_all;

void td_plugin_set_trace(bool trace) { trace_all = trace; }

bool td_plugin_set_tracing(void) { return trace_all; }

static const td_isolator *isolator;

void td_plugin_set_isolator(const td_isolator *iso) { isolator = iso; }

const td_isolator *td_plugin_set_get_isolator(void) { return isolator; }

/* An instance run by a worker process: the host never loads its module. */
static td_instance *start_isolated(td_plugin_set *set, const td_config *cfg,
                                   td_instance_conf *ic) {
  if (!isolator) {
    char *section = g_strconcat("plugin:", ic->name, NULL);
    td_config_report(td_instance_key_origin(ic, "isolation"), section,
                     "isolation", "process: not available here");
    g_free(section);
    return NULL;
  }
  td_instance *in = td_instance_new_isolated(ic);
  in->set = set;
  if (!isolator->start(in, cfg)) {
    td_instance_free(in);
    return NULL;
  }
  return in;
}

td_module *td_plugin_set_load_module(const td_config *cfg,
                                     const td_instance_conf *ic) {
  char *reason = NULL;
  td_module *m = ic->path
                     ? td_module_load_path(ic->path, &reason)
                     : td_module_search((const char *const *)cfg->plugin_path,
                                        ic->module, &reason);
  if (!m) {
    if (ic->path) {
      td_error("%s", reason);
    } else {
      char *section = g_strconcat("plugin:", ic->name, NULL);
      td_origin origin = td_instance_key_origin(ic, "module");
      /* The module key was consumed by the host: point at the section. */
      td_config_report(origin, section, "module", "%s", reason);
      g_free(section);
    }
    g_free(reason);
  }
  return m;
}

static const td_module *find_loaded(td_plugin_set *set,
                                    const td_instance_conf *ic) {
  for (guint i = 0; i < set->modules->len; i++) {
    const td_module *m = g_ptr_array_index(set->modules, i);
    if (ic->path ? strcmp(m->path, ic->path) == 0
                 : strcmp(m->name, ic->module) == 0)
      return m;
  }
  return NULL;
}

td_instance *td_plugin_set_start_instance(td_plugin_set *set,
                                          const td_config *cfg,
                                          td_instance_conf *ic) {
  if (ic->isolated)
    return start_isolated(set, cfg, ic);
  const td_module *m = find_loaded(set, ic);
  if (!m) {
    td_module *loaded = td_plugin_set_load_module(cfg, ic);
    if (!loaded)
      return NULL;
    g_ptr_array_add(set->modules, loaded);
    m = loaded;
  }
  td_instance *in = td_instance_new(ic, m, set->mode, set->truncate);
  in->set = set;
  bool options_ok = td_instance_check_options(in) == 0;
  if (options_ok && set->guarded && !td_crash_guard_admit(ic)) {
    /* It crashed twice in a row on the same record: never init'ed, never
     * called, shown as disabled; every other instance goes on. */
    in->target.disabled = true;
    return in;
  }
  if (!options_ok || !td_instance_init(in)) {
    td_instance_free(in);
    return NULL;
  }
  return in;
}

static td_plugin_set *set_new(const td_config *cfg, int mode, bool truncate) {
  td_plugin_set *set = g_new0(td_plugin_set, 1);
  set->instances = g_ptr_array_new();
  set->modules = g_ptr_array_new_with_free_func((GDestroyNotify)td_module_free);
  set->slow_callback = cfg->slow_callback;
  set->mode = mode;
  set->truncate = truncate;
  return set;
}

/* Starts the enabled instances in order; returns how many failed. */
static int start_all(td_plugin_set *set, const td_config *cfg,
                     bool keep_going) {
  int problems = 0;
  for (guint i = 0; i < cfg->instances->len; i++) {
    td_instance_conf *ic = g_ptr_array_index(cfg->instances, i);
    if (!ic->enabled)
      continue;
    td_instance *in = td_plugin_set_start_instance(set, cfg, ic);
    if (!in) {
      problems++;
      if (!keep_going)
        break;
      continue;
    }
    g_ptr_array_add(set->instances, in);
  }
  return problems;
}

td_plugin_set *td_plugin_set_start(const td_config *cfg, int mode,
                                   bool truncate, bool keep_going) {
  td_plugin_set *set = set_new(cfg, mode, truncate);
  td_set_log_level(cfg->log_level);
  /* The crash record lives beside the cursors: `tail` and `watch` only. */
  set->guarded = !keep_going && cfg->state_dir &&
                 (mode == THERMOS_MODE_TAIL || mode == THERMOS_MODE_WATCH);
  if (set->guarded)
    td_crash_guard_open(cfg);
  if (start_all(set, cfg, keep_going)) {
    if (set->guarded)
      td_crash_guard_close(false);
    td_plugin_set_stop(set);
    return NULL;
  }
  if (set->guarded)
    td_crash_guard_settle();
  return set;
}

void td_plugin_set_drain(td_plugin_set *set) {
  for (guint i = 0; set && isolator && i < set->instances->len; i++) {
    td_instance *in = g_ptr_array_index(set->instances, i);
    if (in->isolated)
      isolator->drain(in);
  }
}

td_plugin_set *td_plugin_set_check(const td_config *cfg, bool truncate,
                                   int *problems) {
  td_plugin_set *set = set_new(cfg, THERMOS_MODE_CHECK, truncate);
  *problems = start_all(set, cfg, true);
  return set;
}

void td_plugin_set_stop(td_plugin_set *set) {
  if (!set)
    return;
  for (guint i = set->instances->len; i-- > 0;) {
    td_instance *in = g_ptr_array_index(set->instances, i);
    td_instance_fini(in);
    td_instance_free(in);
  }
  /* After every fini: a crash in one still finds the record.  (A set
   * that is not guarded, a reload's check, leaves the record alone.) */
  if (set->guarded)
    td_crash_guard_close(true);
  g_ptr_array_free(set->instances, TRUE);
  g_ptr_array_free(set->modules, TRUE);
  td_dispatcher_free(set->dispatcher);
  g_free(set);
}

td_dispatcher *td_plugin_set_dispatcher(td_plugin_set *set) {
  if (set->dispatcher)
    return set->dispatcher;
  td_dispatcher *d = set->dispatcher = td_dispatcher_new();
  td_dispatcher_set_trace(d, trace_all);
  td_dispatcher_set_slow_callback(d, set->slow_callback);
  for (guint i = 0; i < set->instances->len; i++) {
    td_instance *in = g_ptr_array_index(set->instances, i);
    td_dispatcher_add(d, &in->target);
  }
  return d;
}
