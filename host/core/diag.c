#include "diag.h"

#include <stdarg.h>
#include <stdio.h>

static td_diag_sink sink;
static void *sink_user;

void td_diag_set_sink(td_diag_sink fn, void *user) {
  sink = fn;
  sink_user = user;
}

static void emit(const char *prefix, const char *fmt, va_list ap) {
  /* Built first and written with one call, so concurrent writers to the
   * same stderr do not interleave within a line. */
  GString *line = g_string_new(TD_PROGRAM ": ");
  g_string_append(line, prefix);
  g_string_append_vprintf(line, fmt, ap);
  if (sink) {
    sink(sink_user, line->str);
    g_string_free(line, TRUE);
    return;
  }
  g_string_append_c(line, '\n');
  fwrite(line->str, 1, line->len, stderr);
  fflush(stderr);
  g_string_free(line, TRUE);
}

void td_error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  emit("", fmt, ap);
  va_end(ap);
}

void td_warning(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  emit("warning: ", fmt, ap);
  va_end(ap);
}

void td_escape_bytes(GString *out, const char *data, size_t len) {
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)data[i];
    if (c >= 0x20 && c < 0x7f)
      g_string_append_c(out, (char)c);
    else
      g_string_append_printf(out, "\\x%02x", c);
  }
}
