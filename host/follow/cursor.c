/*
 * Each cursor is one small file in the state directory, named after the
 * stream's path, holding two fixed-size records ("slots"), each with a
 * sequence number and a checksum.  A position is saved with one pwrite
 * over the older slot, so the newer one is never touched while it is being
 * replaced: a write torn by a machine crash, or a damaged byte, leaves the
 * other slot to fall back on.  A host killed at any moment loses nothing
 * (the kernel has the write even if the process dies).
 *
 * No descriptor of a cursor is kept between writes: each write opens the
 * file relative to the state directory's descriptor and closes it again,
 * so a host following thousands of streams holds one descriptor per stream
 * (the stream's own), not two.  For when the process is out of descriptors
 * (EMFILE: `watch` opens streams up to the limit), one is kept in reserve
 * and given up for the write.
 */
#include "cursor.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

#include "core/diag.h"

#define SLOT_MAGIC "TDCURS02"
#define RUN_MARKER "host-ran"

typedef struct cursor_slot {
  char magic[8];
  uint64_t seq; /* the higher of the two slots' is the newer */
  uint64_t dev;
  uint64_t ino;
  uint32_t hash_len;
  uint32_t reserved;
  uint64_t hash;
  uint64_t offset;
  uint64_t index;
  uint64_t history;
  uint64_t checksum; /* of everything above */
} cursor_slot;

struct td_cursors {
  char *dir;
  int dirfd;
  int reserve; /* a descriptor given up when openat fails with EMFILE */
  bool earlier_run;
  bool dir_dirty;    /* a cursor file created since the last sync */
  GHashTable *dirty; /* td_cursor * written since the last sync */
};

struct td_cursor {
  td_cursors *owner;
  char *name; /* in the state directory */
  char *file; /* the same with the directory, for messages */
  td_cursor_found found;
  char *why;         /* DAMAGED: what is wrong */
  bool exists;       /* the file is there, not empty */
  bool write_failed; /* said once, until a write succeeds again */
  unsigned slot;     /* where `rec` is, when found is OK or FELL_BACK */
  cursor_slot rec;
};

static uint64_t fnv1a(const void *data, size_t len) {
  const unsigned char *p = data;
  uint64_t h = 0xcbf29ce484222325ull;
  for (size_t i = 0; i < len; i++) {
    h ^= p[i];
    h *= 0x100000001b3ull;
  }
  return h;
}

static uint64_t slot_checksum(const cursor_slot *s) {
  return fnv1a(s, offsetof(cursor_slot, checksum));
}

static bool slot_sound(const cursor_slot *s) {
  return memcmp(s->magic, SLOT_MAGIC, 8) == 0 && s->reserved == 0 &&
         s->hash_len <= TD_CURSOR_HASH_BYTES && s->checksum == slot_checksum(s);
}

static void slot_fill(cursor_slot *s, const td_cursor_pos *pos, uint64_t seq) {
  memset(s, 0, sizeof *s);
  memcpy(s->magic, SLOT_MAGIC, 8);
  s->seq = seq;
  s->dev = pos->id.dev;
  s->ino = pos->id.ino;
  s->hash_len = pos->id.hash_len;
  s->hash = pos->id.hash;
  s->offset = pos->offset;
  s->index = pos->index;
  s->history = pos->history;
  s->checksum = slot_checksum(s);
}

/* --- descriptors: opened for each use, one kept in reserve ---------------- */

static void retake_reserve(td_cursors *cs) {
  if (cs->reserve < 0)
    cs->reserve = fcntl(cs->dirfd, F_DUPFD_CLOEXEC, 0);
}

static int open_at(td_cursors *cs, const char *name, int flags) {
  int fd = openat(cs->dirfd, name, flags | O_CLOEXEC, 0600);
  if (fd < 0 && errno == EMFILE && cs->reserve >= 0) {
    close(cs->reserve);
    cs->reserve = -1;
    fd = openat(cs->dirfd, name, flags | O_CLOEXEC, 0600);
    if (fd < 0) {
      int err = errno;
      retake_reserve(cs);
      errno = err;
    }
  }
  return fd;
}

