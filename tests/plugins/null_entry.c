/* A test plugin whose entry point returns NULL. */
#include <stddef.h>

#include <thermos/handler.h>

const thermos_handler_v1 *thermos_handler_v1_entry(void) { return NULL; }
