/* Unit tests of the observer's event streams (plugins/observer/
 * observer_events.c) on the plugins' HTTP server, thread per connection,
 * through plain sockets: the head of a stream, events in order exactly as
 * `data: <json>\n\n`, the task_id filter, a keepalive comment when idle, a
 * subscriber that never reads dropped while publishing stays fast and the
 * others get every event, the end of every stream at shutdown, and 503 beyond
 * the subscriber limit. */
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
#include "observer_events.h"

static void host_log(void *host, int level, const char *message) {
  (void)host;
  (void)level;
  (void)message;
}

static const thermos_host_v1 host = {.log = host_log};

typedef struct fixture {
  obs_events *events;
  tdp_http *http;
  unsigned port;
} fixture;

static enum MHD_Result handler(void *cls, struct MHD_Connection *c,
                               const char *url) {
  fixture *f = cls;
  if (strcmp(url, "/events") == 0)
    return obs_events_serve(f->events, f->http, c);
  return tdp_http_reply(c, MHD_HTTP_NOT_FOUND, "text/plain; charset=utf-8",
                        "no\n", 3);
}

static fixture *start(unsigned max_subscribers) {
  fixture *f = g_new0(fixture, 1);
  f->events = obs_events_new(max_subscribers);
  struct sockaddr_storage ss;
  memset(&ss, 0, sizeof ss);
  struct sockaddr_in *a = (struct sockaddr_in *)&ss;
  a->sin_family = AF_INET;
  a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  /* A request deadline of 1 s: streams outlive it (they are held).  The
   * idle timeout exceeds the keepalive period, as it must. */
  tdp_http_limits lim = {.connections = 16,
                         .per_address = 16,
                         .idle_timeout = 30,
                         .request_deadline = 1,
                         .thread_per_connection = true};
  char *err = NULL;
  f->http = tdp_http_start(&host, &ss, &lim, handler, f, &err);
  if (!f->http)
    fail_msg("start: %s", err);
  f->port = tdp_http_port(f->http);
  return f;
}

static void stop(fixture *f) {
  obs_events_shutdown(f->events);
  tdp_http_stop(f->http);
  obs_events_free(f->events);
  g_free(f);
}

/* Subscribes; returns the socket once the head is read (the subscriber
 * is registered by then); *buf keeps what followed the head. */
static int subscribe(fixture *f, const char *query, int rcvbuf, GString *buf) {
  int fd = hc_connect(f->port, rcvbuf);
  char *req = g_strdup_printf("GET /events%s HTTP/1.0\r\n\r\n", query);
  assert_true(hc_send(fd, req));
  g_free(req);
  assert_true(hc_read_until(fd, buf, "\r\n\r\n", 5000));
  assert_true(g_str_has_prefix(buf->str, "HTTP/1.1 200 OK\r\n"));
  const char *body = hc_body(buf->str);
  g_string_erase(buf, 0, body - buf->str);
  return fd;
}

static void publish(fixture *f, const char *task, const char *json) {
  obs_events_publish(f->events, task, strlen(task), json, strlen(json));
}

static void test_head_and_order(void **unused) {
  (void)unused;
  fixture *f = start(4);
  int fd = hc_connect(f->port, 0);
  assert_true(hc_send(fd, "GET /events HTTP/1.0\r\n\r\n"));
  GString *buf = g_string_new(NULL);
  assert_true(hc_read_until(fd, buf, "\r\n\r\n", 5000));
  char *head = hc_head(buf->str);
  assert_true(g_str_has_prefix(head, "HTTP/1.1 200 OK\r\n"));
  assert_non_null(
      strstr(head, "\r\nContent-Type: text/event-stream; charset=utf-8\r\n"));
  assert_non_null(strstr(head, "\r\nCache-Control: no-store\r\n"));
  assert_non_null(strstr(head, "\r\nX-Content-Type-Options: nosniff\r\n"));
  g_string_erase(buf, 0, hc_body(buf->str) - buf->str);
  g_free(head);

  publish(f, "t1", "{\"n\":1}");
  publish(f, "t2", "{\"n\":2,\"s\":\"\\u00e9\"}");
  publish(f, "t1", "{\"n\":3}");
  static const char want[] = "data: {\"n\":1}\n\n"
                             "data: {\"n\":2,\"s\":\"\\u00e9\"}\n\n"
                             "data: {\"n\":3}\n\n";
  assert_true(hc_read_bytes(fd, buf, sizeof want - 1, 5000));
  assert_string_equal(buf->str, want);
  /* Past the request deadline the stream still runs (it is held). */
  g_usleep(1600 * 1000);
  g_string_truncate(buf, 0);
  publish(f, "t3", "{\"n\":4}");
  assert_true(hc_read_bytes(fd, buf, 15, 5000));
  assert_string_equal(buf->str, "data: {\"n\":4}\n\n");
  close(fd);
  g_string_free(buf, TRUE);
  stop(f);
}

