/*
 * <thermos/handler.h>: the thermos-dispatch handler ABI, version 1.1
 * (major 1, minor 1).
 *
 * A plugin built against this header loads, unchanged and without
 * recompiling, into every later host of ABI major 1; a plugin built against
 * the 1.0 header loads, unchanged, into a 1.1 host.  The header is plain C
 * and needs only the standard headers: a plugin links against nothing of
 * the host.
 *
 * Versions: 1.0 is the first; 1.1 added the minor numbers (the host's
 * abi_minor, the plugin's min_host_minor), THERMOS_HAS_MEMBER, the return
 * codes, the lifetime of `ev->source`, the refusal of option types a
 * host does not know, and for plugin authors: a per-stream pointer
 * (`ev->stream_ctx`), typed option getters, declared option flags and
 * ranges (thermos_option_ex), a failure reason, the host's version and
 * truncate mode, the instance and stream statistics, and the state-name
 * helpers.  Every member and constant added after 1.0 carries a
 * `since 1.N` label; one without a label is 1.0's.
 *
 * Rules that keep the promise:
 *  - Growth.  A struct only ever grows at its end, and a member never
 *    changes type or meaning.  A member added after 1.0 is readable only
 *    when the other side says it is there:
 *      - in the tables (thermos_host_v1, thermos_handler_v1) and in
 *        thermos_event, by `struct_size`: read a member only when
 *        THERMOS_HAS_MEMBER(p, type, member) is true;
 *      - in the data structs (thermos_process_status, thermos_task_status,
 *        thermos_runner_header), by a presence bit in `present`: read a
 *        member only when its bit is set (an older host never sets a bit
 *        it does not know).
 *    So never rely on the sizeof of a data struct, never copy one whole
 *    into storage sized by your header, and never step through an array of
 *    them: the host hands them out one pointer at a time (the state
 *    readers), never as an array indexed by their size.
 *  - Final structs never grow, so they alone may form arrays:
 *    thermos_str, thermos_port (thermos_runner_header.ports) and
 *    thermos_option (a plugin's option list).
 *  - Values.  Modes, option types and states are plain integers, and a
 *    later minor may add values: a plugin treats a mode it does not know
 *    as THERMOS_MODE_CHECK, and is handed states it does not know as they
 *    are; a host refuses, at load, a plugin declaring an option type it
 *    does not know.
 *  - Lifetimes.  Every pointer handed to a callback is valid only during
 *    that call, except `ev->source` (since 1.1: valid and unchanged from
 *    on_stream_open to on_stream_close of its stream), the host table and
 *    what config_get returns (until fini returns).
 */
#ifndef THERMOS_HANDLER_H
#define THERMOS_HANDLER_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The ABI major version this header describes. */
#define THERMOS_HANDLER_ABI_MAJOR 1
/** The ABI minor version this header describes (since 1.1; a header
 * without it is 1.0's). */
#define THERMOS_HANDLER_ABI_MINOR 1

/**
 * Whether `p`, a pointer to a struct of type `type` that begins with a
 * `struct_size` (thermos_host_v1, thermos_handler_v1, thermos_event),
 * holds `member`: true when the other side was built with a header that
 * has it (since 1.1).  E.g. THERMOS_HAS_MEMBER(host, thermos_host_v1,
 * abi_minor).
 */
#define THERMOS_HAS_MEMBER(p, type, member)                                    \
  (offsetof(type, member) + sizeof(((const type *)0)->member) <=               \
   (size_t)(p)->struct_size)

/**
 * A Thrift string: bytes, not NUL-terminated, not necessarily UTF-8.
 * `data` points into the record being dispatched (or into the host's
 * reconstructed state); it may be NULL when `len` is 0.  Final: this
 * struct never grows (it is a member of the others, by value).
 */
typedef struct thermos_str {
  const char *data;
  size_t len;
} thermos_str;

/** Process states: the values on the wire. */
typedef enum thermos_process_state {
  THERMOS_PROCESS_WAITING = 0,
  THERMOS_PROCESS_FORKED = 1,
  THERMOS_PROCESS_RUNNING = 2,
  THERMOS_PROCESS_SUCCESS = 3,
  THERMOS_PROCESS_KILLED = 4,
  THERMOS_PROCESS_FAILED = 5,
  THERMOS_PROCESS_LOST = 6
} thermos_process_state;

