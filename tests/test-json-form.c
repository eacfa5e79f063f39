/* Unit tests of the JSON form (host/format/json_write.c) against json.md.
 *
 * Scalars are compared as exact text: their spelling is the interface
 * (shortest round-tripping doubles, U+FFFD per maximal ill-formed
 * subsequence).  Structs are compared as parsed JSON, as json.md asks.  The
 * expected U+FFFD replacements were produced once with Python's
 * bytes.decode("utf-8", "replace") and are written out here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "format/json_write.h"
#include "unit-helpers.h"

#define FFFD "\xef\xbf\xbd"

/* td_json_write_string into a GString that already holds text, to check it
 * appends. */
static char *string_of(const char *data, size_t len) {
  GString *out = g_string_new("<");
  td_json_write_string(out, data, len);
  g_string_append_c(out, '>');
  return g_string_free(out, FALSE);
}

static void check_string_at(const char *data, size_t len, const char *want,
                            int hex_case_free, const char *file, int line) {
  char *got = string_of(data, len);
  char *w = g_strdup_printf("<%s>", want);
  int same =
      hex_case_free ? g_ascii_strcasecmp(got, w) == 0 : strcmp(got, w) == 0;
  if (!same || !g_utf8_validate(got, -1, NULL)) {
    char *in = tu_escape(data, len);
    char *g = tu_escape(got, strlen(got)), *e = tu_escape(w, strlen(w));
    print_error("td_json_write_string(\"%s\")\n  got      %s\n  expected %s\n",
                in, g, e);
    g_free(in);
    g_free(g);
    g_free(e);
    g_free(got);
    g_free(w);
    _fail(file, line);
  }
  g_free(got);
  g_free(w);
}

/* CHECK_STRING("in", "\"out\""): the input is a literal, NULs included. */
#define CHECK_STRING(in, want)                                                 \
  check_string_at(TU_LIT(in), (want), 0, __FILE__, __LINE__)
/* The same where json.md leaves the case of \u00XX's hex digits open. */
#define CHECK_STRING_HEX(in, want)                                             \
  check_string_at(TU_LIT(in), (want), 1, __FILE__, __LINE__)

static void test_string_ascii(void **unused) {
  (void)unused;
  CHECK_STRING("", "\"\"");
  CHECK_STRING("hello, world", "\"hello, world\"");
  CHECK_STRING("/var/run/thermos ~!@#$%^&*()_+{}[]|:;'<>?,./`",
               "\"/var/run/thermos ~!@#$%^&*()_+{}[]|:;'<>?,./`\"");
  /* td_json_write_string appends: what the GString held stays. */
  GString *out = g_string_new("[1,");
  td_json_write_string(out, "a", 1);
  assert_string_equal(out->str, "[1,\"a\"");
  g_string_free(out, TRUE);
  /* data may be NULL when len is 0 (thermos_str's contract). */
  out = g_string_new(NULL);
  td_json_write_string(out, NULL, 0);
  assert_string_equal(out->str, "\"\"");
  g_string_free(out, TRUE);
}

static void test_string_escapes(void **unused) {
  (void)unused;
  CHECK_STRING("\"", "\"\\\"\"");
  CHECK_STRING("\\", "\"\\\\\"");
  CHECK_STRING("a\nb", "\"a\\nb\"");
  CHECK_STRING("a\tb", "\"a\\tb\"");
  CHECK_STRING("\x01", "\"\\u0001\"");
  CHECK_STRING("a\0b", "\"a\\u0000b\"");
  CHECK_STRING("\"\\\"", "\"\\\"\\\\\\\"\"");
  /* Other controls as \u00XX, not \r \b \f (json.md names only \n, \t). */
  CHECK_STRING_HEX("\r", "\"\\u000d\"");
  CHECK_STRING_HEX("\b\f", "\"\\u0008\\u000c\"");
  CHECK_STRING_HEX("\x1f\x1b", "\"\\u001f\\u001b\"");
  /* Every control character, checked by parsing the result back. */
  for (int c = 0; c < 0x20; c++) {
    char in[3] = {'x', (char)c, 'y'};
    GString *out = g_string_new(NULL);
    td_json_write_string(out, in, 3);
    JsonParser *p = json_parser_new();
    char *doc = g_strdup_printf("[%s]", out->str);
    assert_true(json_parser_load_from_data(p, doc, -1, NULL));
    JsonArray *a = json_node_get_array(json_parser_get_root(p));
    const char *back = json_array_get_string_element(a, 0);
    /* json-glib stops a string at U+0000; the others come back whole. */
    if (c == 0)
      assert_string_equal(back, "x");
    else
      assert_memory_equal(back, in, 3);
    g_free(doc);
    g_object_unref(p);
    g_string_free(out, TRUE);
  }
}

