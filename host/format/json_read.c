/*
 * One JSON line of json.md (a `dump` record or a logger event line) into a
 * td_ckpt, for `encode`.
 *
 * json-glib builds the tree, but it is lax where encode must not be: it
 * wraps integers beyond int64 silently, cuts strings at an escaped U+0000,
 * and accepts comments, single quotes, leading zeros and trailing text.  So
 * each line is first checked by a strict scanner (RFC 8259), which also
 * notes, by member path, the few literals json-glib would misread; the
 * field readers consult those notes.
 */
#include "json_read.h"

#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "json_read_private.h"
#include "core/diag.h"
#include "json_write.h"

static void free_note(gpointer data) {
  note *n = data;
  g_free(n->literal);
  g_free(n);
}

td_json_reader *td_json_reader_new(void) {
  td_json_reader *p = g_new0(td_json_reader, 1);
  p->json = json_parser_new();
  p->ports = g_array_new(FALSE, FALSE, sizeof(thermos_port));
  p->notes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, free_note);
  p->path = g_string_new(NULL);
  return p;
}

void td_json_reader_free(td_json_reader *p) {
  if (p == NULL)
    return;
  g_object_unref(p->json);
  g_array_free(p->ports, TRUE);
  g_hash_table_destroy(p->notes);
  g_string_free(p->path, TRUE);
  g_free(p);
}

int td_json_read_fail(td_json_reader *p, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  td_err_setv(p->err, fmt, ap);
  va_end(ap);
  return -1;
}

void td_json_read_quote(GString *out, const char *s, size_t len) {
  if (len > QUOTE_MAX) {
    td_escape_bytes(out, s, QUOTE_MAX);
    g_string_append(out, "...");
  } else {
    td_escape_bytes(out, s, len);
  }
}

/* ---- From the tree to a td_ckpt ---- */

typedef enum field_type {
  F_I32,
  F_I64,
  F_DOUBLE,
  F_STRING,
  F_PROCESS_STATE,
  F_TASK_STATE,
  F_PORTS
} field_type;

typedef struct field {
  const char *name;
  field_type type;
  uint32_t bit;
  size_t offset;
} field;

