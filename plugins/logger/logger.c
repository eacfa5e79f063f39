/* placeholder: being written */
#include <thermos/handler.h>
static const thermos_handler_v1 table = {
    .abi_major = THERMOS_HANDLER_ABI_MAJOR, .struct_size = sizeof table,
    .name = "logger", .version = "0"};
const thermos_handler_v1 *thermos_handler_v1_entry(void) { return &table; }
