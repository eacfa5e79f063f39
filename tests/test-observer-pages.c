/* Unit tests of the observer's pages (plugins/observer/observer_pages.c)
 * rendered from hand-built task views: every string a task wrote is
 * escaped (ids, process and port names, hostnames, users, config JSON),
 * in text, attributes and URLs alike; invalid UTF-8 becomes U+FFFD; the
 * pages carry no inline script or handler; the embedded assets are served
 * (obs_asset).  The sampler is a stub here with fixed samples. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include <glib.h>

#include "observer_pages.h"

#define EVIL "<img src=x onerror=alert(1)>"
#define EVIL_TEXT "&lt;img src=x onerror=alert(1)&gt;"
#define EVIL_URL "%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E"

/* --- a stub sampler: one running process "busy" of any task --------------- */
struct obs_sampler {
  int unused;
};
static obs_sampler stub_sampler;

bool obs_sampler_process(obs_sampler *s, const char *task_id,
                         const char *process, obs_usage *out) {
  (void)s;
  (void)task_id;
  memset(out, 0, sizeof *out);
  if (strcmp(process, "busy") != 0)
    return false;
  out->cpu = 0.25;
  out->ram = 3u * 1024 * 1024;
  out->user = 1.5;
  out->system = 0.5;
  out->threads = 4;
  return true;
}

void obs_sampler_task(obs_sampler *s, const char *task_id, obs_usage *out) {
  (void)s;
  (void)task_id;
  memset(out, 0, sizeof *out);
  out->cpu = 1.5;
  out->ram = 5u * 1024 * 1024;
  out->disk = 2ull * 1024 * 1024 * 1024;
}

/* --- building views ----------------------------------------------------------
 */
static obs_task_view *view_new(const char *task_id) {
  obs_task_view *t = g_new0(obs_task_view, 1);
  t->task_id = g_strdup(task_id);
  t->root = g_strdup("/var/run/thermos");
  t->user = g_strdup("www-data");
  t->hostname = g_strdup("host1.example");
  t->sandbox = g_strdup("/sandbox");
  t->log_dir = g_strdup("");
  t->launch_time = 1500000000.0;
  t->has_header = true;
  t->statuses = g_array_new(FALSE, TRUE, sizeof(obs_status));
  t->ports = g_array_new(FALSE, TRUE, sizeof(obs_port));
  t->processes = g_ptr_array_new();
  return t;
}

static void add_status(obs_task_view *t, int32_t state, double ts) {
  obs_status s = {state, ts};
  g_array_append_val(t->statuses, s);
}

static void add_port(obs_task_view *t, const char *name, int32_t port) {
  obs_port p = {g_strdup(name), port};
  g_array_append_val(t->ports, p);
}

static obs_process_view *add_process(obs_task_view *t, const char *name) {
  obs_process_view *p = g_new0(obs_process_view, 1);
  p->name = g_strdup(name);
  p->runs = g_array_new(FALSE, TRUE, sizeof(obs_run));
  g_ptr_array_add(t->processes, p);
  return p;
}

static void add_run(obs_process_view *p, int32_t state, double start,
                    double stop, int32_t rc, bool has_rc) {
  obs_run r = {state, start, stop, rc, has_rc, 42};
  g_array_append_val(p->runs, r);
}

/* The model's obs_task_view_free is not linked here. */
static void view_free(gpointer data) {
  obs_task_view *t = data;
  for (guint i = 0; i < t->ports->len; i++)
    g_free(g_array_index(t->ports, obs_port, i).name);
  for (guint i = 0; i < t->processes->len; i++) {
    obs_process_view *p = g_ptr_array_index(t->processes, i);
    g_free(p->name);
    g_array_free(p->runs, TRUE);
    g_free(p);
  }
  g_ptr_array_free(t->processes, TRUE);
  g_array_free(t->ports, TRUE);
  g_array_free(t->statuses, TRUE);
  g_free(t->task_id);
  g_free(t->root);
  g_free(t->user);
  g_free(t->hostname);
  g_free(t->sandbox);
  g_free(t->log_dir);
  g_free(t);
}

/* --- checks -----------------------------------------------------------------
 */
static void expect_has(const GString *page, const char *snippet) {
  if (!strstr(page->str, snippet))
    fail_msg("missing: %s\n--- page:\n%s", snippet, page->str);
}

static void expect_lacks(const GString *page, const char *snippet) {
  if (strstr(page->str, snippet))
    fail_msg("present: %s\n--- page:\n%s", snippet, page->str);
}

/* What every page must be: a whole HTML document, valid UTF-8, the one
 * script external, no inline handler, no raw hostile tag. */