/** Task states: the values on the wire. */
typedef enum thermos_task_state {
  THERMOS_TASK_ACTIVE = 0,
  THERMOS_TASK_SUCCESS = 1,
  THERMOS_TASK_FAILED = 2,
  THERMOS_TASK_KILLED = 3,
  THERMOS_TASK_LOST = 4,
  THERMOS_TASK_CLEANING = 5,
  THERMOS_TASK_FINALIZING = 6
} thermos_task_state;

/* Presence bits of thermos_process_status.present: a bit is set when the
 * field was on the wire (or, in the reconstructed state, was copied in).
 * A member added in a later minor comes with a new bit, which an older
 * host never sets: read the member only when its bit is set.  The same
 * holds for thermos_task_status and thermos_runner_header. */
#define THERMOS_PS_SEQ (1u << 0)
#define THERMOS_PS_PROCESS (1u << 1)
#define THERMOS_PS_STATE (1u << 2)
#define THERMOS_PS_COORDINATOR_PID (1u << 3)
#define THERMOS_PS_FORK_TIME (1u << 4)
#define THERMOS_PS_START_TIME (1u << 5)
#define THERMOS_PS_PID (1u << 6)
#define THERMOS_PS_STOP_TIME (1u << 7)
#define THERMOS_PS_RETURN_CODE (1u << 8)

/** One ProcessStatus: an update from the stream, or one run of a process. */
typedef struct thermos_process_status {
  uint32_t present;        /**< THERMOS_PS_* bits */
  int64_t seq;             /**< per-process sequence number */
  thermos_str process;     /**< process name */
  int32_t state;           /**< a thermos_process_state, or an unknown value */
  int32_t coordinator_pid; /**< pid of the process' coordinator */
  double fork_time;        /**< seconds since the epoch */
  double start_time;       /**< seconds since the epoch */
  int32_t pid;             /**< pid of the process itself */
  double stop_time;        /**< seconds since the epoch */
  int32_t return_code;     /**< exit status */
} thermos_process_status;

/* Presence bits of thermos_task_status.present. */
#define THERMOS_TS_STATE (1u << 0)
#define THERMOS_TS_TIMESTAMP_MS (1u << 1)
#define THERMOS_TS_RUNNER_PID (1u << 2)
#define THERMOS_TS_RUNNER_UID (1u << 3)

/** One TaskStatus. */
typedef struct thermos_task_status {
  uint32_t present;     /**< THERMOS_TS_* bits */
  int32_t state;        /**< a thermos_task_state, or an unknown value */
  int64_t timestamp_ms; /**< milliseconds since the epoch */
  int32_t runner_pid;   /**< pid of the Thermos runner */
  int32_t runner_uid;   /**< uid of the Thermos runner */
} thermos_task_status;

/** One named port of a task.  Final: this struct never grows. */
typedef struct thermos_port {
  thermos_str name;
  int64_t port;
} thermos_port;

/* Presence bits of thermos_runner_header.present. */
#define THERMOS_RH_TASK_ID (1u << 0)
#define THERMOS_RH_LAUNCH_TIME_MS (1u << 1)
#define THERMOS_RH_SANDBOX (1u << 2)
#define THERMOS_RH_LOG_DIR (1u << 3)
#define THERMOS_RH_HOSTNAME (1u << 4)
#define THERMOS_RH_USER (1u << 5)
#define THERMOS_RH_UID (1u << 6)
#define THERMOS_RH_PORTS (1u << 7)

/** The RunnerHeader: written once, describes the task. */
typedef struct thermos_runner_header {
  uint32_t present;          /**< THERMOS_RH_* bits */
  thermos_str task_id;       /**< the task's id */
  thermos_str sandbox;       /**< the sandbox directory */
  thermos_str log_dir;       /**< the log directory (newer runners only) */
  thermos_str hostname;      /**< the host the task runs on */
  thermos_str user;          /**< the user the task runs as */
  int64_t launch_time_ms;    /**< milliseconds since the epoch */
  int32_t uid;               /**< the uid of `user` (newer runners only) */
  size_t n_ports;            /**< number of entries in `ports` */
  const thermos_port *ports; /**< named ports; each name once (last wins) */
} thermos_runner_header;

/* ------------------------------------------------------------------------
 * Events
 * ------------------------------------------------------------------------ */

/** The reconstructed state of one stream; read it through the host table's
 * state readers.  Opaque. */
