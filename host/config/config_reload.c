/*
 * What a reload takes from the configuration it replaces: the running
 * instances' own configurations (their plugins may hold pointers into
 * them), and the [host] keys that cannot change while the host runs.
 */
#include <inttypes.h>
#include <string.h>

#include "config.h"
#include "core/diag.h"

/* An origin's file name, copied into `cfg`'s strings: the configuration
 * that held it is about to be freed. */
static void rehome(td_config *cfg, td_origin *o) {
  if (o->file)
    o->file = g_string_chunk_insert_const(cfg->strings, o->file);
}

void td_config_keep_instance(td_config *from, td_instance_conf *kept,
                             td_config *to, td_instance_conf *same) {
  guint i, j;
  if (!g_ptr_array_find(from->instances, kept, &i) ||
      !g_ptr_array_find(to->instances, same, &j))
    return;
  /* Exchanged, not moved: each array keeps its length and frees what it
   * holds. */
  from->instances->pdata[i] = same;
  to->instances->pdata[j] = kept;
  rehome(to, &kept->origin);
  for (guint k = 0; k < kept->settings->len; k++)
    rehome(to, &((td_setting *)g_ptr_array_index(kept->settings, k))->origin);
  GHashTableIter it;
  gpointer value;
  g_hash_table_iter_init(&it, kept->host_keys);
  while (g_hash_table_iter_next(&it, NULL, &value))
    rehome(to, value);
}

static bool same_string(const char *a, const char *b) {
  return a == b || (a && b && strcmp(a, b) == 0);
}

int td_config_keep_fixed(const td_config *old, td_config *cfg) {
  int kept = 0;
  if (!same_string(old->state_dir, cfg->state_dir)) {
    if (old->state_dir)
      td_error("reload: [host] state_dir cannot change while running; "
               "keeping %s",
               old->state_dir);
    else
      td_error("reload: [host] state_dir cannot change while running; "
               "keeping it unset");
    g_free(cfg->state_dir);
    cfg->state_dir = g_strdup(old->state_dir);
    kept++;
  }
  if (old->truncate != cfg->truncate) {
    td_error("reload: [host] truncate cannot change while running; "
             "keeping %s",
             old->truncate ? "yes" : "no");
    cfg->truncate = old->truncate;
    kept++;
  }
  if (old->max_record_size != cfg->max_record_size) {
    td_error("reload: [host] max_record_size cannot change while running; "
             "keeping %" PRIu32,
             old->max_record_size);
    cfg->max_record_size = old->max_record_size;
    kept++;
  }
  return kept;
}
