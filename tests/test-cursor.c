/* Unit tests of the cursor files (host/follow/cursor.c): the two records and
 * what a damaged one falls back to, an empty or missing file, and a cursor
 * written while the process is out of descriptors (the reserve). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "follow/cursor.h"

#define STREAM "/var/run/thermos/checkpoints/t1/runner"
#define SLOT 80 /* bytes of one record in the file */

typedef struct fixture {
  char *dir;
  td_cursors *cs;
  char *file; /* STREAM's cursor file */
} fixture;

static int setup(void **state) {
  fixture *fx = g_new0(fixture, 1);
  fx->dir = g_dir_make_tmp("td-cursor-XXXXXX", NULL);
  assert_non_null(fx->dir);
  char *error = NULL;
  fx->cs = td_cursors_open(fx->dir, &error);
  assert_null(error);
  assert_non_null(fx->cs);
  td_cursor *c = td_cursor_open(fx->cs, STREAM);
  fx->file = g_strdup(td_cursor_file(c));
  td_cursor_close(c);
  *state = fx;
  return 0;
}

static int teardown(void **state) {
  fixture *fx = *state;
  td_cursors_close(fx->cs);
  g_unlink(fx->file);
  g_rmdir(fx->dir);
  g_free(fx->file);
  g_free(fx->dir);
  g_free(fx);
  return 0;
}

static const td_file_identity ID = {1, 2, 64, 0x1234};

static td_cursor_found reread(fixture *fx, td_cursor_pos *pos) {
  td_cursor *c = td_cursor_open(fx->cs, STREAM);
  td_cursor_found found = td_cursor_read(c, pos, NULL);
  td_cursor_close(c);
  return found;
}

/* A first position, then two more: the file holds the last two. */
static void write_three(fixture *fx) {
  td_cursor *c = td_cursor_open(fx->cs, STREAM);
  td_cursor_pos first = {ID, 0, 0, 500};
  td_cursor_reset(c, &first, true);
  td_cursor_set(c, &ID, 600, 7);
  td_cursor_set(c, &ID, 650, 8);
  td_cursor_close(c);
}

static void flip(const char *file, off_t at) {
  int fd = open(file, O_RDWR);
  assert_true(fd >= 0);
  unsigned char b;
  assert_int_equal(pread(fd, &b, 1, at), 1);
  b ^= 1;
  assert_int_equal(pwrite(fd, &b, 1, at), 1);
  close(fd);
}

static void test_missing_and_empty(void **state) {
  fixture *fx = *state;
  td_cursor_pos pos;
  assert_int_equal(reread(fx, &pos), TD_CURSOR_NONE);
  assert_true(g_file_set_contents(fx->file, "", 0, NULL));
  assert_int_equal(reread(fx, &pos), TD_CURSOR_NONE);
}

static void test_latest(void **state) {
  fixture *fx = *state;
  write_three(fx);
  td_cursor_pos pos;
  assert_int_equal(reread(fx, &pos), TD_CURSOR_OK);
  assert_int_equal(pos.offset, 650);
  assert_int_equal(pos.index, 8);
  assert_int_equal(pos.history, 500);
  assert_int_equal(pos.id.ino, 2);
}

/* The newer record damaged (slot 1: the reset writes both, the newer in
 * slot 1, then each set the older one): the one before. */
static void test_newer_damaged(void **state) {
  fixture *fx = *state;
  write_three(fx);
  flip(fx->file, 1 * SLOT + 50);
  td_cursor_pos pos;
  const char *why = NULL;
  td_cursor *c = td_cursor_open(fx->cs, STREAM);
  assert_int_equal(td_cursor_read(c, &pos, &why), TD_CURSOR_FELL_BACK);
  td_cursor_close(c);
  assert_int_equal(pos.offset, 600);
  assert_int_equal(pos.index, 7);
  assert_int_equal(pos.history, 500);
}

static void test_both_damaged_or_cut(void **state) {
  fixture *fx = *state;
  write_three(fx);
  flip(fx->file, 0 * SLOT + 3);
  flip(fx->file, 1 * SLOT + 70);
  td_cursor_pos pos;
  td_cursor *c = td_cursor_open(fx->cs, STREAM);
  const char *why = NULL;
  assert_int_equal(td_cursor_read(c, &pos, &why), TD_CURSOR_DAMAGED);
  assert_string_equal(why, "damaged cursor");
  td_cursor_close(c);
  write_three(fx);
  assert_int_equal(truncate(fx->file, SLOT + 20), 0);
  assert_int_equal(reread(fx, &pos), TD_CURSOR_FELL_BACK);
  assert_int_equal(truncate(fx->file, 20), 0);
  assert_int_equal(reread(fx, &pos), TD_CURSOR_DAMAGED);
}

/* Out of descriptors: the reserve is given up for the write, and taken
 * again after it. */
static void test_no_descriptor_left(void **state) {
  fixture *fx = *state;
  write_three(fx);
  td_cursor *c = td_cursor_open(fx->cs, STREAM);
  struct rlimit saved, low;
  assert_int_equal(getrlimit(RLIMIT_NOFILE, &saved), 0);
  low = saved;
  low.rlim_cur = 64;
  assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
  GArray *fds = g_array_new(FALSE, FALSE, sizeof(int));
  int fd = open("/dev/null", O_RDONLY);
  assert_true(fd >= 0);
  int base = fd;
  do
    g_array_append_val(fds, fd);
  while ((fd = dup(base)) >= 0);
  assert_int_equal(errno, EMFILE);
  td_cursor_set(c, &ID, 700, 9);
  td_cursor_set(c, &ID, 750, 10);
  assert_int_equal(dup(base), -1); /* the reserve is back */
  for (guint i = 0; i < fds->len; i++)
    close(g_array_index(fds, int, i));
  g_array_free(fds, TRUE);
  assert_int_equal(setrlimit(RLIMIT_NOFILE, &saved), 0);
  td_cursor_close(c);
  td_cursor_pos pos;
  assert_int_equal(reread(fx, &pos), TD_CURSOR_OK);
  assert_int_equal(pos.offset, 750);
  assert_int_equal(pos.index, 10);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_missing_and_empty, setup, teardown),
      cmocka_unit_test_setup_teardown(test_latest, setup, teardown),
      cmocka_unit_test_setup_teardown(test_newer_damaged, setup, teardown),
      cmocka_unit_test_setup_teardown(test_both_damaged_or_cut, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_no_descriptor_left, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
