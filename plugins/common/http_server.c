/*
 * The bundled plugins' HTTP server: libmicrohttpd on threads of its own,
 * within limits (tdp_http_limits), answering GET and HEAD through the
 * plugin's handler and every other method with 405 itself.
 *
 * The host runs as root beside every task: whatever a client does (open
 * many connections, trickle a request, send a body nobody asked for) must
 * cost it a bounded share of the server and never reach the dispatch
 * thread.
 */
#ifdef HAVE_CONFIG_H
#include "build_config.h"
#endif

#include "http_server.h"

#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netdb.h>
#include <netinet/in.h>

#include <glib.h>

#include "http_deadline.h"

/* The least time between two lines logged for the HTTP server. */
#define LOG_INTERVAL_US (10 * G_USEC_PER_SEC)

struct tdp_http {
  const thermos_host_v1 *host;
  struct MHD_Daemon *daemon;
  tdp_deadline *deadline;
  tdp_http_handler handler;
  void *cls;
  GMutex lock;      /* guards start_error and the log counters */
  int starting;     /* MHD_start_daemon is running: keep its messages */
  gint64 logged_at; /* when mhd_log last logged (monotonic, µs) */
  unsigned dropped; /* messages left out since */
  char start_error[256];
};

int tdp_listen_parse(const char *value, const char *example,
                     struct sockaddr_storage *addr, socklen_t *addr_len,
                     char **err) {
  const char *colon = strrchr(value, ':');
  /* A bare port, or ":PORT", is on loopback: exposing a plugin's pages to
   * the network is a choice to write out. */
  bool bare = !colon && *value && strspn(value, "0123456789") == strlen(value);
  if (!colon && !bare) {
    *err =
        g_strdup_printf("'%s': expected HOST:PORT (e.g. %s)", value, example);
    return -1;
  }
  char *host =
      bare ? g_strdup("127.0.0.1") : g_strndup(value, (gsize)(colon - value));
  const char *port = bare ? value : colon + 1;
  if (*host == '\0') {
    g_free(host);
    host = g_strdup("127.0.0.1");
  }
  size_t hl = strlen(host);
  /* [::1]:9568: the brackets keep the address's own colons apart. */
  if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') {
    memmove(host, host + 1, hl - 2);
    host[hl - 2] = '\0';
  } else if (strchr(host, ':')) {
    *err = g_strdup_printf("'%s': write an IPv6 address in brackets, "
                           "[ADDRESS]:PORT",
                           value);
    g_free(host);
    return -1;
  }
  char *end;
  long p = strtol(port, &end, 10);
  int rc = -1;
  if (*port == '\0' || *end != '\0' || p < 1 || p > 65535) {
    *err = g_strdup_printf("'%s': the port must be a number from 1 to 65535",
                           value);
  } else {
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_NUMERICSERV};
    struct addrinfo *res = NULL;
    int gai = getaddrinfo(host, port, &hints, &res);
    if (gai != 0 || !res) {
      *err = g_strdup_printf("'%s': cannot resolve %s: %s", value, host,
                             gai_strerror(gai));
    } else {
      memset(addr, 0, sizeof *addr);
      memcpy(addr, res->ai_addr, res->ai_addrlen);
      *addr_len = res->ai_addrlen;
      rc = 0;
    }
    if (res)
      freeaddrinfo(res);
  }
  g_free(host);
  return rc;
}

/* libmicrohttpd's messages: kept while starting (they say why the start
 * failed), logged through the host afterwards, at most one every
 * LOG_INTERVAL_US: clients refused by the limits produce one message
 * each, and a flood of them must not become a flood of log lines.  The
 * next line logged says how many were left out.  host->log is the one
 * host function these threads may call. */
static void mhd_log(void *cls, const char *fmt, va_list ap) {
  tdp_http *h = cls;
  char msg[256];
  vsnprintf(msg, sizeof msg, fmt, ap);
  g_strchomp(msg);
  gint64 now = g_get_monotonic_time();
  unsigned dropped = 0;
  g_mutex_lock(&h->lock);
  int starting = h->starting;
  bool quiet =
      !starting && h->logged_at != 0 && now - h->logged_at < LOG_INTERVAL_US;
  if (starting) {
    g_strlcpy(h->start_error, msg, sizeof h->start_error);
  } else if (quiet) {
    h->dropped++;
  } else {
    dropped = h->dropped;
    h->dropped = 0;
    h->logged_at = now;
  }
  g_mutex_unlock(&h->lock);
  if (starting || quiet)
    return;
  if (dropped == 0) {
    h->host->log(h->host->host, THERMOS_LOG_WARNING, msg);
    return;
  }
  char *line = g_strdup_printf("%s (%u more HTTP server messages left out)",
                               msg, dropped);
  h->host->log(h->host->host, THERMOS_LOG_WARNING, line);
  g_free(line);
}

