# The c_glib code generated from the IDL at build time (never committed),
# compiled as its own convenience library with warnings relaxed: it is not
# our code.  It serves `encode` and the second decoder of the tests.
THRIFT_GEN_DIR = thrift/gen-c_glib
THRIFT_GEN_C = $(THRIFT_GEN_DIR)/thermos_thermos_internal_types.c
THRIFT_GEN_H = $(THRIFT_GEN_DIR)/thermos_thermos_internal_types.h

# Thrift 0.17's generated finalize functions do not chain up to the parent
# class, leaking every object: patch each to call ThriftStruct's finalize.
# The script counts them against the IDL's structs and unions, and fails
# the build when they differ.
$(THRIFT_GEN_C) $(THRIFT_GEN_H): thrift/stamp-gen
thrift/stamp-gen: $(srcdir)/thrift/thermos_internal.thrift $(srcdir)/thrift/chain-finalize.awk
	$(AM_V_GEN)rm -rf $(THRIFT_GEN_DIR) && $(MKDIR_P) $(THRIFT_GEN_DIR) && \
	$(THRIFT) --gen c_glib -out $(THRIFT_GEN_DIR) $(srcdir)/thrift/thermos_internal.thrift && \
	$(AWK) -v expected=`$(GREP) -c -E '^(struct|union) ' $(srcdir)/thrift/thermos_internal.thrift` \
	  -f $(srcdir)/thrift/chain-finalize.awk $(THRIFT_GEN_C) > $(THRIFT_GEN_C).tmp && \
	mv $(THRIFT_GEN_C).tmp $(THRIFT_GEN_C) && touch $@

BUILT_SOURCES += $(THRIFT_GEN_C) $(THRIFT_GEN_H)
CLEANFILES += thrift/stamp-gen
clean-local: clean-thrift-gen
clean-thrift-gen:
	rm -rf $(THRIFT_GEN_DIR)
.PHONY: clean-thrift-gen

noinst_LTLIBRARIES += thrift/libthermos-thrift.la
nodist_thrift_libthermos_thrift_la_SOURCES = $(THRIFT_GEN_C) $(THRIFT_GEN_H)
thrift_libthermos_thrift_la_CFLAGS = -w $(SANITIZER_FLAGS) $(THRIFT_CFLAGS) $(GLIB_CFLAGS)
thrift_libthermos_thrift_la_LIBADD = $(THRIFT_LIBS) $(GLIB_LIBS)
EXTRA_DIST += thrift/thermos_internal.thrift thrift/chain-finalize.awk
