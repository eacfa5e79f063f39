#include "signals.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop_signal;
static volatile sig_atomic_t hangup;
/* A self-pipe: the handlers write a byte so that an event loop waiting in
 * poll wakes up (write is async-signal-safe). */
static int wakeup[2] = {-1, -1};

static void wake(void) {
  int saved = errno;
  if (wakeup[1] >= 0 && write(wakeup[1], "", 1) < 0) {
    /* Full pipe: a wake-up is pending anyway. */
  }
  errno = saved;
}

static void on_stop(int sig) {
  if (!stop_signal)
    stop_signal = sig;
  wake();
}

static void on_hangup(int sig) {
  (void)sig;
  hangup = 1;
  wake();
}

int td_signals_wakeup_fd(void) {
  if (wakeup[0] < 0 && pipe2(wakeup, O_CLOEXEC | O_NONBLOCK) != 0)
    wakeup[0] = wakeup[1] = -1;
  return wakeup[0];
}

void td_signals_drain(void) {
  char buf[64];
  while (wakeup[0] >= 0 && read(wakeup[0], buf, sizeof buf) > 0)
    ;
}

static bool installed;

void td_signals_install(void) {
  if (installed)
    return;
  installed = true;
  td_signals_wakeup_fd();
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

void td_signals_default(void) {
  if (!installed)
    return;
  installed = false;
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  signal(SIGHUP, SIG_DFL);
  /* What arrived while the handlers were in place now does what it would
   * have done without them. */
  if (stop_signal)
    raise(stop_signal);
  if (hangup)
    raise(SIGHUP);
}

int td_signals_stop_requested(void) { return stop_signal; }

bool td_signals_take_hangup(void) {
  if (!hangup)
    return false;
  hangup = 0;
  return true;
}
