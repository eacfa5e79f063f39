# Unit tests (cmocka) of the plugins' HTTP server (plugins/common) and of
# the observer's event streams (plugins/observer/observer_events.c, built
# into its test), over plain sockets on loopback.
td_http_unit_cflags = $(td_unit_cflags) $(MHD_CFLAGS) \
	-I$(top_srcdir)/plugins/common -I$(top_srcdir)/plugins/observer
td_http_unit_ldadd = plugins/common/libtdhttp.la $(MHD_LIBS) $(GLIB_LIBS) \
	$(CMOCKA_LIBS)
td_http_client = tests/http-client.c tests/http-client.h

if HAVE_CMOCKA
check_PROGRAMS += tests/test-http-server
TESTS += tests/test-http-server
endif
tests_test_http_server_SOURCES = tests/test-http-server.c $(td_http_client)
tests_test_http_server_CFLAGS = $(td_http_unit_cflags)
tests_test_http_server_LDADD = $(td_http_unit_ldadd)

if HAVE_CMOCKA
check_PROGRAMS += tests/test-observer-events
TESTS += tests/test-observer-events
endif
tests_test_observer_events_SOURCES = tests/test-observer-events.c \
	plugins/observer/observer_events.c plugins/observer/observer_events.h \
	$(td_http_client)
tests_test_observer_events_CFLAGS = $(td_http_unit_cflags)
tests_test_observer_events_LDADD = $(td_http_unit_ldadd)

# The logger stays free of libmicrohttpd (libtdhttp is linked by the
# plugins that serve pages only).
TESTS += tests/test-http-links.sh
EXTRA_DIST += tests/test-http-links.sh
