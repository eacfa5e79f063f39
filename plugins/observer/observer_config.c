/* Reading a task's config file (observer_config.h). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "observer_config.h"

int obs_task_id_ok(const char *task_id, size_t len) {
  if (!task_id || len == 0 || memchr(task_id, '\0', len) ||
      memchr(task_id, '/', len))
    return 0;
  if ((len == 1 && task_id[0] == '.') ||
      (len == 2 && task_id[0] == '.' && task_id[1] == '.'))
    return 0;
  return 1;
}

/* Reads one file: O_NOFOLLOW (the last component is the task's to name),
 * O_NONBLOCK so a FIFO planted there cannot hang the reader, then a
 * regular file of a bounded size only. */
static char *read_bounded(const char *path, size_t *len) {
  int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    return NULL;
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
      st.st_size > OBS_CONFIG_MAX) {
    close(fd);
    return NULL;
  }
  /* Read to the bound, not to st_size: the file may grow meanwhile. */
  char *buf = g_malloc(OBS_CONFIG_MAX + 1);
  size_t n = 0;
  while (n < OBS_CONFIG_MAX + 1) {
    ssize_t r = read(fd, buf + n, OBS_CONFIG_MAX + 1 - n);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      break;
    n += (size_t)r;
  }
  close(fd);
  if (n > OBS_CONFIG_MAX) {
    g_free(buf);
    return NULL;
  }
  buf[n] = '\0';
  if (len)
    *len = n;
  return g_realloc(buf, n + 1);
}

char *obs_config_read(const char *root, const char *task_id, size_t *len) {
  if (!root || !*root || !task_id || !obs_task_id_ok(task_id, strlen(task_id)))
    return NULL;
  static const char *const dirs[] = {"/tasks/finished/", "/tasks/active/"};
  for (size_t i = 0; i < G_N_ELEMENTS(dirs); i++) {
    char *path = g_strconcat(root, dirs[i], task_id, NULL);
    char *s = read_bounded(path, len);
    g_free(path);
    if (s)
      return s;
  }
  return NULL;
}

char *obs_config_string(const char *json, size_t len, const char *key) {
  if (!json)
    return NULL;
  JsonParser *p = json_parser_new();
  char *out = NULL;
  if (json_parser_load_from_data(p, json, (gssize)len, NULL)) {
    JsonNode *root = json_parser_get_root(p);
    if (root && JSON_NODE_HOLDS_OBJECT(root)) {
      JsonNode *n = json_object_get_member(json_node_get_object(root), key);
      if (n && JSON_NODE_HOLDS_VALUE(n) &&
          json_node_get_value_type(n) == G_TYPE_STRING)
        out = g_strdup(json_node_get_string(n));
    }
  }
  g_object_unref(p);
  return out;
}

int obs_config_is_json(const char *json, size_t len) {
  JsonParser *p = json_parser_new();
  int ok = json_parser_load_from_data(p, json, (gssize)len, NULL) &&
           json_parser_get_root(p) != NULL;
  g_object_unref(p);
  return ok;
}
