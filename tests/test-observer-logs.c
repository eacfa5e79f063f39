/* Unit tests of the observer's log access (plugins/observer/observer_logs.c):
 * which names and paths obs_log_open refuses (`..`, `/`, symlinks on the
 * way or at the end, a FIFO, a bad stream), both layouts (the header's
 * log_dir and <root>/logs/<task_id>), and the exact /logdata JSON for
 * offsets, lengths, the cap, escaping and invalid UTF-8. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "observer_logs.h"

static char *tmp;    /* the test's directory */
static char *logdir; /* tmp/sandbox/.logs */

static char *at(const char *rel) { return g_build_filename(tmp, rel, NULL); }

static void mkdirs(const char *rel) {
  char *path = at(rel);
  assert_int_equal(g_mkdir_with_parents(path, 0700), 0);
  g_free(path);
}

static void put(const char *rel, const char *data, size_t len) {
  char *path = at(rel);
  assert_true(g_file_set_contents(path, data, (gssize)len, NULL));
  g_free(path);
}

static void link_at(const char *target, const char *rel) {
  char *path = at(rel);
  assert_int_equal(symlink(target, path), 0);
  g_free(path);
}

static int setup(void **unused) {
  (void)unused;
  tmp = g_dir_make_tmp("obs-logs-XXXXXX", NULL);
  if (!tmp)
    return -1;
  logdir = at("sandbox/.logs");
  mkdirs("sandbox/.logs/web/0");
  mkdirs("sandbox/.logs/web/1");
  put("sandbox/.logs/web/0/stdout", "hello\nworld\n", 12);
  put("sandbox/.logs/web/0/stderr", "oops\n", 5);
  put("sandbox/.logs/web/1/stdout", "second run\n", 11);
  mkdirs("outside/0");
  put("outside/secret", "secret\n", 7);
  put("outside/0/stdout", "secret\n", 7);
  put("stdout", "secret\n", 7);
  /* A process directory that is a symlink out of the log directory. */
  char *outside = at("outside");
  link_at(outside, "sandbox/.logs/evil");
  g_free(outside);
  /* A stdout that is a symlink to a file outside. */
  mkdirs("sandbox/.logs/linked/0");
  char *secret = at("outside/secret");
  link_at(secret, "sandbox/.logs/linked/0/stdout");
  g_free(secret);
  /* A run directory that is a symlink. */
  mkdirs("sandbox/.logs/runlink");
  char *run0 = at("outside/0");
  link_at(run0, "sandbox/.logs/runlink/0");
  g_free(run0);
  /* A FIFO as stdout: opening it must not wait for a writer. */
  mkdirs("sandbox/.logs/fifo/0");
  char *fifo = at("sandbox/.logs/fifo/0/stdout");
  assert_int_equal(mkfifo(fifo, 0600), 0);
  g_free(fifo);
  /* A directory as stderr. */
  mkdirs("sandbox/.logs/web/0/../1/stderr");
  /* Older runners: <root>/logs/<task_id>/<process>/<run>/. */
  mkdirs("root/logs/task-1/web/0");
  put("root/logs/task-1/web/0/stdout", "from root\n", 10);
  /* A log directory that is itself a symlink (the sandbox's .logs
   * replaced by the task). */
  mkdirs("sandbox2");
  char *real = at("outside");
  link_at(real, "sandbox2/.logs");
  g_free(real);
  return 0;
}

static int teardown(void **unused) {
  (void)unused;
  char *cmd = g_strdup_printf("rm -rf '%s'", tmp);
  int rc = system(cmd);
  g_free(cmd);
  g_free(logdir);
  g_free(tmp);
  return rc == 0 ? 0 : -1;
}

/* The whole content of fd (closed). */
static char *slurp(int fd) {
  assert_true(fd >= 0);
  GString *s = g_string_new(NULL);
  char buf[256];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0)
    g_string_append_len(s, buf, n);
  close(fd);
  return g_string_free(s, FALSE);
}

static void expect_refused(const char *dir, const char *root, const char *task,
                           const char *process, unsigned run,
                           const char *stream) {
  errno = 0;
  int fd = obs_log_open(dir, root, task, process, run, stream);
  if (fd >= 0)
    close(fd);
  assert_int_equal(fd, -1);
  assert_int_equal(errno, ENOENT);
}

