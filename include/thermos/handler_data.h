/*
 * <thermos/handler_data.h>: the data a plugin is handed: strings, process and
 * task states, the process and task statuses and the runner header. Part of the
 * thermos-dispatch handler ABI 1.1: include <thermos/handler.h>, which includes
 * this header; its rules (growth, values, lifetimes) hold here too.
 */
#ifndef THERMOS_HANDLER_DATA_H
#define THERMOS_HANDLER_DATA_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

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

#ifdef __cplusplus
}
#endif

#endif /* THERMOS_HANDLER_DATA_H */
