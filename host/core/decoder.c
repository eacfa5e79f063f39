/*
 * A small decoder of Thrift's binary protocol for the RunnerCkpt union.
 *
 * Why not the generated c_glib code: it decodes at about a fiftieth of this
 * speed, allocates per field, and misbehaves on corrupt input (see the
 * notes in the README).  This one never allocates per record (the ports
 * array is reused scratch), points strings into the record, checks every
 * length against the bytes left, and bounds nesting.
 */
#include "decoder.h"

#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "big_endian.h"

/* Thrift binary protocol type bytes. */
enum {
  T_STOP = 0,
  T_BOOL = 2,
  T_BYTE = 3,
  T_DOUBLE = 4,
  T_I16 = 6,
  T_I32 = 8,
  T_I64 = 10,
  T_STRING = 11,
  T_STRUCT = 12,
  T_MAP = 13,
  T_SET = 14,
  T_LIST = 15
};

typedef struct cursor {
  const uint8_t *p;
  const uint8_t *end;
  td_err *detail;
} cursor;

/* Errors are rare: keep their formatting out of the hot loops. */
static int fail(cursor *c, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3) G_GNUC_NO_INLINE __attribute__((cold));
static int fail(cursor *c, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  td_err_setv(c->detail, fmt, ap);
  va_end(ap);
  return -1;
}

static inline size_t left(const cursor *c) { return (size_t)(c->end - c->p); }

static inline int need(cursor *c, size_t n, const char *what) {
  if (left(c) < n)
    return fail(c, "%s runs past the end of the record", what);
  return 0;
}

static inline int read_u8(cursor *c, uint8_t *v, const char *what) {
  if (need(c, 1, what))
    return -1;
  *v = *c->p++;
  return 0;
}

static inline int read_i32(cursor *c, int32_t *v, const char *what) {
  *v = 0;
  if (need(c, 4, what))
    return -1;
  *v = (int32_t)td_be32(c->p);
  c->p += 4;
  return 0;
}

static inline int read_i64(cursor *c, int64_t *v, const char *what) {
  if (need(c, 8, what))
    return -1;
  *v = (int64_t)td_be64(c->p);
  c->p += 8;
  return 0;
}

static inline int read_double(cursor *c, double *v, const char *what) {
  if (need(c, 8, what))
    return -1;
  uint64_t bits = td_be64(c->p);
  memcpy(v, &bits, sizeof *v);
  c->p += 8;
  return 0;
}

/* A length (string or container count): negative is an error. */
static inline int read_length(cursor *c, uint32_t *n, const char *what) {
  int32_t v;
  *n = 0;
  if (read_i32(c, &v, what))
    return -1;
  if (v < 0)
    return fail(c, "negative %s length %d", what, (int)v);
  *n = (uint32_t)v;
  return 0;
}

static inline int read_string(cursor *c, thermos_str *s) {
  uint32_t n;
  if (read_length(c, &n, "string"))
    return -1;
  if (left(c) < n)
    return fail(c, "string of %u bytes runs past the end of the record", n);
  s->data = (const char *)c->p;
  s->len = n;
  c->p += n;
  return 0;
}

/* Fixed wire size of a type, 0 for variable-size types, -1 if unknown. */
static int fixed_size(uint8_t type) {
  switch (type) {
  case T_BOOL:
  case T_BYTE:
    return 1;
  case T_I16:
    return 2;
  case T_I32:
    return 4;
  case T_DOUBLE:
  case T_I64:
    return 8;
  case T_STRING:
  case T_STRUCT:
  case T_MAP:
  case T_SET:
  case T_LIST:
    return 0;
  default:
    return -1;
  }
}

static int skip(cursor *c, uint8_t type, int depth);

static int check_depth(cursor *c, int depth) {
  if (depth > TD_MAX_NESTING)
    return fail(c, "nesting deeper than %d", TD_MAX_NESTING);
  return 0;
}

