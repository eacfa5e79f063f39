#include "loader.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <ltdl.h>

/* A file the host runs code from must be as trusted as the host: owned by
 * root or the host's user, and not writable by anyone else.  A sticky
 * directory (/tmp) cannot have its entries replaced by others, so its
 * write bits are fine. */
static bool check_trust(const char *path, bool is_dir, char **why) {
  struct stat sb;
  if (stat(path, &sb) != 0) {
    *why = g_strdup_printf("%s: %s", path, g_strerror(errno));
    return false;
  }
  if (sb.st_uid != 0 && sb.st_uid != geteuid()) {
    *why = g_strdup_printf("%s: owned by uid %u, not root or the host's user",
                           path, (unsigned)sb.st_uid);
    return false;
  }
  if ((sb.st_mode & (S_IWGRP | S_IWOTH)) &&
      !(is_dir && (sb.st_mode & S_ISVTX))) {
    *why = g_strdup_printf("%s: writable by group or others", path);
    return false;
  }
  return true;
}

/* The file and every directory above it, after resolving links. */
static bool check_path_trust(const char *path, char **why) {
  char *real = realpath(path, NULL);
  if (!real) {
    *why = g_strdup_printf("%s: %s", path, g_strerror(errno));
    return false;
  }
  struct stat sb;
  if (stat(real, &sb) != 0 || !S_ISREG(sb.st_mode)) {
    *why = g_strdup_printf("%s: not a regular file", path);
    free(real);
    return false;
  }
  bool ok = check_trust(real, false, why);
  char *dir = g_path_get_dirname(real);
  while (ok) {
    ok = check_trust(dir, true, why);
    if (strcmp(dir, "/") == 0 || strcmp(dir, ".") == 0)
      break;
    char *up = g_path_get_dirname(dir);
    g_free(dir);
    dir = up;
  }
  g_free(dir);
  free(real);
  return ok;
}

/* dlerror() begins with the path; the message names it already. */
static const char *strip_path(const char *err, const char *path) {
  size_t n = strlen(path);
  if (strncmp(err, path, n) == 0 && err[n] == ':' && err[n + 1] == ' ')
    return err + n + 2;
  return err;
}

static td_module *load_checked(const char *name, const char *path,
                               char **reason) {
  char *why = NULL;
  if (!check_path_trust(path, &why)) {
    *reason = why;
    return NULL;
  }
  /* libltdl binds lazily and reports a missing symbol as "file not found":
   * a probe with RTLD_NOW proves every symbol resolves, and names the one
   * that does not. */
  dlerror();
  void *probe = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!probe) {
    const char *err = dlerror();
    *reason = g_strdup_printf("%s: %s", path,
                              err ? strip_path(err, path) : "cannot load");
    return NULL;
  }
  static bool ltdl_ready;
  if (!ltdl_ready) {
    lt_dlinit();
    ltdl_ready = true;
  }
  lt_dlhandle h = lt_dlopen(path);
  dlclose(probe);
  if (!h) {
    *reason = g_strdup_printf("%s: %s", path, lt_dlerror());
    return NULL;
  }
  typedef const thermos_handler_v1 *(*entry_fn)(void);
  entry_fn entry = (entry_fn)(uintptr_t)lt_dlsym(h, THERMOS_HANDLER_ENTRY);
  if (!entry) {
    *reason =
        g_strdup_printf("%s: no entry symbol %s", path, THERMOS_HANDLER_ENTRY);
    return NULL;
  }
  const thermos_handler_v1 *t = entry();
  if (!t) {
    *reason =
        g_strdup_printf("%s: %s returned NULL", path, THERMOS_HANDLER_ENTRY);
    return NULL;
  }
  /* The handshake comes first: nothing else of a table of another major
   * means anything. */
  if (t->abi_major != THERMOS_HANDLER_ABI_MAJOR) {
    *reason = g_strdup_printf("%s: plugin ABI major %u, this host supports "
                              "ABI major %u",
                              path, (unsigned)t->abi_major,
                              (unsigned)THERMOS_HANDLER_ABI_MAJOR);
    return NULL;
  }
  if (t->struct_size < THERMOS_HANDLER_V1_0_SIZE) {
    *reason = g_strdup_printf("%s: plugin table of %u bytes, smaller than "
                              "ABI 1.0's %zu",
                              path, (unsigned)t->struct_size,
                              (size_t)THERMOS_HANDLER_V1_0_SIZE);
    return NULL;
  }
  if (!t->name || !*t->name) {
    *reason = g_strdup_printf("%s: empty plugin name", path);
    return NULL;
  }
  td_module *m = g_new0(td_module, 1);
  m->name = g_strdup(name);
  m->path = g_strdup(path);
  m->plugin_struct_size = t->struct_size;
  /* A newer minor's table is larger: read the members this host knows. */
  memcpy(&m->table, t,
         t->struct_size < sizeof m->table ? t->struct_size : sizeof m->table);
  return m;
}

/* Paths are made absolute so libltdl never searches for them. */
static char *absolute_path(const char *path) {
  if (g_path_is_absolute(path))
    return g_strdup(path);
  char *cwd = g_get_current_dir();
  char *abs = g_build_filename(cwd, path, NULL);
  g_free(cwd);
  return abs;
}

td_module *td_module_load(const char *plugin_dir, const char *module,
                          char **reason) {
  if (!*module || strchr(module, '/') || strstr(module, "..")) {
    *reason = g_strdup_printf("invalid module name '%s' (a bare name is "
                              "expected)",
                              module);
    return NULL;
  }
  char *file = g_strconcat(module, ".so", NULL);
  char *joined = g_build_filename(plugin_dir, file, NULL);
  char *path = absolute_path(joined);
  g_free(joined);
  td_module *m = load_checked(module, path, reason);
  g_free(file);
  g_free(path);
  return m;
}

td_module *td_module_load_path(const char *path, char **reason) {
  char *base = g_path_get_basename(path);
  if (g_str_has_suffix(base, ".so"))
    base[strlen(base) - 3] = '\0';
  char *abs = absolute_path(path);
  td_module *m = load_checked(base, abs, reason);
  g_free(abs);
  g_free(base);
  return m;
}

void td_module_free(td_module *m) {
  if (!m)
    return;
  g_free(m->name);
  g_free(m->path);
  g_free(m);
}
