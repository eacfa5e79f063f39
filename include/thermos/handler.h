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

/* The parts of the ABI, each in a header of its own. */
#include <thermos/handler_data.h>
#include <thermos/handler_options.h>
#include <thermos/handler_states.h>
#include <thermos/handler_stats.h>

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