static void test_string_utf8_valid(void **unused) {
  (void)unused;
  CHECK_STRING("caf\xc3\xa9", "\"caf\xc3\xa9\"");
  CHECK_STRING("\xe2\x82\xac", "\"\xe2\x82\xac\"");
  CHECK_STRING("\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\"");
  CHECK_STRING("\xc2\x80\xdf\xbf", "\"\xc2\x80\xdf\xbf\"");
  CHECK_STRING("\xe0\xa0\x80", "\"\xe0\xa0\x80\"");
  CHECK_STRING("\xed\x9f\xbf", "\"\xed\x9f\xbf\"");         /* U+D7FF */
  CHECK_STRING("\xee\x80\x80", "\"\xee\x80\x80\"");         /* U+E000 */
  CHECK_STRING("\xef\xbf\xbf", "\"\xef\xbf\xbf\"");         /* U+FFFF */
  CHECK_STRING("\xef\xbf\xbd", "\"\xef\xbf\xbd\"");         /* U+FFFD */
  CHECK_STRING("\xf0\x90\x80\x80", "\"\xf0\x90\x80\x80\""); /* U+10000 */
  CHECK_STRING("\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\""); /* U+10FFFF */
  CHECK_STRING("\x7f", "\"\x7f\"");
}

static void test_string_utf8_ill_formed(void **unused) {
  (void)unused;
  /* One U+FFFD per maximal subpart (Unicode 3.9, "U+FFFD Substitution of
   * Maximal Subparts"), as Python's errors="replace". */
  CHECK_STRING("\xc3", "\"" FFFD "\"");
  CHECK_STRING("\xc2", "\"" FFFD "\"");
  CHECK_STRING("a\xc2"
               "b",
               "\"a" FFFD "b\"");
  CHECK_STRING("\xe2\x82"
               "A",
               "\"" FFFD "A\"");
  CHECK_STRING("\xf0\x9f\x98", "\"" FFFD "\"");
  CHECK_STRING("\xf0\x9f\x98"
               "abc",
               "\"" FFFD "abc\"");
  /* F0 needs 90..BF next: 80 is not a continuation after it. */
  CHECK_STRING("\xf0\x80", "\"" FFFD FFFD "\"");
  /* Overlongs: C0 and C1 are never valid, nor E0 80, nor F0 80..8F. */
  CHECK_STRING("\xc0\x80", "\"" FFFD FFFD "\"");
  CHECK_STRING("\xc1\xbf", "\"" FFFD FFFD "\"");
  CHECK_STRING("\xe0\x80\x80", "\"" FFFD FFFD FFFD "\"");
  /* Surrogates: ED A0..BF. */
  CHECK_STRING("\xed\xa0\x80", "\"" FFFD FFFD FFFD "\"");
  CHECK_STRING("\xed\xbf\xbf", "\"" FFFD FFFD FFFD "\"");
  /* Above U+10FFFF: F4 90.., and F5..FF as lead bytes. */
  CHECK_STRING("\xf4\x90\x80\x80", "\"" FFFD FFFD FFFD FFFD "\"");
  CHECK_STRING("\xf5", "\"" FFFD "\"");
  CHECK_STRING("\xf5\x80", "\"" FFFD FFFD "\"");
  CHECK_STRING("\xf8\x88\x80\x80\x80", "\"" FFFD FFFD FFFD FFFD FFFD "\"");
  CHECK_STRING("\xff\xfe", "\"" FFFD FFFD "\"");
  /* Lone continuation bytes, one each. */
  CHECK_STRING("\x80", "\"" FFFD "\"");
  CHECK_STRING("\xbf\x80", "\"" FFFD FFFD "\"");
  /* A truncated sequence followed by a valid one. */
  CHECK_STRING("\xe1\x80\xe1\x80\x80", "\"" FFFD "\xe1\x80\x80\"");
  CHECK_STRING("\xf1\x80\x80\xc3\xa9", "\"" FFFD "\xc3\xa9\"");
  /* Followed by bytes that need escaping. */
  CHECK_STRING("\xc3\"", "\"" FFFD "\\\"\"");
  CHECK_STRING("\xe2\x82\n", "\"" FFFD "\\n\"");
  CHECK_STRING("\xf0\x9f\x98\\", "\"" FFFD "\\\\\"");
}

