/* The host table's typed option getters: the value written (or the
 * declared default), stripped of the white space the host ignores, parsed
 * by the same functions that checked it before init. */
#include <string.h>

#include <glib.h>

#include "instance.h"

/* The value to parse, stripped (g_free it); NULL when there is none. */
static char *stripped_value(void *handle, const char *key) {
  const char *v = td_instance_value(handle, key);
  return v ? g_strstrip(g_strdup(v)) : NULL;
}

int td_services_config_get_int(void *handle, const char *key, int64_t *value) {
  char *v = stripped_value(handle, key);
  if (!v)
    return 0;
  int64_t n;
  int rc = td_parse_int(v, &n) ? 1 : -1;
  if (rc == 1 && value)
    *value = n;
  g_free(v);
  return rc;
}

int td_services_config_get_double(void *handle, const char *key,
                                  double *value) {
  char *v = stripped_value(handle, key);
  if (!v)
    return 0;
  double d;
  int rc = td_parse_double(v, &d) ? 1 : -1;
  if (rc == 1 && value)
    *value = d;
  g_free(v);
  return rc;
}

int td_services_config_get_bool(void *handle, const char *key, int *value) {
  char *v = stripped_value(handle, key);
  if (!v)
    return 0;
  bool b;
  int rc = td_parse_bool(v, &b) ? 1 : -1;
  if (rc == 1 && value)
    *value = b;
  g_free(v);
  return rc;
}
