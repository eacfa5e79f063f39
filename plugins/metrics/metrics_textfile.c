/*
 * The textfile output.  node_exporter reads the file at any moment, so it
 * must never see a half-written exposition: the new text goes to a
 * temporary file in the same directory (rename is atomic only within one
 * file system), is fsynced (a crash after the rename must not leave an
 * empty file in its place), then renamed over the old one.
 */
#ifdef HAVE_CONFIG_H
#include "build_config.h"
#endif

#include "metrics_textfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

#include "write_all.h"

/* Makes the rename itself durable.  Best effort: the file is in place and
 * readers see it whatever this says. */
static void sync_dir(const char *path) {
  char *dir = g_path_get_dirname(path);
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    (void)fsync(fd);
    close(fd);
  }
  g_free(dir);
}

static int fail(char **err, int e, const char *what, const char *path) {
  *err = g_strdup_printf("%s %s: %s", what, path, g_strerror(e));
  return e;
}

int mx_textfile_write(const char *path, const char *data, size_t len,
                      char **err) {
  /* A fresh name, created exclusively (g_mkstemp_full: O_CREAT | O_EXCL,
   * which never follows a symbolic link planted under the name): in a
   * shared directory a fixed name would let anyone who can write there
   * make the host overwrite another file.  The final rename replaces a
   * link planted at `path` itself, it does not follow it. */
  char *tmp = g_strdup_printf("%s.tmp.XXXXXX", path);
  int e = 0;
  int fd =
      g_mkstemp_full(tmp, O_WRONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW, 0644);
  if (fd < 0) {
    e = fail(err, errno, "cannot create", tmp);
    g_free(tmp);
    return e;
  }
  if ((e = tdp_write_all(fd, data, len, NULL)) != 0)
    fail(err, e, "cannot write", tmp);
  else if (fsync(fd) != 0)
    e = fail(err, errno, "cannot fsync", tmp);
  if (close(fd) != 0 && e == 0)
    e = fail(err, errno, "cannot close", tmp);
  if (e == 0 && rename(tmp, path) != 0)
    e = fail(err, errno, "cannot rename to", path);
  if (e != 0)
    unlink(tmp); /* never left behind */
  else
    sync_dir(path);
  g_free(tmp);
  return e;
}

int mx_textfile_check(const char *path, char **err) {
  char *dir = g_path_get_dirname(path);
  struct stat st;
  int e = 0;
  if (stat(dir, &st) != 0)
    e = fail(err, errno, "textfile directory", dir);
  else if (!S_ISDIR(st.st_mode))
    e = fail(err, ENOTDIR, "textfile directory", dir);
  g_free(dir);
  return e;
}