static int skip_struct(cursor *c, int depth) {
  if (check_depth(c, depth))
    return -1;
  for (;;) {
    uint8_t type;
    if (read_u8(c, &type, "struct (missing STOP)"))
      return -1;
    if (type == T_STOP)
      return 0;
    if (need(c, 2, "field header"))
      return -1;
    c->p += 2;
    if (skip(c, type, depth))
      return -1;
  }
}

/* Skips `count` elements of `type`.  Each element takes at least one byte,
 * so a count larger than the bytes left fails at once instead of looping. */
static int skip_elements(cursor *c, uint8_t type, uint32_t count, int depth) {
  int size = fixed_size(type);
  if (size < 0)
    return fail(c, "unknown type %u", type);
  if (size > 0) {
    if ((uint64_t)count * (uint64_t)size > left(c))
      return fail(c,
                  "container of %u elements runs past the end of the "
                  "record",
                  count);
    c->p += (size_t)count * (size_t)size;
    return 0;
  }
  if (count > left(c))
    return fail(c, "container of %u elements runs past the end of the record",
                count);
  for (uint32_t i = 0; i < count; i++)
    if (skip(c, type, depth))
      return -1;
  return 0;
}

/* Skips `n` entries of a map (at `depth`) whose header was read.  Each
 * entry takes at least two bytes: a larger count fails at once. */
static int skip_map_entries(cursor *c, uint8_t kt, uint8_t vt, uint32_t n,
                            int depth) {
  if (n == 0)
    return 0;
  if (fixed_size(kt) < 0)
    return fail(c, "unknown type %u", kt);
  if (fixed_size(vt) < 0)
    return fail(c, "unknown type %u", vt);
  if (n > left(c) / 2)
    return fail(c, "map of %u entries runs past the end of the record", n);
  for (uint32_t i = 0; i < n; i++)
    if (skip(c, kt, depth) || skip(c, vt, depth))
      return -1;
  return 0;
}

/* Skips one value of `type`; `depth` counts the enclosing structs and
 * containers, the union being 1. */
static int skip(cursor *c, uint8_t type, int depth) {
  int size = fixed_size(type);
  if (size < 0)
    return fail(c, "unknown type %u", type);
  if (size > 0) {
    if (need(c, (size_t)size, "value"))
      return -1;
    c->p += size;
    return 0;
  }
  switch (type) {
  case T_STRING: {
    thermos_str s;
    return read_string(c, &s);
  }
  case T_STRUCT:
    return skip_struct(c, depth + 1);
  case T_MAP: {
    uint8_t kt, vt;
    uint32_t n;
    if (check_depth(c, depth + 1) || read_u8(c, &kt, "map header") ||
        read_u8(c, &vt, "map header") || read_length(c, &n, "map"))
      return -1;
    return skip_map_entries(c, kt, vt, n, depth + 1);
  }
  default: { /* T_SET, T_LIST */
    uint8_t et;
    uint32_t n;
    if (check_depth(c, depth + 1) || read_u8(c, &et, "list header") ||
        read_length(c, &n, "list"))
      return -1;
    if (n == 0)
      return 0;
    return skip_elements(c, et, n, depth + 1);
  }
  }
}

/*
 * Struct decoders.  Each loops over fields; a known id with the expected
 * type is read, anything else skipped (the field stays unset), as the
 * reference and newer writers require.  `field_header` returns 1 at STOP.
 */
static inline int field_header(cursor *c, uint8_t *type, int16_t *id) {
  if (read_u8(c, type, "struct (missing STOP)"))
    return -1;
  if (*type == T_STOP)
    return 1;
  if (need(c, 2, "field header"))
    return -1;
  *id = (int16_t)((uint16_t)c->p[0] << 8 | c->p[1]);
  c->p += 2;
  return 0;
}

/* One case of a struct's field switch: read `member` when the wire type
 * is the declared one, else fall through to skipping it. */
#define FIELD(fid, wire, reader, member, bit)                                  \
  case fid:                                                                    \
    if (type != (wire))                                                        \
      break;                                                                   \
    if (reader(c, &out->member))                                               \
      return -1;                                                               \
    out->present |= (bit);                                                     \
    continue;

