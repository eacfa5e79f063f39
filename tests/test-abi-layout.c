/* The handler ABI pinned (handler-abi.md): every member's offset and every
 * struct's size on x86-64 LP64, the enum values, the presence bits and the
 * other constants of <thermos/handler.h>, and the types of the members and
 * callbacks.  The layout is frozen: a plugin built against an older header
 * must keep loading, so a reordered or retyped member must fail here.  A
 * later minor may only append members (and then these tests grow: 1.1
 * appended thermos_host_v1.abi_minor and thermos_handler_v1.min_host_minor).
 * On every platform, the offsets of 1.0's members are also compared with
 * those the frozen 1.0 header gives (tests/abi/layout-1.0.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <thermos/handler.h>

#include "abi/abi-members.h"

typedef struct pin {
  const char *what; /* "struct.member" or "sizeof struct" */
  size_t got;
  size_t want;
} pin;

#define OFF(T, m, n)                                                           \
  { #T "." #m, offsetof(T, m), n }
#define SIZE(T, n)                                                             \
  { "sizeof " #T, sizeof(T), n }

/* Checks every pin of a table and names each one that moved. */
static void check_pins(const pin *pins, size_t n) {
  int bad = 0;
  for (size_t i = 0; i < n; i++)
    if (pins[i].got != pins[i].want) {
      print_error("%s: %zu, pinned at %zu\n", pins[i].what, pins[i].got,
                  pins[i].want);
      bad++;
    }
  assert_int_equal(bad, 0);
}

#define CHECK_PINS(table) check_pins(table, sizeof(table) / sizeof(table[0]))

#if defined(__x86_64__) && defined(__LP64__)
#define LAYOUT_PINNED 1
/* Computed from the header of ABI 1.0 (1.1 for the members labelled
 * `since 1.1`) and written down as numbers. */
static const pin THERMOS_STR_PINS[] = {
    OFF(thermos_str, data, 0),
    OFF(thermos_str, len, 8),
    SIZE(thermos_str, 16),
};
static const pin THERMOS_PROCESS_STATUS_PINS[] = {
    OFF(thermos_process_status, present, 0),
    OFF(thermos_process_status, seq, 8),
    OFF(thermos_process_status, process, 16),
    OFF(thermos_process_status, state, 32),
    OFF(thermos_process_status, coordinator_pid, 36),
    OFF(thermos_process_status, fork_time, 40),
    OFF(thermos_process_status, start_time, 48),
    OFF(thermos_process_status, pid, 56),
    OFF(thermos_process_status, stop_time, 64),
    OFF(thermos_process_status, return_code, 72),
    SIZE(thermos_process_status, 80),
};
static const pin THERMOS_TASK_STATUS_PINS[] = {
    OFF(thermos_task_status, present, 0),
    OFF(thermos_task_status, state, 4),
    OFF(thermos_task_status, timestamp_ms, 8),
    OFF(thermos_task_status, runner_pid, 16),
    OFF(thermos_task_status, runner_uid, 20),
    SIZE(thermos_task_status, 24),
};
static const pin THERMOS_PORT_PINS[] = {
    OFF(thermos_port, name, 0),
    OFF(thermos_port, port, 16),
    SIZE(thermos_port, 24),
};
static const pin THERMOS_RUNNER_HEADER_PINS[] = {
    OFF(thermos_runner_header, present, 0),
    OFF(thermos_runner_header, task_id, 8),
    OFF(thermos_runner_header, sandbox, 24),
    OFF(thermos_runner_header, log_dir, 40),
    OFF(thermos_runner_header, hostname, 56),
    OFF(thermos_runner_header, user, 72),
    OFF(thermos_runner_header, launch_time_ms, 88),
    OFF(thermos_runner_header, uid, 96),
    OFF(thermos_runner_header, n_ports, 104),
    OFF(thermos_runner_header, ports, 112),
    SIZE(thermos_runner_header, 120),
};
static const pin THERMOS_EVENT_PINS[] = {
    OFF(thermos_event, struct_size, 0),
    OFF(thermos_event, source, 8),
    OFF(thermos_event, task_id, 16),
    OFF(thermos_event, record, 32),
    OFF(thermos_event, offset, 40),
    OFF(thermos_event, history, 48),
    OFF(thermos_event, state, 56),
    OFF(thermos_event, stream_ctx, 64), /* since 1.1 */
    SIZE(thermos_event, 72),
};
/* Since 1.1. */
static const pin THERMOS_OPTION_EX_PINS[] = {
    OFF(thermos_option_ex, struct_size, 0),
    OFF(thermos_option_ex, key, 8),
    OFF(thermos_option_ex, type, 16),
    OFF(thermos_option_ex, default_value, 24),
    OFF(thermos_option_ex, help, 32),
    OFF(thermos_option_ex, choices, 40),
    OFF(thermos_option_ex, flags, 48),
    OFF(thermos_option_ex, int_min, 56),
    OFF(thermos_option_ex, int_max, 64),
    OFF(thermos_option_ex, double_min, 72),
    OFF(thermos_option_ex, double_max, 80),
    SIZE(thermos_option_ex, 88),
};
/* Since 1.1. */
static const pin THERMOS_INSTANCE_STATS_PINS[] = {
    OFF(thermos_instance_stats, struct_size, 0),
    OFF(thermos_instance_stats, instance, 8),
    OFF(thermos_instance_stats, module, 16),
    OFF(thermos_instance_stats, events, 24),
    OFF(thermos_instance_stats, callbacks_failed, 32),
    OFF(thermos_instance_stats, disabled, 40),
    OFF(thermos_instance_stats, callbacks, 48),
    OFF(thermos_instance_stats, callback_seconds, 56),
    OFF(thermos_instance_stats, callback_buckets, 64),
    SIZE(thermos_instance_stats, 128),
};
/* Since 1.1. */
static const pin THERMOS_STREAM_STATS_PINS[] = {
    OFF(thermos_stream_stats, struct_size, 0),
    OFF(thermos_stream_stats, source, 8),
    OFF(thermos_stream_stats, task_id, 16),
    OFF(thermos_stream_stats, records, 32),
    OFF(thermos_stream_stats, bytes_read, 40),
    OFF(thermos_stream_stats, bytes_unread, 48),
    SIZE(thermos_stream_stats, 56),
};
static const pin THERMOS_OPTION_PINS[] = {
    OFF(thermos_option, key, 0),
    OFF(thermos_option, type, 8),
    OFF(thermos_option, default_value, 16),
    OFF(thermos_option, help, 24),
    OFF(thermos_option, choices, 32),
    SIZE(thermos_option, 40),
};
static const pin THERMOS_HOST_V1_PINS[] = {
    OFF(thermos_host_v1, abi_major, 0),
    OFF(thermos_host_v1, struct_size, 4),
    OFF(thermos_host_v1, host, 8),
    OFF(thermos_host_v1, mode, 16),
    OFF(thermos_host_v1, instance, 24),
    OFF(thermos_host_v1, log, 32),
    OFF(thermos_host_v1, config_get, 40),
    OFF(thermos_host_v1, config_foreach, 48),
    OFF(thermos_host_v1, config_error, 56),
    OFF(thermos_host_v1, header, 64),
    OFF(thermos_host_v1, task_status_count, 72),
    OFF(thermos_host_v1, task_status, 80),
    OFF(thermos_host_v1, process_count, 88),
    OFF(thermos_host_v1, process_name, 96),
    OFF(thermos_host_v1, process_run_count, 104),
    OFF(thermos_host_v1, process_run, 112),
    OFF(thermos_host_v1, abi_minor, 120), /* since 1.1 */
    OFF(thermos_host_v1, truncate, 124),
    OFF(thermos_host_v1, host_version, 128),
    OFF(thermos_host_v1, config_get_int, 136),
    OFF(thermos_host_v1, config_get_double, 144),
    OFF(thermos_host_v1, config_get_bool, 152),
    OFF(thermos_host_v1, fail_reason, 160),
    OFF(thermos_host_v1, instance_count, 168),
    OFF(thermos_host_v1, instance_stats, 176),
    OFF(thermos_host_v1, stream_count, 184),
    OFF(thermos_host_v1, stream_stats, 192),
    SIZE(thermos_host_v1, 200),
};
static const pin THERMOS_HANDLER_V1_PINS[] = {
    OFF(thermos_handler_v1, abi_major, 0),
    OFF(thermos_handler_v1, struct_size, 4),
    OFF(thermos_handler_v1, name, 8),
    OFF(thermos_handler_v1, version, 16),
    OFF(thermos_handler_v1, options, 24),
    OFF(thermos_handler_v1, init, 32),
    OFF(thermos_handler_v1, fini, 40),
    OFF(thermos_handler_v1, reopen, 48),
    OFF(thermos_handler_v1, tick, 56),
    OFF(thermos_handler_v1, on_stream_open, 64),
    OFF(thermos_handler_v1, on_stream_error, 72),
    OFF(thermos_handler_v1, on_stream_close, 80),
    OFF(thermos_handler_v1, on_initialization, 88),
    OFF(thermos_handler_v1, on_process_transition, 96),
    OFF(thermos_handler_v1, on_task_transition, 104),
    OFF(thermos_handler_v1, on_process_waiting, 112),
    OFF(thermos_handler_v1, on_process_forked, 120),
    OFF(thermos_handler_v1, on_process_running, 128),
    OFF(thermos_handler_v1, on_process_success, 136),
    OFF(thermos_handler_v1, on_process_failed, 144),
    OFF(thermos_handler_v1, on_process_lost, 152),
    OFF(thermos_handler_v1, on_process_killed, 160),
    OFF(thermos_handler_v1, on_task_active, 168),
    OFF(thermos_handler_v1, on_task_cleaning, 176),
    OFF(thermos_handler_v1, on_task_finalizing, 184),
    OFF(thermos_handler_v1, on_task_success, 192),
    OFF(thermos_handler_v1, on_task_failed, 200),
    OFF(thermos_handler_v1, on_task_killed, 208),
    OFF(thermos_handler_v1, on_task_lost, 216),
    OFF(thermos_handler_v1, min_host_minor, 224), /* since 1.1 */
    OFF(thermos_handler_v1, options_ex, 232),
    SIZE(thermos_handler_v1, 240),
};
#else
#define LAYOUT_PINNED 0
#endif

static void skip_unless_pinned(void) {
  if (!LAYOUT_PINNED)
    skip(); /* the numbers are those of x86-64 LP64 */
}

#if LAYOUT_PINNED
#define PINS_TEST(fn, table)                                                   \
  static void fn(void **state) {                                               \
    (void)state;                                                               \
    CHECK_PINS(table);                                                         \
  }
#else
#define PINS_TEST(fn, table)                                                   \
  static void fn(void **state) {                                               \
    (void)state;                                                               \
    skip_unless_pinned();                                                      \
  }
#endif

PINS_TEST(test_str_layout, THERMOS_STR_PINS)
PINS_TEST(test_process_status_layout, THERMOS_PROCESS_STATUS_PINS)
PINS_TEST(test_task_status_layout, THERMOS_TASK_STATUS_PINS)
PINS_TEST(test_port_layout, THERMOS_PORT_PINS)
PINS_TEST(test_runner_header_layout, THERMOS_RUNNER_HEADER_PINS)
PINS_TEST(test_event_layout, THERMOS_EVENT_PINS)
PINS_TEST(test_option_layout, THERMOS_OPTION_PINS)
PINS_TEST(test_host_layout, THERMOS_HOST_V1_PINS)
PINS_TEST(test_handler_layout, THERMOS_HANDLER_V1_PINS)
PINS_TEST(test_option_ex_layout, THERMOS_OPTION_EX_PINS)
PINS_TEST(test_instance_stats_layout, THERMOS_INSTANCE_STATS_PINS)
PINS_TEST(test_stream_stats_layout, THERMOS_STREAM_STATS_PINS)

/* The smallest table a host of major 1 accepts is 1.0's: up to and with
 * on_task_lost, the last member of 1.0. */
static void test_v1_0_size(void **state) {
  (void)state;
  assert_int_equal(THERMOS_HANDLER_V1_0_SIZE,
                   offsetof(thermos_handler_v1, on_task_lost) +
                       sizeof(thermos_task_fn));
  /* 1.1's first member begins where 1.0's table ended: a 1.0 table's
   * struct_size never covers it. */
  assert_int_equal(offsetof(thermos_handler_v1, min_host_minor),
                   THERMOS_HANDLER_V1_0_SIZE);
  assert_true(sizeof(thermos_handler_v1) > THERMOS_HANDLER_V1_0_SIZE);
  assert_int_equal(THERMOS_HANDLER_V1_0_SIZE, td_abi_1_0_handler_size);
  skip_unless_pinned();
  assert_int_equal(THERMOS_HANDLER_V1_0_SIZE, 224);
}

/* The frozen 1.0 header and this one agree on every member of 1.0, on
 * any platform: offsets equal, data structs of equal size, the tables
 * grown, and the members appended since 1.0 lying past the whole 1.0
 * struct (its tail padding included: a 1.0 struct_size, which counts
 * that padding, never covers a later member). */
static const char *const MEMBER_NAMES[] = {
#define TD_NAME(T, m) #T "." #m,
    TD_ABI_1_0_MEMBERS(TD_NAME)
#undef TD_NAME
};
static const size_t MEMBER_OFFSETS[] = {
#define TD_OFFSET(T, m) offsetof(T, m),
    TD_ABI_1_0_MEMBERS(TD_OFFSET)
#undef TD_OFFSET
};
static const char *const STRUCT_NAMES[] = {
#define TD_NAME(T) #T,
    TD_ABI_1_0_STRUCTS(TD_NAME)
#undef TD_NAME
};
static const size_t STRUCT_SIZES[] = {
#define TD_SIZE(T) sizeof(T),
    TD_ABI_1_0_STRUCTS(TD_SIZE)
#undef TD_SIZE
};
#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static void test_same_as_1_0(void **state) {
  (void)state;
  int bad = 0;
  assert_int_equal(td_abi_1_0_n_offsets, N_OF(MEMBER_OFFSETS));
  for (size_t i = 0; i < N_OF(MEMBER_OFFSETS); i++)
    if (MEMBER_OFFSETS[i] != td_abi_1_0_offsets[i]) {
      print_error("%s: at %zu, at %zu in 1.0\n", MEMBER_NAMES[i],
                  MEMBER_OFFSETS[i], td_abi_1_0_offsets[i]);
      bad++;
    }
  assert_int_equal(td_abi_1_0_n_sizes, N_OF(STRUCT_SIZES));
  for (size_t i = 0; i < N_OF(STRUCT_SIZES); i++) {
    /* The tables and the event grow (by struct_size); the data structs
     * never change size. */
    bool table = strcmp(STRUCT_NAMES[i], "thermos_host_v1") == 0 ||
                 strcmp(STRUCT_NAMES[i], "thermos_handler_v1") == 0 ||
                 strcmp(STRUCT_NAMES[i], "thermos_event") == 0;
    if (table ? STRUCT_SIZES[i] <= td_abi_1_0_sizes[i]
              : STRUCT_SIZES[i] != td_abi_1_0_sizes[i]) {
      print_error("sizeof %s: %zu, %zu in 1.0\n", STRUCT_NAMES[i],
                  STRUCT_SIZES[i], td_abi_1_0_sizes[i]);
      bad++;
    }
  }
  assert_int_equal(bad, 0);
  /* The indexes of the tables in TD_ABI_1_0_STRUCTS. */
  assert_string_equal(STRUCT_NAMES[7], "thermos_host_v1");
  assert_string_equal(STRUCT_NAMES[8], "thermos_handler_v1");
  assert_true(offsetof(thermos_host_v1, abi_minor) >= td_abi_1_0_sizes[7]);
  assert_true(offsetof(thermos_handler_v1, min_host_minor) >=
              td_abi_1_0_sizes[8]);
}

/* THERMOS_HAS_MEMBER: a member counts as there when struct_size covers
 * all of it. */
static void test_has_member(void **state) {
  (void)state;
  thermos_host_v1 h = {0};
  h.struct_size = (uint32_t)offsetof(thermos_host_v1, abi_minor); /* 1.0 */
  assert_false(THERMOS_HAS_MEMBER(&h, thermos_host_v1, abi_minor));
  assert_true(THERMOS_HAS_MEMBER(&h, thermos_host_v1, process_run));
  h.struct_size += (uint32_t)sizeof(uint32_t) - 1;
  assert_false(THERMOS_HAS_MEMBER(&h, thermos_host_v1, abi_minor));
  h.struct_size = (uint32_t)sizeof h;
  assert_true(THERMOS_HAS_MEMBER(&h, thermos_host_v1, abi_minor));
  thermos_handler_v1 t = {0};
  t.struct_size = (uint32_t)THERMOS_HANDLER_V1_0_SIZE;
  assert_false(THERMOS_HAS_MEMBER(&t, thermos_handler_v1, min_host_minor));
  assert_true(THERMOS_HAS_MEMBER(&t, thermos_handler_v1, on_task_lost));
  t.struct_size = (uint32_t)sizeof t;
  assert_true(THERMOS_HAS_MEMBER(&t, thermos_handler_v1, min_host_minor));
  thermos_event ev = {0};
  ev.struct_size = (uint32_t)sizeof ev;
  assert_true(THERMOS_HAS_MEMBER(&ev, thermos_event, state));
  ev.struct_size = 0;
  assert_false(THERMOS_HAS_MEMBER(&ev, thermos_event, struct_size));
}

/* Both tables begin with the handshake, whatever the major. */
static void test_handshake_first(void **state) {
  (void)state;
  assert_int_equal(offsetof(thermos_handler_v1, abi_major), 0);
  assert_int_equal(offsetof(thermos_handler_v1, struct_size), 4);
  assert_int_equal(offsetof(thermos_host_v1, abi_major), 0);
  assert_int_equal(offsetof(thermos_host_v1, struct_size), 4);
  assert_int_equal(offsetof(thermos_event, struct_size), 0);
  assert_int_equal(THERMOS_HANDLER_ABI_MAJOR, 1);
  assert_int_equal(THERMOS_HANDLER_ABI_MINOR, 1);
  assert_string_equal(THERMOS_HANDLER_ENTRY, "thermos_handler_v1_entry");
}

static void test_process_states(void **state) {
  (void)state;
  assert_int_equal(THERMOS_PROCESS_WAITING, 0);
  assert_int_equal(THERMOS_PROCESS_FORKED, 1);
  assert_int_equal(THERMOS_PROCESS_RUNNING, 2);
  assert_int_equal(THERMOS_PROCESS_SUCCESS, 3);
  assert_int_equal(THERMOS_PROCESS_KILLED, 4);
  assert_int_equal(THERMOS_PROCESS_FAILED, 5);
  assert_int_equal(THERMOS_PROCESS_LOST, 6);
}

static void test_task_states(void **state) {
  (void)state;
  assert_int_equal(THERMOS_TASK_ACTIVE, 0);
  assert_int_equal(THERMOS_TASK_SUCCESS, 1);
  assert_int_equal(THERMOS_TASK_FAILED, 2);
  assert_int_equal(THERMOS_TASK_KILLED, 3);
  assert_int_equal(THERMOS_TASK_LOST, 4);
  assert_int_equal(THERMOS_TASK_CLEANING, 5);
  assert_int_equal(THERMOS_TASK_FINALIZING, 6);
}

static void test_other_enums(void **state) {
  (void)state;
  assert_int_equal(THERMOS_OPT_STRING, 1);
  assert_int_equal(THERMOS_OPT_BOOL, 2);
  assert_int_equal(THERMOS_OPT_INT, 3);
  assert_int_equal(THERMOS_OPT_DOUBLE, 4);
  assert_int_equal(THERMOS_OPT_PATH, 5);
  assert_int_equal(THERMOS_OPT_ENUM, 6);
  assert_int_equal(THERMOS_MODE_CHECK, 0);
  assert_int_equal(THERMOS_MODE_REPLAY, 1);
  assert_int_equal(THERMOS_MODE_TAIL, 2);
  assert_int_equal(THERMOS_MODE_WATCH, 3);
  assert_int_equal(THERMOS_LOG_ERROR, 0);
  assert_int_equal(THERMOS_LOG_WARNING, 1);
  assert_int_equal(THERMOS_LOG_INFO, 2);
  assert_int_equal(THERMOS_LOG_DEBUG, 3);
  /* since 1.1 */
  assert_int_equal(THERMOS_OK, 0);
  assert_int_equal(THERMOS_ERROR, -1);
  assert_int_equal(THERMOS_DISABLE_ME, 1000);
  assert_int_equal(THERMOS_RETRY_LATER, 1001);
}

static void test_presence_bits(void **state) {
  (void)state;
  assert_int_equal(THERMOS_PS_SEQ, 0x1);
  assert_int_equal(THERMOS_PS_PROCESS, 0x2);
  assert_int_equal(THERMOS_PS_STATE, 0x4);
  assert_int_equal(THERMOS_PS_COORDINATOR_PID, 0x8);
  assert_int_equal(THERMOS_PS_FORK_TIME, 0x10);
  assert_int_equal(THERMOS_PS_START_TIME, 0x20);
  assert_int_equal(THERMOS_PS_PID, 0x40);
  assert_int_equal(THERMOS_PS_STOP_TIME, 0x80);
  assert_int_equal(THERMOS_PS_RETURN_CODE, 0x100);
  assert_int_equal(THERMOS_TS_STATE, 0x1);
  assert_int_equal(THERMOS_TS_TIMESTAMP_MS, 0x2);
  assert_int_equal(THERMOS_TS_RUNNER_PID, 0x4);
  assert_int_equal(THERMOS_TS_RUNNER_UID, 0x8);
  assert_int_equal(THERMOS_RH_TASK_ID, 0x1);
  assert_int_equal(THERMOS_RH_LAUNCH_TIME_MS, 0x2);
  assert_int_equal(THERMOS_RH_SANDBOX, 0x4);
  assert_int_equal(THERMOS_RH_LOG_DIR, 0x8);
  assert_int_equal(THERMOS_RH_HOSTNAME, 0x10);
  assert_int_equal(THERMOS_RH_USER, 0x20);
  assert_int_equal(THERMOS_RH_UID, 0x40);
  assert_int_equal(THERMOS_RH_PORTS, 0x80);
}

/* The types of the members, whatever the platform: a member that changes
 * type changes the ABI even when its offset stays. */
#define IS(expr, T) _Generic((expr), T : 1, default : 0)
#define TYPE_OK(expr, T)                                                       \
  do {                                                                         \
    if (!IS(expr, T)) {                                                        \
      print_error("%s is not %s\n", #expr, #T);                                \
      bad++;                                                                   \
    }                                                                          \
  } while (0)

static void test_data_types(void **state) {
  (void)state;
  int bad = 0;
  thermos_str s = {0};
  thermos_process_status ps = {0};
  thermos_task_status ts = {0};
  thermos_port port = {0};
  thermos_runner_header rh = {0};
  thermos_event ev = {0};
  thermos_option opt = {0};
  TYPE_OK(s.data, const char *);
  TYPE_OK(s.len, size_t);
  TYPE_OK(ps.present, uint32_t);
  TYPE_OK(ps.seq, int64_t);
  TYPE_OK(ps.process, thermos_str);
  TYPE_OK(ps.state, int32_t);
  TYPE_OK(ps.coordinator_pid, int32_t);
  TYPE_OK(ps.fork_time, double);
  TYPE_OK(ps.start_time, double);
  TYPE_OK(ps.pid, int32_t);
  TYPE_OK(ps.stop_time, double);
  TYPE_OK(ps.return_code, int32_t);
  TYPE_OK(ts.present, uint32_t);
  TYPE_OK(ts.state, int32_t);
  TYPE_OK(ts.timestamp_ms, int64_t);
  TYPE_OK(ts.runner_pid, int32_t);
  TYPE_OK(ts.runner_uid, int32_t);
  TYPE_OK(port.name, thermos_str);
  TYPE_OK(port.port, int64_t);
  TYPE_OK(rh.present, uint32_t);
  TYPE_OK(rh.task_id, thermos_str);
  TYPE_OK(rh.sandbox, thermos_str);
  TYPE_OK(rh.log_dir, thermos_str);
  TYPE_OK(rh.hostname, thermos_str);
  TYPE_OK(rh.user, thermos_str);
  TYPE_OK(rh.launch_time_ms, int64_t);
  TYPE_OK(rh.uid, int32_t);
  TYPE_OK(rh.n_ports, size_t);
  TYPE_OK(rh.ports, const thermos_port *);
  TYPE_OK(ev.struct_size, uint32_t);
  TYPE_OK(ev.source, const char *);
  TYPE_OK(ev.task_id, thermos_str);
  TYPE_OK(ev.record, uint64_t);
  TYPE_OK(ev.offset, uint64_t);
  TYPE_OK(ev.history, int);
  TYPE_OK(ev.state, const thermos_runner_state *);
  TYPE_OK(ev.stream_ctx, void **); /* since 1.1 */
  TYPE_OK(opt.key, const char *);
  TYPE_OK(opt.type, int);
  TYPE_OK(opt.default_value, const char *);
  TYPE_OK(opt.help, const char *);
  TYPE_OK(opt.choices, const char *);
  assert_int_equal(bad, 0);
}

typedef int (*config_fn)(void *user, const char *key, const char *value);

static void test_host_types(void **state) {
  (void)state;
  int bad = 0;
  thermos_host_v1 h = {0};
  TYPE_OK(h.abi_major, uint32_t);
  TYPE_OK(h.struct_size, uint32_t);
  TYPE_OK(h.host, void *);
  TYPE_OK(h.mode, int);
  TYPE_OK(h.instance, const char *);
  TYPE_OK(h.log, void (*)(void *, int, const char *));
  TYPE_OK(h.config_get, const char *(*)(void *, const char *));
  TYPE_OK(h.config_foreach, int (*)(void *, config_fn, void *));
  TYPE_OK(h.config_error, void (*)(void *, const char *, const char *));
  TYPE_OK(h.header,
          const thermos_runner_header *(*)(const thermos_runner_state *));
  TYPE_OK(h.task_status_count, size_t(*)(const thermos_runner_state *));
  TYPE_OK(h.task_status,
          const thermos_task_status *(*)(const thermos_runner_state *, size_t));
  TYPE_OK(h.process_count, size_t(*)(const thermos_runner_state *));
  TYPE_OK(h.process_name, thermos_str(*)(const thermos_runner_state *, size_t));
  TYPE_OK(h.process_run_count,
          size_t(*)(const thermos_runner_state *, thermos_str));
  TYPE_OK(h.process_run,
          const thermos_process_status *(*)(const thermos_runner_state *,
                                            thermos_str, size_t));
  TYPE_OK(h.abi_minor, uint32_t); /* since 1.1 */
  TYPE_OK(h.truncate, int);
  TYPE_OK(h.host_version, const char *);
  TYPE_OK(h.config_get_int, int (*)(void *, const char *, int64_t *));
  TYPE_OK(h.config_get_double, int (*)(void *, const char *, double *));
  TYPE_OK(h.config_get_bool, int (*)(void *, const char *, int *));
  TYPE_OK(h.fail_reason, void (*)(void *, const char *));
  TYPE_OK(h.instance_count, size_t(*)(void *));
  TYPE_OK(h.instance_stats, int (*)(void *, size_t, thermos_instance_stats *));
  TYPE_OK(h.stream_count, size_t(*)(void *));
  TYPE_OK(h.stream_stats, int (*)(void *, size_t, thermos_stream_stats *));
  assert_int_equal(bad, 0);
}

typedef int (*process_cb)(void *, const thermos_event *,
                          const thermos_process_status *);
typedef int (*task_cb)(void *, const thermos_event *,
                       const thermos_task_status *);

static void test_handler_types(void **state) {
  (void)state;
  int bad = 0;
  thermos_handler_v1 t = {0};
  TYPE_OK(t.abi_major, uint32_t);
  TYPE_OK(t.struct_size, uint32_t);
  TYPE_OK(t.name, const char *);
  TYPE_OK(t.version, const char *);
  TYPE_OK(t.options, const thermos_option *);
  TYPE_OK(t.init, int (*)(const thermos_host_v1 *, void **));
  TYPE_OK(t.fini, void (*)(void *));
  TYPE_OK(t.reopen, int (*)(void *));
  TYPE_OK(t.tick, int (*)(void *, double));
  TYPE_OK(t.on_stream_open, int (*)(void *, const thermos_event *));
  TYPE_OK(t.on_stream_error,
          int (*)(void *, const thermos_event *, const char *));
  TYPE_OK(t.on_stream_close, int (*)(void *, const thermos_event *));
  TYPE_OK(t.on_initialization, int (*)(void *, const thermos_event *,
                                       const thermos_runner_header *));
  TYPE_OK(t.on_process_transition,
          int (*)(void *, const thermos_event *, int32_t,
                  const thermos_process_status *));
  TYPE_OK(t.on_task_transition, int (*)(void *, const thermos_event *, int32_t,
                                        const thermos_task_status *));
  TYPE_OK(t.on_process_waiting, process_cb);
  TYPE_OK(t.on_process_forked, process_cb);
  TYPE_OK(t.on_process_running, process_cb);
  TYPE_OK(t.on_process_success, process_cb);
  TYPE_OK(t.on_process_failed, process_cb);
  TYPE_OK(t.on_process_lost, process_cb);
  TYPE_OK(t.on_process_killed, process_cb);
  TYPE_OK(t.on_task_active, task_cb);
  TYPE_OK(t.on_task_cleaning, task_cb);
  TYPE_OK(t.on_task_finalizing, task_cb);
  TYPE_OK(t.on_task_success, task_cb);
  TYPE_OK(t.on_task_failed, task_cb);
  TYPE_OK(t.on_task_killed, task_cb);
  TYPE_OK(t.on_task_lost, task_cb);
  TYPE_OK(t.min_host_minor, uint32_t); /* since 1.1 */
  TYPE_OK(t.options_ex, const thermos_option_ex *const *);
  TYPE_OK(thermos_handler_v1_entry, const thermos_handler_v1 *(*)(void));
  assert_int_equal(bad, 0);
}

/* The structs of 1.1: the growable option and the statistics. */
static void test_1_1_struct_types(void **state) {
  (void)state;
  int bad = 0;
  thermos_option_ex o = {0};
  thermos_instance_stats is = {0};
  thermos_stream_stats ss = {0};
  TYPE_OK(o.struct_size, uint32_t);
  TYPE_OK(o.key, const char *);
  TYPE_OK(o.type, int);
  TYPE_OK(o.default_value, const char *);
  TYPE_OK(o.help, const char *);
  TYPE_OK(o.choices, const char *);
  TYPE_OK(o.flags, uint32_t);
  TYPE_OK(o.int_min, int64_t);
  TYPE_OK(o.int_max, int64_t);
  TYPE_OK(o.double_min, double);
  TYPE_OK(o.double_max, double);
  TYPE_OK(is.struct_size, uint32_t);
  TYPE_OK(is.instance, const char *);
  TYPE_OK(is.module, const char *);
  TYPE_OK(is.events, uint64_t);
  TYPE_OK(is.callbacks_failed, uint64_t);
  TYPE_OK(is.disabled, int);
  TYPE_OK(is.callbacks, uint64_t);
  TYPE_OK(is.callback_seconds, double);
  TYPE_OK(is.callback_buckets[0], uint64_t);
  TYPE_OK(ss.struct_size, uint32_t);
  TYPE_OK(ss.source, const char *);
  TYPE_OK(ss.task_id, thermos_str);
  TYPE_OK(ss.records, uint64_t);
  TYPE_OK(ss.bytes_read, uint64_t);
  TYPE_OK(ss.bytes_unread, uint64_t);
  assert_int_equal(bad, 0);
  assert_int_equal(sizeof is.callback_buckets / sizeof is.callback_buckets[0],
                   THERMOS_CALLBACK_BUCKETS);
}

/* The constants of 1.1. */
static void test_1_1_constants(void **state) {
  (void)state;
  assert_int_equal(THERMOS_OPTION_REQUIRED, 0x1);
  assert_int_equal(THERMOS_OPTION_RANGE, 0x2);
  assert_int_equal(THERMOS_CALLBACK_BUCKETS, 8);
  static const double bounds[] = THERMOS_CALLBACK_BUCKET_BOUNDS;
  static const double want[] = {0.00001, 0.0001, 0.001, 0.01,
                                0.1,     1.0,    10.0,  60.0};
  assert_int_equal(sizeof bounds / sizeof bounds[0], THERMOS_CALLBACK_BUCKETS);
  for (size_t i = 0; i < THERMOS_CALLBACK_BUCKETS; i++)
    assert_true(bounds[i] == want[i]);
}

/* The state helpers of 1.1: a name for every value of the enums (the
 * wire's names), NULL outside; terminal states. */
static void test_state_helpers(void **state) {
  (void)state;
  static const char *const process[] = {
      "WAITING", "FORKED", "RUNNING", "SUCCESS", "KILLED", "FAILED", "LOST"};
  static const char *const task[] = {"ACTIVE",    "SUCCESS", "FAILED",
                                     "KILLED",    "LOST",    "CLEANING",
                                     "FINALIZING"};
  for (int32_t s = 0; s < 7; s++) {
    assert_non_null(thermos_process_state_name(s));
    assert_string_equal(thermos_process_state_name(s), process[s]);
    assert_non_null(thermos_task_state_name(s));
    assert_string_equal(thermos_task_state_name(s), task[s]);
  }
  assert_string_equal(thermos_process_state_name(THERMOS_PROCESS_LOST), "LOST");
  assert_string_equal(thermos_task_state_name(THERMOS_TASK_FINALIZING),
                      "FINALIZING");
  static const int32_t outside[] = {-1, 7, 8, 1000, INT32_MIN, INT32_MAX};
  for (size_t i = 0; i < sizeof outside / sizeof outside[0]; i++) {
    assert_null(thermos_process_state_name(outside[i]));
    assert_null(thermos_task_state_name(outside[i]));
    assert_false(thermos_process_state_is_terminal(outside[i]));
    assert_false(thermos_task_state_is_terminal(outside[i]));
  }
  /* SUCCESS, KILLED, FAILED, LOST are over; WAITING, FORKED, RUNNING not. */
  static const int process_terminal[] = {0, 0, 0, 1, 1, 1, 1};
  /* SUCCESS, FAILED, KILLED, LOST are over; ACTIVE, CLEANING and
   * FINALIZING (processes still run) not. */
  static const int task_terminal[] = {0, 1, 1, 1, 1, 0, 0};
  for (int32_t s = 0; s < 7; s++) {
    assert_int_equal(thermos_process_state_is_terminal(s) != 0,
                     process_terminal[s]);
    assert_int_equal(thermos_task_state_is_terminal(s) != 0, task_terminal[s]);
  }
}

/* thermos_logf formats, cuts at 1 KiB, and goes through host->log with
 * the instance handle. */
static char logged[2048];
static int logged_level = -1;
static void *logged_host;

static void fake_log(void *host, int level, const char *message) {
  logged_host = host;
  logged_level = level;
  snprintf(logged, sizeof logged, "%s", message);
}

static void test_logf(void **state) {
  (void)state;
  int handle;
  thermos_host_v1 h = {0};
  h.host = &handle;
  h.log = fake_log;
  thermos_logf(&h, THERMOS_LOG_WARNING, "%s=%d", "x", 42);
  assert_string_equal(logged, "x=42");
  assert_int_equal(logged_level, THERMOS_LOG_WARNING);
  assert_ptr_equal(logged_host, &handle);
  char big[3000];
  memset(big, 'a', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  thermos_logf(&h, THERMOS_LOG_ERROR, "%s", big);
  assert_int_equal(strlen(logged), 1023);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_str_layout),
      cmocka_unit_test(test_process_status_layout),
      cmocka_unit_test(test_task_status_layout),
      cmocka_unit_test(test_port_layout),
      cmocka_unit_test(test_runner_header_layout),
      cmocka_unit_test(test_event_layout),
      cmocka_unit_test(test_option_layout),
      cmocka_unit_test(test_host_layout),
      cmocka_unit_test(test_handler_layout),
      cmocka_unit_test(test_option_ex_layout),
      cmocka_unit_test(test_instance_stats_layout),
      cmocka_unit_test(test_stream_stats_layout),
      cmocka_unit_test(test_v1_0_size),
      cmocka_unit_test(test_same_as_1_0),
      cmocka_unit_test(test_has_member),
      cmocka_unit_test(test_handshake_first),
      cmocka_unit_test(test_process_states),
      cmocka_unit_test(test_task_states),
      cmocka_unit_test(test_other_enums),
      cmocka_unit_test(test_presence_bits),
      cmocka_unit_test(test_data_types),
      cmocka_unit_test(test_host_types),
      cmocka_unit_test(test_handler_types),
      cmocka_unit_test(test_1_1_struct_types),
      cmocka_unit_test(test_1_1_constants),
      cmocka_unit_test(test_state_helpers),
      cmocka_unit_test(test_logf),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
