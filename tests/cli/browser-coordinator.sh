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
finish
