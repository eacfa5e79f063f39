/* Unit tests of the record framing (host/core/framing.c) against
 * checkpoint-format.md: records, offsets and indexes, the exact reasons of
 * torn and refused records, and resuming after a torn tail the way `tail`
 * follows a file that is still being written. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <glib.h>

#include "core/framing.h"
#include "unit-helpers.h"

/* A temporary file with separate write and read descriptors, so appending
 * does not move the reader's offset.  Unlinked at once. */
typedef struct tmp {
  int wfd, rfd;
} tmp;

static tmp tmp_open(void) {
  char *path = g_build_filename(g_get_tmp_dir(), "td-framing-XXXXXX", NULL);
  tmp t;
  t.wfd = g_mkstemp(path);
  assert_true(t.wfd >= 0);
  t.rfd = open(path, O_RDONLY);
  assert_true(t.rfd >= 0);
  assert_int_equal(unlink(path), 0);
  g_free(path);
  return t;
}

static void tmp_close(tmp *t) {
  close(t->wfd);
  close(t->rfd);
}

static void write_all(int fd, const void *p, size_t n) {
  const uint8_t *c = p;
  while (n > 0) {
    ssize_t w = write(fd, c, n);
    if (w < 0 && errno == EINTR)
      continue;
    assert_true(w > 0);
    c += w;
    n -= (size_t)w;
  }
}

static void append(tmp *t, const GByteArray *b) {
  write_all(t->wfd, b->data, b->len);
}

/* A body whose bytes depend on `seed` and position, so a misplaced or
 * stale byte shows. */
static uint8_t *body_new(size_t n, unsigned seed) {
  uint8_t *p = g_malloc(n ? n : 1);
  for (size_t i = 0; i < n; i++)
    p[i] = (uint8_t)(i * 31 + seed * 7 + (i >> 8));
  return p;
}

static void frame_body(GByteArray *out, size_t n, unsigned seed) {
  uint8_t *p = body_new(n, seed);
  tu_frame(out, p, n);
  g_free(p);
}

/* Expects the next record to be whole, with this index, offset and body. */
static void expect_record_at(td_framing *fr, uint64_t index, uint64_t offset,
                             size_t n, unsigned seed, const char *file,
                             int line) {
  td_record rec;
  td_err err;
  td_err_clear(&err);
  td_frame_status s = td_framing_next(fr, &rec, &err);
  if (s != TD_FRAME_OK) {
    print_error("expected record %" G_GUINT64_FORMAT ", got status %d (%s)\n",
                index, (int)s, err.msg);
    _fail(file, line);
  }
  uint8_t *want = body_new(n, seed);
  if (rec.index != index || rec.offset != offset || rec.len != n ||
      memcmp(rec.body, want, n) != 0) {
    print_error("record %" G_GUINT64_FORMAT " at %" G_GUINT64_FORMAT
                " of %u bytes, expected %" G_GUINT64_FORMAT
                " at %" G_GUINT64_FORMAT " of %zu (or its body differs)\n",
                rec.index, rec.offset, rec.len, index, offset, n);
    g_free(want);
    _fail(file, line);
  }
  g_free(want);
  if (td_framing_position(fr) != offset + 4 + n) {
    print_error("position %" G_GUINT64_FORMAT ", expected %" G_GUINT64_FORMAT
                "\n",
                td_framing_position(fr), offset + 4 + (uint64_t)n);
    _fail(file, line);
  }
}

/* Expects a status other than OK, with its exact reason (NULL: any
 * non-empty one) and the location of the record concerned. */
