# Tests of the observer plugin's pages (plugins/observer/observer_pages.c):
# a cmocka unit test rendering them from hand-built task views, and a
# browser test that drives the real host with the plugin in headless
# Chromium through puppeteer-core (tests/browser/: `npm ci` there first;
# without chromium or node_modules it is skipped, except under CI=true,
# where that is a failure).  The browser test saves a screenshot of a task
# page, tests/observer-task.png in the build tree.
if HAVE_CMOCKA
check_PROGRAMS += tests/test-observer-pages
TESTS += tests/test-observer-pages
endif
tests_test_observer_pages_SOURCES = tests/test-observer-pages.c \
	plugins/observer/observer_pages.c plugins/observer/observer_pages.h \
	plugins/observer/observer_pages_task.c plugins/observer/observer_html.c \
	plugins/observer/observer_html.h \
	plugins/observer/observer_model.h plugins/observer/observer_sampler.h
nodist_tests_test_observer_pages_SOURCES = $(obs_assets_c)
tests_test_observer_pages_CFLAGS = $(td_unit_cflags) \
	-I$(top_srcdir)/plugins/observer
tests_test_observer_pages_LDADD = $(GLIB_LIBS) $(CMOCKA_LIBS) -lm

AM_TESTS_ENVIRONMENT += \
	TD_OBSERVER_LIBS='$(abs_top_builddir)/plugins/observer/.libs'; \
	export TD_OBSERVER_LIBS;
TESTS += tests/test-observer-browser.sh
EXTRA_DIST += tests/test-observer-browser.sh tests/browser/package.json \
	tests/browser/package-lock.json tests/browser/observer.test.js
CLEANFILES += tests/observer-task.png
