/*
 * A test plugin built for ABI major 2: the host must refuse it before it
 * reads anything else of the table (whose layout it cannot know).
 */
#include <stdint.h>

#include <thermos/handler.h>

/* What a major-2 table might begin with: only the handshake is shared. */
typedef struct handler_v2 {
  uint32_t abi_major;
  uint32_t struct_size;
  uint64_t flags; /* a layout v1 does not know */
} handler_v2;

static const handler_v2 TABLE = {2, sizeof(handler_v2), UINT64_MAX};

const thermos_handler_v1 *thermos_handler_v1_entry(void) {
  return (const thermos_handler_v1 *)(const void *)&TABLE;
}
