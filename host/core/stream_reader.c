#include "stream_reader.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

#include "diag.h"
#include "error.h"

struct td_stream {
  char *path;
  int fd;
  bool owns_fd;
  td_framing *framing;
  td_decoder decoder;
  /* Reasons name process names and sizes: TD_ERR_MAX is ample, and a
   * longer one is cut rather than overflowing. */
  td_err err;
  td_err detail; /* the decoder's, which `err` quotes */
};

static td_stream *stream_new(const char *path, int fd, bool owns,
                             uint32_t max_record_size) {
  /* Not zeroed: the message arrays at its end are written only on an
   * error, and a watch keeps thousands of streams. */
  td_stream *s = g_malloc(sizeof *s);
  memset(s, 0, offsetof(td_stream, err));
  td_err_clear(&s->err);
  s->path = g_strdup(path);
  s->fd = fd;
  s->owns_fd = owns;
  s->framing = td_framing_new(fd, max_record_size);
  td_decoder_init(&s->decoder);
  return s;
}

td_stream *td_stream_open_followed(const char *path, uint32_t max_record_size,
                                   int *err) {
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    *err = errno;
    return NULL;
  }
  struct stat sb;
  int failed = 0;
  if (fstat(fd, &sb) != 0)
    failed = errno;
  else if (S_ISDIR(sb.st_mode))
    failed = EISDIR;
  else if (!S_ISREG(sb.st_mode))
    failed = TD_STREAM_NOT_REGULAR;
  if (failed) {
    close(fd);
    *err = failed;
    return NULL;
  }
  return stream_new(path, fd, true, max_record_size);
}

const char *td_stream_open_reason(const char *path, int err) {
  struct stat sb;
  if (err == TD_STREAM_NOT_REGULAR)
    return "not a regular file";
  /* O_NOFOLLOW's ELOOP: the path itself is a link (rather than a loop of
   * links above it). */
  if (err == ELOOP && lstat(path, &sb) == 0 && S_ISLNK(sb.st_mode))
    return "a symbolic link";
  return g_strerror(err);
}

td_stream *td_stream_open(const char *path, uint32_t max_record_size) {
  int fd;
  bool owns = true;
  if (strcmp(path, "-") == 0) {
    fd = STDIN_FILENO;
    owns = false;
  } else {
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      td_error("%s: %s", path, g_strerror(errno));
      return NULL;
    }
  }
  struct stat sb;
  if (fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode)) {
    td_error("%s: %s", path, g_strerror(EISDIR));
    if (owns)
      close(fd);
    return NULL;
  }
  return stream_new(path, fd, owns, max_record_size);
}

td_stream *td_stream_open_source(const char *name, td_framing_read_fn fn,
                                 void *user, uint32_t max_record_size) {
  td_stream *s = stream_new(name, -1, false, max_record_size);
  td_framing_free(s->framing);
  s->framing = td_framing_new_source(fn, user, max_record_size);
  return s;
}

td_stream *td_stream_open_fd(const char *name, int fd,
                             uint32_t max_record_size) {
  return stream_new(name, fd, true, max_record_size);
}

void td_stream_close(td_stream *s) {
  if (!s)
    return;
  td_framing_free(s->framing);
  td_decoder_clear(&s->decoder);
  if (s->owns_fd)
    close(s->fd);
  g_free(s->path);
  g_free(s);
}

const char *td_stream_path(const td_stream *s) { return s->path; }

int td_stream_fd(const td_stream *s) { return s->fd; }

uint64_t td_stream_bytes_read(const td_stream *s) {
  return td_framing_bytes_read(s->framing);
}

uint64_t td_stream_position(const td_stream *s) {
  return td_framing_position(s->framing);
}

const char *td_stream_reason(const td_stream *s) { return s->err.msg; }

td_stream_status td_stream_next(td_stream *s, td_record *rec, td_ckpt *ck) {
  switch (td_framing_next(s->framing, rec, &s->err)) {
  case TD_FRAME_OK:
    break;
  case TD_FRAME_EOF:
    return TD_STREAM_END;
  case TD_FRAME_TORN:
    return TD_STREAM_TORN;
  case TD_FRAME_IO:
    return TD_STREAM_IO;
  case TD_FRAME_INTERRUPTED:
    return TD_STREAM_INTERRUPTED;
  case TD_FRAME_ERROR:
  default:
    return TD_STREAM_ERROR;
  }
  if (td_decode_ckpt(&s->decoder, rec->body, rec->len, ck, &s->detail) < 0) {
    td_err_set(&s->err, "undecodable record: %s", s->detail.msg);
    return TD_STREAM_ERROR;
  }
  return TD_STREAM_RECORD;
}

void td_stream_report(const td_stream *s, const td_record *rec,
                      const char *reason, bool warning) {
  if (warning)
    td_warning("%s: record %" PRIu64 " at byte %" PRIu64 ": %s", s->path,
               rec->index, rec->offset, reason);
  else
    td_error("%s: record %" PRIu64 " at byte %" PRIu64 ": %s", s->path,
             rec->index, rec->offset, reason);
}
