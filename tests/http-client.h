/* A plain-socket HTTP client for the unit tests of the plugins' HTTP
 * server: requests written byte for byte, answers read raw, so that the
 * tests see exactly what a client gets (headers, chunks, the end of a
 * stream). */
#ifndef TESTS_HTTP_CLIENT_H
#define TESTS_HTTP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include <glib.h>

/** A connected socket to 127.0.0.1:port (aborts the test on failure).
 * rcvbuf > 0 sets SO_RCVBUF before connecting. */
int hc_connect(unsigned port, int rcvbuf);

/** Sends all of `s` (false if the peer is gone). */
bool hc_send(int fd, const char *s);

/** Reads into `buf` until it contains `needle`, the peer closes, or
 * timeout_ms pass.  Returns true if `needle` was found. */
bool hc_read_until(int fd, GString *buf, const char *needle, int timeout_ms);

/** Reads into `buf` until `total` bytes are there; false on timeout/EOF. */
bool hc_read_bytes(int fd, GString *buf, size_t total, int timeout_ms);

/** Reads until the peer closes the connection; true if it did within
 * timeout_ms. */
bool hc_read_to_eof(int fd, GString *buf, int timeout_ms);

/** One request on a new connection, read to its end: the raw answer. */
char *hc_request(unsigned port, const char *request);

/** The head of a raw answer is everything before the blank line. */
char *hc_head(const char *answer);
const char *hc_body(const char *answer);

#endif
