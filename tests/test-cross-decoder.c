/*
 * Our decoder against an independent one, Thrift's c_glib generated reader:
 *  - every whole record of the fixture streams, decoded by both, must give
 *    the same fields and presence bits;
 *  - a random corpus written with td_thrift_write (the generated writer) must
 *    decode to the very values written, by both decoders;
 *  - the JSON lines of the fixtures' expected events, parsed for `encode`,
 *    written and decoded, must give back what was parsed.
 *
 * The generated reader is only given records known to be well-formed: it
 * can loop forever on a corrupt length (see the notes on c_glib).
 *
 * The fixtures are found under $FIXTURES_DIR, else $top_srcdir/tests/
 * fixtures (make check exports top_srcdir); TD_CROSS_SEED changes the
 * corpus' seed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <thermos_thermos_internal_types.h>
#include <thrift/c_glib/protocol/thrift_binary_protocol.h>
#include <thrift/c_glib/transport/thrift_memory_buffer.h>

#include "format/json_read.h"
#include "format/thrift_write.h"
#include "core/decoder.h"
#include "format/thrift_buffer.h"

#define CORPUS_SIZE 2000

/* ---- Reporting: every mismatch is printed (up to a cap) and counted, so
 * one run shows them all; each test asserts the count is 0 at its end. */

static unsigned mismatches;
static const char *context = "";

static void mismatch(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
static void mismatch(const char *fmt, ...) {
  if (++mismatches > 30)
    return;
  va_list ap;
  va_start(ap, fmt);
  char *msg = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  print_error("%s: %s\n", context, msg);
  g_free(msg);
}

static char *printable(const char *data, size_t len) {
  GString *s = g_string_new(NULL);
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)data[i];
    if (c >= 0x20 && c < 0x7f && c != '\\')
      g_string_append_c(s, (char)c);
    else
      g_string_append_printf(s, "\\x%02x", c);
  }
  return g_string_free(s, FALSE);
}

static uint64_t double_bits(double d) {
  uint64_t u;
  memcpy(&u, &d, sizeof u);
  return u;
}

/* ---- The c_glib generated reader ---- */

/* A new object for every record: a reused one keeps stale __isset flags
 * and ports.  NULL when the generated reader fails. */
static thermosRunnerCkpt *cglib_read(const uint8_t *body, size_t len) {
  GByteArray *buf = g_byte_array_sized_new((guint)len);
  g_byte_array_append(buf, body, (guint)len);
  /* The transport owns `buf` and frees it. */
  ThriftTransport *transport = g_object_new(td_thrift_buffer_get_type(), "buf",
                                            buf, "owner", TRUE, NULL);
  ThriftProtocol *protocol =
      g_object_new(THRIFT_TYPE_BINARY_PROTOCOL, "transport", transport, NULL);
  thermosRunnerCkpt *ck = g_object_new(THERMOS_TYPE_RUNNER_CKPT, NULL);
  GError *err = NULL;
  gint32 n = thrift_struct_read(THRIFT_STRUCT(ck), protocol, &err);
  g_object_unref(protocol);
  g_object_unref(transport);
  if (n < 0) {
    mismatch("the c_glib reader failed: %s", err ? err->message : "?");
    g_clear_error(&err);
    g_object_unref(ck);
    return NULL;
  }
  return ck;
}

/* Strings that hold a NUL byte: the c_glib reader's gchar* ends there, so
 * only the part before it can be compared. */
static unsigned nul_strings;

static void cross_str(const char *name, bool ours_set, const thermos_str *s,
                      gboolean theirs_set, const char *c) {
  if (ours_set != (bool)theirs_set) {
    mismatch("%s: presence %d, c_glib %d", name, ours_set, theirs_set);
    return;
  }
  if (!ours_set)
    return;
  const char *nul = s->len ? memchr(s->data, '\0', s->len) : NULL;
  size_t want = nul ? (size_t)(nul - s->data) : s->len;
  if (nul)
    nul_strings++;
  if (c == NULL || strlen(c) != want || memcmp(c, s->data, want) != 0) {
    char *a = printable(s->data, s->len);
    char *b = c ? printable(c, strlen(c)) : g_strdup("(null)");
    mismatch("%s: \"%s\", c_glib \"%s\"", name, a, b);
    g_free(a);
    g_free(b);
  }
}

#define CROSS_INT(name, ours_set, ours, theirs_set, theirs)                    \
  do {                                                                         \
    if ((bool)(ours_set) != (bool)(theirs_set))                                \
      mismatch("%s: presence %d, c_glib %d", name, (bool)(ours_set),           \
               (bool)(theirs_set));                                            \
    else if ((ours_set) && (int64_t)(ours) != (int64_t)(theirs))               \
      mismatch("%s: %" G_GINT64_FORMAT ", c_glib %" G_GINT64_FORMAT, name,     \
               (int64_t)(ours), (int64_t)(theirs));                            \
  } while (0)

