# Man pages and documentation.
dist_man_MANS += docs/thermos-dispatch.1
