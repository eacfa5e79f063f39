/*
 * The strict scanner of `encode`'s JSON lines (RFC 8259), run before
 * json-glib, which is lax where encode must not be: it wraps integers
 * beyond int64 silently, cuts strings at an escaped U+0000, and accepts
 * comments, single quotes, leading zeros and trailing text.  The scanner
 * also notes, by member path, the few literals json-glib would misread;
 * the field readers of json_read.c consult those notes.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "json_read_private.h"

typedef struct scanner {
  td_json_reader *p;
  const char *start;
  const char *s;
  const char *end;
  int depth;
} scanner;

static int scan_fail(scanner *sc, const char *what) {
  return td_json_read_fail(sc->p, "invalid JSON at column %zu: %s",
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
static void forget_notes(td_json_reader *p) {
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
  td_json_reader *p = sc->p;
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
  td_json_reader *p = sc->p;
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

int td_json_read_scan(td_json_reader *p, const char *line, size_t len) {
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
