/* Unit tests of the record decoder (host/core/decoder.c) against
 * checkpoint-format.md, on records built byte by byte with unit-helpers.
 *
 * Every record is decoded from a malloc'd copy of exactly its length, so
 * AddressSanitizer and valgrind see any read past its end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "core/decoder.h"
#include "unit-helpers.h"

/* One decode: the exact-size copy it read, its result and detail. */
typedef struct decoded {
  uint8_t *buf;
  size_t len;
  int rc;
  td_ckpt ck;
  td_err detail;
} decoded;

static uint8_t *exact_copy(const uint8_t *p, size_t n) {
  /* malloc(0) too: a zero-size block makes any read an error report. */
  uint8_t *copy = malloc(n);
  assert_non_null(copy);
  if (n)
    memcpy(copy, p, n);
  return copy;
}

static void decode_with(td_decoder *dec, const GByteArray *b, decoded *d) {
  d->len = b->len;
  d->buf = exact_copy(b->data, b->len);
  /* Garbage in `out` and `detail` first: nothing may leak through. */
  memset(&d->ck, 0xa5, sizeof d->ck);
  memset(&d->detail, 0, sizeof d->detail);
  d->rc = td_decode_ckpt(dec, d->buf, d->len, &d->ck, &d->detail);
}

static void decoded_free(decoded *d) {
  free(d->buf);
  d->buf = NULL;
}

/* Decodes `b` with a fresh decoder and expects success. */
#define DECODE_OK(dec, b, d)                                                   \
  do {                                                                         \
    decode_with((dec), (b), (d));                                              \
    if ((d)->rc != 0)                                                          \
      fail_msg("decode failed: %s", (d)->detail.msg);                          \
  } while (0)

#define DECODE_ERR(dec, b, d)                                                  \
  do {                                                                         \
    decode_with((dec), (b), (d));                                              \
    if ((d)->rc != -1)                                                         \
      fail_msg("decode returned %d, expected -1", (d)->rc);                    \
    if ((d)->detail.msg[0] == '\0')                                            \
      fail_msg("decode failed without a detail");                              \
  } while (0)

/* Decodes and expects failure, with a throwaway decoder. */
static void expect_undecodable(const GByteArray *b, const char *what) {
  td_decoder dec;
  td_decoder_init(&dec);
  decoded d;
  decode_with(&dec, b, &d);
  if (d.rc != -1)
    fail_msg("%s: decode returned %d, expected -1", what, d.rc);
  if (d.detail.msg[0] == '\0')
    fail_msg("%s: no detail", what);
  decoded_free(&d);
  td_decoder_clear(&dec);
}

static void expect_decodable(const GByteArray *b, const char *what) {
  td_decoder dec;
  td_decoder_init(&dec);
  decoded d;
  decode_with(&dec, b, &d);
  if (d.rc != 0)
    fail_msg("%s: decode failed: %s", what, d.detail.msg);
  decoded_free(&d);
  td_decoder_clear(&dec);
}

/* A string field; returns the offset of its bytes in `b`, to check that the
 * decoded string points there (zero-copy). */
static size_t str_field(GByteArray *b, int16_t id, const void *p, size_t n) {
  tu_field(b, TU_STRING, id);
  size_t off = b->len + 4;
  tu_str(b, p, n);
  return off;
}

#define PS_ALL                                                                 \
  (THERMOS_PS_SEQ | THERMOS_PS_PROCESS | THERMOS_PS_STATE |                    \
   THERMOS_PS_COORDINATOR_PID | THERMOS_PS_FORK_TIME | THERMOS_PS_START_TIME | \
   THERMOS_PS_PID | THERMOS_PS_STOP_TIME | THERMOS_PS_RETURN_CODE)
#define TS_ALL                                                                 \
  (THERMOS_TS_STATE | THERMOS_TS_TIMESTAMP_MS | THERMOS_TS_RUNNER_PID |        \
   THERMOS_TS_RUNNER_UID)
#define RH_ALL                                                                 \
  (THERMOS_RH_TASK_ID | THERMOS_RH_LAUNCH_TIME_MS | THERMOS_RH_SANDBOX |       \
   THERMOS_RH_LOG_DIR | THERMOS_RH_HOSTNAME | THERMOS_RH_USER |                \
   THERMOS_RH_UID | THERMOS_RH_PORTS)

/* ---- canonical structs: every field, awkward values --------------------- */

#define PS_NAME "hello\0w\xff"
#define PS_FORK 1337097943.293865
#define PS_START 0.1
#define PS_STOP (-0.0)

/* A ProcessStatus body (fields and STOP), in the IDL's id order or reversed;
 * returns the offset of the process name's bytes. */
static size_t ps_body(GByteArray *b, int reversed) {
  size_t off = 0;
  if (!reversed) {
    tu_f_i64(b, 1, 42);
    off = str_field(b, 3, TU_LIT(PS_NAME));
    tu_f_i32(b, 5, THERMOS_PROCESS_RUNNING);
    tu_f_i32(b, 10, 1234);
    tu_f_double(b, 11, PS_FORK);
    tu_f_double(b, 6, PS_START);
    tu_f_i32(b, 7, INT32_MAX);
    tu_f_double(b, 8, PS_STOP);
    tu_f_i32(b, 9, -1);
  } else {
    tu_f_i32(b, 9, -1);
    tu_f_double(b, 8, PS_STOP);
    tu_f_i32(b, 7, INT32_MAX);
    tu_f_double(b, 6, PS_START);
    tu_f_double(b, 11, PS_FORK);
    tu_f_i32(b, 10, 1234);
    tu_f_i32(b, 5, THERMOS_PROCESS_RUNNING);
    off = str_field(b, 3, TU_LIT(PS_NAME));
    tu_f_i64(b, 1, 42);
  }
  tu_stop(b);
  return off;
}

static void check_ps(const thermos_process_status *p, const uint8_t *buf,
                     size_t name_off) {
  assert_int_equal(p->present, PS_ALL);
  assert_int_equal(p->seq, 42);
  assert_true(tu_str_is(p->process, TU_LIT(PS_NAME)));
  assert_ptr_equal(p->process.data, buf + name_off);
  assert_int_equal(p->state, THERMOS_PROCESS_RUNNING);
  assert_int_equal(p->coordinator_pid, 1234);
  assert_int_equal(tu_bits(p->fork_time), tu_bits(PS_FORK));
  assert_int_equal(tu_bits(p->start_time), tu_bits(PS_START));
  assert_int_equal(p->pid, INT32_MAX);
  assert_int_equal(tu_bits(p->stop_time), tu_bits(PS_STOP));
  assert_int_equal(p->return_code, -1);
}

static void ts_body(GByteArray *b, int reversed) {
  if (!reversed) {
    tu_f_i32(b, 1, THERMOS_TASK_FINALIZING);
    tu_f_i64(b, 2, 1337097943293);
    tu_f_i32(b, 3, 31337);
    tu_f_i32(b, 4, INT32_MIN);
  } else {
    tu_f_i32(b, 4, INT32_MIN);
    tu_f_i32(b, 3, 31337);
    tu_f_i64(b, 2, 1337097943293);
    tu_f_i32(b, 1, THERMOS_TASK_FINALIZING);
  }
  tu_stop(b);
}

static void check_ts(const thermos_task_status *t) {
  assert_int_equal(t->present, TS_ALL);
  assert_int_equal(t->state, THERMOS_TASK_FINALIZING);
  assert_int_equal(t->timestamp_ms, 1337097943293);
  assert_int_equal(t->runner_pid, 31337);
  assert_int_equal(t->runner_uid, INT32_MIN);
}

/* Where the header's strings start in the record. */
typedef struct rh_offsets {
  size_t task_id, sandbox, log_dir, hostname, user, port_name[3];
} rh_offsets;

static void rh_ports(GByteArray *b, rh_offsets *o) {
  tu_field(b, TU_MAP, 6);
  tu_map_begin(b, TU_STRING, TU_I64, 3);
  o->port_name[0] = b->len + 4;
  tu_str(b, TU_LIT("http"));
  tu_i64(b, 8080);
  o->port_name[1] = b->len + 4;
  tu_str(b, TU_LIT("admin\0"));
  tu_i64(b, INT64_MAX);
  o->port_name[2] = b->len + 4;
  tu_str(b, TU_LIT("\xff"));
  tu_i64(b, INT64_MIN);
}

