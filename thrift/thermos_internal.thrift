/*
 * The Thermos checkpoint schema: the wire format of every record of a
 * checkpoint stream.  Field ids and types are those Thermos writes and must
 * never change.  Every field is optional: writers send only the fields they
 * have, and the c_glib generator would otherwise write every field.
 */
namespace c_glib thermos

enum ProcessState {
  WAITING = 0,
  FORKED = 1,
  RUNNING = 2,
  SUCCESS = 3,
  KILLED = 4,
  FAILED = 5,
  LOST = 6
}

enum TaskState {
  ACTIVE = 0,
  SUCCESS = 1,
  FAILED = 2,
  KILLED = 3,
  LOST = 4,
  CLEANING = 5,
  FINALIZING = 6
}

struct ProcessStatus {
  1: optional i64 seq
  3: optional string process
  5: optional ProcessState state
  10: optional i32 coordinator_pid
  11: optional double fork_time
  6: optional double start_time
  7: optional i32 pid
  8: optional double stop_time
  9: optional i32 return_code
}

struct TaskStatus {
  1: optional TaskState state
  2: optional i64 timestamp_ms
  3: optional i32 runner_pid
  4: optional i32 runner_uid
}

struct RunnerHeader {
  1: optional string task_id
  2: optional i64 launch_time_ms
  3: optional string sandbox
  7: optional string log_dir
  4: optional string hostname
  5: optional string user
  8: optional i32 uid
  6: optional map<string, i64> ports
}

union RunnerCkpt {
  1: optional RunnerHeader runner_header
  2: optional ProcessStatus process_status
  3: optional TaskStatus task_status
}

struct RunnerState {
  1: optional RunnerHeader header
  2: optional list<TaskStatus> statuses
  3: optional map<string, list<ProcessStatus>> processes
}
