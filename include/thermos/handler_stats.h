/*
 * <thermos/handler_stats.h>: what the host counts of its instances and streams
 * (since 1.1), read through the host table's statistics readers. Part of the
 * thermos-dispatch handler ABI 1.1: include <thermos/handler.h>, which includes
 * this header; its rules (growth, values, lifetimes) hold here too.
 */
#ifndef THERMOS_HANDLER_STATS_H
#define THERMOS_HANDLER_STATS_H

#include <stddef.h>
#include <stdint.h>

#include <thermos/handler_data.h>

#ifdef __cplusplus
extern "C" {
#endif

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

#ifdef __cplusplus
}
#endif

#endif /* THERMOS_HANDLER_STATS_H */
