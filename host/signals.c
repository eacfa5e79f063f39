#include "signals.h"

#include <signal.h>
#include <string.h>

static volatile sig_atomic_t stop_signal;
static volatile sig_atomic_t hangup;

static void on_stop(int sig) {
  if (!stop_signal)
    stop_signal = sig;
}

static void on_hangup(int sig) {
  (void)sig;
  hangup = 1;
}

void td_signals_install(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sigemptyset(&sa.sa_mask);
  sa.sa_handler = on_stop;
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  sa.sa_handler = on_hangup;
  /* SA_RESTART: a write interrupted by SIGHUP is not an error. */
  sa.sa_flags = SA_RESTART;
  sigaction(SIGHUP, &sa, NULL);
}

int td_signals_stop_requested(void) { return stop_signal; }

bool td_signals_take_hangup(void) {
  if (!hangup)
    return false;
  hangup = 0;
  return true;
}
