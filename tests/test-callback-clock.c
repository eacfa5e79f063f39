/* The clock that times plugin callbacks (host/core/callback_clock.c): a
 * known sleep measures as that long, whichever counter it uses, and a
 * reading earlier than another gives 0, never a negative duration. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>

#include "core/callback_clock.h"

static double sleep_measured(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  uint64_t a = td_callback_clock_now();
  nanosleep(&ts, NULL);
  uint64_t b = td_callback_clock_now();
  return td_callback_clock_seconds(a, b);
}

/* Before the rate is measured: CLOCK_MONOTONIC. */
static void test_before_init(void **state) {
  (void)state;
  double s = sleep_measured(20);
  assert_true(s >= 0.019);
  assert_true(s < 1.0);
}

static void test_after_init(void **state) {
  (void)state;
  td_callback_clock_init();
  td_callback_clock_init(); /* once only */
  for (int i = 0; i < 3; i++) {
    double s = sleep_measured(50);
    assert_true(s >= 0.049);
    assert_true(s < 1.0);
  }
}

static void test_backwards_is_zero(void **state) {
  (void)state;
  uint64_t a = td_callback_clock_now();
  uint64_t b = td_callback_clock_now();
  assert_true(td_callback_clock_seconds(b + 1000, a) == 0.0);
  assert_true(td_callback_clock_seconds(a, a) == 0.0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_before_init),
      cmocka_unit_test(test_after_init),
      cmocka_unit_test(test_backwards_is_zero),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
