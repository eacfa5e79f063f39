/* Unit tests of the plugins' HTTP server (plugins/common/http_server.c)
 * through a plain socket: the 405 it answers itself (with Allow), nosniff
 * on every answer, the per-address connection limit, and the request
 * deadline cutting a client that trickles its request while another
 * client is answered; and the parsing of `listen` with its exact errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <glib.h>

#include "http-client.h"
#include "http_server.h"

static void host_log(void *host, int level, const char *message) {
  (void)host;
  (void)level;
  (void)message; /* refused connections are logged: not what is tested */
}

static const thermos_host_v1 host = {.log = host_log};

static enum MHD_Result handler(void *cls, struct MHD_Connection *c,
                               const char *url) {
  (void)cls;
  if (strcmp(url, "/") == 0)
    return tdp_http_reply(c, MHD_HTTP_OK, "text/plain; charset=utf-8",
                          "hello\n", 6);
  return tdp_http_reply(c, MHD_HTTP_NOT_FOUND, "text/plain; charset=utf-8",
                        "nothing here\n", 13);
}

static tdp_http *start(unsigned per_address, unsigned deadline) {
  struct sockaddr_storage ss;
  memset(&ss, 0, sizeof ss);
  struct sockaddr_in *a = (struct sockaddr_in *)&ss;
  a->sin_family = AF_INET;
  a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a->sin_port = 0; /* any free port */
  tdp_http_limits lim = {.connections = 16,
                         .per_address = per_address,
                         .idle_timeout = 10,
                         .request_deadline = deadline};
  char *err = NULL;
  tdp_http *h = tdp_http_start(&host, &ss, &lim, handler, NULL, &err);
  if (!h)
    fail_msg("start: %s", err);
  assert_int_not_equal(tdp_http_port(h), 0);
  return h;
}

static void test_get_200_nosniff(void **unused) {
  (void)unused;
  tdp_http *h = start(4, 5);
  char *a = hc_request(tdp_http_port(h), "GET / HTTP/1.0\r\n\r\n");
  char *head = hc_head(a);
  assert_true(g_str_has_prefix(head, "HTTP/1.1 200 OK\r\n"));
  assert_non_null(strstr(head, "\r\nX-Content-Type-Options: nosniff\r\n"));
  assert_non_null(
      strstr(head, "\r\nContent-Type: text/plain; charset=utf-8\r\n"));
  assert_string_equal(hc_body(a), "hello\n");
  g_free(head);
  g_free(a);
  /* HEAD: the same head, no body. */
  a = hc_request(tdp_http_port(h), "HEAD / HTTP/1.0\r\n\r\n");
  assert_true(g_str_has_prefix(a, "HTTP/1.1 200 OK\r\n"));
  assert_non_null(strstr(a, "\r\nX-Content-Type-Options: nosniff\r\n"));
  assert_string_equal(hc_body(a), "");
  g_free(a);
  tdp_http_stop(h);
}

static void test_404_nosniff(void **unused) {
  (void)unused;
  tdp_http *h = start(4, 5);
  char *a = hc_request(tdp_http_port(h), "GET /nope HTTP/1.0\r\n\r\n");
  assert_true(g_str_has_prefix(a, "HTTP/1.1 404 Not Found\r\n"));
  assert_non_null(strstr(a, "\r\nX-Content-Type-Options: nosniff\r\n"));
  assert_string_equal(hc_body(a), "nothing here\n");
  g_free(a);
  tdp_http_stop(h);
}

static void test_405_allow(void **unused) {
  (void)unused;
  tdp_http *h = start(4, 5);
  static const char *const methods[] = {"POST", "PUT", "DELETE", "OPTIONS"};
  for (size_t i = 0; i < G_N_ELEMENTS(methods); i++) {
    /* A body too: ignored, and the answer is the same. */
    char *req = g_strdup_printf(
        "%s / HTTP/1.0\r\nContent-Length: 5\r\n\r\nhello", methods[i]);
    char *a = hc_request(tdp_http_port(h), req);
    char *head = hc_head(a);
    assert_true(g_str_has_prefix(head, "HTTP/1.1 405 Method Not Allowed\r\n"));
    assert_non_null(strstr(head, "\r\nAllow: GET, HEAD\r\n"));
    assert_non_null(strstr(head, "\r\nX-Content-Type-Options: nosniff\r\n"));
    assert_string_equal(hc_body(a), "405 method not allowed\n");
    g_free(head);
    g_free(a);
    g_free(req);
  }
  tdp_http_stop(h);
}

