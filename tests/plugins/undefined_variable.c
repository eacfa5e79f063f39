/*
 * A test plugin that reads a variable nothing defines: the host must refuse
 * it at load time, naming the symbol.
 */
#include <stddef.h>

#include <thermos/handler.h>

/* Defined nowhere. */
extern int td_test_variable_defined_nowhere;

static int tick(void *ctx, double now) {
  (void)ctx;
  (void)now;
  return td_test_variable_defined_nowhere;
}

static const thermos_handler_v1 TABLE = {
    .abi_major = THERMOS_HANDLER_ABI_MAJOR,
    .struct_size = sizeof(thermos_handler_v1),
    .name = "undefined_variable",
    .version = "0",
    .tick = tick,
};

const thermos_handler_v1 *thermos_handler_v1_entry(void) { return &TABLE; }
