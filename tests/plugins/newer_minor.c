/*
 * A test plugin built for a newer minor of ABI 1: its table has members
 * appended after min_host_minor (the last of 1.1) and declares the larger
 * size; it needs a 1.1 host (min_host_minor 1: this host's own minor).
 * The host must load it, read the members it knows and call them.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <thermos/handler.h>

/* ABI 1.x, x > 1: 1.1's members, then new ones. */
typedef struct handler_v1_future {
  thermos_handler_v1 v1_0;
  int (*on_future_event)(void *ctx, const void *what);
  uint64_t future_flags;
  const char *future_text;
} handler_v1_future;

static const thermos_option OPTIONS[] = {
    {"out", THERMOS_OPT_PATH, NULL, "the file calls are appended to", NULL},
    {NULL, 0, NULL, NULL, NULL}};

static void put(void *ctx, const char *what, const thermos_event *ev) {
  char buf[256];
  int n = ev ? snprintf(buf, sizeof buf, "newer_minor %s record=%" PRIu64 "\n",
                        what, ev->record)
             : snprintf(buf, sizeof buf, "newer_minor %s\n", what);
  if (n > 0 && (size_t)n < sizeof buf && write(*(int *)ctx, buf, (size_t)n) < 0)
    (void)0;
}

static int init(const thermos_host_v1 *host, void **ctx) {
  const char *out = host->config_get(host->host, "out");
  if (!out)
    return -1;
  int *fd = malloc(sizeof *fd);
  if (!fd)
    return -1;
  *fd = open(out, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (*fd < 0) {
    free(fd);
    return -1;
  }
  *ctx = fd;
  put(fd, "init", NULL);
  return 0;
}

static void fini(void *ctx) {
  put(ctx, "fini", NULL);
  close(*(int *)ctx);
  free(ctx);
}

static int initialization(void *ctx, const thermos_event *ev,
                          const thermos_runner_header *h) {
  (void)h;
  put(ctx, "on_initialization", ev);
  return 0;
}

static int task_lost(void *ctx, const thermos_event *ev,
                     const thermos_task_status *u) {
  (void)u;
  put(ctx, "on_task_lost", ev);
  return 0;
}

static int task_success(void *ctx, const thermos_event *ev,
                        const thermos_task_status *u) {
  (void)u;
  put(ctx, "on_task_success", ev);
  return 0;
}

static int future(void *ctx, const void *what) {
  (void)what;
  put(ctx, "on_future_event", NULL);
  return -1;
}

static const handler_v1_future TABLE = {
    .v1_0 =
        {
            .abi_major = THERMOS_HANDLER_ABI_MAJOR,
            .struct_size = sizeof(handler_v1_future),
            .name = "newer_minor",
            .version = "1.9",
            .options = OPTIONS,
            .init = init,
            .fini = fini,
            .on_initialization = initialization,
            .on_task_success = task_success,
            .on_task_lost = task_lost,
            .min_host_minor = 1,
        },
    .on_future_event = future,
    .future_flags = UINT64_MAX,
    .future_text = "from the future",
};

const thermos_handler_v1 *thermos_handler_v1_entry(void) { return &TABLE.v1_0; }
