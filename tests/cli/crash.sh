#!/usr/bin/env bash
# Crash safety: SIGKILL `doc checkin` at random points during many check-ins.
# After every kill fsck is clean, and every check-in that reported success
# comes back byte-identical.
. "$(dirname "$0")/lib.bash"

ROUNDS=${SCRVAULT_CRASH_ROUNDS:-200}
[ -n "$QUICK" ] && ROUNDS=40
mkvault
sv case open --title t SCR-2026-01 >/dev/null
# How long one check-in takes here (sanitizers and load change it a lot):
# kills are spread over 0-120 % of that.
head -c 1500000 /dev/urandom > "$T/probe"
t0=$(date +%s%N); sv doc checkin --case SCR-2026-01 --class other "$T/probe" >/dev/null
span=$(( ($(date +%s%N) - t0) / 1000000 * 12 / 10 + 1 ))
echo "# one check-in takes about $((span * 10 / 12)) ms; killing within 0-$span ms"
killed=0; survived=0; bad=0
for i in $(seq 1 "$ROUNDS"); do
	head -c $(( (RANDOM * 37 + i * 1000) % 3000000 )) /dev/urandom > "$T/in$i"
	sv doc checkin --case SCR-2026-01 --class other --json "$T/in$i" > "$T/res$i" 2>/dev/null &
	pid=$!
	ms=$(( (RANDOM * 32768 + RANDOM) % span ))
	sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
	if kill -9 "$pid" 2>/dev/null; then killed=$((killed + 1)); fi
	wait "$pid" 2>/dev/null; rc=$?
	if [ $rc -eq 0 ]; then
		d=$(grep -o '"doc":"[0-9a-f]*"' "$T/res$i" | cut -d'"' -f4)
		echo "$i $d" >> "$T/ok"
		survived=$((survived + 1))
	fi
	if ! sv fsck > "$T/fsck" 2>&1; then
		bad=$((bad + 1)); echo "# fsck failed after round $i:"; sed 's/^/#   /' "$T/fsck" | head -5
	fi
done
echo "# $ROUNDS rounds: $killed killed, $survived completed"
ok $bad "fsck clean after every kill ($ROUNDS rounds)"
[ "$killed" -gt 0 ] && [ "$survived" -gt 0 ]; ok $? "some check-ins were killed and some completed"
lost=0
while read -r i d; do
	sv doc checkout -o "$T/back" --force "$d" 2>/dev/null && cmp -s "$T/back" "$T/in$i" || { lost=$((lost + 1)); echo "# round $i ($d) did not come back"; }
done < <(cat "$T/ok" 2>/dev/null)
ok $lost "every reported check-in comes back byte-identical"
finish
