#!/usr/bin/env bash
# make install: what a package ships, and a program of someone else's built
# against it through pkg-config (examples/list_case.c, public API only).
. "$(dirname "$0")/lib.bash"
B=$(dirname "$SV")
S="$T/stage"

make -s -C "$ROOT" --no-print-directory install BUILD="$B" PREFIX=/usr DESTDIR="$S" >"$T/out" 2>&1
rc=$?; [ $rc -ne 0 ] && sed 's/^/#   /' "$T/out" | tail -5
ok $rc "make install PREFIX=/usr DESTDIR=... succeeds"
for f in usr/bin/scrvault usr/lib/libscrvault.so.0.2.0 usr/lib/libscrvault.a usr/include/scrvault/scrvault.h \
	 usr/lib/pkgconfig/scrvault.pc usr/share/man/man1/scrvault.1 usr/lib/systemd/system/scrvault-purge.service; do
	[ -f "$S/$f" ]; ok $? "installs /$f"
done
[ "$(readlink "$S/usr/lib/libscrvault.so.0")" = libscrvault.so.0.2.0 ] && \
	[ "$(readlink "$S/usr/lib/libscrvault.so")" = libscrvault.so.0.2.0 ]; ok $? "the soname and development links"

# Every public header stands alone, and the umbrella includes them all.
for h in "$S"/usr/include/scrvault/*.h; do
	hn=$(basename "$h")
	printf '#include <scrvault/%s>\nint main(void) { return 0; }\n' "$hn" >"$T/h.c"
	cc -std=c11 -Wall -Werror -I"$S/usr/include" -c -o "$T/h.o" "$T/h.c" 2>"$T/err"
	ok $? "scrvault/$hn compiles on its own"
	[ "$hn" = scrvault.h ] || grep -q "#include \"scrvault/$hn\"" "$S/usr/include/scrvault/scrvault.h"
	ok $? "scrvault.h includes scrvault/$hn"
done

export PKG_CONFIG_SYSROOT_DIR="$S" PKG_CONFIG_LIBDIR="$S/usr/lib/pkgconfig"
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
	LD_LIBRARY_PATH="$S/usr/lib" "$T/list_case" "$V" "$K" "$P" SCR-2026-09 >"$T/out" 2>"$T/err"
	ok $? "the example lists a case through the installed library"
	out_has "case SCR-2026-09: 1 document"
	out_has "Police IMR"
	LD_LIBRARY_PATH="$S/usr/lib" ldd "$T/list_case" | grep -q "$S/usr/lib/libscrvault.so.0"
	ok $? "it runs on the installed libscrvault.so.0"
	LD_LIBRARY_PATH="$S/usr/lib" "$T/list_case" "$V" "$K" "$P" SCR-NONE >"$T/out" 2>"$T/err"
	[ $? -eq 4 ]; ok $? "an unknown case is exit 4 (not found) for it too"
fi
finish
