/*
 * <thermos/handler_options.h>: the keys a plugin declares for its INI section
 * (thermos_option, and since 1.1 thermos_option_ex with flags and ranges). Part
 * of the thermos-dispatch handler ABI 1.1: include <thermos/handler.h>, which
 * includes this header; its rules (growth, values, lifetimes) hold here too.
 */
#ifndef THERMOS_HANDLER_OPTIONS_H
#define THERMOS_HANDLER_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------
 * Declared options
 * ------------------------------------------------------------------------ */

/** Option types: the host checks every value against its type before
 * init.  A host refuses at load a plugin declaring a type it does not know
 * (a type added in a later minor: set min_host_minor to that minor). */
enum thermos_option_type {
  THERMOS_OPT_STRING = 1, /**< any value */
  THERMOS_OPT_BOOL = 2,   /**< yes/no, true/false, on/off, 1/0 */
  THERMOS_OPT_INT = 3,    /**< a decimal integer (64-bit) */
  THERMOS_OPT_DOUBLE = 4, /**< a decimal number */
  THERMOS_OPT_PATH = 5,   /**< a non-empty value (existence is not checked) */
  THERMOS_OPT_ENUM = 6    /**< one of `choices` ("a|b|c") */
};

/** One key a plugin's INI section may hold.  Final: never grows.  A
 * plugin's list ends with an entry whose `key` is NULL. */
typedef struct thermos_option {
  const char *key;           /**< the INI key */
  int type;                  /**< a thermos_option_type */
  const char *default_value; /**< used when the key is absent, or NULL */
  const char *help;          /**< one line, shown by `plugins -v` */
  const char *choices;       /**< for THERMOS_OPT_ENUM: "a|b|c" */
} thermos_option;

/* Flags of thermos_option_ex.flags (since 1.1). */
/** The key must be written in the section (a default does not count). */
#define THERMOS_OPTION_REQUIRED (1u << 0)
/** An INT option's value lies in [int_min, int_max], a DOUBLE option's
 * in [double_min, double_max]; anything else is refused before init. */
#define THERMOS_OPTION_RANGE (1u << 1)

/**
 * Since 1.1: one declared key with flags, the growable form of
 * thermos_option.  It grows at its end (read by `struct_size`), so a list
 * of them is an array of pointers, ended by NULL:
 *
 *   static const thermos_option_ex port = {
 *       .struct_size = sizeof(thermos_option_ex), .key = "port",
 *       .type = THERMOS_OPT_INT, .flags = THERMOS_OPTION_RANGE,
 *       .int_min = 1, .int_max = 65535, .help = "TCP port"};
 *   static const thermos_option_ex *const options[] = {&port, NULL};
 */
typedef struct thermos_option_ex {
  uint32_t struct_size;      /**< sizeof(thermos_option_ex) as compiled */
  const char *key;           /**< the INI key */
  int type;                  /**< a thermos_option_type */
  const char *default_value; /**< used when the key is absent, or NULL */
  const char *help;          /**< one line, shown by `plugins -v` */
  const char *choices;       /**< for THERMOS_OPT_ENUM: "a|b|c" */
  uint32_t flags;            /**< THERMOS_OPTION_* bits */
  int64_t int_min;           /**< THERMOS_OPTION_RANGE of an INT option */
  int64_t int_max;
  double double_min; /**< THERMOS_OPTION_RANGE of a DOUBLE option */
  double double_max;
} thermos_option_ex;

#ifdef __cplusplus
}
#endif

#endif /* THERMOS_HANDLER_OPTIONS_H */
