#include "error.h"

#include <stddef.h>
#include <stdio.h>

/* A message cut at TD_ERR_MAX - 1 bytes may end inside a UTF-8 character
 * (strerror's text can be translated): drop its first bytes then, so the
 * message stays valid UTF-8.  Anything else is left as formatted. */
static void trim_partial_utf8(char *msg, size_t len) {
  size_t i = len;
  /* Back over at most three continuation bytes to the character's start. */
  while (i > 0 && len - i < 3 && ((unsigned char)msg[i - 1] & 0xc0) == 0x80)
    i--;
  if (i == 0)
    return;
  unsigned char lead = (unsigned char)msg[i - 1];
  size_t want;
  if (lead >= 0xc0 && lead < 0xe0)
    want = 2;
  else if (lead >= 0xe0 && lead < 0xf0)
    want = 3;
  else if (lead >= 0xf0 && lead < 0xf8)
    want = 4;
  else
    return; /* ASCII, or not UTF-8 anyway */
  if (len - (i - 1) < want)
    msg[i - 1] = '\0';
}

int td_err_setv(td_err *e, const char *fmt, va_list ap) {
  if (!e)
    return -1;
  int n = vsnprintf(e->msg, sizeof e->msg, fmt, ap);
  if (n < 0)
    e->msg[0] = '\0'; /* an encoding error: the contents are unspecified */
  else if ((size_t)n >= sizeof e->msg)
    trim_partial_utf8(e->msg, sizeof e->msg - 1);
  return -1;
}

int td_err_set(td_err *e, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  td_err_setv(e, fmt, ap);
  va_end(ap);
  return -1;
}
