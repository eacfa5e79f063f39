/*
 * A test plugin declaring an option of a type this host does not know (7:
 * the next one a later minor might add).  The host must refuse it at load,
 * naming the plugin, the option and the type, rather than read the value
 * as a string.
 */
#include <stddef.h>

#include <thermos/handler.h>

static const thermos_option OPTIONS[] = {
    {"out", THERMOS_OPT_PATH, NULL, "a known type first", NULL},
    {"colour", 7, "red", "a type of a later minor", NULL},
    {NULL, 0, NULL, NULL, NULL}};

static const thermos_handler_v1 TABLE = {
    .abi_major = THERMOS_HANDLER_ABI_MAJOR,
    .struct_size = sizeof(thermos_handler_v1),
    .name = "unknown_type",
    .version = "0",
    .options = OPTIONS,
};

const thermos_handler_v1 *thermos_handler_v1_entry(void) { return &TABLE; }
