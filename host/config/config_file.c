/*
 * Reading the configuration with inih.
 *
 * Debian's inih neither reports line numbers to handlers nor calls them
 * for a section without keys, silently cuts lines at 200 characters and
 * section names at 49, and ends a value at a NUL byte.  So the file is
 * read whole (at most MAX_CONFIG_BYTES) and fed to ini_parse_stream one
 * line per read: the reader counts lines, tracks the section itself (an
 * empty [plugin:x] is an instance too; its name is never cut, and spaces
 * inside the brackets are dropped for both), and refuses over-long lines
 * and NUL bytes instead of letting them be cut.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ini.h>
#include <thermos/handler.h>

#include "core/exit_codes.h"
#include "core/diag.h"
#include "core/framing.h"
#include "core/runner_state.h"

#define BUILTIN "(built-in)"
#define PLUGIN_PREFIX "plugin:"
/* inih's buffer holds INI_MAX_LINE bytes: the text, a newline and a NUL. */
#define MAX_LINE_CHARS (INI_MAX_LINE - 2)
/* The largest configuration file read: far beyond any real one, and a
 * bound on what a wrong -c (/dev/zero, a log file) makes the host hold. */
#define MAX_CONFIG_BYTES (1024 * 1024)
#define UTF8_BOM "\xEF\xBB\xBF"

typedef struct host_value {
  char *key;
  char *value;
  td_origin origin;
} host_value;

typedef struct parser {
  td_config *cfg;
  const char *file;
  char *data; /* the file's text */
  size_t len;
  size_t pos; /* where the next line starts */
  int line;
  int errors;
  char *section;         /* the current section's name (trimmed), or NULL */
  GPtrArray *host;       /* host_value *, in the order written */
  td_origin host_origin; /* the [host] line */
} parser;

static void setting_free(gpointer p) {
  td_setting *s = p;
  g_free(s->key);
  g_free(s->value);
  g_free(s);
}

static void instance_free(gpointer p) {
  td_instance_conf *ic = p;
  g_free(ic->name);
  g_free(ic->module);
  g_free(ic->path);
  g_free(ic->user);
  g_ptr_array_free(ic->settings, TRUE);
  g_hash_table_destroy(ic->host_keys);
  g_free(ic);
}

static void host_value_free(gpointer p) {
  host_value *hv = p;
  g_free(hv->key);
  g_free(hv->value);
  g_free(hv);
}

void td_config_free(td_config *cfg) {
  if (!cfg)
    return;
  g_free(cfg->file);
  g_strfreev(cfg->plugin_path);
  g_free(cfg->state_dir);
  g_ptr_array_free(cfg->instances, TRUE);
  g_string_chunk_free(cfg->strings);
  g_free(cfg);
}

static td_instance_conf *find_instance(td_config *cfg, const char *name) {
  for (guint i = 0; i < cfg->instances->len; i++) {
    td_instance_conf *ic = g_ptr_array_index(cfg->instances, i);
    if (strcmp(ic->name, name) == 0)
      return ic;
  }
  return NULL;
}

static td_instance_conf *add_instance(td_config *cfg, const char *name,
                                      td_origin origin) {
  td_instance_conf *ic = g_new0(td_instance_conf, 1);
  ic->name = g_strdup(name);
  ic->enabled = true;
  ic->origin = origin;
  td_instance_isolation_defaults(ic);
  ic->settings = g_ptr_array_new_with_free_func(setting_free);
  ic->host_keys =
      g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  g_ptr_array_add(cfg->instances, ic);
  return ic;
}

/* An instance name must not contain '.', which -o uses to split. */
static bool valid_instance_name(const char *name) {
  return *name && !strchr(name, '.') && strcmp(name, "host") != 0;
}

static void set_host_value(parser *p, const char *key, const char *value,
                           td_origin origin) {
  host_value *hv = g_new0(host_value, 1);
  hv->key = g_strdup(key);
  hv->value = g_strdup(value);
  hv->origin = origin;
  /* Applied in order, so a later value (or -o) wins. */
  g_ptr_array_add(p->host, hv);
}

