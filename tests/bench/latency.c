/* latency: the benchmarks of following live streams (`make bench`, run by
 * tests/bench/run-follow-bench.sh).  It writes the streams, runs the host
 * with the `timestamp` plugin (tests/bench/timestamp_plugin.c) and prints
 * the figures.
 *
 * Usage:
 *   latency tail [-n APPENDS] [-i INTERVAL_US] HOST PLUGIN STREAM DIR
 *   latency watch [-t TASKS] [-r RECORDS] [-I IDLE_S] HOST PLUGIN STREAM DIR
 *
 * HOST is thermos-dispatch, PLUGIN the timestamp plugin's .so (in a
 * directory the host accepts: not writable by group or others), STREAM a
 * stream from gen-stream, DIR an empty directory for the files of the run.
 *
 * tail: DIR/runner gets STREAM's first two records (a task status and the
 * header); `HOST tail --forever DIR/runner` is started; once the plugin
 * says the stream is open, the next APPENDS records (default 10000) are
 * appended one write(2) each, INTERVAL_US apart (default 300), the
 * CLOCK_MONOTONIC time noted before each write.  Once the plugin has seen
 * them all, the host is stopped (SIGTERM), and the times the plugin noted
 * are matched with the writes by record index: the latencies' p50, p99 and
 * maximum are printed, with the CPU time the host used per append (and
 * how far the writer fell behind its pace, when it did by more than ten
 * intervals: a busy machine).
 *
 * watch: TASKS directories (default 10000) DIR/root/checkpoints/task-NNNNN,
 * each with a runner holding STREAM's first RECORDS records (default 100),
 * are written; `HOST watch DIR/root` is started, and timed from just before
 * its fork to the plugin's call for the last of the TASKS x RECORDS records
 * (all history: they are there at start).  Then its CPU time over IDLE_S
 * idle seconds (default 10, after one second to settle; its threads' run
 * times from /proc/PID/task/TID/schedstat) and its peak RSS (VmHWM) are
 * read from /proc, and it is stopped (SIGTERM).  Printed too: the CPU time
 * it used until the last record (the wall time less what others took on a
 * busy machine) and the time it takes to exit.  Without a terminal task status
 * in the records kept, every task stays followed.
 *
 * The host runs with `-c /dev/null`: the plugin is its only instance.  Its
 * standard error goes to DIR/host.err, shown when something fails; it
 * gets SIGTERM should this program die first.  Exit status: 0 when the
 * figures were measured (a missed target is printed, not a failure), 1
 * otherwise, 2 for a usage error.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Targets, from the "Following live streams" issue. */
#define TAIL_P99_TARGET_US 2000.0
#define WATCH_SECONDS_TARGET 3.0
#define WATCH_IDLE_CPU_TARGET 1.0

static const char *progname = "latency";
static volatile sig_atomic_t child_pid; /* the host, while it runs */

static _Noreturn void die(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Sends the host SIGTERM and waits for it, SIGKILL after `seconds`.
 * Returns its wait status, or -1 (it had to be killed, or cannot be
 * waited for).  Async-signal-safe: used by the signal handler too. */
static int stop_child(int seconds) {
  pid_t pid = (pid_t)child_pid;
  if (pid <= 0)
    return -1;
  kill(pid, SIGTERM);
  int64_t deadline = now_ns() + (int64_t)seconds * 1000000000;
  int status = -1;
  pid_t r;
  while ((r = waitpid(pid, &status, WNOHANG)) == 0 && now_ns() < deadline) {
    struct timespec ms = {0, 1000000};
    nanosleep(&ms, NULL);
  }
  if (r == 0) {
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    status = -1;
  } else if (r < 0) {
    status = -1;
  }
  child_pid = 0;
  return status;
}

static void die(const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "%s: ", progname);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  stop_child(10);
  exit(1);
}

static _Noreturn void usage(void) {
  fprintf(stderr,
          "usage: %s tail [-n APPENDS] [-i INTERVAL_US] HOST PLUGIN STREAM "
          "DIR\n"
          "       %s watch [-t TASKS] [-r RECORDS] [-I IDLE_S] HOST PLUGIN "
          "STREAM DIR\n",
          progname, progname);
  exit(2);
}

