/* The test kit's handle: one plugin instance started by the plugin layer,
 * one dispatcher, the stream being fed, and the host's lines captured. */
#ifndef TD_TESTKIT_PRIVATE_H
#define TD_TESTKIT_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include <thermos/testkit.h>

#include "config/config.h"
#include "core/dispatcher.h"
#include "follow/stream_session.h"
#include "format/json_read.h"
#include "plugin/instance.h"
#include "plugin/loader.h"
#include "plugin/plugin_set.h"

struct thermos_testkit {
  /* Captured lines (testkit_capture.c): plugins' threads log too. */
  GMutex lock;
  GPtrArray *lines; /* char *, as the host prints them, no newline */
  bool echo;

  /* Before init. */
  td_module *module;      /* loaded (.so) or made from a linked table */
  td_instance_conf *conf; /* the instance's section, as -p and -o make it */
  int n_options;          /* set_option calls: the N of "-o:N" */
  int mode;
  bool truncate;
  int log_level;

  /* From init. */
  td_instance *inst;
  td_plugin_set set; /* the one instance: its statistics readers */
  td_dispatcher *d;
  td_target observer; /* after the plugin: remembers stream errors */
  bool inited;
  bool finished; /* fini was called */

  /* Feeding. */
  int history;
  td_session *session; /* the stream thermos_testkit_open opened */
  uint64_t end;        /* bytes appended to its anonymous file */
  bool stopped;        /* it stopped on an error */
  uint64_t json_lines; /* its JSON lines, for messages */
  td_json_reader *json;
  GByteArray *frame;  /* one framed record */
  char *stream_error; /* the last on_stream_error reason */
};

/* testkit_capture.c */
void td_testkit_capture_start(thermos_testkit *kit);
void td_testkit_capture_stop(thermos_testkit *kit);

/* testkit_feed.c: closes the open stream (on_stream_close), if any. */
int td_testkit_close_stream(thermos_testkit *kit);

/* testkit_build.c: the record as the Thrift writer takes it; false when a
 * setter of another kind made it invalid. */
bool td_testkit_record_ckpt(thermos_testkit_record *rec, td_ckpt *out);

/* Whether the kit may still dispatch (inited, not finished). */
bool td_testkit_running(const thermos_testkit *kit);

#endif