typedef struct thermos_runner_state thermos_runner_state;

/** Where an update came from.  Grows at its end in later minors: read
 * `struct_size` (THERMOS_HAS_MEMBER) before a member added after 1.0. */
typedef struct thermos_event {
  uint32_t struct_size; /**< sizeof(thermos_event) as the host was built */
  /** The checkpoint's path (the stream's name), NUL-terminated.  Since
   * 1.1 promised: the pointer and its bytes stay valid and unchanged from
   * the stream's on_stream_open to its on_stream_close (both included), so
   * a plugin may keep it, and compare it, across the callbacks of that
   * stream; not after on_stream_close returns. */
  const char *source;
  /** The task: `<id>` when the file is `.../checkpoints/<id>/runner`, from
   * the first record on; otherwise the header's task_id once seen, empty
   * before. */
  thermos_str task_id;
  uint64_t record; /**< 0-based index of the record, counting every record */
  uint64_t offset; /**< byte offset of the record's length prefix */
  /** 1 when the record is read again to rebuild state (what a stream held
   * when the host began to follow it, what lies before a saved cursor);
   * 0 when it is delivered for the first time (appends, new streams, and
   * every record of `replay`). */
  int history;
  /** The reconstructed state after this update (before the first record in
   * on_stream_open).  Read it with the host table's state readers. */
  const thermos_runner_state *state;

  /* ---- since 1.1 ---- */

  /** Since 1.1: this instance's own pointer for this stream, for the
   * plugin's per-stream context: set `*ev->stream_ctx` in on_stream_open
   * (or any later callback of the stream) and read it back from every
   * later event of the same stream, instead of looking the stream up by
   * its path.  NULL until the plugin sets it; each instance has its own
   * slot per stream.  The host never reads or frees what it points to:
   * free it in on_stream_close, the last callback that carries it. */
  void **stream_ctx;
} thermos_event;

/* ------------------------------------------------------------------------
 * Declared options
 * ------------------------------------------------------------------------ */

/** Option types: the host checks every value against its type before
 * init.  A host refuses at load a plugin declaring a type it does not know
 * (a type added in a later minor: set min_host_minor to that minor). */
enum thermos_option_type {
  THERMOS_OPT_STRING = 1, /**< any value */
  THERMOS_OPT_BOOL = 2,   /**< yes/no, true/false, on/off, 1/0 */
  THERMOS_OPT_INT = 3,    /**< a decimal integer (64-bit) */
  THERMOS_OPT_DOUBLE = 4, /**< a decimal number */
  THERMOS_OPT_PATH = 5,   /**< a non-empty value (existence is not checked) */
  THERMOS_OPT_ENUM = 6    /**< one of `choices` ("a|b|c") */
};

/** One key a plugin's INI section may hold.  Final: never grows.  A
 * plugin's list ends with an entry whose `key` is NULL. */
typedef struct thermos_option {
  const char *key;           /**< the INI key */
  int type;                  /**< a thermos_option_type */
  const char *default_value; /**< used when the key is absent, or NULL */
  const char *help;          /**< one line, shown by `plugins -v` */
  const char *choices;       /**< for THERMOS_OPT_ENUM: "a|b|c" */
} thermos_option;

/* Flags of thermos_option_ex.flags (since 1.1). */
/** The key must be written in the section (a default does not count). */
#define THERMOS_OPTION_REQUIRED (1u << 0)
/** An INT option's value lies in [int_min, int_max], a DOUBLE option's
 * in [double_min, double_max]; anything else is refused before init. */
#define THERMOS_OPTION_RANGE (1u << 1)

/**
 * Since 1.1: one declared key with flags, the growable form of
 * thermos_option.  It grows at its end (read by `struct_size`), so a list
 * of them is an array of pointers, ended by NULL:
 *
 *   static const thermos_option_ex port = {
 *       .struct_size = sizeof(thermos_option_ex), .key = "port",
 *       .type = THERMOS_OPT_INT, .flags = THERMOS_OPTION_RANGE,
 *       .int_min = 1, .int_max = 65535, .help = "TCP port"};
 *   static const thermos_option_ex *const options[] = {&port, NULL};
 */
