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
finish
