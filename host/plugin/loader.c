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

#include "abi_checks.h"
#include "trusted_open.h"

/* dlerror() begins with the path; the message names it already. */
static const char *strip_path(const char *err, const char *path) {
  size_t n = strlen(path);
  if (strncmp(err, path, n) == 0 && err[n] == ':' && err[n + 1] == ' ')
    return err + n + 2;
  return err;
}

/* The file the trust checks passed, through its open descriptor: the
 * name a later swap of a link or directory on the configured path cannot
 * re-point.  glibc matches an already loaded object by this name, so the
 * descriptor is never closed once something was loaded through it (and
 * modules stay loaded until exit anyway). */
static char *fd_name(int fd, char **why, const char *path) {
  char *name = g_strdup_printf("/proc/self/fd/%d", fd);
  struct stat by_name, by_fd;
  if (stat(name, &by_name) != 0 || fstat(fd, &by_fd) != 0 ||
      by_name.st_dev != by_fd.st_dev || by_name.st_ino != by_fd.st_ino) {
    *why = g_strdup_printf("%s: cannot load it through %s (is /proc "
                           "mounted?)",
                           path, name);
    g_free(name);
    return NULL;
  }
  return name;
}

static td_module *accept_table(lt_dlhandle h, const char *name,
                               const char *path, char **reason);

/* The descriptors files were loaded through, by device and inode: each is
 * kept open for good (fd_name), so loading the same file again (every
 * reload checks every module) goes through the first one instead of
 * keeping one more descriptor open each time.  glibc maps it once anyway. */
typedef struct loaded_file {
  dev_t dev;
  ino_t ino;
  int fd;
} loaded_file;
static GArray *loaded_files;

static int loaded_fd(const struct stat *sb) {
  for (guint i = 0; loaded_files && i < loaded_files->len; i++) {
    const loaded_file *lf = &g_array_index(loaded_files, loaded_file, i);
    if (lf->dev == sb->st_dev && lf->ino == sb->st_ino)
      return lf->fd;
  }
  return -1;
}

static void remember_loaded(const struct stat *sb, int fd) {
  if (!loaded_files)
    loaded_files = g_array_new(FALSE, FALSE, sizeof(loaded_file));
  loaded_file lf = {sb->st_dev, sb->st_ino, fd};
  g_array_append_val(loaded_files, lf);
}

static void stamp(td_module *m, const struct stat *sb) {
  m->file_dev = (uint64_t)sb->st_dev;
  m->file_ino = (uint64_t)sb->st_ino;
  m->file_size = (uint64_t)sb->st_size;
  m->file_mtime_ns =
      (int64_t)sb->st_mtim.tv_sec * 1000000000 + (int64_t)sb->st_mtim.tv_nsec;
}

bool td_module_same_file(const td_module *a, const td_module *b) {
  return a->file_dev == b->file_dev && a->file_ino == b->file_ino &&
         a->file_size == b->file_size && a->file_mtime_ns == b->file_mtime_ns;
}

/* Loads the file open on `fd`, which the trust checks passed as `path`;
 * takes the descriptor over. */
static td_module *load_opened(const char *name, const char *path, int fd,
                              char **reason) {
  struct stat sb;
  if (fstat(fd, &sb) != 0) {
    *reason = g_strdup_printf("%s: %s", path, g_strerror(errno));
    close(fd);
    return NULL;
  }
  int earlier = loaded_fd(&sb);
  if (earlier >= 0) {
    td_module *m = NULL;
    char *file = fd_name(earlier, reason, path);
    close(fd);
    if (!file)
      return NULL;
    lt_dlhandle h = lt_dlopen(file);
    g_free(file);
    if (!h) {
      *reason = g_strdup_printf("%s: %s", path, lt_dlerror());
      return NULL;
    }
    m = accept_table(h, name, path, reason);
    if (!m) {
      lt_dlclose(h);
      return NULL;
    }
    stamp(m, &sb);
    return m;
  }
  char *file = fd_name(fd, reason, path);
  if (!file) {
    close(fd);
    return NULL;
  }
  /* libltdl binds lazily and reports a missing symbol as "file not found":
   * a probe with RTLD_NOW proves every symbol resolves, and names the one
   * that does not. */
  dlerror();
  void *probe = dlopen(file, RTLD_NOW | RTLD_LOCAL);
  if (!probe) {
    const char *err = dlerror();
    *reason = g_strdup_printf("%s: %s", path,
                              err ? strip_path(err, file) : "cannot load");
    g_free(file);
    close(fd); /* nothing was loaded under its name */
    return NULL;
  }
  static bool ltdl_ready;
  if (!ltdl_ready) {
    if (lt_dlinit() != 0) {
      *reason = g_strdup_printf("%s: libltdl: %s", path, lt_dlerror());
      dlclose(probe);
      g_free(file);
      close(fd);
      return NULL;
    }
    ltdl_ready = true;
  }
  lt_dlhandle h = lt_dlopen(file);
  dlclose(probe);
  g_free(file);
  if (!h) {
    *reason = g_strdup_printf("%s: %s", path, lt_dlerror());
    close(fd);
    return NULL;
  }
  td_module *m = accept_table(h, name, path, reason);
  if (!m) {
    /* Refused after it was opened: unmapped again, and its descriptor
     * closed (nothing is loaded under that name any more). */
    lt_dlclose(h);
    close(fd);
    return NULL;
  }
  stamp(m, &sb);
  remember_loaded(&sb, fd);
  return m;
}

