/*
 * One JSON line of json.md (a `dump` record or a logger event line) into a
 * td_ckpt, for `encode`.
 *
 * json-glib builds the tree, but it is lax where encode must not be: it
 * wraps integers beyond int64 silently, cuts strings at an escaped U+0000,
 * and accepts comments, single quotes, leading zeros and trailing text.  So
 * each line is first checked by a strict scanner (RFC 8259), which also
 * notes, by member path, the few literals json-glib would misread; the
 * field readers consult those notes.
 */
#include "ckpt_parse.h"

#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "diag.h"
#include "json_form.h"

/* Deeper JSON than this is refused before json-glib (which recurses) sees
 * it; a valid line nests three levels. */
#define MAX_DEPTH 64

/* How much of a user's literal or name a reason quotes. */
#define QUOTE_MAX 64

typedef enum note_kind {
  NOTE_NUMBER,     /* an integer literal json-glib misreads: beyond int64,
                      or -0 (a double field must keep the sign) */
  NOTE_NUL_STRING, /* a string value with U+0000 (json-glib cuts it) */
  NOTE_NUL_KEY     /* an object with U+0000 in a member name */
} note_kind;

typedef struct note {
  note_kind kind;
  bool overflow; /* NOTE_NUMBER: outside int64 */
  char *literal; /* NOTE_NUMBER: the literal's text */
} note;

struct td_ckpt_parser {
  JsonParser *json;
  GArray *ports;     /* thermos_port, pointing into the JSON tree */
  GHashTable *notes; /* member path -> note, usually empty */
  GString *path;     /* the scanner's current member path */
  char *reason;      /* the caller's buffer, during one call */
  size_t reason_len;
};

static void free_note(gpointer data) {
  note *n = data;
  g_free(n->literal);
  g_free(n);
}

td_ckpt_parser *td_ckpt_parser_new(void) {
  td_ckpt_parser *p = g_new0(td_ckpt_parser, 1);
  p->json = json_parser_new();
  p->ports = g_array_new(FALSE, FALSE, sizeof(thermos_port));
  p->notes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, free_note);
  p->path = g_string_new(NULL);
  return p;
}

void td_ckpt_parser_free(td_ckpt_parser *p) {
  if (p == NULL)
    return;
  g_object_unref(p->json);
  g_array_free(p->ports, TRUE);
  g_hash_table_destroy(p->notes);
  g_string_free(p->path, TRUE);
  g_free(p);
}