/* Shuffled when asked: ports first, then ids in a scrambled order. */
static void rh_body(GByteArray *b, int shuffled, rh_offsets *o) {
  if (!shuffled) {
    o->task_id = str_field(b, 1, TU_LIT("task\0id\xfe"));
    tu_f_i64(b, 2, 1337097943293);
    o->sandbox = str_field(b, 3, TU_LIT("/var/lib/mesos/sandbox"));
    o->log_dir = str_field(b, 7, "", 0);
    o->hostname = str_field(b, 4, TU_LIT("h\xc3\xa9st"));
    o->user = str_field(b, 5, TU_LIT("www-data"));
    tu_f_i32(b, 8, 33);
    rh_ports(b, o);
  } else {
    rh_ports(b, o);
    tu_f_i32(b, 8, 33);
    o->user = str_field(b, 5, TU_LIT("www-data"));
    o->sandbox = str_field(b, 3, TU_LIT("/var/lib/mesos/sandbox"));
    o->hostname = str_field(b, 4, TU_LIT("h\xc3\xa9st"));
    o->task_id = str_field(b, 1, TU_LIT("task\0id\xfe"));
    o->log_dir = str_field(b, 7, "", 0);
    tu_f_i64(b, 2, 1337097943293);
  }
  tu_stop(b);
}

/* The index of the port with this name, checking it appears exactly once. */
static size_t port_at(const thermos_runner_header *h, const void *name,
                      size_t n) {
  size_t at = SIZE_MAX;
  for (size_t i = 0; i < h->n_ports; i++) {
    if (tu_str_is(h->ports[i].name, name, n)) {
      if (at != SIZE_MAX)
        fail_msg("port name appears twice");
      at = i;
    }
  }
  if (at == SIZE_MAX)
    fail_msg("port name not found");
  return at;
}

static void check_rh(const thermos_runner_header *h, const uint8_t *buf,
                     const rh_offsets *o) {
  assert_int_equal(h->present, RH_ALL);
  assert_true(tu_str_is(h->task_id, TU_LIT("task\0id\xfe")));
  assert_ptr_equal(h->task_id.data, buf + o->task_id);
  assert_int_equal(h->launch_time_ms, 1337097943293);
  assert_true(tu_str_is(h->sandbox, TU_LIT("/var/lib/mesos/sandbox")));
  assert_ptr_equal(h->sandbox.data, buf + o->sandbox);
  assert_int_equal(h->log_dir.len, 0);
  assert_true(tu_str_is(h->hostname, TU_LIT("h\xc3\xa9st")));
  assert_ptr_equal(h->hostname.data, buf + o->hostname);
  assert_true(tu_str_is(h->user, TU_LIT("www-data")));
  assert_ptr_equal(h->user.data, buf + o->user);
  assert_int_equal(h->uid, 33);
  assert_int_equal(h->n_ports, 3);
  size_t i = port_at(h, TU_LIT("http"));
  assert_int_equal(h->ports[i].port, 8080);
  assert_ptr_equal(h->ports[i].name.data, buf + o->port_name[0]);
  i = port_at(h, TU_LIT("admin\0"));
  assert_int_equal(h->ports[i].port, INT64_MAX);
  assert_ptr_equal(h->ports[i].name.data, buf + o->port_name[1]);
  i = port_at(h, TU_LIT("\xff"));
  assert_int_equal(h->ports[i].port, INT64_MIN);
  assert_ptr_equal(h->ports[i].name.data, buf + o->port_name[2]);
}

/* A record with all three members, each with every field, plus unknown
 * fields of each kind: the reference input for prefixes and fuzzing. */
static GByteArray *full_record(void) {
  GByteArray *b = g_byte_array_new();
  rh_offsets o;
  tu_field(b, TU_STRUCT, 1);
  rh_body(b, 0, &o);
  tu_field(b, TU_STRUCT, 2);
  ps_body(b, 0);
  tu_field(b, TU_STRUCT, 3);
  ts_body(b, 0);
  tu_field(b, TU_LIST, 77);
  tu_list_begin(b, TU_STRUCT, 2);
  tu_f_i32(b, 1, 5);
  tu_stop(b);
  tu_f_str(b, 2, TU_LIT("x"));
  tu_stop(b);
  tu_field(b, TU_MAP, 78);
  tu_map_begin(b, TU_STRING, TU_DOUBLE, 1);
  tu_str(b, TU_LIT("k"));
  tu_double(b, 2.5);
  tu_stop(b);
  return b;
}

/* ---- every field of each struct ----------------------------------------- */

static void test_process_status_fields(void **unused) {
  (void)unused;
  for (int reversed = 0; reversed < 2; reversed++) {
    GByteArray *b = g_byte_array_new();
    tu_field(b, TU_STRUCT, 2);
    size_t off = ps_body(b, reversed);
    tu_stop(b);
    td_decoder dec;
    td_decoder_init(&dec);
    decoded d;
    DECODE_OK(&dec, b, &d);
    assert_false(d.ck.has_header);
    assert_true(d.ck.has_process);
    assert_false(d.ck.has_task);
    check_ps(&d.ck.process, d.buf, off);
    decoded_free(&d);
    td_decoder_clear(&dec);
    g_byte_array_unref(b);
  }
}

static void test_task_status_fields(void **unused) {
  (void)unused;
  for (int reversed = 0; reversed < 2; reversed++) {
    GByteArray *b = g_byte_array_new();
    tu_field(b, TU_STRUCT, 3);
    ts_body(b, reversed);
    tu_stop(b);
    td_decoder dec;
    td_decoder_init(&dec);
    decoded d;
    DECODE_OK(&dec, b, &d);
    assert_false(d.ck.has_header);
    assert_false(d.ck.has_process);
    assert_true(d.ck.has_task);
    check_ts(&d.ck.task);
    decoded_free(&d);
    td_decoder_clear(&dec);
    g_byte_array_unref(b);
  }
}

static void test_runner_header_fields(void **unused) {
  (void)unused;
  for (int shuffled = 0; shuffled < 2; shuffled++) {
    GByteArray *b = g_byte_array_new();
    rh_offsets o;
    tu_field(b, TU_STRUCT, 1);
    rh_body(b, shuffled, &o);
    tu_stop(b);
    td_decoder dec;
    td_decoder_init(&dec);
    decoded d;
    DECODE_OK(&dec, b, &d);
    assert_true(d.ck.has_header);
    assert_false(d.ck.has_process);
    assert_false(d.ck.has_task);
    check_rh(&d.ck.header, d.buf, &o);
    decoded_free(&d);
    td_decoder_clear(&dec);
    g_byte_array_unref(b);
  }
}

static void test_empty_structs(void **unused) {
  (void)unused;
  /* A member is set when it is on the wire, even with no fields. */
  GByteArray *b = g_byte_array_new();
  tu_field(b, TU_STRUCT, 3);
  tu_stop(b);
  tu_field(b, TU_STRUCT, 1);
  tu_stop(b);
  tu_field(b, TU_STRUCT, 2);
  tu_stop(b);
  tu_stop(b);
  td_decoder dec;
  td_decoder_init(&dec);
  decoded d;
  DECODE_OK(&dec, b, &d);
  assert_true(d.ck.has_header && d.ck.has_process && d.ck.has_task);
  assert_int_equal(d.ck.header.present, 0);
  assert_int_equal(d.ck.header.n_ports, 0);
  assert_int_equal(d.ck.process.present, 0);
  assert_int_equal(d.ck.task.present, 0);
  decoded_free(&d);
  td_decoder_clear(&dec);
  g_byte_array_unref(b);
}

