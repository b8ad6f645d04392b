#!/usr/bin/env bash
# Files of every awkward size check in and out byte-identical, and every
# earlier version still comes back.
. "$(dirname "$0")/lib.bash"

mkvault
sv case open --title t SCR-2026-01 >/dev/null
sizes="0 1 65535 65536 65537 131072 10000000"
[ -z "$QUICK" ] && sizes="$sizes 200000000"
for s in $sizes; do
	head -c "$s" /dev/urandom > "$T/f$s"
	expect 0 "check in $s bytes" -- sv doc checkin --case SCR-2026-01 --class other --json "$T/f$s"
	d=$(grep -o '"doc":"[0-9a-f]*"' "$T/out" | cut -d'"' -f4)
	echo "$s $d" >> "$T/docs"
	expect 0 "check out $s bytes" -- sv doc checkout -o "$T/o$s" "$d"
	cmp -s "$T/f$s" "$T/o$s"; ok $? "$s bytes come back byte-identical"
	rm -f "$T/o$s"
done
# Versions: five versions of one document, each still retrievable.
read -r _ D < <(head -1 "$T/docs")
for i in 2 3 4 5; do
	head -c $((i * 40000 + i)) /dev/urandom > "$T/ver$i"
	sv doc checkin --doc "$D" "$T/ver$i" >/dev/null || echo "# checkin of version $i failed"
done
for i in 2 3 4 5; do
	sv doc checkout -o "$T/back$i" "$D@$i" 2>/dev/null && cmp -s "$T/back$i" "$T/ver$i"
	ok $? "version $i comes back byte-identical"
done
sv doc checkout -o "$T/back1" "$D@1" 2>/dev/null && cmp -s "$T/back1" "$T/f0"
ok $? "version 1 (empty) still comes back"
# Every document again, after all the later check-ins.
while read -r s d; do
	sv doc checkout -o "$T/again" --force "$d" 2>/dev/null
	if [ "$d" = "$D" ]; then cmp -s "$T/again" "$T/ver5"; else cmp -s "$T/again" "$T/f$s"; fi
	ok $? "document of $s bytes still byte-identical at the end"
done < "$T/docs"
expect 0 "fsck clean" -- sv fsck
finish
