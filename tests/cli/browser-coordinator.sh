#!/usr/bin/env bash
# The coordinator's pages in headless Chromium (tests/browser/coordinator.py):
# a throwaway vault with a case and a document, a deputy custodian who holds
# the coordinator role (so dual control is in force) and a panel member; the
# service over HTTPS on a loopback port, Chromium trusting the vault's CA
# through a throwaway NSS database.  The coordinator and the deputy each
# register their own passkey through their own one-time link and sign in in
# their own browser.  Screenshots go to build/screenshots/.
. "$(dirname "$0")/lib.bash"
WHAT="the coordinator's pages"
. "$(dirname "$0")/browser-lib.bash"

mkvault
. "$(dirname "$0")/daemon-lib.bash"
SAMPLE="$SAMPLES/overview-report.pdf"
[ -f "$SAMPLE" ] || SAMPLE="$ROOT/tests/data/samples/overview-report.pdf"
sv case open --title "Child A" SCR-A >/dev/null &&
	sv doc checkin --case SCR-A --class overview-report --title "Overview report" "$SAMPLE" >/dev/null
ok $? "a vault with a case and its overview report"
enrol --key-out "$T/dep.key" --custodian --display-name "Deputy" dep >/dev/null &&
	sv principal grant dep coordinator >/dev/null
ok $? "a deputy custodian who holds the coordinator role (dual control in force)"
enrol --key-out "$T/pam.key" --display-name "Pam Panel" --contact "pam@lscb.example" pam >/dev/null &&
	sv principal grant pam panel-member --case SCR-A >/dev/null
ok $? "a panel member of the case"
enrol --key-out "$T/ag.key" --agency police --display-name "Ann Agency" ag >/dev/null &&
	sv principal grant ag imr-author --case SCR-A --agency police >/dev/null
ok $? "an agency author on the case"
# Retention to work on: short rules and a review rule (the deputy approves
# the policy); a concluded case whose overview master went in disposal
# batch 1 (approved by a records manager, carried out by the purge job: a
# destruction record), another's in batch 2 (proposed); panel minutes due
# for review on a third case.
enrol --key-out "$T/rm.key" --display-name "Records manager" rm >/dev/null &&
	second "$T/dep.key" principal grant rm records-manager &&
	second "$T/dep.key" principal add --kind service --custodian --no-passphrase --key-out "$T/purge.key" purge-job &&
	sv principal grant purge-job retention-job >/dev/null
ok $? "a records manager and the purge job"
sed -e 's/rule = destroy 35 years after case-concluded/rule = destroy 0 days after case-concluded/' \
	"$ROOT/policy/default.conf" >"$T/short.conf"
printf '[retention "panel-minutes"]\n\trule = review 0 days after checkin\n' >>"$T/short.conf"
second "$T/dep.key" policy load "$T/short.conf"; ok $? "a policy with short rules and a review rule (the deputy approves it)"
TODAY=$(date -u +%F)
printf 'minutes\n' >"$T/min.txt"
concluded() {	# concluded REF: a case with an overview report, concluded today
	sv case open --title "Child $1" "$1" >/dev/null &&
		sv doc checkin --case "$1" --class overview-report --title "$1 overview" "$SAMPLE" >/dev/null &&
		sv case conclude "$1" --action-plan-approved-on "$TODAY" --ofsted-approved-on "$TODAY" >/dev/null
}
sv retention confirm >/dev/null && concluded SCR-R && sv retention propose >/dev/null &&
	sv --as-key "$T/rm.key" --as-passphrase-file "$P" retention approve 1 >/dev/null &&
	"$SV" --vault "$V" --key "$T/purge.key" retention purge >/dev/null
ok $? "case SCR-R concluded, its overview master destroyed under disposal batch 1 (destruction record 1)"
concluded SCR-Q && sv retention propose >/dev/null; ok $? "case SCR-Q concluded, its overview master in batch 2 (proposed)"
sv case open --title "Child M" SCR-M >/dev/null &&
	sv doc checkin --case SCR-M --class panel-minutes --title "Panel minutes" "$T/min.txt" >/dev/null
ok $? "panel minutes due for review on SCR-M"
# Eve makes her own key and enrolment request where she works.
printf 'eve keeps her own phrase 7\n' >"$T/pe"
"$SV" keygen --key-out "$T/eve.key" --new-passphrase-file "$T/pe" --kdf-memory 19 eve >"$T/keygen.out" 2>&1
EW=$(sed -n 's/^fingerprint: //p' "$T/keygen.out")
[ -f "$T/eve.key.enrol" ] && [ "$(wc -w <<<"$EW")" -eq 6 ]; ok $? "eve's own key and enrolment request, with its six words"
serve_pages
unseal; is 200 "the service is unsealed"

