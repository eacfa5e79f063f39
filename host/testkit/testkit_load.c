/* The plugin under test: a .so loaded by the host's loader (the checks of
 * -p PATH), or the table of a plugin linked into the test, given the
 * checks of a table the loader makes after dlopen. */
#include <string.h>

#include "core/diag.h"
#include "plugin/loader.h"
#include "testkit_private.h"

/* What messages call a table that was not loaded from a file. */
#define LINKED "(linked table)"

static void adopt(thermos_testkit *kit, td_module *m) {
  kit->module = m;
  if (!kit->conf->name)
    kit->conf->name = g_strdup(m->name);
}

int thermos_testkit_load(thermos_testkit *kit, const char *so_path) {
  if (!kit || !so_path || kit->module || kit->inited)
    return THERMOS_TESTKIT_MISUSE;
  char *reason = NULL;
  td_module *m = td_module_load_path(so_path, &reason);
  if (!m) {
    td_error("%s", reason); /* as the host reports a refused -p */
    g_free(reason);
    return THERMOS_TESTKIT_LOAD_ERROR;
  }
  if (!kit->conf->name &&
      (!*m->name || strchr(m->name, '.') || strcmp(m->name, "host") == 0)) {
    td_error("-p %s: '%s' cannot name an instance (see '" TD_PROGRAM
             " --help')",
             so_path, m->name);
    td_module_free(m);
    return THERMOS_TESTKIT_LOAD_ERROR;
  }
  adopt(kit, m);
  return THERMOS_TESTKIT_OK;
}

int thermos_testkit_use(thermos_testkit *kit, const thermos_handler_v1 *table) {
  if (!kit || !table || kit->module || kit->inited)
    return THERMOS_TESTKIT_MISUSE;
  char *reason = NULL;
  /* The module is named after the table, as the instance (unless the
   * name cannot be an instance's: then set_name must give one). */
  td_module *m = td_module_from_table(table, table->name ? table->name : "",
                                      LINKED, &reason);
  if (!m) {
    td_error("%s", reason);
    g_free(reason);
    return THERMOS_TESTKIT_LOAD_ERROR;
  }
  kit->module = m;
  if (!kit->conf->name && *m->name && !strchr(m->name, '.') &&
      strcmp(m->name, "host") != 0)
    kit->conf->name = g_strdup(m->name);
  return THERMOS_TESTKIT_OK;
}
