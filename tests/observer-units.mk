# Unit tests (cmocka) of the observer plugin's sampler, /proc reader, disk
# walk and log access: they compile the plugin's source files themselves
# (the plugin is a module with hidden symbols) with GLib, and start real
# processes and build real directory trees.
td_obs_unit_cflags = $(td_unit_cflags) -I$(top_srcdir)/plugins/observer
td_obs_unit_headers = plugins/observer/observer_sampler.h \
	plugins/observer/observer_proc.h plugins/observer/observer_disk.h

if HAVE_CMOCKA
check_PROGRAMS += tests/test-observer-sampler tests/test-observer-proc \
	tests/test-observer-logs
TESTS += tests/test-observer-sampler tests/test-observer-proc \
	tests/test-observer-logs
endif
tests_test_observer_sampler_SOURCES = tests/test-observer-sampler.c \
	plugins/observer/observer_sampler.c plugins/observer/observer_proc.c \
	plugins/observer/observer_disk.c $(td_obs_unit_headers)
tests_test_observer_sampler_CFLAGS = $(td_obs_unit_cflags)
tests_test_observer_sampler_LDADD = $(GLIB_LIBS) $(CMOCKA_LIBS) -lm

tests_test_observer_proc_SOURCES = tests/test-observer-proc.c \
	plugins/observer/observer_proc.c plugins/observer/observer_disk.c \
	$(td_obs_unit_headers)
tests_test_observer_proc_CFLAGS = $(td_obs_unit_cflags)
tests_test_observer_proc_LDADD = $(GLIB_LIBS) $(CMOCKA_LIBS)

tests_test_observer_logs_SOURCES = tests/test-observer-logs.c \
	plugins/observer/observer_logs.c plugins/observer/observer_logs.h
tests_test_observer_logs_CFLAGS = $(td_obs_unit_cflags)
tests_test_observer_logs_LDADD = host/format/libtdjson.la $(GLIB_LIBS) \
	$(CMOCKA_LIBS)
