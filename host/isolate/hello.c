#include "hello.h"

#include "protocol.h"
#include "wire.h"

static void put_origin(GByteArray *b, td_origin o) {
  td_wire_str(b, o.file);
  td_wire_u32(b, (uint32_t)o.line);
}

void td_hello_encode(GByteArray *out, const td_config *cfg,
                     const td_instance_conf *ic, const td_hello *h) {
  size_t m = td_wire_begin(out, TD_MSG_HELLO);
  td_wire_u32(out, (uint32_t)h->mode);
  td_wire_u32(out, h->truncate);
  td_wire_u32(out, h->recovery);
  td_wire_u32(out, h->trace);
  td_wire_str(out, cfg->file);
  td_wire_u32(out, (uint32_t)cfg->log_level);
  td_wire_u32(out, cfg->max_record_size);
  td_wire_u32(out, cfg->max_processes);
  td_wire_double(out, cfg->slow_callback);
  uint32_t dirs = 0;
  while (cfg->plugin_path[dirs])
    dirs++;
  td_wire_u32(out, dirs);
  for (uint32_t i = 0; i < dirs; i++)
    td_wire_str(out, cfg->plugin_path[i]);
  td_wire_str(out, ic->name);
  td_wire_str(out, ic->module);
  td_wire_str(out, ic->path);
  td_wire_u32(out, (uint32_t)ic->on_error);
  put_origin(out, ic->origin);
  td_wire_u32(out, ic->settings->len);
  for (guint i = 0; i < ic->settings->len; i++) {
    const td_setting *s = g_ptr_array_index(ic->settings, i);
    td_wire_str(out, s->key);
    td_wire_str(out, s->value);
    put_origin(out, s->origin);
  }
  td_wire_u32(out, g_hash_table_size(ic->host_keys));
  GHashTableIter it;
  gpointer key, value;
  g_hash_table_iter_init(&it, ic->host_keys);
  while (g_hash_table_iter_next(&it, &key, &value)) {
    td_wire_str(out, key);
    put_origin(out, *(const td_origin *)value);
  }
  td_wire_end(out, m);
}

static td_origin get_origin(td_wire_reader *r, td_config *cfg) {
  td_origin o = {NULL, 0};
  const char *file = td_wire_get_str(r);
  o.file = td_config_intern(cfg, file ? file : "");
  o.line = (int)td_wire_get_u32(r);
  return o;
}

td_config *td_hello_decode(const void *body, size_t len, td_hello *h) {
  td_wire_reader r;
  td_wire_reader_init(&r, body, len);
  td_config *cfg = td_config_new();
  h->mode = (int)td_wire_get_u32(&r);
  h->truncate = td_wire_get_u32(&r) != 0;
  h->recovery = td_wire_get_u32(&r) != 0;
  h->trace = td_wire_get_u32(&r) != 0;
  const char *file = td_wire_get_str(&r);
  cfg->file = g_strdup(file);
  cfg->log_level = (int)td_wire_get_u32(&r);
  cfg->max_record_size = td_wire_get_u32(&r);
  cfg->max_processes = td_wire_get_u32(&r);
  cfg->slow_callback = td_wire_get_double(&r);
  cfg->truncate = h->truncate;
  uint32_t dirs = td_wire_get_u32(&r);
  if (r.ok && dirs > 0 && dirs <= len) {
    g_strfreev(cfg->plugin_path);
    cfg->plugin_path = g_new0(char *, dirs + 1);
    for (uint32_t i = 0; i < dirs; i++) {
      const char *d = td_wire_get_str(&r);
      cfg->plugin_path[i] = g_strdup(d ? d : "");
    }
  }
  const char *name = td_wire_get_str(&r);
  const char *module = td_wire_get_str(&r);
  const char *path = td_wire_get_str(&r);
  td_on_error on_error = (td_on_error)td_wire_get_u32(&r);
  td_origin origin = get_origin(&r, cfg);
  if (!r.ok || !name || !module) {
    td_config_free(cfg);
    return NULL;
  }
  td_instance_conf *ic = td_config_add_instance(cfg, name, origin);
  ic->module = g_strdup(module);
  ic->path = g_strdup(path);
  ic->on_error = on_error;
  uint32_t n = td_wire_get_u32(&r);
  for (uint32_t i = 0; r.ok && i < n; i++) {
    const char *key = td_wire_get_str(&r);
    const char *value = td_wire_get_str(&r);
    td_origin o = get_origin(&r, cfg);
    if (r.ok && key && value)
      td_instance_conf_add_setting(ic, key, value, o);
  }
  n = td_wire_get_u32(&r);
  for (uint32_t i = 0; r.ok && i < n; i++) {
    const char *key = td_wire_get_str(&r);
    td_origin o = get_origin(&r, cfg);
    if (r.ok && key) {
      td_origin *copy = g_new(td_origin, 1);
      *copy = o;
      g_hash_table_replace(ic->host_keys, g_strdup(key), copy);
    }
  }
  if (!r.ok) {
    td_config_free(cfg);
    return NULL;
  }
  return cfg;
}
