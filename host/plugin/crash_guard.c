/*
 * The fatal-signal handler and the crash record's life in the state
 * directory.
 *
 * The handler runs in a process that may be corrupt: it uses write(2),
 * openat, fsync, renameat, sigaction and raise only, formats numbers by
 * hand, touches no stdio, malloc or GLib, and reads only what was set up
 * before (the site the dispatcher writes around every callback, the
 * directory's descriptor, the record read at start, the instances'
 * fingerprints).  It runs on its own stack, so that a plugin that overflows
 * its stack is named too.  Then it restores the default action and raises
 * the signal again: the exit status (128 + signal in a shell) and the core
 * dump are what they would have been without it.
 */
#include "crash_guard.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <glib.h>

#include "core/diag.h"
#include "core/dispatcher.h"
#include "crash_record.h"

static const int FATAL[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};

/* An instance the crash record may name: the name's address is the one
 * the site holds (td_target.name and the init/fini site). */
typedef struct guarded {
  const char *name;
  uint64_t fingerprint;
} guarded;

static struct {
  bool installed;
  long main_tid;      /* the thread that dispatches */
  int dirfd;          /* the state directory, or -1 */
  char *dir;          /* its name, for messages */
  bool loaded;        /* `record` was read at start */
  bool disabled_some; /* it disabled an instance */
  bool named_one;     /* it names an instance configured as it is now */
  td_crash_record record;
  guarded *table; /* sized at open, never moved while the handler may run */
  size_t cap;
  volatile size_t len;
  volatile sig_atomic_t handling;
} guard = {.dirfd = -1};

/* ---- the handler's writing, by hand -------------------------------------- */

typedef struct line {
  char buf[8192];
  size_t len;
} line;

static void put_c(line *l, char c) {
  if (l->len < sizeof l->buf - 1) /* room for the newline */
    l->buf[l->len++] = c;
}

/* A name or a path, bytes outside printable ASCII as \xHH (a newline in a
 * task id must not forge a line of the log). */
static void put_s(line *l, const char *s) {
  static const char HEX[] = "0123456789abcdef";
  for (; s && *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c >= 0x20 && c < 0x7f) {
      put_c(l, (char)c);
    } else {
      put_c(l, '\\');
      put_c(l, 'x');
      put_c(l, HEX[c >> 4]);
      put_c(l, HEX[c & 15]);
    }
  }
}

static void put_u(line *l, uint64_t n) {
  char digits[20];
  size_t k = 0;
  do {
    digits[k++] = (char)('0' + n % 10);
    n /= 10;
  } while (n);
  while (k)
    put_c(l, digits[--k]);
}

static void write_all(int fd, const char *p, size_t n) {
  while (n) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      return;
    p += w;
    n -= (size_t)w;
  }
}

static void copy_cut(char *dst, size_t size, const char *src) {
  size_t i = 0;
  for (; src && src[i] && i < size - 1; i++)
    dst[i] = src[i];
  for (; i < size; i++)
    dst[i] = '\0';
}

static uint64_t fingerprint_of(const char *name) {
  for (size_t i = 0; i < guard.len; i++)
    if (guard.table[i].name == name)
      return guard.table[i].fingerprint;
  return 0;
}

/* The crash record for the callback at `site`, written under a temporary
 * name and renamed: a crash while writing leaves the old record whole.
 * Returns 0, or the errno of what failed. */