static void test_int_extremes(void **unused) {
  (void)unused;
  const int64_t i64s[] = {INT64_MIN, INT64_MAX, -1, 0, 1, 0x0102030405060708};
  const int32_t i32s[] = {INT32_MIN, INT32_MAX, -1, 0, 0x01020304};
  td_decoder dec;
  td_decoder_init(&dec);
  for (size_t i = 0; i < 6; i++) {
    GByteArray *b = g_byte_array_new();
    tu_field(b, TU_STRUCT, 2);
    tu_f_i64(b, 1, i64s[i]);
    tu_stop(b);
    tu_field(b, TU_STRUCT, 3);
    tu_f_i64(b, 2, i64s[i]);
    tu_stop(b);
    tu_field(b, TU_STRUCT, 1);
    tu_f_i64(b, 2, i64s[i]);
    tu_field(b, TU_MAP, 6);
    tu_map_begin(b, TU_STRING, TU_I64, 1);
    tu_str(b, TU_LIT("p"));
    tu_i64(b, i64s[i]);
    tu_stop(b);
    tu_stop(b);
    decoded d;
    DECODE_OK(&dec, b, &d);
    assert_int_equal(d.ck.process.seq, i64s[i]);
    assert_int_equal(d.ck.task.timestamp_ms, i64s[i]);
    assert_int_equal(d.ck.header.launch_time_ms, i64s[i]);
    assert_int_equal(d.ck.header.ports[0].port, i64s[i]);
    decoded_free(&d);
    g_byte_array_unref(b);
  }
  for (size_t i = 0; i < 5; i++) {
    GByteArray *b = g_byte_array_new();
    tu_field(b, TU_STRUCT, 2);
    tu_f_i32(b, 5, i32s[i]);
    tu_f_i32(b, 10, i32s[i]);
    tu_f_i32(b, 7, i32s[i]);
    tu_f_i32(b, 9, i32s[i]);
    tu_stop(b);
    tu_field(b, TU_STRUCT, 3);
    tu_f_i32(b, 1, i32s[i]);
    tu_f_i32(b, 3, i32s[i]);
    tu_f_i32(b, 4, i32s[i]);
    tu_stop(b);
    tu_field(b, TU_STRUCT, 1);
    tu_f_i32(b, 8, i32s[i]);
    tu_stop(b);
    tu_stop(b);
    decoded d;
    DECODE_OK(&dec, b, &d);
    assert_int_equal(d.ck.process.state, i32s[i]);
    assert_int_equal(d.ck.process.coordinator_pid, i32s[i]);
    assert_int_equal(d.ck.process.pid, i32s[i]);
    assert_int_equal(d.ck.process.return_code, i32s[i]);
    assert_int_equal(d.ck.task.state, i32s[i]);
    assert_int_equal(d.ck.task.runner_pid, i32s[i]);
    assert_int_equal(d.ck.task.runner_uid, i32s[i]);
    assert_int_equal(d.ck.header.uid, i32s[i]);
    decoded_free(&d);
    g_byte_array_unref(b);
  }
  td_decoder_clear(&dec);
}

static void test_doubles_exact(void **unused) {
  (void)unused;
  /* Bit patterns, so -0.0 and NaN payloads count. */
  const uint64_t patterns[] = {
      0x3fb999999999999aull, /* 0.1 */
      0x8000000000000000ull, /* -0.0 */
      0x7ff0000000000000ull, /* inf */
      0xfff0000000000000ull, /* -inf */
      0x7ff8000000000001ull, /* a quiet NaN with a payload */
      0x0000000000000001ull, /* the smallest subnormal */
      0x7fefffffffffffffull, /* DBL_MAX */
      0x0010000000000000ull, /* DBL_MIN */
      0x41d3ecd0b5d2cf43ull, /* about 1337097943.29 */
  };
  td_decoder dec;
  td_decoder_init(&dec);
  for (size_t i = 0; i < sizeof patterns / sizeof patterns[0]; i++) {
    double v;
    memcpy(&v, &patterns[i], sizeof v);
    GByteArray *b = g_byte_array_new();
    tu_field(b, TU_STRUCT, 2);
    tu_f_double(b, 11, v);
    tu_f_double(b, 6, v);
    tu_f_double(b, 8, v);
    tu_stop(b);
    tu_stop(b);
    decoded d;
    DECODE_OK(&dec, b, &d);
    assert_int_equal(d.ck.process.present, THERMOS_PS_FORK_TIME |
                                               THERMOS_PS_START_TIME |
                                               THERMOS_PS_STOP_TIME);
    assert_int_equal(tu_bits(d.ck.process.fork_time), patterns[i]);
    assert_int_equal(tu_bits(d.ck.process.start_time), patterns[i]);
    assert_int_equal(tu_bits(d.ck.process.stop_time), patterns[i]);
    decoded_free(&d);
    g_byte_array_unref(b);
  }
  td_decoder_clear(&dec);
}

static void test_strings_are_bytes(void **unused) {
  (void)unused;
  /* NUL, ill-formed UTF-8, empty and large strings, all pointing into the
   * record. */
  static const struct {
    const char *s;
    size_t n;
  } cases[] = {{TU_LIT("")},
               {TU_LIT("\0")},
               {TU_LIT("a\0b\0")},
               {TU_LIT("\xff\xfe\xc0\x80")},
               {TU_LIT("\xed\xa0\x80")},
               {TU_LIT("caf\xc3\xa9")}};
  td_decoder dec;
  td_decoder_init(&dec);
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    GByteArray *b = g_byte_array_new();
    tu_field(b, TU_STRUCT, 2);
    size_t off = str_field(b, 3, cases[i].s, cases[i].n);
    tu_stop(b);
    tu_stop(b);
    decoded d;
    DECODE_OK(&dec, b, &d);
    assert_int_equal(d.ck.process.present, THERMOS_PS_PROCESS);
    assert_true(tu_str_is(d.ck.process.process, cases[i].s, cases[i].n));
    if (cases[i].n)
      assert_ptr_equal(d.ck.process.process.data, d.buf + off);
    decoded_free(&d);
    g_byte_array_unref(b);
  }
  /* 1 MiB of every byte value. */
  size_t big = 1 << 20;
  char *s = g_malloc(big);
  for (size_t i = 0; i < big; i++)
    s[i] = (char)(i * 7);
  GByteArray *b = g_byte_array_new();
  tu_field(b, TU_STRUCT, 1);
  size_t off = str_field(b, 4, s, big);
  tu_stop(b);
  tu_stop(b);
  decoded d;
  DECODE_OK(&dec, b, &d);
  assert_true(tu_str_is(d.ck.header.hostname, s, big));
  assert_ptr_equal(d.ck.header.hostname.data, d.buf + off);
  decoded_free(&d);
  g_byte_array_unref(b);
  g_free(s);
  td_decoder_clear(&dec);
}

static void test_members_any_order(void **unused) {
  (void)unused;
  GByteArray *b = g_byte_array_new();
  rh_offsets o;
  tu_field(b, TU_STRUCT, 3);
  ts_body(b, 1);
  tu_field(b, TU_STRUCT, 1);
  rh_body(b, 1, &o);
  tu_field(b, TU_STRUCT, 2);
  size_t off = ps_body(b, 1);
  tu_stop(b);
  td_decoder dec;
  td_decoder_init(&dec);
  decoded d;
  DECODE_OK(&dec, b, &d);
  assert_true(d.ck.has_header && d.ck.has_process && d.ck.has_task);
  check_rh(&d.ck.header, d.buf, &o);
  check_ps(&d.ck.process, d.buf, off);
  check_ts(&d.ck.task);
  decoded_free(&d);
  td_decoder_clear(&dec);
  g_byte_array_unref(b);
}

static void test_two_members(void **unused) {
  (void)unused;
  GByteArray *b = g_byte_array_new();
  rh_offsets o;
  tu_field(b, TU_STRUCT, 1);
  rh_body(b, 0, &o);
  tu_field(b, TU_STRUCT, 2);
  size_t off = ps_body(b, 0);
  tu_stop(b);
  td_decoder dec;
  td_decoder_init(&dec);
  decoded d;
  DECODE_OK(&dec, b, &d);
  assert_true(d.ck.has_header);
  assert_true(d.ck.has_process);
  assert_false(d.ck.has_task);
  check_rh(&d.ck.header, d.buf, &o);
  check_ps(&d.ck.process, d.buf, off);
  decoded_free(&d);
  td_decoder_clear(&dec);
  g_byte_array_unref(b);
}

static void test_empty_union(void **unused) {
  (void)unused;
  GByteArray *b = g_byte_array_new();
  tu_stop(b);
  td_decoder dec;
  td_decoder_init(&dec);
  decoded d;
  DECODE_OK(&dec, b, &d);
  assert_false(d.ck.has_header || d.ck.has_process || d.ck.has_task);
  decoded_free(&d);
  /* Unknown members only: still empty. */
  g_byte_array_set_size(b, 0);
  tu_f_i32(b, 4, 1);
  tu_field(b, TU_STRUCT, 9);
  tu_f_i32(b, 1, 1);
  tu_stop(b);
  tu_stop(b);
  DECODE_OK(&dec, b, &d);
  assert_false(d.ck.has_header || d.ck.has_process || d.ck.has_task);
  decoded_free(&d);
  td_decoder_clear(&dec);
  g_byte_array_unref(b);
}