/* Stops the host (and waits for it: its files are in DIR, which the
 * caller removes next), then exits. */
static void on_signal(int sig) {
  stop_child(10);
  _exit(128 + sig);
}

static void sleep_ns(int64_t ns) {
  struct timespec ts = {(time_t)(ns / 1000000000), (long)(ns % 1000000000)};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
    ;
}

static void sleep_until(int64_t deadline) {
  struct timespec ts = {(time_t)(deadline / 1000000000),
                        (long)(deadline % 1000000000)};
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
    ;
}

static unsigned long parse_count(const char *opt, const char *s,
                                 unsigned long min, unsigned long max) {
  char *end;
  errno = 0;
  unsigned long v = strtoul(s, &end, 10);
  if (*s == '\0' || *s == '-' || *end != '\0' || errno != 0 || v < min ||
      v > max) {
    fprintf(stderr, "%s: %s must be an integer in [%lu, %lu], not '%s'\n",
            progname, opt, min, max, s);
    exit(2);
  }
  return v;
}

static char *path_in(const char *dir, const char *name) {
  size_t n = strlen(dir) + strlen(name) + 2;
  char *p = malloc(n);
  if (!p)
    die("out of memory");
  snprintf(p, n, "%s/%s", dir, name);
  return p;
}

/* ---- The stream, split into records by their length prefixes. */

typedef struct stream {
  unsigned char *data;
  size_t size;
  size_t *offsets; /* offsets[i]: record i's length prefix; [count]: end */
  size_t count;
} stream;

/* Reads the first `need` records of `path` (fails if it has fewer). */
static void load_stream(const char *path, size_t need, stream *s) {
  FILE *f = fopen(path, "rb");
  if (!f)
    die("%s: %s", path, strerror(errno));
  size_t cap = 1 << 20;
  s->data = malloc(cap);
  s->size = 0;
  s->offsets = malloc((need + 1) * sizeof *s->offsets);
  if (!s->data || !s->offsets)
    die("out of memory");
  size_t n;
  while ((n = fread(s->data + s->size, 1, cap - s->size, f)) > 0) {
    s->size += n;
    if (s->size == cap) {
      cap *= 2;
      if (!(s->data = realloc(s->data, cap)))
        die("out of memory");
    }
  }
  if (ferror(f))
    die("%s: %s", path, strerror(errno));
  fclose(f);
  size_t off = 0;
  s->count = 0;
  while (s->count < need) {
    if (s->size - off < 4)
      die("%s: %zu records, fewer than the %zu needed", path, s->count, need);
    const unsigned char *p = s->data + off;
    uint32_t len = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
                   (uint32_t)p[2] << 8 | (uint32_t)p[3];
    if (len > s->size - off - 4)
      die("%s: record %zu is torn", path, s->count);
    s->offsets[s->count++] = off;
    off += 4 + (size_t)len;
  }
  s->offsets[need] = off;
}

static void write_all(int fd, const void *buf, size_t len, const char *what) {
  const unsigned char *p = buf;
  while (len > 0) {
    ssize_t w = write(fd, p, len);
    if (w < 0) {
      if (errno == EINTR)
        continue;
      die("%s: %s", what, strerror(errno));
    }
    p += w;
    len -= (size_t)w;
  }
}

/* ---- The host. */

typedef struct argv_builder {
  char *v[32];
  int n;
} argv_builder;