static void set_instance_value(td_instance_conf *ic, const char *key,
                               const char *value, td_origin origin) {
  if (strcmp(key, "enabled") == 0 || strcmp(key, "module") == 0 ||
      strcmp(key, "on_error") == 0 || td_instance_isolation_key(key)) {
    td_origin *o = g_new(td_origin, 1);
    *o = origin;
    g_hash_table_replace(ic->host_keys, g_strdup(key), o);
    /* The value is checked once everything is read (apply_instance_keys),
     * so it is kept among the settings until then. */
  }
  for (guint i = 0; i < ic->settings->len; i++) {
    td_setting *s = g_ptr_array_index(ic->settings, i);
    if (strcmp(s->key, key) == 0) {
      g_free(s->value);
      s->value = g_strdup(value);
      s->origin = origin;
      return;
    }
  }
  td_setting *s = g_new0(td_setting, 1);
  s->key = g_strdup(key);
  s->value = g_strdup(value);
  s->origin = origin;
  g_ptr_array_add(ic->settings, s);
}

const char *td_instance_get(const td_instance_conf *ic, const char *key) {
  for (guint i = 0; i < ic->settings->len; i++) {
    const td_setting *s = g_ptr_array_index(ic->settings, i);
    if (strcmp(s->key, key) == 0)
      return s->value;
  }
  return NULL;
}

td_origin td_instance_key_origin(const td_instance_conf *ic, const char *key) {
  for (guint i = 0; i < ic->settings->len; i++) {
    const td_setting *s = g_ptr_array_index(ic->settings, i);
    if (strcmp(s->key, key) == 0)
      return s->origin;
  }
  const td_origin *own = g_hash_table_lookup(ic->host_keys, key);
  return own ? *own : ic->origin;
}

/* A section line: [host] or [plugin:NAME]. */
static void on_section(parser *p, const char *name) {
  td_origin origin = {p->file, p->line};
  g_free(p->section);
  p->section = g_strdup(name);
  if (strcmp(name, "host") == 0) {
    p->host_origin = origin;
    return;
  }
  if (g_str_has_prefix(name, PLUGIN_PREFIX)) {
    const char *inst = name + strlen(PLUGIN_PREFIX);
    if (!valid_instance_name(inst)) {
      td_config_report(origin, name, NULL,
                       "invalid instance name (empty, 'host', or with '.')");
      p->errors++;
      return;
    }
    if (!find_instance(p->cfg, inst))
      add_instance(p->cfg, inst, origin);
    return;
  }
  td_config_report(origin, name, NULL,
                   "unknown section (expected [host] or [plugin:NAME])");
  p->errors++;
}

/* Looks at a line before inih does: a section line registers the
 * section, and is rewritten without the spaces inside its brackets so that
 * "[ host ]" is [host] for inih too. */
static void scan_section(parser *p, char *line) {
  if (*line != '[')
    return;
  char *end = strchr(line, ']');
  if (!end)
    return; /* inih reports the syntax error */
  char *name = g_strndup(line + 1, (gsize)(end - line - 1));
  g_strstrip(name);
  on_section(p, name);
  size_t n = strlen(name);
  memmove(line + 1, name, n);
  memmove(line + 1 + n, end, strlen(end) + 1);
  g_free(name);
}

/* Hands inih the next line: unindented, without its line end, a section
 * line normalised; an over-long line or one with a NUL byte is reported
 * and replaced by an empty one (so inih's count of lines stays ours). */
static char *read_line(char *str, int num, void *stream) {
  parser *p = stream;
  if (p->pos >= p->len)
    return NULL;
  char *text = p->data + p->pos;
  const char *nl = memchr(text, '\n', p->len - p->pos);
  size_t len = nl ? (size_t)(nl - text) : p->len - p->pos;
  p->pos += len + (nl ? 1 : 0);
  p->line++;
  if (p->line == 1 && len >= 3 && memcmp(text, UTF8_BOM, 3) == 0) {
    text += 3; /* a byte-order mark: the text is UTF-8, as expected */
    len -= 3;
  }
  while (len && text[len - 1] == '\r')
    len--;
  td_origin origin = {p->file, p->line};
  bool too_long = len > (size_t)MAX_LINE_CHARS || len + 2 > (size_t)num;
  if (too_long || memchr(text, '\0', len)) {
    if (too_long)
      td_config_report(origin, NULL, NULL, "line longer than %d characters",
                       MAX_LINE_CHARS);
    else
      td_config_report(origin, NULL, NULL, "a NUL byte in the line");
    p->errors++;
    strcpy(str, "\n");
    return str;
  }
  /* inih takes an indented line for the continuation of the key above
   * it, so a stray indent would silently change another key's value:
   * lines are read unindented instead. */
  size_t lead = 0;
  while (lead < len && (text[lead] == ' ' || text[lead] == '\t'))
    lead++;
  memcpy(str, text + lead, len - lead);
  str[len - lead] = '\0';
  scan_section(p, str);
  len = strlen(str);
  str[len] = '\n';
  str[len + 1] = '\0';
  return str;
}

