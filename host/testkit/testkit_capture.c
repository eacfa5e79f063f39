/* The host's lines, captured: every td_error and td_warning while a kit
 * exists goes to its list instead of stderr. */
#include <stdio.h>

#include "core/diag.h"
#include "testkit_private.h"

static void capture(void *user, const char *line) {
  thermos_testkit *kit = user;
  g_mutex_lock(&kit->lock);
  g_ptr_array_add(kit->lines, g_strdup(line));
  if (kit->echo) {
    fprintf(stderr, "%s\n", line);
    fflush(stderr);
  }
  g_mutex_unlock(&kit->lock);
}

void td_testkit_capture_start(thermos_testkit *kit) {
  g_mutex_init(&kit->lock);
  kit->lines = g_ptr_array_new_with_free_func(g_free);
  td_diag_set_sink(capture, kit);
}

void td_testkit_capture_stop(thermos_testkit *kit) {
  td_diag_set_sink(NULL, NULL);
  g_ptr_array_free(kit->lines, TRUE);
  g_mutex_clear(&kit->lock);
}

size_t thermos_testkit_line_count(const thermos_testkit *kit) {
  if (!kit)
    return 0;
  thermos_testkit *k = (thermos_testkit *)kit;
  g_mutex_lock(&k->lock);
  size_t n = k->lines->len;
  g_mutex_unlock(&k->lock);
  return n;
}

const char *thermos_testkit_line(const thermos_testkit *kit, size_t i) {
  if (!kit)
    return NULL;
  thermos_testkit *k = (thermos_testkit *)kit;
  g_mutex_lock(&k->lock);
  const char *line =
      i < k->lines->len ? g_ptr_array_index(k->lines, (guint)i) : NULL;
  g_mutex_unlock(&k->lock);
  return line;
}

void thermos_testkit_clear_lines(thermos_testkit *kit) {
  if (!kit)
    return;
  g_mutex_lock(&kit->lock);
  g_ptr_array_set_size(kit->lines, 0);
  g_mutex_unlock(&kit->lock);
}

void thermos_testkit_set_echo(thermos_testkit *kit, int echo) {
  if (!kit)
    return;
  g_mutex_lock(&kit->lock);
  kit->echo = echo != 0;
  g_mutex_unlock(&kit->lock);
}
