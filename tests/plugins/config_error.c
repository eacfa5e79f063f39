/*
 * A test plugin that rejects its `level` option from init with
 * host->config_error, then fails (or, with `claim_success = yes`, wrongly
 * returns 0: the host must fail the start anyway).
 */
#include <stdlib.h>
#include <string.h>

#include <thermos/handler.h>

static const thermos_option OPTIONS[] = {
    {"level", THERMOS_OPT_INT, "0", "must be positive", NULL},
    {"claim_success", THERMOS_OPT_BOOL, "no",
     "return 0 from init after reporting the error", NULL},
    {NULL, 0, NULL, NULL, NULL}};

static int init(const thermos_host_v1 *host, void **ctx) {
  static int dummy;
  const char *level = host->config_get(host->host, "level");
  const char *claim = host->config_get(host->host, "claim_success");
  *ctx = &dummy;
  if (!level || atoi(level) <= 0) {
    host->config_error(host->host, "level", "must be positive");
    return claim && strcmp(claim, "yes") == 0 ? 0 : -1;
  }
  return 0;
}

static const thermos_handler_v1 TABLE = {
    .abi_major = THERMOS_HANDLER_ABI_MAJOR,
    .struct_size = sizeof(thermos_handler_v1),
    .name = "config_error",
    .version = "0",
    .options = OPTIONS,
    .init = init,
};

const thermos_handler_v1 *thermos_handler_v1_entry(void) { return &TABLE; }
