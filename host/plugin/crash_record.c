/*
 * The crash record's format, its checksum (the cursors' FNV-1a), reading it
 * at start, and the fingerprint that ties it to a configuration.
 */
#include "crash_record.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

static uint64_t checksum_of(const td_crash_record *r) {
  return td_fnv1a(TD_FNV_START, r, offsetof(td_crash_record, checksum));
}

void td_crash_record_seal(td_crash_record *r) {
  /* No memcpy or strlen: called from a signal handler. */
  for (size_t i = 0; i < sizeof r->magic; i++)
    r->magic[i] = TD_CRASH_MAGIC[i];
  r->reserved = 0;
  r->checksum = checksum_of(r);
}

static bool terminated(const char *s, size_t size) {
  return memchr(s, '\0', size) != NULL;
}

td_crash_found td_crash_record_load(int dirfd, td_crash_record *r,
                                    const char **why) {
  /* A link planted in the directory is not followed, a FIFO not waited
   * on (it reads as empty: damaged). */
  int fd = openat(dirfd, TD_CRASH_FILE,
                  O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT)
      return TD_CRASH_NONE;
    *why = g_strerror(errno);
    return TD_CRASH_DAMAGED;
  }
  td_crash_record extra[2];
  ssize_t n = read(fd, extra, sizeof extra);
  int err = errno;
  close(fd);
  if (n < 0) {
    *why = g_strerror(err);
    return TD_CRASH_DAMAGED;
  }
  *r = extra[0];
  if ((size_t)n != sizeof *r ||
      memcmp(r->magic, TD_CRASH_MAGIC, sizeof r->magic) != 0 ||
      r->reserved != 0 || r->checksum != checksum_of(r) || r->count == 0 ||
      r->has_source > 1 || !td_crash_signal_name(r->signal) ||
      !terminated(r->instance, sizeof r->instance) ||
      !terminated(r->callback, sizeof r->callback) ||
      !terminated(r->source, sizeof r->source)) {
    *why = "damaged crash record";
    return TD_CRASH_DAMAGED;
  }
  return TD_CRASH_SOUND;
}

/* Each string with its terminating NUL, so that "ab"+"c" and "a"+"bc"
 * differ. */
static uint64_t mix(uint64_t h, const char *s) {
  return td_fnv1a(h, s ? s : "", s ? strlen(s) + 1 : 1);
}

uint64_t td_crash_fingerprint(const td_instance_conf *ic) {
  uint64_t h = mix(TD_FNV_START, ic->name);
  h = mix(h, ic->path ? "path" : "module");
  h = mix(h, ic->path ? ic->path : ic->module);
  char on_error = (char)('0' + (int)ic->on_error);
  h = td_fnv1a(h, &on_error, 1);
  for (guint i = 0; i < ic->settings->len; i++) {
    const td_setting *s = g_ptr_array_index(ic->settings, i);
    h = mix(h, s->key);
    h = mix(h, s->value);
  }
  return h;
}

uint64_t td_crash_string_hash(const char *s) {
  if (!s)
    return 0;
  uint64_t h = TD_FNV_START;
  for (const char *c = s; *c; c++)
    h = td_fnv1a(h, c, 1);
  return h ? h : 1; /* 0 is "no stream" */
}

const char *td_crash_signal_name(int sig) {
  switch (sig) {
  case SIGSEGV:
    return "SIGSEGV";
  case SIGBUS:
    return "SIGBUS";
  case SIGFPE:
    return "SIGFPE";
  case SIGILL:
    return "SIGILL";
  case SIGABRT:
    return "SIGABRT";
  default:
    return NULL;
  }
}
