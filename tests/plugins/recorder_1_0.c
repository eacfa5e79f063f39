/*
 * The recorder test plugin (recorder.c) built against the frozen header of
 * ABI 1.0 (tests/abi/1.0/thermos/handler.h, first on the include path):
 * what a plugin compiled before 1.1 is.  The 1.1 host must load it and
 * call it exactly as it calls the recorder built against the current
 * header (tests/test-abi-compat.sh).
 */
#include <thermos/handler.h>

#ifdef THERMOS_HANDLER_ABI_MINOR
#error "not the 1.0 header: -I tests/abi/1.0 must come first"
#endif

#include "recorder.c"