static void test_string_never_invalid(void **unused) {
  (void)unused;
  /* Whatever the bytes, the output is UTF-8 that parses back. */
  uint64_t s = 0x6a736f6e00000003ull;
  for (int iter = 0; iter < 5000; iter++) {
    char in[24];
    size_t n = 0;
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    n = s % sizeof in;
    for (size_t i = 0; i < n; i++) {
      s ^= s << 13;
      s ^= s >> 7;
      s ^= s << 17;
      in[i] = (char)(s >> 24);
    }
    GString *out = g_string_new("[");
    td_json_write_string(out, in, n);
    g_string_append_c(out, ']');
    assert_true(g_utf8_validate(out->str, (gssize)out->len, NULL));
    JsonParser *p = json_parser_new();
    assert_true(json_parser_load_from_data(p, out->str, -1, NULL));
    g_object_unref(p);
    g_string_free(out, TRUE);
  }
}

/* ---- comparing as parsed JSON ------------------------------------------- */

static JsonNode *parse(const char *text, const char *file, int line) {
  JsonParser *p = json_parser_new();
  GError *err = NULL;
  if (!json_parser_load_from_data(p, text, -1, &err)) {
    print_error("not JSON (%s): %s\n", err->message, text);
    g_error_free(err);
    g_object_unref(p);
    _fail(file, line);
  }
  JsonNode *root = json_node_copy(json_parser_get_root(p));
  g_object_unref(p);
  return root;
}

/* json_node_equal compares objects member by member, whatever the order. */
static void check_json_at(GString *got, const char *want, const char *file,
                          int line) {
  if (!g_utf8_validate(got->str, (gssize)got->len, NULL)) {
    print_error("not UTF-8: %s\n", got->str);
    _fail(file, line);
  }
  JsonNode *g = parse(got->str, file, line);
  JsonNode *w = parse(want, file, line);
  int same = json_node_equal(g, w);
  json_node_unref(g);
  json_node_unref(w);
  if (!same) {
    print_error("got      %s\nexpected %s\n", got->str, want);
    _fail(file, line);
  }
}

#define CHECK_JSON(got, want) check_json_at((got), (want), __FILE__, __LINE__)

/* ---- doubles ------------------------------------------------------------ */

static char *double_of(double d) {
  GString *out = g_string_new(NULL);
  td_json_write_double(out, d);
  return g_string_free(out, FALSE);
}

/* Expected spellings from C's printf rules (computed with Python's
 * '%.*g', which follows them): the shortest of %.15g, %.16g, %.17g that
 * reads back to the same double. */
