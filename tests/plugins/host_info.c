/*
 * The `host_info` test plugin (tests/test-plugin-host-info.sh): what the
 * host table of ABI 1.1 says of the host.  init appends one line to the
 * file named by `out`:
 *   NAME mode=M minor=N truncate=T version=V
 * (`-` for a member the host's table does not have).
 */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <thermos/handler.h>

static const thermos_option OPTIONS[] = {
    {"out", THERMOS_OPT_PATH, NULL, "the file the line is appended to", NULL},
    {NULL, 0, NULL, NULL, NULL}};

static int dummy;

static int i_init(const thermos_host_v1 *host, void **ctx) {
  const char *out = host->config_get(host->host, "out");
  if (!out)
    return THERMOS_ERROR;
  int fd = open(out, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0)
    return THERMOS_ERROR;
  char minor[16] = "-", truncate[16] = "-";
  const char *version = "-";
  if (THERMOS_HAS_MEMBER(host, thermos_host_v1, abi_minor))
    snprintf(minor, sizeof minor, "%u", (unsigned)host->abi_minor);
  if (THERMOS_HAS_MEMBER(host, thermos_host_v1, truncate))
    snprintf(truncate, sizeof truncate, "%d", host->truncate);
  if (THERMOS_HAS_MEMBER(host, thermos_host_v1, host_version))
    version = host->host_version ? host->host_version : "NULL";
  char buf[512];
  int n =
      snprintf(buf, sizeof buf, "%s mode=%d minor=%s truncate=%s version=%s\n",
               host->instance, host->mode, minor, truncate, version);
  if (n > 0 && (size_t)n < sizeof buf && write(fd, buf, (size_t)n) < 0)
    (void)0;
  close(fd);
  *ctx = &dummy;
  return THERMOS_OK;
}

static const thermos_handler_v1 TABLE = {
    .abi_major = THERMOS_HANDLER_ABI_MAJOR,
    .struct_size = sizeof(thermos_handler_v1),
    .name = "host_info",
    .version = "0",
    .options = OPTIONS,
    .init = i_init,
};

const thermos_handler_v1 *thermos_handler_v1_entry(void) { return &TABLE; }
