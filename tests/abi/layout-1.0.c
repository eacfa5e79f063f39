/* The layout of ABI 1.0, computed from the frozen 1.0 header
 * (tests/abi/1.0/thermos/handler.h, first on this unit's include path),
 * for tests/test-abi-layout.c to compare with the current header's. */
#include <stddef.h>

#include <thermos/handler.h>

#include "abi-members.h"

#ifdef THERMOS_HANDLER_ABI_MINOR
#error "not the 1.0 header: -I tests/abi/1.0 must come first"
#endif

#define TD_OFFSET(T, m) offsetof(T, m),
#define TD_SIZE(T) sizeof(T),

const size_t td_abi_1_0_offsets[] = {TD_ABI_1_0_MEMBERS(TD_OFFSET)};
const size_t td_abi_1_0_n_offsets =
    sizeof td_abi_1_0_offsets / sizeof td_abi_1_0_offsets[0];
const size_t td_abi_1_0_sizes[] = {TD_ABI_1_0_STRUCTS(TD_SIZE)};
const size_t td_abi_1_0_n_sizes =
    sizeof td_abi_1_0_sizes / sizeof td_abi_1_0_sizes[0];
const size_t td_abi_1_0_handler_size = THERMOS_HANDLER_V1_0_SIZE;
