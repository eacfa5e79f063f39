/*
 * A test plugin without the entry symbol: it exports a function of a
 * similar name instead, so the module is a valid shared object.
 */
#include <stddef.h>

#include <thermos/handler.h>

static const thermos_handler_v1 TABLE = {
    .abi_major = THERMOS_HANDLER_ABI_MAJOR,
    .struct_size = sizeof(thermos_handler_v1),
    .name = "no_entry",
    .version = "0",
};

THERMOS_EXPORT const thermos_handler_v1 *thermos_handler_v0_entry(void);
const thermos_handler_v1 *thermos_handler_v0_entry(void) { return &TABLE; }
