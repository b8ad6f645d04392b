#!/usr/bin/env bash
# The agency's and the auditor's pages in headless Chromium
# (tests/browser/agency.py): a throwaway vault with two cases, alice (police
# IMR author on SCR-A), bob (health, SCR-B, with an IMR on it) and audrey (an
# auditor); the service on a loopback port over HTTPS, Chromium trusting the
# vault's CA through a throwaway NSS database (as browser.sh), each person
# signed in with a passkey registered through the coordinator's one-time link
# (a virtual authenticator).  alice sends an IMR that loses its connection half
# way and resumes; the receipt she downloads verifies with scrvault-seal; an
# auditor's filtered export verifies with scrvault audit verify, as does the
# proof set of who could ever have read health's IMR (the coordinator checks
# it out); a notification form destroyed by the purge job links to its
# certificate.  Every wait
# is bounded in count and time.
. "$(dirname "$0")/lib.bash"
WHAT="the agency's pages"
. "$(dirname "$0")/browser-lib.bash"
SEAL=$(dirname "$SV")/scrvault-seal

mkvault
. "$(dirname "$0")/daemon-lib.bash"
enrol --key-out "$T/alice.key" --agency police alice >/dev/null &&
	enrol --key-out "$T/bob.key" --agency health bob >/dev/null &&
	enrol --key-out "$T/audrey.key" audrey >/dev/null &&
	enrol --key-out "$T/mo.key" --agency police mo >/dev/null
ok $? "alice and mo (police), bob (health) and audrey enrolled"
sv case open --title "Child A" --decision-date 2026-11-01 SCR-A >/dev/null 2>&1 || sv case open --title "Child A" SCR-A >/dev/null
sv case open --title "Child B" SCR-B >/dev/null &&
	sv principal grant alice imr-author --case SCR-A --agency police >/dev/null &&
	sv principal grant bob imr-author --case SCR-B --agency health >/dev/null &&
	sv principal grant audrey auditor >/dev/null &&
	sv principal grant mo authorising-manager --case SCR-A --agency police >/dev/null
ok $? "alice an IMR author on SCR-A (police), mo its authorising manager, bob on SCR-B (health), audrey the auditor"
sv case commission --agency police --author alice SCR-A >/dev/null; ok $? "the police IMR commissioned on SCR-A"
printf 'health IMR, not for the police\n' >"$T/bob-imr.txt"
sv doc checkin --case SCR-B --class imr --agency health "$T/bob-imr.txt" >/dev/null
BOBDOC=$(sv doc list --case SCR-B --json | "$PY" -c 'import json,sys; print([d["doc"] for d in json.load(sys.stdin) if d.get("class")=="imr"][0])')
[ -n "$BOBDOC" ]; ok $? "bob's (health) IMR on SCR-B: $BOBDOC"
sv doc checkout -o "$T/bob-imr.out" "$BOBDOC" >/dev/null 2>&1; ok $? "the coordinator checks health's IMR out (a reader on record)"
# A destruction with its certificate: a superseded notification form, destroyed by the purge job.
printf 'form 1\n' >"$T/nf1.txt"; printf 'form 2\n' >"$T/nf2.txt"
sv principal add --kind service --custodian --no-passphrase --key-out "$T/purge.key" purge-job >/dev/null &&
	sv principal grant purge-job retention-job >/dev/null && sv retention confirm >/dev/null &&
	sv doc checkin --case SCR-B --class notification-form --title "Form" "$T/nf1.txt" >/dev/null
NF=$(sv doc list --case SCR-B --json | "$PY" -c 'import json,sys; print([d["doc"] for d in json.load(sys.stdin) if d.get("class")=="notification-form"][0])')
sv doc checkin --doc "$NF" "$T/nf2.txt" >/dev/null && "$SV" --vault "$V" --key "$T/purge.key" retention purge >/dev/null
ok $? "the purge job destroys the superseded notification form $NF"
head -c 4000000 /dev/urandom >"$T/police-imr.pdf"

serve_pages
unseal; is 200 "the service is unsealed"
VKEY=$(jget vkey); [ -n "$VKEY" ]; ok $? "the verifier key from the status"

# The export as CSV (csv=true), which the auditor's page offers beside the verifiable export.
login audrey "$T/audrey.key"; is 200 "audrey signs in with her key (the socket)"
as audrey GET '/v1/audit/export?csv=maybe'; is 400 "csv is true or false: anything else is 400"
as audrey GET '/v1/audit/export?action=case.open&csv=true'; is 200 "the export as CSV"
grep -qi '^Content-Type: text/csv' "$T/headers" && grep -q 'case.open' "$T/body" && ! grep -q '"proof"' "$T/body"
ok $? "...typed text/csv, the entries as rows, no proofs"
as audrey GET '/v1/audit/export?action=case.open'; is 200 "without csv: the verifiable export"
grep -qi '^Content-Type: application/jsonl' "$T/headers"; ok $? "...typed application/jsonl"

link() {	# link NAME: a one-time passkey link through the service, as the coordinator
	"$SV" --server "unix:$S" --key "$K" --passphrase-file "$P" principal passkey-link --json "$1" 2>"$T/link.err" |
		"$PY" -c 'import json,sys; print(json.load(sys.stdin)["link"])'
}
LA=$(link alice); LU=$(link audrey); LM=$(link mo)
[ ${#LA} -eq 43 ] && [ ${#LU} -eq 43 ] && [ ${#LM} -eq 43 ]
ok $? "the coordinator's one-time links for alice, mo and audrey" || sed 's/^/# /' "$T/link.err"

SHOTS="$(dirname "$SV")/screenshots"
mkdir -p "$SHOTS" "$T/browser"
chmod 0700 "$T/browser"
timeout 600 "$PY" "$ROOT/tests/browser/agency.py" --base "$O" --ca "$T/ca.pem" --work "$T/browser" \
	--shots "$SHOTS" ${AXE:+--axe "$AXE"} --link-alice="$LA" --link-auditor="$LU" --link-manager="$LM" --wa "$ROOT/tests/tools/webauthn-client" --imr "$T/police-imr.pdf" \
	--other-doc "$BOBDOC" --destroyed-doc "$NF" --vkey "$VKEY" --seal "$SEAL" --scrvault "$SV" \
	--first $((n + 1)) --count-file "$T/browser.count"
rc=$?
read -r ran bad <"$T/browser.count" 2>/dev/null || { ran=0; bad=0; }
n=$((n + ran)); failed=$((failed + bad))
[ "$rc" -eq 0 ] || [ "$bad" -gt 0 ] || ok 1 "the browser harness exits 0 (status $rc)"
finish