/* inih's `section` is ignored: it is cut at 49 characters, and the
 * reader tracks the whole name. */
static int on_key(void *user, const char *inih_section, const char *key,
                  const char *value) {
  (void)inih_section;
  parser *p = user;
  td_origin origin = {p->file, p->line};
  const char *section = p->section ? p->section : "";
  if (!*section) {
    td_config_report(origin, NULL, key, "key outside a section");
    p->errors++;
  } else if (strcmp(section, "host") == 0) {
    set_host_value(p, key, value, origin);
  } else if (g_str_has_prefix(section, PLUGIN_PREFIX)) {
    td_instance_conf *ic =
        find_instance(p->cfg, section + strlen(PLUGIN_PREFIX));
    if (ic)
      set_instance_value(ic, key, value, origin);
    /* else: the section was refused already */
  }
  /* else: an unknown section, refused already */
  return 1;
}

/* Reads at most `max` bytes of `fd` into a NUL-terminated buffer; a
 * return with *n == max means there may be more. */
static char *read_at_most(int fd, size_t size_hint, size_t max, size_t *n,
                          int *err) {
  size_t cap = MIN(size_hint, max) + 1;
  char *data = g_malloc(cap + 1);
  *n = 0;
  *err = 0;
  while (*n < max) {
    if (*n == cap) {
      cap = MIN(cap * 2, max);
      data = g_realloc(data, cap + 1);
    }
    ssize_t r = read(fd, data + *n, cap - *n);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0) {
      *err = errno;
      g_free(data);
      return NULL;
    }
    if (r == 0)
      break;
    *n += (size_t)r;
  }
  data[*n] = '\0';
  return data;
}

/* `-c /dev/null`, the usual way to say "no configuration", is read as
 * the empty file it is; every other device, FIFO or socket is refused. */
static bool is_dev_null(const struct stat *sb) {
  struct stat null;
  return S_ISCHR(sb->st_mode) && stat("/dev/null", &null) == 0 &&
         S_ISCHR(null.st_mode) && sb->st_rdev == null.st_rdev;
}

/* The whole file, refused unless a regular file (or /dev/null) of at most
 * MAX_CONFIG_BYTES; one byte more is read, so that a file that grows
 * while it is read is refused too. */
static char *slurp(const char *path, size_t *len) {
  /* O_NONBLOCK: opening a FIFO must not wait for a writer. */
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    td_error("%s: %s", path, g_strerror(errno));
    return NULL;
  }
  struct stat sb;
  char *data = NULL;
  int err = 0;
  bool too_large = false;
  if (fstat(fd, &sb) != 0) {
    err = errno;
  } else if (S_ISDIR(sb.st_mode)) {
    err = EISDIR;
  } else if (!S_ISREG(sb.st_mode) && !is_dev_null(&sb)) {
    td_error("%s: not a regular file", path);
  } else if (sb.st_size > MAX_CONFIG_BYTES) {
    too_large = true;
  } else {
    data =
        read_at_most(fd, (size_t)sb.st_size, MAX_CONFIG_BYTES + 1, len, &err);
    if (data && *len > MAX_CONFIG_BYTES) {
      too_large = true;
      g_clear_pointer(&data, g_free);
    }
  }
  if (err)
    td_error("%s: %s", path, g_strerror(err));
  if (too_large)
    td_error("%s: larger than %d bytes (1 MiB)", path, MAX_CONFIG_BYTES);
  close(fd);
  return data;
}