static void expect_safe_page(const GString *page) {
  assert_true(g_utf8_validate(page->str, (gssize)page->len, NULL));
  assert_int_equal(strlen(page->str), page->len);
  assert_true(g_str_has_prefix(
      page->str, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta "
                 "charset=\"utf-8\">\n<title>"));
  expect_has(page, "</title>\n<link rel=\"icon\" href=\"/assets/favicon.svg\">"
                   "\n<link rel=\"stylesheet\" href=\"/assets/observer.css\">"
                   "\n<script src=\"/assets/observer.js\" defer></script>\n"
                   "</head>\n<body data-page=\"");
  assert_true(g_str_has_suffix(page->str, "</body>\n</html>\n"));
  expect_lacks(page, "<img");
  expect_lacks(page, "onerror=alert(1)>");
  expect_lacks(page, "<script>");
  expect_lacks(page, "style=");
  const char *p = page->str;
  int scripts = 0;
  while ((p = strstr(p, "<script")) != NULL) {
    assert_true(g_str_has_prefix(
        p, "<script src=\"/assets/observer.js\" defer></script>"));
    scripts++;
    p++;
  }
  assert_int_equal(scripts, 1);
}

static char *escaped(const char *s, size_t len) {
  GString *out = g_string_new(NULL);
  obs_html_escape(out, s, len);
  return g_string_free(out, FALSE);
}

/* --- obs_html_escape -------------------------------------------------------
 */
static void test_escape_specials(void **unused) {
  (void)unused;
  const char in[] = "a&b<c>d\"e'f " EVIL;
  char *s = escaped(in, strlen(in));
  assert_string_equal(s, "a&amp;b&lt;c&gt;d&quot;e&#39;f " EVIL_TEXT);
  g_free(s);
}

static void test_escape_utf8(void **unused) {
  (void)unused;
  /* Valid multibyte kept; a lone continuation byte, a truncated sequence,
   * an overlong '<' and a NUL each become one U+FFFD. */
  const char in[] = "h\xC3\xA9\x80x\xE2\x82\xC0\xBCy\0z";
  char *s = escaped(in, sizeof in - 1);
  assert_string_equal(s, "h\xC3\xA9\xEF\xBF\xBDx\xEF\xBF\xBD\xEF\xBF\xBD"
                         "\xEF\xBF\xBD\xEF\xBF\xBDy\xEF\xBF\xBDz");
  g_free(s);
  /* Only `len` bytes are read. */
  s = escaped("<ab", 2);
  assert_string_equal(s, "&lt;a");
  g_free(s);
  s = escaped("", 0);
  assert_string_equal(s, "");
  g_free(s);
}

/* --- the task page ---------------------------------------------------------
 */
static obs_task_view *hostile_task(void) {
  obs_task_view *t = view_new(EVIL);
  g_free(t->hostname);
  t->hostname = g_strdup("h\"><script>alert(2)</script>");
  g_free(t->user);
  t->user = g_strdup("u<b>\xFF");
  add_status(t, 0, 1500000001.0);
  add_status(t, 1, 1500000061.0);
  add_port(t, "http\"onmouseover=\"x", 8080);
  obs_process_view *p = add_process(t, "ps<b>'x'/..");
  add_run(p, 3, 1500000002.0, 1500000003.0, 0, true);
  add_run(p, 5, 1500000004.0, 1500000005.0, 7, true);
  obs_process_view *b = add_process(t, "busy");
  add_run(b, 2, 1500000002.0, 0, 0, false);
  add_process(t, "never");
  return t;
}

