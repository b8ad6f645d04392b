#!/usr/bin/env bash
# make install: what a package ships, and a program of someone else's built
# against it through pkg-config (examples/list_case.c, public API only).
. "$(dirname "$0")/lib.bash"
B=$(dirname "$SV")
S="$T/stage"
U=usr/local

# The default prefix (/usr/local), that of the build under test: another would
# rebuild it (the helper's directory is compiled in).
make -s -C "$ROOT" --no-print-directory install BUILD="$B" DESTDIR="$S" >"$T/out" 2>&1
rc=$?; [ $rc -ne 0 ] && sed 's/^/#   /' "$T/out" | tail -5
ok $rc "make install DESTDIR=... succeeds"
for f in $U/bin/scrvault $U/bin/scrvault-seal $U/share/man/man1/scrvault-seal.1 $U/lib/libscrvault.so.0.2.0 $U/lib/libscrvault.a $U/include/scrvault/scrvault.h \
	 $U/lib/pkgconfig/scrvault.pc $U/share/man/man1/scrvault.1 $U/lib/systemd/system/scrvault-purge.service $U/lib/systemd/system/scrvaultd.service \
	 $U/libexec/scrvault/scrvault-stamp; do
	[ -f "$S/$f" ]; ok $? "installs /$f"
done
[ "$(readlink "$S/$U/lib/libscrvault.so.0")" = libscrvault.so.0.2.0 ] && \
	[ "$(readlink "$S/$U/lib/libscrvault.so")" = libscrvault.so.0.2.0 ]; ok $? "the soname and development links"

# Every public header stands alone, and the umbrella includes them all.
for h in "$S/$U"/include/scrvault/*.h; do
	hn=$(basename "$h")
	printf '#include <scrvault/%s>\nint main(void) { return 0; }\n' "$hn" >"$T/h.c"
	cc -std=c11 -Wall -Werror -I"$S/$U/include" -c -o "$T/h.o" "$T/h.c" 2>"$T/err"
	ok $? "scrvault/$hn compiles on its own"
	[ "$hn" = scrvault.h ] || grep -q "#include \"scrvault/$hn\"" "$S/$U/include/scrvault/scrvault.h"
	ok $? "scrvault.h includes scrvault/$hn"
done

export PKG_CONFIG_SYSROOT_DIR="$S" PKG_CONFIG_LIBDIR="$S/$U/lib/pkgconfig"
flags=$(pkg-config --cflags --libs scrvault); ok $? "pkg-config knows scrvault ($flags)"
# shellcheck disable=SC2086
cc -std=c11 -Wall -Werror -o "$T/list_case" "$ROOT/examples/list_case.c" $flags 2>"$T/err"
ok $? "the example builds against the installed library"

if ldd "$SV" | grep -q asan; then
	skip "the example lists a case through the installed library" "the library is built with AddressSanitizer"
else
	mkvault
	sv case open --title "Example" SCR-2026-09 >/dev/null
	printf 'an IMR\n' >"$T/imr.txt"
	sv doc checkin --case SCR-2026-09 --class imr --agency police --title "Police IMR" "$T/imr.txt" >/dev/null
	LD_LIBRARY_PATH="$S/$U/lib" "$T/list_case" "$V" "$K" "$P" SCR-2026-09 >"$T/out" 2>"$T/err"
	ok $? "the example lists a case through the installed library"
	out_has "case SCR-2026-09: 1 document"
	out_has "Police IMR"
	LD_LIBRARY_PATH="$S/$U/lib" ldd "$T/list_case" | grep -q "$S/$U/lib/libscrvault.so.0"
	ok $? "it runs on the installed libscrvault.so.0"
	LD_LIBRARY_PATH="$S/$U/lib" "$T/list_case" "$V" "$K" "$P" SCR-NONE >"$T/out" 2>"$T/err"
	[ $? -eq 4 ]; ok $? "an unknown case is exit 4 (not found) for it too"
fi
# The staged scrvault prints a copy with the staged helper, found relative to
# itself (PREFIX/libexec/scrvault), not with the build's beside it.
SAMPLE="$SAMPLES/overview-report.pdf"
if [ ! -f "$SAMPLE" ] || ! command -v pdfinfo >/dev/null; then
	skip "the installed scrvault prints a copy with the installed helper" "no sample PDF or pdfinfo"
else
	mkvault print
	sv case open --title "Print" SCR-2026-10 >/dev/null
	sv doc checkin --case SCR-2026-10 --class overview-report --title "Overview" "$SAMPLE" >/dev/null
	D=$(sv doc list --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["doc"])')
	sv copy create "$D@1" --count 1 >/dev/null
	enrol --key-out "$T/pam.key" --contact "pam@lscb.example" pam >/dev/null
	sv principal grant pam panel-member --case SCR-2026-10 >/dev/null
	sv copy issue "$D@1#1" --to pam --purpose "panel" --due 2099-01-01 >/dev/null
	run_staged() { LD_LIBRARY_PATH="$S/$U/lib" "$S/$U/bin/scrvault" --vault "$V" --key "$K" --passphrase-file "$P" "$@"; }
	run_staged copy print "$D@1#1" -o "$T/staged.pdf" >"$T/out" 2>"$T/err"
	ok $? "the installed scrvault prints a copy"
	pdfinfo "$T/staged.pdf" >/dev/null 2>&1; ok $? "...a PDF"
	mv "$S/$U/libexec/scrvault/scrvault-stamp" "$T/stamp.away"
	run_staged copy print "$D@1#1" -o "$T/staged2.pdf" >"$T/out" 2>"$T/err"
	rc=$?
	[ $rc -ne 0 ] && [ ! -e "$T/staged2.pdf" ]
	ok $? "...and without the installed helper it prints nothing (exit $rc): it used that one"
	mv "$T/stamp.away" "$S/$U/libexec/scrvault/scrvault-stamp"
fi
finish
