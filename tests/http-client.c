#include "http-client.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>

int hc_connect(unsigned port, int rcvbuf) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    abort();
  if (rcvbuf > 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  struct sockaddr_in a = {.sin_family = AF_INET,
                          .sin_port = htons((uint16_t)port)};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
    fprintf(stderr, "connect to port %u: %s\n", port, strerror(errno));
    abort();
  }
  return fd;
}

bool hc_send(int fd, const char *s) {
  size_t len = strlen(s);
  while (len > 0) {
    ssize_t n = send(fd, s, len, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    s += n;
    len -= (size_t)n;
  }
  return true;
}

/* One read of what is there, waiting until `until` (monotonic µs):
 * 1 read something, 0 the peer closed (or reset), -1 timed out. */
static int read_some(int fd, GString *buf, gint64 until) {
  gint64 left = until - g_get_monotonic_time();
  if (left <= 0)
    return -1;
  struct pollfd p = {.fd = fd, .events = POLLIN};
  int r = poll(&p, 1, (int)(left / 1000) + 1);
  if (r < 0 && errno == EINTR)
    return 1;
  if (r <= 0)
    return -1;
  char chunk[65536];
  ssize_t n = recv(fd, chunk, sizeof chunk, 0);
  if (n < 0 && errno == EINTR)
    return 1;
  if (n <= 0)
    return 0;
  g_string_append_len(buf, chunk, n);
  return 1;
}

bool hc_read_until(int fd, GString *buf, const char *needle, int timeout_ms) {
  gint64 until = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
  while (!strstr(buf->str, needle))
    if (read_some(fd, buf, until) != 1)
      return strstr(buf->str, needle) != NULL;
  return true;
}

bool hc_read_bytes(int fd, GString *buf, size_t total, int timeout_ms) {
  gint64 until = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
  while (buf->len < total)
    if (read_some(fd, buf, until) != 1)
      return buf->len >= total;
  return true;
}

bool hc_read_to_eof(int fd, GString *buf, int timeout_ms) {
  gint64 until = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
  for (;;) {
    int r = read_some(fd, buf, until);
    if (r == 0)
      return true;
    if (r < 0)
      return false;
  }
}

char *hc_request(unsigned port, const char *request) {
  int fd = hc_connect(port, 0);
  GString *buf = g_string_new(NULL);
  if (hc_send(fd, request))
    (void)hc_read_to_eof(fd, buf, 5000);
  close(fd);
  return g_string_free(buf, FALSE);
}

char *hc_head(const char *answer) {
  const char *end = strstr(answer, "\r\n\r\n");
  return end ? g_strndup(answer, (gsize)(end - answer + 2)) : g_strdup(answer);
}

const char *hc_body(const char *answer) {
  const char *end = strstr(answer, "\r\n\r\n");
  return end ? end + 4 : "";
}
