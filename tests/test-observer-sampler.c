/* Unit tests of the observer's sampler (plugins/observer/observer_sampler.c)
 * against real processes: a sleeping one, a shell with two children (their
 * threads summed), a busy loop (its CPU rate), a pid tracked with the wrong
 * start time (not sampled), untrack and forget, a sandbox's disk use, and a
 * prompt stop. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "observer_sampler.h"

/* Starts argv in its own process group (so the test can end its whole
 * tree) and returns once it has exec'd (the close-on-exec pipe reads EOF),
 * so no sample sees the fork's copy of the test; *start gets the wall
 * clock at the fork, in seconds.  `nice`: a nice value to ask for (0:
 * the test's own). */
static pid_t spawn_nice(char *const argv[], double *start, int nice) {
  int p[2];
  assert_int_equal(pipe2(p, O_CLOEXEC), 0);
  *start = (double)g_get_real_time() / 1e6;
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    setpgid(0, 0);
    /* Not the test's output: a child that outlived the test would keep a
     * reader of it waiting. */
    int null = open("/dev/null", O_WRONLY);
    if (null >= 0) {
      dup2(null, 1);
      dup2(null, 2);
    }
    if (nice)
      (void)setpriority(PRIO_PROCESS, 0, nice); /* best effort */
    execvp(argv[0], argv);
    _exit(127);
  }
  close(p[1]);
  char c;
  while (read(p[0], &c, 1) > 0)
    ;
  close(p[0]);
  setpgid(pid, pid);
  return pid;
}

static pid_t spawn(char *const argv[], double *start) {
  return spawn_nice(argv, start, 0);
}

static void reap(pid_t pid) {
  kill(-pid, SIGKILL);
  kill(pid, SIGKILL);
  waitpid(pid, NULL, 0);
}

typedef bool (*usage_pred)(const obs_usage *u);

static bool any(const obs_usage *u) {
  (void)u;
  return true;
}

/* Settled after its start: sleeping (a sample taken while the program
 * loads may see it running). */
static bool sleeping(const obs_usage *u) {
  return strcmp(u->status, "sleeping") == 0;
}

/* Polls the process's sample until `pred` holds, for up to `secs`. */
static bool wait_for(obs_sampler *s, const char *task, const char *proc,
                     usage_pred pred, double secs, obs_usage *out) {
  gint64 end = g_get_monotonic_time() + (gint64)(secs * 1e6);
  while (g_get_monotonic_time() < end) {
    if (obs_sampler_process(s, task, proc, out) && pred(out))
      return true;
    g_usleep(50000);
  }
  return false;
}

static void test_sleep_sampled(void **unused) {
  (void)unused;
  obs_sampler *s = obs_sampler_start(1, 0);
  assert_non_null(s);
  double start;
  pid_t pid = spawn((char *[]){"sleep", "30", NULL}, &start);
  obs_sampler_track(s, "task-a", "sleeper", pid, start);
  obs_usage u;
  assert_true(wait_for(s, "task-a", "sleeper", sleeping, 5, &u));
  assert_int_equal(u.threads, 1);
  assert_true(u.rss > 0);
  assert_true(u.vms >= u.rss);
  assert_int_equal(u.ram, u.rss);
  assert_string_equal(u.status, "sleeping");
  assert_int_equal(u.nice, getpriority(PRIO_PROCESS, 0));
  assert_true(u.user >= 0 && u.system >= 0);
  assert_true(u.cpu < 0.2);
  assert_int_equal(u.disk, 0);

  obs_usage t;
  obs_sampler_task(s, "task-a", &t);
  assert_int_equal(t.threads, 1);
  assert_int_equal(t.rss, u.rss);
  assert_int_equal(t.ram, u.rss);
  assert_string_equal(t.status, "sleeping");

  /* Unknown names: false and zeros. */
  assert_false(obs_sampler_process(s, "task-a", "other", &u));
  assert_int_equal(u.threads, 0);
  assert_false(obs_sampler_process(s, "task-b", "sleeper", &u));
  obs_sampler_task(s, "task-b", &t);
  assert_int_equal(t.threads, 0);
  assert_string_equal(t.status, "");

  /* Untracked: gone at once, from the process and from the task. */
  obs_sampler_untrack(s, "task-a", "sleeper");
  assert_false(obs_sampler_process(s, "task-a", "sleeper", &u));
  obs_sampler_task(s, "task-a", &t);
  assert_int_equal(t.threads, 0);
  assert_int_equal(t.rss, 0);
  obs_sampler_stop(s);
  reap(pid);
}

static bool three_threads(const obs_usage *u) {
  return u->threads >= 3 && sleeping(u);
}

