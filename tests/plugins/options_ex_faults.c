/*
 * A test plugin whose options_ex entry "opt" is faulty in the way
 * $TD_TEST_OPTION_FAULT names, for the host's load-time refusals:
 *   small       struct_size of the entry below ABI 1.1's
 *   nokey       no key
 *   type        type 7, which a 1.1 host does not know
 *   flags       a flag bit a 1.1 host does not know (1 << 5)
 *   range_type  a range on a string option
 *   int_range   an int range from 10 to 1
 *   double_range a double range from 2.5 to 0.5
 *   nan         a double range bound that is NaN
 *   required_default  required, with a default
 *   default     an int default outside its range
 * Unset (or anything else): a valid int option with a range, and a 1.0
 * `options` array that declares a type the host does not know: the host
 * must read options_ex and ignore `options`.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <thermos/handler.h>

static thermos_option_ex opt = {.struct_size = sizeof(thermos_option_ex),
                                .key = "opt",
                                .type = THERMOS_OPT_INT,
                                .flags = THERMOS_OPTION_RANGE,
                                .int_min = 1,
                                .int_max = 10,
                                .default_value = "5",
                                .help = "an option"};
static const thermos_option_ex *const OPTIONS_EX[] = {&opt, NULL};
/* What a 1.0 host would read; a 1.1 host ignores it. */
static const thermos_option OPTIONS[] = {
    {"old", 7, NULL, "a type no host knows", NULL},
    {NULL, 0, NULL, NULL, NULL}};

static thermos_handler_v1 table = {
    .abi_major = THERMOS_HANDLER_ABI_MAJOR,
    .struct_size = sizeof(thermos_handler_v1),
    .name = "options_ex_faults",
    .version = "0",
    .options = OPTIONS,
    .options_ex = OPTIONS_EX,
};

const thermos_handler_v1 *thermos_handler_v1_entry(void) {
  const char *f = getenv("TD_TEST_OPTION_FAULT");
  if (!f)
    return &table;
  if (strcmp(f, "small") == 0)
    opt.struct_size = (uint32_t)offsetof(thermos_option_ex, flags);
  else if (strcmp(f, "nokey") == 0)
    opt.key = NULL;
  else if (strcmp(f, "type") == 0)
    opt.type = 7;
  else if (strcmp(f, "flags") == 0)
    opt.flags |= 1u << 5;
  else if (strcmp(f, "range_type") == 0) {
    opt.type = THERMOS_OPT_STRING;
  } else if (strcmp(f, "int_range") == 0) {
    opt.int_min = 10;
    opt.int_max = 1;
  } else if (strcmp(f, "double_range") == 0) {
    opt.type = THERMOS_OPT_DOUBLE;
    opt.double_min = 2.5;
    opt.double_max = 0.5;
    opt.default_value = NULL;
  } else if (strcmp(f, "nan") == 0) {
    opt.type = THERMOS_OPT_DOUBLE;
    opt.double_min = 0;
    opt.double_max = NAN;
    opt.default_value = NULL;
  } else if (strcmp(f, "required_default") == 0)
    opt.flags |= THERMOS_OPTION_REQUIRED;
  else if (strcmp(f, "default") == 0)
    opt.default_value = "11";
  return &table;
}
