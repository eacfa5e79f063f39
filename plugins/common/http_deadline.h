/* A deadline for each HTTP request of the metrics endpoint: a client must
 * send a whole request within a bound time of connecting (or of its
 * previous answer).  libmicrohttpd's connection timeout counts idle time
 * only, which a client trickling one header line at a time resets
 * forever; this cuts such a connection.  Internal to the plugin. */
#ifndef METRICS_HTTP_DEADLINE_H
#define METRICS_HTTP_DEADLINE_H

#include <microhttpd.h>

typedef struct mx_deadline mx_deadline;

/** Starts the thread that cuts connections late by `seconds` (> 0).
 * NULL if the thread cannot be started. */
mx_deadline *mx_deadline_start(unsigned seconds);

/** The MHD_OPTION_NOTIFY_CONNECTION callback (cls: the mx_deadline):
 * arms a connection's deadline when it starts, forgets it when closed. */
void mx_deadline_notify(void *cls, struct MHD_Connection *c,
                        void **socket_context,
                        enum MHD_ConnectionNotificationCode code);

/** A whole request arrived on `c`: its next one gets a new deadline. */
void mx_deadline_rearm(mx_deadline *d, struct MHD_Connection *c);

/** Stops and joins the thread and frees everything.  Call it after
 * MHD_stop_daemon: the daemon notifies closes until it has stopped. */
void mx_deadline_stop(mx_deadline *d);

#endif
