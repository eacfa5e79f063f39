/* Unit tests of the observer's /proc reader (plugins/observer/
 * observer_proc.c) and disk walk (observer_disk.c): stat lines parsed
 * field by field (a command name with ") " in it), psutil's status names,
 * the snapshot's process tree of a real shell with two children, start
 * times from btime; the disk use of a tree of known files, symlinks not
 * followed, and each bound (entries, depth, cancel) stopping the walk. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "observer_disk.h"
#include "observer_proc.h"

static void test_parse_stat(void **unused) {
  (void)unused;
  /* A name with ") " and spaces in it: only the last ')' ends it. */
  const char line[] =
      "4242 (evil) 1 2 3 (x) S 17 4242 4242 0 -1 4194560 100 0 0 0 "
      "250 75 0 0 20 -5 3 0 123456 10485760 300 18446744073709551615 "
      "1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
  obs_proc_stat st;
  assert_true(obs_proc_parse_stat(line, sizeof line - 1, 4096, &st));
  assert_int_equal(st.pid, 4242);
  assert_int_equal(st.state, 'S');
  assert_int_equal(st.ppid, 17);
  assert_int_equal(st.utime, 250);
  assert_int_equal(st.stime, 75);
  assert_int_equal(st.nice, -5);
  assert_int_equal(st.threads, 3);
  assert_int_equal(st.starttime, 123456);
  assert_int_equal(st.vsize, 10485760);
  assert_int_equal(st.rss, 300 * 4096);

  /* Malformed: no name, no ')', cut short, letters for numbers. */
  const char *bad[] = {
      "",
      "12",
      "12 (x",
      "12 (x)",
      "12 (x) S",
      "12 (x) S 1 2 3",
      "x (y) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21",
      "12 (x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 z 18 19 20 21",
      "-3 (x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21",
  };
  for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
    assert_false(obs_proc_parse_stat(bad[i], strlen(bad[i]), 4096, &st));
  /* The shortest that holds field 24. */
  const char ok[] =
      "12 (x) R 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21";
  assert_true(obs_proc_parse_stat(ok, sizeof ok - 1, 1, &st));
  assert_int_equal(st.state, 'R');
  assert_int_equal(st.rss, 21);
}

static void test_status_names(void **unused) {
  (void)unused;
  assert_string_equal(obs_proc_status_name('R'), "running");
  assert_string_equal(obs_proc_status_name('S'), "sleeping");
  assert_string_equal(obs_proc_status_name('D'), "disk-sleep");
  assert_string_equal(obs_proc_status_name('T'), "stopped");
  assert_string_equal(obs_proc_status_name('t'), "tracing-stop");
  assert_string_equal(obs_proc_status_name('Z'), "zombie");
  assert_string_equal(obs_proc_status_name('X'), "dead");
  assert_string_equal(obs_proc_status_name('I'), "idle");
  assert_string_equal(obs_proc_status_name('W'), "waking");
  assert_string_equal(obs_proc_status_name('K'), "wake-kill");
  assert_string_equal(obs_proc_status_name('P'), "parked");
  assert_string_equal(obs_proc_status_name('?'), "unknown");
}

static int open_proc(void) {
  int fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  assert_true(fd >= 0);
  return fd;
}

static void test_self(void **unused) {
  (void)unused;
  int proc = open_proc();
  obs_proc_stat st;
  assert_true(obs_proc_read_stat(proc, (int32_t)getpid(), &st));
  assert_int_equal(st.pid, getpid());
  assert_int_equal(st.ppid, getppid());
  assert_int_equal(st.state, 'R');
  assert_true(st.threads >= 1);
  assert_true(st.rss > 0);
  double boot = obs_proc_boot_time(proc);
  double now = (double)g_get_real_time() / 1e6;
  assert_true(boot > 1e9 && boot < now);
  double started = obs_proc_start_time(&st, boot);
  assert_true(started > boot && started <= now + 2);
  assert_false(obs_proc_read_stat(proc, 0, &st));
  assert_false(obs_proc_read_stat(proc, INT32_MAX, &st));
  close(proc);
}