static int save_record(int sig, const volatile td_callback_site *site) {
  td_crash_record r;
  char *p = (char *)&r;
  for (size_t i = 0; i < sizeof r; i++)
    p[i] = 0;
  r.signal = sig;
  r.record = site->record;
  r.offset = site->offset;
  r.fingerprint = fingerprint_of(site->instance);
  r.instance_hash = td_crash_string_hash(site->instance);
  r.source_hash = td_crash_string_hash(site->source);
  r.has_source = site->source != NULL;
  copy_cut(r.instance, sizeof r.instance, site->instance);
  copy_cut(r.callback, sizeof r.callback, site->callback);
  copy_cut(r.source, sizeof r.source, site->source);
  const td_crash_record *old = &guard.record;
  bool again = guard.loaded && old->instance_hash == r.instance_hash &&
               old->source_hash == r.source_hash && old->record == r.record &&
               old->fingerprint == r.fingerprint;
  r.count = again && old->count < UINT32_MAX ? old->count + 1 : 1;
  td_crash_record_seal(&r);
  /* O_NOFOLLOW, O_NONBLOCK: a link or a FIFO planted under the temporary
   * name is refused, never followed or waited on. */
  int fd = openat(
      guard.dirfd, TD_CRASH_TEMP,
      O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
  if (fd < 0)
    return errno;
  ssize_t w = write(fd, &r, sizeof r);
  int err = w == (ssize_t)sizeof r ? 0 : (w < 0 ? errno : ENOSPC);
  if (!err && fsync(fd) != 0)
    err = errno;
  close(fd);
  if (!err &&
      renameat(guard.dirfd, TD_CRASH_TEMP, guard.dirfd, TD_CRASH_FILE) != 0)
    err = errno;
  if (!err)
    fsync(guard.dirfd);
  return err;
}

static void report(int sig, const siginfo_t *info) {
  line l;
  l.len = 0;
  const char *name = td_crash_signal_name(sig);
  /* A signal sent by another process (kill -SEGV) is no plugin's fault:
   * said as such, and no crash record. */
  bool sent = info && info->si_code == SI_USER && info->si_pid != getpid();
  /* The site is the dispatching thread's: a plugin's own thread crashing
   * is outside any callback, whatever the dispatcher does meanwhile. */
  bool dispatcher = syscall(SYS_gettid) == guard.main_tid;
  const volatile td_callback_site *site = &td_current_callback;
  const char *instance = dispatcher ? site->instance : NULL;
  put_s(&l, TD_PROGRAM ": ");
  if (instance) {
    put_s(&l, instance);
    put_s(&l, ": ");
  }
  if (sent) {
    put_s(&l, "killed by ");
    put_s(&l, name);
    put_s(&l, " from process ");
    put_u(&l, (uint64_t)info->si_pid);
  } else {
    put_s(&l, "crashed with ");
    put_s(&l, name);
  }
  if (!instance) {
    put_s(&l, " outside any plugin callback");
  } else {
    put_s(&l, " in ");
    put_s(&l, site->callback);
    if (site->source) {
      put_s(&l, " at ");
      put_s(&l, site->source);
      put_s(&l, " record ");
      put_u(&l, site->record);
      put_s(&l, " (byte ");
      put_u(&l, site->offset);
      put_c(&l, ')');
    }
    if (!sent && guard.dirfd >= 0) {
      int err = save_record(sig, site);
      if (err) {
        put_s(&l, "; crash record not saved (errno ");
        put_u(&l, (uint64_t)err);
        put_c(&l, ')');
      }
    }
  }
  l.buf[l.len++] = '\n';
  write_all(STDERR_FILENO, l.buf, l.len);
}

/* The actions the guard replaced: a handler installed before (the
 * sanitizers' report) still runs after the line, with the same siginfo. */
static struct sigaction previous[G_N_ELEMENTS(FATAL)];

static void chain(int sig, siginfo_t *info, void *uctx) {
  for (size_t i = 0; i < G_N_ELEMENTS(FATAL); i++) {
    if (FATAL[i] != sig)
      continue;
    const struct sigaction *p = &previous[i];
    if (p->sa_flags & SA_SIGINFO) {
      if (p->sa_sigaction)
        p->sa_sigaction(sig, info, uctx);
    } else if (p->sa_handler != SIG_DFL && p->sa_handler != SIG_IGN) {
      p->sa_handler(sig);
    }
  }
}

static void on_fatal(int sig, siginfo_t *info, void *uctx) {
  if (!guard.handling) {
    guard.handling = 1;
    report(sig, info);
    chain(sig, info, uctx);
  }
  /* Dies as it would have: default action, the signal again, unblocked. */
  struct sigaction dfl;
  for (size_t i = 0; i < sizeof dfl; i++)
    ((char *)&dfl)[i] = 0;
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  sigaction(sig, &dfl, NULL);
  raise(sig);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, sig);
  sigprocmask(SIG_UNBLOCK, &set, NULL);
  _exit(128 + sig);
}

void td_crash_guard_install(void) {
  if (guard.installed)
    return;
  guard.installed = true;
  guard.main_tid = syscall(SYS_gettid);
  /* Static: never freed (the handler may run until the process ends), and
   * no heap block for LeakSanitizer to count as leaked.  128 KiB is far
   * above any MINSIGSTKSZ, and the report needs little. */
  static char alt_stack[128 * 1024] __attribute__((aligned(64)));
  stack_t ss;
  memset(&ss, 0, sizeof ss);
  ss.ss_sp = alt_stack;
  ss.ss_size = sizeof alt_stack;
  bool alt = sigaltstack(&ss, NULL) == 0;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_fatal;
  sa.sa_flags = SA_SIGINFO | (alt ? SA_ONSTACK : 0);
  /* One at a time: a second fatal signal waits for the first's death. */
  sigemptyset(&sa.sa_mask);
  for (size_t i = 0; i < G_N_ELEMENTS(FATAL); i++)
    sigaddset(&sa.sa_mask, FATAL[i]);
  for (size_t i = 0; i < G_N_ELEMENTS(FATAL); i++)
    sigaction(FATAL[i], &sa, &previous[i]);
}