# Each custodian makes their own link, signed in with their own key file.
link() {	# link KEYFILE NAME: the one-time token
	"$SV" --server "unix:$S" --key "$1" --passphrase-file "$P" principal passkey-link --json "$2" 2>"$T/err" |
		"$PY" -c 'import json,sys; print(json.load(sys.stdin)["link"])'
}
LC=$(link "$K" coord); [ -n "$LC" ]; ok $? "the coordinator's own passkey link"
LD=$(link "$T/dep.key" dep); [ -n "$LD" ]; ok $? "the deputy's own passkey link"

SHOTS="$(dirname "$SV")/screenshots"
mkdir -p "$SHOTS" "$T/browser"
chmod 0700 "$T/browser"
timeout 900 "$PY" "$ROOT/tests/browser/coordinator.py" --base "$O" --ca "$T/ca.pem" --work "$T/browser" \
	--shots "$SHOTS" ${AXE:+--axe "$AXE"} --coord-link="$LC" --deputy-link="$LD" --case SCR-A \
	--enrol-file "$T/eve.key.enrol" --enrol-words "$EW" \
	--first $((n + 1)) --count-file "$T/browser.count"
rc=$?
read -r ran bad <"$T/browser.count" 2>/dev/null || { ran=0; bad=0; }
n=$((n + ran)); failed=$((failed + bad))
[ "$rc" -eq 0 ] || [ "$bad" -gt 0 ] || ok 1 "the browser test exits 0 (status $rc)"

# What the pages did is what the vault records.
sv --server "unix:$S" principal show pam >"$T/out" 2>&1
grep -q "coordinator" "$T/out"; ok $? "pam holds coordinator: the grant the coordinator asked for, approved by the deputy"
sv --server "unix:$S" op list --json >"$T/out" 2>/dev/null
"$PY" -c 'import json,sys; o=[x for x in json.load(open(sys.argv[1])) if x["action"]=="principal.grant" and x["target"]=="pam"]; sys.exit(0 if o and o[0]["state"]=="approved" and o[0].get("decided_by","dep") in ("dep",) else 1)' "$T/out"
ok $? "...op list: approved by dep"
sv --server "unix:$S" audit export 2>/dev/null >"$T/audit.jsonl"
grep -q '"copy.print"' "$T/audit.jsonl" && grep -q '"copy.issue"' "$T/audit.jsonl"
ok $? "the issue and the print are on record"
sv --server "unix:$S" copy list --json >"$T/out" 2>/dev/null
"$PY" -c 'import json,sys; c=[x for x in json.load(open(sys.argv[1])) if x["copy"]==2]; sys.exit(0 if c and c[0]["state"]=="destroyed" and c[0]["witness_signature"]=="signed" else 1)' "$T/out"
ok $? "copy 2: destroyed, its witness's passkey confirmation on record (signed)"
grep '"op.approve"' "$T/audit.jsonl" | grep -q '"denied"\|"refused"'
ok $? "the coordinator's attempt to approve their own operation is on record, refused"
sv --server "unix:$S" principal show eve >"$T/out" 2>&1; ok $? "eve is registered from her enrolment request"
sv --server "unix:$S" principal show mallory >/dev/null 2>&1; [ $? -ne 0 ]; ok $? "...and the tampered request registered no one"
grep '"hold.add"' "$T/audit.jsonl" | grep -q '"ok"' && grep '"hold.release"' "$T/audit.jsonl" | grep -q '"ok"'
ok $? "the hold placed and lifted from the pages is on record"
grep -q '"retention.review"' "$T/audit.jsonl"; ok $? "the review recorded from the page is on record"
sv --server "unix:$S" copy list --state transferred --json >"$T/out" 2>/dev/null
"$PY" -c 'import json,sys; c=json.load(open(sys.argv[1])); sys.exit(0 if len(c)==1 and c[0]["kind"]=="electronic" else 1)' "$T/out"
ok $? "the electronic copy transferred from the recall page is on record"

# An agency author's session cannot read the holds or the disposal batches.
login ag "$T/ag.key"; is 200 "the agency author signs in over the socket"
as ag GET /v1/holds; is 403 3 "the agency author may not list the holds: 403"
as ag GET /v1/retention/batches; is 403 3 "...nor the disposal batches: 403"
jpost ag /v1/holds '{"target":"SCR-A","kind":"other","reason":"x"}'; is 403 3 "...nor place a hold: 403"
finish
