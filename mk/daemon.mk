# scrvaultd (src/daemon): the vault as a service.  Included by the Makefile
# (include $(wildcard mk/*.mk)); `make all` builds it.
#
# A client of the public API (scripts/check-layers holds it so) linking
# libscrvault.a, libevent (evhttp) and libevent_openssl (its TLS
# bufferevents) and libsystemd (sd_notify, src/daemon/notify.c only);
# OpenSSL's TLS is used by src/daemon/tls.c and tls_bev.c only.

DAEMON_PKGS    = libevent libevent_openssl libssl libsystemd
DAEMON_CFLAGS := $(shell pkg-config --cflags $(DAEMON_PKGS) 2>/dev/null)
DAEMON_LIBS   := $(shell pkg-config --libs $(DAEMON_PKGS) 2>/dev/null)
DAEMON_SRC     = $(wildcard src/daemon/*.c)
DAEMON_OBJ     = $(DAEMON_SRC:%.c=$(BUILD)/%.o)

all: $(BUILD)/scrvaultd

$(DAEMON_OBJ): CFLAGS += $(DAEMON_CFLAGS)
$(DAEMON_OBJ): $(wildcard src/daemon/*.h)

$(BUILD)/scrvaultd: $(DAEMON_OBJ) $(BUILD)/gen/web_pages.o $(BUILD)/libscrvault.a
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) -o $@ $(DAEMON_OBJ) $(BUILD)/gen/web_pages.o $(BUILD)/libscrvault.a $(DAEMON_LIBS) $(LDLIBS)

# The routing fuzz target (tests/fuzz/fuzz_router.c): routes.c's pure parts,
# its table without handlers (SVD_ROUTES_ONLY); no library, no libevent.
$(BUILD)/fuzz/fuzz_router: tests/fuzz/fuzz_router.c src/daemon/routes.c src/daemon/router.h src/daemon/handlers.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -DSVD_ROUTES_ONLY -Isrc/daemon -fsanitize=fuzzer $(LDFLAGS) -o $@ tests/fuzz/fuzz_router.c src/daemon/routes.c

.PHONY: install-daemon
install: install-daemon
install-daemon: $(BUILD)/scrvaultd
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man8
	install -m 0755 $(BUILD)/scrvaultd $(DESTDIR)$(BINDIR)/
	install -m 0644 man/scrvaultd.8 $(DESTDIR)$(MANDIR)/man8/

# tests/unit/test_router.c includes src/daemon/routes.c (its table without handlers).
$(BUILD)/tests/test_router: src/daemon/routes.c src/daemon/router.h src/daemon/handlers.h

# The pages (web/), built into scrvaultd by scripts/embed-web (od and sed:
# no xxd on a bare machine); src/daemon/pages.c serves them.
WEB_FILES = $(sort $(wildcard web/*))
# web itself: a file added or removed changes the directory.
$(BUILD)/gen/web_pages.c: web $(WEB_FILES) scripts/embed-web
	@mkdir -p $(dir $@)
	@scripts/embed-web $@ $(WEB_FILES)
$(BUILD)/gen/web_pages.o: $(BUILD)/gen/web_pages.c src/daemon/pages.h
	@$(CC) $(CFLAGS) -Isrc/daemon -c -o $@ $<
