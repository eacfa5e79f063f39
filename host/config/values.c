/*
 * The typed values every section shares (booleans, integers, numbers of
 * seconds), and the one form of a configuration error: FILE:LINE:
 * [SECTION] KEY: MESSAGE.  The INI reader and the [host] keys both use
 * them; they use neither.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "config.h"
#include "core/diag.h"

void td_config_report(td_origin origin, const char *section, const char *key,
                      const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *msg = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  GString *where = g_string_new(origin.file);
  if (origin.line > 0)
    g_string_append_printf(where, ":%d", origin.line);
  if (section)
    g_string_append_printf(where, ": [%s]", section);
  if (key)
    g_string_append_printf(where, "%s%s", section ? " " : ": ", key);
  td_error("%s: %s", where->str, msg);
  g_string_free(where, TRUE);
  g_free(msg);
}

bool td_parse_bool(const char *s, bool *out) {
  static const char *const yes[] = {"yes", "true", "on", "1"};
  static const char *const no[] = {"no", "false", "off", "0"};
  for (size_t i = 0; i < G_N_ELEMENTS(yes); i++) {
    if (g_ascii_strcasecmp(s, yes[i]) == 0) {
      *out = true;
      return true;
    }
    if (g_ascii_strcasecmp(s, no[i]) == 0) {
      *out = false;
      return true;
    }
  }
  return false;
}

bool td_parse_int(const char *s, int64_t *out) {
  char *end;
  if (!*s)
    return false;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (errno || *end)
    return false;
  *out = v;
  return true;
}

bool td_parse_double(const char *s, double *out) {
  char *end;
  if (!*s)
    return false;
  errno = 0;
  double v = g_ascii_strtod(s, &end);
  if (errno || *end || !isfinite(v))
    return false;
  *out = v;
  return true;
}

/* Integer form: clang refuses floating expressions in _Static_assert. */
G_STATIC_ASSERT((guint64)TD_SECONDS_MAX_WHOLE * 1000 < G_MAXUINT);

bool td_parse_seconds(const char *s, double min, double max, double *out,
                      char **expected) {
  *expected =
      g_strdup_printf("a number of seconds from %.10g to %.10g", min, max);
  double d;
  /* A negated comparison so that NaN (refused already) could not pass. */
  if (!td_parse_double(s, &d) || !(d >= min && d <= max))
    return false;
  *out = d;
  return true;
}
