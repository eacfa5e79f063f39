#include "service_notify.h"

#include <stdbool.h>
#include <string.h>
#include <time.h>

#include <systemd/sd-daemon.h>

/* The last status sent, so that a tick sends nothing when nothing
 * changed. */
static char *last_status;

static void send_state(const char *state) {
  /* unset_environment = 0: the workers and hooks of a later version may
   * want NOTIFY_SOCKET too; sd_notify does nothing without it. */
  sd_notify(0, state);
}

void td_notify_status(const char *status) {
  if (last_status && strcmp(last_status, status) == 0)
    return;
  g_free(last_status);
  last_status = g_strdup(status);
  char *msg = g_strconcat("STATUS=", status, NULL);
  send_state(msg);
  g_free(msg);
}

void td_notify_ready(const char *status) {
  g_free(last_status);
  last_status = g_strdup(status);
  char *msg = g_strconcat("READY=1\nSTATUS=", status, NULL);
  send_state(msg);
  g_free(msg);
}

void td_notify_reloading(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  /* MONOTONIC_USEC: what systemd's Type=notify-reload needs to match the
   * reload with its READY=1. */
  char *msg = g_strdup_printf("RELOADING=1\nMONOTONIC_USEC=%" G_GUINT64_FORMAT,
                              (guint64)ts.tv_sec * 1000000u +
                                  (guint64)ts.tv_nsec / 1000u);
  send_state(msg);
  g_free(msg);
}

void td_notify_stopping(void) { send_state("STOPPING=1"); }

static gboolean watchdog_ping(gpointer user) {
  (void)user;
  send_state("WATCHDOG=1");
  return G_SOURCE_CONTINUE;
}

guint td_notify_watchdog_start(void) {
  uint64_t usec = 0;
  /* > 0 only when WATCHDOG_USEC is set and WATCHDOG_PID, if set, is us. */
  if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0)
    return 0;
  guint ms = (guint)MIN(usec / 2000u, (uint64_t)G_MAXUINT);
  send_state("WATCHDOG=1");
  return g_timeout_add(ms ? ms : 1, watchdog_ping, NULL);
}

char *td_notify_status_line(size_t streams, size_t disabled) {
  return g_strdup_printf("%zu stream%s followed, %zu instance%s disabled",
                         streams, streams == 1 ? "" : "s", disabled,
                         disabled == 1 ? "" : "s");
}
