/* Loading handler plugins with libltdl, after the checks of
 * handler-abi.md "Loading": trusted path, every symbol resolvable, and the
 * ABI handshake before anything else of the table is read. */
#ifndef TD_LOADER_H
#define TD_LOADER_H

#include <stdbool.h>
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
  /** The file loaded, as it was then (all 0 for a table in memory): a
   * reload restarts an instance whose module file changed. */
  uint64_t file_dev, file_ino, file_size;
  int64_t file_mtime_ns;
} td_module;

/**
 * Loads `<dir>/<module>.so` from the first directory of `dirs` (the
 * plugin path, NULL-terminated) that holds it.  A directory that fails
 * the trust checks, or is missing, ends the search with its reason.
 * Returns NULL on refusal with `*reason` (g_free it) set to "PATH: WHY"
 * (or the module name's fault, or "MODULE.so: not found in plugin_path
 * DIRS" when several directories lack it; with one, its own reason).
 */
td_module *td_module_search(const char *const *dirs, const char *module,
                            char **reason);
/** td_module_search in one directory: `<plugin_dir>/<module>.so`. */
td_module *td_module_load(const char *plugin_dir, const char *module,
                          char **reason);
/** Whether `module` is a bare name; else false with `*reason` set. */
bool td_module_name_valid(const char *module, char **reason);
/** The absolute path of `<dir>/<module>.so` (g_free it). */
char *td_module_file(const char *dir, const char *module);
/** Loads an explicit path (-p), with the same checks. */
td_module *td_module_load_path(const char *path, char **reason);
/** The checks of a plugin's table, in the loader's order (the handshake
 * first: nothing else of a table of another major means anything), and
 * the module record made from it; NULL with `*reason` ("PATH: WHY") if it
 * is refused.  For a table already in memory (a test linking a plugin). */
td_module *td_module_from_table(const thermos_handler_v1 *t, const char *name,
                                const char *path, char **reason);
/** Whether `a` and `b` were loaded from the same file, unchanged (device,
 * inode, size and modification time). */
bool td_module_same_file(const td_module *a, const td_module *b);
/** Frees the record; the code stays loaded until the process exits. */
void td_module_free(td_module *m);

#endif