static void arg(argv_builder *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void arg(argv_builder *a, const char *fmt, ...) {
  if (a->n >= (int)(sizeof a->v / sizeof a->v[0]) - 1)
    die("too many arguments");
  va_list ap;
  va_start(ap, fmt);
  if (vasprintf(&a->v[a->n], fmt, ap) < 0)
    die("out of memory");
  va_end(ap);
  a->v[++a->n] = NULL;
}

/* The instance name the host gives `-p PLUGIN`: its basename without .so. */
static char *instance_name(const char *plugin) {
  const char *base = strrchr(plugin, '/');
  base = base ? base + 1 : plugin;
  size_t n = strlen(base);
  if (n > 3 && strcmp(base + n - 3, ".so") == 0)
    n -= 3;
  char *name = strndup(base, n);
  if (!name)
    die("out of memory");
  return name;
}

static void spawn(char **argv, const char *err_path) {
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0)
    die("fork: %s", strerror(errno));
  if (pid == 0) {
    /* Never outlive this program (killed before it could stop us). */
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent)
      _exit(127);
    int null = open("/dev/null", O_RDWR);
    int err = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (null < 0 || err < 0)
      _exit(127);
    dup2(null, 0);
    dup2(null, 1);
    dup2(err, 2);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    execv(argv[0], argv);
    dprintf(2, "%s: cannot run %s: %s\n", progname, argv[0], strerror(errno));
    _exit(127);
  }
  child_pid = pid;
}

static void show_host_errors(const char *err_path) {
  FILE *f = fopen(err_path, "r");
  if (!f)
    return;
  char line[512];
  for (int i = 0; i < 20 && fgets(line, sizeof line, f); i++)
    fprintf(stderr, "  %s", line);
  fclose(f);
}

static void describe_status(int status, char *buf, size_t n) {
  if (WIFEXITED(status))
    snprintf(buf, n, "exit %d", WEXITSTATUS(status));
  else if (WIFSIGNALED(status))
    snprintf(buf, n, "killed by signal %d", WTERMSIG(status));
  else
    snprintf(buf, n, "status %#x", (unsigned)status);
}

/* Waits for `path` to exist, at most timeout_s seconds; fails if the host
 * ends first. */
static void wait_for_file(const char *path, double timeout_s,
                          const char *err_path, const char *what) {
  int64_t deadline = now_ns() + (int64_t)(timeout_s * 1e9);
  while (access(path, F_OK) != 0) {
    int status;
    pid_t pid = (pid_t)child_pid;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      child_pid = 0;
      char how[64];
      describe_status(status, how, sizeof how);
      fprintf(stderr, "%s: the host ended (%s) before %s:\n", progname, how,
              what);
      show_host_errors(err_path);
      exit(1);
    }
    if (now_ns() > deadline) {
      fprintf(stderr, "%s: no %s after %g s; the host said:\n", progname, what,
              timeout_s);
      show_host_errors(err_path);
      die("giving up");
    }
    sleep_ns(1000000);
  }
}

/* SIGTERM, then its exit status must be 0 (SIGKILL after 30 s). */
static void stop_host(const char *err_path) {
  int status = stop_child(30);
  if (status == -1)
    die("the host did not stop within 30 s of SIGTERM");
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    char how[64];
    describe_status(status, how, sizeof how);
    fprintf(stderr, "%s: the host failed (%s):\n", progname, how);
    show_host_errors(err_path);
    exit(1);
  }
}

static int64_t read_ns_file(const char *path) {
  FILE *f = fopen(path, "r");
  long long v;
  if (!f)
    die("%s: %s", path, strerror(errno));
  if (fscanf(f, "%lld", &v) != 1)
    die("%s: no time in it", path);
  fclose(f);
  return (int64_t)v;
}

/* CPU time used by a process so far, in nanoseconds: the sum of its
 * threads' run times from /proc/PID/task/TID/schedstat (the scheduler's
 * own count, to the nanosecond), else utime + stime from /proc/PID/stat
 * (clock ticks: 10 ms steps, too coarse for 1 % of 10 s). */