static td_module *load_checked(const char *name, const char *path,
                               char **reason) {
  int fd = td_open_trusted(path, reason);
  return fd < 0 ? NULL : load_opened(name, path, fd, reason);
}

/* The handshake and the checks of a module's table; NULL with `reason`
 * if it is refused. */
static td_module *accept_table(lt_dlhandle h, const char *name,
                               const char *path, char **reason) {
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
  return td_module_from_table(t, name, path, reason);
}

td_module *td_module_from_table(const thermos_handler_v1 *t, const char *name,
                                const char *path, char **reason) {
  /* The handshake comes first: nothing else of a table of another major
   * means anything. */
  if (t->abi_major != THERMOS_HANDLER_ABI_MAJOR) {
    *reason = g_strdup_printf("%s: plugin ABI major %u, this host supports "
                              "ABI major %u",
                              path, (unsigned)t->abi_major,
                              (unsigned)THERMOS_HANDLER_ABI_MAJOR);
    return NULL;
  }
  if ((*reason = td_abi_check_minor(t, path)))
    return NULL;
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
  if ((*reason = td_abi_check_option_types(t, path)))
    return NULL;
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

bool td_module_name_valid(const char *module, char **reason) {
  if (!*module || strchr(module, '/') || strstr(module, "..")) {
    *reason = g_strdup_printf("invalid module name '%s' (a bare name is "
                              "expected)",
                              module);
    return false;
  }
  return true;
}

char *td_module_file(const char *dir, const char *module) {
  char *file = g_strconcat(module, ".so", NULL);
  char *joined = g_build_filename(dir, file, NULL);
  char *path = absolute_path(joined);
  g_free(joined);
  g_free(file);
  return path;
}

td_module *td_module_search(const char *const *dirs, const char *module,
                            char **reason) {
  if (!td_module_name_valid(module, reason))
    return NULL;
  size_t n = dirs ? g_strv_length((gchar **)dirs) : 0;
  for (size_t i = 0; i < n; i++) {
    char *path = td_module_file(dirs[i], module);
    bool absent = false;
    char *why = NULL;
    int fd = td_open_trusted_ex(path, &absent, &why);
    if (fd >= 0) {
      td_module *m = load_opened(module, path, fd, reason);
      g_free(path);
      return m;
    }
    /* The first directory holding the file wins; one that fails the
     * trust checks (or is missing) stops the search, so that a careful
     * operator learns of it rather than getting another directory's
     * module.  With one directory, its own reason is kept. */
    if (!absent || n == 1) {
      *reason = why;
      struct stat sb;
      /* For the message only: a directory of the list that is missing is
       * named as such, not as a missing module. */
      if (n > 1 && stat(dirs[i], &sb) != 0) {
        int err = errno;
        *reason = g_strdup_printf("%s: %s (a directory of plugin_path)",
                                  dirs[i], g_strerror(err));
        g_free(why);
      }
      g_free(path);
      return NULL;
    }
    g_free(why);
    g_free(path);
  }
  char *joined = g_strjoinv(":", (gchar **)dirs);
  *reason =
      g_strdup_printf("%s.so: not found in plugin_path %s", module, joined);
  g_free(joined);
  return NULL;
}

td_module *td_module_load(const char *plugin_dir, const char *module,
                          char **reason) {
  const char *one[] = {plugin_dir, NULL};
  return td_module_search(one, module, reason);
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
