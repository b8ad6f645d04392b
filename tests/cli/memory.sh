#!/usr/bin/env bash
# Memory does not grow with file size: a 1 GB check-in and check-out each
# keep peak RSS under 64 MB.
. "$(dirname "$0")/lib.bash"

SIZE=1000000000
[ -n "$QUICK" ] && SIZE=100000000
DEFAULT_KDF=1 mkvault	# the default Argon2id cost counts too
sv case open --title t SCR-2026-01 >/dev/null
head -c $SIZE /dev/urandom > "$T/big"
/usr/bin/time -f '%M' -o "$T/rss-in" "$SV" --vault "$V" --key "$K" --passphrase-file "$P" doc checkin --json --case SCR-2026-01 --class other "$T/big" > "$T/res"
ok $? "check in $SIZE bytes"
d=$(grep -o '"doc":"[0-9a-f]*"' "$T/res" | cut -d'"' -f4)
/usr/bin/time -f '%M' -o "$T/rss-out" "$SV" --vault "$V" --key "$K" --passphrase-file "$P" doc checkout -o "$T/back" "$d"
ok $? "check out $SIZE bytes"
cmp -s "$T/big" "$T/back"; ok $? "comes back byte-identical"
rin=$(tail -1 "$T/rss-in"); rout=$(tail -1 "$T/rss-out")
echo "# peak RSS: checkin ${rin} KiB, checkout ${rout} KiB"
if [ -n "${ASAN_OPTIONS:-}" ]; then
	# AddressSanitizer's shadow memory and quarantine inflate RSS.
	skip "check-in peak RSS < 64 MiB" "RSS is not meaningful under AddressSanitizer"
	skip "check-out peak RSS < 64 MiB" "RSS is not meaningful under AddressSanitizer"
else
	[ "$rin" -lt 65536 ]; ok $? "check-in peak RSS ${rin} KiB < 64 MiB"
	[ "$rout" -lt 65536 ]; ok $? "check-out peak RSS ${rout} KiB < 64 MiB"
fi

# Bundles stream too: a 200 MB IMR sealed, imported, released and opened.
BSIZE=200000000
[ -n "$QUICK" ] && BSIZE=50000000
rm -f "$T/big" "$T/back"
head -c $BSIZE /dev/urandom > "$T/imr"
enrol --key-out "$T/ag.key" --kind agency --agency police ag >/dev/null
sv principal grant ag agency-submitter --case SCR-2026-01 --agency police >/dev/null
enrol --key-out "$T/pm.key" pm >/dev/null
sv principal grant pm panel-member --case SCR-2026-01 >/dev/null
R=$(sv recipient)
rss() { tail -1 "$T/rss"; }
/usr/bin/time -f '%M' -o "$T/rss" "$SV" intake seal --key "$T/ag.key" --passphrase-file "$P" --to "$R" \
	--case SCR-2026-01 --class imr -o "$T/imr.age" "$T/imr" 2>/dev/null
ok $? "seal $BSIZE bytes"; r_seal=$(rss)
/usr/bin/time -f '%M' -o "$T/rss" "$SV" --vault "$V" --key "$K" --passphrase-file "$P" intake import --json "$T/imr.age" > "$T/res"
ok $? "import $BSIZE bytes"; r_imp=$(rss)
d=$(grep -o '"doc":"[0-9a-f]*"' "$T/res" | cut -d'"' -f4)
/usr/bin/time -f '%M' -o "$T/rss" "$SV" --vault "$V" --key "$K" --passphrase-file "$P" doc release "$d" --to pm -o "$T/rel.age" >/dev/null
ok $? "release $BSIZE bytes"; r_rel=$(rss)
/usr/bin/time -f '%M' -o "$T/rss" "$SV" open --key "$T/pm.key" --passphrase-file "$P" -o "$T/opened" "$T/rel.age" >/dev/null 2>&1
ok $? "open $BSIZE bytes"; r_open=$(rss)
cmp -s "$T/imr" "$T/opened"; ok $? "what the reader opens is what the agency sealed"
echo "# peak RSS: seal ${r_seal} KiB, import ${r_imp} KiB, release ${r_rel} KiB, open ${r_open} KiB"
if [ -n "${ASAN_OPTIONS:-}" ]; then
	skip "bundle commands peak RSS < 64 MiB" "RSS is not meaningful under AddressSanitizer"
else
	for x in seal:$r_seal import:$r_imp release:$r_rel open:$r_open; do
		[ "${x#*:}" -lt 65536 ]; ok $? "${x%%:*} peak RSS ${x#*:} KiB < 64 MiB"
	done
fi
finish
