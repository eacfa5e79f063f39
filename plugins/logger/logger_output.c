/*
 * The logger's output.  Lines are collected in one buffer and written with
 * write(2) in large pieces: a write per line would cap the plugin far below
 * the millions of events a second a replay delivers.  When to flush is the
 * caller's decision; this file only knows how.
 */
#include "logger_output.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plugin_options.h"
#include "write_all.h"

/* Room for the threshold plus one more line before the buffer must grow. */
#define LG_BUFFER_SIZE (LG_FLUSH_THRESHOLD + 4096)

static int open_file(const char *path) {
  /* O_APPEND: several writers (two instances, logrotate's copytruncate)
   * never overwrite each other.  O_CLOEXEC: no child inherits it. */
  return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644);
}

/* In check mode nothing is created: predict what open() would say, so the
 * check reports the same problem the real start would. */
static int check_file(const char *path) {
  struct stat st;
  if (stat(path, &st) == 0) {
    if (S_ISDIR(st.st_mode))
      return EISDIR;
    return access(path, W_OK) == 0 ? 0 : errno;
  }
  if (errno != ENOENT)
    return errno;
  char *dir = g_path_get_dirname(path);
  int err = 0;
  if (stat(dir, &st) != 0)
    err = errno;
  else if (!S_ISDIR(st.st_mode))
    err = ENOTDIR;
  else if (access(dir, W_OK | X_OK) != 0)
    err = errno;
  g_free(dir);
  return err;
}

int lg_output_open(lg_output *o, const thermos_host_v1 *host,
                   const char *value) {
  memset(o, 0, sizeof *o);
  o->host = host;
  o->fd = -1;
  if (strcmp(value, "-") == 0) {
    o->name = g_strdup("stdout");
    if (!tdp_check_mode(host))
      o->fd = STDOUT_FILENO;
  } else if (strcmp(value, "stderr") == 0) {
    o->name = g_strdup("stderr");
    if (!tdp_check_mode(host))
      o->fd = STDERR_FILENO;
  } else {
    int err = 0;
    if (tdp_check_mode(host)) {
      err = check_file(value);
    } else {
      o->fd = open_file(value);
      if (o->fd < 0)
        err = errno;
    }
    if (err) {
      char *msg = g_strdup_printf("%s: %s", value, g_strerror(err));
      host->config_error(host->host, "output", msg);
      g_free(msg);
      return -1;
    }
    /* Reopened by its absolute path: the same file even if the host
     * changes directory later. */
    o->path = g_canonicalize_filename(value, NULL);
    o->name = g_strdup(value);
  }
  o->buf = g_string_sized_new(LG_BUFFER_SIZE);
  return 0;
}

/* After a write that stopped inside a line (`tail` bytes of it are out):
 * a regular file is cut back to its last whole line, so that the next
 * record does not land on the end of a torn one; anything else (a pipe, a
 * terminal) cannot be, and the next flush ends the torn line first. */
static void drop_torn_line(lg_output *o, size_t tail) {
  struct stat st;
  if (fstat(o->fd, &st) == 0 && S_ISREG(st.st_mode)) {
    /* The offset too: stdout redirected with `>` has no O_APPEND, and
     * its next write would leave a hole where the torn line was. */
    off_t end = lseek(o->fd, 0, SEEK_END);
    off_t cut = end - (off_t)tail;
    if (end >= (off_t)tail && ftruncate(o->fd, cut) == 0 &&
        lseek(o->fd, cut, SEEK_SET) == cut)
      return;
  }
  o->torn = true;
}

int lg_output_flush(lg_output *o) {
  if (o->buf->len == 0)
    return 0;
  bool lead = o->torn; /* the output ends inside a line: end it first */
  if (lead)
    g_string_prepend_c(o->buf, '\n');
  o->torn = false;
  size_t written = 0;
  int err = o->fd < 0
                ? EBADF
                : tdp_write_all(o->fd, o->buf->str, o->buf->len, &written);
  if (err != 0 && written == 0) {
    o->torn = lead;
  } else if (err != 0) {
    /* The buffer holds whole lines: what follows the last newline written
     * is the start of a line that was not finished. */
    const char *nl = g_strrstr_len(o->buf->str, (gssize)written, "\n");
    size_t tail = nl ? written - (size_t)(nl - o->buf->str) - 1 : written;
    if (tail > 0)
      drop_torn_line(o, tail);
  }
  /* Dropped on failure too: keeping them would grow the buffer without
   * bound while the disk is full, and a retry could duplicate a partly
   * written line. */
  g_string_truncate(o->buf, 0);
  if (err == 0) {
    o->failing = 0;
    return 0;
  }
  /* Once per run of the same failure: a full disk must not produce one
   * line per flush. */
  if (err != o->failing)
    thermos_logf(o->host, THERMOS_LOG_ERROR, "write to %s: %s", o->name,
                 g_strerror(err));
  o->failing = err;
  return -1;
}

/* Closes the file, logging a failure (on NFS, close is where a failed
 * write may show).  EINTR is no failure: Linux has closed it anyway. */
static int close_file(lg_output *o, int fd) {
  if (close(fd) == 0 || errno == EINTR)
    return 0;
  thermos_logf(o->host, THERMOS_LOG_ERROR, "close %s: %s", o->name,
               g_strerror(errno));
  return -1;
}

int lg_output_reopen(lg_output *o) {
  /* What was logged before the signal belongs in the rotated file. */
  int rc = lg_output_flush(o);
  if (!o->path || o->fd < 0)
    return rc;
  int fd = open_file(o->path);
  if (fd < 0) {
    /* Keep writing to the old file rather than losing lines. */
    thermos_logf(o->host, THERMOS_LOG_ERROR,
                 "reopen %s: %s (still writing to the old file)", o->path,
                 g_strerror(errno));
    return -1;
  }
  if (close_file(o, o->fd) != 0)
    rc = -1;
  o->fd = fd;
  o->failing = 0;
  o->torn = false; /* a new file: the torn line stays in the old one */
  return rc;
}

void lg_output_close(lg_output *o) {
  if (o->buf)
    lg_output_flush(o);
  if (o->path && o->fd >= 0)
    close_file(o, o->fd);
  o->fd = -1;
  if (o->buf)
    g_string_free(o->buf, TRUE);
  o->buf = NULL;
  g_free(o->path);
  g_free(o->name);
  o->path = o->name = NULL;
}
