/*
 * A test plugin that calls a function nothing defines: the host must refuse
 * it at load time, naming the symbol (libltdl binds lazily and would only
 * fail at the first call).
 */
#include <stddef.h>

#include <thermos/handler.h>

/* Defined nowhere. */
extern int td_test_function_defined_nowhere(int x);

static int tick(void *ctx, double now) {
  (void)ctx;
  return td_test_function_defined_nowhere((int)now);
}

static const thermos_handler_v1 TABLE = {
    .abi_major = THERMOS_HANDLER_ABI_MAJOR,
    .struct_size = sizeof(thermos_handler_v1),
    .name = "undefined_function",
    .version = "0",
    .tick = tick,
};

const thermos_handler_v1 *thermos_handler_v1_entry(void) { return &TABLE; }
