/*
 * The `returns` test plugin: its first on_task_transition returns the
 * value of its option `rc` (an integer, e.g. THERMOS_DISABLE_ME's 1000),
 * every later one THERMOS_OK; each call appends
 *   returns on_task_transition record=N rc=R
 * to the file named by `out`.  A 1.1 host treats the reserved return
 * values like any other non-zero one: a failure handled by on_error, the
 * instance neither disabled nor called again for that record.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <thermos/handler.h>

static const thermos_option OPTIONS[] = {
    {"out", THERMOS_OPT_PATH, NULL, "the file the calls are appended to", NULL},
    {"rc", THERMOS_OPT_INT, "0", "what the first on_task_transition returns",
     NULL},
    {NULL, 0, NULL, NULL, NULL}};

typedef struct returns {
  int fd;
  int rc;
  int calls;
} returns;

static int r_init(const thermos_host_v1 *host, void **ctx) {
  const char *out = host->config_get(host->host, "out");
  if (!out)
    return THERMOS_ERROR;
  returns *r = calloc(1, sizeof *r);
  if (!r)
    return THERMOS_ERROR;
  r->rc = atoi(host->config_get(host->host, "rc"));
  r->fd = open(out, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (r->fd < 0) {
    free(r);
    return THERMOS_ERROR;
  }
  *ctx = r;
  return THERMOS_OK;
}

static void r_fini(void *ctx) {
  returns *r = ctx;
  close(r->fd);
  free(r);
}

static int r_task_transition(void *ctx, const thermos_event *ev, int32_t state,
                             const thermos_task_status *u) {
  returns *r = ctx;
  (void)state;
  (void)u;
  int rc = r->calls++ == 0 ? r->rc : THERMOS_OK;
  char buf[128];
  int n = snprintf(buf, sizeof buf,
                   "returns on_task_transition record=%" PRIu64 " rc=%d\n",
                   ev->record, rc);
  if (n > 0 && write(r->fd, buf, (size_t)n) < 0)
    (void)0;
  return rc;
}

static const thermos_handler_v1 TABLE = {
    .abi_major = THERMOS_HANDLER_ABI_MAJOR,
    .struct_size = sizeof(thermos_handler_v1),
    .name = "returns",
    .version = "0",
    .options = OPTIONS,
    .init = r_init,
    .fini = r_fini,
    .on_task_transition = r_task_transition,
};

const thermos_handler_v1 *thermos_handler_v1_entry(void) { return &TABLE; }