void tdp_http_common_headers(struct MHD_Response *r) {
  /* A task's own text (a log, an id) must never be sniffed into HTML. */
  MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
  /* Pages load scripts, styles and data from the server itself only: a
   * string a task wrote that escaped the escaping still could not run. */
  MHD_add_response_header(r, "Content-Security-Policy", "default-src 'self'");
}

enum MHD_Result tdp_http_reply(struct MHD_Connection *c, unsigned status,
                               const char *content_type, const char *body,
                               size_t len) {
  struct MHD_Response *r =
      MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
  if (!r)
    return MHD_NO;
  MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
  tdp_http_common_headers(r);
  if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
    MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
  enum MHD_Result ret = MHD_queue_response(c, status, r);
  MHD_destroy_response(r);
  return ret;
}

static enum MHD_Result serve(void *cls, struct MHD_Connection *c,
                             const char *url, const char *method,
                             const char *version, const char *upload_data,
                             size_t *upload_data_size, void **con_cls) {
  (void)version;
  (void)upload_data;
  (void)con_cls;
  tdp_http *h = cls;
  tdp_deadline_rearm(h->deadline, c); /* the request is whole */
  if (*upload_data_size) {            /* a body nobody asked for: ignore it */
    *upload_data_size = 0;
    return MHD_YES;
  }
  /* HEAD is GET without the body, which libmicrohttpd leaves out. */
  if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
      strcmp(method, MHD_HTTP_METHOD_HEAD) != 0) {
    static const char na[] = "405 method not allowed\n";
    return tdp_http_reply(c, MHD_HTTP_METHOD_NOT_ALLOWED,
                          "text/plain; charset=utf-8", na, sizeof na - 1);
  }
  return h->handler(h->cls, c, url);
}

tdp_http *tdp_http_start(const thermos_host_v1 *host,
                         const struct sockaddr_storage *addr,
                         const tdp_http_limits *limits,
                         tdp_http_handler handler, void *cls, char **err) {
  tdp_http *h = g_new0(tdp_http, 1);
  h->host = host;
  h->handler = handler;
  h->cls = cls;
  g_mutex_init(&h->lock);
  h->starting = 1;
  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
  if (limits->thread_per_connection)
    flags |= MHD_USE_THREAD_PER_CONNECTION;
  if (addr->ss_family == AF_INET6)
    flags |= MHD_USE_IPv6;
  uint16_t port = addr->ss_family == AF_INET6
                      ? ntohs(((const struct sockaddr_in6 *)addr)->sin6_port)
                      : ntohs(((const struct sockaddr_in *)addr)->sin_port);
  /* The threads started here take no signals (they inherit this mask): a
   * SIGTERM must interrupt the dispatch thread, where a plugin may be
   * waiting on a stuck output, not one of these. */
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &old);
  h->deadline = tdp_deadline_start(limits->request_deadline);
  if (h->deadline)
    h->daemon = MHD_start_daemon(
        flags, port, NULL, NULL, serve, h, MHD_OPTION_SOCK_ADDR,
        (const struct sockaddr *)addr, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, h,
        MHD_OPTION_CONNECTION_LIMIT, limits->connections,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, limits->per_address,
        MHD_OPTION_CONNECTION_TIMEOUT, limits->idle_timeout,
        MHD_OPTION_NOTIFY_CONNECTION, tdp_deadline_notify, h->deadline,
        MHD_OPTION_END);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  g_mutex_lock(&h->lock);
  h->starting = 0;
  g_mutex_unlock(&h->lock);
  if (!h->daemon) {
    *err = g_strdup(h->start_error[0] ? h->start_error
                                      : "cannot start the HTTP server");
    tdp_deadline_stop(h->deadline);
    g_mutex_clear(&h->lock);
    g_free(h);
    return NULL;
  }
  return h;
}

void tdp_http_hold(tdp_http *h, struct MHD_Connection *c) {
  tdp_deadline_hold(h->deadline, c);
}

unsigned tdp_http_port(const tdp_http *h) {
  const union MHD_DaemonInfo *info =
      MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_BIND_PORT);
  return info ? info->port : 0;
}

void tdp_http_stop(tdp_http *h) {
  if (!h)
    return;
  MHD_stop_daemon(h->daemon); /* joins its threads */
  tdp_deadline_stop(h->deadline);
  g_mutex_clear(&h->lock);
  g_free(h);
}