static bool read_file(parser *p, const char *path) {
  p->data = slurp(path, &p->len);
  if (!p->data)
    return false;
  p->file = g_string_chunk_insert_const(p->cfg->strings, path);
  int rc = ini_parse_stream(read_line, p, on_key, p);
  if (rc > 0) {
    td_origin origin = {p->file, rc};
    td_config_report(origin, NULL, NULL, "syntax error");
    p->errors++;
  } else if (rc < 0) {
    td_error("%s: cannot read the configuration", path);
    p->errors++;
  }
  g_clear_pointer(&p->data, g_free);
  return true;
}

/* -o SECTION.KEY=VALUE, the n-th (1-based). */
static bool apply_override(parser *p, const char *arg, int n) {
  const char *dot = strchr(arg, '.');
  const char *eq = dot ? strchr(dot + 1, '=') : NULL;
  if (!dot || !eq || dot == arg || eq == dot + 1) {
    td_error("-o '%s': expected SECTION.KEY=VALUE (see '" TD_PROGRAM
             " --help')",
             arg);
    return false;
  }
  char *section = g_strndup(arg, (gsize)(dot - arg));
  char *key = g_strndup(dot + 1, (gsize)(eq - dot - 1));
  td_origin origin = {"-o", n};
  if (strcmp(section, "host") == 0) {
    set_host_value(p, key, eq + 1, origin);
  } else if (!valid_instance_name(section)) {
    td_config_report(origin, section, key, "invalid instance name");
    p->errors++;
  } else {
    td_instance_conf *ic = find_instance(p->cfg, section);
    if (!ic)
      ic = add_instance(p->cfg, section, origin);
    set_instance_value(ic, key, eq + 1, origin);
  }
  g_free(section);
  g_free(key);
  return true;
}

/* -p PATH: an instance named after the file, after the configured ones;
 * or, when the file has a [plugin:NAME] section of that name, the
 * instance of that section (its keys, on_error, enabled, its place in the
 * dispatch order), loaded from PATH. */
static bool add_plugin_path(parser *p, const char *path) {
  char *base = g_path_get_basename(path);
  if (g_str_has_suffix(base, ".so"))
    base[strlen(base) - 3] = '\0';
  bool ok = true;
  td_instance_conf *ic = NULL;
  if (!valid_instance_name(base)) {
    td_error("-p %s: '%s' cannot name an instance (see '" TD_PROGRAM
             " --help')",
             path, base);
    ok = false;
  } else if ((ic = find_instance(p->cfg, base)) && ic->path) {
    td_error("-p %s: the instance '%s' is loaded from -p %s already (see "
             "'" TD_PROGRAM " --help')",
             path, base, ic->path);
    ok = false;
  } else if (ic && ic->origin.file != p->file) {
    /* The built-in default's logger: not a section of a file. */
    td_error(
        "-p %s: an instance named '%s' is configured already (see '" TD_PROGRAM
        " --help')",
        path, base);
    ok = false;
  } else if (ic) {
    ic->path = g_strdup(path);
  } else {
    td_origin origin = {"-p", 0};
    ic = add_instance(p->cfg, base, origin);
    ic->path = g_strdup(path);
  }
  g_free(base);
  return ok;
}

/* enabled, module and on_error: the host's own keys of a plugin section. */
static void apply_instance_keys(parser *p, td_instance_conf *ic) {
  char *section = g_strconcat(PLUGIN_PREFIX, ic->name, NULL);
  for (guint i = 0; i < ic->settings->len;) {
    td_setting *s = g_ptr_array_index(ic->settings, i);
    bool own = true;
    if (strcmp(s->key, "enabled") == 0) {
      if (!td_parse_bool(s->value, &ic->enabled)) {
        td_config_report(s->origin, section, s->key,
                         "expected a boolean (yes/no, true/false, on/off, "
                         "1/0), not '%s'",
                         s->value);
        p->errors++;
      }
    } else if (strcmp(s->key, "module") == 0) {
      if (ic->path) {
        td_config_report(s->origin, section, s->key,
                         "not for an instance loaded with -p");
        p->errors++;
      }
      g_free(ic->module);
      ic->module = g_strdup(s->value);
    } else if (strcmp(s->key, "on_error") == 0) {
      if (strcmp(s->value, "continue") == 0)
        ic->on_error = TD_ON_ERROR_CONTINUE;
      else if (strcmp(s->value, "disable") == 0)
        ic->on_error = TD_ON_ERROR_DISABLE;
      else if (strcmp(s->value, "abort") == 0)
        ic->on_error = TD_ON_ERROR_ABORT;
      else {
        td_config_report(s->origin, section, s->key,
                         "expected one of continue|disable|abort, not '%s'",
                         s->value);
        p->errors++;
      }
    } else if (td_instance_isolation_key(s->key)) {
      p->errors += td_instance_apply_isolation_key(ic, section, s);
    } else {
      own = false;
    }
    if (own)
      g_ptr_array_remove_index(ic->settings, i);
    else
      i++;
  }
  p->errors += td_instance_check_isolation(ic, section);
  if (!ic->module)
    ic->module = g_strdup(ic->name);
  g_free(section);
}

