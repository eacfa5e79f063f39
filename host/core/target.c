/* One receiver of the dispatch as the dispatcher keeps it: the reason a
 * failing callback gives, and its statistics in the public ABI's form. */
#include <string.h>

#include <glib.h>

#include "dispatcher.h"
#include "error.h"

void td_target_set_reason(td_target *t, const char *reason) {
  td_err e;
  td_err_set(&e, "%s", reason ? reason : "");
  /* Cut at a character boundary: when the first byte left out continues
   * a UTF-8 character, that character is left out whole. */
  size_t n = strlen(e.msg);
  if (n >= sizeof t->reason) {
    n = sizeof t->reason - 1;
    size_t k = n;
    while (k > n - 3 && ((unsigned char)e.msg[k] & 0xc0) == 0x80)
      k--;
    if (((unsigned char)e.msg[k] & 0xc0) == 0xc0)
      n = k; /* else not UTF-8 anyway: cut at the byte */
  }
  memcpy(t->reason, e.msg, n);
  t->reason[n] = '\0';
  /* One line: a newline would forge a line of the host's log. */
  for (char *c = t->reason; *c; c++)
    if (*c == '\n' || *c == '\r')
      *c = ' ';
}

void td_target_stats(const td_target *t, thermos_instance_stats *out) {
  thermos_instance_stats s;
  memset(&s, 0, sizeof s);
  s.struct_size = out->struct_size;
  s.instance = t->name;
  s.module = t->module;
  s.events = t->events;
  s.callbacks_failed = t->failures;
  s.disabled = t->disabled;
  s.callbacks = t->callbacks;
  s.callback_seconds = t->callback_seconds;
  uint64_t sum = 0;
  for (int i = 0; i < THERMOS_CALLBACK_BUCKETS; i++) {
    sum += t->callback_buckets[i];
    s.callback_buckets[i] = sum;
  }
  size_t n = out->struct_size < sizeof s ? out->struct_size : sizeof s;
  memcpy(out, &s, n);
}