typedef struct thermos_option_ex {
  uint32_t struct_size;      /**< sizeof(thermos_option_ex) as compiled */
  const char *key;           /**< the INI key */
  int type;                  /**< a thermos_option_type */
  const char *default_value; /**< used when the key is absent, or NULL */
  const char *help;          /**< one line, shown by `plugins -v` */
  const char *choices;       /**< for THERMOS_OPT_ENUM: "a|b|c" */
  uint32_t flags;            /**< THERMOS_OPTION_* bits */
  int64_t int_min;           /**< THERMOS_OPTION_RANGE of an INT option */
  int64_t int_max;
  double double_min; /**< THERMOS_OPTION_RANGE of a DOUBLE option */
  double double_max;
} thermos_option_ex;

/* ------------------------------------------------------------------------
 * Statistics the host keeps (since 1.1)
 * ------------------------------------------------------------------------ */

/** The number of finite buckets of the callback-time histogram. */
#define THERMOS_CALLBACK_BUCKETS 8
/** Their upper bounds in seconds, in order (a Prometheus `le`): 10 us,
 * 100 us, 1 ms, 10 ms, 100 ms, 1 s, 10 s, 60 s.  Fixed for major 1. */
#define THERMOS_CALLBACK_BUCKET_BOUNDS                                         \
  { 0.00001, 0.0001, 0.001, 0.01, 0.1, 1.0, 10.0, 60.0 }

/**
 * Since 1.1: what the host counts of one plugin instance.  Grows at its
 * end: the caller sets `struct_size`, the host fills what both know.
 */
typedef struct thermos_instance_stats {
  uint32_t struct_size;      /**< set by the caller: sizeof as compiled */
  const char *instance;      /**< the instance's name; valid until fini */
  const char *module;        /**< its module's name; valid until fini */
  uint64_t events;           /**< transitions delivered to it (each record's
                                transition that reached it, history included) */
  uint64_t callbacks_failed; /**< its callbacks that did not return OK */
  int disabled;       /**< 1 once it is no longer called (on_error = disable,
                         or a repeated crash) */
  uint64_t callbacks; /**< its callbacks called (and timed) */
  double callback_seconds; /**< their total time, in seconds */
  /** Cumulative: callbacks that took at most bound i (see
   * THERMOS_CALLBACK_BUCKET_BOUNDS); `callbacks` is the +Inf bucket. */
  uint64_t callback_buckets[THERMOS_CALLBACK_BUCKETS];
} thermos_instance_stats;

/**
 * Since 1.1: one stream the host reads now.  Grows at its end: the caller
 * sets `struct_size`.
 */
typedef struct thermos_stream_stats {
  uint32_t struct_size; /**< set by the caller: sizeof as compiled */
  /** The stream's path; valid during the calling callback only. */
  const char *source;
  /** The task id as events carry it; valid during the callback only. */
  thermos_str task_id;
  uint64_t records;      /**< records dispatched so far */
  uint64_t bytes_read;   /**< bytes of the file read so far */
  uint64_t bytes_unread; /**< bytes written to it that lie unread */
} thermos_stream_stats;

/* ------------------------------------------------------------------------
 * The host's table
 * ------------------------------------------------------------------------ */

/** Why the host runs (thermos_host_v1.mode).  A later minor may add modes:
 * a plugin must treat a mode it does not know as THERMOS_MODE_CHECK
 * (validate, bind nothing, write nothing). */
enum thermos_mode {
  THERMOS_MODE_CHECK = 0,  /**< validate only: bind no port, write nothing */
  THERMOS_MODE_REPLAY = 1, /**< `replay`: streams read from start to end */
  THERMOS_MODE_TAIL = 2,   /**< `tail`: one stream followed */
  THERMOS_MODE_WATCH = 3   /**< `watch`: every task of checkpoint roots */
};

/** Log levels of thermos_host_v1.log. */
enum thermos_log_level {
  THERMOS_LOG_ERROR = 0,
  THERMOS_LOG_WARNING = 1,
  THERMOS_LOG_INFO = 2,
  THERMOS_LOG_DEBUG = 3
};

/**
 * What the host offers a plugin instance: one table per instance, valid
 * from init until fini returns.  Members past the host's `struct_size` are
 * absent (a plugin running in an older host of the same major): check
 * THERMOS_HAS_MEMBER(host, thermos_host_v1, member) before reading a
 * member added after 1.0.
 */