static void test_open_good(void **unused) {
  (void)unused;
  char *s = slurp(obs_log_open(logdir, "", "", "web", 0, "stdout"));
  assert_string_equal(s, "hello\nworld\n");
  g_free(s);
  s = slurp(obs_log_open(logdir, "", "", "web", 0, "stderr"));
  assert_string_equal(s, "oops\n");
  g_free(s);
  s = slurp(obs_log_open(logdir, NULL, NULL, "web", 1, "stdout"));
  assert_string_equal(s, "second run\n");
  g_free(s);
  /* A trailing slash on the log directory. */
  char *slashed = g_strconcat(logdir, "//", NULL);
  s = slurp(obs_log_open(slashed, "", "", "web", 0, "stdout"));
  assert_string_equal(s, "hello\nworld\n");
  g_free(s);
  g_free(slashed);
  /* No log_dir: the root's logs/<task_id>. */
  char *root = at("root");
  s = slurp(obs_log_open("", root, "task-1", "web", 0, "stdout"));
  assert_string_equal(s, "from root\n");
  g_free(s);
  s = slurp(obs_log_open(NULL, root, "task-1", "web", 0, "stdout"));
  assert_string_equal(s, "from root\n");
  g_free(s);
  g_free(root);
}

static void test_open_refused(void **unused) {
  (void)unused;
  /* Not there. */
  expect_refused(logdir, "", "", "web", 2, "stdout");
  expect_refused(logdir, "", "", "nothing", 0, "stdout");
  /* Streams other than stdout and stderr. */
  expect_refused(logdir, "", "", "web", 0, "stdin");
  expect_refused(logdir, "", "", "web", 0, "../0/stdout");
  expect_refused(logdir, "", "", "web", 0, "");
  expect_refused(logdir, "", "", "web", 0, NULL);
  /* Process names that are not one name. */
  expect_refused(logdir, "", "", "..", 0, "stdout");
  expect_refused(logdir, "", "", ".", 0, "stdout");
  expect_refused(logdir, "", "", "", 0, "stdout");
  expect_refused(logdir, "", "", NULL, 0, "stdout");
  expect_refused(logdir, "", "", "../x", 0, "stdout");
  expect_refused(logdir, "", "", "../../outside", 0, "stdout");
  expect_refused(logdir, "", "", "web/0", 0, "stdout");
  expect_refused(logdir, "", "", "a/b", 0, "stdout");
  /* Symlinks: the process directory, the run, the file, the log dir. */
  expect_refused(logdir, "", "", "evil", 0, "stdout");
  expect_refused(logdir, "", "", "runlink", 0, "stdout");
  expect_refused(logdir, "", "", "linked", 0, "stdout");
  char *sandbox2 = at("sandbox2/.logs");
  expect_refused(sandbox2, "", "", "0", 0, "stdout");
  g_free(sandbox2);
  /* Not a regular file: a FIFO (at once, without a writer) and a
   * directory. */
  gint64 t0 = g_get_monotonic_time();
  expect_refused(logdir, "", "", "fifo", 0, "stdout");
  assert_true(g_get_monotonic_time() - t0 < G_TIME_SPAN_SECOND);
  expect_refused(logdir, "", "", "web", 1, "stderr");
  /* The root layout: task ids that are not one name, or no root. */
  char *root = at("root");
  expect_refused("", root, "..", "web", 0, "stdout");
  expect_refused("", root, "task-1/../task-1", "web", 0, "stdout");
  expect_refused("", root, "", "web", 0, "stdout");
  expect_refused("", root, NULL, "web", 0, "stdout");
  expect_refused("", "", "task-1", "web", 0, "stdout");
  expect_refused(NULL, NULL, "task-1", "web", 0, "stdout");
  g_free(root);
}

/* obs_logdata_json of tmp/rel as a string (g_free). */
static char *logdata(const char *rel, int64_t offset, int64_t length) {
  char *path = at(rel);
  int fd = open(path, O_RDONLY);
  g_free(path);
  assert_true(fd >= 0);
  GString *out = g_string_new("[");
  assert_int_equal(obs_logdata_json(out, fd, offset, length), 0);
  close(fd);
  g_string_append_c(out, ']');
  return g_string_free(out, FALSE);
}

#define EXPECT_LOGDATA(rel, offset, length, want)                              \
  do {                                                                         \
    char *got_ = logdata((rel), (offset), (length));                           \
    assert_string_equal(got_, "[" want "]");                                   \
    g_free(got_);                                                              \
  } while (0)