static void test_tree(void **unused) {
  (void)unused;
  int proc = open_proc();
  double before = (double)g_get_real_time() / 1e6;
  pid_t sh = fork();
  assert_true(sh >= 0);
  if (sh == 0) {
    setpgid(0, 0);
    execlp("sh", "sh", "-c", "sleep 30 & sleep 30 & wait", (char *)NULL);
    _exit(127);
  }
  setpgid(sh, sh);
  GPtrArray *tree = g_ptr_array_new();
  gint64 end = g_get_monotonic_time() + 5 * G_TIME_SPAN_SECOND;
  obs_proc_table *t = NULL;
  do {
    obs_proc_table_free(t);
    g_usleep(20000);
    t = obs_proc_table_new(proc);
    g_ptr_array_set_size(tree, 0);
    obs_proc_table_tree(t, sh, tree);
  } while (tree->len < 3 && g_get_monotonic_time() < end);
  assert_int_equal(tree->len, 3);
  const obs_proc_stat *top = tree->pdata[0];
  assert_int_equal(top->pid, sh);
  for (guint i = 1; i < tree->len; i++)
    assert_int_equal(((const obs_proc_stat *)tree->pdata[i])->ppid, sh);
  assert_true(obs_proc_table_size(t) >= 4);
  assert_non_null(obs_proc_table_get(t, getpid()));
  assert_null(obs_proc_table_get(t, 0));
  /* It started just now, by /proc's clock too. */
  double started = obs_proc_start_time(top, obs_proc_boot_time(proc));
  assert_true(started > before - 2 && started < before + 3);
  /* Our own tree holds the shell's. */
  g_ptr_array_set_size(tree, 0);
  obs_proc_table_tree(t, getpid(), tree);
  assert_true(tree->len >= 4);
  g_ptr_array_set_size(tree, 0);
  obs_proc_table_tree(t, 0, tree);
  assert_int_equal(tree->len, 0);
  obs_proc_table_free(t);
  g_ptr_array_free(tree, TRUE);
  kill(-sh, SIGKILL);
  waitpid(sh, NULL, 0);
  close(proc);
}

/* --- disk ---------------------------------------------------------------- */

static char *tmp;

static char *at(const char *rel) { return g_build_filename(tmp, rel, NULL); }

/* Writes `size` bytes to tmp/rel; returns st_blocks * 512 of it. */
static uint64_t file(const char *rel, size_t size) {
  char *path = at(rel);
  char *data = g_malloc0(size + 1);
  memset(data, 'd', size);
  assert_true(g_file_set_contents(path, data, (gssize)size, NULL));
  struct stat st;
  assert_int_equal(lstat(path, &st), 0);
  g_free(data);
  g_free(path);
  return (uint64_t)st.st_blocks * 512u;
}

static void mkdir_at(const char *rel) {
  char *path = at(rel);
  assert_int_equal(g_mkdir(path, 0700), 0);
  g_free(path);
}

static int disk_setup(void **unused) {
  (void)unused;
  tmp = g_dir_make_tmp("obs-disk-XXXXXX", NULL);
  return tmp ? 0 : -1;
}

static int disk_teardown(void **unused) {
  (void)unused;
  char *cmd = g_strdup_printf("rm -rf '%s'", tmp);
  int rc = system(cmd);
  g_free(cmd);
  g_free(tmp);
  return rc == 0 ? 0 : -1;
}

static void test_disk_sums(void **unused) {
  (void)unused;
  mkdir_at("box");
  mkdir_at("box/a");
  mkdir_at("box/a/b");
  mkdir_at("outside");
  uint64_t want = file("box/zero", 0) + file("box/one", 1) +
                  file("box/a/page", 4096) + file("box/a/b/big", 100000);
  assert_true(want >= 4096 + 100000);
  /* Outside, reached only through symlinks: never counted. */
  file("outside/huge", 1 << 20);
  char *target = at("outside");
  char *link = at("box/dirlink");
  assert_int_equal(symlink(target, link), 0);
  g_free(link);
  g_free(target);
  target = at("outside/huge");
  link = at("box/a/filelink");
  assert_int_equal(symlink(target, link), 0);
  g_free(link);
  g_free(target);

  char *box = at("box");
  obs_disk_result r;
  assert_true(
      obs_disk_usage(box, OBS_DISK_MAX_ENTRIES, OBS_DISK_MAX_DEPTH, NULL, &r));
  assert_int_equal(r.bytes, want);
  assert_int_equal(r.entries, 8); /* 4 files, 2 dirs, 2 links */
  assert_false(r.truncated);

  /* The top itself a symlink: refused. */
  char *boxlink = at("boxlink");
  assert_int_equal(symlink(box, boxlink), 0);
  assert_false(obs_disk_usage(boxlink, 100, 8, NULL, &r));
  assert_int_equal(r.bytes, 0);
  char *missing = at("missing");
  assert_false(obs_disk_usage(missing, 100, 8, NULL, &r));
  assert_false(obs_disk_usage("", 100, 8, NULL, &r));
  char *plain = at("box/one");
  assert_false(obs_disk_usage(plain, 100, 8, NULL, &r));
  g_free(plain);
  g_free(missing);
  g_free(boxlink);
  g_free(box);
}

