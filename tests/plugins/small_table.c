/*
 * A test plugin whose table is smaller than ABI 1.0's: it declares the
 * size of a 1.0 table without its last member.
 */
#include <stddef.h>

#include <thermos/handler.h>

static const thermos_handler_v1 TABLE = {
    .abi_major = THERMOS_HANDLER_ABI_MAJOR,
    .struct_size = offsetof(thermos_handler_v1, on_task_lost),
    .name = "small_table",
    .version = "0",
};

const thermos_handler_v1 *thermos_handler_v1_entry(void) { return &TABLE; }