static void test_tree_summed(void **unused) {
  (void)unused;
  obs_sampler *s = obs_sampler_start(1, 0);
  double start;
  pid_t sh =
      spawn((char *[]){"sh", "-c", "sleep 30 & sleep 30 & wait", NULL}, &start);
  pid_t lone = spawn((char *[]){"sleep", "30", NULL}, &start);
  obs_sampler_track(s, "task-t", "tree", sh, start);
  obs_sampler_track(s, "task-t", "lone", lone, start);
  obs_usage tree, one;
  assert_true(wait_for(s, "task-t", "tree", three_threads, 6, &tree));
  assert_int_equal(tree.threads, 3); /* sh and its two sleeps */
  assert_true(wait_for(s, "task-t", "lone", sleeping, 5, &one));
  /* Three processes' memory is more than one's, once all have loaded
   * (a pass later, both read from the same pass). */
  g_usleep(1500000);
  assert_true(obs_sampler_process(s, "task-t", "tree", &tree));
  assert_true(obs_sampler_process(s, "task-t", "lone", &one));
  assert_int_equal(tree.threads, 3);
  assert_true(tree.rss > one.rss);
  assert_string_equal(tree.status, "sleeping");

  /* The task sums its processes. */
  obs_usage t;
  obs_sampler_task(s, "task-t", &t);
  assert_true(t.threads >= 4);
  assert_true(t.rss >= tree.rss);
  obs_sampler_stop(s);
  reap(sh);
  reap(lone);
}

static double busiest;

static bool busy(const obs_usage *u) {
  busiest = MAX(busiest, u->cpu);
  return u->cpu > 0.3;
}

static void test_busy_cpu(void **unused) {
  (void)unused;
  obs_sampler *s = obs_sampler_start(1, 0);
  double start;
  /* The loop runs in a child of sh, so the rate is the tree's.  At nice
   * -15 where allowed (root), so it gets a core even while other tests
   * keep the host busy. */
  pid_t sh = spawn_nice(
      (char *[]){"sh", "-c", "sh -c 'while :; do :; done' & wait", NULL},
      &start, -15);
  obs_sampler_track(s, "task-c", "spin", sh, start);
  obs_usage u;
  busiest = 0;
  bool ok = wait_for(s, "task-c", "spin", busy, 15, &u);
  if (!ok)
    fprintf(stderr, "busiest rate seen: %.3f\n", busiest);
  assert_true(ok);
  assert_true(u.cpu < 1.5); /* one core at most, with some slack */
  assert_true(u.user + u.system > 0.1);
  assert_true(u.threads >= 2);
  /* The nice of the top process, whichever it got. */
  errno = 0;
  int nice = getpriority(PRIO_PROCESS, (id_t)sh);
  assert_int_equal(errno, 0);
  assert_int_equal(u.nice, nice);
  obs_usage t;
  obs_sampler_task(s, "task-c", &t);
  assert_true(t.cpu > 0.3);
  assert_int_equal(t.nice, nice);
  obs_sampler_stop(s);
  reap(sh);
}

static void test_wrong_start_time(void **unused) {
  (void)unused;
  obs_sampler *s = obs_sampler_start(1, 0);
  double start;
  pid_t pid = spawn((char *[]){"sleep", "30", NULL}, &start);
  /* The same pid twice: once as it started, once as a process that
   * started 1000 s later (the pid reused), and once 1000 s earlier. */
  obs_sampler_track(s, "task-w", "right", pid, start);
  obs_sampler_track(s, "task-w", "later", pid, start + 1000);
  obs_sampler_track(s, "task-w", "earlier", pid, start - 1000);
  obs_usage u;
  assert_true(wait_for(s, "task-w", "right", any, 5, &u));
  g_usleep(1500000); /* at least one more pass */
  assert_true(obs_sampler_process(s, "task-w", "right", &u));
  assert_false(obs_sampler_process(s, "task-w", "later", &u));
  assert_false(obs_sampler_process(s, "task-w", "earlier", &u));
  /* 0: no start time known, so no check. */
  obs_sampler_track(s, "task-w", "later", pid, 0);
  assert_true(wait_for(s, "task-w", "later", any, 5, &u));
  obs_sampler_stop(s);
  reap(pid);
}

static bool stopped(const obs_usage *u) {
  return strcmp(u->status, "stopped") == 0;
}

static bool zombie(const obs_usage *u) {
  return strcmp(u->status, "zombie") == 0;
}

/* psutil's names for a stopped process and for one that exited and was
 * not reaped. */
static void test_status_words(void **unused) {
  (void)unused;
  obs_sampler *s = obs_sampler_start(1, 0);
  double start;
  pid_t pid = spawn((char *[]){"sleep", "30", NULL}, &start);
  obs_sampler_track(s, "task-s", "p", pid, start);
  kill(pid, SIGSTOP);
  obs_usage u;
  assert_true(wait_for(s, "task-s", "p", stopped, 5, &u));
  assert_int_equal(u.threads, 1);
  kill(pid, SIGKILL); /* not reaped yet: a zombie */
  assert_true(wait_for(s, "task-s", "p", zombie, 5, &u));
  assert_int_equal(u.rss, 0);
  obs_sampler_stop(s);
  reap(pid);
}

