/* The crash record of the state directory: which instance crashed on
 * which record, under which configuration, how many times in a row.  It is
 * written by the fatal-signal handler (crash_guard.c), so everything here
 * that the handler uses is async-signal-safe: fixed-size fields, no
 * allocation. */
#ifndef TD_CRASH_RECORD_H
#define TD_CRASH_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"

/** The record's file in the state directory, and the temporary name it is
 * written under before being renamed (neither can be a cursor's name: those
 * end in ".cursor"). */
#define TD_CRASH_FILE "crash-record"
#define TD_CRASH_TEMP "crash-record.tmp"
#define TD_CRASH_MAGIC "TDCRASH1"

typedef struct td_crash_record {
  char magic[8];
  uint32_t count; /**< crashes in a row on this record, 1 or more */
  int32_t signal;
  uint64_t record;
  uint64_t offset;
  uint64_t fingerprint;   /**< of the instance's configuration */
  uint64_t instance_hash; /**< of its whole name (the field may be cut) */
  uint64_t source_hash;   /**< of the whole stream path; 0 with no stream */
  uint32_t has_source;
  uint32_t reserved;
  char instance[256]; /**< NUL-terminated, cut if longer */
  char callback[32];
  char source[1024];
  uint64_t checksum; /**< of everything above */
} td_crash_record;

/** FNV-1a, continued from `h` (start with TD_FNV_START). */
#define TD_FNV_START 0xcbf29ce484222325ull
static inline uint64_t td_fnv1a(uint64_t h, const void *data, size_t len) {
  const unsigned char *p = data;
  for (size_t i = 0; i < len; i++) {
    h ^= p[i];
    h *= 0x100000001b3ull;
  }
  return h;
}

/** Sets the magic and the checksum (async-signal-safe). */
void td_crash_record_seal(td_crash_record *r);

/** What was found in the state directory at start. */
typedef enum td_crash_found {
  TD_CRASH_NONE,   /**< no record */
  TD_CRASH_SOUND,  /**< a record, `*r` set */
  TD_CRASH_DAMAGED /**< unreadable or damaged: `*why` (static text or
                        strerror) says what */
} td_crash_found;

/** Reads the record from the directory `dirfd`. */
td_crash_found td_crash_record_load(int dirfd, td_crash_record *r,
                                    const char **why);

/** The fingerprint of an instance's configuration: its name, module or
 * path, on_error and every key = value of its section, in order. */
uint64_t td_crash_fingerprint(const td_instance_conf *ic);

/** The hash of a whole string, as the record keeps it (0 for NULL;
 * async-signal-safe). */
uint64_t td_crash_string_hash(const char *s);

/** The name of a fatal signal ("SIGSEGV"), or NULL. */
const char *td_crash_signal_name(int sig);

#endif