#define PS(name, type, bit)                                                    \
  { #name, type, bit, offsetof(thermos_process_status, name) }
static const field process_fields[] = {
    PS(seq, F_I64, THERMOS_PS_SEQ),
    PS(process, F_STRING, THERMOS_PS_PROCESS),
    PS(state, F_PROCESS_STATE, THERMOS_PS_STATE),
    PS(coordinator_pid, F_I32, THERMOS_PS_COORDINATOR_PID),
    PS(fork_time, F_DOUBLE, THERMOS_PS_FORK_TIME),
    PS(start_time, F_DOUBLE, THERMOS_PS_START_TIME),
    PS(pid, F_I32, THERMOS_PS_PID),
    PS(stop_time, F_DOUBLE, THERMOS_PS_STOP_TIME),
    PS(return_code, F_I32, THERMOS_PS_RETURN_CODE),
};
#undef PS

#define TS(name, type, bit)                                                    \
  { #name, type, bit, offsetof(thermos_task_status, name) }
static const field task_fields[] = {
    TS(state, F_TASK_STATE, THERMOS_TS_STATE),
    TS(timestamp_ms, F_I64, THERMOS_TS_TIMESTAMP_MS),
    TS(runner_pid, F_I32, THERMOS_TS_RUNNER_PID),
    TS(runner_uid, F_I32, THERMOS_TS_RUNNER_UID),
};
#undef TS

#define RH(name, type, bit)                                                    \
  { #name, type, bit, offsetof(thermos_runner_header, name) }
static const field header_fields[] = {
    RH(task_id, F_STRING, THERMOS_RH_TASK_ID),
    RH(launch_time_ms, F_I64, THERMOS_RH_LAUNCH_TIME_MS),
    RH(sandbox, F_STRING, THERMOS_RH_SANDBOX),
    RH(log_dir, F_STRING, THERMOS_RH_LOG_DIR),
    RH(hostname, F_STRING, THERMOS_RH_HOSTNAME),
    RH(user, F_STRING, THERMOS_RH_USER),
    RH(uid, F_I32, THERMOS_RH_UID),
    RH(ports, F_PORTS, THERMOS_RH_PORTS),
};
#undef RH

/* A member path ("process_status.pid") for notes and, escaped, reasons. */
typedef struct member_path {
  const char *parent; /* a path of ours (plain ASCII) */
  const char *name;   /* a member name from the line */
} member_path;

static const note *find_note(td_json_reader *p, const member_path *mp,
                             note_kind kind) {
  if (g_hash_table_size(p->notes) == 0)
    return NULL;
  g_autofree char *key = mp->name != NULL
                             ? g_strconcat(mp->parent, ".", mp->name, NULL)
                             : g_strdup(mp->parent);
  const note *n = g_hash_table_lookup(p->notes, key);
  return n != NULL && n->kind == kind ? n : NULL;
}

static int fail_at(td_json_reader *p, const member_path *mp, const char *fmt,
                   ...) G_GNUC_PRINTF(3, 4);
static int fail_at(td_json_reader *p, const member_path *mp, const char *fmt,
                   ...) {
  g_autoptr(GString) msg = g_string_new(mp->parent);
  if (mp->name != NULL) {
    if (msg->len > 0)
      g_string_append_c(msg, '.');
    td_json_read_quote(msg, mp->name, strlen(mp->name));
  }
  g_string_append(msg, ": ");
  va_list ap;
  va_start(ap, fmt);
  g_string_append_vprintf(msg, fmt, ap);
  va_end(ap);
  return td_json_read_fail(p, "%s", msg->str);
}

static int fail_unknown(td_json_reader *p, const char *parent,
                        const char *name) {
  const member_path self = {parent, NULL};
  g_autoptr(GString) q = g_string_new(NULL);
  td_json_read_quote(q, name, strlen(name));
  if (*parent == '\0')
    return td_json_read_fail(p, "unknown member '%s'", q->str);
  return fail_at(p, &self, "unknown member '%s'", q->str);
}

static bool holds_int(JsonNode *node) {
  return JSON_NODE_HOLDS_VALUE(node) &&
         json_node_get_value_type(node) == G_TYPE_INT64;
}

static int read_int(td_json_reader *p, const member_path *mp, JsonNode *node,
                    int64_t min, int64_t max, const char *type_name,
                    int64_t *out) {
  if (!holds_int(node))
    return fail_at(p, mp, "expected an integer");
  const note *n = find_note(p, mp, NOTE_NUMBER);
  if (n != NULL && n->overflow) {
    g_autoptr(GString) lit = g_string_new(NULL);
    td_json_read_quote(lit, n->literal, strlen(n->literal));
    return fail_at(p, mp, "%s is out of range for %s", lit->str, type_name);
  }
  int64_t v = json_node_get_int(node);
  if (v < min || v > max)
    return fail_at(p, mp, "%" G_GINT64_FORMAT " is out of range for %s", v,
                   type_name);
  *out = v;
  return 0;
}

static int read_double(td_json_reader *p, const member_path *mp, JsonNode *node,
                       double *out) {
  if (JSON_NODE_HOLDS_NULL(node)) {
    *out = NAN;
    return 0;
  }
  if (holds_int(node)) {
    /* The literal itself when json-glib's int64 would not give the same
     * double: beyond int64, or -0. */
    const note *n = find_note(p, mp, NOTE_NUMBER);
    *out = n != NULL ? g_ascii_strtod(n->literal, NULL)
                     : (double)json_node_get_int(node);
    return 0;
  }
  if (JSON_NODE_HOLDS_VALUE(node) &&
      json_node_get_value_type(node) == G_TYPE_DOUBLE) {
    *out = json_node_get_double(node);
    return 0;
  }
  return fail_at(p, mp, "expected a number or null");
}

static int read_string(td_json_reader *p, const member_path *mp, JsonNode *node,
                       thermos_str *out) {
  if (!JSON_NODE_HOLDS_VALUE(node) ||
      json_node_get_value_type(node) != G_TYPE_STRING)
    return fail_at(p, mp, "expected a string");
  if (find_note(p, mp, NOTE_NUL_STRING) != NULL)
    return fail_at(p, mp, "U+0000 in a string is not supported");
  out->data = json_node_get_string(node);
  out->len = strlen(out->data);
  return 0;
}

/* "UNKNOWN_<n>", as json.md writes a value outside the enum. */
static bool parse_unknown(const char *s, int32_t *out) {
  if (strncmp(s, "UNKNOWN_", 8) != 0)
    return false;
  s += 8;
  bool neg = *s == '-';
  if (neg)
    s++;
  if (*s == '\0')
    return false;
  int64_t v = 0;
  for (; *s != '\0'; s++) {
    if (*s < '0' || *s > '9')
      return false;
    v = v * 10 + (*s - '0');
    if (v > (int64_t)INT32_MAX + 1)
      return false;
  }
  if (neg)
    v = -v;
  if (v < INT32_MIN || v > INT32_MAX)
    return false;
  *out = (int32_t)v;
  return true;
}

static int read_state(td_json_reader *p, const member_path *mp, JsonNode *node,
                      bool process, int32_t *out) {
  const char *kind = process ? "process" : "task";
  if (!JSON_NODE_HOLDS_VALUE(node) ||
      json_node_get_value_type(node) != G_TYPE_STRING)
    return fail_at(p, mp, "expected a %s state name", kind);
  const char *s = json_node_get_string(node);
  int32_t last = process ? THERMOS_PROCESS_LOST : THERMOS_TASK_FINALIZING;
  for (int32_t v = 0; v <= last; v++) {
    const char *name =
        process ? td_process_state_name(v) : td_task_state_name(v);
    if (name != NULL && strcmp(s, name) == 0) {
      *out = v;
      return 0;
    }
  }
  if (parse_unknown(s, out))
    return 0;
  g_autoptr(GString) q = g_string_new(NULL);
  td_json_read_quote(q, s, strlen(s));
  return fail_at(p, mp, "unknown %s state '%s'", kind, q->str);
}

static int read_ports(td_json_reader *p, const member_path *mp, JsonNode *node,
                      thermos_runner_header *rh) {
  if (!JSON_NODE_HOLDS_OBJECT(node))
    return fail_at(p, mp, "expected an object from name to port");
  g_autofree char *path = g_strconcat(mp->parent, ".", mp->name, NULL);
  const member_path self = {path, NULL};
  if (find_note(p, &self, NOTE_NUL_KEY) != NULL)
    return fail_at(p, mp, "U+0000 in a name is not supported");
  JsonObject *obj = json_node_get_object(node);
  GList *names = json_object_get_members(obj);
  int rc = 0;
  /* json-glib lists each name once, with its last value. */
  for (GList *l = names; l != NULL; l = l->next) {
    const char *name = l->data;
    const member_path entry = {path, name};
    thermos_port port = {{name, strlen(name)}, 0};
    if (read_int(p, &entry, json_object_get_member(obj, name), INT64_MIN,
                 INT64_MAX, "int64", &port.port)) {
      rc = -1;
      break;
    }
    g_array_append_val(p->ports, port);
  }
  g_list_free(names);
  if (rc == 0) {
    rh->ports = (const thermos_port *)(void *)p->ports->data;
    rh->n_ports = p->ports->len;
  }
  return rc;
}

/* Reads a struct's members into `out` (a thermos_* struct whose presence
 * bits are at `*present`).  An unknown member is an error: a misspelt name
 * in a hand-written stream must not vanish silently. */
static int read_struct(td_json_reader *p, const char *sname, JsonNode *node,
                       const field *fields, size_t n_fields, void *out,
                       uint32_t *present) {
  const member_path self = {sname, NULL};
  if (!JSON_NODE_HOLDS_OBJECT(node))
    return fail_at(p, &self, "expected an object");
  if (find_note(p, &self, NOTE_NUL_KEY) != NULL)
    return fail_at(p, &self, "U+0000 in a member name is not supported");
  JsonObject *obj = json_node_get_object(node);
  GList *names = json_object_get_members(obj);
  int rc = 0;
  for (GList *l = names; l != NULL && rc == 0; l = l->next) {
    const char *name = l->data;
    const member_path mp = {sname, name};
    const field *f = NULL;
    for (size_t i = 0; i < n_fields; i++)
      if (strcmp(fields[i].name, name) == 0)
        f = &fields[i];
    if (f == NULL) {
      rc = fail_unknown(p, sname, name);
      break;
    }
    JsonNode *v = json_object_get_member(obj, name);
    char *dst = (char *)out + f->offset;
    int64_t i64;
    switch (f->type) {
    case F_I32:
      rc = read_int(p, &mp, v, INT32_MIN, INT32_MAX, "int32", &i64);
      if (rc == 0)
        *(int32_t *)(void *)dst = (int32_t)i64;
      break;
    case F_I64:
      rc = read_int(p, &mp, v, INT64_MIN, INT64_MAX, "int64", &i64);
      if (rc == 0)
        *(int64_t *)(void *)dst = i64;
      break;
    case F_DOUBLE:
      rc = read_double(p, &mp, v, (double *)(void *)dst);
      break;
    case F_STRING:
      rc = read_string(p, &mp, v, (thermos_str *)(void *)dst);
      break;
    case F_PROCESS_STATE:
    case F_TASK_STATE:
      rc = read_state(p, &mp, v, f->type == F_PROCESS_STATE,
                      (int32_t *)(void *)dst);
      break;
    case F_PORTS:
      rc = read_ports(p, &mp, v, out);
      break;
    }
    if (rc == 0)
      *present |= f->bit;
  }
  g_list_free(names);
  return rc;
}

/* The update members, by their names in json.md. */
static int read_update(td_json_reader *p, const char *name, JsonNode *node,
                       td_ckpt *out) {
  if (strcmp(name, "header") == 0) {
    out->has_header = true;
    return read_struct(p, "header", node, header_fields,
                       G_N_ELEMENTS(header_fields), &out->header,
                       &out->header.present);
  }
  if (strcmp(name, "task_status") == 0) {
    out->has_task = true;
    return read_struct(p, "task_status", node, task_fields,
                       G_N_ELEMENTS(task_fields), &out->task,
                       &out->task.present);
  }
  out->has_process = true;
  return read_struct(p, "process_status", node, process_fields,
                     G_N_ELEMENTS(process_fields), &out->process,
                     &out->process.present);
}

static bool is_update(const char *name) {
  return strcmp(name, "header") == 0 || strcmp(name, "task_status") == 0 ||
         strcmp(name, "process_status") == 0;
}

int td_json_read_line(td_json_reader *p, const char *line, size_t len,
                      td_ckpt *out, td_err *err) {
  p->err = err;
  g_hash_table_remove_all(p->notes);
  g_string_truncate(p->path, 0);
  g_array_set_size(p->ports, 0);
  memset(out, 0, sizeof *out);

  if (td_json_read_scan(p, line, len))
    return -1;
  GError *gerr = NULL;
  /* json-glib takes a gssize; the caller bounds lines far below it. */
  if (!json_parser_load_from_data(p->json, line, (gssize)len, &gerr)) {
    /* Not expected after the scan; json-glib's message is one line. */
    td_json_read_fail(p, "invalid JSON: %s", gerr->message);
    g_error_free(gerr);
    return -1;
  }
  JsonNode *root = json_parser_get_root(p->json);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root))
    return td_json_read_fail(p, "expected a JSON object");
  JsonObject *obj = json_node_get_object(root);

  /* An event line: its update, whatever else it carries (json.md lets
   * event lines gain members). */
  if (json_object_has_member(obj, "event")) {
    static const char *const updates[] = {"header", "task_status",
                                          "process_status"};
    bool any = false;
    for (size_t i = 0; i < G_N_ELEMENTS(updates); i++) {
      JsonNode *v = json_object_get_member(obj, updates[i]);
      if (v == NULL)
        continue;
      any = true;
      if (read_update(p, updates[i], v, out))
        return -1;
    }
    if (!any)
      return td_json_read_fail(p, "event line without header, task_status or "
                                  "process_status");
    return 0;
  }

  /* A record line: `record` and `offset` say where `dump` found it, and
   * encode numbers records anew, so they are not checked. */
  const member_path root_path = {"", NULL};
  if (find_note(p, &root_path, NOTE_NUL_KEY) != NULL)
    return td_json_read_fail(p, "U+0000 in a member name is not supported");
  GList *names = json_object_get_members(obj);
  int rc = 0;
  for (GList *l = names; l != NULL && rc == 0; l = l->next) {
    const char *name = l->data;
    if (strcmp(name, "record") == 0 || strcmp(name, "offset") == 0)
      continue;
    if (is_update(name)) {
      rc = read_update(p, name, json_object_get_member(obj, name), out);
      continue;
    }
    rc = fail_unknown(p, "", name);
  }
  g_list_free(names);
  return rc;
}