void td_crash_guard_enter(const char *instance, const char *callback) {
  td_current_callback.record = 0;
  td_current_callback.offset = 0;
  td_current_callback.source = NULL;
  td_current_callback.callback = callback;
  td_current_callback.instance = instance;
}

void td_crash_guard_leave(void) { td_current_callback.instance = NULL; }

/* ---- the record at start and at the end ---------------------------------- */

static char *record_file(void) {
  return g_build_filename(guard.dir, TD_CRASH_FILE, NULL);
}

void td_crash_guard_open(const td_config *cfg) {
  if (!cfg->state_dir || guard.dirfd >= 0)
    return;
  guard.cap = cfg->instances->len;
  guard.table = g_new0(guarded, guard.cap ? guard.cap : 1);
  guard.len = 0;
  guard.dir = g_strdup(cfg->state_dir);
  int fd = open(cfg->state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    /* The cursors opened it a moment ago: unlikely, and said. */
    td_warning("%s: %s: no crash record", cfg->state_dir, g_strerror(errno));
    return;
  }
  const char *why = NULL;
  switch (td_crash_record_load(fd, &guard.record, &why)) {
  case TD_CRASH_SOUND:
    guard.loaded = true;
    break;
  case TD_CRASH_DAMAGED: {
    char *file = record_file();
    td_warning("%s: %s: ignored", file, why);
    g_free(file);
    break;
  }
  case TD_CRASH_NONE:
  default:
    break;
  }
  guard.dirfd = fd;
}

/* A slot of the table for an instance admitted now: the next one, else
 * one an instance removed by a reload left (td_crash_guard_forget). */
static guarded *free_slot(void) {
  if (guard.len < guard.cap)
    return &guard.table[guard.len];
  for (size_t i = 0; i < guard.len; i++)
    if (!guard.table[i].name)
      return &guard.table[i];
  return NULL;
}

bool td_crash_guard_admit(const td_instance_conf *ic) {
  guarded *slot = guard.dirfd < 0 ? NULL : free_slot();
  if (!slot)
    return true;
  uint64_t fp = td_crash_fingerprint(ic);
  /* The name last: the handler may read the slot at any time. */
  slot->fingerprint = fp;
  atomic_signal_fence(memory_order_release);
  slot->name = ic->name;
  if (slot == &guard.table[guard.len])
    guard.len++;
  const td_crash_record *r = &guard.record;
  if (!guard.loaded || r->instance_hash != td_crash_string_hash(ic->name) ||
      r->fingerprint != fp)
    return true;
  guard.named_one = true;
  if (r->count < 2)
    return true;
  guard.disabled_some = true;
  GString *at = g_string_new(NULL);
  if (r->has_source) {
    g_string_append(at, " at ");
    td_escape_bytes(at, r->source, strlen(r->source));
    g_string_append_printf(
        at, " record %" G_GUINT64_FORMAT " (byte %" G_GUINT64_FORMAT ")",
        r->record, r->offset);
  }
  GString *cb = g_string_new(NULL);
  td_escape_bytes(cb, r->callback, strlen(r->callback));
  char *file = record_file();
  td_error("%s: disabled at start: it crashed %" G_GUINT32_FORMAT
           " times in a row with %s in %s%s; it stays disabled until its "
           "configuration changes or %s is removed",
           ic->name, r->count, td_crash_signal_name(r->signal), cb->str,
           at->str, file);
  g_free(file);
  g_string_free(cb, TRUE);
  g_string_free(at, TRUE);
  return false;
}

void td_crash_guard_forget(const td_instance_conf *ic) {
  for (size_t i = 0; i < guard.len; i++)
    if (guard.table[i].name == ic->name)
      guard.table[i].name = NULL;
}

void td_crash_guard_settle(void) {
  if (guard.dirfd >= 0 && guard.loaded && !guard.named_one) {
    /* The instance it names is gone or configured otherwise now. */
    unlinkat(guard.dirfd, TD_CRASH_FILE, 0);
    guard.loaded = false;
  }
}

void td_crash_guard_close(bool clean) {
  if (guard.dirfd < 0)
    return;
  /* A crash record that disabled nothing is history once the host stops
   * cleanly: the crash did not repeat.  One that disabled an instance
   * stays until the configuration changes or an operator removes it. */
  if (clean && !guard.disabled_some)
    unlinkat(guard.dirfd, TD_CRASH_FILE, 0);
  /* The handler no longer writes into the directory. */
  int fd = guard.dirfd;
  guard.dirfd = -1;
  close(fd);
  guard.len = 0;
  g_free(guard.table);
  guard.table = NULL;
  g_free(guard.dir);
  guard.dir = NULL;
  guard.loaded = guard.disabled_some = guard.named_one = false;
}
