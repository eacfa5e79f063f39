/*
 * <thermos/testkit.h>: the thermos-dispatch plugin test kit.
 *
 * A unit test of a handler plugin runs the plugin inside the host's own
 * code, in the test's process: the option checks, the decoder, the state
 * machine and the dispatcher of thermos-dispatch (linked from
 * libthermos-testkit), so the events, states, callback order and messages
 * a test sees are the host's by construction, not a fake's.
 *
 *   thermos_testkit *kit = thermos_testkit_new();
 *   thermos_testkit_use(kit, thermos_handler_v1_entry());  // or _load(.so)
 *   thermos_testkit_set_option(kit, "min_failures", "0");
 *   thermos_testkit_init(kit);
 *   thermos_testkit_open(kit, "/var/run/thermos/checkpoints/t1/runner");
 *   thermos_testkit_feed_record(kit, thermos_testkit_header("t1"));
 *   thermos_testkit_feed_record(
 *       kit, thermos_testkit_process("p1", THERMOS_PROCESS_WAITING, 0));
 *   thermos_testkit_close(kit);
 *   // thermos_testkit_line(kit, 0): what the plugin logged on close
 *   thermos_testkit_free(kit);  // fini, if init succeeded
 *
 * Build a test with `pkg-config --cflags --libs thermos-testkit`.
 *
 * Lines.  Everything the host would print on its standard error while the
 * kit runs (the plugin's log lines, config_error() lines, option and load
 * refusals, stream errors, failure warnings) is captured instead, one
 * entry per line, exactly as the host prints it: with its
 * "thermos-dispatch: " prefix and without the newline.  The capture is
 * process-wide (the host reports through one channel): the kit made last
 * captures, until it is freed.  Use one kit at a time.
 *
 * Results.  The functions returning int return one of
 * thermos_testkit_result; each failure has its line(s) captured, except
 * THERMOS_TESTKIT_MISUSE, which is a mistake in the test itself (a call
 * out of order, a NULL argument).
 *
 * Threads.  Call the kit from one thread.  A plugin's own threads may log
 * (host->log) while the kit runs: their lines are captured too.
 *
 * Stability: the kit's types are opaque and only grow by new functions;
 * it follows the handler ABI of <thermos/handler.h> it is installed with.
 */
#ifndef THERMOS_TESTKIT_H
#define THERMOS_TESTKIT_H

#include <stddef.h>
#include <stdint.h>

#include <thermos/handler.h>

