/* The isolation keys of a plugin section: isolation, user,
 * callback_timeout, max_restarts, queue_records.  They are the host's, not
 * the plugin's: consumed here, never shown to the plugin. */
#include <pwd.h>
#include <string.h>

#include "config.h"

/* The defaults of thermos-dispatch.ini(5). */
#define CALLBACK_TIMEOUT_DEFAULT 30.0
#define MAX_RESTARTS_DEFAULT 5u
#define QUEUE_RECORDS_DEFAULT 100000u
/* A queue this long of 64 MiB records is already more than any host has;
 * the bound keeps the count in 32 bits. */
#define QUEUE_RECORDS_MAX 100000000u
#define MAX_RESTARTS_MAX 1000u

void td_instance_isolation_defaults(td_instance_conf *ic) {
  ic->isolated = false;
  ic->user = NULL;
  ic->callback_timeout = CALLBACK_TIMEOUT_DEFAULT;
  ic->max_restarts = MAX_RESTARTS_DEFAULT;
  ic->queue_records = QUEUE_RECORDS_DEFAULT;
}

static const char *const KEYS[] = {"isolation", "user", "callback_timeout",
                                   "max_restarts", "queue_records"};

bool td_instance_isolation_key(const char *key) {
  for (size_t i = 0; i < G_N_ELEMENTS(KEYS); i++)
    if (strcmp(key, KEYS[i]) == 0)
      return true;
  return false;
}

static int count(const td_setting *s, const char *section, uint32_t min,
                 uint32_t max, uint32_t *out) {
  int64_t v;
  if (!td_parse_int(s->value, &v) || v < min || v > max) {
    td_config_report(s->origin, section, s->key,
                     "expected an integer from %u to %u, not '%s'", min, max,
                     s->value);
    return 1;
  }
  *out = (uint32_t)v;
  return 0;
}

int td_instance_apply_isolation_key(td_instance_conf *ic, const char *section,
                                    const td_setting *s) {
  if (strcmp(s->key, "isolation") == 0) {
    if (strcmp(s->value, "none") == 0) {
      ic->isolated = false;
    } else if (strcmp(s->value, "process") == 0) {
      ic->isolated = true;
    } else {
      td_config_report(s->origin, section, s->key,
                       "expected one of none|process, not '%s'", s->value);
      return 1;
    }
    return 0;
  }
  if (strcmp(s->key, "user") == 0) {
    /* Looked up now, so that a name that does not exist is a
     * configuration error, not a worker that cannot start. */
    if (!*s->value || !getpwnam(s->value)) {
      td_config_report(s->origin, section, s->key, "no such user '%s'",
                       s->value);
      return 1;
    }
    g_free(ic->user);
    ic->user = g_strdup(s->value);
    return 0;
  }
  if (strcmp(s->key, "callback_timeout") == 0) {
    char *expected = NULL;
    double v;
    bool ok = td_parse_seconds(s->value, 0.1, TD_SECONDS_MAX, &v, &expected);
    if (ok)
      ic->callback_timeout = v;
    else
      td_config_report(s->origin, section, s->key, "expected %s, not '%s'",
                       expected, s->value);
    g_free(expected);
    return ok ? 0 : 1;
  }
  if (strcmp(s->key, "max_restarts") == 0)
    return count(s, section, 0, MAX_RESTARTS_MAX, &ic->max_restarts);
  return count(s, section, 1, QUEUE_RECORDS_MAX, &ic->queue_records);
}

int td_instance_check_isolation(const td_instance_conf *ic,
                                const char *section) {
  if (ic->isolated)
    return 0;
  int problems = 0;
  /* Each of these means something only for a worker: written without
   * isolation = process, it is a mistake worth saying. */
  for (size_t i = 1; i < G_N_ELEMENTS(KEYS); i++) {
    const td_origin *o = g_hash_table_lookup(ic->host_keys, KEYS[i]);
    if (!o)
      continue;
    td_config_report(*o, section, KEYS[i], "only with isolation = process");
    problems++;
  }
  return problems;
}
