/* A module's declared options in one form, whether it declares them as
 * 1.0's `options` array or as 1.1's `options_ex` (which, when set, wins),
 * and the checks of a value against one. */
#ifndef TD_OPTIONS_H
#define TD_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <thermos/handler.h>

/** One declared key; an `options` entry has no flags and no range. */
typedef struct td_option_decl {
  const char *key;
  int type;
  const char *default_value;
  const char *help;
  const char *choices;
  uint32_t flags; /**< THERMOS_OPTION_* */
  int64_t int_min, int_max;
  double double_min, double_max;
} td_option_decl;

/** The smallest thermos_option_ex a host accepts: ABI 1.1's whole struct
 * (every member of it came with 1.1, so a smaller entry is not one). */
#define TD_OPTION_EX_1_1_SIZE                                                  \
  (offsetof(thermos_option_ex, double_max) + sizeof(double))

/** The flags this host knows. */
#define TD_OPTION_FLAGS_KNOWN (THERMOS_OPTION_REQUIRED | THERMOS_OPTION_RANGE)

/** The table's options_ex when it has the member and set it, else NULL. */
const thermos_option_ex *const *td_options_ex(const thermos_handler_v1 *t);

/** Whether the table declares its keys (false: it accepts any key). */
bool td_options_declared(const thermos_handler_v1 *t);

/** The i-th declared key (from 0); false past the end.  Only for a table
 * the loader accepted (its options_ex entries checked). */
bool td_option_at(const thermos_handler_v1 *t, size_t i, td_option_decl *out);

/** The declared key `key`; false if there is none. */
bool td_option_find(const thermos_handler_v1 *t, const char *key,
                    td_option_decl *out);

/** Whether `v` is a value of the declared type (and within its range);
 * `*expected` (g_free it, NULL for a string) is set either way to what a
 * message calls the values accepted ("an integer from 1 to 65535"). */
bool td_option_value_fits(const td_option_decl *o, const char *v,
                          char **expected);

/** The shortest text of a double that reads back as the same value
 * (g_free it). */
char *td_format_double(double d);

#endif
