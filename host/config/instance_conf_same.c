/*
 * Whether two configurations of an instance are the same, for a reload:
 * an instance configured as it was keeps running untouched.  Every field
 * of td_instance_conf that changes what the instance is or how the host
 * treats it is compared here (where it was written is not): a field added
 * to td_instance_conf is one more line below.
 */
#include <string.h>

#include "config.h"

static bool same_string(const char *a, const char *b) {
  return a == b || (a && b && strcmp(a, b) == 0);
}

/* The plugin's own keys, in any order (a section holds each key once). */
static bool same_settings(const td_instance_conf *a,
                          const td_instance_conf *b) {
  if (a->settings->len != b->settings->len)
    return false;
  for (guint i = 0; i < a->settings->len; i++) {
    const td_setting *s = g_ptr_array_index(a->settings, i);
    if (!same_string(s->value, td_instance_get(b, s->key)))
      return false;
  }
  return true;
}

bool td_instance_conf_same(const td_instance_conf *a,
                           const td_instance_conf *b) {
  return same_string(a->name, b->name) && same_string(a->module, b->module) &&
         same_string(a->path, b->path) && a->enabled == b->enabled &&
         a->on_error == b->on_error && a->isolated == b->isolated &&
         same_string(a->user, b->user) &&
         a->callback_timeout == b->callback_timeout &&
         a->max_restarts == b->max_restarts &&
         a->queue_records == b->queue_records && same_settings(a, b);
}
