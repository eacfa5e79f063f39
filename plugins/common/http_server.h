/* An HTTP server for the bundled plugins: libmicrohttpd on threads of its
 * own, with the limits a host running as root beside every task needs
 * (connections in all and per client address, an idle timeout, and a
 * deadline for a whole request however slowly it trickles).  Shared by the
 * metrics and observer plugins (a small internal library, never copied). */
#ifndef TDP_HTTP_SERVER_H
#define TDP_HTTP_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include <microhttpd.h>
#include <thermos/handler.h>

typedef struct tdp_http tdp_http;

/** What a server allows its clients. */
typedef struct tdp_http_limits {
  unsigned connections;      /**< open connections in all */
  unsigned per_address;      /**< open connections from one client address */
  unsigned idle_timeout;     /**< seconds a connection may stay idle */
  unsigned request_deadline; /**< seconds to send a whole request */
  /** One thread per connection (capped by `connections`) instead of one
   * polling thread: a handler may then block, e.g. a stream of events
   * waiting for the next one. */
  bool thread_per_connection;
} tdp_http_limits;

/** Answers one whole request (GET or HEAD; the server answers every other
 * method with 405 itself).  `url` is the decoded path; query arguments are
 * read with MHD_lookup_connection_value.  Runs on a server thread. */
typedef enum MHD_Result (*tdp_http_handler)(void *cls, struct MHD_Connection *c,
                                            const char *url);

/** Parses `listen = HOST:PORT` (HOST a name, an IPv4 address or an IPv6
 * address in brackets; PORT 1 to 65535; a bare PORT or ":PORT" is on
 * 127.0.0.1) into *addr.  `example` is shown in the error ("e.g. ...").
 * Returns 0, or -1 with *err set (g_free it).  Binds nothing: check mode
 * uses it alone. */
int tdp_listen_parse(const char *value, const char *example,
                     struct sockaddr_storage *addr, socklen_t *addr_len,
                     char **err);

/** Starts serving `handler` on addr; NULL with *err set (g_free it) when
 * the server cannot start (the address is in use, not local...).  The
 * server's threads block every signal.  libmicrohttpd's messages are logged
 * through host->log, at most one every 10 s. */
tdp_http *tdp_http_start(const thermos_host_v1 *host,
                         const struct sockaddr_storage *addr,
                         const tdp_http_limits *limits,
                         tdp_http_handler handler, void *cls, char **err);

/** Exempts the connection of the request being answered from the request
 * deadline until it closes: for a response that streams on purpose. */
void tdp_http_hold(tdp_http *h, struct MHD_Connection *c);

/** Queues a response holding a copy of `body`, with `content_type` and
 * `X-Content-Type-Options: nosniff` and `Content-Security-Policy:
 * default-src 'self'` (every response of the server has them); 405 responses
 * also say `Allow: GET, HEAD`. */
enum MHD_Result tdp_http_reply(struct MHD_Connection *c, unsigned status,
                               const char *content_type, const char *body,
                               size_t len);

/** Adds the headers every response of the server carries (nosniff, the
 * content security policy) to a
 * response built by the caller (a callback response, say). */
void tdp_http_common_headers(struct MHD_Response *r);

/** The port the server listens on (the one bound when started on port
 * 0). */
unsigned tdp_http_port(const tdp_http *h);

/** Stops the server (joining its threads) and frees it.  NULL is a no-op. */
void tdp_http_stop(tdp_http *h);

#endif
