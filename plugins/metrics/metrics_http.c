/*
 * GET /metrics, served by the plugins' HTTP server (plugins/common).
 *
 * The dispatch thread must never wait on a scrape (a slow or stuck client
 * would stall every plugin), and the HTTP thread must never see registry
 * data being updated.  So the dispatch thread renders the whole exposition
 * into an immutable GBytes and swaps the published reference under a mutex
 * held for the swap only; a scrape takes a reference under the same mutex
 * and copies the text into its response outside of it.
 */
#ifdef HAVE_CONFIG_H
#include "build_config.h"
#endif

#include "metrics_http.h"

#include <string.h>

#include "http_server.h"

#define CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* Bounds on what clients can hold (thermos-dispatch-metrics(5)).
 * Prometheus needs one or two connections, from one or two addresses: a
 * few misbehaving clients on one address must not take every connection;
 * an idle connection is closed, and so is one that has not sent a whole
 * request within the deadline, however it trickles. */
static const tdp_http_limits limits = {
    .connections = 32,
    .per_address = 4,
    .idle_timeout = 10,
    .request_deadline = 5,
    .thread_per_connection = false, /* a scrape never blocks */
};

struct mx_http {
  tdp_http *server;
  GMutex lock;  /* guards text */
  GBytes *text; /* the published exposition */
};

int mx_listen_parse(const char *value, struct sockaddr_storage *addr,
                    socklen_t *addr_len, char **err) {
  return tdp_listen_parse(value, "127.0.0.1:9568", addr, addr_len, err);
}

static enum MHD_Result serve(void *cls, struct MHD_Connection *c,
                             const char *url) {
  mx_http *h = cls;
  if (strcmp(url, "/metrics") != 0) {
    static const char nf[] = "404 not found: the metrics are at /metrics\n";
    return tdp_http_reply(c, MHD_HTTP_NOT_FOUND, "text/plain; charset=utf-8",
                          nf, sizeof nf - 1);
  }
  g_mutex_lock(&h->lock);
  GBytes *text = h->text ? g_bytes_ref(h->text) : NULL;
  g_mutex_unlock(&h->lock);
  gsize len = 0;
  const char *data = text ? g_bytes_get_data(text, &len) : "";
  enum MHD_Result ret =
      tdp_http_reply(c, MHD_HTTP_OK, CONTENT_TYPE, data ? data : "", len);
  if (text)
    g_bytes_unref(text);
  return ret;
}

mx_http *mx_http_start(const thermos_host_v1 *host,
                       const struct sockaddr_storage *addr, char **err) {
  mx_http *h = g_new0(mx_http, 1);
  g_mutex_init(&h->lock);
  h->server = tdp_http_start(host, addr, &limits, serve, h, err);
  if (!h->server) {
    g_mutex_clear(&h->lock);
    g_free(h);
    return NULL;
  }
  return h;
}

void mx_http_publish(mx_http *h, GBytes *text) {
  g_mutex_lock(&h->lock);
  GBytes *old = h->text;
  h->text = text;
  g_mutex_unlock(&h->lock);
  if (old) /* freed outside the lock: a scrape may still hold it anyway */
    g_bytes_unref(old);
}

void mx_http_stop(mx_http *h) {
  if (!h)
    return;
  tdp_http_stop(h->server); /* joins its threads: no scrape runs after */
  if (h->text)
    g_bytes_unref(h->text);
  g_mutex_clear(&h->lock);
  g_free(h);
}
