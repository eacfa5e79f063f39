/*
 * The `flaky` test plugin (tests/test-isolation-*.sh): misbehaves in the
 * ways an isolated instance's worker must survive, and writes down what
 * it got, so that the host's restarts can be checked.
 *
 * Options:
 *   out          a file: one line per call, "PID init", "PID open",
 *                "PID close", "PID fini", and for each record (its one
 *                universal callback) "PID RECORD HISTORY"
 *   crash_after  dies of SIGSEGV at its Nth live record (history 0) in
 *                this process (0: never)
 *   hang_at      sleeps for good in the live record of this index, once:
 *                `hang_once` is created first, and a process that finds it
 *                does not hang
 *   hang_once    that file
 *   sleep_ms     sleeps this long in every live record
 *   leak_fds     opens /dev/null in every record and never closes it
 *   leak_kb      allocates (and touches) this many KiB in every record
 *   fds_to       a file: at init, "fds=0,1,... uid=U gid=G": what the
 *                process has open (by number up to 4, then by the file's
 *                name) and who it runs as
 */
#include <dirent.h>
#include <stdarg.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <thermos/handler.h>

static const thermos_option OPTIONS[] = {
    {"out", THERMOS_OPT_PATH, NULL, "every call, one line each", NULL},
    {"crash_after", THERMOS_OPT_INT, "0", "SIGSEGV at the Nth live record",
     NULL},
    {"hang_at", THERMOS_OPT_INT, "-1", "hangs in this live record, once", NULL},
    {"hang_once", THERMOS_OPT_PATH, NULL, "made before hanging", NULL},
    {"sleep_ms", THERMOS_OPT_INT, "0", "sleeps in every live record", NULL},
    {"leak_fds", THERMOS_OPT_BOOL, "no", "a descriptor lost per record", NULL},
    {"leak_kb", THERMOS_OPT_INT, "0", "KiB lost per record", NULL},
    {"fds_to", THERMOS_OPT_PATH, NULL, "open descriptors, at init", NULL},
    {NULL, 0, NULL, NULL, NULL}};

typedef struct flaky {
  int fd;
  int64_t crash_after, hang_at, sleep_ms, leak_kb;
  bool leak_fds;
  const char *hang_once;
  int64_t live;
} flaky;

static void say(const flaky *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void say(const flaky *f, const char *fmt, ...) {
  if (f->fd < 0)
    return;
  char buf[256];
  int n = snprintf(buf, sizeof buf, "%ld ", (long)getpid());
  va_list ap;
  va_start(ap, fmt);
  n += vsnprintf(buf + n, sizeof buf - (size_t)n, fmt, ap);
  va_end(ap);
  buf[n++] = '\n';
  /* One write on an O_APPEND descriptor: lines of dead processes stay. */
  if (write(f->fd, buf, (size_t)n) < 0)
    return;
}

static int64_t opt_int(const thermos_host_v1 *h, const char *key) {
  int64_t v = 0;
  h->config_get_int(h->host, key, &v);
  return v;
}

static void list_fds(const thermos_host_v1 *h, const char *path) {
  DIR *d = opendir("/proc/self/fd");
  if (!d)
    return;
  char line[4096] = "fds=";
  size_t n = strlen(line);
  struct dirent *e;
  bool first = true;
  /* In the order of their numbers (readdir gives them so on Linux). */
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.' || atoi(e->d_name) == dirfd(d))
      continue;
    /* Past the five a worker is given, what it opened itself (its
     * module), by the file's name. */
    char name[512] = "";
    if (atoi(e->d_name) > 4) {
      char link[300], target[448];
      snprintf(link, sizeof link, "/proc/self/fd/%s", e->d_name);
      ssize_t k = readlink(link, target, sizeof target - 1);
      target[k > 0 ? k : 0] = '\0';
      const char *base = strrchr(target, '/');
      snprintf(name, sizeof name, "%s", base ? base + 1 : target);
    } else {
      snprintf(name, sizeof name, "%s", e->d_name);
    }
    n += (size_t)snprintf(line + n, sizeof line - n, "%s%s", first ? "" : ",",
                          name);
    first = false;
  }
  closedir(d);
  snprintf(line + n, sizeof line - n, " uid=%d gid=%d\n", (int)geteuid(),
           (int)getegid());
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd >= 0) {
    if (write(fd, line, strlen(line)) < 0)
      h->log(h->host, THERMOS_LOG_ERROR, "fds_to: write failed");
    close(fd);
  }
}

