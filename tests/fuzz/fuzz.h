/* The libFuzzer entry point each target defines: built into a libFuzzer
 * binary by `make fuzz` and into a plain replay program by `make check`. */
#ifndef TD_FUZZ_H
#define TD_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
