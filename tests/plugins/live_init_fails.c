/*
 * A test plugin whose init succeeds in mode check and fails in every
 * other mode: what a configuration check accepts and a start then
 * refuses (a resource only the running instance takes).  Nothing else.
 */
#include <stddef.h>

#include <thermos/handler.h>

static int init(const thermos_host_v1 *host, void **ctx) {
  *ctx = NULL;
  return host->mode == THERMOS_MODE_CHECK ? 0 : -1;
}

static const thermos_handler_v1 TABLE = {
    .abi_major = THERMOS_HANDLER_ABI_MAJOR,
    .struct_size = sizeof(thermos_handler_v1),
    .name = "live_init_fails",
    .version = "0",
    .init = init,
};

THERMOS_EXPORT const thermos_handler_v1 *thermos_handler_v1_entry(void) {
  return &TABLE;
}
