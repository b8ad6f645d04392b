# scrvault - build, test and run.  See README.md.
#
#   make            the programs, the library (static and shared) and the tests' programs
#   make run        install dependencies, build, run the walkthrough
#   make test       install dependencies, build, run every test suite
#   make test-asan  the same suites under AddressSanitizer + UBSan
#   make install    PREFIX=/usr/local DESTDIR=: programs, library, headers,
#                   pkg-config file, man pages, the jobs' systemd units and scripts
#   make install-system  the same, then the scrvault account, its directories
#                   and the cron lines (scripts/install-system; as root, or
#                   with DESTDIR only staged)
#   make bench      the benchmarks (bench/README.md)
#   make fuzz       the libFuzzer targets, FUZZ_SECONDS in all (tests/fuzz/README.md)

BUILD   ?= build
CC      ?= cc
PREFIX  ?= /usr/local
DESTDIR ?=
BINDIR   = $(PREFIX)/bin
LIBDIR   = $(PREFIX)/lib
LIBEXECDIR = $(PREFIX)/libexec
INCDIR   = $(PREFIX)/include
MANDIR   = $(PREFIX)/share/man
UNITDIR  = $(PREFIX)/lib/systemd/system
DATADIR  = $(PREFIX)/share

# The library's version; its soname changes with the major number, when the
# public API changes incompatibly.
LIB_MAJOR = 0
LIB_VERSION = 0.2.0

# Every library the vault uses, linked as usual: `ldd build/scrvault` lists
# them.  scrvault-seal links only libcrypto and libargon2 (mk/seal.mk).
# libcbor: passkeys' CBOR, read in src/lib/crypto/webauthn.c only.
PKGS     = libcrypto libgit2 zlib sqlcipher libargon2 pangocairo cairo libcbor
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# OpenSSL's TLS (libssl) only for the programs that speak it: the remote
# command line (src/cli/tls.c) and scrvaultd (src/daemon/tls.c); the library
# uses libcrypto alone.
TLS_LIBS   := $(shell pkg-config --libs libssl 2>/dev/null)
# The command line's HTTP client for the service (src/cli/remote.c only):
# Debian's libcurl, built on the same OpenSSL.
CURL_LIBS  := $(shell pkg-config --libs libcurl 2>/dev/null)

WARN     = -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes \
           -Wmissing-prototypes -Wvla -Wno-missing-field-initializers
# Hardening as Debian builds its packages (dpkg-buildflags, hardening=+all),
# plus stack-clash and (on x86) control-flow protection.  _FORTIFY_SOURCE is left out
# of the sanitizer builds, whose own checks it would hide.
# -fcf-protection (CET) exists on x86 only, as in Debian's own flags.
# Library objects are position-independent (-fPIC): the same objects make
# the shared library and the archive the programs link.
CF_PROT := $(if $(filter x86_64% i386% i486% i586% i686%,$(shell $(CC) -dumpmachine 2>/dev/null)),-fcf-protection)
HARDEN   = -fstack-protector-strong -fstack-clash-protection $(CF_PROT) -fPIC \
           $(if $(SAN),,-U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=2)
OPT     ?= -O2 -g
SAN     ?=
CFLAGS  += -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) $(HARDEN) $(SAN) -Iinclude -Isrc/lib $(PKG_CFLAGS)
LDFLAGS += $(SAN) -pie -Wl,-z,relro,-z,now
LDLIBS  += $(PKG_LIBS) -lpthread