static void test_trailing_bytes(void **unused) {
  (void)unused;
  /* Bytes after the union's STOP are not looked at, even invalid ones. */
  GByteArray *b = g_byte_array_new();
  tu_field(b, TU_STRUCT, 3);
  ts_body(b, 0);
  tu_stop(b);
  const uint8_t junk[] = {0xff, 0x05, 0x0f, 0x7f, 0xff, 0xff, 0xff, 0x00};
  tu_bytes(b, junk, sizeof junk);
  td_decoder dec;
  td_decoder_init(&dec);
  decoded d;
  DECODE_OK(&dec, b, &d);
  assert_true(d.ck.has_task);
  check_ts(&d.ck.task);
  decoded_free(&d);
  td_decoder_clear(&dec);
  g_byte_array_unref(b);
}

/* ---- what the reader skips ---------------------------------------------- */

/* One unknown field of each wire type, containers nested, under `id`s
 * starting at `base`. */
static void unknown_fields(GByteArray *b, int16_t base) {
  tu_field(b, TU_BOOL, base);
  tu_u8(b, 1);
  tu_field(b, TU_BYTE, (int16_t)(base + 1));
  tu_u8(b, 0xff);
  tu_f_double(b, (int16_t)(base + 2), 2.5);
  tu_field(b, TU_I16, (int16_t)(base + 3));
  tu_i16(b, -2);
  tu_f_i32(b, (int16_t)(base + 4), 7);
  tu_f_i64(b, (int16_t)(base + 5), -7);
  tu_f_str(b, (int16_t)(base + 6), TU_LIT("\x00\x0b\x0c"));
  /* A struct holding a known-looking id, a list and a struct. */
  tu_field(b, TU_STRUCT, (int16_t)(base + 7));
  tu_f_i32(b, 1, 1);
  tu_field(b, TU_LIST, 2);
  tu_list_begin(b, TU_I64, 2);
  tu_i64(b, 1);
  tu_i64(b, 2);
  tu_field(b, TU_STRUCT, 3);
  tu_f_str(b, 1, TU_LIT("deep"));
  tu_stop(b);
  tu_stop(b);
  /* map<string, list<struct>> */
  tu_field(b, TU_MAP, (int16_t)(base + 8));
  tu_map_begin(b, TU_STRING, TU_LIST, 2);
  tu_str(b, TU_LIT("a"));
  tu_list_begin(b, TU_STRUCT, 1);
  tu_f_i32(b, 1, 1);
  tu_stop(b);
  tu_str(b, TU_LIT("b"));
  tu_list_begin(b, TU_STRUCT, 0);
  /* set<i32> */
  tu_field(b, TU_SET, (int16_t)(base + 9));
  tu_list_begin(b, TU_I32, 3);
  tu_i32(b, 1);
  tu_i32(b, 2);
  tu_i32(b, 3);
  /* list<list<string>> */
  tu_field(b, TU_LIST, (int16_t)(base + 10));
  tu_list_begin(b, TU_LIST, 2);
  tu_list_begin(b, TU_STRING, 1);
  tu_str(b, TU_LIT("x"));
  tu_list_begin(b, TU_STRING, 0);
  /* map<i32, map<bool, double>>, list<bool>, set<byte>, list<i16> */
  tu_field(b, TU_MAP, (int16_t)(base + 11));
  tu_map_begin(b, TU_I32, TU_MAP, 1);
  tu_i32(b, 9);
  tu_map_begin(b, TU_BOOL, TU_DOUBLE, 1);
  tu_u8(b, 0);
  tu_double(b, -1.0);
  tu_field(b, TU_LIST, (int16_t)(base + 12));
  tu_list_begin(b, TU_BOOL, 2);
  tu_u8(b, 1);
  tu_u8(b, 0);
  tu_field(b, TU_SET, (int16_t)(base + 13));
  tu_list_begin(b, TU_BYTE, 1);
  tu_u8(b, 3);
  tu_field(b, TU_LIST, (int16_t)(base + 14));
  tu_list_begin(b, TU_I16, 1);
  tu_i16(b, 3);
  /* Empty map and list, and ids at the extremes of i16. */
  tu_field(b, TU_MAP, (int16_t)(base + 15));
  tu_map_begin(b, TU_STRING, TU_STRING, 0);
  tu_field(b, TU_LIST, (int16_t)(base + 16));
  tu_list_begin(b, TU_STRUCT, 0);
  tu_f_i32(b, -1, 1);
  tu_f_i32(b, 0, 1);
  tu_f_i32(b, INT16_MAX, 1);
  tu_f_i32(b, INT16_MIN, 1);
}

static void test_unknown_fields_skipped(void **unused) {
  (void)unused;
  GByteArray *b = g_byte_array_new();
  rh_offsets o;
  unknown_fields(b, 100);
  tu_field(b, TU_STRUCT, 1);
  unknown_fields(b, 200);
  /* The header's body without its STOP, then more unknown fields. */
  rh_body(b, 0, &o);
  g_byte_array_set_size(b, b->len - 1);
  unknown_fields(b, 300);
  tu_stop(b);
  unknown_fields(b, 400);
  tu_field(b, TU_STRUCT, 2);
  unknown_fields(b, 20);
  size_t off = ps_body(b, 0);
  g_byte_array_set_size(b, b->len - 1);
  unknown_fields(b, 500);
  tu_stop(b);
  tu_field(b, TU_STRUCT, 3);
  unknown_fields(b, 600);
  ts_body(b, 0);
  unknown_fields(b, 700);
  tu_stop(b);
  td_decoder dec;
  td_decoder_init(&dec);
  decoded d;
  DECODE_OK(&dec, b, &d);
  assert_true(d.ck.has_header && d.ck.has_process && d.ck.has_task);
  check_rh(&d.ck.header, d.buf, &o);
  check_ps(&d.ck.process, d.buf, off);
  check_ts(&d.ck.task);
  decoded_free(&d);
  td_decoder_clear(&dec);
  g_byte_array_unref(b);
}

/* A value of `type` that is not the field's own, well formed. */
static void other_value(GByteArray *b, uint8_t type, int16_t id) {
  tu_field(b, type, id);
  switch (type) {
  case TU_BOOL:
  case TU_BYTE:
    tu_u8(b, 1);
    break;
  case TU_I16:
    tu_i16(b, 1);
    break;
  case TU_I32:
    tu_i32(b, 77);
    break;
  case TU_I64:
  case TU_DOUBLE:
    tu_i64(b, 77);
    break;
  case TU_STRING:
    tu_str(b, TU_LIT("seventy-seven"));
    break;
  case TU_STRUCT:
    tu_f_i32(b, 1, 77);
    tu_stop(b);
    break;
  case TU_MAP:
    tu_map_begin(b, TU_STRING, TU_I64, 1);
    tu_str(b, TU_LIT("k"));
    tu_i64(b, 77);
    break;
  default: /* list, set */
    tu_list_begin(b, TU_I32, 1);
    tu_i32(b, 77);
    break;
  }
}