static void test_task_filter(void **unused) {
  (void)unused;
  fixture *f = start(4);
  GString *one = g_string_new(NULL), *all = g_string_new(NULL);
  int a = subscribe(f, "?task_id=t1", 0, one);
  int b = subscribe(f, "", 0, all);
  publish(f, "t1", "{\"n\":1}");
  publish(f, "t2", "{\"n\":2}");
  publish(f, "t1x", "{\"n\":3}"); /* exact match: not t1's */
  publish(f, "t", "{\"n\":4}");
  publish(f, "t1", "{\"n\":5}");
  static const char want_all[] = "data: {\"n\":1}\n\ndata: {\"n\":2}\n\n"
                                 "data: {\"n\":3}\n\ndata: {\"n\":4}\n\n"
                                 "data: {\"n\":5}\n\n";
  assert_true(hc_read_bytes(b, all, sizeof want_all - 1, 5000));
  assert_string_equal(all->str, want_all);
  static const char want_one[] = "data: {\"n\":1}\n\ndata: {\"n\":5}\n\n";
  assert_true(hc_read_bytes(a, one, sizeof want_one - 1, 5000));
  /* Nothing more comes for t1 (but a keepalive, after 5 s). */
  (void)hc_read_until(a, one, "never", 300);
  assert_string_equal(one->str, want_one);
  close(a);
  close(b);
  g_string_free(one, TRUE);
  g_string_free(all, TRUE);
  stop(f);
}

static void test_keepalive(void **unused) {
  (void)unused;
  fixture *f = start(4);
  GString *buf = g_string_new(NULL);
  gint64 t0 = g_get_monotonic_time();
  int fd = subscribe(f, "", 0, buf);
  /* Idle for 5 s: a comment, which EventSource ignores. */
  assert_true(hc_read_bytes(fd, buf, 13, 8000));
  gint64 waited = g_get_monotonic_time() - t0;
  assert_string_equal(buf->str, ": keepalive\n\n");
  assert_true(waited >= 4900 * 1000 && waited < 7000 * 1000);
  /* Events still come after it. */
  g_string_truncate(buf, 0);
  publish(f, "t", "{}");
  assert_true(hc_read_bytes(fd, buf, 10, 5000));
  assert_string_equal(buf->str, "data: {}\n\n");
  close(fd);
  g_string_free(buf, TRUE);
  stop(f);
}

/* Event i, 1 KiB in all with its framing. */
static char *event(unsigned i) {
  char *pad = g_strnfill(1024 - 8 - 21, 'x');
  char *json = g_strdup_printf("{\"i\":%8u,\"p\":\"%s\"}", i, pad);
  g_free(pad);
  return json;
}