static const struct {
  double d;
  const char *want;
} doubles[] = {
    {0.1, "0.1"},
    {1337097943.293865, "1337097943.293865"},
    {1e300, "1e+300"},
    {-0.0, "-0"},
    {0.0, "0"},
    {5.0, "5"},
    {9007199254740993.0, "9007199254740992"}, /* 2^53 + 1 rounds to 2^53 */
    {9007199254740994.0, "9007199254740994"},
    {1e21, "1e+21"},
    {1e-7, "1e-07"},
    {5e-324, "4.94065645841247e-324"},
    {1.7976931348623157e308, "1.7976931348623157e+308"},
    {0.30000000000000004, "0.30000000000000004"},
    {1.0 / 3.0, "0.3333333333333333"},
    {100.0, "100"},
    {1e15, "1e+15"},
    {123456789012345680.0, "1.2345678901234568e+17"},
    {-1.5, "-1.5"},
    {2.5e-5, "2.5e-05"},
    {9.223372036854776e18, "9.223372036854776e+18"},
    {1337097943.0, "1337097943"},
    {1000.5, "1000.5"},
};

static void check_doubles(void) {
  for (size_t i = 0; i < sizeof doubles / sizeof doubles[0]; i++) {
    char *got = double_of(doubles[i].d);
    if (strcmp(got, doubles[i].want) != 0)
      fail_msg("td_json_write_double(%.17g): got %s, expected %s", doubles[i].d,
               got, doubles[i].want);
    assert_null(strchr(got, ','));
    g_free(got);
  }
  const double nonfinite[] = {NAN, -NAN, INFINITY, -INFINITY};
  for (size_t i = 0; i < 4; i++) {
    char *got = double_of(nonfinite[i]);
    assert_string_equal(got, "null");
    g_free(got);
  }
}

static void test_double_forms(void **unused) {
  (void)unused;
  check_doubles();
}

static void test_double_round_trips(void **unused) {
  (void)unused;
  /* Random bit patterns: every finite one is written as the %.15g, %.16g or
   * %.17g form with the fewest digits that reads back exactly.  ("Shortest"
   * counts significant digits: %.17g of 3.458370476621199e+16 is
   * 34583704766211992, fewer characters but more digits.) */
  uint64_t s = 0x646f75626c650004ull;
  for (int iter = 0; iter < 20000; iter++) {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    double d;
    memcpy(&d, &s, sizeof d);
    char *got = double_of(d);
    if (!isfinite(d)) {
      assert_string_equal(got, "null");
      g_free(got);
      continue;
    }
    double back = g_ascii_strtod(got, NULL);
    if (tu_bits(back) != tu_bits(d))
      fail_msg("%a written as %s reads back as %a", d, got, back);
    static const char *const formats[] = {"%.15g", "%.16g", "%.17g"};
    int found = 0;
    for (size_t f = 0; f < 3 && !found; f++) {
      char form[64];
      g_ascii_formatd(form, sizeof form, formats[f], d);
      if (strcmp(form, got) == 0)
        found = 1;
      else if (tu_bits(g_ascii_strtod(form, NULL)) == tu_bits(d))
        fail_msg("%a written as %s, but %s (%s) reads back too", d, got, form,
                 formats[f]);
    }
    if (!found)
      fail_msg("%a written as %s: none of the three forms", d, got);
    g_free(got);
  }
}

/* The reference rule of json.md, spelled with printf. */
static char *reference_double(double d) {
  static const char *const formats[] = {"%.15g", "%.16g", "%.17g"};
  char buf[64];
  for (size_t f = 0; f < 3; f++) {
    g_ascii_formatd(buf, sizeof buf, formats[f], d);
    if (f == 2 || g_ascii_strtod(buf, NULL) == d)
      break;
  }
  return g_strdup(buf);
}

