/*
 * The `crasher` test plugin (tests/test-crash-*.sh): dies of a real fatal
 * signal in the callback and at the record it is told to, so that the
 * host's crash line, exit status and crash record can be checked.
 *
 * Options:
 *   signal    SEGV (a write through a NULL pointer), BUS, FPE, ILL, ABRT
 *             (raise()), or STACK (unbounded recursion: a stack overflow,
 *             SIGSEGV); default SEGV
 *   callback  where: `record` (the first universal callback of the record:
 *             on_initialization, on_process_transition or
 *             on_task_transition; the default), `on_process_forked`,
 *             `on_stream_open`, `init`, `fini`, `tick`, or `thread` (a
 *             thread started by init, after `delay` seconds: outside any
 *             callback)
 *   at_record the record (0-based) it dies at; default 0
 *   delay     for `thread`: seconds; default 0.3
 *   out       a file: "crasher init" is appended by init, and
 *             "crasher CALLBACK record=N" just before it dies
 */
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <thermos/handler.h>

static const thermos_option OPTIONS[] = {
    {"signal", THERMOS_OPT_ENUM, "SEGV", "how it dies",
     "SEGV|BUS|FPE|ILL|ABRT|STACK"},
    {"callback", THERMOS_OPT_ENUM, "record", "where it dies",
     "record|on_process_forked|on_stream_open|init|fini|tick|thread"},
    {"at_record", THERMOS_OPT_INT, "0", "the record it dies at", NULL},
    {"delay", THERMOS_OPT_DOUBLE, "0.3", "for callback = thread", NULL},
    {"out", THERMOS_OPT_PATH, NULL, "where its lines go", NULL},
    {NULL, 0, NULL, NULL, NULL}};

typedef struct crasher {
  char signal[8];
  char callback[32];
  uint64_t at;
  double delay;
  char out[4096];
} crasher;

static void put(const crasher *c, const char *line) {
  if (!c->out[0])
    return;
  int fd = open(c->out, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd >= 0) {
    if (write(fd, line, strlen(line)) < 0)
      (void)0;
    close(fd);
  }
}

/* Deep enough to overflow any stack; the volatile buffer and the use of
 * the result keep the compiler from making it a loop. */
static volatile int bottom = -1; /* never reached */
static int recurse(int depth) {
  volatile char frame[1024];
  if (depth == bottom)
    return 0;
  frame[0] = (char)depth;
  return recurse(depth + 1) + frame[0];
}

static void die(const crasher *c, const char *callback, uint64_t record) {
  char line[128];
  snprintf(line, sizeof line, "crasher %s record=%" PRIu64 "\n", callback,
           record);
  put(c, line);
  if (strcmp(c->signal, "STACK") == 0) {
    recurse(0);
  } else if (strcmp(c->signal, "BUS") == 0) {
    raise(SIGBUS);
  } else if (strcmp(c->signal, "FPE") == 0) {
    raise(SIGFPE);
  } else if (strcmp(c->signal, "ILL") == 0) {
    raise(SIGILL);
  } else if (strcmp(c->signal, "ABRT") == 0) {
    raise(SIGABRT);
  } else {
    volatile int *volatile nowhere = NULL;
    *nowhere = 1;
  }
  abort(); /* not reached */
}

static bool here(const crasher *c, const char *callback,
                 const thermos_event *ev) {
  return strcmp(c->callback, callback) == 0 && (!ev || ev->record == c->at);
}

static void *late(void *arg) {
  const crasher *c = arg;
  struct timespec ts;
  ts.tv_sec = (time_t)c->delay;
  ts.tv_nsec = (long)((c->delay - (double)ts.tv_sec) * 1e9);
  nanosleep(&ts, NULL);
  die(c, "thread", 0);
  return NULL;
}

static int cr_init(const thermos_host_v1 *host, void **ctx) {
  crasher *c = calloc(1, sizeof *c);
  if (!c)
    return THERMOS_ERROR;
  snprintf(c->signal, sizeof c->signal, "%s",
           host->config_get(host->host, "signal"));
  snprintf(c->callback, sizeof c->callback, "%s",
           host->config_get(host->host, "callback"));
  c->at = strtoull(host->config_get(host->host, "at_record"), NULL, 10);
  c->delay = strtod(host->config_get(host->host, "delay"), NULL);
  const char *out = host->config_get(host->host, "out");
  if (out)
    snprintf(c->out, sizeof c->out, "%s", out);
  put(c, "crasher init\n");
  *ctx = c;
  if (here(c, "init", NULL))
    die(c, "init", 0);
  if (here(c, "thread", NULL)) {
    pthread_t t;
    if (pthread_create(&t, NULL, late, c) != 0)
      return THERMOS_ERROR;
    pthread_detach(t);
  }
  return THERMOS_OK;
}

static void cr_fini(void *ctx) {
  crasher *c = ctx;
  if (here(c, "fini", NULL))
    die(c, "fini", 0);
  free(c);
}

static int at_record(void *ctx, const thermos_event *ev) {
  crasher *c = ctx;
  if (here(c, "record", ev))
    die(c, "record", ev->record);
  return THERMOS_OK;
}

static int cr_initialization(void *ctx, const thermos_event *ev,
                             const thermos_runner_header *header) {
  (void)header;
  return at_record(ctx, ev);
}

static int cr_process(void *ctx, const thermos_event *ev, int32_t state,
                      const thermos_process_status *u) {
  (void)state;
  (void)u;
  return at_record(ctx, ev);
}

static int cr_task(void *ctx, const thermos_event *ev, int32_t state,
                   const thermos_task_status *u) {
  (void)state;
  (void)u;
  return at_record(ctx, ev);
}

static int cr_forked(void *ctx, const thermos_event *ev,
                     const thermos_process_status *u) {
  (void)u;
  if (here(ctx, "on_process_forked", ev))
    die(ctx, "on_process_forked", ev->record);
  return THERMOS_OK;
}

static int cr_stream_open(void *ctx, const thermos_event *ev) {
  if (here(ctx, "on_stream_open", ev))
    die(ctx, "on_stream_open", ev->record);
  return THERMOS_OK;
}

static int cr_tick(void *ctx, double now) {
  (void)now;
  if (here(ctx, "tick", NULL))
    die(ctx, "tick", 0);
  return THERMOS_OK;
}

static const thermos_handler_v1 TABLE = {
    .abi_major = THERMOS_HANDLER_ABI_MAJOR,
    .struct_size = sizeof(thermos_handler_v1),
    .name = "crasher",
    .version = "0",
    .options = OPTIONS,
    .init = cr_init,
    .fini = cr_fini,
    .on_initialization = cr_initialization,
    .on_process_transition = cr_process,
    .on_task_transition = cr_task,
    .on_process_forked = cr_forked,
    .on_stream_open = cr_stream_open,
    .tick = cr_tick,
};

const thermos_handler_v1 *thermos_handler_v1_entry(void) { return &TABLE; }