static uint64_t cpu_ns(pid_t pid) {
  char path[PATH_MAX];
  snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
  DIR *d = opendir(path);
  uint64_t sum = 0;
  bool ok = d != NULL;
  struct dirent *e;
  while (ok && (e = readdir(d))) {
    if (e->d_name[0] == '.')
      continue;
    snprintf(path, sizeof path, "/proc/%d/task/%s/schedstat", (int)pid,
             e->d_name);
    FILE *f = fopen(path, "r");
    unsigned long long ns;
    if (f && fscanf(f, "%llu", &ns) == 1)
      sum += ns;
    else if (f || (errno != ENOENT && errno != ESRCH)) /* a thread gone */
      ok = false;
    if (f)
      fclose(f);
  }
  if (d)
    closedir(d);
  if (ok)
    return sum;

  char buf[1024];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  FILE *f = fopen(path, "r");
  if (!f)
    die("%s: %s", path, strerror(errno));
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = '\0';
  /* After the command name, which may hold anything: its last ')'. */
  char *p = strrchr(buf, ')');
  unsigned long long utime, stime;
  /* Fields 3..15: state ppid pgrp session tty tpgid flags minflt cminflt
   * majflt cmajflt utime stime. */
  if (!p ||
      sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
             &utime, &stime) != 2)
    die("%s: unexpected contents", path);
  return (utime + stime) * UINT64_C(1000000000) /
         (uint64_t)sysconf(_SC_CLK_TCK);
}

/* ---- tail */

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

/* Nearest-rank percentile (pct in 1..100) of n > 0 sorted values. */
static int64_t percentile(const int64_t *v, size_t n, unsigned pct) {
  size_t rank = (n * pct + 99) / 100;
  return v[rank > 0 ? rank - 1 : 0];
}

static int cmd_tail(int argc, char **argv) {
  unsigned long appends = 10000, interval_us = 300;
  int opt;
  while ((opt = getopt(argc, argv, "+n:i:")) != -1) {
    switch (opt) {
    case 'n':
      appends = parse_count("-n", optarg, 1, 10000000);
      break;
    case 'i':
      interval_us = parse_count("-i", optarg, 0, 1000000);
      break;
    default:
      usage();
    }
  }
  if (argc - optind != 4)
    usage();
  const char *host = argv[optind], *plugin = argv[optind + 1];
  const char *stream_path = argv[optind + 2], *dir = argv[optind + 3];

  enum { HEAD = 2 }; /* records before the appends: task status, header */
  size_t total = HEAD + appends;
  stream s;
  load_stream(stream_path, total, &s);

  char *runner = path_in(dir, "runner");
  char *ready = path_in(dir, "ready");
  char *done = path_in(dir, "done");
  char *out = path_in(dir, "callbacks");
  char *err = path_in(dir, "host.err");
  int fd =
      open(runner, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0)
    die("%s: %s", runner, strerror(errno));
  write_all(fd, s.data, s.offsets[HEAD], runner);

  char *name = instance_name(plugin);
  argv_builder a = {{NULL}, 0};
  arg(&a, "%s", host);
  arg(&a, "-c");
  arg(&a, "/dev/null");
  arg(&a, "-p");
  arg(&a, "%s", plugin);
  arg(&a, "-o");
  arg(&a, "%s.capacity=%zu", name, total);
  arg(&a, "-o");
  arg(&a, "%s.out=%s", name, out);
  arg(&a, "-o");
  arg(&a, "%s.ready=%s", name, ready);
  arg(&a, "-o");
  arg(&a, "%s.expect=%zu", name, total);
  arg(&a, "-o");
  arg(&a, "%s.done=%s", name, done);
  arg(&a, "tail");
  arg(&a, "--forever");
  arg(&a, "%s", runner);
  spawn(a.v, err);
  wait_for_file(ready, 30, err, "the stream was opened");
  /* Let it dispatch the history and enter its loop. */
  sleep_ns(200000000);

  int64_t *written = malloc(appends * sizeof *written);
  int64_t *called = malloc(appends * sizeof *called);
  if (!written || !called)
    die("out of memory");
  pid_t pid = (pid_t)child_pid;
  uint64_t cpu_before = cpu_ns(pid);
  int64_t start = now_ns(), late = 0;
  for (size_t i = 0; i < appends; i++) {
    int64_t deadline = start + (int64_t)i * (int64_t)interval_us * 1000;
    sleep_until(deadline);
    size_t r = HEAD + i;
    written[i] = now_ns();
    if (written[i] - deadline > late)
      late = written[i] - deadline;
    write_all(fd, s.data + s.offsets[r], s.offsets[r + 1] - s.offsets[r],
              runner);
    called[i] = -1;
  }
  close(fd);
  wait_for_file(done, 30, err, "every append was dispatched");
  double cpu_per_append =
      (double)(cpu_ns(pid) - cpu_before) / 1e3 / (double)appends;
  stop_host(err);

  /* The plugin's calls: "# calls N stored M", then RECORD HISTORY NS. */
  FILE *f = fopen(out, "r");
  if (!f)
    die("%s: %s", out, strerror(errno));
  unsigned long long calls, stored;
  if (fscanf(f, "# calls %llu stored %llu", &calls, &stored) != 2)
    die("%s: no first line", out);
  unsigned long long rec;
  int history;
  long long ns;
  size_t matched = 0;
  while (fscanf(f, "%llu %d %lld", &rec, &history, &ns) == 3) {
    if (rec < HEAD || rec >= total)
      continue;
    if (history)
      die("record %llu was dispatched as history, not live", rec);
    if (called[rec - HEAD] >= 0)
      die("record %llu was dispatched twice", rec);
    called[rec - HEAD] = (int64_t)ns;
    matched++;
  }
  fclose(f);
  if (matched != appends)
    die("%zu of the %lu appends were dispatched", matched, appends);
  for (size_t i = 0; i < appends; i++) {
    called[i] -= written[i];
    if (called[i] < 0)
      die("record %zu was dispatched before it was written", HEAD + i);
  }
  qsort(called, appends, sizeof *called, cmp_i64);
  double p50 = (double)percentile(called, appends, 50) / 1e3;
  double p99 = (double)percentile(called, appends, 99) / 1e3;
  double max = (double)called[appends - 1] / 1e3;
  printf("tail latency: %lu appends: p50 %.0f us, p99 %.0f us, max %.0f us "
         "(target p99 <= %g ms)%s\n",
         appends, p50, p99, max, TAIL_P99_TARGET_US / 1000,
         p99 > TAIL_P99_TARGET_US ? ": MISSED" : "");
  printf("  (the host used %.1f us of CPU per append", cpu_per_append);
  if (late > (int64_t)interval_us * 1000 * 10)
    printf("; the writer fell behind its pace by up to %.1f ms",
           (double)late / 1e6);
  printf(")\n");

  free(written);
  free(called);
  free(name);
  for (int i = 0; i < a.n; i++)
    free(a.v[i]);
  free(runner);
  free(ready);
  free(done);
  free(out);
  free(err);
  free(s.data);
  free(s.offsets);
  return 0;
}