#define CROSS_DOUBLE(name, ours_set, ours, theirs_set, theirs)                 \
  do {                                                                         \
    if ((bool)(ours_set) != (bool)(theirs_set))                                \
      mismatch("%s: presence %d, c_glib %d", name, (bool)(ours_set),           \
               (bool)(theirs_set));                                            \
    else if ((ours_set) && double_bits(ours) != double_bits(theirs))           \
      mismatch("%s: %.17g, c_glib %.17g", name, (ours), (theirs));             \
  } while (0)

static void cross_process(const thermos_process_status *a,
                          const thermosProcessStatus *b) {
  uint32_t p = a->present;
  CROSS_INT("seq", p & THERMOS_PS_SEQ, a->seq, b->__isset_seq, b->seq);
  cross_str("process", p & THERMOS_PS_PROCESS, &a->process, b->__isset_process,
            b->process);
  CROSS_INT("state", p & THERMOS_PS_STATE, a->state, b->__isset_state,
            (int32_t)b->state);
  CROSS_INT("coordinator_pid", p & THERMOS_PS_COORDINATOR_PID,
            a->coordinator_pid, b->__isset_coordinator_pid, b->coordinator_pid);
  CROSS_DOUBLE("fork_time", p & THERMOS_PS_FORK_TIME, a->fork_time,
               b->__isset_fork_time, b->fork_time);
  CROSS_DOUBLE("start_time", p & THERMOS_PS_START_TIME, a->start_time,
               b->__isset_start_time, b->start_time);
  CROSS_INT("pid", p & THERMOS_PS_PID, a->pid, b->__isset_pid, b->pid);
  CROSS_DOUBLE("stop_time", p & THERMOS_PS_STOP_TIME, a->stop_time,
               b->__isset_stop_time, b->stop_time);
  CROSS_INT("return_code", p & THERMOS_PS_RETURN_CODE, a->return_code,
            b->__isset_return_code, b->return_code);
}

static void cross_task(const thermos_task_status *a,
                       const thermosTaskStatus *b) {
  uint32_t p = a->present;
  CROSS_INT("task state", p & THERMOS_TS_STATE, a->state, b->__isset_state,
            (int32_t)b->state);
  CROSS_INT("timestamp_ms", p & THERMOS_TS_TIMESTAMP_MS, a->timestamp_ms,
            b->__isset_timestamp_ms, b->timestamp_ms);
  CROSS_INT("runner_pid", p & THERMOS_TS_RUNNER_PID, a->runner_pid,
            b->__isset_runner_pid, b->runner_pid);
  CROSS_INT("runner_uid", p & THERMOS_TS_RUNNER_UID, a->runner_uid,
            b->__isset_runner_uid, b->runner_uid);
}

static void cross_header(const thermos_runner_header *a,
                         const thermosRunnerHeader *b) {
  uint32_t p = a->present;
  cross_str("task_id", p & THERMOS_RH_TASK_ID, &a->task_id, b->__isset_task_id,
            b->task_id);
  CROSS_INT("launch_time_ms", p & THERMOS_RH_LAUNCH_TIME_MS, a->launch_time_ms,
            b->__isset_launch_time_ms, b->launch_time_ms);
  cross_str("sandbox", p & THERMOS_RH_SANDBOX, &a->sandbox, b->__isset_sandbox,
            b->sandbox);
  cross_str("log_dir", p & THERMOS_RH_LOG_DIR, &a->log_dir, b->__isset_log_dir,
            b->log_dir);
  cross_str("hostname", p & THERMOS_RH_HOSTNAME, &a->hostname,
            b->__isset_hostname, b->hostname);
  cross_str("user", p & THERMOS_RH_USER, &a->user, b->__isset_user, b->user);
  CROSS_INT("uid", p & THERMOS_RH_UID, a->uid, b->__isset_uid, b->uid);
  bool ports = p & THERMOS_RH_PORTS;
  if (ports != (bool)b->__isset_ports) {
    mismatch("ports: presence %d, c_glib %d", ports, b->__isset_ports);
    return;
  }
  if (!ports)
    return;
  bool any_nul = false;
  for (size_t i = 0; i < a->n_ports; i++) {
    const thermos_str *name = &a->ports[i].name;
    if (name->len && memchr(name->data, '\0', name->len)) {
      any_nul = true;
      nul_strings++;
      continue;
    }
    char *key = g_strndup(name->len ? name->data : "", name->len);
    const gint64 *v = g_hash_table_lookup(b->ports, key);
    if (v == NULL)
      mismatch("port '%s': missing in c_glib's map", key);
    else if (*v != a->ports[i].port)
      mismatch("port '%s': %" G_GINT64_FORMAT ", c_glib %" G_GINT64_FORMAT, key,
               a->ports[i].port, *v);
    g_free(key);
  }
  if (!any_nul && g_hash_table_size(b->ports) != a->n_ports)
    mismatch("ports: %zu, c_glib %u", a->n_ports, g_hash_table_size(b->ports));
}