static void test_slow_subscriber_dropped(void **unused) {
  (void)unused;
  fixture *f = start(4);
  GString *fast = g_string_new(NULL), *slow = g_string_new(NULL);
  int s = subscribe(f, "", 4096, slow); /* never reads until the end */
  int q = subscribe(f, "", 0, fast);
  /* 16 MiB: more than the slow client's queue bound and every buffer on
   * the way (socket buffers grow to a few MiB); published in batches the
   * fast client reads in between. */
  const unsigned n = 16384, batch = 128;
  GString *want = g_string_new(NULL);
  gint64 slowest = 0;
  for (unsigned i = 0; i < n; i++) {
    char *json = event(i);
    g_string_append_printf(want, "data: %s\n\n", json);
    gint64 t = g_get_monotonic_time();
    publish(f, "t", json);
    t = g_get_monotonic_time() - t;
    slowest = MAX(slowest, t);
    g_free(json);
    if ((i + 1) % batch == 0)
      assert_true(hc_read_bytes(q, fast, want->len, 5000));
  }
  assert_true(hc_read_bytes(q, fast, want->len, 5000));
  assert_int_equal(fast->len, want->len);
  assert_memory_equal(fast->str, want->str, want->len);
  /* Publishing waited on nobody: a lock and a copy. */
  assert_true(slowest < 100 * 1000);
  /* The slow one got a prefix of whole events, then its stream ended. */
  assert_true(hc_read_to_eof(s, slow, 10000));
  assert_true(slow->len < want->len);
  assert_int_equal(slow->len % 1024, 0);
  assert_memory_equal(slow->str, want->str, slow->len);
  close(s);
  close(q);
  g_string_free(want, TRUE);
  g_string_free(fast, TRUE);
  g_string_free(slow, TRUE);
  stop(f);
}

static void test_shutdown_ends_streams(void **unused) {
  (void)unused;
  fixture *f = start(4);
  GString *a = g_string_new(NULL), *b = g_string_new(NULL);
  int x = subscribe(f, "", 0, a);
  int y = subscribe(f, "?task_id=t9", 0, b);
  publish(f, "t1", "{}");
  assert_true(hc_read_bytes(x, a, 10, 5000));
  gint64 t0 = g_get_monotonic_time();
  obs_events_shutdown(f->events);
  assert_true(hc_read_to_eof(x, a, 2000));
  assert_true(hc_read_to_eof(y, b, 2000));
  assert_true(g_get_monotonic_time() - t0 < 1000 * 1000); /* not a timeout */
  assert_string_equal(a->str, "data: {}\n\n");
  assert_string_equal(b->str, "");
  /* Later subscribers are refused. */
  char *r = hc_request(f->port, "GET /events HTTP/1.0\r\n\r\n");
  assert_true(g_str_has_prefix(r, "HTTP/1.1 503 Service Unavailable\r\n"));
  g_free(r);
  close(x);
  close(y);
  g_string_free(a, TRUE);
  g_string_free(b, TRUE);
  stop(f);
}

static void test_subscriber_limit(void **unused) {
  (void)unused;
  fixture *f = start(2);
  GString *a = g_string_new(NULL), *b = g_string_new(NULL);
  int x = subscribe(f, "", 0, a);
  int y = subscribe(f, "", 0, b);
  char *r = hc_request(f->port, "GET /events HTTP/1.0\r\n\r\n");
  assert_true(g_str_has_prefix(r, "HTTP/1.1 503 Service Unavailable\r\n"));
  assert_non_null(strstr(r, "\r\nX-Content-Type-Options: nosniff\r\n"));
  assert_string_equal(hc_body(r), "503 too many event streams\n");
  g_free(r);
  /* The two streams are unaffected. */
  publish(f, "t", "{\"ok\":true}");
  assert_true(hc_read_bytes(x, a, 19, 5000));
  assert_true(hc_read_bytes(y, b, 19, 5000));
  assert_string_equal(a->str, "data: {\"ok\":true}\n\n");
  assert_string_equal(b->str, "data: {\"ok\":true}\n\n");
  close(x);
  close(y);
  g_string_free(a, TRUE);
  g_string_free(b, TRUE);
  stop(f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_head_and_order),
      cmocka_unit_test(test_task_filter),
      cmocka_unit_test(test_keepalive),
      cmocka_unit_test(test_slow_subscriber_dropped),
      cmocka_unit_test(test_shutdown_ends_streams),
      cmocka_unit_test(test_subscriber_limit),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
