# The configuration: the INI reader (inih), the [host] keys, typed values.
noinst_LTLIBRARIES += host/config/libtdconfig.la
host_config_libtdconfig_la_SOURCES = \
	host/config/config.h host/config/config_file.c \
	host/config/host_keys.c host/config/values.c \
	host/config/instance_isolation.c \
	host/config/instance_conf_same.c host/config/config_reload.c
host_config_libtdconfig_la_CPPFLAGS = $(AM_CPPFLAGS) \
	-DSYSCONFDIR='"$(sysconfdir)"' -DPLUGINDIR='"$(plugindir)"'
host_config_libtdconfig_la_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(INIH_CFLAGS)
host_config_libtdconfig_la_LIBADD = $(INIH_LIBS) $(GLIB_LIBS)
