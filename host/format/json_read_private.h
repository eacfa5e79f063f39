/* What the JSON line parser of `encode` shares between its two parts: the
 * strict scanner (json_scan.c) and the reader of json-glib's tree
 * (json_read.c). */
#ifndef TD_JSON_READ_PRIVATE_H
#define TD_JSON_READ_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "json_read.h"

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

struct td_json_reader {
  JsonParser *json;
  GArray *ports;     /* thermos_port, pointing into the JSON tree */
  GHashTable *notes; /* member path -> note, usually empty */
  GString *path;     /* the scanner's current member path */
  td_err *err;       /* the caller's, during one call */
};

/** Sets the caller's error; returns -1. */
int td_json_read_fail(td_json_reader *p, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);
/** Appends user text to a reason: non-printable bytes as \xHH (so the
 * reason stays one line), at most QUOTE_MAX bytes. */
void td_json_read_quote(GString *out, const char *s, size_t len);

/** Checks one line against RFC 8259 (and nesting), noting by member path
 * the literals json-glib would misread.  0, or -1 with the reason set. */
int td_json_read_scan(td_json_reader *p, const char *line, size_t len);

#endif