#ifdef __cplusplus
extern "C" {
#endif

/** One plugin instance run by the host's code, and what it printed. */
typedef struct thermos_testkit thermos_testkit;

/** A record built in C, for thermos_testkit_feed_record. */
typedef struct thermos_testkit_record thermos_testkit_record;

/** What a call of the kit did. */
enum thermos_testkit_result {
  /** Done: loaded, initialised, or every record dispatched. */
  THERMOS_TESTKIT_OK = 0,
  /** The plugin was refused at load (the host's reason is captured). */
  THERMOS_TESTKIT_LOAD_ERROR = 1,
  /** The options or init were refused (the host's lines are captured;
   * `replay` would exit 78). */
  THERMOS_TESTKIT_CONFIG_ERROR = 2,
  /** The input could not be read: a file that does not open, a JSON line
   * that does not parse (captured, "SOURCE: line N: REASON"); nothing was
   * dispatched for it. */
  THERMOS_TESTKIT_INPUT_ERROR = 3,
  /** The stream stopped on a bad record (a framing, decoding or state
   * machine error): reported, on_stream_error called, as the host does
   * (`replay` would exit 65).  thermos_testkit_stream_error() says why.
   * A stream that stopped reads no more records. */
  THERMOS_TESTKIT_STREAM_ERROR = 4,
  /** An instance with on_error = abort failed: the host would stop (exit
   * 70); nothing more is dispatched by this kit. */
  THERMOS_TESTKIT_ABORTED = 5,
  /** A call out of order or with a bad argument: the test's own mistake. */
  THERMOS_TESTKIT_MISUSE = 6
};

/* ------------------------------------------------------------------------
 * The kit and its instance
 * ------------------------------------------------------------------------ */

/** A kit: mode THERMOS_MODE_REPLAY, truncate off, history 0, log level
 * THERMOS_LOG_INFO (the host's defaults), no plugin yet.  Starts capturing
 * the host's lines.  NULL only when out of memory. */
thermos_testkit *thermos_testkit_new(void);

/** Calls fini if init succeeded (as thermos_testkit_fini), frees the kit
 * and everything it holds, and stops capturing.  NULL is allowed. */
void thermos_testkit_free(thermos_testkit *kit);

/** Loads a plugin file with the host's checks of `-p PATH` (the trusted
 * path, every symbol resolvable, the ABI handshake, the option types).
 * The instance is named after the file, as with `-p`.  Once per kit. */
int thermos_testkit_load(thermos_testkit *kit, const char *so_path);

/** Takes the table of a plugin linked into the test (its
 * thermos_handler_v1_entry()), with the host's checks of a table (ABI
 * handshake, minimum minor, size, name, option types).  The instance is
 * named after the table's `name`.  Once per kit. */
int thermos_testkit_use(thermos_testkit *kit, const thermos_handler_v1 *table);

/** Names the instance (`[plugin:NAME]`; host->instance), before init. */
int thermos_testkit_set_name(thermos_testkit *kit, const char *instance);

/**
 * Sets one key of the instance's section, after load or use and before
 * init, as
 * `-o NAME.KEY=VALUE` does: the value as given (no white space stripped),
 * a later value of the same key replacing the earlier, and messages naming
 * it "-o:N" where N counts the calls from 1.  The host's own key
 * `on_error` (continue|disable|abort) is taken too, and checked as the
 * host does.
 */
int thermos_testkit_set_option(thermos_testkit *kit, const char *key,
                               const char *value);

/** host->mode (a thermos_mode), before init.  Default REPLAY. */
int thermos_testkit_set_mode(thermos_testkit *kit, int mode);

/** Truncate mode (`--truncate`): host->truncate, and the state keeps only
 * the latest task status and run of each process.  Before init. */
int thermos_testkit_set_truncate(thermos_testkit *kit, int truncate);

/** The host's log threshold (`[host] log_level`, a thermos_log_level):
 * lines above it are not printed (nor captured).  Before init. */
int thermos_testkit_set_log_level(thermos_testkit *kit, int level);

/** The `history` flag of the events of the records fed from now on (0 or
 * 1), also for a stream open now.  Default 0, as in `replay`. */
int thermos_testkit_set_history(thermos_testkit *kit, int history);

/**
 * Checks the options exactly as the host does (unknown keys listing the
 * accepted ones, values against their declared types, flags and ranges),
 * then calls the plugin's init with the host's table.  Returns
 * THERMOS_TESTKIT_CONFIG_ERROR, with the host's lines captured, when a
 * check fails, init fails, or init called config_error().
 */
int thermos_testkit_init(thermos_testkit *kit);

/**
 * What `replay` does when its plugins are done: for a stream still open,
 * on_stream_close; the line saying how many callbacks failed (when any
 * did); then the plugin's fini.  Called by thermos_testkit_free if not
 * before.  Returns OK, or ABORTED after an abort.
 */
int thermos_testkit_fini(thermos_testkit *kit);

/* ------------------------------------------------------------------------
 * Feeding streams
 * ------------------------------------------------------------------------ */

/**
 * A whole checkpoint file, as `replay FILE` reads it: on_stream_open, every
 * record (the file's path is the events' source; a
 * `.../checkpoints/ID/runner` path gives the task id), the error that
 * stops it if any (a torn last record is an error, as without
 * `--tolerate-torn-tail`), on_stream_close.
 */
int thermos_testkit_feed_file(thermos_testkit *kit, const char *path);

/**
 * Opens a stream named `source` (what ev->source says; a
 * `.../checkpoints/ID/runner` name gives the task id, as a path does) and
 * calls on_stream_open.  The records fed next go to it, each one framed,
 * decoded, applied to the stream's state and dispatched by the host's code
 * before the call returns.  One such stream at a time.
 */
int thermos_testkit_open(thermos_testkit *kit, const char *source);

/** Calls on_stream_close for the open stream, and forgets it. */
int thermos_testkit_close(thermos_testkit *kit);

/**
 * Records in the JSON form `thermos-dispatch dump` prints (or the logger's
 * JSON event lines, as `encode` takes): one or more lines, blank ones
 * skipped.  Each line is one record of the open stream.  A line that does
 * not parse is THERMOS_TESTKIT_INPUT_ERROR ("SOURCE: line N: REASON", N
 * counting the stream's JSON lines), the lines before it dispatched.
 */
int thermos_testkit_feed_json(thermos_testkit *kit, const char *lines);

/** One record's bytes: a Thrift RunnerCkpt (binary protocol) without the
 * 4-byte length prefix, which the kit adds. */
int thermos_testkit_feed_raw(thermos_testkit *kit, const void *body,
                             size_t len);

/** One record built with the helpers below.  Takes `rec` (frees it), also
 * on failure. */
int thermos_testkit_feed_record(thermos_testkit *kit,
                                thermos_testkit_record *rec);

/** Calls tick(now) once, as `replay` does after its last stream. */
int thermos_testkit_tick(thermos_testkit *kit, double now);

/** Calls reopen, as SIGHUP does. */
int thermos_testkit_reopen(thermos_testkit *kit);

/* ------------------------------------------------------------------------
 * Records built in C
 *
 * Each constructor sets the fields it names, the setters one more field
 * each and return `rec` (so calls nest); nothing else is on the wire.  A
 * setter of another kind of record (a pid on a header) makes the record
 * invalid: feeding it is THERMOS_TESTKIT_MISUSE.  Strings are copied.
 * The state machine checks records as the host does: a RUNNING update
 * without start_time and pid, for one, stops the stream with "missing
 * field start_time".
 * ------------------------------------------------------------------------ */

/** A RunnerHeader with its task_id. */
thermos_testkit_record *thermos_testkit_header(const char *task_id);
thermos_testkit_record *
thermos_testkit_header_set_launch_time_ms(thermos_testkit_record *rec,
                                          int64_t ms);
thermos_testkit_record *
thermos_testkit_header_set_sandbox(thermos_testkit_record *rec,
                                   const char *sandbox);
thermos_testkit_record *
thermos_testkit_header_set_log_dir(thermos_testkit_record *rec,
                                   const char *log_dir);
thermos_testkit_record *
thermos_testkit_header_set_hostname(thermos_testkit_record *rec,
                                    const char *hostname);
thermos_testkit_record *
thermos_testkit_header_set_user(thermos_testkit_record *rec, const char *user);
thermos_testkit_record *
thermos_testkit_header_set_uid(thermos_testkit_record *rec, int32_t uid);
/** Adds one named port (the ports map). */
thermos_testkit_record *
thermos_testkit_header_add_port(thermos_testkit_record *rec, const char *name,
                                int64_t port);

/** A TaskStatus with its state (a thermos_task_state) and timestamp. */
thermos_testkit_record *thermos_testkit_task(int32_t state,
                                             int64_t timestamp_ms);
thermos_testkit_record *
thermos_testkit_task_set_runner_pid(thermos_testkit_record *rec, int32_t pid);
thermos_testkit_record *
thermos_testkit_task_set_runner_uid(thermos_testkit_record *rec, int32_t uid);

/** A ProcessStatus of process `name` with its state (a
 * thermos_process_state) and sequence number. */
thermos_testkit_record *thermos_testkit_process(const char *name, int32_t state,
                                                int64_t seq);
thermos_testkit_record *
thermos_testkit_process_set_fork_time(thermos_testkit_record *rec,
                                      double seconds);
thermos_testkit_record *
thermos_testkit_process_set_coordinator_pid(thermos_testkit_record *rec,
                                            int32_t pid);
thermos_testkit_record *
thermos_testkit_process_set_start_time(thermos_testkit_record *rec,
                                       double seconds);
thermos_testkit_record *
thermos_testkit_process_set_pid(thermos_testkit_record *rec, int32_t pid);
thermos_testkit_record *
thermos_testkit_process_set_stop_time(thermos_testkit_record *rec,
                                      double seconds);
thermos_testkit_record *
thermos_testkit_process_set_return_code(thermos_testkit_record *rec,
                                        int32_t code);

/** Frees a record not fed.  NULL is allowed. */
void thermos_testkit_record_free(thermos_testkit_record *rec);

/* ------------------------------------------------------------------------
 * What happened
 * ------------------------------------------------------------------------ */

/** The lines captured so far (see "Lines" above). */
size_t thermos_testkit_line_count(const thermos_testkit *kit);
/** The i-th line, from 0; NULL past the end.  Valid until the next call
 * that feeds, inits, clears or frees. */
const char *thermos_testkit_line(const thermos_testkit *kit, size_t i);
/** Forgets the lines captured so far. */
void thermos_testkit_clear_lines(thermos_testkit *kit);
/** Also writes each captured line to standard error (1), for debugging a
 * test; default 0. */
void thermos_testkit_set_echo(thermos_testkit *kit, int echo);

/** The reason of the last stream error (what on_stream_error received),
 * or NULL when no stream stopped on an error. */
const char *thermos_testkit_stream_error(const thermos_testkit *kit);

/** The instance's callbacks that did not return THERMOS_OK, all told
 * (what `replay` counts in its closing warning). */
uint64_t thermos_testkit_failures(const thermos_testkit *kit);
/** Transitions delivered to the instance (host statistics' `events`). */
uint64_t thermos_testkit_events(const thermos_testkit *kit);
/** 1 once on_error = disable stopped calling the instance, else 0. */
int thermos_testkit_disabled(const thermos_testkit *kit);
/** The context the plugin's init returned (NULL before init). */
void *thermos_testkit_context(const thermos_testkit *kit);

#ifdef __cplusplus
}
#endif

#endif /* THERMOS_TESTKIT_H */
