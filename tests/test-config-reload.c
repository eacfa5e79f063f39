/* Unit tests of what a reload takes from the configuration it replaces
 * (host/config/instance_conf_same.c, config_reload.c), on configurations
 * read from files written here: an instance configured alike (its keys in
 * any order, written elsewhere) is the same, any other difference is not;
 * a kept instance's configuration moves into the new one and outlives the
 * old one, origins and all; the [host] keys that cannot change are set
 * back, one exact line each. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "config/config.h"
#include "core/diag.h"

static char *dir;
static int nfiles;

/* Reads a configuration from `text`, which must be sound. */
static td_config *load(const char *text) {
  char *path = g_strdup_printf("%s/c%d.ini", dir, nfiles++);
  assert_true(g_file_set_contents(path, text, -1, NULL));
  td_config_args args = {path, NULL, NULL};
  int rc = -1;
  td_config *cfg = td_config_load(&args, false, &rc);
  assert_non_null(cfg);
  assert_int_equal(rc, 0);
  g_free(path);
  return cfg;
}

static td_instance_conf *inst(const td_config *cfg, guint i) {
  return g_ptr_array_index(cfg->instances, i);
}

static const char BASE[] = "[plugin:a]\nmodule = m\nx = 1\ny = 2\n";

static void test_same_in_any_order(void **state) {
  (void)state;
  td_config *a = load(BASE);
  td_config *b = load("\n\n[plugin:a]\ny = 2\nx = 1\nmodule = m\n");
  assert_true(td_instance_conf_same(inst(a, 0), inst(b, 0)));
  assert_true(td_instance_conf_same(inst(b, 0), inst(a, 0)));
  td_config_free(a);
  td_config_free(b);
}

static void test_differences(void **state) {
  (void)state;
  static const char *const OTHER[] = {
      "[plugin:a]\nmodule = m\nx = 1\ny = 3\n",        /* a value */
      "[plugin:a]\nmodule = m\nx = 1\n",               /* a key less */
      "[plugin:a]\nmodule = m\nx = 1\ny = 2\nz = 0\n", /* a key more */
      "[plugin:a]\nmodule = n\nx = 1\ny = 2\n",        /* the module */
      "[plugin:a]\nmodule = m\nx = 1\ny = 2\nenabled = no\n",
      "[plugin:a]\nmodule = m\nx = 1\ny = 2\non_error = abort\n",
      "[plugin:b]\nmodule = m\nx = 1\ny = 2\n", /* the name */
  };
  td_config *a = load(BASE);
  for (size_t i = 0; i < G_N_ELEMENTS(OTHER); i++) {
    td_config *b = load(OTHER[i]);
    assert_false(td_instance_conf_same(inst(a, 0), inst(b, 0)));
    assert_false(td_instance_conf_same(inst(b, 0), inst(a, 0)));
    td_config_free(b);
  }
  /* The same module name, but loaded from an explicit path (-p). */
  td_config *b = load(BASE);
  inst(b, 0)->path = g_strdup("/x/m.so");
  assert_false(td_instance_conf_same(inst(a, 0), inst(b, 0)));
  td_config_free(b);
  td_config_free(a);
}

static void test_keep_instance(void **state) {
  (void)state;
  td_config *old = load("[plugin:z]\nmodule = q\n"
                        "[plugin:a]\nmodule = m\n"
                        "x = 1\ny = 2\non_error = disable\n");
  td_config *cfg = load(BASE);
  td_instance_conf *kept = inst(old, 1);
  td_instance_conf *same = inst(cfg, 0);
  td_config_keep_instance(old, kept, cfg, same);
  assert_ptr_equal(inst(cfg, 0), kept);
  assert_ptr_equal(inst(old, 1), same);
  assert_int_equal(cfg->instances->len, 1);
  assert_int_equal(old->instances->len, 2);
  char *old_file = g_strdup(old->file);
  td_config_free(old);
  /* Its origins name the old file, from memory the new one holds. */
  assert_string_equal(kept->origin.file, old_file);
  assert_int_equal(kept->origin.line, 3);
  td_origin x = td_instance_key_origin(kept, "x");
  assert_string_equal(x.file, old_file);
  assert_int_equal(x.line, 5);
  td_origin on = td_instance_key_origin(kept, "on_error");
  assert_string_equal(on.file, old_file);
  assert_int_equal(on.line, 7);
  assert_string_equal(td_instance_get(kept, "y"), "2");
  g_free(old_file);
  td_config_free(cfg);
}

static void sink(void *user, const char *line) {
  g_string_append_printf(user, "%s\n", line);
}

static void test_keep_fixed(void **state) {
  (void)state;
  td_config *old = load("[host]\nstate_dir = /var/lib/td\n");
  td_config *cfg = load("[host]\ntruncate = yes\nmax_record_size = 1000\n"
                        "log_level = debug\nlinger = 9\n");
  GString *lines = g_string_new(NULL);
  td_diag_set_sink(sink, lines);
  assert_int_equal(td_config_keep_fixed(old, cfg), 3);
  assert_int_equal(td_config_keep_fixed(old, cfg), 0);
  td_diag_set_sink(NULL, NULL);
  assert_string_equal(
      lines->str,
      "thermos-dispatch: reload: [host] state_dir cannot change while "
      "running; keeping /var/lib/td\n"
      "thermos-dispatch: reload: [host] truncate cannot change while "
      "running; keeping no\n"
      "thermos-dispatch: reload: [host] max_record_size cannot change while "
      "running; keeping 67108864\n");
  assert_string_equal(cfg->state_dir, "/var/lib/td");
  assert_false(cfg->truncate);
  assert_int_equal(cfg->max_record_size, old->max_record_size);
  /* The keys that may change are left as the new file says. */
  assert_int_equal(cfg->log_level, THERMOS_LOG_DEBUG);
  assert_true(cfg->linger == 9);
  /* And back: a state_dir that was not set stays unset. */
  g_string_truncate(lines, 0);
  td_diag_set_sink(sink, lines);
  assert_int_equal(td_config_keep_fixed(cfg, old), 0);
  td_config *none = load("");
  assert_int_equal(td_config_keep_fixed(none, old), 1);
  td_diag_set_sink(NULL, NULL);
  assert_string_equal(lines->str,
                      "thermos-dispatch: reload: [host] state_dir cannot "
                      "change while running; keeping it unset\n");
  assert_null(old->state_dir);
  g_string_free(lines, TRUE);
  td_config_free(none);
  td_config_free(old);
  td_config_free(cfg);
}

int main(void) {
  char tmpl[] = "/tmp/td-config-reload.XXXXXX";
  dir = g_mkdtemp(tmpl);
  if (!dir)
    return 99;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_same_in_any_order),
      cmocka_unit_test(test_differences),
      cmocka_unit_test(test_keep_instance),
      cmocka_unit_test(test_keep_fixed),
  };
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  for (int i = 0; i < nfiles; i++) {
    char *path = g_strdup_printf("%s/c%d.ini", dir, i);
    unlink(path);
    g_free(path);
  }
  rmdir(dir);
  return rc;
}
