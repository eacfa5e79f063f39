/* A test plugin with an empty name. */
#include <stddef.h>

#include <thermos/handler.h>

static const thermos_handler_v1 TABLE = {
    .abi_major = THERMOS_HANDLER_ABI_MAJOR,
    .struct_size = sizeof(thermos_handler_v1),
    .name = "",
    .version = "0",
};

const thermos_handler_v1 *thermos_handler_v1_entry(void) { return &TABLE; }
