# The bundled observer plugin: Aurora's observer pages and JSON, served
# from the followed state.  Its HTML assets are compiled in
# (observer_assets.c, generated from plugins/observer/assets/), so the
# pages work with no network and nothing to install beside the module.
plugin_LTLIBRARIES += plugins/observer/observer.la
plugins_observer_observer_la_SOURCES = plugins/observer/observer.c \
	plugins/observer/observer_model.c plugins/observer/observer_model.h \
	plugins/observer/observer_json.c plugins/observer/observer_json.h \
	plugins/observer/observer_routes.c plugins/observer/observer_routes.h \
	plugins/observer/observer_config.c plugins/observer/observer_config.h \
	plugins/observer/observer_events.c plugins/observer/observer_events.h \
	plugins/observer/observer_sampler.c plugins/observer/observer_sampler.h \
	plugins/observer/observer_proc.c plugins/observer/observer_proc.h \
	plugins/observer/observer_disk.c plugins/observer/observer_disk.h \
	plugins/observer/observer_logs.c plugins/observer/observer_logs.h \
	plugins/observer/observer_pages.c plugins/observer/observer_pages.h \
	plugins/observer/observer_pages_task.c plugins/observer/observer_html.c \
	plugins/observer/observer_html.h
nodist_plugins_observer_observer_la_SOURCES = $(obs_assets_c)
plugins_observer_observer_la_CFLAGS = $(td_plugin_cflags) $(MHD_CFLAGS) \
	$(JSONGLIB_CFLAGS) -I$(top_srcdir)/plugins/observer
plugins_observer_observer_la_LDFLAGS = $(td_plugin_ldflags)
# The plugins' HTTP server library.
td_observer_http_lib = plugins/common/libtdhttp.la
plugins_observer_observer_la_LIBADD = plugins/common/libtdplugin.la \
	$(td_observer_http_lib) host/format/libtdjson.la $(MHD_LIBS) \
	$(JSONGLIB_LIBS) $(GLIB_LIBS) -lm
dist_man_MANS += plugins/observer/thermos-dispatch-observer.5

include plugins/observer/assets.mk