static void expect_status_at(td_framing *fr, td_frame_status want,
                             const char *want_reason, uint64_t index,
                             uint64_t offset, const char *file, int line) {
  td_record rec;
  td_err err;
  td_err_clear(&err);
  uint64_t pos = td_framing_position(fr);
  td_frame_status s = td_framing_next(fr, &rec, &err);
  int bad = 0;
  if (s != want) {
    print_error("status %d (%s), expected %d\n", (int)s, err.msg, (int)want);
    bad = 1;
  } else if (want != TD_FRAME_EOF &&
             (want_reason ? strcmp(err.msg, want_reason) != 0
                          : err.msg[0] == '\0')) {
    print_error("reason '%s', expected '%s'\n", err.msg,
                want_reason ? want_reason : "(non-empty)");
    bad = 1;
  } else if (rec.index != index || rec.offset != offset) {
    print_error("record %" G_GUINT64_FORMAT " at %" G_GUINT64_FORMAT
                ", expected %" G_GUINT64_FORMAT " at %" G_GUINT64_FORMAT "\n",
                rec.index, rec.offset, index, offset);
    bad = 1;
  } else if (td_framing_position(fr) != pos) {
    print_error("position moved from %" G_GUINT64_FORMAT
                " to %" G_GUINT64_FORMAT "\n",
                pos, td_framing_position(fr));
    bad = 1;
  }
  if (bad)
    _fail(file, line);
}

#define EXPECT_RECORD(fr, index, offset, n, seed)                              \
  expect_record_at((fr), (index), (offset), (n), (seed), __FILE__, __LINE__)
#define EXPECT_STATUS(fr, status, reason, index, offset)                       \
  expect_status_at((fr), (status), (reason), (index), (offset), __FILE__,      \
                   __LINE__)

static void test_empty_input(void **unused) {
  (void)unused;
  tmp t = tmp_open();
  td_framing *fr = td_framing_new(t.rfd, TD_MAX_RECORD_SIZE_LIMIT);
  assert_int_equal(td_framing_position(fr), 0);
  EXPECT_STATUS(fr, TD_FRAME_EOF, NULL, 0, 0);
  EXPECT_STATUS(fr, TD_FRAME_EOF, NULL, 0, 0);
  td_framing_free(fr);
  tmp_close(&t);
}

static void test_records_offsets_indexes(void **unused) {
  (void)unused;
  const size_t sizes[] = {1, 5, 300, 70000, 2, 4};
  const size_t n = sizeof sizes / sizeof sizes[0];
  tmp t = tmp_open();
  GByteArray *b = g_byte_array_new();
  for (size_t i = 0; i < n; i++)
    frame_body(b, sizes[i], (unsigned)i);
  append(&t, b);
  td_framing *fr = td_framing_new(t.rfd, TD_MAX_RECORD_SIZE_LIMIT);
  uint64_t off = 0;
  for (size_t i = 0; i < n; i++) {
    EXPECT_RECORD(fr, i, off, sizes[i], (unsigned)i);
    off += 4 + sizes[i];
  }
  assert_int_equal(off, b->len);
  /* EOF at a boundary, as often as asked, locating the next record. */
  EXPECT_STATUS(fr, TD_FRAME_EOF, NULL, n, off);
  EXPECT_STATUS(fr, TD_FRAME_EOF, NULL, n, off);
  td_framing_free(fr);
  g_byte_array_unref(b);
  tmp_close(&t);
}

static void test_torn_header(void **unused) {
  (void)unused;
  for (size_t k = 1; k <= 3; k++) {
    tmp t = tmp_open();
    GByteArray *b = g_byte_array_new();
    frame_body(b, 5, 1);
    const uint8_t header[4] = {0, 0, 0, 10};
    tu_bytes(b, header, k);
    append(&t, b);
    td_framing *fr = td_framing_new(t.rfd, TD_MAX_RECORD_SIZE_LIMIT);
    EXPECT_RECORD(fr, 0, 0, 5, 1);
    char want[64];
    snprintf(want, sizeof want, "truncated record header (%zu of 4 bytes)", k);
    EXPECT_STATUS(fr, TD_FRAME_TORN, want, 1, 9);
    /* Still torn when asked again with nothing new. */
    EXPECT_STATUS(fr, TD_FRAME_TORN, want, 1, 9);
    td_framing_free(fr);
    g_byte_array_unref(b);
    tmp_close(&t);
  }
  /* A torn header as the very first record. */
  tmp t = tmp_open();
  write_all(t.wfd, "\0\0", 2);
  td_framing *fr = td_framing_new(t.rfd, TD_MAX_RECORD_SIZE_LIMIT);
  EXPECT_STATUS(fr, TD_FRAME_TORN, "truncated record header (2 of 4 bytes)", 0,
                0);
  td_framing_free(fr);
  tmp_close(&t);
}

