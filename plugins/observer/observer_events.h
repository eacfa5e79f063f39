/* Server-Sent Events: /events streams every transition (the logger's JSON
 * event object, one per `data:` line) to each subscriber, optionally only
 * those of one task.  The dispatch thread publishes without waiting: each
 * subscriber has a bounded queue, and one that falls behind by more than
 * its bound is disconnected (it reconnects and reloads).  Internal to the
 * plugin. */
#ifndef OBS_EVENTS_H
#define OBS_EVENTS_H

#include <stddef.h>

#include <microhttpd.h>
#include <thermos/handler.h>

#include "http_server.h"

typedef struct obs_events obs_events;

/** Seconds a stream stays silent at most: then it sends a comment. */
#define OBS_EVENTS_KEEPALIVE 5

/** A hub allowing at most `max_subscribers` streams at once. */
obs_events *obs_events_new(unsigned max_subscribers);

/** Wakes and ends every stream; later answers are 503.  Call before the
 * HTTP server stops (it joins the threads the streams run on). */
void obs_events_shutdown(obs_events *e);
void obs_events_free(obs_events *e);

/** Publishes one event: `json` is the event object (no newline), `task_id`
 * the task it is about.  Dispatch thread; never blocks on a client. */
void obs_events_publish(obs_events *e, const char *task_id, size_t task_id_len,
                        const char *json, size_t len);

/** Answers GET /events[?task_id=ID]: a text/event-stream response that
 * sends each published event as `data: <json>\n\n` and a comment every few
 * seconds when idle.  503 when the subscribers are at their limit.  The
 * server must be thread per connection, with an idle_timeout above
 * OBS_EVENTS_KEEPALIVE seconds: the stream is silent that long at most. */
enum MHD_Result obs_events_serve(obs_events *e, tdp_http *h,
                                 struct MHD_Connection *c);

#endif
