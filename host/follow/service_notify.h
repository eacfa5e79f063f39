/* What `tail` and `watch` tell systemd when they run as a Type=notify
 * service (sd_notify(3)): ready once the plugins are initialised and the
 * first scan is done, reloading around SIGHUP, stopping, a watchdog ping
 * from the main loop, and a status line.  Without NOTIFY_SOCKET every call
 * does nothing. */
#ifndef TD_SERVICE_NOTIFY_H
#define TD_SERVICE_NOTIFY_H

#include <stddef.h>

#include <glib.h>

/** READY=1, with the status line. */
void td_notify_ready(const char *status);
/** RELOADING=1 (with MONOTONIC_USEC), before a reload's work. */
void td_notify_reloading(void);
/** STOPPING=1, once a stop has begun. */
void td_notify_stopping(void);
/** STATUS=..., sent only when it differs from the last one sent. */
void td_notify_status(const char *status);

/** When the service manager asks for a watchdog (WATCHDOG_USEC, for this
 * process), a main-loop timer that sends WATCHDOG=1 at half that period:
 * a wedged loop stops the pings and is restarted.  Returns the source id,
 * 0 when no watchdog is asked for. */
guint td_notify_watchdog_start(void);

/** "N streams followed, M instances disabled". */
char *td_notify_status_line(size_t streams, size_t disabled);

#endif