static const char *find_config_file(const td_config_args *args) {
  if (args->config_file)
    return args->config_file;
  const char *env = g_getenv("THERMOS_DISPATCH_CONFIG");
  if (env && *env)
    return env;
  if (g_file_test(SYSCONFDIR "/thermos-dispatch.ini", G_FILE_TEST_EXISTS))
    return SYSCONFDIR "/thermos-dispatch.ini";
  return NULL;
}

td_config *td_config_new(void) {
  td_config *cfg = g_new0(td_config, 1);
  cfg->plugin_path = g_new0(char *, 2);
  cfg->plugin_path[0] = g_strdup(PLUGINDIR);
  cfg->max_record_size = TD_MAX_RECORD_SIZE_LIMIT;
  cfg->max_processes = TD_MAX_PROCESSES_DEFAULT;
  cfg->log_level = THERMOS_LOG_INFO;
  cfg->linger = 5;
  cfg->rescan_interval = 5;
  cfg->slow_callback = 1;
  cfg->instances = g_ptr_array_new_with_free_func(instance_free);
  cfg->strings = g_string_chunk_new(256);
  return cfg;
}

td_instance_conf *td_config_add_instance(td_config *cfg, const char *name,
                                         td_origin origin) {
  return add_instance(cfg, name, origin);
}

void td_instance_conf_add_setting(td_instance_conf *ic, const char *key,
                                  const char *value, td_origin origin) {
  td_setting *s = g_new0(td_setting, 1);
  s->key = g_strdup(key);
  s->value = g_strdup(value);
  s->origin = origin;
  g_ptr_array_add(ic->settings, s);
}

const char *td_config_intern(td_config *cfg, const char *s) {
  return g_string_chunk_insert_const(cfg->strings, s);
}

td_config *td_config_load(const td_config_args *args, bool keep_going,
                          int *exit_code) {
  td_config *cfg = td_config_new();

  parser p = {0};
  p.cfg = cfg;
  p.host = g_ptr_array_new_with_free_func(host_value_free);
  *exit_code = TD_EXIT_CONFIG;
  bool usage_error = false;

  const char *file = find_config_file(args);
  if (file) {
    cfg->file = g_strdup(file);
    if (!read_file(&p, file))
      p.errors++;
  } else {
    /* The built-in default: the bundled logger, text on stdout. */
    td_origin origin = {BUILTIN, 0};
    add_instance(cfg, "logger", origin);
  }
  for (guint i = 0; args->plugin_paths && i < args->plugin_paths->len; i++)
    if (!add_plugin_path(&p, g_ptr_array_index(args->plugin_paths, i)))
      usage_error = true;
  for (guint i = 0; args->overrides && i < args->overrides->len; i++)
    if (!apply_override(&p, g_ptr_array_index(args->overrides, i), (int)i + 1))
      usage_error = true;

  for (guint i = 0; i < p.host->len; i++) {
    const host_value *hv = g_ptr_array_index(p.host, i);
    p.errors += td_config_apply_host_key(cfg, hv->key, hv->value, hv->origin);
  }
  for (guint i = 0; i < cfg->instances->len; i++)
    apply_instance_keys(&p, g_ptr_array_index(cfg->instances, i));

  g_ptr_array_free(p.host, TRUE);
  g_free(p.section);
  if (usage_error) {
    *exit_code = TD_EXIT_USAGE;
    td_config_free(cfg);
    return NULL;
  }
  cfg->errors = p.errors;
  if (p.errors && !keep_going) {
    td_config_free(cfg);
    return NULL;
  }
  *exit_code = p.errors ? TD_EXIT_CONFIG : TD_EXIT_OK;
  return cfg;
}
