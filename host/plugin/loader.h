/* Loading handler plugins with libltdl, after the checks of
 * handler-abi.md "Loading": trusted path, every symbol resolvable, and the
 * ABI handshake before anything else of the table is read. */
#ifndef TD_LOADER_H
#define TD_LOADER_H

#include <stdint.h>

#include <thermos/handler.h>

typedef struct td_module {
  char *name; /**< module name (file name without .so) */
  char *path; /**< the absolute path configured (the file loaded is the one
                 its trusted resolution opened) */
  /** The plugin's table as this host knows it: members past the plugin's
   * struct_size are NULL. */
  thermos_handler_v1 table;
  uint32_t plugin_struct_size; /**< what the plugin declared */
} td_module;

/**
 * Loads `<plugin_dir>/<module>.so`.  Returns NULL on refusal with `*reason`
 * (g_free it) set to "PATH: WHY" (or the module name's fault).
 */
td_module *td_module_load(const char *plugin_dir, const char *module,
                          char **reason);
/** Loads an explicit path (-p), with the same checks. */
td_module *td_module_load_path(const char *path, char **reason);
/** Frees the record; the code stays loaded until the process exits. */
void td_module_free(td_module *m);

#endif
