/*
 * Each cursor is one small file in the state directory, named after the
 * stream's path, holding one fixed-size record with a checksum.  It is
 * rewritten in place with a single pwrite after every live record: a host
 * killed at any moment leaves either the old record or the new one (the
 * kernel has the write even if the process dies), and the checksum makes a
 * torn record after a machine crash read as "no cursor" rather than as a
 * wrong position.
 */
#include "cursor.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

#include "diag.h"

#define CURSOR_MAGIC "TDCURS01"
#define RUN_MARKER "host-ran"

typedef struct cursor_record {
  char magic[8];
  uint64_t dev;
  uint64_t ino;
  uint32_t hash_len;
  uint32_t reserved;
  uint64_t hash;
  uint64_t offset;
  uint64_t index;
  uint64_t checksum; /* of everything above */
} cursor_record;

struct td_cursors {
  char *dir;
  bool earlier_run;
  GHashTable *dirty; /* td_cursor * written since the last sync */
};

struct td_cursor {
  td_cursors *owner;
  char *file;
  int fd;
  bool valid;
  cursor_record rec;
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

static uint64_t record_checksum(const cursor_record *r) {
  return fnv1a(r, offsetof(cursor_record, checksum));
}

td_cursors *td_cursors_open(const char *dir, char **error) {
  if (g_mkdir_with_parents(dir, 0700) != 0) {
    *error = g_strdup_printf("%s: %s", dir, g_strerror(errno));
    return NULL;
  }
  char *marker = g_build_filename(dir, RUN_MARKER, NULL);
  bool earlier = g_file_test(marker, G_FILE_TEST_EXISTS);
  if (!earlier) {
    int fd = open(marker, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
      *error = g_strdup_printf("%s: %s", marker, g_strerror(errno));
      g_free(marker);
      return NULL;
    }
    fsync(fd);
    close(fd);
  }
  g_free(marker);
  td_cursors *cs = g_new0(td_cursors, 1);
  cs->dir = g_strdup(dir);
  cs->earlier_run = earlier;
  cs->dirty = g_hash_table_new(g_direct_hash, g_direct_equal);
  return cs;
}

bool td_cursors_earlier_run(const td_cursors *cs) { return cs->earlier_run; }

void td_cursors_sync(td_cursors *cs) {
  GHashTableIter it;
  gpointer key;
  g_hash_table_iter_init(&it, cs->dirty);
  while (g_hash_table_iter_next(&it, &key, NULL)) {
    const td_cursor *c = key;
    fdatasync(c->fd);
  }
  g_hash_table_remove_all(cs->dirty);
}

void td_cursors_close(td_cursors *cs) {
  if (!cs)
    return;
  td_cursors_sync(cs);
  g_hash_table_destroy(cs->dirty);
  g_free(cs->dir);
  g_free(cs);
}

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

td_cursor *td_cursor_open(td_cursors *cs, const char *path) {
  char *abs = g_canonicalize_filename(path, NULL);
  char *name = cursor_name(abs);
  g_free(abs);
  char *file = g_build_filename(cs->dir, name, NULL);
  g_free(name);
  int fd = open(file, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    td_warning("%s: %s: no cursor kept for this stream", file,
               g_strerror(errno));
    g_free(file);
    return NULL;
  }
  td_cursor *c = g_new0(td_cursor, 1);
  c->owner = cs;
  c->file = file;
  c->fd = fd;
  cursor_record r;
  if (pread(fd, &r, sizeof r, 0) == (ssize_t)sizeof r &&
      memcmp(r.magic, CURSOR_MAGIC, 8) == 0 &&
      r.checksum == record_checksum(&r) && r.hash_len <= TD_CURSOR_HASH_BYTES) {
    c->rec = r;
    c->valid = true;
  }
  return c;
}

void td_cursor_close(td_cursor *c) {
  if (!c)
    return;
  if (g_hash_table_remove(c->owner->dirty, c))
    fdatasync(c->fd);
  close(c->fd);
  g_free(c->file);
  g_free(c);
}

void td_cursor_delete(td_cursor *c) {
  if (!c)
    return;
  g_hash_table_remove(c->owner->dirty, c);
  unlink(c->file);
  close(c->fd);
  g_free(c->file);
  g_free(c);
}

bool td_cursor_get(const td_cursor *c, td_file_identity *id, uint64_t *offset,
                   uint64_t *index) {
  if (!c || !c->valid)
    return false;
  id->dev = c->rec.dev;
  id->ino = c->rec.ino;
  id->hash_len = c->rec.hash_len;
  id->hash = c->rec.hash;
  *offset = c->rec.offset;
  *index = c->rec.index;
  return true;
}

void td_cursor_set(td_cursor *c, const td_file_identity *id, uint64_t offset,
                   uint64_t index) {
  if (!c)
    return;
  cursor_record r;
  memset(&r, 0, sizeof r);
  memcpy(r.magic, CURSOR_MAGIC, 8);
  r.dev = id->dev;
  r.ino = id->ino;
  r.hash_len = id->hash_len;
  r.hash = id->hash;
  r.offset = offset;
  r.index = index;
  r.checksum = record_checksum(&r);
  if (pwrite(c->fd, &r, sizeof r, 0) != (ssize_t)sizeof r) {
    td_warning("%s: %s: cursor not saved", c->file, g_strerror(errno));
    return;
  }
  c->rec = r;
  c->valid = true;
  g_hash_table_add(c->owner->dirty, c);
}

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
