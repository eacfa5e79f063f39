/*
 * The `reasons` test plugin (tests/test-plugin-reasons.sh): hands the host
 * a failure reason (ABI 1.1 host->fail_reason) and fails, so that a test
 * can read the host's warning.  Every on_task_transition fails, after
 *   case = plain     fail_reason(`reason`);
 *   case = newline   fail_reason(`reason` "\nthermos-dispatch: forged");
 *   case = long      fail_reason(254 'a', U+00E9 (bytes 255 and 256), "zz"):
 *                    the host cuts at 255 bytes, inside the 'é';
 *   case = ascii     fail_reason(300 'b');
 *   case = unfailed  the first call sets `reason` and returns THERMOS_OK;
 *                    the later ones fail without a reason.
 */
#include <string.h>

#include <thermos/handler.h>

static const thermos_option OPTIONS[] = {
    {"case", THERMOS_OPT_ENUM, "plain", "what reason is handed over",
     "plain|newline|long|ascii|unfailed"},
    {"reason", THERMOS_OPT_STRING, "disk full", "the reason's text", NULL},
    {NULL, 0, NULL, NULL, NULL}};

typedef struct reasons {
  const thermos_host_v1 *host;
  const char *mode;
  const char *reason;
  unsigned calls;
} reasons;

static reasons ONE; /* one instance at a time is all the tests need */

static int r_init(const thermos_host_v1 *host, void **ctx) {
  if (!THERMOS_HAS_MEMBER(host, thermos_host_v1, fail_reason))
    return THERMOS_ERROR;
  ONE.host = host;
  ONE.mode = host->config_get(host->host, "case");
  ONE.reason = host->config_get(host->host, "reason");
  ONE.calls = 0;
  *ctx = &ONE;
  return THERMOS_OK;
}

static int r_task_transition(void *ctx, const thermos_event *ev, int32_t state,
                             const thermos_task_status *u) {
  reasons *r = ctx;
  const thermos_host_v1 *h = r->host;
  char buf[512];
  (void)ev;
  (void)state;
  (void)u;
  r->calls++;
  if (strcmp(r->mode, "newline") == 0) {
    strcpy(buf, r->reason);
    strcat(buf, "\nthermos-dispatch: forged");
    h->fail_reason(h->host, buf);
  } else if (strcmp(r->mode, "long") == 0) {
    memset(buf, 'a', 254);
    strcpy(buf + 254, "\xc3\xa9zz");
    h->fail_reason(h->host, buf);
  } else if (strcmp(r->mode, "ascii") == 0) {
    memset(buf, 'b', 300);
    buf[300] = '\0';
    h->fail_reason(h->host, buf);
  } else if (strcmp(r->mode, "unfailed") == 0) {
    if (r->calls == 1) {
      h->fail_reason(h->host, r->reason);
      return THERMOS_OK;
    }
  } else {
    h->fail_reason(h->host, r->reason);
  }
  return THERMOS_ERROR;
}

static const thermos_handler_v1 TABLE = {
    .abi_major = THERMOS_HANDLER_ABI_MAJOR,
    .struct_size = sizeof(thermos_handler_v1),
    .name = "reasons",
    .version = "0",
    .options = OPTIONS,
    .init = r_init,
    .on_task_transition = r_task_transition,
    .min_host_minor = 1,
};

const thermos_handler_v1 *thermos_handler_v1_entry(void) { return &TABLE; }
