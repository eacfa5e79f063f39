/*
 * `encode`: JSON lines on stdin (json.md's records, or the logger's event
 * lines) to a checkpoint stream on stdout, so plugin authors can write test
 * streams by hand.  Records are streamed: when a line is bad, the records
 * of the lines before it are already out.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "format/json_read.h"
#include "format/thrift_write.h"
#include "cli.h"
#include "core/diag.h"
#include "core/error.h"
#include "core/framing.h"

static const char ENCODE_USAGE[] =
    "Usage: thermos-dispatch encode\n"
    "Read JSON lines on standard input (records as 'dump' prints them, or\n"
    "the logger's JSON event lines) and write them to standard output as a\n"
    "checkpoint stream, one record a line.  Blank lines are skipped.  A bad\n"
    "line is an error naming its number; the records before it are written.\n"
    "\n"
    "  -h, --help     show this help and exit\n"
    "  -V, --version  show the version and exit\n";

/* A line may hold a record of up to the format's limit, and a record is
 * never larger than its JSON form. */
#define MAX_LINE TD_MAX_RECORD_SIZE_LIMIT

typedef struct encoder {
  td_json_reader *parser;
  GByteArray *record; /* the framed record being written */
  GByteArray *line;   /* a line split across reads */
  uint64_t lineno;
} encoder;

static bool blank(const char *s, size_t len) {
  for (size_t i = 0; i < len; i++)
    if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
      return false;
  return true;
}

/* A bad line: what came before it goes out first, then the error. */
static int bad_line(const encoder *enc, const char *reason) {
  if (!td_flush_stdout())
    return TD_EXIT_SOFTWARE;
  td_error("stdin: line %" PRIu64 ": %s", enc->lineno, reason);
  return TD_EXIT_DATAERR;
}

/* One line (without its newline): 0, or the exit code. */
static int encode_line(encoder *enc, const char *s, size_t len) {
  if (blank(s, len))
    return 0;
  td_ckpt ck;
  td_err reason;
  if (td_json_read_line(enc->parser, s, len, &ck, &reason))
    return bad_line(enc, reason.msg);
  GError *err = NULL;
  g_byte_array_set_size(enc->record, 0);
  if (td_thrift_write(&ck, enc->record, &err)) {
    int rc = bad_line(enc, err->message);
    g_error_free(err);
    return rc;
  }
  if (!td_write_stdout((const char *)enc->record->data, enc->record->len))
    return TD_EXIT_SOFTWARE;
  return 0;
}

static int too_long(encoder *enc) {
  enc->lineno++;
  td_err reason;
  td_err_set(&reason, "line longer than %u bytes", MAX_LINE);
  return bad_line(enc, reason.msg);
}

/* Splits stdin into lines without a bound on what it buffers other than
 * MAX_LINE: a getline() would take a runaway line whole first. */
static int encode_stdin(encoder *enc) {
  static char chunk[1 << 16];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, stdin)) > 0) {
    const char *p = chunk;
    const char *end = chunk + n;
    while (p < end) {
      const char *nl = memchr(p, '\n', (size_t)(end - p));
      size_t seg = (size_t)((nl != NULL ? nl : end) - p);
      if ((uint64_t)enc->line->len + seg > MAX_LINE)
        return too_long(enc);
      if (nl == NULL) {
        g_byte_array_append(enc->line, (const guint8 *)p, (guint)seg);
        break;
      }
      enc->lineno++;
      int rc;
      if (enc->line->len == 0) {
        rc = encode_line(enc, p, seg);
      } else {
        g_byte_array_append(enc->line, (const guint8 *)p, (guint)seg);
        rc = encode_line(enc, (const char *)enc->line->data, enc->line->len);
        g_byte_array_set_size(enc->line, 0);
      }
      if (rc != 0)
        return rc;
      p = nl + 1;
    }
  }
  if (ferror(stdin)) {
    td_flush_stdout();
    td_error("stdin: %s", g_strerror(errno));
    return TD_EXIT_NOINPUT;
  }
  /* A last line without its newline. */
  if (enc->line->len > 0) {
    enc->lineno++;
    int rc = encode_line(enc, (const char *)enc->line->data, enc->line->len);
    if (rc != 0)
      return rc;
  }
  return td_flush_stdout() ? TD_EXIT_OK : TD_EXIT_SOFTWARE;
}

int td_cmd_encode(int argc, char **argv) {
  static const td_command_spec spec = {
      "encode", ENCODE_USAGE, NULL, NULL, NULL, 0, 0};
  int rc = td_parse_command(argc, argv, &spec, NULL);
  if (rc != TD_PARSE_CONTINUE)
    return rc;

  encoder enc = {td_json_reader_new(), g_byte_array_new(), g_byte_array_new(),
                 0};
  rc = encode_stdin(&enc);
  td_json_reader_free(enc.parser);
  g_byte_array_unref(enc.record);
  g_byte_array_unref(enc.line);
  return rc;
}