static int fail(td_ckpt_parser *p, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static int fail(td_ckpt_parser *p, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  g_vsnprintf(p->reason, p->reason_len, fmt, ap);
  va_end(ap);
  return -1;
}

/* Appends user text to a reason: non-printable bytes as \xHH (so the
 * reason stays one line), at most QUOTE_MAX bytes. */
static void quote(GString *out, const char *s, size_t len) {
  if (len > QUOTE_MAX) {
    td_escape_bytes(out, s, QUOTE_MAX);
    g_string_append(out, "...");
  } else {
    td_escape_bytes(out, s, len);
  }
}

/* ---- The strict scanner ---- */

typedef struct scanner {
  td_ckpt_parser *p;
  const char *start;
  const char *s;
  const char *end;
  int depth;
} scanner;

static int scan_fail(scanner *sc, const char *what) {
  return fail(sc->p, "invalid JSON at column %zu: %s",
              (size_t)(sc->s - sc->start) + 1, what);
}

static int scan_fail_at(scanner *sc, const char *at, const char *what) {
  sc->s = at;
  return scan_fail(sc, what);
}

static void skip_ws(scanner *sc) {
  while (sc->s < sc->end &&
         (*sc->s == ' ' || *sc->s == '\t' || *sc->s == '\n' || *sc->s == '\r'))
    sc->s++;
}

static void add_note(scanner *sc, note_kind kind, bool overflow,
                     const char *lit, size_t lit_len) {
  note *n = g_new0(note, 1);
  n->kind = kind;
  n->overflow = overflow;
  if (lit != NULL)
    n->literal = g_strndup(lit, lit_len);
  g_hash_table_replace(sc->p->notes, g_strdup(sc->p->path->str), n);
}

/* A repeated member replaces the earlier one in json-glib's tree: so are
 * the notes about the earlier one and what it held. */
static void forget_notes(td_ckpt_parser *p) {
  if (g_hash_table_size(p->notes) == 0)
    return;
  const char *path = p->path->str;
  const size_t len = p->path->len;
  GHashTableIter it;
  gpointer key;
  g_hash_table_iter_init(&it, p->notes);
  while (g_hash_table_iter_next(&it, &key, NULL)) {
    const char *k = key;
    if (strncmp(k, path, len) == 0 &&
        (k[len] == '\0' || k[len] == '.' || k[len] == '['))
      g_hash_table_iter_remove(&it);
  }
}

/* Four hex digits; -1 (the caller says why) when they are not. */
static int hex4(scanner *sc, gunichar *out) {
  if (sc->end - sc->s < 4)
    return -1;
  gunichar v = 0;
  for (int i = 0; i < 4; i++) {
    int d = g_ascii_xdigit_value(sc->s[i]);
    if (d < 0)
      return -1;
    v = v << 4 | (gunichar)d;
  }
  sc->s += 4;
  *out = v;
  return 0;
}

/* Scans a string at its opening quote.  With `key`, appends the decoded
 * text to it (json-glib's form of the name).  Sets `*nul` when it holds
 * U+0000.  The bytes are already known to be UTF-8. */
static int scan_string(scanner *sc, GString *key, bool *nul) {
  *nul = false;
  sc->s++;
  for (;;) {
    const char *run = sc->s;
    while (sc->s < sc->end && *sc->s != '"' && *sc->s != '\\' &&
           (unsigned char)*sc->s >= 0x20)
      sc->s++;
    if (key != NULL)
      g_string_append_len(key, run, sc->s - run);
    if (sc->s == sc->end)
      return scan_fail(sc, "unterminated string");
    if (*sc->s == '"') {
      sc->s++;
      return 0;
    }
    if ((unsigned char)*sc->s < 0x20)
      return scan_fail(sc, "control character in a string");
    /* A backslash: errors point at it. */
    const char *esc = sc->s;
    sc->s++;
    if (sc->s == sc->end)
      return scan_fail(sc, "unterminated string");
    char c = *sc->s++;
    gunichar u;
    switch (c) {
    case '"':
    case '\\':
    case '/':
      u = (gunichar)c;
      break;
    case 'b':
      u = '\b';
      break;
    case 'f':
      u = '\f';
      break;
    case 'n':
      u = '\n';
      break;
    case 'r':
      u = '\r';
      break;
    case 't':
      u = '\t';
      break;
    case 'u':
      if (hex4(sc, &u))
        return scan_fail_at(sc, esc, "invalid \\u escape");
      if (u >= 0xdc00 && u <= 0xdfff)
        return scan_fail_at(sc, esc, "unpaired surrogate in a \\u escape");
      if (u >= 0xd800 && u <= 0xdbff) {
        gunichar lo;
        if (sc->end - sc->s < 2 || sc->s[0] != '\\' || sc->s[1] != 'u')
          return scan_fail_at(sc, esc, "unpaired surrogate in a \\u escape");
        sc->s += 2;
        if (hex4(sc, &lo))
          return scan_fail_at(sc, esc, "invalid \\u escape");
        if (lo < 0xdc00 || lo > 0xdfff)
          return scan_fail_at(sc, esc, "unpaired surrogate in a \\u escape");
        u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
      }
      if (u == 0)
        *nul = true;
      break;
    default:
      return scan_fail_at(sc, esc, "invalid escape in a string");
    }
    if (key != NULL && u != 0)
      g_string_append_unichar(key, u);
  }
}

static bool is_digit(scanner *sc) {
  return sc->s < sc->end && *sc->s >= '0' && *sc->s <= '9';
}

static int scan_number(scanner *sc) {
  const char *lit = sc->s;
  bool neg = false;
  if (*sc->s == '-') {
    neg = true;
    sc->s++;
  }
  if (!is_digit(sc))
    return scan_fail(sc, "invalid number");
  /* Accumulates the magnitude, saturating past int64's. */
  const uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
  uint64_t mag = 0;
  bool overflow = false;
  if (*sc->s == '0') {
    sc->s++;
  } else {
    while (is_digit(sc)) {
      uint64_t d = (uint64_t)(*sc->s++ - '0');
      if (mag > (limit - d) / 10)
        overflow = true;
      else
        mag = mag * 10 + d;
    }
  }
  bool integer = true;
  if (sc->s < sc->end && *sc->s == '.') {
    sc->s++;
    if (!is_digit(sc))
      return scan_fail(sc, "invalid number");
    while (is_digit(sc))
      sc->s++;
    integer = false;
  }
  if (sc->s < sc->end && (*sc->s == 'e' || *sc->s == 'E')) {
    sc->s++;
    if (sc->s < sc->end && (*sc->s == '+' || *sc->s == '-'))
      sc->s++;
    if (!is_digit(sc))
      return scan_fail(sc, "invalid number");
    while (is_digit(sc))
      sc->s++;
    integer = false;
  }
  if (integer && (overflow || (neg && mag == 0)))
    add_note(sc, NOTE_NUMBER, overflow, lit, (size_t)(sc->s - lit));
  return 0;
}

static int scan_literal(scanner *sc, const char *word) {
  size_t n = strlen(word);
  if ((size_t)(sc->end - sc->s) < n || memcmp(sc->s, word, n) != 0)
    return scan_fail(sc, "expected a value");
  sc->s += n;
  return 0;
}

static int scan_value(scanner *sc);

/* After a member or an element: 1 if a ',' says another follows, 0 at the
 * closing bracket, -1 (reported) otherwise. */
static int scan_separator(scanner *sc, char close) {
  skip_ws(sc);
  if (sc->s < sc->end && *sc->s == ',') {
    sc->s++;
    skip_ws(sc);
    return 1;
  }
  if (sc->s < sc->end && *sc->s == close) {
    sc->s++;
    return 0;
  }
  return scan_fail(sc, close == '}' ? "expected ',' or '}'"
                                    : "expected ',' or ']'");
}

static int scan_object(scanner *sc) {
  td_ckpt_parser *p = sc->p;
  const gsize base = p->path->len;
  sc->s++;
  skip_ws(sc);
  if (sc->s < sc->end && *sc->s == '}') {
    sc->s++;
    return 0;
  }
  for (;;) {
    if (sc->s == sc->end || *sc->s != '"')
      return scan_fail(sc, "expected a member name");
    if (base > 0)
      g_string_append_c(p->path, '.');
    bool nul;
    if (scan_string(sc, p->path, &nul))
      return -1;
    forget_notes(p);
    if (nul) {
      /* Noted on the object: json-glib would see another name. */
      g_autofree char *member_path = g_strdup(p->path->str);
      g_string_truncate(p->path, base);
      add_note(sc, NOTE_NUL_KEY, false, NULL, 0);
      g_string_assign(p->path, member_path);
    }
    skip_ws(sc);
    if (sc->s == sc->end || *sc->s != ':')
      return scan_fail(sc, "expected ':'");
    sc->s++;
    skip_ws(sc);
    if (scan_value(sc))
      return -1;
    g_string_truncate(p->path, base);
    int next = scan_separator(sc, '}');
    if (next <= 0)
      return next;
  }
}

static int scan_array(scanner *sc) {
  td_ckpt_parser *p = sc->p;
  const gsize base = p->path->len;
  sc->s++;
  skip_ws(sc);
  if (sc->s < sc->end && *sc->s == ']') {
    sc->s++;
    return 0;
  }
  for (unsigned long i = 0;; i++) {
    g_string_append_printf(p->path, "[%lu]", i);
    if (scan_value(sc))
      return -1;
    g_string_truncate(p->path, base);
    int next = scan_separator(sc, ']');
    if (next <= 0)
      return next;
  }
}

static int scan_value(scanner *sc) {
  if (sc->s == sc->end)
    return scan_fail(sc, "expected a value");
  switch (*sc->s) {
  case '{':
  case '[': {
    if (++sc->depth > MAX_DEPTH)
      return scan_fail(sc, "nesting deeper than 64");
    int rc = *sc->s == '{' ? scan_object(sc) : scan_array(sc);
    sc->depth--;
    return rc;
  }
  case '"': {
    bool nul;
    if (scan_string(sc, NULL, &nul))
      return -1;
    if (nul)
      add_note(sc, NOTE_NUL_STRING, false, NULL, 0);
    return 0;
  }
  case 't':
    return scan_literal(sc, "true");
  case 'f':
    return scan_literal(sc, "false");
  case 'n':
    return scan_literal(sc, "null");
  default:
    if (*sc->s == '-' || (*sc->s >= '0' && *sc->s <= '9'))
      return scan_number(sc);
    return scan_fail(sc, "expected a value");
  }
}

static int scan_line(td_ckpt_parser *p, const char *line, size_t len) {
  scanner sc = {p, line, line, line + len, 0};
  const gchar *bad;
  if (!g_utf8_validate_len(line, len, &bad)) {
    sc.s = bad;
    return scan_fail(&sc, "not UTF-8");
  }
  skip_ws(&sc);
  if (scan_value(&sc))
    return -1;
  skip_ws(&sc);
  if (sc.s != sc.end)
    return scan_fail(&sc, "unexpected text after the value");
  return 0;
}

/* ---- From the tree to a td_ckpt ---- */

typedef enum field_type {
  F_I32,
  F_I64,
  F_DOUBLE,
  F_STRING,
  F_PROCESS_STATE,
  F_TASK_STATE,
  F_PORTS
} field_type;

typedef struct field {
  const char *name;
  field_type type;
  uint32_t bit;
  size_t offset;
} field;

#define PS(name, type, bit)                                                    \
  { #name, type, bit, offsetof(thermos_process_status, name) }
static const field process_fields[] = {
    PS(seq, F_I64, THERMOS_PS_SEQ),
    PS(process, F_STRING, THERMOS_PS_PROCESS),
    PS(state, F_PROCESS_STATE, THERMOS_PS_STATE),
    PS(coordinator_pid, F_I32, THERMOS_PS_COORDINATOR_PID),
    PS(fork_time, F_DOUBLE, THERMOS_PS_FORK_TIME),
    PS(start_time, F_DOUBLE, THERMOS_PS_START_TIME),
    PS(pid, F_I32, THERMOS_PS_PID),
    PS(stop_time, F_DOUBLE, THERMOS_PS_STOP_TIME),
    PS(return_code, F_I32, THERMOS_PS_RETURN_CODE),
};
#undef PS

#define TS(name, type, bit)                                                    \
  { #name, type, bit, offsetof(thermos_task_status, name) }
static const field task_fields[] = {
    TS(state, F_TASK_STATE, THERMOS_TS_STATE),
    TS(timestamp_ms, F_I64, THERMOS_TS_TIMESTAMP_MS),
    TS(runner_pid, F_I32, THERMOS_TS_RUNNER_PID),
    TS(runner_uid, F_I32, THERMOS_TS_RUNNER_UID),
};
#undef TS

#define RH(name, type, bit)                                                    \
  { #name, type, bit, offsetof(thermos_runner_header, name) }
static const field header_fields[] = {
    RH(task_id, F_STRING, THERMOS_RH_TASK_ID),
    RH(launch_time_ms, F_I64, THERMOS_RH_LAUNCH_TIME_MS),
    RH(sandbox, F_STRING, THERMOS_RH_SANDBOX),
    RH(log_dir, F_STRING, THERMOS_RH_LOG_DIR),
    RH(hostname, F_STRING, THERMOS_RH_HOSTNAME),
    RH(user, F_STRING, THERMOS_RH_USER),
    RH(uid, F_I32, THERMOS_RH_UID),
    RH(ports, F_PORTS, THERMOS_RH_PORTS),
};
#undef RH

/* A member path ("process_status.pid") for notes and, escaped, reasons. */
typedef struct member_path {
  const char *parent; /* a path of ours (plain ASCII) */
  const char *name;   /* a member name from the line */
} member_path;

static const note *find_note(td_ckpt_parser *p, const member_path *mp,
                             note_kind kind) {
  if (g_hash_table_size(p->notes) == 0)
    return NULL;
  g_autofree char *key = mp->name != NULL
                             ? g_strconcat(mp->parent, ".", mp->name, NULL)
                             : g_strdup(mp->parent);
  const note *n = g_hash_table_lookup(p->notes, key);
  return n != NULL && n->kind == kind ? n : NULL;
}

static int fail_at(td_ckpt_parser *p, const member_path *mp, const char *fmt,
                   ...) G_GNUC_PRINTF(3, 4);
static int fail_at(td_ckpt_parser *p, const member_path *mp, const char *fmt,
                   ...) {
  g_autoptr(GString) msg = g_string_new(mp->parent);
  if (mp->name != NULL) {
    if (msg->len > 0)
      g_string_append_c(msg, '.');
    quote(msg, mp->name, strlen(mp->name));
  }
  g_string_append(msg, ": ");
  va_list ap;
  va_start(ap, fmt);
  g_string_append_vprintf(msg, fmt, ap);
  va_end(ap);
  return fail(p, "%s", msg->str);
}

static int fail_unknown(td_ckpt_parser *p, const char *parent,
                        const char *name) {
  const member_path self = {parent, NULL};
  g_autoptr(GString) q = g_string_new(NULL);
  quote(q, name, strlen(name));
  if (*parent == '\0')
    return fail(p, "unknown member '%s'", q->str);
  return fail_at(p, &self, "unknown member '%s'", q->str);
}

static bool holds_int(JsonNode *node) {
  return JSON_NODE_HOLDS_VALUE(node) &&
         json_node_get_value_type(node) == G_TYPE_INT64;
}

static int read_int(td_ckpt_parser *p, const member_path *mp, JsonNode *node,
                    int64_t min, int64_t max, const char *type_name,
                    int64_t *out) {
  if (!holds_int(node))
    return fail_at(p, mp, "expected an integer");
  const note *n = find_note(p, mp, NOTE_NUMBER);
  if (n != NULL && n->overflow) {
    g_autoptr(GString) lit = g_string_new(NULL);
    quote(lit, n->literal, strlen(n->literal));
    return fail_at(p, mp, "%s is out of range for %s", lit->str, type_name);
  }
  int64_t v = json_node_get_int(node);
  if (v < min || v > max)
    return fail_at(p, mp, "%" G_GINT64_FORMAT " is out of range for %s", v,
                   type_name);
  *out = v;
  return 0;
}

static int read_double(td_ckpt_parser *p, const member_path *mp, JsonNode *node,
                       double *out) {
  if (JSON_NODE_HOLDS_NULL(node)) {
    *out = NAN;
    return 0;
  }
  if (holds_int(node)) {
    /* The literal itself when json-glib's int64 would not give the same
     * double: beyond int64, or -0. */
    const note *n = find_note(p, mp, NOTE_NUMBER);
    *out = n != NULL ? g_ascii_strtod(n->literal, NULL)
                     : (double)json_node_get_int(node);
    return 0;
  }
  if (JSON_NODE_HOLDS_VALUE(node) &&
      json_node_get_value_type(node) == G_TYPE_DOUBLE) {
    *out = json_node_get_double(node);
    return 0;
  }
  return fail_at(p, mp, "expected a number or null");
}

static int read_string(td_ckpt_parser *p, const member_path *mp, JsonNode *node,
                       thermos_str *out) {
  if (!JSON_NODE_HOLDS_VALUE(node) ||
      json_node_get_value_type(node) != G_TYPE_STRING)
    return fail_at(p, mp, "expected a string");
  if (find_note(p, mp, NOTE_NUL_STRING) != NULL)
    return fail_at(p, mp, "U+0000 in a string is not supported");
  out->data = json_node_get_string(node);
  out->len = strlen(out->data);
  return 0;
}

/* "UNKNOWN_<n>", as json.md writes a value outside the enum. */
static bool parse_unknown(const char *s, int32_t *out) {
  if (strncmp(s, "UNKNOWN_", 8) != 0)
    return false;
  s += 8;
  bool neg = *s == '-';
  if (neg)
    s++;
  if (*s == '\0')
    return false;
  int64_t v = 0;
  for (; *s != '\0'; s++) {
    if (*s < '0' || *s > '9')
      return false;
    v = v * 10 + (*s - '0');
    if (v > (int64_t)INT32_MAX + 1)
      return false;
  }
  if (neg)
    v = -v;
  if (v < INT32_MIN || v > INT32_MAX)
    return false;
  *out = (int32_t)v;
  return true;
}

static int read_state(td_ckpt_parser *p, const member_path *mp, JsonNode *node,
                      bool process, int32_t *out) {
  const char *kind = process ? "process" : "task";
  if (!JSON_NODE_HOLDS_VALUE(node) ||
      json_node_get_value_type(node) != G_TYPE_STRING)
    return fail_at(p, mp, "expected a %s state name", kind);
  const char *s = json_node_get_string(node);
  int32_t last = process ? THERMOS_PROCESS_LOST : THERMOS_TASK_FINALIZING;
  for (int32_t v = 0; v <= last; v++) {
    const char *name =
        process ? td_process_state_name(v) : td_task_state_name(v);
    if (name != NULL && strcmp(s, name) == 0) {
      *out = v;
      return 0;
    }
  }
  if (parse_unknown(s, out))
    return 0;
  g_autoptr(GString) q = g_string_new(NULL);
  quote(q, s, strlen(s));
  return fail_at(p, mp, "unknown %s state '%s'", kind, q->str);
}

static int read_ports(td_ckpt_parser *p, const member_path *mp, JsonNode *node,
                      thermos_runner_header *rh) {
  if (!JSON_NODE_HOLDS_OBJECT(node))
    return fail_at(p, mp, "expected an object from name to port");
  g_autofree char *path = g_strconcat(mp->parent, ".", mp->name, NULL);
  const member_path self = {path, NULL};
  if (find_note(p, &self, NOTE_NUL_KEY) != NULL)
    return fail_at(p, mp, "U+0000 in a name is not supported");
  JsonObject *obj = json_node_get_object(node);
  GList *names = json_object_get_members(obj);
  int rc = 0;
  /* json-glib lists each name once, with its last value. */
  for (GList *l = names; l != NULL; l = l->next) {
    const char *name = l->data;
    const member_path entry = {path, name};
    thermos_port port = {{name, strlen(name)}, 0};
    if (read_int(p, &entry, json_object_get_member(obj, name), INT64_MIN,
                 INT64_MAX, "int64", &port.port)) {
      rc = -1;
      break;
    }
    g_array_append_val(p->ports, port);
  }
  g_list_free(names);
  if (rc == 0) {
    rh->ports = (const thermos_port *)(void *)p->ports->data;
    rh->n_ports = p->ports->len;
  }
  return rc;
}

/* Reads a struct's members into `out` (a thermos_* struct whose presence
 * bits are at `*present`).  An unknown member is an error: a misspelt name
 * in a hand-written stream must not vanish silently. */
static int read_struct(td_ckpt_parser *p, const char *sname, JsonNode *node,
                       const field *fields, size_t n_fields, void *out,
                       uint32_t *present) {
  const member_path self = {sname, NULL};
  if (!JSON_NODE_HOLDS_OBJECT(node))
    return fail_at(p, &self, "expected an object");
  if (find_note(p, &self, NOTE_NUL_KEY) != NULL)
    return fail_at(p, &self, "U+0000 in a member name is not supported");
  JsonObject *obj = json_node_get_object(node);
  GList *names = json_object_get_members(obj);
  int rc = 0;
  for (GList *l = names; l != NULL && rc == 0; l = l->next) {
    const char *name = l->data;
    const member_path mp = {sname, name};
    const field *f = NULL;
    for (size_t i = 0; i < n_fields; i++)
      if (strcmp(fields[i].name, name) == 0)
        f = &fields[i];
    if (f == NULL) {
      rc = fail_unknown(p, sname, name);
      break;
    }
    JsonNode *v = json_object_get_member(obj, name);
    char *dst = (char *)out + f->offset;
    int64_t i64;
    switch (f->type) {
    case F_I32:
      rc = read_int(p, &mp, v, INT32_MIN, INT32_MAX, "int32", &i64);
      if (rc == 0)
        *(int32_t *)(void *)dst = (int32_t)i64;
      break;
    case F_I64:
      rc = read_int(p, &mp, v, INT64_MIN, INT64_MAX, "int64", &i64);
      if (rc == 0)
        *(int64_t *)(void *)dst = i64;
      break;
    case F_DOUBLE:
      rc = read_double(p, &mp, v, (double *)(void *)dst);
      break;
    case F_STRING:
      rc = read_string(p, &mp, v, (thermos_str *)(void *)dst);
      break;
    case F_PROCESS_STATE:
    case F_TASK_STATE:
      rc = read_state(p, &mp, v, f->type == F_PROCESS_STATE,
                      (int32_t *)(void *)dst);
      break;
    case F_PORTS:
      rc = read_ports(p, &mp, v, out);
      break;
    }
    if (rc == 0)
      *present |= f->bit;
  }
  g_list_free(names);
  return rc;
}

/* The update members, by their names in json.md. */
static int read_update(td_ckpt_parser *p, const char *name, JsonNode *node,
                       td_ckpt *out) {
  if (strcmp(name, "header") == 0) {
    out->has_header = true;
    return read_struct(p, "header", node, header_fields,
                       G_N_ELEMENTS(header_fields), &out->header,
                       &out->header.present);
  }
  if (strcmp(name, "task_status") == 0) {
    out->has_task = true;
    return read_struct(p, "task_status", node, task_fields,
                       G_N_ELEMENTS(task_fields), &out->task,
                       &out->task.present);
  }
  out->has_process = true;
  return read_struct(p, "process_status", node, process_fields,
                     G_N_ELEMENTS(process_fields), &out->process,
                     &out->process.present);
}

static bool is_update(const char *name) {
  return strcmp(name, "header") == 0 || strcmp(name, "task_status") == 0 ||
         strcmp(name, "process_status") == 0;
}

int td_ckpt_parse_line(td_ckpt_parser *p, const char *line, size_t len,
                       td_ckpt *out, char *reason, size_t reason_len) {
  p->reason = reason;
  p->reason_len = reason_len;
  g_hash_table_remove_all(p->notes);
  g_string_truncate(p->path, 0);
  g_array_set_size(p->ports, 0);
  memset(out, 0, sizeof *out);

  if (scan_line(p, line, len))
    return -1;
  GError *err = NULL;
  /* json-glib takes a gssize; the caller bounds lines far below it. */
  if (!json_parser_load_from_data(p->json, line, (gssize)len, &err)) {
    /* Not expected after the scan; json-glib's message is one line. */
    fail(p, "invalid JSON: %s", err->message);
    g_error_free(err);
    return -1;
  }
  JsonNode *root = json_parser_get_root(p->json);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root))
    return fail(p, "expected a JSON object");
  JsonObject *obj = json_node_get_object(root);

  /* An event line: its update, whatever else it carries (json.md lets
   * event lines gain members). */
  if (json_object_has_member(obj, "event")) {
    static const char *const updates[] = {"header", "task_status",
                                          "process_status"};
    bool any = false;
    for (size_t i = 0; i < G_N_ELEMENTS(updates); i++) {
      JsonNode *v = json_object_get_member(obj, updates[i]);
      if (v == NULL)
        continue;
      any = true;
      if (read_update(p, updates[i], v, out))
        return -1;
    }
    if (!any)
      return fail(p, "event line without header, task_status or "
                     "process_status");
    return 0;
  }

  /* A record line: `record` and `offset` say where `dump` found it, and
   * encode numbers records anew, so they are not checked. */
  const member_path root_path = {"", NULL};
  if (find_note(p, &root_path, NOTE_NUL_KEY) != NULL)
    return fail(p, "U+0000 in a member name is not supported");
  GList *names = json_object_get_members(obj);
  int rc = 0;
  for (GList *l = names; l != NULL && rc == 0; l = l->next) {
    const char *name = l->data;
    if (strcmp(name, "record") == 0 || strcmp(name, "offset") == 0)
      continue;
    if (is_update(name)) {
      rc = read_update(p, name, json_object_get_member(obj, name), out);
      continue;
    }
    rc = fail_unknown(p, "", name);
  }
  g_list_free(names);
  return rc;
}
