/*
 * Framing: a record is a 4-byte big-endian length N, then N bytes.
 *
 * The file is read with read(2) into one buffer that holds at least the
 * record in hand: mapping the file would count every page read against the
 * memory target, and pipes cannot be mapped.  The buffer grows with the
 * bytes that arrive, never past the largest record (whose length is checked
 * against the limit first), and falls back to its base size after a large
 * record.
 */
#include "framing.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "big_endian.h"

/* The buffer starts small (a host following ten thousand streams keeps
 * ten thousand of them) and doubles, up to READ_CAPACITY, each time a read
 * fills it: a large file is then read in large reads. */
#define MIN_CAPACITY (16u * 1024u)
#define READ_CAPACITY (256u * 1024u)

struct td_framing {
  int fd;
  td_framing_read_fn read_fn; /* instead of read(2) on fd, when set */
  void *read_user;
  uint32_t max_record_size;
  uint8_t *buf;
  size_t cap;
  size_t base;       /* the size to return to after a large record */
  size_t start;      /* first unconsumed byte in buf */
  size_t end;        /* one past the last byte read */
  uint64_t position; /* file offset of buf[start] */
  uint64_t index;    /* index of the next record */
  size_t last_size;  /* bytes of the last record returned, prefix included */
};

td_framing *td_framing_new(int fd, uint32_t max_record_size) {
  td_framing *fr = g_new0(td_framing, 1);
  fr->fd = fd;
  fr->max_record_size = max_record_size;
  fr->base = MIN_CAPACITY; /* the buffer itself comes with the first read */
  return fr;
}

td_framing *td_framing_new_source(td_framing_read_fn fn, void *user,
                                  uint32_t max_record_size) {
  td_framing *fr = td_framing_new(-1, max_record_size);
  fr->read_fn = fn;
  fr->read_user = user;
  return fr;
}

void td_framing_free(td_framing *fr) {
  if (!fr)
    return;
  g_free(fr->buf);
  g_free(fr);
}

uint64_t td_framing_position(const td_framing *fr) { return fr->position; }

uint64_t td_framing_bytes_read(const td_framing *fr) {
  return fr->position + (fr->end - fr->start);
}

/* Moves what is unconsumed to the front of a buffer of `cap` bytes
 * (at least what is unconsumed), allocating it on first use. */
static void resize(td_framing *fr, size_t cap) {
  size_t have = fr->end - fr->start;
  if (fr->start > 0)
    memmove(fr->buf, fr->buf + fr->start, have);
  if (cap != fr->cap) {
    fr->buf = g_realloc(fr->buf, cap);
    fr->cap = cap;
  }
  fr->start = 0;
  fr->end = have;
}

/* Reads until `want` bytes are buffered from `start` or input ends.
 * Returns 0, or -1 on a read error (errno set).
 *
 * The buffer grows only as bytes arrive, doubling each time a read fills
 * it, up to `want`: a record's declared length (up to the limit) is not
 * trusted with memory, so a short file that declares 64 MiB costs the
 * base buffer only.  When it has to move bytes anyway, a buffer grown for
 * a large record goes back to the base size, unless the record before was
 * large too: a run of large records then costs one allocation (page faults
 * cost more than the copy). */
static int fill(td_framing *fr, size_t want) {
  while (fr->end - fr->start < want) {
    if (!fr->buf || fr->end == fr->cap) {
      size_t cap = fr->cap;
      if (want > cap)
        cap = want < 2 * cap ? want : 2 * cap;
      else if (fr->last_size <= fr->base)
        cap = want;
      resize(fr, cap > fr->base ? cap : fr->base);
    }
    ssize_t n =
        fr->read_fn
            ? fr->read_fn(fr->read_user, fr->buf + fr->end, fr->cap - fr->end)
            : read(fr->fd, fr->buf + fr->end, fr->cap - fr->end);
    if (n < 0)
      return -1; /* EINTR included: the caller may have to stop */
    if (n == 0)
      break;
    fr->end += (size_t)n;
    if (fr->end == fr->cap && fr->base < READ_CAPACITY)
      fr->base *= 2;
  }
  return 0;
}

static td_frame_status read_failed(td_err *err) {
  int e = errno;
  td_err_set(err, "%s", g_strerror(e));
  return e == EINTR ? TD_FRAME_INTERRUPTED : TD_FRAME_IO;
}

td_frame_status td_framing_next(td_framing *fr, td_record *rec, td_err *err) {
  rec->index = fr->index;
  rec->offset = fr->position;

  /* The common case, a whole record already buffered, reads nothing. */
  size_t have = fr->end - fr->start;
  if (have < 4) {
    if (fill(fr, 4) < 0)
      return read_failed(err);
    have = fr->end - fr->start;
    if (have == 0) {
      /* Drained: a follower may wait long for more, and a watch has
       * thousands of followers: the buffer is given back until then. */
      g_free(fr->buf);
      fr->buf = NULL;
      fr->cap = 0;
      fr->start = fr->end = 0;
      return TD_FRAME_EOF;
    }
    if (have < 4) {
      td_err_set(err, "truncated record header (%zu of 4 bytes)", have);
      return TD_FRAME_TORN;
    }
  }
  uint32_t n = td_be32(fr->buf + fr->start);
  if (n > fr->max_record_size) {
    td_err_set(err, "record size %" PRIu32 " exceeds limit %" PRIu32, n,
               fr->max_record_size);
    return TD_FRAME_ERROR;
  }
  if (n == 0) {
    td_err_set(err, "empty record");
    return TD_FRAME_ERROR;
  }
  if (have < 4 + (size_t)n) {
    if (fill(fr, 4 + (size_t)n) < 0)
      return read_failed(err);
    have = fr->end - fr->start;
    if (have < 4 + (size_t)n) {
      td_err_set(err, "truncated record body (%zu of %" PRIu32 " bytes)",
                 have - 4, n);
      return TD_FRAME_TORN;
    }
  }
  rec->body = fr->buf + fr->start + 4;
  rec->len = n;
  fr->start += 4 + (size_t)n;
  fr->last_size = 4 + (size_t)n;
  fr->position += 4 + (uint64_t)n;
  fr->index++;
  return TD_FRAME_OK;
}
