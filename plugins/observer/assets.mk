# The observer's page assets (plugins/observer/assets/), embedded in the
# plugin as a generated C file that also defines obs_asset(): the pages
# need no file on disk and nothing from the network.  Included by
# plugins/observer/local.mk; the plugin and tests/test-observer-pages list
# $(obs_assets_c) in their nodist_..._SOURCES.
obs_assets_files = observer.js observer.css favicon.svg
obs_assets_c = plugins/observer/observer_assets.c
$(obs_assets_c): $(top_srcdir)/plugins/observer/embed-assets.sh \
		$(obs_assets_files:%=$(top_srcdir)/plugins/observer/assets/%)
	$(AM_V_GEN)$(MKDIR_P) plugins/observer && \
	$(SHELL) $(top_srcdir)/plugins/observer/embed-assets.sh \
	  $(top_srcdir)/plugins/observer/assets $(obs_assets_files) >$@.tmp && \
	mv $@.tmp $@
BUILT_SOURCES += $(obs_assets_c)
CLEANFILES += $(obs_assets_c) $(obs_assets_c).tmp
EXTRA_DIST += plugins/observer/embed-assets.sh \
	$(obs_assets_files:%=plugins/observer/assets/%)
