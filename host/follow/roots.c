/* What `watch` and `status` share about checkpoint roots. */
#include "roots.h"

#include <glob.h>
#include <stdlib.h>
#include <string.h>

bool td_root_is_pattern(const char *arg) { return strpbrk(arg, "*?[") != NULL; }

void td_root_expand(const char *pattern,
                    void (*fn)(const char *path, void *user), void *user) {
  glob_t g;
  if (glob(pattern, GLOB_ONLYDIR | GLOB_NOSORT, NULL, &g) == 0) {
    for (size_t i = 0; i < g.gl_pathc; i++)
      fn(g.gl_pathv[i], user);
  }
  globfree(&g);
}

bool td_root_first_visit(GHashTable *seen, const char *path) {
  char *real = realpath(path, NULL);
  if (!real || g_hash_table_contains(seen, real)) {
    free(real);
    return false;
  }
  g_hash_table_add(seen, g_strdup(real));
  free(real);
  return true;
}

bool td_root_task_finished(const char *root, const char *id) {
  char *marker = g_build_filename(root, "tasks", "finished", id, NULL);
  bool exists = g_file_test(marker, G_FILE_TEST_EXISTS);
  g_free(marker);
  return exists;
}
