#include "isolation.h"

#include "plugin/plugin_set.h"
#include "relay.h"

static bool recovery;

void td_isolation_set_recovery(bool on) { recovery = on; }

static bool start(td_instance *in, const td_config *cfg) {
  return td_relay_start(in, cfg, recovery);
}

static const td_isolator ISOLATOR = {start, td_relay_stop, td_relay_drain,
                                     td_relay_free};

void td_isolation_install(void) { td_plugin_set_isolator(&ISOLATOR); }
