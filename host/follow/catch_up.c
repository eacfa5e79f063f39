#include "catch_up.h"

#include <glib.h>

#include "core/diag.h"
#include "core/stream_reader.h"
#include "signals.h"
#include "stream_session.h"

typedef struct bound {
  const td_stream *reader; /* the catch-up's */
  uint64_t end;            /* the live reader's position */
} bound;

/* Never past the live reader: the records beyond it reach every instance
 * live, and one read here too would reach the new ones twice. */
static bool before_end(void *user) {
  const bound *b = user;
  return !td_signals_stop_requested() && td_stream_position(b->reader) < b->end;
}

static bool catch_up_stream(td_dispatcher *d, const td_stream *live,
                            const char *source, bool truncate,
                            size_t max_processes, uint32_t max_record_size) {
  char *why = NULL;
  td_session *s =
      td_session_new_catch_up(live, source, d, truncate, max_record_size, &why);
  if (!s) {
    td_error("%s: reload: %s; the instances added have none of its history",
             source, why);
    g_free(why);
    return true;
  }
  td_session_set_max_processes(s, max_processes);
  bound b = {td_session_stream(s), td_stream_position(live)};
  bool ok = td_session_open(s);
  if (ok && td_session_pump(s, before_end, &b) == TD_PUMP_ABORTED)
    ok = false;
  /* Not closed: the stream is open, live. */
  td_session_free(s);
  return ok && !td_dispatcher_aborted(d);
}

bool td_catch_up(td_dispatcher *d, bool truncate, size_t max_processes,
                 uint32_t max_record_size) {
  if (!td_dispatcher_has_pending(d))
    return true;
  bool ok = true;
  td_dispatcher_catch_up_begin(d);
  size_t n = td_dispatcher_stream_count(d);
  for (size_t i = 0; ok && i < n; i++) {
    const char *source = NULL;
    const td_stream *live = td_dispatcher_stream_at(d, i, &source);
    if (live)
      ok = catch_up_stream(d, live, source, truncate, max_processes,
                           max_record_size);
  }
  td_dispatcher_catch_up_end(d);
  return ok;
}