static void test_task_page(void **unused) {
  (void)unused;
  obs_task_view *t = hostile_task();
  GString *page = g_string_new(NULL);
  obs_page_task(page, t,
                "{\"name\":\"</pre><img src=x onerror=alert(1)>\",\"a\":[]}",
                &stub_sampler);
  expect_safe_page(page);
  expect_has(page, "<title>thermos(h&quot;&gt;&lt;script&gt;alert(2)&lt;/"
                   "script&gt;)</title>");
  expect_has(page, "<body data-page=\"task\" data-task-id=\"" EVIL_TEXT "\">");
  expect_has(page, "<h3>task <span id=\"task-id\">" EVIL_TEXT "</span></h3>");
  expect_has(page, "<span id=\"task-state\">SUCCESS</span>");
  expect_has(page, "<span id=\"task-user\">u&lt;b&gt;\xEF\xBF\xBD</span>");
  expect_has(page, "<dd class=\"port\" data-name=\"http&quot;onmouseover="
                   "&quot;x\"><strong>http&quot;onmouseover=&quot;x</strong> "
                   "<a href=\"http://h&quot;&gt;&lt;script&gt;alert(2)&lt;/"
                   "script&gt;:8080/\">8080</a></dd>");
  expect_has(page, "<a id=\"task-config-link\" href=\"/rawtask/" EVIL_URL
                   "\">view</a>");
  expect_has(page, "<tr><td class=\"state\">ACTIVE</td><td class=\"time\">"
                   "07/14 02:40:01</td></tr>\n<tr><td class=\"state\">SUCCESS"
                   "</td><td class=\"time\">07/14 02:41:01</td></tr>");
  expect_has(page, "<td id=\"task-cpu\">1.500</td><td id=\"task-ram\">5.0MB"
                   "</td><td id=\"task-disk\">2.0GB</td>");
  /* The latest run of each process, its log links by run. */
  expect_has(page,
             "<tr class=\"process\" data-name=\"ps&lt;b&gt;&#39;x&#39;/..\">"
             "<td class=\"name\"><a href=\"/process/" EVIL_URL
             "/ps%3Cb%3E%27x%27%2F..\">ps&lt;b&gt;&#39;x&#39;/..</a></td>"
             "<td class=\"run\">1</td><td class=\"state\">FAILED</td>"
             "<td class=\"return-code\">7</td><td class=\"start\">07/14 "
             "02:40:04</td><td class=\"stop\">07/14 02:40:05</td>"
             "<td class=\"cpu\"></td><td class=\"ram\"></td>"
             "<td class=\"stdout\"><a href=\"/logs/" EVIL_URL
             "/ps%3Cb%3E%27x%27%2F../1/stdout\">stdout</a></td>"
             "<td class=\"stderr\"><a href=\"/logs/" EVIL_URL
             "/ps%3Cb%3E%27x%27%2F../1/stderr\">stderr</a></td></tr>");
  expect_has(page, "<tr class=\"process\" data-name=\"busy\">");
  expect_has(page, "<td class=\"run\">0</td><td class=\"state\">RUNNING</td>"
                   "<td class=\"return-code\"></td><td class=\"start\">07/14 "
                   "02:40:02</td><td class=\"stop\"></td><td class=\"cpu\">"
                   "0.250</td><td class=\"ram\">3MB</td>");
  expect_has(page, "<tr class=\"process\" data-name=\"never\"><td class="
                   "\"name\"><a href=\"/process/" EVIL_URL "/never\">never"
                   "</a></td><td class=\"run\"></td><td class=\"state\">"
                   "WAITING</td><td class=\"return-code\"></td><td class="
                   "\"start\"></td><td class=\"stop\"></td><td class=\"cpu\">"
                   "</td><td class=\"ram\"></td><td class=\"stdout\"></td>"
                   "<td class=\"stderr\"></td></tr>");
  /* The config, pretty-printed and escaped. */
  expect_has(page, "<pre>{\n  &quot;name&quot;: &quot;&lt;/pre&gt;&lt;img "
                   "src=x onerror=alert(1)&gt;&quot;,\n  &quot;a&quot;: []\n}"
                   "</pre>");
  g_string_free(page, TRUE);
  view_free(t);
}

static void test_task_page_empty(void **unused) {
  (void)unused;
  obs_task_view *t = view_new("t1");
  GString *page = g_string_new(NULL);
  obs_page_task(page, t, NULL, NULL);
  expect_safe_page(page);
  expect_has(page, "<span id=\"task-state\">UNKNOWN</span>");
  expect_has(page, "<td id=\"task-cpu\">0.000</td><td id=\"task-ram\">0.0MB"
                   "</td><td id=\"task-disk\">0.0GB</td>");
  expect_has(page, "<table id=\"processes\">");
  expect_lacks(page, "task-config\"");
  g_string_free(page, TRUE);
  view_free(t);
}

/* --- the process page ------------------------------------------------------
 */
