/* The JSON form of the schema's structs (json.md), shared by the host and
 * the bundled logger plugin. */
#ifndef TD_JSON_WRITE_H
#define TD_JSON_WRITE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <glib.h>
#include <thermos/handler.h>

/* The enum names: td_process_state_name, td_task_state_name. */
#include "core/states.h"

/** Appends `n` bytes: g_string_append_len without its general machinery
 * (insertion at a position, overlap), for lines built a dozen appends at
 * a time. */
static inline void td_put(GString *out, const char *s, size_t n) {
  if (G_LIKELY(out->allocated_len - out->len > n)) {
    memcpy(out->str + out->len, s, n);
    out->len += n;
    out->str[out->len] = '\0';
  } else {
    g_string_append_len(out, s, (gssize)n);
  }
}
/** Appends a string literal, measured at compile time. */
#define TD_PUT_LIT(out, lit) td_put((out), (lit), sizeof(lit) - 1)

/** Appends a JSON string: UTF-8 as is, ill-formed bytes as U+FFFD. */
void td_json_write_string(GString *out, const char *data, size_t len);
/** Appends the shortest round-tripping form of `d`; NaN and infinities as null.
 */
void td_json_write_double(GString *out, double d);
/** Appends "NAME" or "UNKNOWN_<n>". */
void td_json_write_process_state(GString *out, int32_t state);
void td_json_write_task_state(GString *out, int32_t state);

/** Appends each struct as an object holding its present fields. */
void td_json_write_process_status(GString *out,
                                  const thermos_process_status *ps);
void td_json_write_task_status(GString *out, const thermos_task_status *ts);
void td_json_write_runner_header(GString *out, const thermos_runner_header *rh);

/* The event object of the logger's JSON form and the observer's /events
 * (json.md): {"event":NAME,"record":R,"offset":O, <the caller's members>,
 * "task_id":...,"source":...,"history":B}.  Written once, for both. */

/** Appends `{"event":"<event>","record":R,"offset":O` (`event` is one of
 * the fixed names, written as is). */
void td_json_write_event_begin(GString *out, const char *event,
                               const thermos_event *ev);
/** Appends `,"task_id":...,"source":...,"history":B}`.  `source_json` is
 * ev->source already written as a JSON string (a caller keeps it per
 * stream: the source is stable for the stream's life), or NULL to write
 * it here. */
void td_json_write_event_end(GString *out, const thermos_event *ev,
                             const GString *source_json);

#endif
