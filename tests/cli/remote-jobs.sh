#!/usr/bin/env bash
# Retention, backups and mirrors through the service: the same commands
# directly on vault A and through scrvaultd on its copy B answer the same,
# byte for byte, with the same exit status; the jobs' service principals
# (no custodian: their key files open nothing by themselves) purge, back up
# and push through the socket only, each nothing but its job; a backup
# through the service names no path; a sealed service fails a job.
. "$(dirname "$0")/lib.bash"
D=${SCRVAULTD_BIN:-$(dirname "$SV")/scrvaultd}
[ -x "$D" ] || { skip "retention, backups and mirrors through the service" "scrvaultd is not built"; finish; exit; }

mkvault
S="$T/run/s.sock"
DPID=
start() {
	"$D" --vault "$T/B" --socket "$S" --idle-seal 0 --backup-dir "$T/backups" 2>>"$T/daemon.log" &
	DPID=$!
	for _ in $(seq 300); do "$SV" --server "unix:$S" status >/dev/null 2>&1 && return 0; sleep 0.1; done
	return 1
}
stop() {
	[ -n "$DPID" ] || return 0
	kill -TERM "$DPID" 2>/dev/null
	for _ in $(seq 150); do kill -0 "$DPID" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$DPID" 2>/dev/null; wait "$DPID" 2>/dev/null; DPID=
}
trap 'stop; rm -rf "$T"' EXIT

sv case open --title "Child R" SCR-R >/dev/null
printf 'notes\n' >"$T/d.txt"
sv doc checkin --case SCR-R --class other "$T/d.txt" >/dev/null
DOC=$(sv doc list --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["doc"])')
for j in purge backup; do
	sv principal add --kind service --no-passphrase --key-out "$T/$j.key" "$j-job" >/dev/null
done
sv principal grant purge-job retention-job >/dev/null
sv principal grant backup-job backup-job >/dev/null
git init -q --bare "$T/mA.git"; git init -q --bare "$T/mB.git"
cp -a "$V" "$T/B"
mkdir -p "$T/backups"
start; ok $? "the service starts on the copy"
expect 0 "a custodian unseals it" -- "$SV" --server "unix:$S" --key "$K" --passphrase-file "$P" unseal

# both NAME CMD...: CMD as the coordinator directly on A and through the service on B.
both() {
	local what=$1; shift
	sv "$@" >"$T/a.out" 2>&1; local ra=$?
	"$SV" --server "unix:$S" --key "$K" --passphrase-file "$P" "$@" >"$T/b.out" 2>&1; local rb=$?
	sed -i "s|$T/mB.git|$T/mA.git|g" "$T/b.out"
	if [ $ra -eq $rb ] && cmp -s "$T/a.out" "$T/b.out"; then ok 0 "$what: the same answer both ways (exit $ra)"
	else echo "# exit $ra directly, $rb through the service"; diff "$T/a.out" "$T/b.out" | head -6 | sed 's/^/# /'
		ok 1 "$what: the same answer both ways"; fi
}
both "retention confirm" retention confirm
sv mirror add off "file://$T/mA.git" >"$T/a.out" 2>&1
"$SV" --server "unix:$S" --key "$K" --passphrase-file "$P" mirror add off "file://$T/mB.git" >"$T/b.out" 2>&1
cmp -s "$T/a.out" "$T/b.out"; ok $? "mirror add: the same answer both ways"
both "mirror list --json" mirror list --json
both "mirror push" mirror push
[ "$(git --git-dir="$T/mB.git" rev-parse main)" = "$(git --git-dir="$T/B/store.git" rev-parse main)" ]
ok $? "...and the service's push reached B's mirror"
both "retention review of a version with no review rule" retention review "$DOC" --keep-until 2030-01-01
both "retention review --destroy without a rule" retention review "$DOC@1" --destroy --reason "no longer needed"
both "retention propose with nothing due" retention propose
both "retention approve of no batch" retention approve 99
both "retention refuse of no batch" retention refuse 99
both "retention certificate of no record" retention certificate 99
both "retention plan" retention plan --as-of 2026-12-01 --json
both "retention purge --dry-run" retention purge --dry-run
expect 2 "a path trick in a document is refused before anything is sent" -- \
	"$SV" --server "unix:$S" --key "$K" --passphrase-file "$P" retention review ../x --destroy --reason x
! grep -q '\.\./x' "$T/daemon.log"; ok $? "...the service never saw it"

# ---- the jobs, as their service principals, through the socket only -----------------------------
job() { local k=$1; shift; env -u SCRVAULT_DIR SCRVAULT_SERVER="unix:$S" SCRVAULT_KEY="$T/$k.key" "$SV" "$@"; }
expect 3 "a job's key file opens nothing on the vault itself: it is not a custodian" -- \
	"$SV" --vault "$T/B" --key "$T/purge.key" retention purge
err_has "not a custodian"
expect 0 "the purge job purges through the socket" -- job purge retention purge
out_has "destroyed 0 versions"
expect 3 "...and takes no backup" -- job purge backup create
expect 3 "...and reads no document" -- job purge doc list --case SCR-R
expect 0 "the backup job takes a backup through the socket" -- job backup backup create
BAK=$(ls "$T/backups"/vault-*.bak 2>/dev/null | head -1)
[ -n "$BAK" ]; ok $? "...into the service's --backup-dir"
out_has "backup written to '$BAK'"
expect 0 "...which verifies" -- "$SV" backup verify "$BAK"
expect 2 "through the service a backup names no path" -- job backup backup create -o "$T/elsewhere.bak"
err_has "leave out -o"
[ ! -e "$T/elsewhere.bak" ] && [ "$(ls "$T/backups" | wc -l)" -eq 1 ]; ok $? "...and nothing is written anywhere"
expect 0 "the backup job pushes the mirrors through the socket" -- job backup mirror push
expect 3 "...and purges nothing" -- job backup retention purge
"$SV" --server "unix:$S" --key "$K" --passphrase-file "$P" audit tail --json --lines 400 >"$T/audit.json"
python3 - "$T/audit.json" <<'PY'; ok $? "every job's act and refusal is on record as its principal"
import json, sys
es = json.load(open(sys.argv[1]))
want = {("retention.purge", "purge-job", "ok"), ("backup.create", "purge-job", "denied"),
        ("backup.create", "backup-job", "ok"), ("mirror.push", "backup-job", "ok"),
        ("retention.purge", "backup-job", "denied")}
got = {(e["action"], e["principal"], e["outcome"]) for e in es}
missing = want - got
if missing: print("# missing:", sorted(missing))
sys.exit(1 if missing else 0)
PY
expect 0 "a custodian seals the service" -- "$SV" --server "unix:$S" --key "$K" --passphrase-file "$P" seal
expect 3 "a sealed service fails the purge job (503, exit 3)" -- job purge retention purge
err_has "sealed"
stop
expect 0 "the audit log of B verifies" -- "$SV" --vault "$T/B" --key "$K" --passphrase-file "$P" audit verify
finish