static void close_at(td_cursors *cs, int fd) {
  close(fd);
  retake_reserve(cs);
}

/* --- the state directory -------------------------------------------------- */

td_cursors *td_cursors_open(const char *dir, char **error) {
  if (g_mkdir_with_parents(dir, 0700) != 0) {
    *error = g_strdup_printf("%s: %s", dir, g_strerror(errno));
    return NULL;
  }
  int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  /* Cursors and the run marker are written later, once plugins run: a
   * directory that cannot take them is said now, before any starts. */
  if (dirfd < 0 || faccessat(dirfd, ".", W_OK | X_OK, AT_EACCESS) != 0) {
    *error = g_strdup_printf("%s: %s", dir, g_strerror(errno));
    if (dirfd >= 0)
      close(dirfd);
    return NULL;
  }
  td_cursors *cs = g_new0(td_cursors, 1);
  cs->dir = g_strdup(dir);
  cs->dirfd = dirfd;
  cs->reserve = -1;
  retake_reserve(cs);
  cs->earlier_run = faccessat(dirfd, RUN_MARKER, F_OK, 0) == 0;
  cs->dirty = g_hash_table_new(g_direct_hash, g_direct_equal);
  return cs;
}

bool td_cursors_earlier_run(const td_cursors *cs) { return cs->earlier_run; }

void td_cursors_mark_run(td_cursors *cs) {
  if (cs->earlier_run)
    return;
  int fd = open_at(cs, RUN_MARKER, O_WRONLY | O_CREAT);
  bool ok = fd >= 0 && fsync(fd) == 0 && fsync(cs->dirfd) == 0;
  int err = errno;
  if (fd >= 0)
    close_at(cs, fd);
  if (!ok)
    td_warning("%s/%s: %s: not written", cs->dir, RUN_MARKER, g_strerror(err));
}

static void sync_file(td_cursor *c) {
  int fd = open_at(c->owner, c->name, O_RDONLY);
  if (fd >= 0) {
    fdatasync(fd);
    close_at(c->owner, fd);
  }
}

void td_cursors_sync(td_cursors *cs) {
  GHashTableIter it;
  gpointer key;
  g_hash_table_iter_init(&it, cs->dirty);
  while (g_hash_table_iter_next(&it, &key, NULL))
    sync_file(key);
  g_hash_table_remove_all(cs->dirty);
  if (cs->dir_dirty)
    fsync(cs->dirfd);
  cs->dir_dirty = false;
}

void td_cursors_close(td_cursors *cs) {
  if (!cs)
    return;
  td_cursors_sync(cs);
  g_hash_table_destroy(cs->dirty);
  if (cs->reserve >= 0)
    close(cs->reserve);
  close(cs->dirfd);
  g_free(cs->dir);
  g_free(cs);
}

/* --- one cursor ------------------------------------------------------------
 */

/* The file name for a stream: its absolute path with '%' and '/' escaped,
 * or, for a path too long for a file name, a prefix and a hash. */
static char *cursor_name(const char *path) {
  GString *name = g_string_new(NULL);
  for (const char *p = path; *p; p++) {
    if (*p == '/' || *p == '%')
      g_string_append_printf(name, "%%%02X", (unsigned char)*p);
    else
      g_string_append_c(name, *p);
  }
  if (name->len > 200) {
    char *hash = g_compute_checksum_for_string(G_CHECKSUM_SHA256, path, -1);
    g_string_truncate(name, 120);
    g_string_append_printf(name, "~%s", hash);
    g_free(hash);
  }
  g_string_append(name, ".cursor");
  return g_string_free(name, FALSE);
}

/* Reads both slots.  An empty file is no cursor: it is what a host killed
 * between creating the file and writing it leaves, before it dispatched
 * anything of the stream. */