static void cross_ckpt(const td_ckpt *a, const thermosRunnerCkpt *b) {
  if (a->has_header != (bool)b->__isset_runner_header ||
      a->has_process != (bool)b->__isset_process_status ||
      a->has_task != (bool)b->__isset_task_status) {
    mismatch("members: header %d process %d task %d, c_glib %d %d %d",
             a->has_header, a->has_process, a->has_task,
             b->__isset_runner_header, b->__isset_process_status,
             b->__isset_task_status);
    return;
  }
  if (a->has_header)
    cross_header(&a->header, b->runner_header);
  if (a->has_process)
    cross_process(&a->process, b->process_status);
  if (a->has_task)
    cross_task(&a->task, b->task_status);
}

/* ---- Our decoder against values we know ---- */

static bool str_eq(const thermos_str *a, const thermos_str *b) {
  return a->len == b->len &&
         (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

static void same_str(const char *name, const thermos_str *want,
                     const thermos_str *got) {
  if (!str_eq(want, got)) {
    char *a = printable(want->data, want->len);
    char *b = printable(got->data, got->len);
    mismatch("%s: wrote \"%s\", decoded \"%s\"", name, a, b);
    g_free(a);
    g_free(b);
  }
}

#define SAME_INT(name, w, g)                                                   \
  do {                                                                         \
    if ((int64_t)(w) != (int64_t)(g))                                          \
      mismatch("%s: wrote %" G_GINT64_FORMAT ", decoded %" G_GINT64_FORMAT,    \
               name, (int64_t)(w), (int64_t)(g));                              \
  } while (0)

#define SAME_DOUBLE(name, w, g)                                                \
  do {                                                                         \
    if (double_bits(w) != double_bits(g))                                      \
      mismatch("%s: wrote %.17g, decoded %.17g", name, (w), (g));              \
  } while (0)

static void same_process(const thermos_process_status *w,
                         const thermos_process_status *g) {
  if (w->present != g->present) {
    mismatch("process_status presence: wrote %#x, decoded %#x", w->present,
             g->present);
    return;
  }
  uint32_t p = w->present;
  if (p & THERMOS_PS_SEQ)
    SAME_INT("seq", w->seq, g->seq);
  if (p & THERMOS_PS_PROCESS)
    same_str("process", &w->process, &g->process);
  if (p & THERMOS_PS_STATE)
    SAME_INT("state", w->state, g->state);
  if (p & THERMOS_PS_COORDINATOR_PID)
    SAME_INT("coordinator_pid", w->coordinator_pid, g->coordinator_pid);
  if (p & THERMOS_PS_FORK_TIME)
    SAME_DOUBLE("fork_time", w->fork_time, g->fork_time);
  if (p & THERMOS_PS_START_TIME)
    SAME_DOUBLE("start_time", w->start_time, g->start_time);
  if (p & THERMOS_PS_PID)
    SAME_INT("pid", w->pid, g->pid);
  if (p & THERMOS_PS_STOP_TIME)
    SAME_DOUBLE("stop_time", w->stop_time, g->stop_time);
  if (p & THERMOS_PS_RETURN_CODE)
    SAME_INT("return_code", w->return_code, g->return_code);
}

static void same_task(const thermos_task_status *w,
                      const thermos_task_status *g) {
  if (w->present != g->present) {
    mismatch("task_status presence: wrote %#x, decoded %#x", w->present,
             g->present);
    return;
  }
  uint32_t p = w->present;
  if (p & THERMOS_TS_STATE)
    SAME_INT("task state", w->state, g->state);
  if (p & THERMOS_TS_TIMESTAMP_MS)
    SAME_INT("timestamp_ms", w->timestamp_ms, g->timestamp_ms);
  if (p & THERMOS_TS_RUNNER_PID)
    SAME_INT("runner_pid", w->runner_pid, g->runner_pid);
  if (p & THERMOS_TS_RUNNER_UID)
    SAME_INT("runner_uid", w->runner_uid, g->runner_uid);
}

static void same_header(const thermos_runner_header *w,
                        const thermos_runner_header *g) {
  if (w->present != g->present) {
    mismatch("header presence: wrote %#x, decoded %#x", w->present, g->present);
    return;
  }
  uint32_t p = w->present;
  if (p & THERMOS_RH_TASK_ID)
    same_str("task_id", &w->task_id, &g->task_id);
  if (p & THERMOS_RH_LAUNCH_TIME_MS)
    SAME_INT("launch_time_ms", w->launch_time_ms, g->launch_time_ms);
  if (p & THERMOS_RH_SANDBOX)
    same_str("sandbox", &w->sandbox, &g->sandbox);
  if (p & THERMOS_RH_LOG_DIR)
    same_str("log_dir", &w->log_dir, &g->log_dir);
  if (p & THERMOS_RH_HOSTNAME)
    same_str("hostname", &w->hostname, &g->hostname);
  if (p & THERMOS_RH_USER)
    same_str("user", &w->user, &g->user);
  if (p & THERMOS_RH_UID)
    SAME_INT("uid", w->uid, g->uid);
  if (!(p & THERMOS_RH_PORTS))
    return;
  /* The writer's map has its own order: compare as sets of unique names. */
  if (w->n_ports != g->n_ports) {
    mismatch("ports: wrote %zu, decoded %zu", w->n_ports, g->n_ports);
    return;
  }
  for (size_t i = 0; i < w->n_ports; i++) {
    size_t j = 0;
    while (j < g->n_ports && !str_eq(&w->ports[i].name, &g->ports[j].name))
      j++;
    char *name = printable(w->ports[i].name.data, w->ports[i].name.len);
    if (j == g->n_ports)
      mismatch("port '%s': not decoded", name);
    else
      SAME_INT(name, w->ports[i].port, g->ports[j].port);
    g_free(name);
  }
}

static void same_ckpt(const td_ckpt *w, const td_ckpt *g) {
  if (w->has_header != g->has_header || w->has_process != g->has_process ||
      w->has_task != g->has_task) {
    mismatch("members: wrote header %d process %d task %d, decoded %d %d %d",
             w->has_header, w->has_process, w->has_task, g->has_header,
             g->has_process, g->has_task);
    return;
  }
  if (w->has_header)
    same_header(&w->header, &g->header);
  if (w->has_process)
    same_process(&w->process, &g->process);
  if (w->has_task)
    same_task(&w->task, &g->task);
}

/* ---- Records of a stream: a minimal walk of the length prefixes ---- */

typedef struct frame_walk {
  const uint8_t *p;
  const uint8_t *end;
} frame_walk;

/* The next whole record, or false at the end (a torn or oversized record
 * ends the walk too: the tests only look at records before it). */
static bool next_frame(frame_walk *w, const uint8_t **body, uint32_t *len) {
  if (w->end - w->p < 4)
    return false;
  uint32_t n = (uint32_t)w->p[0] << 24 | (uint32_t)w->p[1] << 16 |
               (uint32_t)w->p[2] << 8 | w->p[3];
  if ((uint64_t)(w->end - w->p - 4) < n)
    return false;
  *body = w->p + 4;
  *len = n;
  w->p += 4 + (size_t)n;
  return true;
}

/* ---- Fixtures ---- */

static char *fixtures_dir(void) {
  const char *dir = g_getenv("FIXTURES_DIR");
  if (dir != NULL && *dir != '\0')
    return g_strdup(dir);
  const char *top = g_getenv("top_srcdir");
  if (top != NULL && *top != '\0')
    return g_build_filename(top, "tests", "fixtures", NULL);
  return NULL;
}

static gint compare_names(gconstpointer a, gconstpointer b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Files of `dir` (sorted) whose names pass `want`. */
static GPtrArray *list_files(const char *dir, bool (*want)(const char *name)) {
  GPtrArray *files = g_ptr_array_new_with_free_func(g_free);
  GDir *d = g_dir_open(dir, 0, NULL);
  if (d == NULL)
    return files;
  const char *name;
  while ((name = g_dir_read_name(d)) != NULL)
    if (want(name))
      g_ptr_array_add(files, g_build_filename(dir, name, NULL));
  g_dir_close(d);
  g_ptr_array_sort(files, compare_names);
  return files;
}

static bool any_name(const char *name) {
  (void)name;
  return true;
}

static bool stream_name(const char *name) {
  return g_str_has_suffix(name, ".ckpt");
}

static bool aurora_stream_name(const char *name) {
  return strcmp(name, "runner") == 0 || g_str_has_prefix(name, "coordinator.");
}

/* For broken-*.ckpt: the index of the record where the stream error is
 * (from NAME.error.json), records from there on being possibly malformed;
 * G_MAXUINT64 when there is no error file (the stream is accepted). */
static uint64_t error_record(const char *ckpt) {
  g_autofree char *base = g_strndup(ckpt, strlen(ckpt) - strlen(".ckpt"));
  g_autofree char *path = g_strconcat(base, ".error.json", NULL);
  g_autofree char *text = NULL;
  if (!g_file_get_contents(path, &text, NULL, NULL))
    return G_MAXUINT64;
  const char *r = strstr(text, "\"record\"");
  const char *colon = r ? strchr(r, ':') : NULL;
  assert_non_null(colon);
  return g_ascii_strtoull(colon + 1, NULL, 10);
}

static unsigned records_checked;

/* Decodes the first `limit` records of `path` with both decoders. */
static void cross_stream(const char *path, uint64_t limit) {
  g_autofree char *data = NULL;
  gsize size;
  if (!g_file_get_contents(path, &data, &size, NULL)) {
    mismatch("cannot read %s", path);
    return;
  }
  td_decoder dec;
  td_decoder_init(&dec);
  frame_walk w = {(const uint8_t *)data, (const uint8_t *)data + size};
  const uint8_t *body;
  uint32_t len;
  for (uint64_t i = 0; i < limit && next_frame(&w, &body, &len); i++) {
    g_autofree char *where =
        g_strdup_printf("%s record %" G_GUINT64_FORMAT, path, i);
    context = where;
    td_ckpt ck;
    td_err detail;
    if (len == 0 || td_decode_ckpt(&dec, body, len, &ck, &detail) != 0) {
      mismatch("our decoder failed: %s", len ? detail.msg : "empty record");
      break;
    }
    thermosRunnerCkpt *theirs = cglib_read(body, len);
    if (theirs != NULL) {
      cross_ckpt(&ck, theirs);
      g_object_unref(theirs);
    }
    records_checked++;
  }
  context = "";
  td_decoder_clear(&dec);
}

static void test_fixtures(void **unused) {
  (void)unused;
  g_autofree char *dir = fixtures_dir();
  if (dir == NULL || !g_file_test(dir, G_FILE_TEST_IS_DIR)) {
    print_message("no fixtures (set FIXTURES_DIR or top_srcdir)\n");
    skip();
  }
  mismatches = nul_strings = records_checked = 0;
  unsigned streams = 0;

  g_autofree char *aurora = g_build_filename(dir, "aurora", NULL);
  GPtrArray *cases = list_files(aurora, any_name);
  for (guint i = 0; i < cases->len; i++) {
    GPtrArray *files = list_files(cases->pdata[i], aurora_stream_name);
    for (guint j = 0; j < files->len; j++, streams++)
      cross_stream(files->pdata[j], G_MAXUINT64);
    g_ptr_array_unref(files);
  }
  g_ptr_array_unref(cases);

  g_autofree char *generated = g_build_filename(dir, "generated", NULL);
  GPtrArray *files = list_files(generated, stream_name);
  for (guint i = 0; i < files->len; i++, streams++) {
    const char *path = files->pdata[i];
    g_autofree char *name = g_path_get_basename(path);
    if (g_str_has_prefix(name, "broken-"))
      cross_stream(path, error_record(path));
    else
      cross_stream(path, G_MAXUINT64);
  }
  g_ptr_array_unref(files);

  print_message("%u streams, %u records, %u strings with NUL (compared up "
                "to it)\n",
                streams, records_checked, nul_strings);
  assert_true(streams >= 30);
  assert_true(records_checked > 0);
  assert_int_equal(mismatches, 0);
}

/* ---- The random corpus ---- */

typedef struct corpus {
  GRand *rand;
  GPtrArray *allocs; /* what the records point to */
} corpus;

static uint64_t rand64(GRand *r) {
  return (uint64_t)g_rand_int(r) << 32 | g_rand_int(r);
}

static int32_t rand_i32(GRand *r) {
  static const int32_t edges[] = {0, 1, -1, INT32_MIN, INT32_MAX, 65535};
  if (g_rand_int_range(r, 0, 4) == 0)
    return edges[g_rand_int_range(r, 0, G_N_ELEMENTS(edges))];
  return (int32_t)g_rand_int(r);
}

static int64_t rand_i64(GRand *r) {
  static const int64_t edges[] = {0,         1,         -1,
                                  INT64_MIN, INT64_MAX, 1600000000000};
  if (g_rand_int_range(r, 0, 4) == 0)
    return edges[g_rand_int_range(r, 0, G_N_ELEMENTS(edges))];
  return (int64_t)rand64(r);
}

/* Any bit pattern: NaNs with payloads, infinities, subnormals, -0. */
static double rand_double(GRand *r) {
  static const double edges[] = {0.0, -0.0,    INFINITY, -INFINITY,
                                 NAN, DBL_MIN, DBL_MAX,  5e-324};
  double d;
  switch (g_rand_int_range(r, 0, 4)) {
  case 0:
    return edges[g_rand_int_range(r, 0, G_N_ELEMENTS(edges))];
  case 1: {
    uint64_t u = rand64(r);
    memcpy(&d, &u, sizeof d);
    return d;
  }
  default:
    return g_rand_double_range(r, 0, 2e9);
  }
}

static int32_t rand_state(GRand *r, int32_t last) {
  if (g_rand_int_range(r, 0, 5) < 4)
    return g_rand_int_range(r, 0, last + 1);
  return rand_i32(r);
}

/* Bytes 1..255 (the generated writer cannot write NUL), sometimes long,
 * sometimes empty with a NULL pointer. */
static thermos_str rand_str(corpus *c) {
  size_t len;
  switch (g_rand_int_range(c->rand, 0, 8)) {
  case 0:
    len = 0;
    break;
  case 1:
    len = (size_t)g_rand_int_range(c->rand, 25, 400);
    break;
  default:
    len = (size_t)g_rand_int_range(c->rand, 1, 25);
  }
  if (len == 0 && g_rand_boolean(c->rand))
    return (thermos_str){NULL, 0};
  bool ascii = g_rand_boolean(c->rand);
  char *d = g_malloc(len + 1);
  for (size_t i = 0; i < len; i++)
    d[i] = (char)(ascii ? g_rand_int_range(c->rand, 0x20, 0x7f)
                        : g_rand_int_range(c->rand, 1, 256));
  g_ptr_array_add(c->allocs, d);
  return (thermos_str){d, len};
}

static void rand_ports(corpus *c, thermos_runner_header *h) {
  size_t n = (size_t)(g_rand_int_range(c->rand, 0, 10) == 0
                          ? g_rand_int_range(c->rand, 10, 100)
                          : g_rand_int_range(c->rand, 0, 6));
  thermos_port *ports = g_new0(thermos_port, n ? n : 1);
  g_ptr_array_add(c->allocs, ports);
  size_t k = 0;
  while (k < n) {
    thermos_str name = rand_str(c);
    bool dup = false;
    for (size_t j = 0; j < k && !dup; j++)
      dup = str_eq(&ports[j].name, &name);
    if (dup)
      continue; /* the decoder keeps one of each name */
    ports[k].name = name;
    ports[k].port = rand_i64(c->rand);
    k++;
  }
  h->ports = ports;
  h->n_ports = n;
}

static void rand_ckpt(corpus *c, td_ckpt *ck) {
  GRand *r = c->rand;
  memset(ck, 0, sizeof *ck);
  ck->has_header = g_rand_int_range(r, 0, 3) == 0;
  ck->has_process = g_rand_boolean(r);
  ck->has_task = g_rand_int_range(r, 0, 3) == 0;
  if (ck->has_header) {
    thermos_runner_header *h = &ck->header;
    h->present = g_rand_int(r) & 0xffu;
    h->task_id = rand_str(c);
    h->launch_time_ms = rand_i64(r);
    h->sandbox = rand_str(c);
    h->log_dir = rand_str(c);
    h->hostname = rand_str(c);
    h->user = rand_str(c);
    h->uid = rand_i32(r);
    if (h->present & THERMOS_RH_PORTS)
      rand_ports(c, h);
  }
  if (ck->has_process) {
    thermos_process_status *p = &ck->process;
    p->present = g_rand_int(r) & 0x1ffu;
    p->seq = rand_i64(r);
    p->process = rand_str(c);
    p->state = rand_state(r, THERMOS_PROCESS_LOST);
    p->coordinator_pid = rand_i32(r);
    p->fork_time = rand_double(r);
    p->start_time = rand_double(r);
    p->pid = rand_i32(r);
    p->stop_time = rand_double(r);
    p->return_code = rand_i32(r);
  }
  if (ck->has_task) {
    thermos_task_status *t = &ck->task;
    t->present = g_rand_int(r) & 0xfu;
    t->state = rand_state(r, THERMOS_TASK_FINALIZING);
    t->timestamp_ms = rand_i64(r);
    t->runner_pid = rand_i32(r);
    t->runner_uid = rand_i32(r);
  }
}

static void test_corpus_roundtrip(void **unused) {
  (void)unused;
  mismatches = 0;
  guint32 seed = 20240917;
  const char *env = g_getenv("TD_CROSS_SEED");
  if (env != NULL && *env != '\0')
    seed = (guint32)g_ascii_strtoull(env, NULL, 10);
  corpus c = {g_rand_new_with_seed(seed),
              g_ptr_array_new_with_free_func(g_free)};
  td_ckpt *recs = g_new(td_ckpt, CORPUS_SIZE);
  GByteArray *stream = g_byte_array_new();
  for (size_t i = 0; i < CORPUS_SIZE; i++) {
    rand_ckpt(&c, &recs[i]);
    GError *err = NULL;
    if (td_thrift_write(&recs[i], stream, &err) != 0) {
      print_error("record %zu: td_thrift_write: %s\n", i, err->message);
      g_error_free(err);
      fail();
    }
  }

  td_decoder dec;
  td_decoder_init(&dec);
  frame_walk w = {stream->data, stream->data + stream->len};
  const uint8_t *body;
  uint32_t len;
  size_t n = 0;
  for (; next_frame(&w, &body, &len); n++) {
    if (n >= CORPUS_SIZE)
      break;
    g_autofree char *where =
        g_strdup_printf("corpus (seed %u) record %zu", seed, n);
    context = where;
    td_ckpt got;
    td_err detail;
    if (td_decode_ckpt(&dec, body, len, &got, &detail) != 0) {
      mismatch("our decoder failed: %s", detail.msg);
      continue;
    }
    same_ckpt(&recs[n], &got);
    thermosRunnerCkpt *theirs = cglib_read(body, len);
    if (theirs != NULL) {
      cross_ckpt(&got, theirs);
      g_object_unref(theirs);
    }
  }
  context = "";
  assert_int_equal(n, CORPUS_SIZE);
  assert_ptr_equal(w.p, stream->data + stream->len);
  assert_int_equal(mismatches, 0);

  td_decoder_clear(&dec);
  g_byte_array_unref(stream);
  g_free(recs);
  g_ptr_array_unref(c.allocs);
  g_rand_free(c.rand);
}

/* ---- The JSON lines of `encode`: parse, write, decode ---- */

static unsigned lines_checked;

static void parse_file(td_json_reader *parser, const char *path) {
  g_autofree char *text = NULL;
  gsize size;
  if (!g_file_get_contents(path, &text, &size, NULL)) {
    mismatch("cannot read %s", path);
    return;
  }
  td_decoder dec;
  td_decoder_init(&dec);
  GByteArray *rec = g_byte_array_new();
  char *line = text;
  for (unsigned no = 1; line < text + size; no++) {
    char *nl = memchr(line, '\n', (size_t)(text + size - line));
    size_t len = nl ? (size_t)(nl - line) : (size_t)(text + size - line);
    g_autofree char *where = g_strdup_printf("%s line %u", path, no);
    context = where;
    td_ckpt parsed;
    td_err reason;
    GError *err = NULL;
    g_byte_array_set_size(rec, 0);
    if (len == 0) {
      /* a blank line: nothing */
    } else if (td_json_read_line(parser, line, len, &parsed, &reason) != 0) {
      mismatch("parse: %s", reason.msg);
    } else if (td_thrift_write(&parsed, rec, &err) != 0) {
      mismatch("write: %s", err->message);
      g_error_free(err);
    } else {
      td_ckpt got;
      td_err detail;
      if (td_decode_ckpt(&dec, rec->data + 4, rec->len - 4, &got, &detail) != 0)
        mismatch("decode: %s", detail.msg);
      else
        same_ckpt(&parsed, &got);
      lines_checked++;
    }
    line += len + 1;
  }
  context = "";
  g_byte_array_unref(rec);
  td_decoder_clear(&dec);
}

static bool events_name(const char *name) {
  return g_str_has_suffix(name, ".events.jsonl");
}

static void test_json_lines(void **unused) {
  (void)unused;
  g_autofree char *dir = fixtures_dir();
  if (dir == NULL || !g_file_test(dir, G_FILE_TEST_IS_DIR))
    skip();
  mismatches = lines_checked = 0;
  td_json_reader *parser = td_json_reader_new();
  const char *subdirs[] = {"aurora-expected", "generated"};
  for (size_t i = 0; i < G_N_ELEMENTS(subdirs); i++) {
    g_autofree char *sub = g_build_filename(dir, subdirs[i], NULL);
    GPtrArray *files = list_files(sub, events_name);
    for (guint j = 0; j < files->len; j++)
      parse_file(parser, files->pdata[j]);
    g_ptr_array_unref(files);
  }
  td_json_reader_free(parser);
  print_message("%u event lines\n", lines_checked);
  assert_true(lines_checked > 0);
  assert_int_equal(mismatches, 0);
}

/* ---- td_thrift_write's own promises ---- */

static const uint8_t prefix[] = {0xde, 0xad};

static void test_write_empty_union(void **unused) {
  (void)unused;
  td_ckpt ck = {0};
  GByteArray *out = g_byte_array_new();
  g_byte_array_append(out, prefix, sizeof prefix);
  assert_int_equal(td_thrift_write(&ck, out, NULL), 0);
  /* What came before is kept; then length 1 and the STOP byte. */
  static const uint8_t want[] = {0xde, 0xad, 0, 0, 0, 1, 0};
  assert_int_equal(out->len, sizeof want);
  assert_memory_equal(out->data, want, sizeof want);
  g_byte_array_unref(out);
}

static void test_write_only_present(void **unused) {
  (void)unused;
  td_ckpt ck = {0};
  ck.has_task = true;
  ck.task.present = THERMOS_TS_RUNNER_PID;
  ck.task.state = 3; /* not present: must not be written */
  ck.task.runner_pid = 0x01020304;
  GByteArray *out = g_byte_array_new();
  assert_int_equal(td_thrift_write(&ck, out, NULL), 0);
  static const uint8_t want[] = {0,  0, 0, 12,    /* length */
                                 12, 0, 3,        /* task_status: struct 3 */
                                 8,  0, 3,        /* runner_pid: i32 3 */
                                 1,  2, 3, 4,  0, /* value, STOP */
                                 0};              /* the union's STOP */
  assert_int_equal(out->len, sizeof want);
  assert_memory_equal(out->data, want, sizeof want);
  g_byte_array_unref(out);
}

static void test_write_nul_refused(void **unused) {
  (void)unused;
  td_ckpt ck = {0};
  ck.has_process = true;
  ck.process.present = THERMOS_PS_PROCESS | THERMOS_PS_SEQ;
  ck.process.process = (thermos_str){"a\0b", 3};
  GByteArray *out = g_byte_array_new();
  g_byte_array_append(out, prefix, sizeof prefix);
  GError *err = NULL;
  assert_int_equal(td_thrift_write(&ck, out, &err), -1);
  assert_non_null(err);
  assert_non_null(strstr(err->message, "process_status.process"));
  assert_non_null(strstr(err->message, "NUL"));
  g_clear_error(&err);
  /* Never cut at the NUL, and nothing appended. */
  assert_int_equal(out->len, sizeof prefix);

  /* In a port name too. */
  thermos_port port = {{"x\0", 2}, 80};
  td_ckpt h = {0};
  h.has_header = true;
  h.header.present = THERMOS_RH_PORTS;
  h.header.ports = &port;
  h.header.n_ports = 1;
  assert_int_equal(td_thrift_write(&h, out, &err), -1);
  assert_non_null(strstr(err->message, "header.ports"));
  g_clear_error(&err);
  assert_int_equal(out->len, sizeof prefix);
  g_byte_array_unref(out);
}

static void test_write_empty_ports(void **unused) {
  (void)unused;
  td_ckpt ck = {0};
  ck.has_header = true;
  ck.header.present = THERMOS_RH_PORTS;
  GByteArray *out = g_byte_array_new();
  assert_int_equal(td_thrift_write(&ck, out, NULL), 0);
  td_decoder dec;
  td_decoder_init(&dec);
  td_ckpt got;
  td_err detail;
  assert_int_equal(
      td_decode_ckpt(&dec, out->data + 4, out->len - 4, &got, &detail), 0);
  /* An empty map is still a set field. */
  assert_true(got.has_header);
  assert_int_equal(got.header.present, THERMOS_RH_PORTS);
  assert_int_equal(got.header.n_ports, 0);
  td_decoder_clear(&dec);
  g_byte_array_unref(out);
}

static void test_write_too_many_ports(void **unused) {
  (void)unused;
  enum { N = 20000 };
  thermos_port *ports = g_new0(thermos_port, N);
  td_ckpt ck = {0};
  ck.has_header = true;
  ck.header.present = THERMOS_RH_PORTS;
  ck.header.ports = ports;
  ck.header.n_ports = N;
  GByteArray *out = g_byte_array_new();
  GError *err = NULL;
  assert_int_equal(td_thrift_write(&ck, out, &err), -1);
  assert_non_null(strstr(err->message, "header.ports"));
  g_error_free(err);
  assert_int_equal(out->len, 0);
  g_byte_array_unref(out);
  g_free(ports);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_write_empty_union),
      cmocka_unit_test(test_write_only_present),
      cmocka_unit_test(test_write_nul_refused),
      cmocka_unit_test(test_write_empty_ports),
      cmocka_unit_test(test_write_too_many_ports),
      cmocka_unit_test(test_fixtures),
      cmocka_unit_test(test_corpus_roundtrip),
      cmocka_unit_test(test_json_lines),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
