# scrvault-stamp, the keyless PDF stamping helper (src/stamp, crypto/stamp.h).
#
#   build/scrvault-stamp              the helper: src/stamp/*.c and base/common.c,
#                                     linked with libqpdf and libseccomp only
#   build/tests/scrvault-stamp-test   the same with its test hooks (-DSV_TEST_HOOKS)
#   build/tests/test_pdf              also links src/stamp/pdf.c and libqpdf, to test
#                                     the stamping in process as well as through
#                                     the helper
#
# libscrvault finds the helper beside the running program, then in
# $(STAMP_LIBEXECDIR) (crypto/stamp.h); it is installed there, not on $PATH.
#
# The helper is built without the sanitizers, also in the sanitizer builds:
# ASan's and UBSan's runtimes map memory and open files as they run, which its
# seccomp filter (read, write, exit) does not allow, and it is the filter that
# must be tested there too.  test_pdf, built with them, still runs pdf.c under
# ASan and UBSan in process.

STAMP_LIBEXECDIR = $(LIBEXECDIR)/scrvault

STAMP_PKGS        = libqpdf libseccomp
STAMP_PKG_CFLAGS := $(shell pkg-config --cflags $(STAMP_PKGS) 2>/dev/null)
STAMP_PKG_LIBS   := $(shell pkg-config --libs $(STAMP_PKGS) 2>/dev/null)
QPDF_CFLAGS      := $(shell pkg-config --cflags libqpdf 2>/dev/null)
QPDF_LIBS        := $(shell pkg-config --libs libqpdf 2>/dev/null)

STAMP_SRC     = src/stamp/main.c src/stamp/pdf.c src/lib/base/common.c
STAMP_OBJ     = $(STAMP_SRC:%.c=$(BUILD)/stamp/%.o)
STAMP_CFLAGS  = $(filter-out $(SAN),$(CFLAGS)) -Isrc/stamp $(STAMP_PKG_CFLAGS)
STAMP_LDFLAGS = $(filter-out $(SAN),$(LDFLAGS))
STAMP_DEPS    = Makefile mk/stamp.mk src/stamp/pdf.h src/lib/crypto/stamp.h src/lib/base/common.h

all: $(BUILD)/scrvault-stamp $(BUILD)/tests/scrvault-stamp-test

$(BUILD)/stamp/%.o: %.c $(STAMP_DEPS)
	@mkdir -p $(dir $@)
	@echo "  CC      $< (scrvault-stamp)"
	@$(CC) $(STAMP_CFLAGS) -c -o $@ $<

$(BUILD)/stamp/src/stamp/main-hooks.o: src/stamp/main.c $(STAMP_DEPS)
	@mkdir -p $(dir $@)
	@echo "  CC      $< (scrvault-stamp-test)"
	@$(CC) $(STAMP_CFLAGS) -DSV_TEST_HOOKS -c -o $@ $<

$(BUILD)/scrvault-stamp: $(STAMP_OBJ)
	@echo "  LD      $@"
	@$(CC) $(STAMP_LDFLAGS) -o $@ $(STAMP_OBJ) $(STAMP_PKG_LIBS)

$(BUILD)/tests/scrvault-stamp-test: $(filter-out %/main.o,$(STAMP_OBJ)) $(BUILD)/stamp/src/stamp/main-hooks.o
	@mkdir -p $(dir $@)
	@echo "  LD      $@ (test hooks)"
	@$(CC) $(STAMP_LDFLAGS) -o $@ $^ $(STAMP_PKG_LIBS)

# The client: where the helper is installed.  The directory is kept in a
# file rewritten only when it changes, so that `make install PREFIX=/usr`
# after a plain `make` rebuilds the client with the right path (as git's
# GIT-CFLAGS does).
STAMP_DIR_FILE = $(BUILD)/gen/stamp-libexecdir
$(STAMP_DIR_FILE): FORCE
	@mkdir -p $(dir $@)
	@echo '$(STAMP_LIBEXECDIR)' | cmp -s - $@ || echo '$(STAMP_LIBEXECDIR)' >$@
.PHONY: FORCE
FORCE:
$(BUILD)/src/lib/crypto/stamp.o $(HOOKS)/src/lib/crypto/stamp.o: CFLAGS += -DSV_LIBEXECDIR='"$(STAMP_LIBEXECDIR)"'
$(BUILD)/src/lib/crypto/stamp.o $(HOOKS)/src/lib/crypto/stamp.o: mk/stamp.mk $(STAMP_DIR_FILE)

# pdf.c in process for test_pdf, with the build's own flags (sanitizers too).
$(BUILD)/src/stamp/pdf.o: CFLAGS += -Isrc/stamp $(QPDF_CFLAGS)
$(BUILD)/src/stamp/pdf.o: src/stamp/pdf.h mk/stamp.mk

$(BUILD)/tests/test_pdf: tests/unit/test_pdf.c $(BUILD)/src/stamp/pdf.o $(BUILD)/libscrvault.a \
		tests/unit/unit.h src/stamp/pdf.h $(BUILD)/scrvault-stamp $(BUILD)/tests/scrvault-stamp-test
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) -Itests/unit -Isrc/stamp $(QPDF_CFLAGS) $(LDFLAGS) -o $@ $< \
		$(BUILD)/src/stamp/pdf.o $(BUILD)/libscrvault.a $(LDLIBS) $(QPDF_LIBS) -lcmocka