static void test_wrong_wire_type_skipped(void **unused) {
  (void)unused;
  static const uint8_t types[] = {TU_BOOL, TU_BYTE, TU_DOUBLE, TU_I16,
                                  TU_I32,  TU_I64,  TU_STRING, TU_STRUCT,
                                  TU_MAP,  TU_SET,  TU_LIST};
  /* Each known field: its id, its type, and its presence bit. */
  static const struct {
    int16_t member, id;
    uint8_t type;
    uint32_t bit;
  } fields[] = {
      {2, 1, TU_I64, THERMOS_PS_SEQ},
      {2, 3, TU_STRING, THERMOS_PS_PROCESS},
      {2, 5, TU_I32, THERMOS_PS_STATE},
      {2, 10, TU_I32, THERMOS_PS_COORDINATOR_PID},
      {2, 11, TU_DOUBLE, THERMOS_PS_FORK_TIME},
      {2, 6, TU_DOUBLE, THERMOS_PS_START_TIME},
      {2, 7, TU_I32, THERMOS_PS_PID},
      {2, 8, TU_DOUBLE, THERMOS_PS_STOP_TIME},
      {2, 9, TU_I32, THERMOS_PS_RETURN_CODE},
      {3, 1, TU_I32, THERMOS_TS_STATE},
      {3, 2, TU_I64, THERMOS_TS_TIMESTAMP_MS},
      {3, 3, TU_I32, THERMOS_TS_RUNNER_PID},
      {3, 4, TU_I32, THERMOS_TS_RUNNER_UID},
      {1, 1, TU_STRING, THERMOS_RH_TASK_ID},
      {1, 2, TU_I64, THERMOS_RH_LAUNCH_TIME_MS},
      {1, 3, TU_STRING, THERMOS_RH_SANDBOX},
      {1, 7, TU_STRING, THERMOS_RH_LOG_DIR},
      {1, 4, TU_STRING, THERMOS_RH_HOSTNAME},
      {1, 5, TU_STRING, THERMOS_RH_USER},
      {1, 8, TU_I32, THERMOS_RH_UID},
      {1, 6, TU_MAP, THERMOS_RH_PORTS},
  };
  td_decoder dec;
  td_decoder_init(&dec);
  for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++) {
    for (size_t t = 0; t < sizeof types; t++) {
      if (types[t] == fields[f].type)
        continue;
      /* The wrong-typed field between a complete struct's fields: all the
       * others still decode, this one is unset. */
      GByteArray *b = g_byte_array_new();
      rh_offsets o;
      tu_field(b, TU_STRUCT, fields[f].member);
      other_value(b, types[t], fields[f].id);
      switch (fields[f].member) {
      case 1:
        rh_body(b, 0, &o);
        break;
      case 2:
        ps_body(b, 0);
        break;
      default:
        ts_body(b, 0);
        break;
      }
      /* Again after the right one: it must not clear the right value. */
      g_byte_array_set_size(b, b->len - 1);
      other_value(b, types[t], fields[f].id);
      tu_stop(b);
      tu_stop(b);
      decoded d;
      DECODE_OK(&dec, b, &d);
      uint32_t present = fields[f].member == 1   ? d.ck.header.present
                         : fields[f].member == 2 ? d.ck.process.present
                                                 : d.ck.task.present;
      uint32_t all = fields[f].member == 1   ? RH_ALL
                     : fields[f].member == 2 ? PS_ALL
                                             : TS_ALL;
      if (present != all)
        fail_msg("member %d field %d as type %d: present %#x, expected %#x",
                 fields[f].member, fields[f].id, types[t], present, all);
      decoded_free(&d);
      g_byte_array_unref(b);

      /* Alone: the field stays unset. */
      b = g_byte_array_new();
      tu_field(b, TU_STRUCT, fields[f].member);
      other_value(b, types[t], fields[f].id);
      tu_stop(b);
      tu_stop(b);
      DECODE_OK(&dec, b, &d);
      present = fields[f].member == 1   ? d.ck.header.present
                : fields[f].member == 2 ? d.ck.process.present
                                        : d.ck.task.present;
      if (present != 0)
        fail_msg("member %d field %d as type %d: present %#x, expected 0",
                 fields[f].member, fields[f].id, types[t], present);
      decoded_free(&d);
      g_byte_array_unref(b);
    }
  }
  td_decoder_clear(&dec);
}

static void test_wrong_type_members(void **unused) {
  (void)unused;
  /* Union members 1-3 with a type other than STRUCT are skipped too. */
  static const uint8_t types[] = {TU_BOOL, TU_BYTE, TU_DOUBLE, TU_I16,
                                  TU_I32,  TU_I64,  TU_STRING, TU_MAP,
                                  TU_SET,  TU_LIST};
  td_decoder dec;
  td_decoder_init(&dec);
  for (size_t t = 0; t < sizeof types; t++) {
    GByteArray *b = g_byte_array_new();
    for (int16_t id = 1; id <= 3; id++)
      other_value(b, types[t], id);
    tu_stop(b);
    decoded d;
    DECODE_OK(&dec, b, &d);
    assert_false(d.ck.has_header || d.ck.has_process || d.ck.has_task);
    decoded_free(&d);
    g_byte_array_unref(b);
  }
  td_decoder_clear(&dec);
}

static void test_ports_wrong_element_types(void **unused) {
  (void)unused;
  /* Deliberate difference 5: a ports map of other types is skipped whole,
   * and the fields around it still decode. */
  td_decoder dec;
  td_decoder_init(&dec);
  for (int variant = 0; variant < 6; variant++) {
    GByteArray *b = g_byte_array_new();
    tu_field(b, TU_STRUCT, 1);
    tu_f_str(b, 1, TU_LIT("before"));
    tu_field(b, TU_MAP, 6);
    switch (variant) {
    case 0: /* map<i32, i64> */
      tu_map_begin(b, TU_I32, TU_I64, 2);
      tu_i32(b, 1);
      tu_i64(b, 2);
      tu_i32(b, 3);
      tu_i64(b, 4);
      break;
    case 1: /* map<string, i32> */
      tu_map_begin(b, TU_STRING, TU_I32, 1);
      tu_str(b, TU_LIT("http"));
      tu_i32(b, 80);
      break;
    case 2: /* map<string, list<i64>> */
      tu_map_begin(b, TU_STRING, TU_LIST, 1);
      tu_str(b, TU_LIT("http"));
      tu_list_begin(b, TU_I64, 2);
      tu_i64(b, 80);
      tu_i64(b, 81);
      break;
    case 3: /* map<i64, string>: the types swapped */
      tu_map_begin(b, TU_I64, TU_STRING, 1);
      tu_i64(b, 80);
      tu_str(b, TU_LIT("http"));
      break;
    case 4: /* map<string, struct> */
      tu_map_begin(b, TU_STRING, TU_STRUCT, 1);
      tu_str(b, TU_LIT("http"));
      tu_f_i64(b, 1, 80);
      tu_stop(b);
      break;
    default: /* empty, of other types */
      tu_map_begin(b, TU_I32, TU_I32, 0);
      break;
    }
    tu_f_str(b, 5, TU_LIT("after"));
    tu_stop(b);
    tu_stop(b);
    decoded d;
    DECODE_OK(&dec, b, &d);
    if (d.ck.header.present != (THERMOS_RH_TASK_ID | THERMOS_RH_USER))
      fail_msg("variant %d: present %#x", variant, d.ck.header.present);
    assert_true(tu_str_is(d.ck.header.task_id, TU_LIT("before")));
    assert_true(tu_str_is(d.ck.header.user, TU_LIT("after")));
    decoded_free(&d);
    g_byte_array_unref(b);
  }
  td_decoder_clear(&dec);
}

static void test_ports_empty(void **unused) {
  (void)unused;
  GByteArray *b = g_byte_array_new();
  tu_field(b, TU_STRUCT, 1);
  tu_field(b, TU_MAP, 6);
  tu_map_begin(b, TU_STRING, TU_I64, 0);
  tu_stop(b);
  tu_stop(b);
  td_decoder dec;
  td_decoder_init(&dec);
  decoded d;
  DECODE_OK(&dec, b, &d);
  assert_int_equal(d.ck.header.present, THERMOS_RH_PORTS);
  assert_int_equal(d.ck.header.n_ports, 0);
  decoded_free(&d);
  td_decoder_clear(&dec);
  g_byte_array_unref(b);
}

