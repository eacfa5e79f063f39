/* The plugin under test: a .so loaded by the host's loader (the checks of
 * -p PATH), or the table of a plugin linked into the test, given the
 * checks of a table the loader makes after dlopen. */
#include <string.h>

#include "core/diag.h"
#include "plugin/abi_checks.h"
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

/* The loader's checks of a table, in its order (loader.c accept_table):
 * the handshake first, nothing else of a table of another major means
 * anything. */
static char *check_table(const thermos_handler_v1 *t) {
  if (t->abi_major != THERMOS_HANDLER_ABI_MAJOR)
    return g_strdup_printf("%s: plugin ABI major %u, this host supports "
                           "ABI major %u",
                           LINKED, (unsigned)t->abi_major,
                           (unsigned)THERMOS_HANDLER_ABI_MAJOR);
  char *reason = td_abi_check_minor(t, LINKED);
  if (reason)
    return reason;
  if (t->struct_size < THERMOS_HANDLER_V1_0_SIZE)
    return g_strdup_printf("%s: plugin table of %u bytes, smaller than "
                           "ABI 1.0's %zu",
                           LINKED, (unsigned)t->struct_size,
                           (size_t)THERMOS_HANDLER_V1_0_SIZE);
  if (!t->name || !*t->name)
    return g_strdup_printf("%s: empty plugin name", LINKED);
  return td_abi_check_option_types(t, LINKED);
}

int thermos_testkit_use(thermos_testkit *kit, const thermos_handler_v1 *table) {
  if (!kit || !table || kit->module || kit->inited)
    return THERMOS_TESTKIT_MISUSE;
  char *reason = check_table(table);
  if (reason) {
    td_error("%s", reason);
    g_free(reason);
    return THERMOS_TESTKIT_LOAD_ERROR;
  }
  td_module *m = g_new0(td_module, 1);
  /* The module is named after the table, as the instance (unless the
   * name cannot be an instance's: then set_name must give one). */
  m->name = g_strdup(table->name);
  m->path = g_strdup(LINKED);
  m->plugin_struct_size = table->struct_size;
  memcpy(&m->table, table,
         table->struct_size < sizeof m->table ? table->struct_size
                                              : sizeof m->table);
  kit->module = m;
  if (!kit->conf->name && *m->name && !strchr(m->name, '.') &&
      strcmp(m->name, "host") != 0)
    kit->conf->name = g_strdup(m->name);
  return THERMOS_TESTKIT_OK;
}
