/*
 * A configuration reload, instance by instance: what is configured as it
 * was keeps running untouched (its plugin never sees the reload), the
 * rest is stopped and started as a host start and stop would.
 */
#include <string.h>

#include "core/diag.h"
#include "crash_guard.h"
#include "plugin_set.h"

/* The module `checked` loaded for `ic` (the file the configured name or
 * path resolves to now), or NULL. */
static const td_instance *checked_instance(const td_plugin_set *checked,
                                           const td_instance_conf *ic) {
  for (guint i = 0; i < checked->instances->len; i++) {
    const td_instance *in = g_ptr_array_index(checked->instances, i);
    if (in->conf == ic)
      return in;
  }
  return NULL;
}

/* Whether the running `in` can go on as `now` (its check, passed): the
 * same module file, or, for an isolated instance, whose module only its
 * worker loads, the same configuration. */
static bool same_code(const td_instance *in, const td_instance *now) {
  if (!now)
    return false;
  if (in->isolated || now->isolated)
    return in->isolated && now->isolated;
  return in->module && now->module &&
         td_module_same_file(in->module, now->module);
}

static td_instance_conf *find_conf(const td_config *cfg, const char *name) {
  for (guint i = 0; i < cfg->instances->len; i++) {
    td_instance_conf *ic = g_ptr_array_index(cfg->instances, i);
    if (strcmp(ic->name, name) == 0)
      return ic;
  }
  return NULL;
}

static void stop_instance(td_plugin_set *set, td_instance *in) {
  /* Its streams closed first, as at their end; then fini.  It stays in
   * the set until then: the statistics readers a plugin calls from those
   * callbacks never meet an instance already freed. */
  if (set->dispatcher)
    td_dispatcher_remove(set->dispatcher, &in->target);
  td_instance_fini(in);
  g_ptr_array_remove(set->instances, in);
  if (set->guarded)
    td_crash_guard_forget(in->conf);
  td_instance_free(in);
}

/* Modules that no running instance uses: a changed file is loaded anew
 * for the instances started next, not matched by name to the old one. */
static void forget_unused_modules(td_plugin_set *set) {
  for (guint m = set->modules->len; m-- > 0;) {
    const td_module *mod = g_ptr_array_index(set->modules, m);
    bool used = false;
    for (guint i = 0; i < set->instances->len && !used; i++)
      used =
          ((const td_instance *)g_ptr_array_index(set->instances, i))->module ==
          mod;
    if (!used)
      g_ptr_array_remove_index(set->modules, m);
  }
}

void td_plugin_set_reload(td_plugin_set *set, td_config *old, td_config *cfg,
                          td_plugin_set *checked, td_reload_counts *counts) {
  memset(counts, 0, sizeof *counts);
  guint n = cfg->instances->len;
  /* keep[j]: the running instance that goes on as cfg's j-th. */
  td_instance **keep = g_new0(td_instance *, n ? n : 1);
  GPtrArray *running = set->instances;
  GPtrArray *stopping = g_ptr_array_new();
  GHashTable *changed = g_hash_table_new(g_str_hash, g_str_equal);
  for (guint i = 0; i < running->len; i++) {
    td_instance *in = g_ptr_array_index(running, i);
    td_instance_conf *ic = find_conf(cfg, in->conf->name);
    const td_instance *now = ic ? checked_instance(checked, ic) : NULL;
    guint j;
    if (ic && ic->enabled && td_instance_conf_same(in->conf, ic) &&
        same_code(in, now) && g_ptr_array_find(cfg->instances, ic, &j)) {
      keep[j] = in;
      counts->kept++;
    } else {
      if (ic && ic->enabled)
        g_hash_table_add(changed, ic->name);
      else
        counts->removed++;
      g_ptr_array_add(stopping, in);
    }
  }
  /* The check's instances (mode check) are done with: stopped before any
   * instance of the new configuration starts. */
  td_plugin_set_stop(checked);
  for (guint i = stopping->len; i-- > 0;)
    stop_instance(set, g_ptr_array_index(stopping, i));
  g_ptr_array_free(stopping, TRUE);

  set->instances = g_ptr_array_new();
  for (guint j = 0; j < n; j++)
    if (keep[j]) {
      td_config_keep_instance(old, keep[j]->conf, cfg,
                              g_ptr_array_index(cfg->instances, j));
      g_ptr_array_add(set->instances, keep[j]);
    }
  forget_unused_modules(set);
  g_ptr_array_set_size(set->instances, 0);
  td_set_log_level(cfg->log_level);

  for (guint j = 0; j < n; j++) {
    td_instance_conf *ic = g_ptr_array_index(cfg->instances, j);
    if (keep[j]) {
      g_ptr_array_add(set->instances, keep[j]);
      continue;
    }
    if (!ic->enabled)
      continue;
    td_instance *in = td_plugin_set_start_instance(set, cfg, ic);
    if (!in) {
      td_error("reload: plugin:%s not started; running without it", ic->name);
      counts->failed++;
      continue;
    }
    if (g_hash_table_contains(changed, ic->name))
      counts->changed++;
    else
      counts->added++;
    g_ptr_array_add(set->instances, in);
  }
  g_hash_table_destroy(changed);
  g_ptr_array_free(running, TRUE);
  g_free(keep);

  set->slow_callback = cfg->slow_callback;
  if (set->dispatcher) {
    td_dispatcher_set_slow_callback(set->dispatcher, cfg->slow_callback);
    td_target **targets = g_new(td_target *, set->instances->len + 1);
    for (guint i = 0; i < set->instances->len; i++)
      targets[i] =
          &((td_instance *)g_ptr_array_index(set->instances, i))->target;
    td_dispatcher_set_order(set->dispatcher, targets, set->instances->len);
    g_free(targets);
  }
}