static void test_ports_duplicates(void **unused) {
  (void)unused;
  td_decoder dec;
  td_decoder_init(&dec);
  /* A few entries, then enough to take any large-map path. */
  const int sizes[] = {4, 40, 1000};
  for (size_t s = 0; s < 3; s++) {
    int n = sizes[s];
    int unique = n / 2;
    GByteArray *b = g_byte_array_new();
    tu_field(b, TU_STRUCT, 1);
    tu_field(b, TU_MAP, 6);
    tu_map_begin(b, TU_STRING, TU_I64, n);
    /* Names p0..p(unique-1), each twice; the second one carries the value
     * that must win.  A NUL inside the name keeps "p1\0" and "p1" apart. */
    for (int i = 0; i < n; i++) {
      char name[32];
      int len = g_snprintf(name, sizeof name, "p%d", i % unique);
      if (i % unique == 1)
        name[len++] = '\0';
      tu_str(b, name, (size_t)len);
      tu_i64(b, i);
    }
    tu_stop(b);
    tu_stop(b);
    decoded d;
    DECODE_OK(&dec, b, &d);
    const thermos_runner_header *h = &d.ck.header;
    assert_int_equal(h->present, THERMOS_RH_PORTS);
    assert_int_equal(h->n_ports, (size_t)unique);
    for (int u = 0; u < unique; u++) {
      char name[32];
      int len = g_snprintf(name, sizeof name, "p%d", u);
      if (u == 1)
        name[len++] = '\0';
      size_t at = port_at(h, name, (size_t)len);
      assert_int_equal(h->ports[at].port, u + unique);
    }
    decoded_free(&d);
    g_byte_array_unref(b);
  }
  /* Names differing only in bytes after a NUL or in ill-formed bytes. */
  GByteArray *b = g_byte_array_new();
  tu_field(b, TU_STRUCT, 1);
  tu_field(b, TU_MAP, 6);
  tu_map_begin(b, TU_STRING, TU_I64, 5);
  tu_str(b, TU_LIT("a"));
  tu_i64(b, 1);
  tu_str(b, TU_LIT("a\0"));
  tu_i64(b, 2);
  tu_str(b, TU_LIT("\xff"));
  tu_i64(b, 3);
  tu_str(b, TU_LIT("\xfe"));
  tu_i64(b, 4);
  tu_str(b, TU_LIT("a"));
  tu_i64(b, 5);
  tu_stop(b);
  tu_stop(b);
  decoded d;
  DECODE_OK(&dec, b, &d);
  assert_int_equal(d.ck.header.n_ports, 4);
  assert_int_equal(d.ck.header.ports[port_at(&d.ck.header, TU_LIT("a"))].port,
                   5);
  assert_int_equal(d.ck.header.ports[port_at(&d.ck.header, TU_LIT("a\0"))].port,
                   2);
  assert_int_equal(
      d.ck.header.ports[port_at(&d.ck.header, TU_LIT("\xff"))].port, 3);
  assert_int_equal(
      d.ck.header.ports[port_at(&d.ck.header, TU_LIT("\xfe"))].port, 4);
  decoded_free(&d);
  g_byte_array_unref(b);
  td_decoder_clear(&dec);
}

/* ---- what is an error --------------------------------------------------- */

static void test_missing_stop(void **unused) {
  (void)unused;
  GByteArray *b = g_byte_array_new();
  expect_undecodable(b, "empty record"); /* not even the union's STOP */
  tu_field(b, TU_STRUCT, 2);
  tu_f_i64(b, 1, 1);
  expect_undecodable(b, "member without STOP");
  tu_stop(b);
  expect_undecodable(b, "union without STOP");
  tu_f_i32(b, 99, 1);
  expect_undecodable(b, "union ending after an unknown field");
  tu_stop(b);
  expect_decodable(b, "complete");
  g_byte_array_set_size(b, 0);
  tu_field(b, TU_STRUCT, 99);
  tu_f_i32(b, 1, 1);
  expect_undecodable(b, "unknown struct without STOP");
  g_byte_array_unref(b);
}

static void test_bad_string_lengths(void **unused) {
  (void)unused;
  const int32_t lens[] = {-1, INT32_MIN, 5, 1000, INT32_MAX};
  for (size_t i = 0; i < 5; i++) {
    /* As a known field, an unknown field and a port name; 4 bytes follow
     * the length ("ab" and two STOPs), so 5 and more run past the end. */
    for (int where = 0; where < 3; where++) {
      GByteArray *b = g_byte_array_new();
      if (where == 2) {
        tu_field(b, TU_STRUCT, 1);
        tu_field(b, TU_MAP, 6);
        tu_map_begin(b, TU_STRING, TU_I64, 1);
      } else {
        tu_field(b, TU_STRUCT, 2);
        tu_field(b, TU_STRING, where == 0 ? 3 : 99);
      }
      tu_i32(b, lens[i]);
      tu_bytes(b, "ab", 2);
      tu_stop(b);
      tu_stop(b);
      expect_undecodable(b, "bad string length");
      g_byte_array_unref(b);
    }
  }
}

static void test_negative_counts(void **unused) {
  (void)unused;
  const int32_t counts[] = {-1, INT32_MIN};
  for (size_t i = 0; i < 2; i++) {
    for (int kind = 0; kind < 4; kind++) {
      GByteArray *b = g_byte_array_new();
      tu_field(b, TU_STRUCT, 1);
      switch (kind) {
      case 0:
        tu_field(b, TU_LIST, 99);
        tu_list_begin(b, TU_I32, counts[i]);
        break;
      case 1:
        tu_field(b, TU_SET, 99);
        tu_list_begin(b, TU_STRUCT, counts[i]);
        break;
      case 2:
        tu_field(b, TU_MAP, 99);
        tu_map_begin(b, TU_STRING, TU_I64, counts[i]);
        break;
      default: /* the ports map itself */
        tu_field(b, TU_MAP, 6);
        tu_map_begin(b, TU_STRING, TU_I64, counts[i]);
        break;
      }
      tu_stop(b);
      tu_stop(b);
      expect_undecodable(b, "negative count");
      g_byte_array_unref(b);
    }
  }
}

static void test_huge_counts_fail_fast(void **unused) {
  (void)unused;
  /* Counts far beyond what the bytes could hold must fail at once: a
   * decoder that loops over 2^31 elements, or sizes an array by the count,
   * never finishes this test (or is killed by the sanitizer's allocator). */
  static const struct {
    uint8_t field_type, k, v;
    int16_t member, id;
  } cases[] = {
      {TU_LIST, TU_STRUCT, 0, 2, 99},    {TU_LIST, TU_BOOL, 0, 2, 99},
      {TU_SET, TU_I64, 0, 0, 99},        {TU_LIST, TU_LIST, 0, 0, 99},
      {TU_LIST, TU_STRING, 0, 3, 99},    {TU_MAP, TU_STRING, TU_STRING, 2, 99},
      {TU_MAP, TU_BYTE, TU_BOOL, 0, 99}, {TU_MAP, TU_STRING, TU_I64, 1, 6},
      {TU_MAP, TU_I32, TU_I32, 1, 6},
  };
  const int32_t counts[] = {INT32_MAX, 0x10000000, 1000};
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    for (size_t n = 0; n < 3; n++) {
      GByteArray *b = g_byte_array_new();
      if (cases[c].member)
        tu_field(b, TU_STRUCT, cases[c].member);
      tu_field(b, cases[c].field_type, cases[c].id);
      if (cases[c].field_type == TU_MAP)
        tu_map_begin(b, cases[c].k, cases[c].v, counts[n]);
      else
        tu_list_begin(b, cases[c].k, counts[n]);
      /* A few bytes of plausible elements: zeros are STOPs, empty strings,
       * false... */
      const uint8_t zeros[10] = {0};
      tu_bytes(b, zeros, sizeof zeros);
      td_decoder dec;
      td_decoder_init(&dec);
      decoded d;
      DECODE_ERR(&dec, b, &d);
      /* Memory stays bounded by the record's size. */
      assert_true(dec.ports_cap * sizeof(thermos_port) <= 4096 + 8 * d.len);
      decoded_free(&d);
      td_decoder_clear(&dec);
      g_byte_array_unref(b);
    }
  }
}

static void test_unknown_type_bytes(void **unused) {
  (void)unused;
  const uint8_t bad[] = {1, 5, 7, 9, 16, 17, 100, 255};
  for (size_t i = 0; i < sizeof bad; i++) {
    for (int where = 0; where < 7; where++) {
      GByteArray *b = g_byte_array_new();
      switch (where) {
      case 0: /* a union field */
        tu_field(b, bad[i], 1);
        break;
      case 1: /* a struct field, known id */
        tu_field(b, TU_STRUCT, 2);
        tu_field(b, bad[i], 1);
        break;
      case 2: /* a struct field, unknown id */
        tu_field(b, TU_STRUCT, 3);
        tu_field(b, bad[i], 99);
        break;
      case 3: /* a list's element type */
        tu_field(b, TU_LIST, 99);
        tu_list_begin(b, bad[i], 1);
        break;
      case 4: /* a map's key type */
        tu_field(b, TU_MAP, 99);
        tu_map_begin(b, bad[i], TU_I32, 1);
        break;
      case 5: /* a map's value type */
        tu_field(b, TU_MAP, 99);
        tu_map_begin(b, TU_I32, bad[i], 1);
        break;
      default: /* the ports map's value type */
        tu_field(b, TU_STRUCT, 1);
        tu_field(b, TU_MAP, 6);
        tu_map_begin(b, TU_STRING, bad[i], 1);
        break;
      }
      /* Enough zeros that no length runs out first. */
      const uint8_t zeros[16] = {0};
      tu_bytes(b, zeros, sizeof zeros);
      char what[64];
      g_snprintf(what, sizeof what, "type %u at %d", (unsigned)bad[i], where);
      expect_undecodable(b, what);
      g_byte_array_unref(b);
    }
  }
}