static void test_double_realistic_values(void **unused) {
  (void)unused;
  /* td_json_write_double formats the values checkpoints hold (times with
   * microseconds, small durations, integers) without printf: every one
   * must be spelled exactly as the printf rule spells it. */
  uint64_t s = 0x7265616c69737469ull;
  for (int iter = 0; iter < 300000; iter++) {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    double d;
    switch (iter % 6) {
    case 0: /* a time with microseconds */
      d = (double)(1000000000000000ull + s % 1000000000000000ull) / 1e6;
      break;
    case 1: /* a time with milliseconds */
      d = (double)(1000000000000ull + s % 1000000000000ull) / 1e3;
      break;
    case 2: /* digits with a random number of decimals */
      d = (double)(s % 100000000000000000ull) / pow(10, (double)(s % 23));
      break;
    case 3: /* small values, down to the fixed-point limit */
      d = (double)(s % 10000000) * 1e-11 + 1e-4;
      break;
    case 4: /* integers up to and past 1e15 */
      d = (double)(s % 2000000000000000ull);
      break;
    default: /* any bits of a value near 1 */
      d = 1.0 + (double)(s >> 12) / 4503599627370496.0 * 8;
      break;
    }
    if (s & 1)
      d = -d;
    char *got = double_of(d);
    char *want = reference_double(d);
    if (strcmp(got, want) != 0)
      fail_msg("%a: got %s, the printf rule gives %s", d, got, want);
    g_free(got);
    g_free(want);
  }
}

static void test_double_comma_locale(void **unused) {
  (void)unused;
  /* Whatever the process locale: try locales whose decimal point is a
   * comma.  Where none is installed the test still runs in the current
   * one (and says so). */
  static const char *const names[] = {
      "de_DE.UTF-8", "de_DE.utf8",  "de_DE",      "fr_FR.UTF-8",
      "fr_FR.utf8",  "nl_NL.UTF-8", "ru_RU.UTF-8"};
  char *saved = g_strdup(setlocale(LC_NUMERIC, NULL));
  const char *used = NULL;
  for (size_t i = 0; i < G_N_ELEMENTS(names) && !used; i++)
    if (setlocale(LC_NUMERIC, names[i]) &&
        strcmp(localeconv()->decimal_point, ",") == 0)
      used = names[i];
  if (!used) {
    setlocale(LC_NUMERIC, "C.UTF-8");
    print_message("no comma-decimal locale installed; ran under %s\n",
                  setlocale(LC_NUMERIC, NULL));
  } else {
    /* The locale really is in force for printf. */
    char probe[16];
    snprintf(probe, sizeof probe, "%.1f", 0.5);
    assert_string_equal(probe, "0,5");
  }
  check_doubles();
  /* And in the structs. */
  thermos_process_status ps;
  memset(&ps, 0, sizeof ps);
  ps.present = THERMOS_PS_FORK_TIME;
  ps.fork_time = 1.5;
  GString *out = g_string_new(NULL);
  td_json_write_process_status(out, &ps);
  assert_null(strchr(out->str, ','));
  CHECK_JSON(out, "{\"fork_time\":1.5}");
  g_string_free(out, TRUE);
  setlocale(LC_NUMERIC, saved);
  g_free(saved);
}

/* ---- enums -------------------------------------------------------------- */

static void test_state_names(void **unused) {
  (void)unused;
  static const char *const ps[] = {"WAITING", "FORKED", "RUNNING", "SUCCESS",
                                   "KILLED",  "FAILED", "LOST"};
  static const char *const ts[] = {"ACTIVE", "SUCCESS",  "FAILED",    "KILLED",
                                   "LOST",   "CLEANING", "FINALIZING"};
  for (int32_t i = 0; i < 7; i++) {
    assert_string_equal(td_process_state_name(i), ps[i]);
    assert_string_equal(td_task_state_name(i), ts[i]);
    GString *out = g_string_new(NULL);
    td_json_write_process_state(out, i);
    char *want = g_strdup_printf("\"%s\"", ps[i]);
    assert_string_equal(out->str, want);
    g_free(want);
    g_string_truncate(out, 0);
    td_json_write_task_state(out, i);
    want = g_strdup_printf("\"%s\"", ts[i]);
    assert_string_equal(out->str, want);
    g_free(want);
    g_string_free(out, TRUE);
  }
  const int32_t unknown[] = {7, 42, -1, INT32_MIN, INT32_MAX};
  const char *const want[] = {"\"UNKNOWN_7\"", "\"UNKNOWN_42\"",
                              "\"UNKNOWN_-1\"", "\"UNKNOWN_-2147483648\"",
                              "\"UNKNOWN_2147483647\""};
  for (size_t i = 0; i < 5; i++) {
    assert_null(td_process_state_name(unknown[i]));
    assert_null(td_task_state_name(unknown[i]));
    GString *out = g_string_new(NULL);
    td_json_write_process_state(out, unknown[i]);
    assert_string_equal(out->str, want[i]);
    g_string_truncate(out, 0);
    td_json_write_task_state(out, unknown[i]);
    assert_string_equal(out->str, want[i]);
    g_string_free(out, TRUE);
  }
}

