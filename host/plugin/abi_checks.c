#include "abi_checks.h"

#include <inttypes.h>
#include <math.h>
#include <stddef.h>

#include <glib.h>

#include "options.h"

char *td_abi_check_minor(const thermos_handler_v1 *t, const char *path) {
  /* A 1.0 table ends before min_host_minor: whatever follows it in the
   * plugin's memory is not its, and is never read. */
  if (!THERMOS_HAS_MEMBER(t, thermos_handler_v1, min_host_minor))
    return NULL;
  if (t->min_host_minor <= THERMOS_HANDLER_ABI_MINOR)
    return NULL;
  return g_strdup_printf(
      "%s: needs handler ABI %u.%u or later; this host "
      "provides %u.%u",
      path, (unsigned)THERMOS_HANDLER_ABI_MAJOR, (unsigned)t->min_host_minor,
      (unsigned)THERMOS_HANDLER_ABI_MAJOR, (unsigned)THERMOS_HANDLER_ABI_MINOR);
}

static int known_type(int type) {
  switch (type) {
  case THERMOS_OPT_STRING:
  case THERMOS_OPT_BOOL:
  case THERMOS_OPT_INT:
  case THERMOS_OPT_DOUBLE:
  case THERMOS_OPT_PATH:
  case THERMOS_OPT_ENUM:
    return 1;
  default:
    return 0;
  }
}

static char *unknown_type(const char *path, const char *key, const char *plugin,
                          int type) {
  return g_strdup_printf("%s: option '%s' of plugin %s has type %d, which "
                         "this host (handler ABI %u.%u) does not know",
                         path, key, plugin, type,
                         (unsigned)THERMOS_HANDLER_ABI_MAJOR,
                         (unsigned)THERMOS_HANDLER_ABI_MINOR);
}

/* The range of a RANGE option: only numbers have one, and it is not
 * empty. */
static char *check_range(const thermos_option_ex *e, const char *path,
                         const char *plugin) {
  if (e->type != THERMOS_OPT_INT && e->type != THERMOS_OPT_DOUBLE)
    return g_strdup_printf("%s: option '%s' of plugin %s has a range, which "
                           "only int and double options take",
                           path, e->key, plugin);
  if (e->type == THERMOS_OPT_INT && e->int_min > e->int_max)
    return g_strdup_printf("%s: option '%s' of plugin %s has a range from "
                           "%" PRId64 " to %" PRId64 ", whose minimum is "
                           "above its maximum",
                           path, e->key, plugin, e->int_min, e->int_max);
  if (e->type == THERMOS_OPT_DOUBLE) {
    if (isnan(e->double_min) || isnan(e->double_max))
      return g_strdup_printf("%s: option '%s' of plugin %s has a range "
                             "bound that is not a number",
                             path, e->key, plugin);
    if (e->double_min > e->double_max) {
      char *lo = td_format_double(e->double_min);
      char *hi = td_format_double(e->double_max);
      char *r = g_strdup_printf("%s: option '%s' of plugin %s has a range "
                                "from %s to %s, whose minimum is above its "
                                "maximum",
                                path, e->key, plugin, lo, hi);
      g_free(lo);
      g_free(hi);
      return r;
    }
  }
  return NULL;
}

/* One options_ex entry, the i-th. */
static char *check_option_ex(const thermos_option_ex *e, size_t i,
                             const char *path, const char *plugin) {
  /* Every member came with 1.1: an entry smaller than 1.1's is not one,
   * and nothing past its struct_size may be read. */
  if (e->struct_size < TD_OPTION_EX_1_1_SIZE)
    return g_strdup_printf("%s: options_ex[%zu] of plugin %s has "
                           "struct_size %u, smaller than ABI 1.1's %zu",
                           path, i, plugin, (unsigned)e->struct_size,
                           (size_t)TD_OPTION_EX_1_1_SIZE);
  if (!e->key || !*e->key)
    return g_strdup_printf("%s: options_ex[%zu] of plugin %s has no key", path,
                           i, plugin);
  if (!known_type(e->type))
    return unknown_type(path, e->key, plugin, e->type);
  if (e->flags & ~(uint32_t)TD_OPTION_FLAGS_KNOWN)
    return g_strdup_printf(
        "%s: option '%s' of plugin %s has flags 0x%x, "
        "unknown to this host (handler ABI %u.%u)",
        path, e->key, plugin,
        (unsigned)(e->flags & ~(uint32_t)TD_OPTION_FLAGS_KNOWN),
        (unsigned)THERMOS_HANDLER_ABI_MAJOR,
        (unsigned)THERMOS_HANDLER_ABI_MINOR);
  if (e->flags & THERMOS_OPTION_RANGE) {
    char *why = check_range(e, path, plugin);
    if (why)
      return why;
  }
  if ((e->flags & THERMOS_OPTION_REQUIRED) && e->default_value)
    return g_strdup_printf("%s: option '%s' of plugin %s is required and "
                           "has a default, which would never be used",
                           path, e->key, plugin);
  return NULL;
}

/* A default the host's own check would refuse would reach the plugin's
 * typed getters unchecked. */
static char *check_default(const td_option_decl *o, const char *path,
                           const char *plugin) {
  if (!o->default_value)
    return NULL;
  char *expected = NULL;
  char *why = NULL;
  if (!td_option_value_fits(o, o->default_value, &expected))
    why = g_strdup_printf("%s: option '%s' of plugin %s has the default "
                          "'%s', not %s",
                          path, o->key, plugin, o->default_value, expected);
  g_free(expected);
  return why;
}

char *td_abi_check_option_types(const thermos_handler_v1 *t, const char *path) {
  const thermos_option_ex *const *ex = td_options_ex(t);
  if (!ex) {
    for (const thermos_option *o = t->options; o && o->key; o++)
      if (!known_type(o->type))
        return unknown_type(path, o->key, t->name, o->type);
    return NULL;
  }
  for (size_t i = 0; ex[i]; i++) {
    char *why = check_option_ex(ex[i], i, path, t->name);
    if (why)
      return why;
  }
  td_option_decl o;
  for (size_t i = 0; td_option_at(t, i, &o); i++) {
    char *why = check_default(&o, path, t->name);
    if (why)
      return why;
  }
  return NULL;
}