static void test_torn_body(void **unused) {
  (void)unused;
  static const struct {
    uint32_t n, have;
  } cases[] = {{10, 0}, {10, 3}, {10, 9}, {1 << 20, 1000}, {1 << 20, 300000}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    tmp t = tmp_open();
    GByteArray *b = g_byte_array_new();
    frame_body(b, 3, 1);
    uint8_t *body = body_new(cases[i].n, 2);
    tu_frame(b, body, cases[i].n);
    g_byte_array_set_size(b, 7 + 4 + cases[i].have);
    append(&t, b);
    td_framing *fr = td_framing_new(t.rfd, TD_MAX_RECORD_SIZE_LIMIT);
    EXPECT_RECORD(fr, 0, 0, 3, 1);
    char want[80];
    snprintf(want, sizeof want, "truncated record body (%u of %u bytes)",
             cases[i].have, cases[i].n);
    EXPECT_STATUS(fr, TD_FRAME_TORN, want, 1, 7);
    td_framing_free(fr);
    g_free(body);
    g_byte_array_unref(b);
    tmp_close(&t);
  }
}

static void test_empty_record(void **unused) {
  (void)unused;
  tmp t = tmp_open();
  GByteArray *b = g_byte_array_new();
  frame_body(b, 2, 1);
  tu_i32(b, 0);
  frame_body(b, 2, 2);
  append(&t, b);
  td_framing *fr = td_framing_new(t.rfd, TD_MAX_RECORD_SIZE_LIMIT);
  EXPECT_RECORD(fr, 0, 0, 2, 1);
  EXPECT_STATUS(fr, TD_FRAME_ERROR, "empty record", 1, 6);
  td_framing_free(fr);
  g_byte_array_unref(b);
  tmp_close(&t);
}

