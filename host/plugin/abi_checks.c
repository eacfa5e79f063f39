#include "abi_checks.h"

#include <stddef.h>

#include <glib.h>

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

char *td_abi_check_option_types(const thermos_handler_v1 *t, const char *path) {
  for (const thermos_option *o = t->options; o && o->key; o++)
    if (!known_type(o->type))
      return g_strdup_printf("%s: option '%s' of plugin %s has type %d, "
                             "which this host (handler ABI %u.%u) does not "
                             "know",
                             path, o->key, t->name, o->type,
                             (unsigned)THERMOS_HANDLER_ABI_MAJOR,
                             (unsigned)THERMOS_HANDLER_ABI_MINOR);
  return NULL;
}
