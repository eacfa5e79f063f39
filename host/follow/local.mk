# Following streams: the session of one stream, followers, the watcher of
# checkpoint roots, cursors, signals and the event loop (GLib's).
noinst_LTLIBRARIES += host/follow/libtdfollow.la
host_follow_libtdfollow_la_SOURCES = \
	host/follow/stream_session.c host/follow/stream_session.h \
	host/follow/catch_up.c host/follow/catch_up.h \
	host/follow/follower.c host/follow/follower.h \
	host/follow/watcher.c host/follow/watcher.h \
	host/follow/watcher_private.h host/follow/watcher_tasks.c \
	host/follow/watcher_roots.c \
	host/follow/roots.c host/follow/roots.h \
	host/follow/cursor.c host/follow/cursor.h \
	host/follow/cursor_resume.c host/follow/cursor_resume.h \
	host/follow/signals.c host/follow/signals.h \
	host/follow/event_loop.c host/follow/event_loop.h \
	host/follow/inotify.c host/follow/inotify.h \
	host/follow/service_notify.c host/follow/service_notify.h
host_follow_libtdfollow_la_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) \
	$(SYSTEMD_CFLAGS)
host_follow_libtdfollow_la_LIBADD = $(GLIB_LIBS) $(SYSTEMD_LIBS)