static int init(const thermos_host_v1 *h, void **ctx) {
  flaky *f = calloc(1, sizeof *f);
  if (!f)
    return -1;
  f->fd = -1;
  /* First: what the process was given, before anything is opened here. */
  const char *fds_to = h->config_get(h->host, "fds_to");
  if (fds_to)
    list_fds(h, fds_to);
  const char *out = h->config_get(h->host, "out");
  if (out)
    f->fd = open(out, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  f->crash_after = opt_int(h, "crash_after");
  f->hang_at = opt_int(h, "hang_at");
  f->sleep_ms = opt_int(h, "sleep_ms");
  f->leak_kb = opt_int(h, "leak_kb");
  int leak = 0;
  h->config_get_bool(h->host, "leak_fds", &leak);
  f->leak_fds = leak;
  f->hang_once = h->config_get(h->host, "hang_once");
  say(f, "init");
  *ctx = f;
  return 0;
}

static void fini(void *ctx) {
  flaky *f = ctx;
  say(f, "fini");
  if (f->fd >= 0)
    close(f->fd);
  free(f);
}

static void sleep_ms(int64_t ms) {
  struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0)
    ;
}

static int record(flaky *f, const thermos_event *ev) {
  say(f, "%" PRIu64 " %d", ev->record, ev->history);
  if (f->leak_fds)
    (void)open("/dev/null", O_RDONLY);
  if (f->leak_kb > 0) {
    char *p = malloc((size_t)f->leak_kb * 1024);
    if (p)
      memset(p, 1, (size_t)f->leak_kb * 1024);
  }
  if (ev->history)
    return 0;
  f->live++;
  if (f->sleep_ms > 0)
    sleep_ms(f->sleep_ms);
  if (f->hang_at >= 0 && (int64_t)ev->record == f->hang_at && f->hang_once &&
      access(f->hang_once, F_OK) != 0) {
    int fd = open(f->hang_once, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd >= 0)
      close(fd);
    for (;;)
      pause();
  }
  if (f->crash_after > 0 && f->live == f->crash_after)
    *(volatile int *)NULL = 1;
  return 0;
}

static int on_init(void *ctx, const thermos_event *ev,
                   const thermos_runner_header *h) {
  (void)h;
  return record(ctx, ev);
}

static int on_process(void *ctx, const thermos_event *ev, int32_t state,
                      const thermos_process_status *u) {
  (void)state;
  (void)u;
  return record(ctx, ev);
}

static int on_task(void *ctx, const thermos_event *ev, int32_t state,
                   const thermos_task_status *u) {
  (void)state;
  (void)u;
  return record(ctx, ev);
}

static int on_open(void *ctx, const thermos_event *ev) {
  say(ctx, "open %d", ev->history);
  return 0;
}

static int on_close(void *ctx, const thermos_event *ev) {
  (void)ev;
  say(ctx, "close");
  return 0;
}

static const thermos_handler_v1 TABLE = {
    .struct_size = sizeof(thermos_handler_v1),
    .abi_major = THERMOS_HANDLER_ABI_MAJOR,
    .name = "flaky",
    .version = "0",
    .options = OPTIONS,
    .init = init,
    .fini = fini,
    .on_stream_open = on_open,
    .on_stream_close = on_close,
    .on_initialization = on_init,
    .on_process_transition = on_process,
    .on_task_transition = on_task,
};

const thermos_handler_v1 *thermos_handler_v1_entry(void) { return &TABLE; }
