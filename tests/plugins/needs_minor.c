/*
 * A test plugin of ABI 1.1 that declares the oldest host minor it needs
 * (min_host_minor): 2 by default, so that a 1.1 host refuses it at load;
 * with $TD_TEST_MIN_HOST_MINOR set, that number instead.  With
 * $TD_TEST_TABLE_1_0 set, its struct_size is 1.0's: min_host_minor lies
 * past the table it declares, and the host must not read it (whatever it
 * holds).  Once loaded, init logs at warning level what it found:
 *   host ABI 1.N (this plugin needs 1.M)
 * N from the host's abi_minor (0 when the host's table is too small to
 * hold it, as a 1.0 host's), M as declared.
 */
#include <stdlib.h>

#include <thermos/handler.h>

static int init(const thermos_host_v1 *host, void **ctx) {
  static int dummy;
  const thermos_handler_v1 *self = thermos_handler_v1_entry();
  unsigned minor = THERMOS_HAS_MEMBER(host, thermos_host_v1, abi_minor)
                       ? (unsigned)host->abi_minor
                       : 0;
  thermos_logf(
      host, THERMOS_LOG_WARNING, "host ABI %u.%u (this plugin needs 1.%u)",
      (unsigned)host->abi_major, minor, (unsigned)self->min_host_minor);
  *ctx = &dummy;
  return THERMOS_OK;
}

static thermos_handler_v1 table = {
    .abi_major = THERMOS_HANDLER_ABI_MAJOR,
    .struct_size = sizeof(thermos_handler_v1),
    .name = "needs_minor",
    .version = "0",
    .init = init,
    .min_host_minor = 2,
};

const thermos_handler_v1 *thermos_handler_v1_entry(void) {
  const char *minor = getenv("TD_TEST_MIN_HOST_MINOR");
  if (minor)
    table.min_host_minor = (uint32_t)strtoul(minor, NULL, 10);
  if (getenv("TD_TEST_TABLE_1_0"))
    table.struct_size = THERMOS_HANDLER_V1_0_SIZE;
  return &table;
}
