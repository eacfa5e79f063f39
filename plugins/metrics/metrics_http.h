/* The metrics plugin's HTTP endpoint: GET /metrics served by libmicrohttpd
 * from its own thread.  Internal to the plugin. */
#ifndef METRICS_HTTP_H
#define METRICS_HTTP_H

#include <sys/socket.h>

#include <glib.h>
#include <thermos/handler.h>

typedef struct mx_http mx_http;

/** Parses `listen = HOST:PORT` (HOST a name, an IPv4 address or an IPv6
 * address in brackets; PORT 1 to 65535) into *addr.  Returns 0, or -1 with
 * *err set (g_free it).  Binds nothing: check mode uses it alone. */
int mx_listen_parse(const char *value, struct sockaddr_storage *addr,
                    socklen_t *addr_len, char **err);

/** Starts serving on addr; NULL with *err set when the daemon cannot start
 * (the address is in use, not local...). */
mx_http *mx_http_start(const thermos_host_v1 *host,
                       const struct sockaddr_storage *addr, char **err);

/** Makes `text` what the next scrapes get; takes it over.  Called from the
 * dispatch thread; waits only for a reference swap, never for a scrape. */
void mx_http_publish(mx_http *h, GBytes *text);

/** Stops the daemon (joining its thread) and frees everything. */
void mx_http_stop(mx_http *h);

#endif