typedef struct thermos_host_v1 {
  uint32_t abi_major;   /**< THERMOS_HANDLER_ABI_MAJOR of the host */
  uint32_t struct_size; /**< sizeof(thermos_host_v1) as the host was built */
  void *host;           /**< opaque instance handle: first argument below */
  int mode;             /**< a thermos_mode */
  const char *instance; /**< the instance's name ("audit" for
                           [plugin:audit]) */

  /** Logs one message through the host's log, prefixed with the instance
   * name.  The only host function a plugin's own threads may call. */
  void (*log)(void *host, int level, const char *message);

  /** The value written in the instance's section, else the declared
   * default, else NULL.  Valid until fini. */
  const char *(*config_get)(void *host, const char *key);
  /** Calls fn for every key written in the section, in file order; stops
   * and returns fn's value when it is non-zero, else returns 0. */
  int (*config_foreach)(void *host,
                        int (*fn)(void *user, const char *key,
                                  const char *value),
                        void *user);
  /** From init: reports a bad value; the host prints it with the key's file
   * and line, and the start fails (return non-zero from init after it). */
  void (*config_error)(void *host, const char *key, const char *message);

  /* State readers: `st` is an event's `state`.  Pointers are valid during
   * the callback only. */

  /** The header, or NULL before one. */
  const thermos_runner_header *(*header)(const thermos_runner_state *st);
  /** Task statuses kept (every one, or the latest in truncate mode). */
  size_t (*task_status_count)(const thermos_runner_state *st);
  /** The i-th task status, oldest first; NULL past the end. */
  const thermos_task_status *(*task_status)(const thermos_runner_state *st,
                                            size_t i);
  /** Processes seen, in order of first appearance. */
  size_t (*process_count)(const thermos_runner_state *st);
  /** The i-th process' name; {NULL, 0} past the end. */
  thermos_str (*process_name)(const thermos_runner_state *st, size_t i);
  /** Runs kept of the named process (0 if unknown). */
  size_t (*process_run_count)(const thermos_runner_state *st, thermos_str name);
  /** The i-th run kept of the named process, oldest first; NULL past the
   * end or for an unknown process. */
  const thermos_process_status *(*process_run)(const thermos_runner_state *st,
                                               thermos_str name, size_t i);

  /* ---- since 1.1 ---- */

  /** Since 1.1: THERMOS_HANDLER_ABI_MINOR of the host.  Absent in a 1.0
   * host (check THERMOS_HAS_MEMBER first): take it as 0 then. */
  uint32_t abi_minor;

  /** Since 1.1: 1 when the host keeps only the latest task status and run
   * of each process (`--truncate`, `[host] truncate`), else 0. */
  int truncate;
  /** Since 1.1: the host's version ("0.1.0"), for messages. */
  const char *host_version;

  /* Typed values (since 1.1).  Each reads the value written in the
   * section, else the declared default, with the white space the host
   * ignores around it stripped, and parses it as the host's checks do
   * (booleans: yes/no, true/false, on/off, 1/0, in any case).  Each
   * returns 1 and sets `*value` when there is a value of that type; 0 when
   * the key has neither a value nor a default (`*value` untouched); -1
   * when the value is not of that type (only possible for a key not
   * declared with that type: the host checks declared keys before init). */
  int (*config_get_int)(void *host, const char *key, int64_t *value);
  int (*config_get_double)(void *host, const char *key, double *value);
  int (*config_get_bool)(void *host, const char *key, int *value);

  /** Since 1.1: from a callback about to fail, the reason (one line, cut
   * at 255 bytes) the host prints in its warning about that failure.  Call
   * it, then return a failure; a reason not followed by a failure is
   * dropped when the callback returns. */
  void (*fail_reason)(void *host, const char *reason);

  /* Statistics (since 1.1).  Call them from callbacks only, never from a
   * plugin's own thread; `i` counts from 0.  Each *_stats fills `out`
   * (whose struct_size the caller set) and returns 1, or returns 0 past
   * the end. */
  /** The host's started instances, in dispatch order. */
  size_t (*instance_count)(void *host);
  int (*instance_stats)(void *host, size_t i, thermos_instance_stats *out);
  /** The streams read now (opened, not yet closed), in no set order. */
  size_t (*stream_count)(void *host);
  int (*stream_stats)(void *host, size_t i, thermos_stream_stats *out);
} thermos_host_v1;

#if defined(__GNUC__) || defined(__clang__)
#define THERMOS_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define THERMOS_PRINTF(f, a)
#endif

