/* Unit tests of a module's declared options in one form
 * (host/plugin/options.c) and of the load-time checks of options_ex
 * (host/plugin/abi_checks.c), on tables made here: options_ex wins over
 * options when the table's struct_size holds it and is ignored past it
 * (a 1.0 table); the messages of `options` values are unchanged, ranges
 * are named; doubles print in their shortest exact form. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <string.h>

#include <glib.h>

#include "plugin/abi_checks.h"
#include "plugin/options.h"

static const thermos_option OLD[] = {
    {"old", THERMOS_OPT_BOOL, "yes", "a 1.0 key", NULL},
    {NULL, 0, NULL, NULL, NULL}};

static thermos_option_ex port = {.struct_size = sizeof(thermos_option_ex),
                                 .key = "port",
                                 .type = THERMOS_OPT_INT,
                                 .flags = THERMOS_OPTION_RANGE,
                                 .int_min = 1,
                                 .int_max = 65535,
                                 .default_value = "8080"};
static const thermos_option_ex *const EX[] = {&port, NULL};

static thermos_handler_v1 table(void) {
  thermos_handler_v1 t = {.abi_major = 1,
                          .struct_size = sizeof(thermos_handler_v1),
                          .name = "t",
                          .options = OLD,
                          .options_ex = EX};
  return t;
}

static void test_ex_wins(void **state) {
  (void)state;
  thermos_handler_v1 t = table();
  td_option_decl o;
  assert_true(td_option_find(&t, "port", &o));
  assert_string_equal(o.default_value, "8080");
  assert_int_equal(o.int_max, 65535);
  assert_false(td_option_find(&t, "old", &o));
  assert_false(td_option_at(&t, 1, &o));
  /* A 1.0 table: options_ex lies past it, and is never read. */
  t.struct_size = THERMOS_HANDLER_V1_0_SIZE;
  assert_true(td_option_find(&t, "old", &o));
  assert_int_equal(o.flags, 0);
  assert_false(td_option_find(&t, "port", &o));
  t.options = NULL;
  assert_false(td_options_declared(&t));
}

static void check_fits(const td_option_decl *o, const char *v, bool want,
                       const char *expected) {
  char *e = NULL;
  assert_int_equal(td_option_value_fits(o, v, &e), want);
  if (expected)
    assert_string_equal(e, expected);
  else
    assert_null(e);
  g_free(e);
}

static void test_fits(void **state) {
  (void)state;
  td_option_decl o = {.key = "k", .type = THERMOS_OPT_INT};
  check_fits(&o, "70000", true,
             "an integer from -9223372036854775808 to 9223372036854775807");
  o.flags = THERMOS_OPTION_RANGE;
  o.int_min = 1;
  o.int_max = 65535;
  check_fits(&o, "70000", false, "an integer from 1 to 65535");
  check_fits(&o, "65535", true, "an integer from 1 to 65535");
  check_fits(&o, "0", false, "an integer from 1 to 65535");
  o.type = THERMOS_OPT_DOUBLE;
  o.double_min = 0.1;
  o.double_max = 2.5;
  check_fits(&o, "2.5", true, "a number from 0.1 to 2.5");
  check_fits(&o, "2.5000001", false, "a number from 0.1 to 2.5");
  check_fits(&o, "nan", false, "a number from 0.1 to 2.5");
  o.flags = 0;
  check_fits(&o, "1e308", true,
             "a finite number from -1.7976931348623157e+308 to "
             "1.7976931348623157e+308");
  o.type = THERMOS_OPT_STRING;
  check_fits(&o, "", true, NULL);
}

static void test_format_double(void **state) {
  (void)state;
  const struct {
    double d;
    const char *s;
  } cases[] = {{0, "0"},         {0.1, "0.1"},
               {1.5, "1.5"},     {1e20, "1e+20"},
               {-2.25, "-2.25"}, {1.0 / 3, "0.3333333333333333"}};
  for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
    char *s = td_format_double(cases[i].d);
    assert_string_equal(s, cases[i].s);
    g_free(s);
  }
}

/* The refusal of the table with `e` as its one options_ex entry. */
static char *refusal(thermos_option_ex *e) {
  const thermos_option_ex *list[] = {e, NULL};
  thermos_handler_v1 t = table();
  t.options_ex = list;
  return td_abi_check_option_types(&t, "P");
}

static void test_refusals(void **state) {
  (void)state;
  char *why = refusal(&port);
  assert_null(why);
  thermos_option_ex e = port;
  e.struct_size = (uint32_t)TD_OPTION_EX_1_1_SIZE - 1;
  why = refusal(&e);
  char *want = g_strdup_printf("P: options_ex[0] of plugin t has struct_size "
                               "%zu, smaller than ABI 1.1's %zu",
                               (size_t)TD_OPTION_EX_1_1_SIZE - 1,
                               (size_t)TD_OPTION_EX_1_1_SIZE);
  assert_string_equal(why, want);
  g_free(want);
  g_free(why);
  e = port;
  e.struct_size = sizeof(thermos_option_ex) + 64; /* a later minor's */
  assert_null(why = refusal(&e));
  e = port;
  e.flags = THERMOS_OPTION_RANGE | THERMOS_OPTION_REQUIRED;
  why = refusal(&e);
  assert_string_equal(why, "P: option 'port' of plugin t is required and has "
                           "a default, which would never be used");
  g_free(why);
  e.default_value = NULL;
  assert_null(why = refusal(&e));
  e = port;
  e.type = THERMOS_OPT_DOUBLE;
  e.double_min = -INFINITY;
  e.double_max = INFINITY;
  assert_null(why = refusal(&e));
  e.double_min = NAN;
  why = refusal(&e);
  assert_string_equal(why, "P: option 'port' of plugin t has a range bound "
                           "that is not a number");
  g_free(why);
  e = port;
  e.type = THERMOS_OPT_ENUM;
  e.choices = "a|b";
  e.flags = 0;
  e.default_value = "c";
  why = refusal(&e);
  assert_string_equal(why, "P: option 'port' of plugin t has the default "
                           "'c', not one of a|b");
  g_free(why);
  e.key = "";
  why = refusal(&e);
  assert_string_equal(why, "P: options_ex[0] of plugin t has no key");
  g_free(why);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_ex_wins),
      cmocka_unit_test(test_fits),
      cmocka_unit_test(test_format_double),
      cmocka_unit_test(test_refusals),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
