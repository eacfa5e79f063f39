/* The regression driver: feeds files to a fuzz target's
 * LLVMFuzzerTestOneInput, built with the normal compiler (no libFuzzer).
 *
 *   replay-TARGET [FILE|DIR]...
 *
 * Without arguments it replays $top_srcdir/tests/fuzz/corpus/TARGET and
 * regressions/TARGET (`make check`).  A directory's files go in name order;
 * a missing directory is skipped.  A crash is the failure; otherwise the
 * exit status is 0, or 99 when a file cannot be read. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <glib.h>

#include "fuzz.h"

#ifndef FUZZ_TARGET
#error "FUZZ_TARGET must name the target"
#endif

static unsigned long replayed;

static int replay_file(const char *path) {
  fprintf(stderr, "replay-%s: %s\n", FUZZ_TARGET, path);
  gchar *buf = NULL;
  gsize len = 0;
  GError *err = NULL;
  if (!g_file_get_contents(path, &buf, &len, &err)) {
    fprintf(stderr, "replay-%s: %s\n", FUZZ_TARGET, err->message);
    g_error_free(err);
    return -1;
  }
  /* A copy of exactly `len` bytes, so ASan sees reads past the end. */
  uint8_t *data = malloc(len ? len : 1);
  if (!data)
    abort();
  memcpy(data, buf, len);
  g_free(buf);
  LLVMFuzzerTestOneInput(data, len);
  free(data);
  replayed++;
  return 0;
}

static int by_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static int replay_path(const char *path, int must_exist) {
  struct stat sb;
  if (stat(path, &sb) != 0) {
    if (errno == ENOENT && !must_exist)
      return 0;
    fprintf(stderr, "replay-%s: %s: %s\n", FUZZ_TARGET, path, strerror(errno));
    return -1;
  }
  if (!S_ISDIR(sb.st_mode))
    return replay_file(path);
  GDir *dir = g_dir_open(path, 0, NULL);
  if (!dir) {
    fprintf(stderr, "replay-%s: cannot open %s\n", FUZZ_TARGET, path);
    return -1;
  }
  GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
  const gchar *name;
  while ((name = g_dir_read_name(dir)) != NULL)
    if (name[0] != '.' && strcmp(name, "README") != 0)
      g_ptr_array_add(names, g_build_filename(path, name, NULL));
  g_dir_close(dir);
  if (names->len > 1) /* pdata is NULL while the array is empty */
    qsort(names->pdata, names->len, sizeof(gpointer), by_name);
  int rc = 0;
  for (guint i = 0; i < names->len; i++)
    if (replay_file(g_ptr_array_index(names, i)))
      rc = -1;
  g_ptr_array_unref(names);
  return rc;
}

int main(int argc, char **argv) {
  int rc = 0;
  if (argc > 1) {
    for (int i = 1; i < argc; i++)
      if (replay_path(argv[i], 1))
        rc = -1;
  } else {
    const char *top = getenv("top_srcdir");
    if (!top)
      top = ".";
    static const char *const kinds[] = {"corpus", "regressions"};
    for (size_t k = 0; k < 2; k++) {
      gchar *dir =
          g_build_filename(top, "tests", "fuzz", kinds[k], FUZZ_TARGET, NULL);
      if (replay_path(dir, k == 0))
        rc = -1;
      g_free(dir);
    }
  }
  printf("replay-%s: %lu inputs replayed\n", FUZZ_TARGET, replayed);
  return rc ? 99 : 0;
}