/** printf-style logging through host->log (messages over 1 KiB are cut). */
static inline void thermos_logf(const thermos_host_v1 *host, int level,
                                const char *fmt, ...) THERMOS_PRINTF(3, 4);
static inline void thermos_logf(const thermos_host_v1 *host, int level,
                                const char *fmt, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  host->log(host->host, level, buf);
}

/* ------------------------------------------------------------------------
 * State helpers (since 1.1)
 * ------------------------------------------------------------------------ */

/** Since 1.1: the name of a process state ("RUNNING"), or NULL for a
 * value outside thermos_process_state. */
static inline const char *thermos_process_state_name(int32_t state) {
  static const char *const names[] = {"WAITING", "FORKED", "RUNNING", "SUCCESS",
                                      "KILLED",  "FAILED", "LOST"};
  if (state < 0 || (size_t)state >= sizeof names / sizeof names[0])
    return NULL;
  return names[state];
}

/** Since 1.1: the name of a task state ("ACTIVE"), or NULL for a value
 * outside thermos_task_state. */
static inline const char *thermos_task_state_name(int32_t state) {
  static const char *const names[] = {"ACTIVE",    "SUCCESS", "FAILED",
                                      "KILLED",    "LOST",    "CLEANING",
                                      "FINALIZING"};
  if (state < 0 || (size_t)state >= sizeof names / sizeof names[0])
    return NULL;
  return names[state];
}

/** Since 1.1: whether a process run in this state is over (SUCCESS,
 * FAILED, KILLED, LOST): a later update of the process starts a new run. */
static inline int thermos_process_state_is_terminal(int32_t state) {
  return state == THERMOS_PROCESS_SUCCESS || state == THERMOS_PROCESS_FAILED ||
         state == THERMOS_PROCESS_KILLED || state == THERMOS_PROCESS_LOST;
}

/** Since 1.1: whether a task in this state is over (SUCCESS, FAILED,
 * KILLED, LOST; not CLEANING or FINALIZING, where processes still run). */
static inline int thermos_task_state_is_terminal(int32_t state) {
  return state == THERMOS_TASK_SUCCESS || state == THERMOS_TASK_FAILED ||
         state == THERMOS_TASK_KILLED || state == THERMOS_TASK_LOST;
}

/* ------------------------------------------------------------------------
 * The plugin's table
 * ------------------------------------------------------------------------ */

/** A process-state-specific callback. */
typedef int (*thermos_process_fn)(void *ctx, const thermos_event *ev,
                                  const thermos_process_status *update);
/** A task-state-specific callback. */
typedef int (*thermos_task_fn)(void *ctx, const thermos_event *ev,
                               const thermos_task_status *update);

/*
 * What the `int` callbacks return (since 1.1; 1.0 said "0 on success,
 * non-zero on failure", which holds unchanged).  THERMOS_OK means the
 * callback did its work; any other value means it could not, and the
 * instance's `on_error` setting decides what follows.
 *
 * THERMOS_DISABLE_ME and THERMOS_RETRY_LATER are reserved: a later minor
 * may give them a meaning of their own (stop calling this instance; call
 * it again later), then only for a plugin whose min_host_minor is that
 * minor or more.  A 1.1 host treats them like any other non-zero value: a
 * failed callback, handled by `on_error`.  Do not return them for anything
 * else; the values 1000 to 1999 are reserved alike.
 *
 * Macros, so that a plugin that must also build against the 1.0 header
 * can say `#ifndef THERMOS_OK` / `#define THERMOS_OK 0`.
 */
#define THERMOS_OK 0             /**< since 1.1: success */
#define THERMOS_ERROR (-1)       /**< since 1.1: failure (as any non-zero) */
#define THERMOS_DISABLE_ME 1000  /**< since 1.1: reserved; a failure in 1.1 */
#define THERMOS_RETRY_LATER 1001 /**< since 1.1: reserved; a failure in 1.1 */

/**
 * What a plugin offers.  Every callback is optional (NULL: not
 * interested).  Every `int` callback returns THERMOS_OK (0) on success;
 * any other value means it could not do its work, and the instance's
 * `on_error` setting decides what follows (see THERMOS_OK above).  All
 * are called from one thread, never concurrently.
 */
