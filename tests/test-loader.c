/* Unit tests of the loader's housekeeping (host/plugin/loader.c): a module
 * refused after it was opened (another ABI major, no entry symbol, a NULL
 * or too small table, an empty name) leaves nothing mapped and no
 * descriptor open, and an accepted one stays loaded.  The test plugins
 * come from TD_PLUGIN_LIBS (tests/plugins.mk). */
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
  static const char *const refused[] = {"abi_two", "no_entry", "null_entry",
                                        "small_table", "empty_name"};
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

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_refused_unmapped),
      cmocka_unit_test(test_accepted_stays),
  };
  return cmocka_run_group_tests_name("loader", tests, NULL, NULL);
}