/* The loop every struct decoder runs: `out` is cleared, each field's
 * header read, the switch between FIELDS_BEGIN and FIELDS_END reads the
 * known ones (`continue`), and whatever it leaves is skipped. */
#define FIELDS_BEGIN(c, depth)                                                 \
  memset(out, 0, sizeof *out);                                                 \
  if (check_depth(c, depth))                                                   \
    return -1;                                                                 \
  for (;;) {                                                                   \
    uint8_t type;                                                              \
    int16_t id = 0;                                                            \
    int r = field_header(c, &type, &id);                                       \
    if (r)                                                                     \
      return r > 0 ? 0 : -1;                                                   \
    switch (id) {

#define FIELDS_END(c, depth)                                                   \
  default:                                                                     \
    break;                                                                     \
    }                                                                          \
    if (skip(c, type, depth))                                                  \
      return -1;                                                               \
    }

static inline int rd_i32(cursor *c, int32_t *v) {
  return read_i32(c, v, "i32");
}
static inline int rd_i64(cursor *c, int64_t *v) {
  return read_i64(c, v, "i64");
}
static inline int rd_double(cursor *c, double *v) {
  return read_double(c, v, "double");
}

static int decode_process_status(cursor *c, thermos_process_status *out,
                                 int depth) {
  FIELDS_BEGIN(c, depth)
  FIELD(1, T_I64, rd_i64, seq, THERMOS_PS_SEQ)
  FIELD(3, T_STRING, read_string, process, THERMOS_PS_PROCESS)
  FIELD(5, T_I32, rd_i32, state, THERMOS_PS_STATE)
  FIELD(10, T_I32, rd_i32, coordinator_pid, THERMOS_PS_COORDINATOR_PID)
  FIELD(11, T_DOUBLE, rd_double, fork_time, THERMOS_PS_FORK_TIME)
  FIELD(6, T_DOUBLE, rd_double, start_time, THERMOS_PS_START_TIME)
  FIELD(7, T_I32, rd_i32, pid, THERMOS_PS_PID)
  FIELD(8, T_DOUBLE, rd_double, stop_time, THERMOS_PS_STOP_TIME)
  FIELD(9, T_I32, rd_i32, return_code, THERMOS_PS_RETURN_CODE)
  FIELDS_END(c, depth)
}

static int decode_task_status(cursor *c, thermos_task_status *out, int depth) {
  FIELDS_BEGIN(c, depth)
  FIELD(1, T_I32, rd_i32, state, THERMOS_TS_STATE)
  FIELD(2, T_I64, rd_i64, timestamp_ms, THERMOS_TS_TIMESTAMP_MS)
  FIELD(3, T_I32, rd_i32, runner_pid, THERMOS_TS_RUNNER_PID)
  FIELD(4, T_I32, rd_i32, runner_uid, THERMOS_TS_RUNNER_UID)
  FIELDS_END(c, depth)
}

/* Keeps the last value of a repeated name, as the reference's dict does.
 * Small maps (every real one) are searched linearly; large ones through a
 * hash table, so a hostile million-entry map stays linear time. */
static size_t dedupe_ports(thermos_port *ports, size_t n) {
  if (n < 2)
    return n;
  size_t out = 0;
  if (n <= 32) {
    for (size_t i = 0; i < n; i++) {
      size_t j;
      for (j = 0; j < out; j++)
        if (ports[j].name.len == ports[i].name.len &&
            memcmp(ports[j].name.data, ports[i].name.data, ports[i].name.len) ==
                0)
          break;
      if (j < out)
        ports[j].port = ports[i].port;
      else
        ports[out++] = ports[i];
    }
    return out;
  }
  GHashTable *seen = g_hash_table_new(g_bytes_hash, g_bytes_equal);
  GPtrArray *keys =
      g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
  for (size_t i = 0; i < n; i++) {
    GBytes *key = g_bytes_new_static(ports[i].name.data, ports[i].name.len);
    gpointer slot;
    if (g_hash_table_lookup_extended(seen, key, NULL, &slot)) {
      ports[GPOINTER_TO_SIZE(slot) - 1].port = ports[i].port;
      g_bytes_unref(key);
    } else {
      ports[out] = ports[i];
      g_hash_table_insert(seen, key, GSIZE_TO_POINTER(out + 1));
      g_ptr_array_add(keys, key);
      out++;
    }
  }
  g_hash_table_destroy(seen);
  g_ptr_array_free(keys, TRUE);
  return out;
}

