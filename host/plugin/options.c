/*
 * A module's declared options in one form.  The loader has checked every
 * options_ex entry (abi_checks.c) before anything here reads one, so an
 * entry is read whole; `options`, the final 1.0 array, is read as before.
 */
#include "options.h"

#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "config/config.h"

const thermos_option_ex *const *td_options_ex(const thermos_handler_v1 *t) {
  /* The loader's copy of the table: members past the plugin's struct_size
   * are zero, but a struct_size that ends inside the member would leave
   * half a pointer; THERMOS_HAS_MEMBER rules that out. */
  if (!THERMOS_HAS_MEMBER(t, thermos_handler_v1, options_ex))
    return NULL;
  return t->options_ex;
}

bool td_options_declared(const thermos_handler_v1 *t) {
  return td_options_ex(t) != NULL || t->options != NULL;
}

bool td_option_at(const thermos_handler_v1 *t, size_t i, td_option_decl *out) {
  const thermos_option_ex *const *ex = td_options_ex(t);
  memset(out, 0, sizeof *out);
  if (ex) {
    for (size_t k = 0; k < i; k++)
      if (!ex[k])
        return false;
    const thermos_option_ex *e = ex[i];
    if (!e)
      return false;
    out->key = e->key;
    out->type = e->type;
    out->default_value = e->default_value;
    out->help = e->help;
    out->choices = e->choices;
    out->flags = e->flags;
    out->int_min = e->int_min;
    out->int_max = e->int_max;
    out->double_min = e->double_min;
    out->double_max = e->double_max;
    return true;
  }
  const thermos_option *o = t->options;
  if (!o)
    return false;
  for (size_t k = 0; k < i; k++)
    if (!o[k].key)
      return false;
  if (!o[i].key)
    return false;
  out->key = o[i].key;
  out->type = o[i].type;
  out->default_value = o[i].default_value;
  out->help = o[i].help;
  out->choices = o[i].choices;
  return true;
}

bool td_option_find(const thermos_handler_v1 *t, const char *key,
                    td_option_decl *out) {
  for (size_t i = 0; td_option_at(t, i, out); i++)
    if (strcmp(out->key, key) == 0)
      return true;
  return false;
}

char *td_format_double(double d) {
  for (int prec = 1; prec < 17; prec++) {
    char *s = g_strdup_printf("%.*g", prec, d);
    if (strtod(s, NULL) == d)
      return s;
    g_free(s);
  }
  return g_strdup_printf("%.17g", d);
}

/* A negated comparison, so that NaN (refused at load) could not pass. */
static bool in_double_range(const td_option_decl *o, double d) {
  return !(d < o->double_min) && !(d > o->double_max);
}

bool td_option_value_fits(const td_option_decl *o, const char *v,
                          char **expected) {
  bool b;
  int64_t n;
  double d;
  bool range = (o->flags & THERMOS_OPTION_RANGE) != 0;
  switch (o->type) {
  case THERMOS_OPT_BOOL:
    *expected = g_strdup("a boolean (yes/no, true/false, on/off, 1/0)");
    return td_parse_bool(v, &b);
  case THERMOS_OPT_INT:
    if (range) {
      *expected = g_strdup_printf("an integer from %" PRId64 " to %" PRId64,
                                  o->int_min, o->int_max);
      return td_parse_int(v, &n) && n >= o->int_min && n <= o->int_max;
    }
    *expected = g_strdup_printf("an integer from %" PRId64 " to %" PRId64,
                                INT64_MIN, INT64_MAX);
    return td_parse_int(v, &n);
  case THERMOS_OPT_DOUBLE:
    if (range) {
      char *lo = td_format_double(o->double_min);
      char *hi = td_format_double(o->double_max);
      *expected = g_strdup_printf("a number from %s to %s", lo, hi);
      g_free(lo);
      g_free(hi);
      return td_parse_double(v, &d) && in_double_range(o, d);
    }
    *expected = g_strdup_printf("a finite number from %.17g to %.17g", -DBL_MAX,
                                DBL_MAX);
    return td_parse_double(v, &d);
  case THERMOS_OPT_PATH:
    *expected = g_strdup("a path");
    return *v != '\0';
  case THERMOS_OPT_ENUM: {
    *expected = g_strdup_printf("one of %s", o->choices ? o->choices : "");
    gchar **choices = g_strsplit(o->choices ? o->choices : "", "|", -1);
    bool found = false;
    for (gchar **c = choices; *c; c++)
      if (strcmp(*c, v) == 0)
        found = true;
    g_strfreev(choices);
    return found;
  }
  case THERMOS_OPT_STRING:
  default:
    *expected = NULL;
    return true;
  }
}