static void test_disk_bounds(void **unused) {
  (void)unused;
  mkdir_at("many");
  uint64_t each = 0;
  for (int i = 0; i < 10; i++) {
    char rel[32];
    g_snprintf(rel, sizeof rel, "many/f%d", i);
    each = file(rel, 1000);
  }
  char *many = at("many");
  obs_disk_result r;
  /* Five entries and no more. */
  assert_true(obs_disk_usage(many, 5, 8, NULL, &r));
  assert_int_equal(r.entries, 5);
  assert_int_equal(r.bytes, 5 * each);
  assert_true(r.truncated);
  assert_true(obs_disk_usage(many, 10, 8, NULL, &r));
  assert_int_equal(r.bytes, 10 * each);
  assert_false(r.truncated);
  /* Cancelled before it starts: nothing counted. */
  gint cancel = 1;
  assert_true(obs_disk_usage(many, 100, 8, &cancel, &r));
  assert_int_equal(r.entries, 0);
  assert_int_equal(r.bytes, 0);
  assert_true(r.truncated);
  g_free(many);

  /* deep/1/2/3/4 with a file at each level. */
  mkdir_at("deep");
  uint64_t lvl[5];
  lvl[0] = file("deep/f", 3000);
  mkdir_at("deep/1");
  lvl[1] = file("deep/1/f", 3000);
  mkdir_at("deep/1/2");
  lvl[2] = file("deep/1/2/f", 3000);
  mkdir_at("deep/1/2/3");
  lvl[3] = file("deep/1/2/3/f", 3000);
  mkdir_at("deep/1/2/3/4");
  lvl[4] = file("deep/1/2/3/4/f", 3000);
  char *deep = at("deep");
  assert_true(obs_disk_usage(deep, 100, 2, NULL, &r));
  assert_int_equal(r.bytes, lvl[0] + lvl[1] + lvl[2]);
  assert_true(r.truncated);
  assert_true(obs_disk_usage(deep, 100, 4, NULL, &r));
  assert_int_equal(r.bytes, lvl[0] + lvl[1] + lvl[2] + lvl[3] + lvl[4]);
  assert_false(r.truncated);
  assert_true(obs_disk_usage(deep, 100, 0, NULL, &r));
  assert_int_equal(r.bytes, lvl[0]);
  g_free(deep);
}

/* A filesystem mounted inside the tree is not entered: in a child with a
 * mount namespace of its own (so nothing outlives the test), a tmpfs on
 * box/mnt holding a file.  Skipped where namespaces are not allowed. */
static void test_disk_other_fs(void **unused) {
  (void)unused;
  mkdir_at("box");
  mkdir_at("box/mnt");
  uint64_t want = file("box/f", 5000);
  char *box = at("box");
  char *mnt = at("box/mnt");
  char *inside = at("box/mnt/big");
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    if (unshare(CLONE_NEWNS) != 0 ||
        mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
        mount("tmpfs", mnt, "tmpfs", 0, "size=4m") != 0)
      _exit(77);
    char data[100000];
    memset(data, 'm', sizeof data);
    if (!g_file_set_contents(inside, data, sizeof data, NULL))
      _exit(3);
    obs_disk_result r;
    if (!obs_disk_usage(box, 100, 8, NULL, &r))
      _exit(4);
    /* box/f, box/mnt (looked at, not entered) */
    _exit(r.bytes == want && r.entries == 2 ? 0 : 5);
  }
  int status;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFEXITED(status));
  g_free(box);
  g_free(mnt);
  g_free(inside);
  if (WEXITSTATUS(status) == 77)
    skip();
  assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_parse_stat),
      cmocka_unit_test(test_status_names),
      cmocka_unit_test(test_self),
      cmocka_unit_test(test_tree),
      cmocka_unit_test_setup_teardown(test_disk_sums, disk_setup,
                                      disk_teardown),
      cmocka_unit_test_setup_teardown(test_disk_bounds, disk_setup,
                                      disk_teardown),
      cmocka_unit_test_setup_teardown(test_disk_other_fs, disk_setup,
                                      disk_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
