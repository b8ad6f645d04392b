#!/usr/bin/env bash
# scrvaultd under load: many clients at once, each signed in with its own
# key, doing a mix of listings, check-outs (each checked byte for byte
# against what was uploaded), resumable check-ins of 1 KiB to 50 MiB in
# chunks of up to 8 MiB, and register changes (a legal hold placed and
# lifted, a numbered copy issued and returned).  Then: no request failed,
# every acknowledged upload checks out exact, scrvault-seal accepts every
# receipt, the audit log verifies and fsck is clean.
# 50 clients for 60 s; SCRVAULT_TEST_QUICK: 20 clients for 20 s, check-ins
# up to 16 MiB.  Bounded: the run ends at its time, every request has a
# 300 s limit, and the suite is killed (timeout) after 15 minutes.
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/daemon-load-lib.bash"
command -v curl >/dev/null || { skip "scrvaultd load" "curl is not installed (scripts/install-deps)"; finish; exit; }

CLIENTS=50 SECONDS_=60 MAX=$((50 << 20))
[ -n "$QUICK" ] && CLIENTS=20 SECONDS_=20 MAX=$((16 << 20))

mkvault
people; ok $? "nine people in two cases, eight numbered copies to issue"
start; ok $? "scrvaultd starts"
unseal; ok $? "a custodian unseals it"

timeout 900 "$LOAD" run --socket "$S" --pass "$P" "${USERS[@]}" --clients "$CLIENTS" --seconds "$SECONDS_" \
	--max-size "$MAX" --out "$T/load" >"$T/load.out" 2>"$T/load.err"
rc=$?
sed 's/^/# /' "$T/load.out"; head -20 "$T/load.err" | sed 's/^/# /'
ok $rc "$CLIENTS clients for $SECONDS_ s: no request failed"
for op in list checkout checkin register; do
	cnt=$(awk -v op=$op '$1 == op { print $2 }' "$T/load.out")
	[ "${cnt:-0}" -gt 0 ]; ok $? "the mix did $op operations (${cnt:-0})"
done
big=$(awk -F'\t' '$1 == "ack" && $6 > 8388608' "$T/load/journal.tsv" | wc -l)
[ "$big" -gt 0 ]; ok $? "check-ins larger than one 8 MiB chunk were acknowledged ($big)"
lost=$(grep -c 'lost connections 0' "$T/load.out")
[ "$lost" = 1 ]; ok $? "no client lost its connection"

timeout 600 "$LOAD" verify --socket "$S" --pass "$P" "${USERS[@]}" --out "$T/load" >"$T/verify.out" 2>"$T/verify.err"
rc=$?
sed 's/^/# /' "$T/verify.out"; head -5 "$T/verify.err" | sed 's/^/# /'
ok $rc "every acknowledged upload checks out byte for byte, nothing unacknowledged is there"
acks=$(grep -c '^ack' "$T/load/journal.tsv")
grep -q "^verify: $acks acknowledged exact" "$T/verify.out"; ok $? "all $acks acknowledged uploads were checked"
receipts "$T/load"; ok $? "scrvault-seal receipt verify accepts every receipt"
[ "$(ls "$T/load/receipts" | wc -l)" = "$acks" ]; ok $? "one receipt per acknowledged upload"

stop; ok $? "SIGTERM after the load: exit 0"
[ -z "$(ls -A "$V/spool" 2>/dev/null)" ]; ok $? "nothing left in the upload spool"
expect 0 "the audit log verifies" -- sv audit verify
expect 0 "fsck is clean" -- sv fsck
! grep -q 'Bearer\|correct horse' "$T/daemon.log"; ok $? "the daemon's log holds no token or secret"

finish