/* ---- watch */

/* A field of /proc/PID/status in kB (VmHWM, VmRSS). */
static unsigned long long status_kb(pid_t pid, const char *field) {
  char path[64], line[256];
  snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
  FILE *f = fopen(path, "r");
  if (!f)
    die("%s: %s", path, strerror(errno));
  size_t flen = strlen(field);
  unsigned long long kb = 0;
  bool found = false;
  while (fgets(line, sizeof line, f)) {
    if (strncmp(line, field, flen) == 0 && line[flen] == ':') {
      found = sscanf(line + flen + 1, "%llu", &kb) == 1;
      break;
    }
  }
  fclose(f);
  if (!found)
    die("%s: no %s", path, field);
  return kb;
}

static void make_dir(const char *path) {
  if (mkdir(path, 0755) != 0 && errno != EEXIST)
    die("%s: %s", path, strerror(errno));
}

static int cmd_watch(int argc, char **argv) {
  unsigned long tasks = 10000, records = 100, idle_s = 10;
  int opt;
  while ((opt = getopt(argc, argv, "+t:r:I:")) != -1) {
    switch (opt) {
    case 't':
      tasks = parse_count("-t", optarg, 1, 99999);
      break;
    case 'r':
      records = parse_count("-r", optarg, 2, 10000000);
      break;
    case 'I':
      idle_s = parse_count("-I", optarg, 1, 3600);
      break;
    default:
      usage();
    }
  }
  if (argc - optind != 4)
    usage();
  const char *host = argv[optind], *plugin = argv[optind + 1];
  const char *stream_path = argv[optind + 2], *dir = argv[optind + 3];

  stream s;
  load_stream(stream_path, records, &s);
  char *root = path_in(dir, "root");
  char *checkpoints = path_in(root, "checkpoints");
  char *done = path_in(dir, "done");
  char *err = path_in(dir, "host.err");
  make_dir(root);
  make_dir(checkpoints);
  for (unsigned long i = 0; i < tasks; i++) {
    char task[PATH_MAX];
    snprintf(task, sizeof task, "%s/task-%05lu", checkpoints, i);
    make_dir(task);
    char *runner = path_in(task, "runner");
    int fd = open(runner, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
      die("%s: %s", runner, strerror(errno));
    write_all(fd, s.data, s.offsets[records], runner);
    close(fd);
    free(runner);
  }

  unsigned long long expect = (unsigned long long)tasks * records;
  char *name = instance_name(plugin);
  argv_builder a = {{NULL}, 0};
  arg(&a, "%s", host);
  arg(&a, "-c");
  arg(&a, "/dev/null");
  arg(&a, "-p");
  arg(&a, "%s", plugin);
  arg(&a, "-o");
  arg(&a, "%s.capacity=0", name);
  arg(&a, "-o");
  arg(&a, "%s.expect=%llu", name, expect);
  arg(&a, "-o");
  arg(&a, "%s.done=%s", name, done);
  arg(&a, "watch");
  arg(&a, "%s", root);

  int64_t start = now_ns();
  spawn(a.v, err);
  pid_t pid = (pid_t)child_pid;
  wait_for_file(done, 120, err, "every record was dispatched");
  double secs = (double)(read_ns_file(done) - start) / 1e9;
  /* What it used to get there: the wall time less what others took. */
  double busy = (double)cpu_ns(pid) / 1e9;

  sleep_ns(1000000000); /* settle */
  uint64_t c0 = cpu_ns(pid);
  int64_t w0 = now_ns();
  sleep_ns((int64_t)idle_s * 1000000000);
  uint64_t c1 = cpu_ns(pid);
  int64_t w1 = now_ns();
  double cpu = (double)(c1 - c0) / (double)(w1 - w0) * 100.0;
  double rss_mb = (double)status_kb(pid, "VmHWM") / 1024.0;
  int64_t stopping = now_ns();
  stop_host(err);
  double stop_secs = (double)(now_ns() - stopping) / 1e9;

  const char *missed =
      secs > WATCH_SECONDS_TARGET
          ? (cpu > WATCH_IDLE_CPU_TARGET ? ": MISSED time "
                                           "and idle CPU"
                                         : ": MISSED time")
          : (cpu > WATCH_IDLE_CPU_TARGET ? ": MISSED idle CPU" : "");
  printf("watch: %lu tasks x %lu records dispatched in %.2f s (target <= %g "
         "s), peak RSS %.1f MB; idle CPU %.2f %% over %lu s (target <= %g "
         "%%)%s\n",
         tasks, records, secs, WATCH_SECONDS_TARGET, rss_mb, cpu, idle_s,
         WATCH_IDLE_CPU_TARGET, missed);
  printf("  (%.2f s of CPU used to get there; stopped by SIGTERM in %.2f s)\n",
         busy, stop_secs);

  free(name);
  for (int i = 0; i < a.n; i++)
    free(a.v[i]);
  free(root);
  free(checkpoints);
  free(done);
  free(err);
  free(s.data);
  free(s.offsets);
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2)
    usage();
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGHUP, &sa, NULL);
  /* Its output is read by a script: each line as soon as it is printed. */
  setvbuf(stdout, NULL, _IOLBF, 0);
  /* Each command parses its own options, argv[0] being its name. */
  if (strcmp(argv[1], "tail") == 0)
    return cmd_tail(argc - 1, argv + 1);
  if (strcmp(argv[1], "watch") == 0)
    return cmd_watch(argc - 1, argv + 1);
  usage();
}
