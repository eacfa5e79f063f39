# The bundled metrics plugin: Prometheus exposition, textfile and /metrics.
plugin_LTLIBRARIES += plugins/metrics/metrics.la
plugins_metrics_metrics_la_SOURCES = plugins/metrics/metrics.c \
	plugins/metrics/metrics_registry.c plugins/metrics/metrics_registry.h \
	plugins/metrics/metrics_self.c plugins/metrics/metrics_self.h \
	plugins/metrics/metrics_textfile.c plugins/metrics/metrics_textfile.h \
	plugins/metrics/metrics_http.c plugins/metrics/metrics_http.h
plugins_metrics_metrics_la_CFLAGS = $(td_plugin_cflags) $(MHD_CFLAGS)
plugins_metrics_metrics_la_LDFLAGS = $(td_plugin_ldflags)
plugins_metrics_metrics_la_LIBADD = plugins/common/libtdplugin.la \
	plugins/common/libtdhttp.la $(MHD_LIBS) $(GLIB_LIBS) -lm
dist_man_MANS += plugins/metrics/thermos-dispatch-metrics.5
