#!/usr/bin/env bash
# A crash never wedges the vault (issue 18, item 8).  A command killed while
# it holds a git lock inside the vault (store.git/refs/heads/main.lock, or
# refs/audit/checkpoint.lock) leaves the lock file behind; the next command,
# holding the vault's own exclusive lock, knows that nobody else can hold it:
# it removes it, moves the ref and copies the checkpoint the killed one had
# signed, and succeeds.  The test-hooks build kills itself with SIGKILL at a
# named point (SCRVAULT_TEST_KILL_AT, src/lib/base/fault.h) while libgit2
# holds the lock.
. "$(dirname "$0")/lib.bash"

ROUNDS=${SCRVAULT_STALE_ROUNDS:-50}
mkvault
sv case open --title t SCR-2026-01 >/dev/null
# The checkpoint in the store: its size (the second line of its note).
store_size() { git --git-dir="$V/store.git" cat-file -p refs/audit/checkpoint 2>/dev/null | sed -n '/^$/,$p' | sed -n 3p; }
# The database's latest signed checkpoint (audit checkpoint would copy it).
db_size() { sv audit tail --lines 1 --json 2>/dev/null | grep -o '"seq":[0-9]*' | head -1 | cut -d: -f2; }
locks() { find "$V/store.git" -name '*.lock' | sed "s|$V/||"; }

# The wedge as the issue found it: a lock file a killed process left (made
# here by hand), and the ref behind the database.
head -c 20000 /dev/urandom > "$T/a"
: > "$V/store.git/refs/heads/main.lock"
expect 0 "a check-in with a stale main.lock beside the ref succeeds" -- sv doc checkin --case SCR-2026-01 --class other "$T/a"
[ -z "$(locks)" ]; ok $? "the stale lock file is gone"
expect 0 "the next command succeeds" -- sv case list
expect 0 "fsck is clean" -- sv fsck

# A real kill while libgit2 holds each lock.
[ -x "$SVH" ] || { skip "kills at a lock" "no test-hooks build"; finish; exit; }
SCRVAULT_TEST_KILL_AT=lock:refs/heads/main svh doc checkin --case SCR-2026-01 --class other "$T/a" >/dev/null 2>&1
rc=$?
[ $rc -eq 137 ]; ok $? "the hook killed the check-in (status $rc)"
[ "$(locks)" = store.git/refs/heads/main.lock ]; ok $? "it left refs/heads/main.lock behind ($(locks | tr '\n' ' '))"
expect 0 "case list after it succeeds" -- sv case list
[ -z "$(locks)" ]; ok $? "and removed the lock"
err_has "lock or temporary file" "and says it did"
expect 0 "a check-in after it succeeds" -- sv doc checkin --case SCR-2026-01 --class other "$T/a"
expect 0 "fsck is clean" -- sv fsck

before=$(store_size)
SCRVAULT_TEST_KILL_AT=lock:refs/audit/checkpoint svh case open --title t SCR-2026-02 >/dev/null 2>&1
rc=$?
[ $rc -eq 137 ]; ok $? "the hook killed case open while it copied the checkpoint (status $rc)"
[ "$(locks)" = store.git/refs/audit/checkpoint.lock ]; ok $? "it left refs/audit/checkpoint.lock behind ($(locks | tr '\n' ' '))"
[ "$(store_size)" = "$before" ]; ok $? "the store's checkpoint is the old one ($before)"
expect 0 "case list after it succeeds" -- sv case list
out_has SCR-2026-02 "the killed command's change was saved"
after=$(store_size)
[ -n "$after" ] && [ "$after" -gt "$before" ] && [ "$after" = "$(db_size)" ]
ok $? "the next command copied the checkpoint left undone (store $before -> $after, database $(db_size))"
[ -z "$(locks)" ]; ok $? "and removed the lock"
expect 0 "fsck is clean" -- sv fsck

# ROUNDS kills at either lock, in check-ins and in other changes; after each
# the next command succeeds, nothing is left locked, fsck is clean.
bad=0; killed=0; want=$(sv doc list --json | grep -o '"doc":' | wc -l)
D1=$(sv doc list --json | grep -o '"doc":"[0-9a-f]*"' | head -1 | cut -d'"' -f4)
for i in $(seq 1 "$ROUNDS"); do
	case $((i % 4)) in
	0) point=lock:refs/heads/main; cmd=(doc checkin --case SCR-2026-01 --class other "$T/in$i"); want=$((want + 1));;
	1) point=lock:refs/audit/checkpoint; cmd=(doc checkin --case SCR-2026-01 --class other "$T/in$i"); want=$((want + 1));;
	2) point=lock:refs/heads/main; cmd=(doc checkin --doc "$D1" --note "round $i" "$T/in$i");;
	3) point=lock:refs/audit/checkpoint; cmd=(case open --title t "SCR-2028-$((100 + i))");;
	esac
	head -c $((1000 + i * 977)) /dev/urandom > "$T/in$i"
	SCRVAULT_TEST_KILL_AT=$point svh "${cmd[@]}" >/dev/null 2>&1
	rc=$?
	[ $rc -eq 137 ] && killed=$((killed + 1))
	[ -n "$(locks)" ] || { [ $rc -ne 137 ] || { echo "# round $i ($point): killed but no lock left"; bad=$((bad + 1)); }; }
	if ! sv case list >/dev/null 2>"$T/err"; then
		bad=$((bad + 1)); echo "# round $i ($point, ${cmd[*]:0:2}): the next command failed:"; sed 's/^/#   /' "$T/err" | head -3
	fi
	[ -z "$(locks)" ] || { bad=$((bad + 1)); echo "# round $i: locks left: $(locks)"; }
	[ "$(store_size)" = "$(db_size)" ] || { bad=$((bad + 1)); echo "# round $i: store checkpoint $(store_size), database $(db_size)"; }
	if ! sv fsck >"$T/fsck" 2>&1; then
		bad=$((bad + 1)); echo "# fsck failed after round $i:"; sed 's/^/#   /' "$T/fsck" | head -5
	fi
done
ok $bad "after each of $ROUNDS kills at a held lock the next command succeeds, clears it, finishes the checkpoint copy, fsck clean"
[ "$killed" -eq "$ROUNDS" ]; ok $? "every round was killed at its lock ($killed of $ROUNDS)"
[ "$(sv doc list --json | grep -o '"doc":' | wc -l)" -eq "$want" ]; ok $? "every killed check-in was saved ($want documents)"
expect 0 "audit verify is clean" -- sv audit verify
finish
