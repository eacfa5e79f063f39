#include "json_write_state.h"

#include "json_write.h"

void td_json_write_state(GString *out, const thermos_runner_state *st) {
  const thermos_runner_header *h = td_runner_state_header(st);
  g_string_append_c(out, '{');
  if (h) {
    g_string_append(out, "\"header\":");
    td_json_write_runner_header(out, h);
    g_string_append_c(out, ',');
  }
  if (td_runner_state_has_statuses(st)) {
    g_string_append(out, "\"statuses\":[");
    for (size_t i = 0; i < td_runner_state_task_status_count(st); i++) {
      if (i)
        g_string_append_c(out, ',');
      td_json_write_task_status(out, td_runner_state_task_status(st, i));
    }
    g_string_append(out, "],");
  }
  g_string_append(out, "\"processes\":{");
  for (size_t i = 0; i < td_runner_state_process_count(st); i++) {
    thermos_str name = td_runner_state_process_name(st, i);
    if (i)
      g_string_append_c(out, ',');
    td_json_write_string(out, name.data, name.len);
    g_string_append(out, ":[");
    for (size_t r = 0; r < td_runner_state_run_count_at(st, i); r++) {
      if (r)
        g_string_append_c(out, ',');
      td_json_write_process_status(out, td_runner_state_run_at(st, i, r));
    }
    g_string_append_c(out, ']');
  }
  g_string_append(out, "}}\n");
}
