/* The observer's URLs: Aurora's JSON (/j/..., /logdata/...), its HTML
 * pages, /assets/ and /events; 404 for anything else.  Internal to the
 * plugin. */
#ifndef OBS_ROUTES_H
#define OBS_ROUTES_H

#include <microhttpd.h>

#include "http_server.h"
#include "observer_events.h"
#include "observer_model.h"
#include "observer_sampler.h"

typedef struct obs_routes {
  obs_model *model;
  obs_sampler *sampler; /* NULL: no resource figures */
  obs_events *events;
  tdp_http *http;
  const char *hostname; /* shown on the index page */
} obs_routes;

/** A tdp_http_handler; `cls` is an obs_routes. */
enum MHD_Result obs_routes_handle(void *cls, struct MHD_Connection *c,
                                  const char *url);

#endif
