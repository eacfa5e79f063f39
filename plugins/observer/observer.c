/*
 * The bundled `observer` plugin: Aurora's Thermos observer (its pages and
 * JSON, same URLs) served from the state the host already follows,
 * updated by events instead of polling every task.  See
 * thermos-dispatch-observer(5).
 *
 * The dispatch thread updates the model (O(log n) an event under its
 * lock), tells the sampler what runs, and publishes each event to /events;
 * the HTTP threads answer from copies of the model.
 *
 * Everything here is static but the entry point.
 */
#ifdef HAVE_CONFIG_H
#include "build_config.h"
#endif

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <thermos/handler.h>

#include "core/states.h"
#include "format/json_write.h"
#include "http_server.h"
#include "plugin_options.h"

#include "observer_events.h"
#include "observer_model.h"
#include "observer_routes.h"
#include "observer_sampler.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0.1.0"
#endif

/* Streams of /events at once, and the most finished tasks kept. */
#define OBS_MAX_SUBSCRIBERS 32
#define OBS_MAX_FINISHED_MAX 10000000

typedef struct observer {
  const thermos_host_v1 *host;
  obs_model *model;
  obs_sampler *sampler;
  obs_events *events;
  tdp_http *http;
  obs_routes routes;
  char hostname[256];
  GString *event; /* the event being published, reused */
  /* ev->source written as JSON, kept while the stream lasts. */
  const char *source;
  GString *source_json;
} observer;

static const thermos_option OPTIONS[] = {
    {"listen", THERMOS_OPT_STRING, "127.0.0.1:1338",
     "HOST:PORT to serve the observer on (a bare PORT: 127.0.0.1)", NULL},
    {"sample_interval", THERMOS_OPT_INT, "20",
     "seconds between samples of running processes' CPU and memory; 0: off",
     NULL},
    {"disk_interval", THERMOS_OPT_INT, "60",
     "seconds between walks of each sandbox for its disk use; 0: off", NULL},
    {"max_finished", THERMOS_OPT_INT, "10000",
     "finished tasks kept (the oldest forgotten first)", NULL},
    {NULL, 0, NULL, NULL, NULL}};

/* An integer option in [0, max]; reported (exact text in the man page)
 * and false otherwise. */
static bool int_option(const thermos_host_v1 *host, const char *key,
                       const char *fallback, long long max, const char *unit,
                       long long *out) {
  const char *v = tdp_option(host, key, fallback);
  char *end;
  errno = 0;
  long long x = strtoll(v, &end, 10);
  if (errno || end == v || *end || x < 0 || x > max) {
    char *msg =
        g_strdup_printf("must be %s from 0 to %lld, not \"%s\"", unit, max, v);
    host->config_error(host->host, key, msg);
    g_free(msg);
    return false;
  }
  *out = x;
  return true;
}

static void observer_free(observer *o) {
  if (o->events)
    obs_events_shutdown(o->events);
  tdp_http_stop(o->http);
  obs_events_free(o->events);
  obs_sampler_stop(o->sampler);
  obs_model_free(o->model);
  if (o->event)
    g_string_free(o->event, TRUE);
  if (o->source_json)
    g_string_free(o->source_json, TRUE);
  g_free(o);
}

static int observer_init(const thermos_host_v1 *host, void **ctx) {
  observer *o = g_new0(observer, 1);
  o->host = host;
  char *err = NULL;
  long long sample = 0, disk = 0, max_finished = 0;
  bool ok = int_option(host, "sample_interval", "20",
                       (long long)TDP_SECONDS_MAX, "seconds", &sample);
  ok = int_option(host, "disk_interval", "60", (long long)TDP_SECONDS_MAX,
                  "seconds", &disk) &&
       ok;
  ok = int_option(host, "max_finished", "10000", OBS_MAX_FINISHED_MAX,
                  "a count", &max_finished) &&
       ok;
  const char *listen = tdp_option(host, "listen", "127.0.0.1:1338");
  struct sockaddr_storage addr;
  socklen_t addr_len = 0;
  if (tdp_listen_parse(listen, "127.0.0.1:1338", &addr, &addr_len, &err) != 0) {
    host->config_error(host->host, "listen", err);
    g_clear_pointer(&err, g_free);
    ok = false;
  }
  if (!ok || tdp_check_mode(host)) {
    observer_free(o);
    if (!ok)
      return THERMOS_ERROR;
    /* Check mode: validated, nothing bound or started. */
    *ctx = NULL;
    return THERMOS_OK;
  }

  o->model = obs_model_new((size_t)max_finished);
  o->event = g_string_sized_new(512);
  o->source_json = g_string_new(NULL);
  if (gethostname(o->hostname, sizeof o->hostname - 1) != 0)
    g_strlcpy(o->hostname, "localhost", sizeof o->hostname);
  if (sample || disk) {
    o->sampler = obs_sampler_start((unsigned)sample, (unsigned)disk);
    if (!o->sampler)
      thermos_logf(host, THERMOS_LOG_WARNING,
                   "cannot start the sampler: no resource figures");
  }
  o->events = obs_events_new(OBS_MAX_SUBSCRIBERS);
  o->routes = (obs_routes){o->model, o->sampler, o->events, NULL, o->hostname};
  tdp_http_limits limits = {.connections = 128,
                            .per_address = 16,
                            .idle_timeout = 30,
                            .request_deadline = 10,
                            .thread_per_connection = true};
  o->http =
      tdp_http_start(host, &addr, &limits, obs_routes_handle, &o->routes, &err);
  if (!o->http) {
    char *msg = g_strdup_printf("cannot listen on %s: %s", listen, err);
    host->config_error(host->host, "listen", msg);
    g_free(msg);
    g_free(err);
    observer_free(o);
    return THERMOS_ERROR;
  }
  /* Set after the start: a request arriving before then is answered
   * without a hold on its stream, which only /events uses. */
  o->routes.http = o->http;
  *ctx = o;
  return THERMOS_OK;
}