/* ---- structs ------------------------------------------------------------ */

static void test_process_status(void **unused) {
  (void)unused;
  thermos_process_status ps = {
      .present = THERMOS_PS_SEQ | THERMOS_PS_PROCESS | THERMOS_PS_STATE |
                 THERMOS_PS_COORDINATOR_PID | THERMOS_PS_FORK_TIME |
                 THERMOS_PS_START_TIME | THERMOS_PS_PID | THERMOS_PS_STOP_TIME |
                 THERMOS_PS_RETURN_CODE,
      .seq = INT64_MIN,
      .process = {TU_LIT("hello\n\xff")},
      .state = THERMOS_PROCESS_SUCCESS,
      .coordinator_pid = 1234,
      .fork_time = 1337097943.293865,
      .start_time = 0.1,
      .pid = INT32_MAX,
      .stop_time = -0.0,
      .return_code = -1};
  GString *out = g_string_new(NULL);
  td_json_write_process_status(out, &ps);
  CHECK_JSON(out, "{\"seq\":-9223372036854775808,\"process\":\"hello\\n" FFFD
                  "\",\"state\":\"SUCCESS\",\"coordinator_pid\":1234,"
                  "\"fork_time\":1337097943.293865,\"start_time\":0.1,"
                  "\"pid\":2147483647,\"stop_time\":-0.0,\"return_code\":-1}");
  /* The doubles are spelled as td_json_write_double spells them. */
  assert_non_null(strstr(out->str, "1337097943.293865"));
  assert_non_null(strstr(out->str, ":-0"));

  /* Only the present fields, whatever the others hold. */
  ps.present = THERMOS_PS_SEQ | THERMOS_PS_STATE;
  ps.seq = INT64_MAX;
  ps.state = 42;
  g_string_truncate(out, 0);
  td_json_write_process_status(out, &ps);
  CHECK_JSON(out, "{\"seq\":9223372036854775807,\"state\":\"UNKNOWN_42\"}");

  ps.present = 0;
  g_string_truncate(out, 0);
  td_json_write_process_status(out, &ps);
  CHECK_JSON(out, "{}");

  /* Non-finite doubles as null; an empty name is a present one. */
  ps.present = THERMOS_PS_FORK_TIME | THERMOS_PS_START_TIME |
               THERMOS_PS_STOP_TIME | THERMOS_PS_PROCESS;
  ps.fork_time = NAN;
  ps.start_time = INFINITY;
  ps.stop_time = -INFINITY;
  ps.process = (thermos_str){NULL, 0};
  g_string_truncate(out, 0);
  td_json_write_process_status(out, &ps);
  CHECK_JSON(out, "{\"fork_time\":null,\"start_time\":null,"
                  "\"stop_time\":null,\"process\":\"\"}");
  g_string_free(out, TRUE);
}

static void test_task_status(void **unused) {
  (void)unused;
  thermos_task_status ts = {.present =
                                THERMOS_TS_STATE | THERMOS_TS_TIMESTAMP_MS |
                                THERMOS_TS_RUNNER_PID | THERMOS_TS_RUNNER_UID,
                            .state = THERMOS_TASK_FINALIZING,
                            .timestamp_ms = 1337097943293,
                            .runner_pid = 31337,
                            .runner_uid = INT32_MIN};
  GString *out = g_string_new(NULL);
  td_json_write_task_status(out, &ts);
  CHECK_JSON(out, "{\"state\":\"FINALIZING\",\"timestamp_ms\":1337097943293,"
                  "\"runner_pid\":31337,\"runner_uid\":-2147483648}");
  ts.present = THERMOS_TS_STATE;
  ts.state = 9;
  g_string_truncate(out, 0);
  td_json_write_task_status(out, &ts);
  CHECK_JSON(out, "{\"state\":\"UNKNOWN_9\"}");
  ts.present = THERMOS_TS_RUNNER_UID;
  g_string_truncate(out, 0);
  td_json_write_task_status(out, &ts);
  CHECK_JSON(out, "{\"runner_uid\":-2147483648}");
  ts.present = 0;
  g_string_truncate(out, 0);
  td_json_write_task_status(out, &ts);
  CHECK_JSON(out, "{}");
  g_string_free(out, TRUE);
}