static void load(td_cursor *c) {
  int fd = open_at(c->owner, c->name, O_RDONLY);
  if (fd < 0) {
    c->found = errno == ENOENT ? TD_CURSOR_NONE : TD_CURSOR_DAMAGED;
    if (c->found == TD_CURSOR_DAMAGED)
      c->why = g_strdup(g_strerror(errno));
    return;
  }
  cursor_slot s[2];
  ssize_t n = pread(fd, s, sizeof s, 0);
  int err = errno;
  close_at(c->owner, fd);
  if (n <= 0) {
    c->found = n == 0 ? TD_CURSOR_NONE : TD_CURSOR_DAMAGED;
    if (n < 0)
      c->why = g_strdup(g_strerror(err));
    return;
  }
  c->exists = true;
  bool ok0 = (size_t)n >= sizeof s[0] && slot_sound(&s[0]);
  bool ok1 = (size_t)n == sizeof s && slot_sound(&s[1]);
  if (!ok0 && !ok1) {
    c->found = TD_CURSOR_DAMAGED;
    c->why = g_strdup("damaged cursor");
    return;
  }
  c->slot = ok0 && ok1 ? s[1].seq > s[0].seq : ok1;
  c->rec = s[c->slot];
  c->found = ok0 && ok1 ? TD_CURSOR_OK : TD_CURSOR_FELL_BACK;
}

td_cursor *td_cursor_open(td_cursors *cs, const char *path) {
  char *abs = g_canonicalize_filename(path, NULL);
  td_cursor *c = g_new0(td_cursor, 1);
  c->owner = cs;
  c->name = cursor_name(abs);
  c->file = g_build_filename(cs->dir, c->name, NULL);
  g_free(abs);
  load(c);
  return c;
}

static void cursor_free(td_cursor *c) {
  g_free(c->why);
  g_free(c->name);
  g_free(c->file);
  g_free(c);
}

void td_cursor_close(td_cursor *c) {
  if (!c)
    return;
  if (g_hash_table_remove(c->owner->dirty, c))
    sync_file(c);
  cursor_free(c);
}

void td_cursor_delete(td_cursor *c) {
  if (!c)
    return;
  g_hash_table_remove(c->owner->dirty, c);
  unlinkat(c->owner->dirfd, c->name, 0);
  cursor_free(c);
}

const char *td_cursor_file(const td_cursor *c) { return c->file; }

td_cursors *td_cursor_owner(const td_cursor *c) { return c->owner; }

td_cursor_found td_cursor_read(const td_cursor *c, td_cursor_pos *pos,
                               const char **why) {
  if (why)
    *why = c->why;
  if (c->found == TD_CURSOR_OK || c->found == TD_CURSOR_FELL_BACK) {
    pos->id.dev = c->rec.dev;
    pos->id.ino = c->rec.ino;
    pos->id.hash_len = c->rec.hash_len;
    pos->id.hash = c->rec.hash;
    pos->offset = c->rec.offset;
    pos->index = c->rec.index;
    pos->history = c->rec.history;
  }
  return c->found;
}

bool td_cursor_get(const td_cursor *c, td_file_identity *id, uint64_t *offset,
                   uint64_t *index) {
  td_cursor_pos pos;
  if (!c)
    return false;
  td_cursor_found found = td_cursor_read(c, &pos, NULL);
  if (found != TD_CURSOR_OK && found != TD_CURSOR_FELL_BACK)
    return false;
  *id = pos.id;
  *offset = pos.offset;
  *index = pos.index;
  return true;
}

static void write_failed(td_cursor *c, int err) {
  if (!c->write_failed)
    td_warning("%s: %s: cursor not saved", c->file, g_strerror(err));
  c->write_failed = true;
}

static void written(td_cursor *c, unsigned slot, const cursor_slot *s) {
  c->rec = *s;
  c->slot = slot;
  c->found = TD_CURSOR_OK;
  c->exists = true;
  c->write_failed = false;
}