static void observer_fini(void *ctx) {
  if (ctx)
    observer_free(ctx);
}

/* --- events ------------------------------------------------------------- */

static void publish_end(observer *o, const thermos_event *ev) {
  if (ev->source != o->source) {
    g_string_truncate(o->source_json, 0);
    td_json_write_string(o->source_json, ev->source, strlen(ev->source));
    o->source = ev->source;
  }
  td_json_write_event_end(o->event, ev, o->source_json);
  obs_events_publish(o->events, ev->task_id.data ? ev->task_id.data : "",
                     ev->task_id.len, o->event->str, o->event->len);
}

/* The task id as a C string, for the sampler (NULL when none yet). */
static char *task_id_of(const thermos_event *ev) {
  if (!ev->task_id.len || !ev->task_id.data)
    return NULL;
  return g_strndup(ev->task_id.data, ev->task_id.len);
}

static int observer_on_initialization(void *ctx, const thermos_event *ev,
                                      const thermos_runner_header *h) {
  observer *o = ctx;
  if (!o)
    return THERMOS_OK;
  obs_model_initialization(o->model, ev, h);
  char *id = task_id_of(ev);
  if (id && o->sampler && (h->present & THERMOS_RH_SANDBOX)) {
    char *sandbox =
        g_strndup(h->sandbox.data ? h->sandbox.data : "", h->sandbox.len);
    obs_sampler_sandbox(o->sampler, id, sandbox);
    g_free(sandbox);
  }
  g_free(id);
  g_string_truncate(o->event, 0);
  td_json_write_event_begin(o->event, "initialization", ev);
  TD_PUT_LIT(o->event, ",\"header\":");
  td_json_write_runner_header(o->event, h);
  publish_end(o, ev);
  return THERMOS_OK;
}

static int observer_on_process_transition(void *ctx, const thermos_event *ev,
                                          int32_t state,
                                          const thermos_process_status *ps) {
  observer *o = ctx;
  if (!o)
    return THERMOS_OK;
  obs_model_process(o->model, ev, state, ps);
  char *id = task_id_of(ev);
  if (id && o->sampler && (ps->present & THERMOS_PS_PROCESS)) {
    char *name =
        g_strndup(ps->process.data ? ps->process.data : "", ps->process.len);
    if (state == THERMOS_PROCESS_RUNNING && (ps->present & THERMOS_PS_PID))
      obs_sampler_track(o->sampler, id, name, ps->pid,
                        (ps->present & THERMOS_PS_START_TIME) ? ps->start_time
                                                              : 0);
    else
      obs_sampler_untrack(o->sampler, id, name);
    g_free(name);
  }
  g_free(id);
  g_string_truncate(o->event, 0);
  td_json_write_event_begin(o->event, "process_transition", ev);
  TD_PUT_LIT(o->event, ",\"state\":");
  td_json_write_process_state(o->event, state);
  TD_PUT_LIT(o->event, ",\"process_status\":");
  td_json_write_process_status(o->event, ps);
  publish_end(o, ev);
  return THERMOS_OK;
}

static int observer_on_task_transition(void *ctx, const thermos_event *ev,
                                       int32_t state,
                                       const thermos_task_status *ts) {
  observer *o = ctx;
  if (!o)
    return THERMOS_OK;
  obs_model_task(o->model, ev, state, ts);
  if (o->sampler && td_task_state_terminal(state)) {
    char *id = task_id_of(ev);
    if (id)
      obs_sampler_forget(o->sampler, id);
    g_free(id);
  }
  g_string_truncate(o->event, 0);
  td_json_write_event_begin(o->event, "task_transition", ev);
  TD_PUT_LIT(o->event, ",\"state\":");
  td_json_write_task_state(o->event, state);
  TD_PUT_LIT(o->event, ",\"task_status\":");
  td_json_write_task_status(o->event, ts);
  publish_end(o, ev);
  return THERMOS_OK;
}

static int observer_on_stream_close(void *ctx, const thermos_event *ev) {
  observer *o = ctx;
  if (!o)
    return THERMOS_OK;
  obs_model_stream_close(o->model, ev);
  char *id = task_id_of(ev);
  if (id && o->sampler) {
    obs_task_view *t = obs_model_get(o->model, id);
    /* A task that ended without a terminal status (moved to finished/, or
     * its runner gone) is no longer sampled either. */
    if (!t || t->finished)
      obs_sampler_forget(o->sampler, id);
    obs_task_view_free(t);
  }
  g_free(id);
  /* The source pointer is not promised past this call. */
  if (ev->source == o->source)
    o->source = NULL;
  return THERMOS_OK;
}

static const thermos_handler_v1 OBSERVER = {
    .abi_major = THERMOS_HANDLER_ABI_MAJOR,
    .struct_size = sizeof(thermos_handler_v1),
    .name = "observer",
    .version = PACKAGE_VERSION,
    .options = OPTIONS,
    .init = observer_init,
    .fini = observer_fini,
    .on_stream_close = observer_on_stream_close,
    .on_initialization = observer_on_initialization,
    .on_process_transition = observer_on_process_transition,
    .on_task_transition = observer_on_task_transition,
};

THERMOS_EXPORT const thermos_handler_v1 *thermos_handler_v1_entry(void) {
  return &OBSERVER;
}
