#!/usr/bin/env bash
# Two processes each check in 100 documents at the same time.
. "$(dirname "$0")/lib.bash"

N=100
[ -n "$QUICK" ] && N=25
mkvault
sv case open --title t SCR-2026-01 >/dev/null
worker() {
	local w=$1 fails=0
	for i in $(seq 1 $N); do
		echo "worker $w document $i $RANDOM" > "$T/w$w-$i.txt"
		sv doc checkin --case SCR-2026-01 --class other "$T/w$w-$i.txt" >/dev/null 2>>"$T/err$w" || fails=$((fails + 1))
	done
	echo $fails > "$T/fails$w"
}
worker 1 & worker 2 & wait
[ "$(cat "$T/fails1")" -eq 0 ] && [ "$(cat "$T/fails2")" -eq 0 ]; ok $? "every check-in of both workers succeeded"
count=$(sv doc list --json | grep -o '"doc":' | wc -l)
[ "$count" -eq $((2 * N)) ]; ok $? "all $((2 * N)) documents are there ($count)"
expect 0 "fsck clean" -- sv fsck
commits=$(git --git-dir="$V/store.git" log --format=%s main | grep -c '^checkin')
[ "$commits" -eq $((2 * N)) ]; ok $? "one check-in commit each, none lost ($commits)"
bad=0
for d in $(sv doc list --json | grep -o '"doc":"[0-9a-f]*"' | cut -d'"' -f4 | head -20); do
	sv doc checkout "$d" > "$T/o" 2>/dev/null && grep -q "^worker [12] document" "$T/o" || bad=$((bad+1))
done
ok $bad "documents come back"
finish