static void test_process_page(void **unused) {
  (void)unused;
  obs_task_view *t = hostile_task();
  GString *page = g_string_new(NULL);
  obs_page_process(page, t, g_ptr_array_index(t->processes, 0), &stub_sampler);
  expect_safe_page(page);
  expect_has(page, "<body data-page=\"process\" data-task-id=\"" EVIL_TEXT
                   "\" data-process=\"ps&lt;b&gt;&#39;x&#39;/..\">");
  expect_has(page, "<a id=\"process-task\" href=\"/task/" EVIL_URL
                   "\">" EVIL_TEXT "</a>");
  expect_has(page, "<span id=\"process-state\">FAILED</span>");
  expect_has(page, "<span id=\"process-cpu\">N/A</span>");
  /* Every run, latest first. */
  const char *r1 = strstr(page->str, "<tr class=\"run\" data-run=\"1\">");
  const char *r0 = strstr(page->str, "<tr class=\"run\" data-run=\"0\">");
  assert_non_null(r1);
  assert_non_null(r0);
  assert_true(r1 < r0);
  expect_has(page, "<tr class=\"run\" data-run=\"0\"><td class=\"run\">0</td>"
                   "<td class=\"state\">SUCCESS</td><td class=\"return-code\">"
                   "0</td><td class=\"start\">07/14 02:40:02</td><td class="
                   "\"stop\">07/14 02:40:03</td><td class=\"stdout\"><a href="
                   "\"/logs/" EVIL_URL "/ps%3Cb%3E%27x%27%2F../0/stdout\">"
                   "stdout</a></td>");
  g_string_free(page, TRUE);

  page = g_string_new(NULL);
  obs_page_process(page, t, g_ptr_array_index(t->processes, 1), &stub_sampler);
  expect_safe_page(page);
  expect_has(page, "<span id=\"process-cpu\">0.250</span>");
  expect_has(page, "<span id=\"process-ram\">3.0MB</span>");
  expect_has(page, "<span id=\"process-user\">1.5s</span>");
  expect_has(page, "<span id=\"process-threads\">4</span>");
  g_string_free(page, TRUE);
  view_free(t);
}

/* --- the other pages --------------------------------------------------------
 */
static void test_main_page(void **unused) {
  (void)unused;
  GPtrArray *tasks = g_ptr_array_new_with_free_func(view_free);
  g_ptr_array_add(tasks, hostile_task());
  obs_task_view *t2 = view_new("t2");
  add_status(t2, 0, 1500000001.0);
  add_port(t2, "http", 31000);
  g_ptr_array_add(tasks, t2);
  GString *page = g_string_new(NULL);
  obs_page_main(page, OBS_ACTIVE, 20, 20, tasks, 45, &stub_sampler);
  expect_safe_page(page);
  expect_has(page, "<span id=\"range\">20...21 of 45</span>");
  expect_has(page, "<a id=\"newer\" href=\"/main/active/0/20\">");
  expect_has(page, "<a id=\"older\" href=\"/main/active/40/20\">");
  expect_has(page, "<tr class=\"task\" data-task-id=\"" EVIL_TEXT "\"><td "
                   "class=\"id\"><a href=\"/task/" EVIL_URL "\">" EVIL_TEXT
                   "</a></td><td class=\"user\">u&lt;b&gt;\xEF\xBF\xBD</td>"
                   "<td class=\"launched\">07/14 02:40:00</td><td class="
                   "\"state\">SUCCESS @ 07/14 02:41:01</td><td class=\"cpu\">"
                   "1.500</td><td class=\"ram\">5.0MB</td><td class=\"disk\">"
                   "2.0GB</td>");
  expect_has(page, "<td class=\"ports\">http:<a href=\"http://host1.example:"
                   "31000/\">31000</a></td>");
  g_string_free(page, TRUE);

  /* The last page: no older; a negative offset counts from the end. */
  page = g_string_new(NULL);
  obs_page_main(page, OBS_FINISHED, -2, 20, tasks, 2, NULL);
  expect_safe_page(page);
  expect_has(page, "finished tasks <span id=\"range\">0...1 of 2</span>");
  expect_lacks(page, "id=\"newer\"");
  expect_lacks(page, "id=\"older\"");
  expect_has(page, "<td class=\"cpu\"></td><td class=\"ram\"></td><td "
                   "class=\"disk\"></td>");
  g_string_free(page, TRUE);
  g_ptr_array_free(tasks, TRUE);
}

static void test_index_page(void **unused) {
  (void)unused;
  GString *page = g_string_new(NULL);
  obs_counts c = {3, 4, 7};
  obs_page_index(page, EVIL, c);
  expect_safe_page(page);
  expect_has(page, "<span id=\"hostname\">" EVIL_TEXT "</span>");
  expect_has(page, "<li><a id=\"link-active\" href=\"/main/active\">active "
                   "tasks</a> <span class=\"count\" id=\"count-active\">3"
                   "</span></li>");
  expect_has(page, "<span class=\"count\" id=\"count-all\">7</span>");
  g_string_free(page, TRUE);
}

