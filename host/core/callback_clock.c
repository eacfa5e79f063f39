#include "callback_clock.h"

#include <stdbool.h>
#include <time.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#include <x86intrin.h>
#define TD_HAVE_TSC 1
#else
#define TD_HAVE_TSC 0
#endif

static bool use_tsc;           /* set once, before any dispatch */
static double seconds_per_tsc; /* the counter's period */

static uint64_t monotonic_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#if TD_HAVE_TSC
/* CPUID 0x80000007, EDX bit 8: the counter runs at one rate in every
 * power state and is what the kernel itself trusts for time. */
static bool invariant_tsc(void) {
  unsigned a, b, c, d;
  if (!__get_cpuid(0x80000000u, &a, &b, &c, &d) || a < 0x80000007u)
    return false;
  __get_cpuid(0x80000007u, &a, &b, &c, &d);
  return (d & (1u << 8)) != 0;
}
#endif

void td_callback_clock_init(void) {
#if TD_HAVE_TSC
  static bool done;
  if (done)
    return;
  done = true;
  if (!invariant_tsc())
    return;
  /* 2 ms against CLOCK_MONOTONIC: the rate to about 0.1 %, plenty for a
   * histogram of decades and a slow-callback threshold. */
  uint64_t n0 = monotonic_ns(), t0 = __rdtsc();
  uint64_t n1, t1;
  do {
    n1 = monotonic_ns();
    t1 = __rdtsc();
  } while (n1 - n0 < 2000000u);
  if (t1 <= t0)
    return;
  seconds_per_tsc = (double)(n1 - n0) / 1e9 / (double)(t1 - t0);
  use_tsc = true;
#endif
}

uint64_t td_callback_clock_now(void) {
#if TD_HAVE_TSC
  if (use_tsc)
    return __rdtsc();
#endif
  return monotonic_ns();
}

double td_callback_clock_seconds(uint64_t from, uint64_t to) {
  if (to <= from)
    return 0;
  double units = (double)(to - from);
  return use_tsc ? units * seconds_per_tsc : units / 1e9;
}
