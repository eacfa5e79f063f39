/* Unit tests of td_err (host/core/error.c), the error with a message that
 * the layers fill in: the text as formatted, the return value, and the cut
 * of a message longer than TD_ERR_MAX - 1 bytes (terminated, nothing
 * written past the struct, never inside a UTF-8 character). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include <glib.h>

#include "core/error.h"

/* A td_err with bytes after it, to see that nothing is written there. */
typedef struct guarded {
  td_err err;
  char after[64];
} guarded;

static void guarded_init(guarded *g) { memset(g, 'Z', sizeof *g); }

static void expect_after_untouched(const guarded *g) {
  for (size_t i = 0; i < sizeof g->after; i++)
    assert_int_equal(g->after[i], 'Z');
}

/* `n` bytes of `c`, terminated (g_free it). */
static char *repeat(char c, size_t n) {
  char *s = g_malloc(n + 1);
  memset(s, c, n);
  s[n] = '\0';
  return s;
}

static void test_set_formats(void **unused) {
  (void)unused;
  td_err e;
  assert_int_equal(td_err_set(&e, "record size %u exceeds limit %u", 9u, 8u),
                   -1);
  assert_string_equal(e.msg, "record size 9 exceeds limit 8");
  assert_int_equal(td_err_set(&e, "empty record"), -1);
  assert_string_equal(e.msg, "empty record");
  assert_int_equal(td_err_set(&e, "%s", ""), -1);
  assert_string_equal(e.msg, "");
}

static int via_setv(td_err *e, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static int via_setv(td_err *e, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int rc = td_err_setv(e, fmt, ap);
  va_end(ap);
  return rc;
}

static void test_setv(void **unused) {
  (void)unused;
  td_err e;
  assert_int_equal(via_setv(&e, "missing field %s", "seq"), -1);
  assert_string_equal(e.msg, "missing field seq");
}

static void test_clear(void **unused) {
  (void)unused;
  td_err e;
  memset(&e, 'Z', sizeof e);
  td_err_clear(&e);
  assert_string_equal(e.msg, "");
}

static void test_null_err(void **unused) {
  (void)unused;
  /* A caller that does not want the message passes NULL. */
  assert_int_equal(td_err_set(NULL, "lost %d", 1), -1);
  assert_int_equal(via_setv(NULL, "lost %d", 2), -1);
}

static void test_exact_fit(void **unused) {
  (void)unused;
  /* TD_ERR_MAX - 1 bytes fit whole. */
  char *s = repeat('a', TD_ERR_MAX - 1);
  guarded g;
  guarded_init(&g);
  td_err_set(&g.err, "%s", s);
  assert_string_equal(g.err.msg, s);
  expect_after_untouched(&g);
  g_free(s);
}

static void test_long_message_cut(void **unused) {
  (void)unused;
  /* One byte more, or thousands, are cut to TD_ERR_MAX - 1 bytes and
   * terminated; nothing is written past the struct. */
  const size_t lens[] = {TD_ERR_MAX, TD_ERR_MAX + 1, 3 * TD_ERR_MAX};
  for (size_t k = 0; k < G_N_ELEMENTS(lens); k++) {
    char *s = repeat('b', lens[k]);
    guarded g;
    guarded_init(&g);
    assert_int_equal(td_err_set(&g.err, "%s", s), -1);
    assert_int_equal(strlen(g.err.msg), TD_ERR_MAX - 1);
    assert_memory_equal(g.err.msg, s, TD_ERR_MAX - 1);
    expect_after_untouched(&g);
    g_free(s);
  }
}

static void test_embedded_message_cut(void **unused) {
  (void)unused;
  /* A message quoting another that filled its own td_err: the prefix
   * whole, then as much of the other as fits. */
  td_err detail;
  char *s = repeat('d', 2 * TD_ERR_MAX);
  td_err_set(&detail, "%s", s);
  guarded g;
  guarded_init(&g);
  td_err_set(&g.err, "undecodable record: %s", detail.msg);
  static const char prefix[] = "undecodable record: ";
  assert_int_equal(strlen(g.err.msg), TD_ERR_MAX - 1);
  assert_memory_equal(g.err.msg, prefix, sizeof prefix - 1);
  for (size_t i = sizeof prefix - 1; i < TD_ERR_MAX - 1; i++)
    assert_int_equal(g.err.msg[i], 'd');
  expect_after_untouched(&g);
  g_free(s);
}

/* `pad` ASCII bytes then `tail`, through td_err_set. */
static void set_padded(td_err *e, size_t pad, const char *tail) {
  char *s = repeat('u', pad);
  td_err_set(e, "%s%s", s, tail);
  g_free(s);
}

static void test_cut_never_splits_utf8(void **unused) {
  (void)unused;
  td_err e;
  static const char *const chars[] = {"\xc3\xa9", "\xe2\x82\xac",
                                      "\xf0\x9f\x98\x80"};
  for (size_t k = 0; k < G_N_ELEMENTS(chars); k++) {
    size_t n = strlen(chars[k]);
    /* Ending exactly at the limit: kept. */
    set_padded(&e, TD_ERR_MAX - 1 - n, chars[k]);
    assert_int_equal(strlen(e.msg), TD_ERR_MAX - 1);
    assert_memory_equal(e.msg + TD_ERR_MAX - 1 - n, chars[k], n);
    /* Crossing it by 1 .. n - 1 bytes: the whole character goes, and only
     * it.  Past it by a byte more, the character starts beyond the cut. */
    for (size_t over = 1; over <= n; over++) {
      set_padded(&e, TD_ERR_MAX - 1 - n + over, chars[k]);
      size_t keep = over < n ? TD_ERR_MAX - 1 - n + over : TD_ERR_MAX - 1;
      assert_int_equal(strlen(e.msg), keep);
      assert_true(g_utf8_validate(e.msg, -1, NULL));
    }
  }
}

static void test_cut_leaves_other_bytes(void **unused) {
  (void)unused;
  /* Bytes that are not UTF-8 anyway (a lone continuation byte, a byte
   * past 0xf7) are not the cut's business: kept as formatted. */
  td_err e;
  set_padded(&e, TD_ERR_MAX - 2, "\x80\x80");
  assert_int_equal(strlen(e.msg), TD_ERR_MAX - 1);
  set_padded(&e, TD_ERR_MAX - 2, "\xff\x80");
  assert_int_equal(strlen(e.msg), TD_ERR_MAX - 1);
  /* Four continuation bytes back from the cut: not a character's tail. */
  set_padded(&e, TD_ERR_MAX - 6, "\xc3\x80\x80\x80\x80\x80");
  assert_int_equal(strlen(e.msg), TD_ERR_MAX - 1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_set_formats),
      cmocka_unit_test(test_setv),
      cmocka_unit_test(test_clear),
      cmocka_unit_test(test_null_err),
      cmocka_unit_test(test_exact_fit),
      cmocka_unit_test(test_long_message_cut),
      cmocka_unit_test(test_embedded_message_cut),
      cmocka_unit_test(test_cut_never_splits_utf8),
      cmocka_unit_test(test_cut_leaves_other_bytes),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
