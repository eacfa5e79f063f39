# Bundled plugins: one directory and one man page each.  Built as libtool
# modules, with hidden visibility and only the entry symbol exported.
plugin_LTLIBRARIES =
td_plugin_cflags = $(AM_CFLAGS) -fvisibility=hidden $(GLIB_CFLAGS) \
	-I$(top_srcdir)/plugins/common
td_plugin_ldflags = -module -avoid-version -shared -no-undefined \
	-export-symbols-regex '^thermos_handler_v1_entry$$' $(AM_LDFLAGS)

# What the bundled plugins share, linked into each.
noinst_LTLIBRARIES += plugins/common/libtdplugin.la
plugins_common_libtdplugin_la_SOURCES = plugins/common/plugin_options.c \
	plugins/common/write_all.c plugins/common/write_all.h \
	plugins/common/plugin_options.h
plugins_common_libtdplugin_la_CFLAGS = $(td_plugin_cflags)

include plugins/logger/local.mk
include plugins/metrics/local.mk
include plugins/observer/local.mk

# libtool's .la files are of no use to a dlopen-only host: plugindir holds
# the modules themselves.  Without the .la, libtool's uninstall no longer
# knows the .so, so uninstall removes it here.
install-data-hook: remove-plugin-la
remove-plugin-la:
	for la in $(plugin_LTLIBRARIES); do \
	  rm -f "$(DESTDIR)$(plugindir)/$${la##*/}"; \
	done
uninstall-local: uninstall-plugin-so
uninstall-plugin-so:
	for la in $(plugin_LTLIBRARIES); do \
	  so=$${la##*/}; rm -f "$(DESTDIR)$(plugindir)/$${so%.la}.so"; \
	done
.PHONY: remove-plugin-la uninstall-plugin-so