static void test_size_limit(void **unused) {
  (void)unused;
  static const struct {
    uint32_t max, n;
    const char *want;
  } cases[] = {
      {TD_MAX_RECORD_SIZE_LIMIT, 67108865,
       "record size 67108865 exceeds limit 67108864"},
      {TD_MAX_RECORD_SIZE_LIMIT, UINT32_MAX,
       "record size 4294967295 exceeds limit 67108864"},
      {TD_MAX_RECORD_SIZE_LIMIT, 0x80000000u,
       "record size 2147483648 exceeds limit 67108864"},
      {100, 101, "record size 101 exceeds limit 100"},
      {1, 2, "record size 2 exceeds limit 1"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    /* Only the length prefix is there: refusing it must not wait for (or
     * report as torn) a body that would be refused anyway. */
    tmp t = tmp_open();
    GByteArray *b = g_byte_array_new();
    frame_body(b, 1, 1);
    tu_i32(b, (int32_t)cases[i].n);
    append(&t, b);
    td_framing *fr = td_framing_new(t.rfd, cases[i].max);
    EXPECT_RECORD(fr, 0, 0, 1, 1);
    EXPECT_STATUS(fr, TD_FRAME_ERROR, cases[i].want, 1, 5);
    td_framing_free(fr);
    g_byte_array_unref(b);
    tmp_close(&t);
  }
}

static void test_exactly_at_limit(void **unused) {
  (void)unused;
  /* The limit is inclusive. */
  const uint32_t limits[] = {4096, 100, 1};
  for (size_t i = 0; i < 3; i++) {
    uint32_t max = limits[i];
    tmp t = tmp_open();
    GByteArray *b = g_byte_array_new();
    frame_body(b, max, 1);
    frame_body(b, max + 1, 2);
    append(&t, b);
    td_framing *fr = td_framing_new(t.rfd, max);
    EXPECT_RECORD(fr, 0, 0, max, 1);
    char want[80];
    snprintf(want, sizeof want, "record size %u exceeds limit %u", max + 1,
             max);
    EXPECT_STATUS(fr, TD_FRAME_ERROR, want, 1, 4 + max);
    td_framing_free(fr);
    g_byte_array_unref(b);
    tmp_close(&t);
  }
}

static void test_resume_after_torn(void **unused) {
  (void)unused;
  /* A writer appending a record in pieces: the reader reports the tear,
   * then, once the file has grown, the whole record, once. */
  tmp t = tmp_open();
  GByteArray *b = g_byte_array_new();
  frame_body(b, 5, 1);
  GByteArray *r1 = g_byte_array_new();
  frame_body(r1, 10, 2);
  tu_bytes(b, r1->data, 2);
  append(&t, b);
  td_framing *fr = td_framing_new(t.rfd, TD_MAX_RECORD_SIZE_LIMIT);
  EXPECT_RECORD(fr, 0, 0, 5, 1);
  EXPECT_STATUS(fr, TD_FRAME_TORN, "truncated record header (2 of 4 bytes)", 1,
                9);
  write_all(t.wfd, r1->data + 2, 1);
  EXPECT_STATUS(fr, TD_FRAME_TORN, "truncated record header (3 of 4 bytes)", 1,
                9);
  write_all(t.wfd, r1->data + 3, 4);
  EXPECT_STATUS(fr, TD_FRAME_TORN, "truncated record body (3 of 10 bytes)", 1,
                9);
  write_all(t.wfd, r1->data + 7, 6);
  EXPECT_STATUS(fr, TD_FRAME_TORN, "truncated record body (9 of 10 bytes)", 1,
                9);
  write_all(t.wfd, r1->data + 13, 1);
  EXPECT_RECORD(fr, 1, 9, 10, 2);
  EXPECT_STATUS(fr, TD_FRAME_EOF, NULL, 2, 23);

  /* After EOF, a new record. */
  GByteArray *r2 = g_byte_array_new();
  frame_body(r2, 400000, 3);
  append(&t, r2);
  EXPECT_RECORD(fr, 2, 23, 400000, 3);
  EXPECT_STATUS(fr, TD_FRAME_EOF, NULL, 3, 400027);

  /* A large record arriving in two halves, the first past the buffer's
   * initial size. */
  GByteArray *r3 = g_byte_array_new();
  frame_body(r3, 1 << 20, 4);
  write_all(t.wfd, r3->data, 600000);
  char want[80];
  snprintf(want, sizeof want, "truncated record body (%d of %d bytes)",
           600000 - 4, 1 << 20);
  EXPECT_STATUS(fr, TD_FRAME_TORN, want, 3, 400027);
  write_all(t.wfd, r3->data + 600000, r3->len - 600000);
  EXPECT_RECORD(fr, 3, 400027, 1 << 20, 4);
  EXPECT_STATUS(fr, TD_FRAME_EOF, NULL, 4, 400027 + 4 + (1 << 20));

  td_framing_free(fr);
  g_byte_array_unref(b);
  g_byte_array_unref(r1);
  g_byte_array_unref(r2);
  g_byte_array_unref(r3);
  tmp_close(&t);
}

static void test_large_records(void **unused) {
  (void)unused;
  /* Larger than any initial buffer, between small ones, so the buffer grows
   * with bytes already in it and comes back down. */
  const size_t sizes[] = {3, 1 << 20, 7, 5 << 20, 1, 300000, 2};
  const size_t n = sizeof sizes / sizeof sizes[0];
  tmp t = tmp_open();
  GByteArray *b = g_byte_array_new();
  for (size_t i = 0; i < n; i++)
    frame_body(b, sizes[i], (unsigned)i + 10);
  append(&t, b);
  td_framing *fr = td_framing_new(t.rfd, TD_MAX_RECORD_SIZE_LIMIT);
  uint64_t off = 0;
  for (size_t i = 0; i < n; i++) {
    EXPECT_RECORD(fr, i, off, sizes[i], (unsigned)i + 10);
    off += 4 + sizes[i];
  }
  EXPECT_STATUS(fr, TD_FRAME_EOF, NULL, n, off);
  td_framing_free(fr);
  g_byte_array_unref(b);
  tmp_close(&t);
}

/* A writer thread feeding a pipe in small, uneven pieces, so the reader
 * sees short reads everywhere, headers included. */
typedef struct feeder {
  int fd;
  GByteArray *data;
} feeder;

static gpointer feed(gpointer arg) {
  feeder *f = arg;
  size_t at = 0;
  unsigned step = 1;
  while (at < f->data->len) {
    size_t n = step % 7 + 1;
    if (n > f->data->len - at)
      n = f->data->len - at;
    write_all(f->fd, f->data->data + at, n);
    at += n;
    step++;
  }
  close(f->fd);
  return NULL;
}

static void test_pipe_short_reads(void **unused) {
  (void)unused;
  const size_t sizes[] = {1, 2, 3, 4, 5, 100, 1000, 70000};
  const size_t n = sizeof sizes / sizeof sizes[0];
  int fds[2];
  assert_int_equal(pipe(fds), 0);
  feeder f = {fds[1], g_byte_array_new()};
  for (size_t i = 0; i < n; i++)
    frame_body(f.data, sizes[i], (unsigned)i);
  GThread *th = g_thread_new("feeder", feed, &f);
  td_framing *fr = td_framing_new(fds[0], TD_MAX_RECORD_SIZE_LIMIT);
  uint64_t off = 0;
  for (size_t i = 0; i < n; i++) {
    EXPECT_RECORD(fr, i, off, sizes[i], (unsigned)i);
    off += 4 + sizes[i];
  }
  EXPECT_STATUS(fr, TD_FRAME_EOF, NULL, n, off);
  g_thread_join(th);
  td_framing_free(fr);
  close(fds[0]);
  g_byte_array_unref(f.data);
}

static void on_alarm(int sig) { (void)sig; }

static void test_interrupted(void **unused) {
  (void)unused;
  /* A signal during a blocking read (a follower woken to stop) returns
   * INTERRUPTED; the bytes already read are kept, so calling again after
   * the rest arrives yields the record whole. */
  struct sigaction sa, old;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_alarm; /* no SA_RESTART: read(2) fails with EINTR */
  sigemptyset(&sa.sa_mask);
  assert_int_equal(sigaction(SIGALRM, &sa, &old), 0);
  int fds[2];
  assert_int_equal(pipe(fds), 0);
  GByteArray *b = g_byte_array_new();
  frame_body(b, 20, 7);
  write_all(fds[1], b->data, 2);
  td_framing *fr = td_framing_new(fds[0], TD_MAX_RECORD_SIZE_LIMIT);
  /* Repeating, in case one fires before read(2) blocks; stopped as soon as
   * the call returns so it cannot interrupt what follows. */
  struct itimerval it = {{0, 50000}, {0, 100000}}, off = {{0, 0}, {0, 0}};
  assert_int_equal(setitimer(ITIMER_REAL, &it, NULL), 0);
  td_record rec;
  td_err err;
  td_frame_status s = td_framing_next(fr, &rec, &err);
  assert_int_equal(setitimer(ITIMER_REAL, &off, NULL), 0);
  assert_int_equal(s, TD_FRAME_INTERRUPTED);
  assert_int_equal(rec.index, 0);
  assert_int_equal(rec.offset, 0);
  assert_int_equal(td_framing_position(fr), 0);
  write_all(fds[1], b->data + 2, b->len - 2);
  close(fds[1]);
  EXPECT_RECORD(fr, 0, 0, 20, 7);
  EXPECT_STATUS(fr, TD_FRAME_EOF, NULL, 1, 24);
  td_framing_free(fr);
  close(fds[0]);
  g_byte_array_unref(b);
  assert_int_equal(sigaction(SIGALRM, &old, NULL), 0);
}

static void test_read_error(void **unused) {
  (void)unused;
  /* read(2) on a directory fails with EISDIR. */
  int fd = open("/", O_RDONLY | O_DIRECTORY);
  assert_true(fd >= 0);
  td_framing *fr = td_framing_new(fd, TD_MAX_RECORD_SIZE_LIMIT);
  td_record rec;
  td_err err;
  assert_int_equal(td_framing_next(fr, &rec, &err), TD_FRAME_IO);
  assert_string_equal(err.msg, g_strerror(EISDIR));
  assert_int_equal(rec.index, 0);
  assert_int_equal(rec.offset, 0);
  td_framing_free(fr);
  close(fd);
}

static void test_reason_bounded(void **unused) {
  (void)unused;
  tmp t = tmp_open();
  write_all(t.wfd, "\0\0\0", 3);
  td_framing *fr = td_framing_new(t.rfd, TD_MAX_RECORD_SIZE_LIMIT);
  td_record rec;
  /* The reason stays within its td_err: what follows it is untouched. */
  struct {
    td_err err;
    char after[64];
  } guarded;
  memset(&guarded, 'Z', sizeof guarded);
  assert_int_equal(td_framing_next(fr, &rec, &guarded.err), TD_FRAME_TORN);
  assert_string_equal(guarded.err.msg,
                      "truncated record header (3 of 4 bytes)");
  for (size_t i = 0; i < sizeof guarded.after; i++)
    assert_int_equal(guarded.after[i], 'Z');
  td_framing_free(fr);
  tmp_close(&t);
}

static void test_reason_untouched_on_success(void **unused) {
  (void)unused;
  /* A record read, and the end of input at a boundary, write nothing to
   * the reason (the hot path). */
  tmp t = tmp_open();
  GByteArray *b = g_byte_array_new();
  frame_body(b, 20, 3);
  write_all(t.wfd, b->data, b->len);
  td_framing *fr = td_framing_new(t.rfd, TD_MAX_RECORD_SIZE_LIMIT);
  td_record rec;
  td_err err;
  memset(&err, 'Z', sizeof err);
  assert_int_equal(td_framing_next(fr, &rec, &err), TD_FRAME_OK);
  assert_int_equal(td_framing_next(fr, &rec, &err), TD_FRAME_EOF);
  for (size_t i = 0; i < sizeof err.msg; i++)
    assert_int_equal(err.msg[i], 'Z');
  td_framing_free(fr);
  tmp_close(&t);
  g_byte_array_unref(b);
}

static void test_offsets_past_4gib(void **unused) {
  (void)unused;
  /* 64 records of the largest size (sparse: their bodies are holes), then a
   * small one whose offset needs more than 32 bits.  The reader keeps one
   * buffer for the run of large records: a few seconds for 4 GiB. */
  const uint64_t big = TD_MAX_RECORD_SIZE_LIMIT;
  const uint64_t nbig = 64;
  tmp t = tmp_open();
  const uint64_t last = nbig * (4 + big);
  if (ftruncate(t.wfd, (off_t)last) != 0) {
    tmp_close(&t);
    skip(); /* no sparse files of this size here */
  }
  for (uint64_t i = 0; i < nbig; i++) {
    uint8_t h[4] = {(uint8_t)(big >> 24), (uint8_t)(big >> 16),
                    (uint8_t)(big >> 8), (uint8_t)big};
    assert_int_equal(pwrite(t.wfd, h, 4, (off_t)(i * (4 + big))), 4);
  }
  GByteArray *b = g_byte_array_new();
  frame_body(b, 9, 5);
  assert_int_equal(pwrite(t.wfd, b->data, b->len, (off_t)last),
                   (ssize_t)b->len);
  td_framing *fr = td_framing_new(t.rfd, TD_MAX_RECORD_SIZE_LIMIT);
  td_record rec;
  td_err err;
  for (uint64_t i = 0; i < nbig; i++) {
    assert_int_equal(td_framing_next(fr, &rec, &err), TD_FRAME_OK);
    assert_int_equal(rec.index, i);
    assert_int_equal(rec.offset, i * (4 + big));
    assert_int_equal(rec.len, big);
  }
  assert_true(last > UINT32_MAX);
  EXPECT_RECORD(fr, nbig, last, 9, 5);
  EXPECT_STATUS(fr, TD_FRAME_EOF, NULL, nbig + 1, last + 13);
  td_framing_free(fr);
  g_byte_array_unref(b);
  tmp_close(&t);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_empty_input),
      cmocka_unit_test(test_records_offsets_indexes),
      cmocka_unit_test(test_torn_header),
      cmocka_unit_test(test_torn_body),
      cmocka_unit_test(test_empty_record),
      cmocka_unit_test(test_size_limit),
      cmocka_unit_test(test_exactly_at_limit),
      cmocka_unit_test(test_resume_after_torn),
      cmocka_unit_test(test_large_records),
      cmocka_unit_test(test_pipe_short_reads),
      cmocka_unit_test(test_interrupted),
      cmocka_unit_test(test_read_error),
      cmocka_unit_test(test_reason_bounded),
      cmocka_unit_test(test_reason_untouched_on_success),
      cmocka_unit_test(test_offsets_past_4gib),
  };
  return cmocka_run_group_tests_name("framing", tests, NULL, NULL);
}