void td_cursor_reset(td_cursor *c, const td_cursor_pos *pos, bool durable) {
  if (!c)
    return;
  td_cursors *cs = c->owner;
  bool had_seq = c->found == TD_CURSOR_OK || c->found == TD_CURSOR_FELL_BACK;
  uint64_t seq = had_seq ? c->rec.seq : 0;
  cursor_slot s[2];
  slot_fill(&s[0], pos, seq + 1);
  slot_fill(&s[1], pos, seq + 2);
  int fd = open_at(cs, c->name, O_WRONLY | O_CREAT);
  if (fd < 0) {
    write_failed(c, errno);
    return;
  }
  bool ok = pwrite(fd, s, sizeof s, 0) == (ssize_t)sizeof s &&
            (!durable ||
             (fdatasync(fd) == 0 && (c->exists || fsync(cs->dirfd) == 0)));
  int err = errno;
  close_at(cs, fd);
  if (!ok) {
    write_failed(c, err);
    return;
  }
  if (durable) {
    g_hash_table_remove(cs->dirty, c);
  } else {
    cs->dir_dirty |= !c->exists;
    g_hash_table_add(cs->dirty, c);
  }
  written(c, 1, &s[1]);
}

void td_cursor_set(td_cursor *c, const td_file_identity *id, uint64_t offset,
                   uint64_t index) {
  if (!c)
    return;
  bool sound = c->found == TD_CURSOR_OK || c->found == TD_CURSOR_FELL_BACK;
  td_cursor_pos pos = {*id, offset, index, sound ? c->rec.history : 0};
  if (!sound || !c->exists) {
    td_cursor_reset(c, &pos, false);
    return;
  }
  cursor_slot s;
  slot_fill(&s, &pos, c->rec.seq + 1);
  unsigned slot = 1 - c->slot;
  td_cursors *cs = c->owner;
  int fd = open_at(cs, c->name, O_WRONLY);
  if (fd < 0 && errno == ENOENT) {
    /* Removed from under the host: written whole again. */
    c->exists = false;
    td_cursor_reset(c, &pos, false);
    return;
  }
  if (fd < 0) {
    write_failed(c, errno);
    return;
  }
  bool ok =
      pwrite(fd, &s, sizeof s, (off_t)(slot * sizeof s)) == (ssize_t)sizeof s;
  int err = errno;
  close_at(cs, fd);
  if (!ok) {
    write_failed(c, err);
    return;
  }
  written(c, slot, &s);
  g_hash_table_add(cs->dirty, c);
}

/* --- a stream's identity ----------------------------------------------------
 */

static bool hash_prefix(int fd, uint32_t len, uint64_t *hash) {
  unsigned char buf[TD_CURSOR_HASH_BYTES];
  if (len > sizeof buf || (len && pread(fd, buf, len, 0) != (ssize_t)len))
    return false;
  *hash = fnv1a(buf, len);
  return true;
}

bool td_file_identity_of(int fd, td_file_identity *id) {
  struct stat sb;
  if (fstat(fd, &sb) != 0)
    return false;
  id->dev = (uint64_t)sb.st_dev;
  id->ino = (uint64_t)sb.st_ino;
  id->hash_len = sb.st_size < TD_CURSOR_HASH_BYTES ? (uint32_t)sb.st_size
                                                   : TD_CURSOR_HASH_BYTES;
  return hash_prefix(fd, id->hash_len, &id->hash);
}

bool td_file_identity_matches(int fd, const td_file_identity *id) {
  struct stat sb;
  uint64_t hash;
  if (fstat(fd, &sb) != 0 || (uint64_t)sb.st_dev != id->dev ||
      (uint64_t)sb.st_ino != id->ino || (uint64_t)sb.st_size < id->hash_len)
    return false;
  return hash_prefix(fd, id->hash_len, &hash) && hash == id->hash;
}
