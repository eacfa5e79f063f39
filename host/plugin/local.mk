# Plugins as the host holds them: trusted loading (libltdl), instances and
# their host tables, the set started from a configuration.
noinst_LTLIBRARIES += host/plugin/libtdplugins.la
host_plugin_libtdplugins_la_SOURCES = \
	host/plugin/loader.c host/plugin/loader.h \
	host/plugin/abi_checks.c host/plugin/abi_checks.h \
	host/plugin/options.c host/plugin/options.h \
	host/plugin/trusted_open.c host/plugin/trusted_open.h \
	host/plugin/instance.c host/plugin/instance.h \
	host/plugin/services_options.c host/plugin/services_stats.c \
	host/plugin/plugin_set.c host/plugin/plugin_set.h \
	host/plugin/plugin_set_reload.c \
	host/plugin/crash_record.c host/plugin/crash_record.h \
	host/plugin/crash_guard.c host/plugin/crash_guard.h
host_plugin_libtdplugins_la_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS)
host_plugin_libtdplugins_la_LIBADD = $(LTDL_LIBS) $(GLIB_LIBS)
