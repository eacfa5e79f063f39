/* Unit tests of the loader's housekeeping (host/plugin/loader.c): a module
 * refused after it was opened (another ABI major, a later minor needed, no
 * entry symbol, a NULL or too small table, an empty name, an unknown
 * option type) leaves nothing mapped and no descriptor open, and an
 * accepted one stays loaded.  The checks of ABI 1.1 (host/plugin/abi_checks.c)
 * on tables made here, and the tables of a plugin built against the 1.0 header
 * and of one of a later minor as the loader keeps them.  The test plugins come
 * from TD_PLUGIN_LIBS (tests/plugins.mk). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "plugin/abi_checks.h"
#include "plugin/loader.h"

static const char *libs(void) {
  const char *d = getenv("TD_PLUGIN_LIBS");
  if (!d)
    fail_msg("TD_PLUGIN_LIBS is not set");
  return d;
}

/* Whether /proc/self/maps maps a file whose name ends in "/NAME.so". */
static bool mapped(const char *name) {
  char *maps = NULL;
  assert_true(g_file_get_contents("/proc/self/maps", &maps, NULL, NULL));
  char *needle = g_strdup_printf("/%s.so\n", name);
  bool found = strstr(maps, needle) != NULL;
  g_free(needle);
  g_free(maps);
  return found;
}

/* Descriptors open in this process. */
static int open_fds(void) {
  DIR *d = opendir("/proc/self/fd");
  assert_non_null(d);
  int n = 0;
  while (readdir(d))
    n++;
  closedir(d);
  return n;
}

static void test_refused_unmapped(void **unused) {
  (void)unused;
  static const char *const refused[] = {
      "abi_two",    "no_entry",    "null_entry",  "small_table",
      "empty_name", "needs_minor", "unknown_type"};
  for (size_t i = 0; i < G_N_ELEMENTS(refused); i++) {
    int fds = open_fds();
    char *reason = NULL;
    td_module *m = td_module_load(libs(), refused[i], &reason);
    if (m)
      fail_msg("%s was accepted", refused[i]);
    assert_non_null(reason);
    g_free(reason);
    if (mapped(refused[i]))
      fail_msg("%s is still mapped after its refusal", refused[i]);
    assert_int_equal(open_fds(), fds);
  }
}

static void test_accepted_stays(void **unused) {
  (void)unused;
  char *reason = NULL;
  td_module *m = td_module_load(libs(), "recorder", &reason);
  if (!m)
    fail_msg("recorder refused: %s", reason);
  assert_true(mapped("recorder"));
  td_module_free(m);
}

/* A table of 1.0 (built against the frozen header) is kept as it is, the
 * members of 1.1 zero; a later minor's larger table is cut to what this
 * host knows. */
static void test_table_sizes(void **unused) {
  (void)unused;
  char *reason = NULL;
  td_module *m = td_module_load(libs(), "recorder_1_0", &reason);
  if (!m)
    fail_msg("recorder_1_0 refused: %s", reason);
  assert_int_equal(m->plugin_struct_size, THERMOS_HANDLER_V1_0_SIZE);
  assert_int_equal(m->table.min_host_minor, 0);
  assert_non_null(m->table.on_task_lost);
  td_module_free(m);
  m = td_module_load(libs(), "newer_minor", &reason);
  if (!m)
    fail_msg("newer_minor refused: %s", reason);
  assert_true(m->plugin_struct_size > sizeof(thermos_handler_v1));
  assert_int_equal(m->table.min_host_minor, 1);
  td_module_free(m);
}

/* min_host_minor: read only when struct_size covers it; refused above
 * this host's minor, with both versions named. */
static void test_check_minor(void **unused) {
  (void)unused;
  thermos_handler_v1 t = {0};
  t.abi_major = THERMOS_HANDLER_ABI_MAJOR;
  t.struct_size = sizeof t;
  for (uint32_t minor = 0; minor <= THERMOS_HANDLER_ABI_MINOR; minor++) {
    t.min_host_minor = minor;
    assert_null(td_abi_check_minor(&t, "/p.so"));
  }
  t.min_host_minor = THERMOS_HANDLER_ABI_MINOR + 1;
  char *why = td_abi_check_minor(&t, "/p.so");
  assert_non_null(why);
  assert_string_equal(why, "/p.so: needs handler ABI 1.2 or later; this "
                           "host provides 1.1");
  g_free(why);
  t.min_host_minor = UINT32_MAX;
  why = td_abi_check_minor(&t, "/p.so");
  assert_string_equal(why, "/p.so: needs handler ABI 1.4294967295 or later; "
                           "this host provides 1.1");
  g_free(why);
  /* A 1.0 table, or one cut short inside min_host_minor: not read. */
  t.struct_size = THERMOS_HANDLER_V1_0_SIZE;
  assert_null(td_abi_check_minor(&t, "/p.so"));
  t.struct_size = offsetof(thermos_handler_v1, min_host_minor) + 3;
  assert_null(td_abi_check_minor(&t, "/p.so"));
}

/* Option types: 1 to 6 known, anything else refused (the first such
 * option named); a NULL list, or an empty one, passes. */
static void test_check_option_types(void **unused) {
  (void)unused;
  thermos_option opts[] = {{"a", THERMOS_OPT_STRING, NULL, NULL, NULL},
                           {"b", THERMOS_OPT_BOOL, NULL, NULL, NULL},
                           {"c", THERMOS_OPT_INT, NULL, NULL, NULL},
                           {"d", THERMOS_OPT_DOUBLE, NULL, NULL, NULL},
                           {"e", THERMOS_OPT_PATH, NULL, NULL, NULL},
                           {"f", THERMOS_OPT_ENUM, NULL, NULL, "x|y"},
                           {NULL, 0, NULL, NULL, NULL}};
  thermos_handler_v1 t = {0};
  t.name = "p";
  assert_null(td_abi_check_option_types(&t, "/p.so"));
  t.options = opts;
  assert_null(td_abi_check_option_types(&t, "/p.so"));
  static const int bad[] = {0, -1, 7, 1000};
  for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
    opts[4].type = bad[i];
    char *why = td_abi_check_option_types(&t, "/p.so");
    char *want = g_strdup_printf("/p.so: option 'e' of plugin p has type %d, "
                                 "which this host (handler ABI 1.1) does not "
                                 "know",
                                 bad[i]);
    assert_non_null(why);
    assert_string_equal(why, want);
    g_free(want);
    g_free(why);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_refused_unmapped),
      cmocka_unit_test(test_accepted_stays),
      cmocka_unit_test(test_table_sizes),
      cmocka_unit_test(test_check_minor),
      cmocka_unit_test(test_check_option_types),
  };
  return cmocka_run_group_tests_name("loader", tests, NULL, NULL);
}
