/*
 * The `abort_plugin` test plugin (tests/test-fault-abort.sh): calls abort()
 * in the first universal callback (on_initialization,
 * on_process_transition, on_task_transition) of the record numbered by its
 * option `at_record`, whatever its `history`: the host dies of SIGABRT in
 * the middle of dispatching that record.  Before it dies it appends
 * "abort record=N" to the file named by `out` (optional), with one write(2),
 * so a test can tell the abort happened where it asked.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <thermos/handler.h>

#include "each_record.h"

static const thermos_option OPTIONS[] = {
    {"at_record", THERMOS_OPT_INT, NULL,
     "the record (0-based) whose first callback calls abort()", NULL},
    {"out", THERMOS_OPT_PATH, NULL, "a line is appended here before abort()",
     NULL},
    {NULL, 0, NULL, NULL, NULL}};

typedef struct ab {
  uint64_t at;
  char out[4096];
} ab;

static int ab_init(const thermos_host_v1 *host, void **ctx) {
  const char *at = host->config_get(host->host, "at_record");
  if (!at || !*at) {
    host->config_error(host->host, "at_record", "required");
    return -1;
  }
  ab *a = calloc(1, sizeof *a);
  if (!a)
    return -1;
  a->at = strtoull(at, NULL, 10);
  const char *out = host->config_get(host->host, "out");
  if (out)
    snprintf(a->out, sizeof a->out, "%s", out);
  *ctx = a;
  return 0;
}

static void ab_fini(void *ctx) { free(ctx); }

static int check(void *ctx, const thermos_event *ev) {
  ab *a = ctx;
  if (ev->record != a->at)
    return 0;
  if (a->out[0]) {
    int fd = open(a->out, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd >= 0) {
      char buf[64];
      int n =
          snprintf(buf, sizeof buf, "abort record=%" PRIu64 "\n", ev->record);
      if (write(fd, buf, (size_t)n) < 0)
        (void)0;
      close(fd);
    }
  }
  abort();
}

TD_EACH_RECORD_CALLBACKS(ab, check)

static const thermos_handler_v1 TABLE = {
    .abi_major = THERMOS_HANDLER_ABI_MAJOR,
    .struct_size = sizeof(thermos_handler_v1),
    .name = "abort_plugin",
    .version = "0",
    .options = OPTIONS,
    .init = ab_init,
    .fini = ab_fini,
    .on_initialization = ab_initialization,
    .on_process_transition = ab_process,
    .on_task_transition = ab_task,
};

const thermos_handler_v1 *thermos_handler_v1_entry(void) { return &TABLE; }