static void test_process_gone(void **unused) {
  (void)unused;
  obs_sampler *s = obs_sampler_start(1, 0);
  double start;
  pid_t pid = spawn((char *[]){"sleep", "30", NULL}, &start);
  obs_sampler_track(s, "task-g", "p", pid, start);
  obs_usage u;
  assert_true(wait_for(s, "task-g", "p", any, 5, &u));
  reap(pid);
  /* Reaped: the next pass finds no such process. */
  gint64 end = g_get_monotonic_time() + 5 * G_TIME_SPAN_SECOND;
  while (obs_sampler_process(s, "task-g", "p", &u) &&
         g_get_monotonic_time() < end)
    g_usleep(50000);
  assert_false(obs_sampler_process(s, "task-g", "p", &u));
  obs_sampler_stop(s);
}

static void test_forget(void **unused) {
  (void)unused;
  obs_sampler *s = obs_sampler_start(1, 0);
  double start;
  pid_t pid = spawn((char *[]){"sleep", "30", NULL}, &start);
  obs_sampler_track(s, "task-f", "p", pid, start);
  obs_sampler_track(s, "task-f", "q", pid, start);
  obs_usage u;
  assert_true(wait_for(s, "task-f", "q", any, 5, &u));
  obs_sampler_forget(s, "task-f");
  assert_false(obs_sampler_process(s, "task-f", "p", &u));
  assert_false(obs_sampler_process(s, "task-f", "q", &u));
  obs_usage t;
  obs_sampler_task(s, "task-f", &t);
  assert_int_equal(t.threads, 0);
  /* Forgetting twice, or an unknown task, is harmless. */
  obs_sampler_forget(s, "task-f");
  obs_sampler_untrack(s, "task-x", "p");
  obs_sampler_stop(s);
  reap(pid);
}

static uint64_t write_file(const char *path, size_t size) {
  char *data = g_malloc(size + 1);
  memset(data, 'x', size);
  assert_true(g_file_set_contents(path, data, (gssize)size, NULL));
  g_free(data);
  struct stat st;
  assert_int_equal(lstat(path, &st), 0);
  return (uint64_t)st.st_blocks * 512u;
}

static void test_sandbox_disk(void **unused) {
  (void)unused;
  char *dir = g_dir_make_tmp("obs-sampler-XXXXXX", NULL);
  assert_non_null(dir);
  char *a = g_build_filename(dir, "a", NULL);
  char *b = g_build_filename(dir, "b", NULL);
  uint64_t want = write_file(a, 100000) + write_file(b, 5000);
  assert_true(want >= 105000);

  obs_sampler *s = obs_sampler_start(0, 1);
  obs_sampler_sandbox(s, "task-d", dir);
  obs_usage t;
  gint64 end = g_get_monotonic_time() + 5 * G_TIME_SPAN_SECOND;
  do {
    g_usleep(50000);
    obs_sampler_task(s, "task-d", &t);
  } while (t.disk == 0 && g_get_monotonic_time() < end);
  assert_int_equal(t.disk, want);
  assert_int_equal(t.threads, 0);

  /* No sandbox: no disk. */
  obs_sampler_sandbox(s, "task-d", "");
  obs_sampler_task(s, "task-d", &t);
  assert_int_equal(t.disk, 0);
  obs_sampler_stop(s);
  g_unlink(a);
  g_unlink(b);
  g_rmdir(dir);
  g_free(a);
  g_free(b);
  g_free(dir);
}

/* With an hour between passes, a process or sandbox told of after the
 * first pass is still sampled within a second or two. */
static void test_fresh_sampled_soon(void **unused) {
  (void)unused;
  obs_sampler *s = obs_sampler_start(3600, 3600);
  g_usleep(200000); /* past the first passes */
  double start;
  pid_t pid = spawn((char *[]){"sleep", "30", NULL}, &start);
  obs_sampler_track(s, "task-n", "p", pid, start);
  char *dir = g_dir_make_tmp("obs-fresh-XXXXXX", NULL);
  char *f = g_build_filename(dir, "f", NULL);
  uint64_t want = write_file(f, 20000);
  obs_sampler_sandbox(s, "task-n", dir);
  obs_usage u;
  assert_true(wait_for(s, "task-n", "p", any, 3, &u));
  gint64 end = g_get_monotonic_time() + 3 * G_TIME_SPAN_SECOND;
  obs_usage t;
  do {
    g_usleep(50000);
    obs_sampler_task(s, "task-n", &t);
  } while (t.disk == 0 && g_get_monotonic_time() < end);
  assert_int_equal(t.disk, want);
  obs_sampler_stop(s);
  reap(pid);
  g_unlink(f);
  g_rmdir(dir);
  g_free(f);
  g_free(dir);
}

