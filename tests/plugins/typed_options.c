/*
 * A test plugin declaring its keys with options_ex (ABI 1.1): an int with
 * a range and a default, a double with a range and a default, a bool with
 * a default, a required string, an int without a default and a string
 * with a default.  Its init logs, at info level, what the typed getters
 * return for each declared key and for an undeclared one, then the host
 * table's truncate and host_version:
 *   KEY int=RC[:VALUE] double=RC[:VALUE] bool=RC[:VALUE]
 *   truncate=N host_version=V
 * RC as the getter returned it; VALUE only when RC is 1.
 */
#include <inttypes.h>
#include <stdio.h>

#include <thermos/handler.h>

#define OPTION_EX .struct_size = sizeof(thermos_option_ex)

static const thermos_option_ex PORT = {OPTION_EX,
                                       .key = "port",
                                       .type = THERMOS_OPT_INT,
                                       .flags = THERMOS_OPTION_RANGE,
                                       .int_min = 1,
                                       .int_max = 65535,
                                       .default_value = "8080",
                                       .help = "a TCP port"};
static const thermos_option_ex RATIO = {OPTION_EX,
                                        .key = "ratio",
                                        .type = THERMOS_OPT_DOUBLE,
                                        .flags = THERMOS_OPTION_RANGE,
                                        .double_min = 0,
                                        .double_max = 1.5,
                                        .default_value = "0.25",
                                        .help = "a share"};
static const thermos_option_ex VERBOSE = {
    OPTION_EX, .key = "verbose", .type = THERMOS_OPT_BOOL,
    .default_value = "no", .help = "say more"};
static const thermos_option_ex NAME = {
    OPTION_EX, .key = "name", .type = THERMOS_OPT_STRING,
    .flags = THERMOS_OPTION_REQUIRED, .help = "what to call it"};
static const thermos_option_ex COUNT = {
    OPTION_EX, .key = "count", .type = THERMOS_OPT_INT, .help = "no default"};
static const thermos_option_ex LABEL = {
    OPTION_EX, .key = "label", .type = THERMOS_OPT_STRING,
    .default_value = "abc", .help = "a string read as a number"};
static const thermos_option_ex *const OPTIONS[] = {
    &PORT, &RATIO, &VERBOSE, &NAME, &COUNT, &LABEL, NULL};

static void probe(const thermos_host_v1 *host, const char *key) {
  char i[64] = "", d[64] = "", b[64] = "";
  int64_t iv = 0;
  double dv = 0;
  int bv = 0;
  int ri = host->config_get_int(host->host, key, &iv);
  int rd = host->config_get_double(host->host, key, &dv);
  int rb = host->config_get_bool(host->host, key, &bv);
  if (ri == 1)
    snprintf(i, sizeof i, ":%" PRId64, iv);
  if (rd == 1)
    snprintf(d, sizeof d, ":%.17g", dv);
  if (rb == 1)
    snprintf(b, sizeof b, ":%d", bv);
  thermos_logf(host, THERMOS_LOG_INFO, "%s int=%d%s double=%d%s bool=%d%s", key,
               ri, i, rd, d, rb, b);
}

static int init(const thermos_host_v1 *host, void **ctx) {
  static int dummy;
  *ctx = &dummy;
  if (!THERMOS_HAS_MEMBER(host, thermos_host_v1, config_get_bool)) {
    thermos_logf(host, THERMOS_LOG_ERROR, "host without typed getters");
    return THERMOS_ERROR;
  }
  for (size_t k = 0; OPTIONS[k]; k++)
    probe(host, OPTIONS[k]->key);
  probe(host, "undeclared");
  thermos_logf(host, THERMOS_LOG_INFO, "truncate=%d host_version=%s",
               host->truncate, host->host_version);
  return THERMOS_OK;
}

static const thermos_handler_v1 TABLE = {
    .abi_major = THERMOS_HANDLER_ABI_MAJOR,
    .struct_size = sizeof(thermos_handler_v1),
    .name = "typed_options",
    .version = "1.1-test",
    .init = init,
    .min_host_minor = 1,
    .options_ex = OPTIONS,
};

const thermos_handler_v1 *thermos_handler_v1_entry(void) { return &TABLE; }