typedef struct thermos_handler_v1 {
  uint32_t abi_major;   /**< THERMOS_HANDLER_ABI_MAJOR */
  uint32_t struct_size; /**< sizeof(thermos_handler_v1) as compiled */
  const char *name;     /**< short identifier, e.g. "logger"; non-empty */
  const char *version;  /**< the plugin's own version */
  /** Keys its INI section may hold, ended by {NULL}; NULL accepts any. */
  const thermos_option *options;

  /** Once per instance before the first event; 0 = ready.  On failure the
   * host does not call fini: clean up before returning. */
  int (*init)(const thermos_host_v1 *host, void **ctx);
  /** Once at shutdown, in reverse order; stop and join own threads. */
  void (*fini)(void *ctx);
  /** SIGHUP: reopen files (log rotation). */
  int (*reopen)(void *ctx);
  /** Periodic work, about once a second while following and once after
   * the last event; `now` is CLOCK_REALTIME in seconds. */
  int (*tick)(void *ctx, double now);

  /* Stream lifecycle. */
  /** Before a stream's first record: record 0, offset 0 and an empty
   * state, also when a cursor is used (the stream is read again from its
   * start, the records up to the cursor with history = 1). */
  int (*on_stream_open)(void *ctx, const thermos_event *ev);
  /** The stream stopped on an error; `reason` is the one-line reason. */
  int (*on_stream_error)(void *ctx, const thermos_event *ev,
                         const char *reason);
  /** Done (end of a replayed file, task over, shutdown; after an error
   * too); its state is freed after the call. */
  int (*on_stream_close)(void *ctx, const thermos_event *ev);

  /* UniversalStateHandler. */
  int (*on_initialization)(void *ctx, const thermos_event *ev,
                           const thermos_runner_header *header);
  int (*on_process_transition)(void *ctx, const thermos_event *ev,
                               int32_t state,
                               const thermos_process_status *update);
  int (*on_task_transition)(void *ctx, const thermos_event *ev, int32_t state,
                            const thermos_task_status *update);

  /* ProcessStateHandler: called after every instance's universal callback,
   * for the state the update moves the process to. */
  thermos_process_fn on_process_waiting;
  thermos_process_fn on_process_forked;
  thermos_process_fn on_process_running;
  thermos_process_fn on_process_success;
  thermos_process_fn on_process_failed;
  thermos_process_fn on_process_lost;
  thermos_process_fn on_process_killed;

  /* TaskStateHandler: likewise; a state outside the enum reaches the
   * universal callback only. */
  thermos_task_fn on_task_active;
  thermos_task_fn on_task_cleaning;
  thermos_task_fn on_task_finalizing;
  thermos_task_fn on_task_success;
  thermos_task_fn on_task_failed;
  thermos_task_fn on_task_killed;
  thermos_task_fn on_task_lost;

  /* ---- since 1.1 ---- */

  /** Since 1.1: the oldest host minor this plugin needs, 0 for any host
   * of major 1.  A host of an older minor refuses the plugin at load,
   * naming both versions, before it reads anything else of the table
   * (a 1.0 host, which knows nothing of it, reads the 1.0 members only:
   * a plugin that needs 1.1 checks the host's abi_minor in init too). */
  uint32_t min_host_minor;

  /** Since 1.1: the keys its INI section may hold, with flags and ranges,
   * as an array of pointers ended by NULL.  When set, the host uses it
   * and ignores `options`; a 1.0 host, which does not know it, uses
   * `options` (so a plugin that must also run there sets both). */
  const thermos_option_ex *const *options_ex;
} thermos_handler_v1;

/** The smallest plugin table a host of major 1 accepts (that of 1.0: up to
 * and with on_task_lost). */
#define THERMOS_HANDLER_V1_0_SIZE                                              \
  (offsetof(thermos_handler_v1, on_task_lost) + sizeof(thermos_task_fn))

/** The entry symbol's name, for hosts and tests. */
#define THERMOS_HANDLER_ENTRY "thermos_handler_v1_entry"

/* Keeps the entry symbol visible when a plugin is built with
 * -fvisibility=hidden (as it should be: it exports nothing else). */
#if defined(__GNUC__) || defined(__clang__)
#define THERMOS_EXPORT __attribute__((visibility("default")))
#else
#define THERMOS_EXPORT
#endif

/** Each plugin exports this one symbol, returning its table (static
 * storage; the host never frees it). */
THERMOS_EXPORT const thermos_handler_v1 *thermos_handler_v1_entry(void);

#ifdef __cplusplus
}
#endif

#endif /* THERMOS_HANDLER_H */
