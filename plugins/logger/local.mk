# The bundled logger plugin.
plugin_LTLIBRARIES += plugins/logger/logger.la
plugins_logger_logger_la_SOURCES = plugins/logger/logger.c \
	plugins/logger/logger_output.c plugins/logger/logger_output.h
plugins_logger_logger_la_CFLAGS = $(td_plugin_cflags)
plugins_logger_logger_la_LDFLAGS = $(td_plugin_ldflags)
plugins_logger_logger_la_LIBADD = plugins/common/libtdplugin.la host/format/libtdjson.la $(GLIB_LIBS)
dist_man_MANS += plugins/logger/thermos-dispatch-logger.5
