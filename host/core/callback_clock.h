/* The clock that times plugin callbacks: two readings around every
 * callback, so it must be cheap.  On x86-64 with an invariant TSC it is
 * the time-stamp counter (about a third of clock_gettime's cost in a
 * virtual machine, where the kernel's clock source is often kvm-clock),
 * its rate measured once against CLOCK_MONOTONIC; elsewhere,
 * CLOCK_MONOTONIC itself. */
#ifndef TD_CALLBACK_CLOCK_H
#define TD_CALLBACK_CLOCK_H

#include <stdint.h>

/** Measures the counter's rate (about 2 ms, once per process; later calls
 * return at once).  Before it, td_callback_clock_now() reads
 * CLOCK_MONOTONIC. */
void td_callback_clock_init(void);

/** A reading, in the clock's own units. */
uint64_t td_callback_clock_now(void);

/** Seconds between two readings (0 if the second is earlier). */
double td_callback_clock_seconds(uint64_t from, uint64_t to);

#endif