LIB_SRC  = $(wildcard src/lib/*/*.c)
CLI_SRC  = $(wildcard src/cli/*.c)
UNIT_SRC = $(wildcard tests/unit/test_*.c)
LIB_OBJ  = $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ  = $(CLI_SRC:%.c=$(BUILD)/%.o)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TOOL_SRC = $(wildcard tests/tools/*.c)
TOOL_BIN = $(TOOL_SRC:tests/tools/%.c=$(BUILD)/tests/tools/%)
HDRS     = $(wildcard include/scrvault/*.h src/lib/*/*.h src/cli/*.h)

# Test hooks (src/lib/base/fault.h) exist only in this second build of the
# library and of scrvault, which the unit tests and the suites that steer a
# hook use.  The programs that are installed have none.
HOOKS    = $(BUILD)/hooks
HOOK_OBJ = $(LIB_SRC:%.c=$(HOOKS)/%.o)

.PHONY: all deps run test test-asan bench clean fuzz install install-system examples
all: $(BUILD)/scrvault $(BUILD)/libscrvault.so $(HOOKS)/scrvault $(UNIT_BIN) $(TOOL_BIN) \
     $(BUILD)/examples/list_case $(BUILD)/tests/tls_probe

deps:
	@scripts/install-deps

# Makefile: a change of flags builds everything again.
$(BUILD)/%.o: %.c Makefile $(HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) -c -o $@ $<

$(HOOKS)/%.o: %.c Makefile $(HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      $< (test hooks)"
	@$(CC) $(CFLAGS) -DSV_TEST_HOOKS -c -o $@ $<

# The default policy, compiled in (scrvault init loads it).
GEN_OBJ  = $(BUILD)/gen/default_policy.o
$(BUILD)/gen/default_policy.c: policy/default.conf
	@mkdir -p $(dir $@)
	@{ echo '/* generated from policy/default.conf: do not edit */'; \
	   echo 'extern const char sv_default_policy_text[];'; \
	   echo 'const char sv_default_policy_text[] ='; \
	   sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $<; echo ';'; } > $@
# The 10 000 most common passwords (data/README.md), compiled in sorted
# byte-wise and lower-case for src/lib/crypto/passphrase.c's binary search.
GEN_OBJ += $(BUILD)/gen/common_passwords.o
$(BUILD)/gen/common_passwords.c: data/common-passwords.txt
	@mkdir -p $(dir $@)
	@{ echo '/* generated from data/common-passwords.txt: do not edit */'; \
	   echo '#include <stddef.h>'; \
	   echo 'extern const char *const sv_common_passwords[];'; \
	   echo 'extern const size_t sv_common_passwords_count;'; \
	   echo 'const char *const sv_common_passwords[] = {'; \
	   LC_ALL=C tr 'A-Z' 'a-z' < $< | sed '/^$$/d' | LC_ALL=C sort -u | \
		sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/",/'; \
	   echo '};'; \
	   echo 'const size_t sv_common_passwords_count = sizeof(sv_common_passwords) / sizeof(sv_common_passwords[0]);'; \
	 } > $@
$(BUILD)/gen/%.o: $(BUILD)/gen/%.c Makefile
	@$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/libscrvault.a: $(LIB_OBJ) $(GEN_OBJ)
	@rm -f $@
	@ar rcs $@ $^

$(HOOKS)/libscrvault.a: $(HOOK_OBJ) $(GEN_OBJ)
	@rm -f $@
	@ar rcs $@ $^

# The shared library exports the public API (scrvault_*) and nothing else
# (src/lib/libscrvault.map).
$(BUILD)/libscrvault.so.$(LIB_VERSION): $(LIB_OBJ) $(GEN_OBJ) src/lib/libscrvault.map
	@echo "  LD      $@"
	@$(CC) -shared $(SAN) -Wl,-soname,libscrvault.so.$(LIB_MAJOR) -Wl,--version-script,src/lib/libscrvault.map \
		-Wl,-z,relro,-z,now,-z,defs -o $@ $(LIB_OBJ) $(GEN_OBJ) $(LDLIBS)
$(BUILD)/libscrvault.so: $(BUILD)/libscrvault.so.$(LIB_VERSION)
	@ln -sf libscrvault.so.$(LIB_VERSION) $(BUILD)/libscrvault.so.$(LIB_MAJOR)
	@ln -sf libscrvault.so.$(LIB_VERSION) $@

$(BUILD)/scrvault: $(CLI_OBJ) $(BUILD)/libscrvault.a
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libscrvault.a $(TLS_LIBS) $(CURL_LIBS) $(LDLIBS)

$(HOOKS)/scrvault: $(CLI_OBJ) $(HOOKS)/libscrvault.a
	@echo "  LD      $@ (test hooks)"
	@$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(HOOKS)/libscrvault.a $(TLS_LIBS) $(CURL_LIBS) $(LDLIBS)

# Unit tests reach into the library (internal headers) and steer its hooks.
$(BUILD)/tests/%: tests/unit/%.c $(HOOKS)/libscrvault.a tests/unit/unit.h
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) -DSV_TEST_HOOKS -Itests/unit $(LDFLAGS) -o $@ $< $(HOOKS)/libscrvault.a $(LDLIBS) -lcmocka

# Programs the CLI suites use to build hostile input (tests/tools).
$(BUILD)/tests/tools/%: tests/tools/%.c $(BUILD)/libscrvault.a
	@mkdir -p $(dir $@)
	@$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libscrvault.a $(LDLIBS)

# The load client of scrvaultd (tests/cli/daemon-load.sh, bench/server):
# libcurl, built on OpenSSL, over the Unix socket and HTTPS.
CURL_LIBS := $(shell pkg-config --libs libcurl 2>/dev/null)
$(BUILD)/tests/tools/svd_load: tests/tools/svd_load.c $(BUILD)/libscrvault.a
	@mkdir -p $(dir $@)
	@$(CC) $(CFLAGS) $(shell pkg-config --cflags libcurl 2>/dev/null) $(LDFLAGS) -o $@ $< $(BUILD)/libscrvault.a \
		$(CURL_LIBS) $(LDLIBS) -lm

# The TLS contexts of scrvaultd and of the remote command line, on loopback
# (tests/cli/tls.sh); links libssl and, for sd_notify, libsystemd.
TLS_PROBE_SRC = tests/tls/tls_probe.c src/daemon/tls.c src/daemon/notify.c src/cli/tls.c
$(BUILD)/tests/tls_probe: $(TLS_PROBE_SRC) src/daemon/tls.h src/daemon/notify.h src/cli/tls.h Makefile
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(TLS_PROBE_SRC) $(TLS_LIBS) $(LDLIBS) $(shell pkg-config --libs libsystemd 2>/dev/null)

# The example uses the public API only and links the shared library, as a
# program of someone else's would (tests/cli/install.sh builds it again
# against an installed copy, through pkg-config).
$(BUILD)/examples/%: examples/%.c $(BUILD)/libscrvault.so
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) -std=c11 $(OPT) $(WARN) $(SAN) -Iinclude -o $@ $< -L$(BUILD) -Wl,-rpath,$(abspath $(BUILD)) -lscrvault
examples: $(BUILD)/examples/list_case

