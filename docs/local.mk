# Man pages and documentation.
dist_man_MANS += docs/thermos-dispatch.1 docs/thermos-dispatch.ini.5 \
	docs/thermos_handler.3 docs/thermos_testkit.3
# The plugin author's guide and its example, built out of tree by
# tests/test-sdk-install.sh.
EXTRA_DIST += docs/plugin-guide.md docs/examples/count_failures.c \
	docs/examples/Makefile docs/examples/test_count_failures.c
# A systemd unit and a logrotate snippet for the logger's file.
EXTRA_DIST += docs/examples/thermos-dispatch.service \
	docs/examples/logrotate-thermos-dispatch
