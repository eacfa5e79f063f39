/*
 * The `sleep_plugin` test plugin (tests/test-fault-sleep.sh): sleeps
 * `seconds` (default 5) in the first universal callback (on_initialization,
 * on_process_transition, on_task_transition) of the record numbered by
 * `at_record`, the first time that record is seen, the whole time even
 * when a signal interrupts it (nanosleep is restarted with what is left):
 * a slow handler.  With `out`, it appends (one write(2) each, O_APPEND)
 *   sleep start record=N     before sleeping
 *   sleep end record=N       after
 *   sleep fini               from fini
 * so a test can send a signal during the sleep and check what followed.
 * With `init_seconds`, init sleeps that long too, between
 *   sleep init start
 *   sleep init end
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <thermos/handler.h>

#include "each_record.h"

static const thermos_option OPTIONS[] = {
    {"at_record", THERMOS_OPT_INT, NULL,
     "the record (0-based) whose first callback sleeps", NULL},
    {"seconds", THERMOS_OPT_DOUBLE, "5", "how long it sleeps", NULL},
    {"out", THERMOS_OPT_PATH, NULL, "where the start and end lines go", NULL},
    {"init_seconds", THERMOS_OPT_DOUBLE, "0", "how long init sleeps", NULL},
    {NULL, 0, NULL, NULL, NULL}};

typedef struct sl {
  uint64_t at;
  double seconds;
  bool done;
  int fd;
} sl;

static void put_line(const sl *s, const char *line) {
  if (s->fd >= 0 && write(s->fd, line, strlen(line)) < 0)
    (void)0;
}

/* Sleeps `seconds`, the whole time even when a signal interrupts. */
static void sleep_for(double seconds) {
  struct timespec left;
  left.tv_sec = (time_t)seconds;
  left.tv_nsec = (long)((seconds - (double)left.tv_sec) * 1e9);
  while (nanosleep(&left, &left) != 0 && errno == EINTR)
    ;
}

static void put(sl *s, const char *what, uint64_t record) {
  if (s->fd < 0)
    return;
  char buf[128];
  int n =
      snprintf(buf, sizeof buf, "sleep %s record=%" PRIu64 "\n", what, record);
  if (n > 0 && write(s->fd, buf, (size_t)n) < 0)
    (void)0;
}

static int sl_init(const thermos_host_v1 *host, void **ctx) {
  const char *at = host->config_get(host->host, "at_record");
  if (!at || !*at) {
    host->config_error(host->host, "at_record", "required");
    return -1;
  }
  sl *s = calloc(1, sizeof *s);
  if (!s)
    return -1;
  s->fd = -1;
  s->at = strtoull(at, NULL, 10);
  const char *secs = host->config_get(host->host, "seconds");
  s->seconds = secs ? strtod(secs, NULL) : 5.0;
  const char *out = host->config_get(host->host, "out");
  if (out) {
    s->fd = open(out, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (s->fd < 0) {
      free(s);
      return -1;
    }
  }
  const char *init_secs = host->config_get(host->host, "init_seconds");
  if (init_secs && strtod(init_secs, NULL) > 0) {
    put_line(s, "sleep init start\n");
    sleep_for(strtod(init_secs, NULL));
    put_line(s, "sleep init end\n");
  }
  *ctx = s;
  return 0;
}

static void sl_fini(void *ctx) {
  sl *s = ctx;
  put_line(s, "sleep fini\n");
  if (s->fd >= 0)
    close(s->fd);
  free(s);
}

static int check(void *ctx, const thermos_event *ev) {
  sl *s = ctx;
  if (s->done || ev->record != s->at)
    return 0;
  s->done = true;
  put(s, "start", ev->record);
  sleep_for(s->seconds);
  put(s, "end", ev->record);
  return 0;
}

TD_EACH_RECORD_CALLBACKS(sl, check)

static const thermos_handler_v1 TABLE = {
    .abi_major = THERMOS_HANDLER_ABI_MAJOR,
    .struct_size = sizeof(thermos_handler_v1),
    .name = "sleep_plugin",
    .version = "0",
    .options = OPTIONS,
    .init = sl_init,
    .fini = sl_fini,
    .on_initialization = sl_initialization,
    .on_process_transition = sl_process,
    .on_task_transition = sl_task,
};

const thermos_handler_v1 *thermos_handler_v1_entry(void) { return &TABLE; }