static void test_logdata(void **unused) {
  (void)unused;
  const char *f = "sandbox/.logs/web/0/stdout"; /* "hello\nworld\n" */
  EXPECT_LOGDATA(f, 0, -1,
                 "{\"offset\":0,\"length\":12,\"data\":\"hello\\nworld\\n\"}");
  EXPECT_LOGDATA(f, -1, -1, "{\"offset\":12,\"length\":0,\"data\":\"\"}");
  EXPECT_LOGDATA(f, -1, 100, "{\"offset\":12,\"length\":0,\"data\":\"\"}");
  EXPECT_LOGDATA(f, 6, 3, "{\"offset\":6,\"length\":3,\"data\":\"wor\"}");
  EXPECT_LOGDATA(f, 6, -1, "{\"offset\":6,\"length\":6,\"data\":\"world\\n\"}");
  EXPECT_LOGDATA(f, 6, 1000,
                 "{\"offset\":6,\"length\":6,\"data\":\"world\\n\"}");
  EXPECT_LOGDATA(f, 0, 0, "{\"offset\":0,\"length\":0,\"data\":\"\"}");
  EXPECT_LOGDATA(f, 12, 5, "{\"offset\":12,\"length\":0,\"data\":\"\"}");
  EXPECT_LOGDATA(f, 100, -1, "{\"offset\":100,\"length\":0,\"data\":\"\"}");
  EXPECT_LOGDATA(f, INT64_MAX, INT64_MAX,
                 "{\"offset\":9223372036854775807,\"length\":0,\"data\":\"\"}");

  /* Escaped as Aurora's (& < >), then as JSON; invalid UTF-8 as U+FFFD,
   * one per maximal ill-formed subsequence. */
  put("esc", "<b>&\"\\\x01\tok\xff\xc3(\xe2\x82\xac", 16);
  EXPECT_LOGDATA("esc", 0, -1,
                 "{\"offset\":0,\"length\":16,\"data\":\"&lt;b&gt;&amp;\\\"\\\\"
                 "\\u0001\\tok\xef\xbf\xbd\xef\xbf\xbd(\xe2\x82\xac\"}");
  /* A chunk that ends inside a character: U+FFFD at its end. */
  EXPECT_LOGDATA("esc", 14, 1,
                 "{\"offset\":14,\"length\":1,\"data\":\"\xef\xbf\xbd\"}");
}

static void test_logdata_cap(void **unused) {
  (void)unused;
  size_t size = 2 * OBS_LOGDATA_MAX + 5;
  char *big = g_malloc(size);
  memset(big, 'a', size);
  put("big", big, size);
  g_free(big);
  char *path = at("big");
  int fd = open(path, O_RDONLY);
  g_free(path);
  struct {
    int64_t offset, length, want_offset, want_length;
  } cases[] = {
      {0, -1, 0, OBS_LOGDATA_MAX},
      {0, INT64_MAX, 0, OBS_LOGDATA_MAX},
      {0, (int64_t)1 << 40, 0, OBS_LOGDATA_MAX},
      {-1, -1, (int64_t)size, 0},
      {(int64_t)size - 10, -1, (int64_t)size - 10, 10},
      {(int64_t)size - 10, OBS_LOGDATA_MAX, (int64_t)size - 10, 10},
      {OBS_LOGDATA_MAX, OBS_LOGDATA_MAX + 1, OBS_LOGDATA_MAX, OBS_LOGDATA_MAX},
  };
  for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
    GString *out = g_string_new(NULL);
    assert_int_equal(
        obs_logdata_json(out, fd, cases[i].offset, cases[i].length), 0);
    char *head = g_strdup_printf("{\"offset\":%" G_GINT64_FORMAT
                                 ",\"length\":%" G_GINT64_FORMAT ",\"data\":\"",
                                 cases[i].want_offset, cases[i].want_length);
    assert_true(g_str_has_prefix(out->str, head));
    /* The data: want_length a's, then "}. */
    assert_int_equal(out->len, strlen(head) + (size_t)cases[i].want_length + 2);
    assert_int_equal(out->str[out->len - 2], '"');
    g_free(head);
    g_string_free(out, TRUE);
  }
  close(fd);
  /* A descriptor that cannot be read: -1. */
  GString *out = g_string_new(NULL);
  assert_int_equal(obs_logdata_json(out, -1, 0, -1), -1);
  g_string_free(out, TRUE);
}

int main(void) {
  /* A FIFO opened without O_NONBLOCK would hang: fail instead. */
  alarm(60);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_open_good),
      cmocka_unit_test(test_open_refused),
      cmocka_unit_test(test_logdata),
      cmocka_unit_test(test_logdata_cap),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