/* ---- nesting ------------------------------------------------------------ */

/*
 * Depth as the decoder counts it (decoder.c): the union is level 1 and each
 * struct or container inside adds one; a level above TD_MAX_NESTING (64) is
 * an error.  So an unknown union field holding k nested lists reaches level
 * k + 1, and inside a member struct, k + 2.
 */
enum { NEST_LIST, NEST_SET, NEST_MAP, NEST_STRUCT, NEST_MIXED };

/* The wire type of nesting level `level` (1 = outermost) for `kind`; mixed
 * cycles list, map, struct. */
static uint8_t level_type(int kind, int level) {
  static const uint8_t pure[] = {TU_LIST, TU_SET, TU_MAP, TU_STRUCT};
  static const uint8_t mixed[] = {TU_LIST, TU_MAP, TU_STRUCT};
  return kind == NEST_MIXED ? mixed[(level - 1) % 3] : pure[kind];
}

/* `k` nested containers of `kind` as the value of an unknown field 99 of the
 * union (or, with in_member, of a ProcessStatus).  Each level holds exactly
 * the next one; the innermost is empty. */
static GByteArray *nested(int kind, int k, int in_member) {
  GByteArray *b = g_byte_array_new();
  if (in_member)
    tu_field(b, TU_STRUCT, 2);
  tu_field(b, level_type(kind, 1), 99);
  for (int level = 1; level <= k; level++) {
    int last = level == k;
    uint8_t next = last ? TU_I32 : level_type(kind, level + 1);
    switch (level_type(kind, level)) {
    case TU_LIST:
    case TU_SET:
      tu_list_begin(b, next, last ? 0 : 1);
      break;
    case TU_MAP:
      tu_map_begin(b, TU_I32, next, last ? 0 : 1);
      if (!last)
        tu_i32(b, level); /* the key; the value is the next level */
      break;
    default: /* a struct: its one field is the next level */
      if (!last)
        tu_field(b, next, 1);
      break;
    }
  }
  /* Lists and maps end with their element; structs need their STOP,
   * innermost first. */
  for (int level = k; level >= 1; level--)
    if (level_type(kind, level) == TU_STRUCT)
      tu_stop(b);
  if (in_member)
    tu_stop(b);
  tu_stop(b);
  return b;
}

static void test_nesting_limit(void **unused) {
  (void)unused;
  const char *const names[] = {"lists", "sets", "maps", "structs"};
  for (int kind = NEST_LIST; kind <= NEST_STRUCT; kind++) {
    for (int in_member = 0; in_member < 2; in_member++) {
      /* The deepest accepted: level 64. */
      int ok = TD_MAX_NESTING - 1 - in_member;
      char what[96];
      GByteArray *b = nested(kind, ok, in_member);
      g_snprintf(what, sizeof what, "%d %s%s", ok, names[kind],
                 in_member ? " in a member" : "");
      expect_decodable(b, what);
      g_byte_array_unref(b);
      b = nested(kind, ok + 1, in_member);
      g_snprintf(what, sizeof what, "%d %s%s", ok + 1, names[kind],
                 in_member ? " in a member" : "");
      expect_undecodable(b, what);
      g_byte_array_unref(b);
      /* Whatever the exact count, far inside and far beyond it. */
      b = nested(kind, 60 - in_member, in_member);
      expect_decodable(b, "60 levels");
      g_byte_array_unref(b);
      b = nested(kind, 100, in_member);
      expect_undecodable(b, "100 levels");
      g_byte_array_unref(b);
    }
  }
}

static void test_nesting_mixed(void **unused) {
  (void)unused;
  /* list -> map -> struct -> list ...: every kind counts the same. */
  GByteArray *b = nested(NEST_MIXED, TD_MAX_NESTING - 1, 0);
  expect_decodable(b, "mixed at the limit");
  g_byte_array_unref(b);
  b = nested(NEST_MIXED, TD_MAX_NESTING, 0);
  expect_undecodable(b, "mixed past the limit");
  g_byte_array_unref(b);
}

static void test_endless_nesting(void **unused) {
  (void)unused;
  /* Far more levels than a stack would survive if each cost a frame. */
  for (int kind = NEST_LIST; kind <= NEST_STRUCT; kind++) {
    GByteArray *b = nested(kind, 10000, kind & 1);
    expect_undecodable(b, "10000 levels");
    g_byte_array_unref(b);
  }
  /* And a megabyte of list headers with no end at all. */
  GByteArray *b = g_byte_array_new();
  tu_field(b, TU_LIST, 99);
  while (b->len < (1u << 20))
    tu_list_begin(b, TU_LIST, 1);
  expect_undecodable(b, "endless lists");
  g_byte_array_unref(b);
}

/* ---- torn and random input ---------------------------------------------- */

static void test_truncated_prefixes(void **unused) {
  (void)unused;
  /* Every proper prefix of a valid record ends before the union's STOP, so
   * every one is an error; none may read past its end. */
  GByteArray *b = full_record();
  expect_decodable(b, "the whole record");
  td_decoder dec;
  td_decoder_init(&dec);
  for (size_t n = 0; n < b->len; n++) {
    uint8_t *p = exact_copy(b->data, n);
    td_ckpt ck;
    td_err detail;
    td_err_clear(&detail);
    int rc = td_decode_ckpt(&dec, p, n, &ck, &detail);
    if (rc != -1 || detail.msg[0] == '\0')
      fail_msg("prefix of %zu of %u bytes: rc %d, detail '%s'", n, b->len, rc,
               detail.msg);
    free(p);
  }
  td_decoder_clear(&dec);
  g_byte_array_unref(b);
}

/* xorshift64*: a fixed seed makes a failure reproducible. */
static uint64_t rng_next(uint64_t *s) {
  *s ^= *s >> 12;
  *s ^= *s << 25;
  *s ^= *s >> 27;
  return *s * 0x2545f4914f6cdd1dull;
}

/* A successful decode may only point inside the record. */
static void check_within(const td_ckpt *ck, const uint8_t *buf, size_t len) {
  const thermos_str *strs[6];
  size_t n = 0;
  if (ck->has_process && (ck->process.present & THERMOS_PS_PROCESS))
    strs[n++] = &ck->process.process;
  if (ck->has_header) {
    const thermos_runner_header *h = &ck->header;
    if (h->present & THERMOS_RH_TASK_ID)
      strs[n++] = &h->task_id;
    if (h->present & THERMOS_RH_SANDBOX)
      strs[n++] = &h->sandbox;
    if (h->present & THERMOS_RH_HOSTNAME)
      strs[n++] = &h->hostname;
    if (h->present & THERMOS_RH_USER)
      strs[n++] = &h->user;
    if (h->present & THERMOS_RH_LOG_DIR)
      strs[n++] = &h->log_dir;
    if (h->present & THERMOS_RH_PORTS) {
      assert_true(h->n_ports * 12 <= len);
      for (size_t i = 0; i < h->n_ports; i++)
        if (h->ports[i].name.len)
          assert_true((const uint8_t *)h->ports[i].name.data >= buf &&
                      (const uint8_t *)h->ports[i].name.data +
                              h->ports[i].name.len <=
                          buf + len);
    }
  }
  for (size_t i = 0; i < n; i++)
    if (strs[i]->len)
      assert_true((const uint8_t *)strs[i]->data >= buf &&
                  (const uint8_t *)strs[i]->data + strs[i]->len <= buf + len);
}

static void fuzz_one(td_decoder *dec, const uint8_t *p, size_t n) {
  uint8_t *copy = exact_copy(p, n);
  td_ckpt ck;
  td_err detail;
  td_err_clear(&detail);
  int rc = td_decode_ckpt(dec, copy, n, &ck, &detail);
  if (rc == 0)
    check_within(&ck, copy, n);
  else if (rc != -1 || detail.msg[0] == '\0')
    fail_msg("rc %d, detail '%s'", rc, detail.msg);
  free(copy);
}

static void test_random_bytes(void **unused) {
  (void)unused;
  /* Bytes drawn half from the type bytes and small lengths, so the decoder
   * gets past the first field often. */
  static const uint8_t likely[] = {0,  1,  2,  3,  4,  6,    8,    10,
                                   11, 12, 13, 14, 15, 0xff, 0x7f, 0x80};
  uint64_t seed = 0x7468726d6f730001ull;
  td_decoder dec;
  td_decoder_init(&dec);
  uint8_t buf[64];
  for (int iter = 0; iter < 100000; iter++) {
    size_t n = rng_next(&seed) % (sizeof buf + 1);
    for (size_t i = 0; i < n; i++) {
      uint64_t r = rng_next(&seed);
      buf[i] = (r & 1) ? likely[(r >> 8) % sizeof likely] : (uint8_t)(r >> 16);
    }
    fuzz_one(&dec, buf, n);
  }
  td_decoder_clear(&dec);
}

