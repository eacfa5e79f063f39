/*
 * A test plugin whose init fails.  Its fini must never be called (init
 * cleans up after itself): it would write to the file named by `out`.
 */
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include <thermos/handler.h>

static const thermos_option OPTIONS[] = {{"out", THERMOS_OPT_PATH, NULL,
                                          "written to by fini (it must not be)",
                                          NULL},
                                         {NULL, 0, NULL, NULL, NULL}};

static const char *out_path;

static int init(const thermos_host_v1 *host, void **ctx) {
  (void)ctx;
  out_path = host->config_get(host->host, "out");
  return -1;
}

static void fini(void *ctx) {
  (void)ctx;
  if (!out_path)
    return;
  int fd = open(out_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd >= 0) {
    static const char msg[] = "init_fails fini called\n";
    if (write(fd, msg, sizeof msg - 1) < 0)
      (void)0;
    close(fd);
  }
}

static const thermos_handler_v1 TABLE = {
    .abi_major = THERMOS_HANDLER_ABI_MAJOR,
    .struct_size = sizeof(thermos_handler_v1),
    .name = "init_fails",
    .version = "0",
    .options = OPTIONS,
    .init = init,
    .fini = fini,
};

const thermos_handler_v1 *thermos_handler_v1_entry(void) { return &TABLE; }