static int decode_ports(cursor *c, td_decoder *dec, thermos_runner_header *out,
                        int depth) {
  uint8_t kt, vt;
  uint32_t n;
  if (check_depth(c, depth + 1) || read_u8(c, &kt, "map header") ||
      read_u8(c, &vt, "map header") || read_length(c, &n, "map"))
    return -1;
  if (kt != T_STRING || vt != T_I64) {
    /* Declared types differ: skip the entries; `ports` stays unset. */
    return skip_map_entries(c, kt, vt, n, depth + 1);
  }
  /* Each entry is at least 12 bytes, so this bounds the array by the
   * record's size before anything is allocated. */
  if (n > left(c) / 12)
    return fail(c, "map of %u entries runs past the end of the record", n);
  if (n > dec->ports_cap) {
    g_free(dec->ports);
    dec->ports = g_new(thermos_port, n);
    dec->ports_cap = n;
  }
  for (uint32_t i = 0; i < n; i++) {
    if (read_string(c, &dec->ports[i].name) ||
        read_i64(c, &dec->ports[i].port, "i64"))
      return -1;
  }
  out->ports = dec->ports;
  out->n_ports = dedupe_ports(dec->ports, n);
  out->present |= THERMOS_RH_PORTS;
  return 0;
}

static int decode_runner_header(cursor *c, td_decoder *dec,
                                thermos_runner_header *out, int depth) {
  FIELDS_BEGIN(c, depth)
  FIELD(1, T_STRING, read_string, task_id, THERMOS_RH_TASK_ID)
  FIELD(2, T_I64, rd_i64, launch_time_ms, THERMOS_RH_LAUNCH_TIME_MS)
  FIELD(3, T_STRING, read_string, sandbox, THERMOS_RH_SANDBOX)
  FIELD(7, T_STRING, read_string, log_dir, THERMOS_RH_LOG_DIR)
  FIELD(4, T_STRING, read_string, hostname, THERMOS_RH_HOSTNAME)
  FIELD(5, T_STRING, read_string, user, THERMOS_RH_USER)
  FIELD(8, T_I32, rd_i32, uid, THERMOS_RH_UID)
case 6:
  if (type != T_MAP)
    break;
  if (decode_ports(c, dec, out, depth))
    return -1;
  continue;
  FIELDS_END(c, depth)
}

void td_decoder_init(td_decoder *dec) { memset(dec, 0, sizeof *dec); }

void td_decoder_clear(td_decoder *dec) {
  g_free(dec->ports);
  memset(dec, 0, sizeof *dec);
}

static int decode_union(cursor *c, td_decoder *dec, td_ckpt *out) {
  const int depth = 1;
  for (;;) {
    uint8_t type;
    int16_t id = 0;
    int r = field_header(c, &type, &id);
    if (r)
      return r > 0 ? 0 : -1;
    if (type == T_STRUCT && id == 1) {
      if (decode_runner_header(c, dec, &out->header, depth + 1))
        return -1;
      out->has_header = true;
    } else if (type == T_STRUCT && id == 2) {
      if (decode_process_status(c, &out->process, depth + 1))
        return -1;
      out->has_process = true;
    } else if (type == T_STRUCT && id == 3) {
      if (decode_task_status(c, &out->task, depth + 1))
        return -1;
      out->has_task = true;
    } else if (skip(c, type, depth)) {
      return -1;
    }
  }
}

int td_decode_ckpt(td_decoder *dec, const uint8_t *buf, size_t len,
                   td_ckpt *out, td_err *detail) {
  cursor c = {buf, buf + len, detail};
  out->has_header = out->has_process = out->has_task = false;
  /* Bytes after the union's STOP are ignored, as the reference does. */
  return decode_union(&c, dec, out);
}