run: deps
	@$(MAKE) --no-print-directory all
	@scripts/walkthrough $(BUILD)/scrvault

test: deps
	@$(MAKE) --no-print-directory all
	@tests/run-all $(BUILD)

test-asan: deps
	@$(MAKE) --no-print-directory BUILD=build-asan OPT="-O1 -g -fno-omit-frame-pointer" \
		SAN="-fsanitize=address,undefined -fno-sanitize-recover=all" all
	@SCRVAULT_TEST_QUICK=1 ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 tests/run-all build-asan

# make install PREFIX=... DESTDIR=...: what a package would ship.
install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCDIR)/scrvault \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(UNITDIR) $(DESTDIR)$(LIBEXECDIR)/scrvault
	install -m 0755 $(BUILD)/scrvault $(DESTDIR)$(BINDIR)/
	install -m 0755 $(BUILD)/scrvault-seal $(DESTDIR)$(BINDIR)/
	install -m 0755 $(BUILD)/scrvault-stamp $(DESTDIR)$(LIBEXECDIR)/scrvault/
	install -m 0644 $(BUILD)/libscrvault.so.$(LIB_VERSION) $(BUILD)/libscrvault.a $(DESTDIR)$(LIBDIR)/
	ln -sf libscrvault.so.$(LIB_VERSION) $(DESTDIR)$(LIBDIR)/libscrvault.so.$(LIB_MAJOR)
	ln -sf libscrvault.so.$(LIB_VERSION) $(DESTDIR)$(LIBDIR)/libscrvault.so
	install -m 0644 include/scrvault/*.h $(DESTDIR)$(INCDIR)/scrvault/
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' -e 's|@INCDIR@|$(INCDIR)|g' \
		-e 's|@VERSION@|$(LIB_VERSION)|g' scripts/scrvault.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/scrvault.pc
	install -m 0644 man/*.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 0755 scripts/scrvault-backup-job scripts/scrvault-notify $(DESTDIR)$(LIBEXECDIR)/scrvault/
	install -d $(DESTDIR)$(DATADIR)/scrvault
	for f in scripts/*.service scripts/*.timer scripts/scrvault.cron; do \
		case $$f in *.cron) to=$(DESTDIR)$(DATADIR)/scrvault ;; *) to=$(DESTDIR)$(UNITDIR) ;; esac; \
		sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@LIBEXECDIR@|$(LIBEXECDIR)|g' $$f > $$to/$${f#scripts/} && \
		chmod 0644 $$to/$${f#scripts/} || exit 1; \
	done

# make install-system [DESTDIR=...]: make install, then the deployment around
# it (scripts/install-system): the scrvault account and its directories, the
# cron lines.  With DESTDIR, staged only; the host's accounts are not touched.
install-system: install
	DESTDIR="$(DESTDIR)" scripts/install-system $(DESTDIR)$(DATADIR)/scrvault/scrvault.cron

$(BUILD)/bench/%: bench/%.c $(BUILD)/libscrvault.a
	@mkdir -p $(dir $@)
	@$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libscrvault.a $(LDLIBS)

bench: deps
	@$(MAKE) --no-print-directory all $(BUILD)/bench/audit_bench $(BUILD)/bench/copies_bench $(BUILD)/bench/replication_bench \
		$(BUILD)/bench/clocks_bench
	@bench/run $(BUILD)/scrvault
	@bench/audit $(BUILD)/bench/audit_bench
	@bench/copies $(BUILD)/bench/copies_bench $(BUILD)/scrvault
	@bench/agenda $(BUILD)/bench/copies_bench $(BUILD)/scrvault
	@bench/clocks $(BUILD)/bench/clocks_bench
	@bench/report $(BUILD)/bench/copies_bench $(BUILD)/scrvault 100000 $(BUILD)/bench/clocks_bench
	@bench/bundle $(BUILD)/scrvault
	@bench/startup $(BUILD)/scrvault
	@bench/replication $(BUILD)/scrvault $(BUILD)/bench/replication_bench
	@bench/server $(BUILD)/scrvault

# Fuzzing (tests/fuzz/README.md).  The library is compiled again with clang,
# ASan, UBSan and libFuzzer's coverage into build-fuzz/; the target then runs
# over a copy of its seed corpus tests/fuzz/corpus/TARGET (the committed one
# does not grow); FUZZ_SECONDS is the time of the whole run, shared evenly
# between the targets (at least 1 s each).  Any crash, sanitizer report,
# leak, timeout or excess memory fails.
FUZZ_SECONDS ?= 240
FUZZ_OPTS    ?= -max_len=140000 -timeout=10 -rss_limit_mb=2048
FUZZ_TARGETS  = fuzz_bundle fuzz_policy fuzz_audit fuzz_enrol fuzz_router fuzz_webauthn
FUZZ_EACH     = $(shell n=$$(( $(FUZZ_SECONDS) / $(words $(FUZZ_TARGETS)) )); [ $$n -ge 1 ] && echo $$n || echo 1)

$(BUILD)/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz_keys.h tests/fuzz/fuzz_file.h $(BUILD)/libscrvault.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fsanitize=fuzzer $(LDFLAGS) -o $@ $< $(BUILD)/libscrvault.a $(LDLIBS)

# The seed generator (tests/fuzz/make-corpus), built with the ordinary build.
$(BUILD)/fuzz-tools/%: tests/fuzz/%.c tests/fuzz/fuzz_keys.h $(BUILD)/libscrvault.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libscrvault.a $(LDLIBS)

fuzz: deps
	@$(MAKE) --no-print-directory BUILD=build-fuzz CC=clang OPT="-O1 -g -fno-omit-frame-pointer" \
		SAN="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all" \
		$(FUZZ_TARGETS:%=build-fuzz/fuzz/%)
	@set -e; for t in $(FUZZ_TARGETS); do \
		rm -rf build-fuzz/corpus-$$t build-fuzz/artifacts-$$t; \
		mkdir -p build-fuzz/artifacts-$$t; cp -R tests/fuzz/corpus/$$t build-fuzz/corpus-$$t; \
		echo "fuzz: $$t for $(FUZZ_EACH) s"; \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ASAN_OPTIONS=detect_leaks=1 \
		build-fuzz/fuzz/$$t $(FUZZ_OPTS) -max_total_time=$(FUZZ_EACH) -print_final_stats=1 \
			-artifact_prefix=build-fuzz/artifacts-$$t/ build-fuzz/corpus-$$t 2>build-fuzz/$$t.log || \
			{ tail -n 60 build-fuzz/$$t.log; echo "fuzz: $$t FAILED: input in build-fuzz/artifacts-$$t/, log in build-fuzz/$$t.log"; exit 1; }; \
		grep -E '^(Done|stat::)' build-fuzz/$$t.log || true; \
	done

# Programs and suites that keep their rules beside them (mk/*.mk).
include $(wildcard mk/*.mk)

clean:
	rm -rf build build-asan build-fuzz
