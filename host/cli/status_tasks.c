/*
 * A task is any name in ROOT/checkpoints (a directory), ROOT/tasks/active
 * or ROOT/tasks/finished, as Aurora's TaskDetector finds them.  It is
 * finished when ROOT/tasks/finished/ID exists and active otherwise: a
 * checkpoint without either marker belongs to a runner that has not
 * written its marker yet, or died before, and `watch` treats it as active
 * too.  Names are bytes from the tasks' side: they are matched and printed
 * escaped, never used to leave the root (readdir yields no '/').
 */
#include "status_tasks.h"

#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "core/diag.h"
#include "follow/roots.h"

typedef struct collect {
  td_status_list *l;
  GHashTable *seen; /* real paths of the roots */
  GPtrArray *regexes;
  td_status_only only;
  bool matched; /* the pattern being expanded matched a root */
} collect;

static bool id_matches(const collect *c, const char *id) {
  if (!c->regexes || c->regexes->len == 0)
    return true;
  for (guint i = 0; i < c->regexes->len; i++) {
    if (g_regex_match(g_ptr_array_index(c->regexes, i), id, 0, NULL))
      return true;
  }
  return false;
}

/* Whether `name` in `dir` is a directory, not following a link (d_type
 * when the file system gives it). */
static bool is_dir(const char *dir, const struct dirent *e) {
  if (e->d_type != DT_UNKNOWN)
    return e->d_type == DT_DIR;
  char *path = g_build_filename(dir, e->d_name, NULL);
  struct stat sb;
  bool yes = lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
  g_free(path);
  return yes;
}

/* Adds the names in ROOT/SUB to `ids` (name -> finished); a missing
 * directory is an empty one, any other failure a warning. */
static void scan(const char *root, const char *sub, bool dirs_only,
                 bool finished, GHashTable *ids) {
  char *dir = g_build_filename(root, sub, NULL);
  DIR *d = opendir(dir);
  if (!d) {
    if (errno != ENOENT && errno != ENOTDIR)
      td_warning("%s: %s", dir, g_strerror(errno));
    g_free(dir);
    return;
  }
  struct dirent *e;
  while ((e = readdir(d))) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
      continue;
    if (dirs_only && !is_dir(dir, e))
      continue;
    if (finished || !g_hash_table_contains(ids, e->d_name))
      g_hash_table_insert(ids, g_strdup(e->d_name), GINT_TO_POINTER(finished));
  }
  closedir(d);
  g_free(dir);
}

static int by_id(gconstpointer a, gconstpointer b) {
  const td_status_task *x = *(td_status_task *const *)a;
  const td_status_task *y = *(td_status_task *const *)b;
  return strcmp(x->id, y->id);
}

static void add_root(const char *path, void *user) {
  collect *c = user;
  c->matched = true;
  DIR *d = opendir(path);
  if (!d) {
    td_warning("%s: %s", path, g_strerror(errno));
    return;
  }
  closedir(d);
  if (!td_root_first_visit(c->seen, path))
    return;
  char *root = g_strdup(path);
  g_ptr_array_add(c->l->roots, root);
  GHashTable *ids =
      g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  scan(root, "checkpoints", true, false, ids);
  scan(root, "tasks/active", false, false, ids);
  scan(root, "tasks/finished", false, true, ids);
  GPtrArray *found = g_ptr_array_new();
  GHashTableIter it;
  gpointer key, value;
  g_hash_table_iter_init(&it, ids);
  while (g_hash_table_iter_next(&it, &key, &value)) {
    bool finished = GPOINTER_TO_INT(value) != 0;
    if ((c->only == TD_STATUS_ACTIVE && finished) ||
        (c->only == TD_STATUS_FINISHED && !finished) || !id_matches(c, key))
      continue;
    td_status_task *t = g_new(td_status_task, 1);
    t->root = root;
    t->id = g_strdup(key);
    t->finished = finished;
    g_ptr_array_add(found, t);
  }
  g_ptr_array_sort(found, by_id);
  for (guint i = 0; i < found->len; i++)
    g_ptr_array_add(c->l->tasks, g_ptr_array_index(found, i));
  g_ptr_array_free(found, TRUE);
  g_hash_table_destroy(ids);
}

static void task_free(gpointer p) {
  td_status_task *t = p;
  g_free(t->id);
  g_free(t);
}

void td_status_list_collect(td_status_list *l, char **roots, int n_roots,
                            GPtrArray *regexes, td_status_only only) {
  l->roots = g_ptr_array_new_with_free_func(g_free);
  l->tasks = g_ptr_array_new_with_free_func(task_free);
  collect c = {l, g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
               regexes, only, false};
  for (int i = 0; i < n_roots; i++) {
    if (td_root_is_pattern(roots[i])) {
      c.matched = false;
      td_root_expand(roots[i], add_root, &c);
      if (!c.matched)
        td_warning("%s: no directory matches", roots[i]);
    } else {
      add_root(roots[i], &c);
    }
  }
  g_hash_table_destroy(c.seen);
}

void td_status_list_clear(td_status_list *l) {
  g_ptr_array_free(l->tasks, TRUE);
  g_ptr_array_free(l->roots, TRUE);
}
