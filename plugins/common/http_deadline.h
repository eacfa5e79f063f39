/* A deadline for each HTTP request of a plugin's server: a client must
 * send a whole request within a bound time of connecting (or of its
 * previous answer).  libmicrohttpd's connection timeout counts idle time
 * only, which a client trickling one header line at a time resets
 * forever; this cuts such a connection.  Internal to the bundled plugins. */
#ifndef TDP_HTTP_DEADLINE_H
#define TDP_HTTP_DEADLINE_H

#include <microhttpd.h>

typedef struct tdp_deadline tdp_deadline;

/** Starts the thread that cuts connections late by `seconds` (> 0).
 * NULL if the thread cannot be started. */
tdp_deadline *tdp_deadline_start(unsigned seconds);

/** The MHD_OPTION_NOTIFY_CONNECTION callback (cls: the tdp_deadline):
 * arms a connection's deadline when it starts, forgets it when closed. */
void tdp_deadline_notify(void *cls, struct MHD_Connection *c,
                         void **socket_context,
                         enum MHD_ConnectionNotificationCode code);

/** A whole request arrived on `c`: its next one gets a new deadline. */
void tdp_deadline_rearm(tdp_deadline *d, struct MHD_Connection *c);

/** Exempts `c` from its deadline until it closes: a response that
 * streams on purpose (the connection is then bounded by its writes). */
void tdp_deadline_hold(tdp_deadline *d, struct MHD_Connection *c);

/** Stops and joins the thread and frees everything.  Call it after
 * MHD_stop_daemon: the daemon notifies closes until it has stopped. */
void tdp_deadline_stop(tdp_deadline *d);

#endif
