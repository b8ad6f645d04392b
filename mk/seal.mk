# scrvault-seal (src/seal): the program for agencies and outside readers.
# Included by the Makefile (include $(wildcard mk/*.mk)); `make all` builds it.
#
# It links build/libscrvault-seal.a, the objects of the library's two lowest
# layers (src/lib/base, src/lib/crypto; PDFs are scrvault-stamp's, mk/stamp.mk),
# with the command-line parts it shares with scrvault (src/cli/common.c,
# src/cli/bundles.c, src/cli/keys.c), and so only libcrypto and libargon2.  Three checks
# fail the build, loudly, if that stops being true:
#   - a base or crypto file of the archive includes a header of a higher layer
#     (storage, vault, records, services; base: crypto);
#   - an object of the archive, or of the program, uses a symbol of the
#     library (sv_*, scrvault_*) that no object of the archive defines, or one
#     of libgit2, SQLCipher, zlib or libqpdf;
#   - the program, once linked, needs a shared library other than libcrypto,
#     libargon2 and libc (and the sanitizers' runtimes in a SAN build).

SEAL_LIB_SRC   = $(wildcard src/lib/base/*.c src/lib/crypto/*.c)
SEAL_LIB_HDR   = $(wildcard src/lib/base/*.h src/lib/crypto/*.h)
SEAL_LIB_OBJ   = $(SEAL_LIB_SRC:%.c=$(BUILD)/%.o)
# The common-password list crypto/passphrase.c searches (Makefile).
SEAL_GEN_OBJ   = $(BUILD)/gen/common_passwords.o
SEAL_CLI_OBJ   = $(BUILD)/src/cli/common.o $(BUILD)/src/cli/bundles.o $(BUILD)/src/cli/keys.o
SEAL_SRC       = $(wildcard src/seal/*.c)
SEAL_OBJ       = $(SEAL_SRC:%.c=$(BUILD)/%.o)
SEAL_LIBS     := $(shell pkg-config --libs libcrypto libargon2 2>/dev/null) -lpthread
# The shared libraries it may need (sonames up to ".so").
# (ld-linux: the C library's dynamic loader, needed by the thread-local error
# message in position-independent objects.)
SEAL_NEEDED_OK = libcrypto libargon2 libc libpthread ld-linux-x86-64 ld-linux-aarch64 ld-linux \
                 $(if $(SAN),libasan libubsan liblsan libstdc++ libm libgcc_s libdl librt)

all: $(BUILD)/scrvault-seal

$(SEAL_OBJ): $(wildcard src/seal/*.h)

# $(call seal_symbols,WHAT,OBJECTS,OTHER-DEFINERS): fail if OBJECTS use a
# library symbol, or one of the four libraries', that neither they nor
# OTHER-DEFINERS (objects or archives) define.
define seal_symbols
	@nm -A $(2) $(3) | awk -v what='$(1)' -v mine=' $(2) ' ' \
		NF < 2 { next } \
		{ f = $$1; sub(/:.*/, "", f) } \
		$$(NF-1) == "U" { if (index(mine, " " f " ")) use[$$NF] = use[$$NF] " " f; next } \
		$$(NF-1) ~ /^[A-TV-Z]$$/ { def[$$NF] = 1 } \
		END { for (s in use) \
			if (!(s in def) && s ~ /^(sv_|scrvault_|git_|sqlite3_|qpdf_|deflate|inflate|zlib|crc32|adler32)/) { \
				printf "mk/seal.mk: %s: %s (used by%s) is not in base or crypto: scrvault-seal " \
				       "links only libcrypto and libargon2\n", what, s, use[s] > "/dev/stderr"; bad = 1 } \
		      exit bad }' || { rm -f $@; exit 1; }
endef

$(BUILD)/libscrvault-seal.a: $(SEAL_LIB_OBJ) $(SEAL_GEN_OBJ) $(SEAL_LIB_HDR) mk/seal.mk
	@bad=$$(grep -Hn '^[[:space:]]*#[[:space:]]*include[[:space:]]*"\(storage\|vault\|records\|services\)/' \
			$(SEAL_LIB_SRC) $(SEAL_LIB_HDR); \
		grep -Hn '^[[:space:]]*#[[:space:]]*include[[:space:]]*"crypto/' $(filter src/lib/base/%,$(SEAL_LIB_SRC) $(SEAL_LIB_HDR))); \
	if [ -n "$$bad" ]; then \
		echo "$$bad" | sed 's|^|mk/seal.mk: a higher layer in base or crypto: |' >&2; \
		echo "mk/seal.mk: base and crypto may include only their own layer or below (scrvault-seal links them alone)" >&2; \
		exit 1; \
	fi
	$(call seal_symbols,the archive,$(SEAL_LIB_OBJ),$(SEAL_GEN_OBJ))
	@rm -f $@
	@ar rcs $@ $(SEAL_LIB_OBJ) $(SEAL_GEN_OBJ)

$(BUILD)/scrvault-seal: $(SEAL_OBJ) $(SEAL_CLI_OBJ) $(BUILD)/libscrvault-seal.a mk/seal.mk
	$(call seal_symbols,scrvault-seal,$(SEAL_OBJ) $(SEAL_CLI_OBJ),$(BUILD)/libscrvault-seal.a)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) -o $@ $(SEAL_OBJ) $(SEAL_CLI_OBJ) $(BUILD)/libscrvault-seal.a -Wl,--as-needed $(SEAL_LIBS)
	@for l in $$(readelf -d $@ | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do \
		case " $(SEAL_NEEDED_OK) " in \
		*" $${l%%.so*} "*) ;; \
		*) echo "mk/seal.mk: $@ needs $$l: scrvault-seal may link only libcrypto and libargon2" >&2; \
		   rm -f $@; exit 1;; \
		esac; \
	done
