#include "plugin_options.h"

#include <errno.h>
#include <math.h>

#include <glib.h>

const char *tdp_option(const thermos_host_v1 *host, const char *key,
                       const char *fallback) {
  const char *v = host->config_get(host->host, key);
  return v ? v : fallback;
}

bool tdp_option_bool(const thermos_host_v1 *host, const char *key,
                     const char *fallback, bool *out) {
  static const char *const yes[] = {"yes", "true", "on", "1"};
  static const char *const no[] = {"no", "false", "off", "0"};
  const char *v = tdp_option(host, key, fallback);
  for (size_t i = 0; i < G_N_ELEMENTS(yes); i++) {
    if (g_ascii_strcasecmp(v, yes[i]) == 0) {
      *out = true;
      return true;
    }
    if (g_ascii_strcasecmp(v, no[i]) == 0) {
      *out = false;
      return true;
    }
  }
  host->config_error(host->host, key,
                     "expected a boolean (yes/no, true/false, on/off, 1/0)");
  return false;
}

bool tdp_option_seconds(const thermos_host_v1 *host, const char *key,
                        const char *fallback, double *out) {
  const char *v = tdp_option(host, key, fallback);
  char *end;
  errno = 0;
  double d = g_ascii_strtod(v, &end);
  /* NaN fails every comparison: refused too. */
  if (*v && !*end && errno == 0 && d > 0 && d <= TDP_SECONDS_MAX) {
    *out = d;
    return true;
  }
  char *msg = g_strdup_printf("expected a number of seconds above 0 and at "
                              "most %.10g, not '%s'",
                              TDP_SECONDS_MAX, v);
  host->config_error(host->host, key, msg);
  g_free(msg);
  return false;
}
