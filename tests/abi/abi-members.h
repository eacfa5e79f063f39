/* Every member of ABI 1.0's structs, as an X-macro list: X(type, member).
 * tests/abi/layout-1.0.c computes their offsets under the frozen 1.0
 * header (tests/abi/1.0), tests/test-abi-layout.c under the current one,
 * and compares: a member of 1.0 never moves, on any platform.  Not
 * installed; for the tests only. */
#ifndef TD_ABI_MEMBERS_H
#define TD_ABI_MEMBERS_H

#include <stddef.h>

#define TD_ABI_1_0_MEMBERS(X)                                                  \
  X(thermos_str, data)                                                         \
  X(thermos_str, len)                                                          \
  X(thermos_process_status, present)                                           \
  X(thermos_process_status, seq)                                               \
  X(thermos_process_status, process)                                           \
  X(thermos_process_status, state)                                             \
  X(thermos_process_status, coordinator_pid)                                   \
  X(thermos_process_status, fork_time)                                         \
  X(thermos_process_status, start_time)                                        \
  X(thermos_process_status, pid)                                               \
  X(thermos_process_status, stop_time)                                         \
  X(thermos_process_status, return_code)                                       \
  X(thermos_task_status, present)                                              \
  X(thermos_task_status, state)                                                \
  X(thermos_task_status, timestamp_ms)                                         \
  X(thermos_task_status, runner_pid)                                           \
  X(thermos_task_status, runner_uid)                                           \
  X(thermos_port, name)                                                        \
  X(thermos_port, port)                                                        \
  X(thermos_runner_header, present)                                            \
  X(thermos_runner_header, task_id)                                            \
  X(thermos_runner_header, sandbox)                                            \
  X(thermos_runner_header, log_dir)                                            \
  X(thermos_runner_header, hostname)                                           \
  X(thermos_runner_header, user)                                               \
  X(thermos_runner_header, launch_time_ms)                                     \
  X(thermos_runner_header, uid)                                                \
  X(thermos_runner_header, n_ports)                                            \
  X(thermos_runner_header, ports)                                              \
  X(thermos_event, struct_size)                                                \
  X(thermos_event, source)                                                     \
  X(thermos_event, task_id)                                                    \
  X(thermos_event, record)                                                     \
  X(thermos_event, offset)                                                     \
  X(thermos_event, history)                                                    \
  X(thermos_event, state)                                                      \
  X(thermos_option, key)                                                       \
  X(thermos_option, type)                                                      \
  X(thermos_option, default_value)                                             \
  X(thermos_option, help)                                                      \
  X(thermos_option, choices)                                                   \
  X(thermos_host_v1, abi_major)                                                \
  X(thermos_host_v1, struct_size)                                              \
  X(thermos_host_v1, host)                                                     \
  X(thermos_host_v1, mode)                                                     \
  X(thermos_host_v1, instance)                                                 \
  X(thermos_host_v1, log)                                                      \
  X(thermos_host_v1, config_get)                                               \
  X(thermos_host_v1, config_foreach)                                           \
  X(thermos_host_v1, config_error)                                             \
  X(thermos_host_v1, header)                                                   \
  X(thermos_host_v1, task_status_count)                                        \
  X(thermos_host_v1, task_status)                                              \
  X(thermos_host_v1, process_count)                                            \
  X(thermos_host_v1, process_name)                                             \
  X(thermos_host_v1, process_run_count)                                        \
  X(thermos_host_v1, process_run)                                              \
  X(thermos_handler_v1, abi_major)                                             \
  X(thermos_handler_v1, struct_size)                                           \
  X(thermos_handler_v1, name)                                                  \
  X(thermos_handler_v1, version)                                               \
  X(thermos_handler_v1, options)                                               \
  X(thermos_handler_v1, init)                                                  \
  X(thermos_handler_v1, fini)                                                  \
  X(thermos_handler_v1, reopen)                                                \
  X(thermos_handler_v1, tick)                                                  \
  X(thermos_handler_v1, on_stream_open)                                        \
  X(thermos_handler_v1, on_stream_error)                                       \
  X(thermos_handler_v1, on_stream_close)                                       \
  X(thermos_handler_v1, on_initialization)                                     \
  X(thermos_handler_v1, on_process_transition)                                 \
  X(thermos_handler_v1, on_task_transition)                                    \
  X(thermos_handler_v1, on_process_waiting)                                    \
  X(thermos_handler_v1, on_process_forked)                                     \
  X(thermos_handler_v1, on_process_running)                                    \
  X(thermos_handler_v1, on_process_success)                                    \
  X(thermos_handler_v1, on_process_failed)                                     \
  X(thermos_handler_v1, on_process_lost)                                       \
  X(thermos_handler_v1, on_process_killed)                                     \
  X(thermos_handler_v1, on_task_active)                                        \
  X(thermos_handler_v1, on_task_cleaning)                                      \
  X(thermos_handler_v1, on_task_finalizing)                                    \
  X(thermos_handler_v1, on_task_success)                                       \
  X(thermos_handler_v1, on_task_failed)                                        \
  X(thermos_handler_v1, on_task_killed)                                        \
  X(thermos_handler_v1, on_task_lost)

/* Every struct of 1.0: the data structs keep their size in 1.1; the two
 * tables grew. */
#define TD_ABI_1_0_STRUCTS(X)                                                  \
  X(thermos_str)                                                               \
  X(thermos_process_status)                                                    \
  X(thermos_task_status)                                                       \
  X(thermos_port)                                                              \
  X(thermos_runner_header)                                                     \
  X(thermos_event)                                                             \
  X(thermos_option)                                                            \
  X(thermos_host_v1)                                                           \
  X(thermos_handler_v1)

/* tests/abi/layout-1.0.c: the offsets (in TD_ABI_1_0_MEMBERS' order) and
 * sizes (TD_ABI_1_0_STRUCTS') under the 1.0 header, and its
 * THERMOS_HANDLER_V1_0_SIZE. */
extern const size_t td_abi_1_0_offsets[];
extern const size_t td_abi_1_0_n_offsets;
extern const size_t td_abi_1_0_sizes[];
extern const size_t td_abi_1_0_n_sizes;
extern const size_t td_abi_1_0_handler_size;

#endif
