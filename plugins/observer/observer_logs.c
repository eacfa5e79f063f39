/* Process logs, opened one path component at a time so that no name and
 * no symlink in a task's directories can lead out of its log directory,
 * and Aurora's /logdata chunks of them (observer_logs.h). */
#include "observer_logs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "format/json_write.h"

/* A name usable as one path component: not empty, not "." or "..", no
 * '/'.  (A NUL cannot be in a C string.) */
static bool component_ok(const char *name) {
  return name && *name && strcmp(name, ".") != 0 && strcmp(name, "..") != 0 &&
         !strchr(name, '/');
}

/* Opens directory `name` below `dir_fd` without following a symlink;
 * closes `dir_fd`.  -1 with errno on failure. */
static int step(int dir_fd, const char *name) {
  if (dir_fd < 0)
    return -1;
  int fd =
      openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  int saved = errno;
  close(dir_fd);
  errno = saved;
  return fd;
}

/* Opens the directory the runner named.  Its parent path is the
 * operator's (it may hold symlinks, as /var often does); its last
 * component is in the sandbox, where the task could put a symlink, so it
 * is not followed. */
static int open_dir_path(const char *path) {
  char *copy = g_strdup(path);
  size_t len = strlen(copy);
  while (len > 1 && copy[len - 1] == '/')
    copy[--len] = '\0';
  int fd;
  char *slash = strrchr(copy, '/');
  if (!slash || len == 1) {
    /* Relative without a parent, or "/" itself. */
    fd = open(copy,
              O_RDONLY | O_DIRECTORY | O_CLOEXEC | (slash ? 0 : O_NOFOLLOW));
  } else {
    const char *last = slash + 1;
    if (!component_ok(last)) {
      g_free(copy);
      errno = ENOENT;
      return -1;
    }
    *slash = '\0';
    int parent =
        open(slash == copy ? "/" : copy, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    fd = step(parent, last);
  }
  g_free(copy);
  return fd;
}

/* What a refusal looks like to the caller: a file that is not there. */
static int refused(void) {
  errno = ENOENT;
  return -1;
}

int obs_log_open(const char *log_dir, const char *root, const char *task_id,
                 const char *process, unsigned run, const char *stream) {
  if (!stream ||
      (strcmp(stream, "stdout") != 0 && strcmp(stream, "stderr") != 0))
    return refused();
  if (!component_ok(process))
    return refused();
  int dir;
  if (log_dir && *log_dir) {
    dir = open_dir_path(log_dir);
  } else {
    /* <root>/logs/<task_id>: the root is the operator's checkpoint root. */
    if (!root || !*root || !component_ok(task_id))
      return refused();
    dir = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    dir = step(dir, "logs");
    dir = step(dir, task_id);
  }
  char run_name[16];
  g_snprintf(run_name, sizeof run_name, "%u", run);
  dir = step(dir, process);
  dir = step(dir, run_name);
  if (dir < 0)
    return errno == ELOOP || errno == ENOTDIR ? refused() : -1;
  /* Looked at before it is opened, so a FIFO or a device put there is
   * never opened at all; O_NONBLOCK besides, in case one replaces the file
   * between the look and the open (the fstat below then refuses it). */
  struct stat before;
  if (fstatat(dir, stream, &before, AT_SYMLINK_NOFOLLOW) != 0) {
    int err = errno;
    close(dir);
    errno = err;
    return -1;
  }
  if (!S_ISREG(before.st_mode)) {
    close(dir);
    return refused();
  }
  int fd = openat(dir, stream,
                  O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  int saved = errno;
  close(dir);
  if (fd < 0) {
    errno = saved;
    return errno == ELOOP ? refused() : -1;
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
      st.st_ino != before.st_ino || st.st_dev != before.st_dev) {
    close(fd);
    return refused();
  }
  return fd;
}

/* Appends Aurora's xml.sax.saxutils.escape of `data` (& < >): Aurora's
 * log viewer inserts the data as HTML. */
static void xml_escape(GString *out, const char *data, size_t len) {
  for (size_t i = 0; i < len; i++) {
    switch (data[i]) {
    case '&':
      g_string_append(out, "&amp;");
      break;
    case '<':
      g_string_append(out, "&lt;");
      break;
    case '>':
      g_string_append(out, "&gt;");
      break;
    default:
      g_string_append_c(out, data[i]);
    }
  }
}

int obs_logdata_json(GString *out, int fd, int64_t offset, int64_t length) {
  struct stat st;
  if (fstat(fd, &st) != 0)
    return -1;
  int64_t size = st.st_size;
  if (offset < 0)
    offset = size; /* -1 (or any negative): the end */
  if (length < 0)
    length = size > offset ? size - offset : 0; /* Aurora: to the end */
  if (length > OBS_LOGDATA_MAX)
    length = OBS_LOGDATA_MAX;
  if (offset > size)
    length = 0; /* past the end: nothing, as Aurora's read there */
  char *buf = g_malloc((size_t)length + 1);
  size_t got = 0;
  while (got < (size_t)length) {
    ssize_t n = pread(fd, buf + got, (size_t)length - got,
                      (off_t)(offset + (int64_t)got));
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      g_free(buf);
      return -1;
    }
    if (n == 0)
      break;
    got += (size_t)n;
  }
  GString *escaped = g_string_sized_new(got + 16);
  xml_escape(escaped, buf, got);
  g_free(buf);
  g_string_append_printf(out,
                         "{\"offset\":%" G_GINT64_FORMAT
                         ",\"length\":%" G_GSIZE_FORMAT ",\"data\":",
                         offset, got);
  td_json_write_string(out, escaped->str, escaped->len);
  g_string_append_c(out, '}');
  g_string_free(escaped, TRUE);
  return 0;
}