static void test_runner_header(void **unused) {
  (void)unused;
  const thermos_port ports[] = {{{TU_LIT("http")}, 8080},
                                {{TU_LIT("a\"b\\")}, INT64_MAX},
                                {{TU_LIT("\xff")}, INT64_MIN},
                                {{NULL, 0}, 0}};
  thermos_runner_header rh = {
      .present = THERMOS_RH_TASK_ID | THERMOS_RH_LAUNCH_TIME_MS |
                 THERMOS_RH_SANDBOX | THERMOS_RH_LOG_DIR | THERMOS_RH_HOSTNAME |
                 THERMOS_RH_USER | THERMOS_RH_UID | THERMOS_RH_PORTS,
      .task_id = {TU_LIT("task\0id")},
      .sandbox = {TU_LIT("/var/lib/mesos/sandbox")},
      .log_dir = {TU_LIT("")},
      .hostname = {TU_LIT("h\xc3\xa9st")},
      .user = {TU_LIT("www-data")},
      .launch_time_ms = 1337097943293,
      .uid = 33,
      .n_ports = 4,
      .ports = ports};
  GString *out = g_string_new(NULL);
  td_json_write_runner_header(out, &rh);
  CHECK_JSON(out, "{\"task_id\":\"task\\u0000id\","
                  "\"launch_time_ms\":1337097943293,"
                  "\"sandbox\":\"/var/lib/mesos/sandbox\",\"log_dir\":\"\","
                  "\"hostname\":\"h\xc3\xa9st\",\"user\":\"www-data\","
                  "\"uid\":33,\"ports\":{\"http\":8080,"
                  "\"a\\\"b\\\\\":9223372036854775807,"
                  "\"" FFFD "\":-9223372036854775808,\"\":0}}");

  /* Ports set but empty: {}.  Not set: no member, whatever n_ports says. */
  rh.present = THERMOS_RH_PORTS;
  rh.n_ports = 0;
  g_string_truncate(out, 0);
  td_json_write_runner_header(out, &rh);
  CHECK_JSON(out, "{\"ports\":{}}");
  rh.present = THERMOS_RH_USER;
  rh.n_ports = 2;
  g_string_truncate(out, 0);
  td_json_write_runner_header(out, &rh);
  CHECK_JSON(out, "{\"user\":\"www-data\"}");
  rh.present = 0;
  g_string_truncate(out, 0);
  td_json_write_runner_header(out, &rh);
  CHECK_JSON(out, "{}");
  g_string_free(out, TRUE);
}

int main(void) {
  /* The tests set LC_NUMERIC themselves; start from the environment's. */
  setlocale(LC_ALL, "");
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_string_ascii),
      cmocka_unit_test(test_string_escapes),
      cmocka_unit_test(test_string_utf8_valid),
      cmocka_unit_test(test_string_utf8_ill_formed),
      cmocka_unit_test(test_string_never_invalid),
      cmocka_unit_test(test_double_forms),
      cmocka_unit_test(test_double_round_trips),
      cmocka_unit_test(test_double_realistic_values),
      cmocka_unit_test(test_double_comma_locale),
      cmocka_unit_test(test_state_names),
      cmocka_unit_test(test_process_status),
      cmocka_unit_test(test_task_status),
      cmocka_unit_test(test_runner_header),
  };
  return cmocka_run_group_tests_name("json-form", tests, NULL, NULL);
}
