#!/usr/bin/env bash
# Fault injection (tests/fault/fault.c, built by mk/fault.mk): fail
# allocation k, and disk-changing I/O call k, of a check-in of two new
# documents and of a purge that destroys three versions, for every k.  After
# each failure the vault must be unchanged (and the call answer
# SCRVAULT_ERROR) or completely changed, nothing leaked, fsck clean and the
# audit log verified; a purge leaves every due version destroyed with its
# key, or none.  One line per loop, with its counts; known defects of
# SQLCipher 3.4.1 and libgit2 1.5 are counted apart (the loop says which).
. "$(dirname "$0")/lib.bash"

FL=$(dirname "$SV")/tests/fault/fault_loops
if [ ! -x "$FL" ]; then
	skip "fault loops" "$FL is not built (make all)"
	finish
	exit
fi

# The loops test the failure paths, not durability: on a RAM file system
# the thousands of fsyncs they make cost nothing.
W="$T"
if [ -d /dev/shm ] && [ -w /dev/shm ] && W=$(mktemp -d /dev/shm/sv-fault.XXXXXX 2>/dev/null); then
	trap 'rm -rf "$T" "$W"' EXIT
else
	W="$T"
fi

# loop NAME: run one loop; its summary as comments, then ok / not ok / SKIP.
loop() {
	local name=$1 out="$T/$1.out" err="$T/$1.err" rc last
	"$FL" "$name" --workdir "$W/$name" >"$out" 2>"$err"
	rc=$?
	grep -E '^# ' "$out" | grep -vE '^# k=' | head -20
	grep -E '^# k=' "$out" | head -10
	[ "$rc" -ne 0 ] && sed 's/^/#   /' "$err" | tail -15
	last=$(grep -E '^(PASS|FAIL|SKIP) ' "$out" | tail -1)
	case "$last" in
	SKIP*)	last=${last#SKIP }; skip "${last%%:*}" "${last#*: }" ;;
	"")	ok 1 "$name: no result (exit status $rc)" ;;
	*)	ok "$rc" "${last#* }" ;;
	esac
}

loop reach
for l in checkin-alloc checkin-io purge-alloc purge-io; do
	loop "$l"
done
# Totals over the four loops, from their last lines.
cat "$T"/*-*.out 2>/dev/null | awk '/^(PASS|FAIL) .*iterations/ {
	for (i = 1; i <= NF; i++) {
		if ($(i + 1) ~ /^iterations/) it += $i
		if ($(i + 1) == "failures") inj += $i
		if ($(i + 1) == "s") sec += $i
	}
} END { printf "# total: %d iterations, %d failures injected, %.1f s\n", it, inj, sec }'
finish