typedef struct churn_arg {
  obs_sampler *s;
  const char *sandbox;
  int seed;
} churn_arg;

/* The dispatch thread's calls and a reader's, in a random mix on a few
 * names, while passes run: for the sanitizers and valgrind to watch. */
static gpointer churn(gpointer data) {
  churn_arg *a = data;
  GRand *r = g_rand_new_with_seed((guint32)a->seed);
  gint64 end = g_get_monotonic_time() + 2 * G_TIME_SPAN_SECOND;
  char task[16], proc[16];
  obs_usage u;
  while (g_get_monotonic_time() < end) {
    g_snprintf(task, sizeof task, "t%d", g_rand_int_range(r, 0, 4));
    g_snprintf(proc, sizeof proc, "p%d", g_rand_int_range(r, 0, 3));
    switch (g_rand_int_range(r, 0, 6)) {
    case 0:
      obs_sampler_track(a->s, task, proc, (int32_t)getpid(), 0);
      break;
    case 1:
      obs_sampler_untrack(a->s, task, proc);
      break;
    case 2:
      obs_sampler_sandbox(a->s, task, a->sandbox);
      break;
    case 3:
      obs_sampler_forget(a->s, task);
      break;
    case 4:
      obs_sampler_process(a->s, task, proc, &u);
      break;
    default:
      obs_sampler_task(a->s, task, &u);
    }
    if (g_rand_int_range(r, 0, 50) == 0)
      g_usleep(1000);
  }
  g_rand_free(r);
  return NULL;
}

static void test_concurrent_calls(void **unused) {
  (void)unused;
  obs_sampler *s = obs_sampler_start(1, 1);
  char *dir = g_dir_make_tmp("obs-churn-XXXXXX", NULL);
  churn_arg args[3];
  GThread *threads[3];
  for (int i = 0; i < 3; i++) {
    args[i] = (churn_arg){s, dir, i + 1};
    threads[i] = g_thread_new("churn", churn, &args[i]);
  }
  for (int i = 0; i < 3; i++)
    g_thread_join(threads[i]);
  obs_usage u;
  for (int t = 0; t < 4; t++) {
    char task[16];
    g_snprintf(task, sizeof task, "t%d", t);
    obs_sampler_forget(s, task);
    obs_sampler_task(s, task, &u);
    assert_int_equal(u.threads, 0);
    assert_int_equal(u.disk, 0);
  }
  obs_sampler_stop(s);
  g_rmdir(dir);
  g_free(dir);
}

static void test_stop_prompt(void **unused) {
  (void)unused;
  /* Sleeping an hour to the next pass: stop wakes it at once. */
  obs_sampler *s = obs_sampler_start(3600, 3600);
  assert_non_null(s);
  g_usleep(100000);
  gint64 t0 = g_get_monotonic_time();
  obs_sampler_stop(s);
  assert_true(g_get_monotonic_time() - t0 < G_TIME_SPAN_SECOND / 2);

  /* Nothing sampled at all. */
  s = obs_sampler_start(0, 0);
  assert_non_null(s);
  t0 = g_get_monotonic_time();
  obs_sampler_stop(s);
  assert_true(g_get_monotonic_time() - t0 < G_TIME_SPAN_SECOND / 2);
}

static void test_null(void **unused) {
  (void)unused;
  obs_usage u;
  obs_sampler_stop(NULL);
  obs_sampler_track(NULL, "t", "p", 1, 0);
  obs_sampler_untrack(NULL, "t", "p");
  obs_sampler_sandbox(NULL, "t", "/");
  obs_sampler_forget(NULL, "t");
  assert_false(obs_sampler_process(NULL, "t", "p", &u));
  obs_sampler_task(NULL, "t", &u);
  assert_int_equal(u.threads, 0);
}

int main(void) {
  /* A child killed before the test reaps it must not stop the test. */
  signal(SIGPIPE, SIG_IGN);
  /* A hang fails the test rather than stopping the suite. */
  alarm(180);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_sleep_sampled),
      cmocka_unit_test(test_tree_summed),
      cmocka_unit_test(test_busy_cpu),
      cmocka_unit_test(test_wrong_start_time),
      cmocka_unit_test(test_status_words),
      cmocka_unit_test(test_process_gone),
      cmocka_unit_test(test_forget),
      cmocka_unit_test(test_sandbox_disk),
      cmocka_unit_test(test_fresh_sampled_soon),
      cmocka_unit_test(test_concurrent_calls),
      cmocka_unit_test(test_stop_prompt),
      cmocka_unit_test(test_null),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