static void test_mutated_records(void **unused) {
  (void)unused;
  /* Small corruptions of a valid record reach deep into its structs. */
  GByteArray *b = full_record();
  uint8_t *m = g_malloc(b->len);
  uint64_t seed = 0x6d75746174650002ull;
  td_decoder dec;
  td_decoder_init(&dec);
  for (int iter = 0; iter < 100000; iter++) {
    memcpy(m, b->data, b->len);
    int flips = 1 + (int)(rng_next(&seed) % 4);
    for (int f = 0; f < flips; f++) {
      uint64_t r = rng_next(&seed);
      size_t at = (size_t)(r % b->len);
      switch ((r >> 32) % 4) {
      case 0:
        m[at] = (uint8_t)(r >> 40);
        break;
      case 1:
        m[at] ^= (uint8_t)(1u << ((r >> 40) % 8));
        break;
      case 2:
        m[at] = 0xff;
        break;
      default:
        m[at] = 0;
        break;
      }
    }
    size_t n = b->len;
    if (rng_next(&seed) % 4 == 0)
      n = (size_t)(rng_next(&seed) % (b->len + 1));
    fuzz_one(&dec, m, n);
  }
  td_decoder_clear(&dec);
  g_free(m);
  g_byte_array_unref(b);
}

/* ---- reuse -------------------------------------------------------------- */

static void test_decoder_reuse(void **unused) {
  (void)unused;
  td_decoder dec;
  td_decoder_init(&dec);
  td_ckpt out;
  td_err detail;

  /* A: everything, ports included. */
  GByteArray *a = full_record();
  uint8_t *pa = exact_copy(a->data, a->len);
  assert_int_equal(td_decode_ckpt(&dec, pa, a->len, &out, &detail), 0);
  assert_int_equal(out.header.n_ports, 3);

  /* B, into the same `out`: a header without ports, a bare process, no
   * task.  Nothing of A may show. */
  GByteArray *b = g_byte_array_new();
  tu_field(b, TU_STRUCT, 1);
  tu_f_str(b, 1, TU_LIT("B"));
  tu_stop(b);
  tu_field(b, TU_STRUCT, 2);
  tu_f_i64(b, 1, 9);
  tu_stop(b);
  tu_stop(b);
  uint8_t *pb = exact_copy(b->data, b->len);
  free(pa); /* A's bytes are gone: B must not point into them */
  assert_int_equal(td_decode_ckpt(&dec, pb, b->len, &out, &detail), 0);
  assert_true(out.has_header);
  assert_true(out.has_process);
  assert_false(out.has_task);
  assert_int_equal(out.header.present, THERMOS_RH_TASK_ID);
  assert_int_equal(out.header.n_ports, 0);
  assert_true(tu_str_is(out.header.task_id, TU_LIT("B")));
  assert_int_equal(out.process.present, THERMOS_PS_SEQ);
  assert_int_equal(out.process.seq, 9);

  /* A failed record between two good ones changes nothing that follows. */
  const uint8_t bad[] = {TU_STRUCT, 0,      1, TU_MAP, 0, 6,
                         TU_STRING, TU_I64, 0, 0,      0, 2};
  assert_int_equal(td_decode_ckpt(&dec, bad, sizeof bad, &out, &detail), -1);

  /* C: one port, fewer than A's: exactly that one. */
  GByteArray *c = g_byte_array_new();
  tu_field(c, TU_STRUCT, 1);
  tu_field(c, TU_MAP, 6);
  tu_map_begin(c, TU_STRING, TU_I64, 1);
  tu_str(c, TU_LIT("only"));
  tu_i64(c, 1);
  tu_stop(c);
  tu_stop(c);
  uint8_t *pc = exact_copy(c->data, c->len);
  assert_int_equal(td_decode_ckpt(&dec, pc, c->len, &out, &detail), 0);
  assert_false(out.has_process);
  assert_int_equal(out.header.present, THERMOS_RH_PORTS);
  assert_int_equal(out.header.n_ports, 1);
  assert_true(tu_str_is(out.header.ports[0].name, TU_LIT("only")));
  assert_ptr_equal(out.header.ports[0].name.data, pc + 16);

  /* D: an empty union clears every member flag. */
  const uint8_t empty[] = {0};
  assert_int_equal(td_decode_ckpt(&dec, empty, 1, &out, &detail), 0);
  assert_false(out.has_header || out.has_process || out.has_task);

  free(pb);
  free(pc);
  g_byte_array_unref(a);
  g_byte_array_unref(b);
  g_byte_array_unref(c);
  td_decoder_clear(&dec);
  /* Clearing twice, and clearing a decoder never used, are fine. */
  td_decoder_clear(&dec);
}

static void test_detail_bounded(void **unused) {
  (void)unused;
  GByteArray *b = g_byte_array_new();
  tu_field(b, TU_STRUCT, 2);
  tu_field(b, TU_STRING, 3);
  tu_i32(b, 1000);
  td_decoder dec;
  td_decoder_init(&dec);
  /* The detail stays within its td_err: what follows it is untouched. */
  struct {
    td_err detail;
    char after[64];
  } guarded;
  memset(&guarded, 'Z', sizeof guarded);
  td_ckpt ck;
  assert_int_equal(td_decode_ckpt(&dec, b->data, b->len, &ck, &guarded.detail),
                   -1);
  assert_non_null(memchr(guarded.detail.msg, '\0', TD_ERR_MAX));
  assert_string_equal(guarded.detail.msg,
                      "string of 1000 bytes runs past the end of the record");
  for (size_t i = 0; i < sizeof guarded.after; i++)
    assert_int_equal(guarded.after[i], 'Z');
  td_decoder_clear(&dec);
  g_byte_array_unref(b);
}

static void test_detail_untouched_on_success(void **unused) {
  (void)unused;
  /* The success path writes nothing to the detail (the hot path). */
  GByteArray *b = full_record();
  td_decoder dec;
  td_decoder_init(&dec);
  td_err detail;
  memset(&detail, 'Z', sizeof detail);
  td_ckpt ck;
  assert_int_equal(td_decode_ckpt(&dec, b->data, b->len, &ck, &detail), 0);
  for (size_t i = 0; i < sizeof detail.msg; i++)
    assert_int_equal(detail.msg[i], 'Z');
  td_decoder_clear(&dec);
  g_byte_array_unref(b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_process_status_fields),
      cmocka_unit_test(test_task_status_fields),
      cmocka_unit_test(test_runner_header_fields),
      cmocka_unit_test(test_empty_structs),
      cmocka_unit_test(test_int_extremes),
      cmocka_unit_test(test_doubles_exact),
      cmocka_unit_test(test_strings_are_bytes),
      cmocka_unit_test(test_members_any_order),
      cmocka_unit_test(test_two_members),
      cmocka_unit_test(test_empty_union),
      cmocka_unit_test(test_trailing_bytes),
      cmocka_unit_test(test_unknown_fields_skipped),
      cmocka_unit_test(test_wrong_wire_type_skipped),
      cmocka_unit_test(test_wrong_type_members),
      cmocka_unit_test(test_ports_wrong_element_types),
      cmocka_unit_test(test_ports_empty),
      cmocka_unit_test(test_ports_duplicates),
      cmocka_unit_test(test_missing_stop),
      cmocka_unit_test(test_bad_string_lengths),
      cmocka_unit_test(test_negative_counts),
      cmocka_unit_test(test_huge_counts_fail_fast),
      cmocka_unit_test(test_unknown_type_bytes),
      cmocka_unit_test(test_nesting_limit),
      cmocka_unit_test(test_nesting_mixed),
      cmocka_unit_test(test_endless_nesting),
      cmocka_unit_test(test_truncated_prefixes),
      cmocka_unit_test(test_random_bytes),
      cmocka_unit_test(test_mutated_records),
      cmocka_unit_test(test_decoder_reuse),
      cmocka_unit_test(test_detail_bounded),
      cmocka_unit_test(test_detail_untouched_on_success),
  };
  return cmocka_run_group_tests_name("decoder", tests, NULL, NULL);
}