static void test_per_address_limit(void **unused) {
  (void)unused;
  tdp_http *h = start(2, 5);
  unsigned port = tdp_http_port(h);
  int a = hc_connect(port, 0), b = hc_connect(port, 0);
  g_usleep(200 * 1000); /* both accepted */
  int c = hc_connect(port, 0);
  GString *buf = g_string_new(NULL);
  /* The third from the same address is closed at once, unanswered. */
  assert_true(hc_read_to_eof(c, buf, 2000));
  assert_int_equal(buf->len, 0);
  close(c);
  /* The two within the limit are served. */
  assert_true(hc_send(a, "GET / HTTP/1.0\r\n\r\n"));
  assert_true(hc_read_to_eof(a, buf, 2000));
  assert_true(g_str_has_prefix(buf->str, "HTTP/1.1 200 OK\r\n"));
  assert_string_equal(hc_body(buf->str), "hello\n");
  g_string_truncate(buf, 0);
  assert_true(hc_send(b, "GET /x HTTP/1.0\r\n\r\n"));
  assert_true(hc_read_to_eof(b, buf, 2000));
  assert_true(g_str_has_prefix(buf->str, "HTTP/1.1 404 Not Found\r\n"));
  close(a);
  close(b);
  g_string_free(buf, TRUE);
  tdp_http_stop(h);
}

static void test_request_deadline(void **unused) {
  (void)unused;
  tdp_http *h = start(4, 1); /* 1 s for a whole request; 10 s idle */
  unsigned port = tdp_http_port(h);
  int slow = hc_connect(port, 0);
  gint64 t0 = g_get_monotonic_time();
  assert_true(hc_send(slow, "GET / HTTP/1.1\r\nHost: x\r\n"));
  GString *buf = g_string_new(NULL);
  bool cut = false, answered_meanwhile = false;
  gint64 cut_at = 0;
  /* A header line every 150 ms: never idle, never done. */
  for (int i = 0; i < 30 && !cut; i++) {
    if (i == 3) { /* meanwhile, a normal client is answered */
      char *a = hc_request(port, "GET / HTTP/1.0\r\n\r\n");
      answered_meanwhile = g_str_has_prefix(a, "HTTP/1.1 200 OK\r\n") &&
                           strcmp(hc_body(a), "hello\n") == 0;
      g_free(a);
    }
    if (!hc_send(slow, "X-Slow: yes\r\n") || hc_read_to_eof(slow, buf, 150)) {
      cut = true;
      cut_at = g_get_monotonic_time() - t0;
    }
  }
  assert_true(answered_meanwhile);
  assert_true(cut);
  assert_int_equal(buf->len, 0); /* cut, not answered */
  /* At the deadline (1 s), give or take the watcher's period. */
  assert_true(cut_at >= 900 * 1000);
  assert_true(cut_at < 2000 * 1000);
  close(slow);
  g_string_free(buf, TRUE);
  tdp_http_stop(h);
}

static void expect_parse_error(const char *value, const char *example,
                               const char *expected) {
  struct sockaddr_storage ss;
  socklen_t len = 0;
  char *err = NULL;
  assert_int_equal(tdp_listen_parse(value, example, &ss, &len, &err), -1);
  assert_string_equal(err, expected);
  g_free(err);
}

static void test_listen_parse(void **unused) {
  (void)unused;
  expect_parse_error("abc", "127.0.0.1:1338",
                     "'abc': expected HOST:PORT (e.g. 127.0.0.1:1338)");
  expect_parse_error("127.0.0.1:70000", "x",
                     "'127.0.0.1:70000': the port must be a number from 1 "
                     "to 65535");
  expect_parse_error("::1:80", "x",
                     "'::1:80': write an IPv6 address in brackets, "
                     "[ADDRESS]:PORT");
  struct sockaddr_storage ss;
  socklen_t len = 0;
  char *err = NULL;
  /* A bare port is on loopback. */
  assert_int_equal(tdp_listen_parse("8080", "x", &ss, &len, &err), 0);
  struct sockaddr_in *a = (struct sockaddr_in *)&ss;
  assert_int_equal(ss.ss_family, AF_INET);
  assert_int_equal(ntohs(a->sin_port), 8080);
  assert_int_equal(ntohl(a->sin_addr.s_addr), INADDR_LOOPBACK);
  assert_int_equal(tdp_listen_parse("[::1]:81", "x", &ss, &len, &err), 0);
  assert_int_equal(ss.ss_family, AF_INET6);
  assert_int_equal(ntohs(((struct sockaddr_in6 *)&ss)->sin6_port), 81);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_get_200_nosniff),
      cmocka_unit_test(test_404_nosniff),
      cmocka_unit_test(test_405_allow),
      cmocka_unit_test(test_per_address_limit),
      cmocka_unit_test(test_request_deadline),
      cmocka_unit_test(test_listen_parse),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
