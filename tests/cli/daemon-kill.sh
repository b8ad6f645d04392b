#!/usr/bin/env bash
# SIGKILL scrvaultd at random moments under load and restart it: every
# acknowledged upload (its receipt received) is there and exact, every
# upload whose finish was never sent is absent, the spool is empty once the
# custodian has unsealed again, the audit log verifies and fsck is clean.
# An upload whose finish was sent but whose receipt never came back (the
# kill fell between the check-in's commit and its answer) may be either
# absent or present; when present it must be exact.
# 20 rounds of 50 clients, check-ins up to 50 MiB, each killed 1-5 s in;
# SCRVAULT_TEST_QUICK: 5 rounds of 20 clients, check-ins up to 16 MiB,
# killed 1-3 s in.  Bounded: each round's client has 120 s, the whole suite
# is meant to end within 10 minutes.
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/daemon-load-lib.bash"
command -v curl >/dev/null || { skip "scrvaultd kill" "curl is not installed (scripts/install-deps)"; finish; exit; }

ROUNDS=20 CLIENTS=50 MAX=$((50 << 20)) KILL_MAX=5
[ -n "$QUICK" ] && ROUNDS=5 CLIENTS=20 MAX=$((16 << 20)) KILL_MAX=3

mkvault
people; ok $? "nine people in two cases"
spool_files() { find "$V/spool" -type f 2>/dev/null | wc -l; }

left=0 sweep=0 clientfail=0 bootfail=0
for r in $(seq "$ROUNDS"); do
	if ! start || ! unseal; then bootfail=$((bootfail + 1)); echo "# round $r: no restart: $(tail -3 "$T/daemon.log")"; stop KILL; continue; fi
	[ "$(spool_files)" -eq 0 ] || { sweep=$((sweep + 1)); echo "# round $r: $(spool_files) spool files after unsealing"; }
	timeout 120 "$LOAD" run --socket "$S" --pass "$P" "${USERS[@]}" --clients "$CLIENTS" --seconds 60 \
		--max-size "$MAX" --out "$T/load" --tag "r$r" --until-down --revoke-stale \
		>"$T/round.out" 2>"$T/round.err" &
	lp=$!
	sleep "$((RANDOM % KILL_MAX + 1)).$((RANDOM % 10))"
	stop KILL 2>/dev/null
	wait "$lp" || { clientfail=$((clientfail + 1)); echo "# round $r: the client: $(head -3 "$T/round.err")"; }
	[ "$(spool_files)" -gt 0 ] && left=$((left + 1))
	echo "# round $r: $(grep -c "^ack	load-r$r-" "$T/load/journal.tsv") acknowledged, $(grep -c "^begin	load-r$r-" "$T/load/journal.tsv") begun; $(spool_files) spool files after the kill"
done
[ $bootfail -eq 0 ]; ok $? "after each of $ROUNDS SIGKILLs scrvaultd restarts and is unsealed"
[ $clientfail -eq 0 ]; ok $? "no request failed but by the kill (a lost connection)"
[ $sweep -eq 0 ]; ok $? "unsealing wiped what each killed daemon left in the spool"
echo "# $left of $ROUNDS kills left upload files in the spool"

start && unseal; ok $? "a last restart"
[ "$(spool_files)" -eq 0 ]; ok $? "the spool is empty after it"
timeout 600 "$LOAD" verify --socket "$S" --pass "$P" "${USERS[@]}" --out "$T/load" >"$T/verify.out" 2>"$T/verify.err"
rc=$?
sed 's/^/# /' "$T/verify.out"; head -5 "$T/verify.err" | sed 's/^/# /'
ok $rc "every acknowledged upload is there and exact; every unfinished one is absent"
acks=$(grep -c '^ack' "$T/load/journal.tsv")
[ "$acks" -gt 0 ] && grep -q "^verify: $acks acknowledged exact" "$T/verify.out"; ok $? "all $acks acknowledged uploads were checked"
unfinished=$(awk -F'\t' '$1 == "begin" { b[$2] = 1 } $1 == "finish" { delete b[$2] } END { print length(b) }' "$T/load/journal.tsv")
[ "$unfinished" -gt 0 ] && grep -q " $unfinished unacknowledged absent" "$T/verify.out"
ok $? "the kills cut uploads short ($unfinished), and none of them is in the vault"
receipts "$T/load"; ok $? "scrvault-seal receipt verify accepts every receipt"
stop; ok $? "SIGTERM: exit 0"
expect 0 "the audit log verifies" -- sv audit verify
expect 0 "fsck is clean" -- sv fsck

finish