static void test_rawtask_page(void **unused) {
  (void)unused;
  obs_task_view *t = view_new(EVIL);
  GString *page = g_string_new(NULL);
  obs_page_rawtask(page, t,
                   "{ \"k\" : \"v\\\"<x>,:{\" , \"n\":[1,{}], \"bad\": "
                   "\"\xC0\"}");
  expect_safe_page(page);
  expect_has(page,
             "<pre id=\"rawtask\">{\n  &quot;k&quot;: &quot;v\\&quot;"
             "&lt;x&gt;,:{&quot;,\n  &quot;n&quot;: [\n    1,\n    {}\n"
             "  ],\n  &quot;bad&quot;: &quot;\xEF\xBF\xBD&quot;\n}</pre>");
  g_string_free(page, TRUE);
  page = g_string_new(NULL);
  obs_page_rawtask(page, t, NULL);
  expect_has(page, "<pre id=\"rawtask\">(no config)</pre>");
  g_string_free(page, TRUE);
  /* Deep nesting is bounded: the indent stops growing. */
  GString *deep = g_string_new(NULL);
  for (int i = 0; i < 10000; i++)
    g_string_append_c(deep, '[');
  g_string_append_c(deep, '1');
  page = g_string_new(NULL);
  obs_page_rawtask(page, t, deep->str);
  assert_true(page->len < 10000 * 70 + 4096);
  g_string_free(page, TRUE);
  g_string_free(deep, TRUE);
  view_free(t);
}

static void test_logs_page(void **unused) {
  (void)unused;
  obs_task_view *t = view_new(EVIL);
  GString *page = g_string_new(NULL);
  obs_page_logs(page, t, "p/../x", 3, "stderr");
  expect_safe_page(page);
  expect_has(page,
             "<body data-page=\"logs\" data-task-id=\"" EVIL_TEXT
             "\" data-logdata=\"/logdata/" EVIL_URL "/p%2F..%2Fx/3/stderr\">");
  expect_has(page, "<a href=\"/process/" EVIL_URL "/p%2F..%2Fx\">p/../x</a>"
                   " / run 3 / stderr</h3>");
  expect_has(page, "<pre id=\"log-data\"></pre>");
  g_string_free(page, TRUE);
  view_free(t);
}

static void test_error_page(void **unused) {
  (void)unused;
  GString *page = g_string_new(NULL);
  obs_page_error(page, 404, "no such task: " EVIL);
  expect_safe_page(page);
  expect_has(page, "<h3 id=\"error-status\">404</h3>\n<p id=\"error-message\">"
                   "no such task: " EVIL_TEXT "</p>");
  g_string_free(page, TRUE);
}

/* --- the assets
 * ---------------------------------------------------------------- */
static void test_assets(void **unused) {
  (void)unused;
  size_t len = 0;
  const char *type = NULL;
  const char *js = obs_asset("observer.js", &len, &type);
  assert_non_null(js);
  assert_string_equal(type, "text/javascript; charset=utf-8");
  assert_true(len > 1000);
  assert_int_equal(strlen(js), len);
  assert_non_null(strstr(js, "new EventSource("));
  /* Text only ever through textContent. */
  assert_null(strstr(js, "innerHTML"));
  assert_null(strstr(js, "outerHTML"));
  assert_null(strstr(js, "insertAdjacentHTML"));
  assert_null(strstr(js, "document.write"));
  assert_null(strstr(js, "eval("));
  const char *css = obs_asset("observer.css", &len, &type);
  assert_non_null(css);
  assert_string_equal(type, "text/css; charset=utf-8");
  assert_int_equal(strlen(css), len);
  /* Nothing from the network. */
  assert_null(strstr(js, "http://"));
  assert_null(strstr(js, "https://"));
  assert_null(strstr(css, "url("));
  assert_null(strstr(css, "@import"));
  const char *icon = obs_asset("favicon.svg", &len, &type);
  assert_non_null(icon);
  assert_string_equal(type, "image/svg+xml");
  assert_true(g_str_has_prefix(icon, "<svg "));
  assert_null(obs_asset("nope.js", &len, &type));
  assert_null(obs_asset("../observer.js", &len, &type));
  assert_null(obs_asset("", &len, &type));
  assert_null(obs_asset(NULL, &len, &type));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_escape_specials),
      cmocka_unit_test(test_escape_utf8),
      cmocka_unit_test(test_task_page),
      cmocka_unit_test(test_task_page_empty),
      cmocka_unit_test(test_process_page),
      cmocka_unit_test(test_main_page),
      cmocka_unit_test(test_index_page),
      cmocka_unit_test(test_rawtask_page),
      cmocka_unit_test(test_logs_page),
      cmocka_unit_test(test_error_page),
      cmocka_unit_test(test_assets),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
