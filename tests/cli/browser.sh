#!/usr/bin/env bash
# scrvaultd's pages in headless Chromium (tests/browser/run.py, Debian's
# chromium, chromium-driver and python3-selenium; axe-core from npm under
# tests/browser): a throwaway vault with two cases and an agency user, the
# service on a loopback port over HTTPS with a certificate its CA issued,
# Chromium trusting that CA through a throwaway NSS database.  The real
# passkey journey: the coordinator's own link (made through the service),
# registration and sign-in with a virtual authenticator, an agency user's
# link from the coordinator's session; then the attacks (another case or
# agency's document by URL, no CSRF token, a replayed assertion, a revoked
# session, a link used twice).  Screenshots of each page go to
# build/screenshots/.  Every wait is bounded in count and time.
. "$(dirname "$0")/lib.bash"
WHAT="the pages"
. "$(dirname "$0")/browser-lib.bash"

mkvault
. "$(dirname "$0")/daemon-lib.bash"
enrol --key-out "$T/alice.key" --agency police alice >/dev/null
sv case open --title "Child A" SCR-A >/dev/null && sv case open --title "Child B" SCR-B >/dev/null &&
	sv principal grant alice imr-author --case SCR-A --agency police >/dev/null
ok $? "cases A and B; alice (police) an IMR author on case A only"
sv case commission --agency police --author "Alice (police)" --due "$(date -d '+5 days' +%F)" SCR-A >/dev/null &&
	sv referral new --received "$(date -d '-20 days' +%F)" --notifier "DI Jones" --notifier-agency police \
		--title "Child C" SCR-C >/dev/null
ok $? "something due for the agenda: police's IMR on case A, a referral awaiting its recommendation"
echo "overview" >"$T/overview.txt" && echo "health IMR" >"$T/health.txt" && echo "case B" >"$T/b.txt" &&
	sv doc checkin --case SCR-A --class overview-report "$T/overview.txt" >/dev/null &&
	sv doc checkin --case SCR-A --class imr --agency health --title "Health IMR" "$T/health.txt" >/dev/null &&
	sv doc checkin --case SCR-B --class overview-report "$T/b.txt" >/dev/null
ok $? "documents: case A's overview and the health trust's IMR, case B's overview"
doc_of() {	# doc_of CASE CLASS: a document's id
	sv doc list --case "$1" --json | python3 -c 'import json,sys; print([d["doc"] for d in json.load(sys.stdin) if d["class"] == sys.argv[1]][0])' "$2"
}
HEALTH=$(doc_of SCR-A imr); BDOC=$(doc_of SCR-B overview-report)
[ -n "$HEALTH" ] && [ -n "$BDOC" ]; ok $? "...their ids"
serve_pages
unseal; is 200 "the service is unsealed (its pages' origin $O)"
# The coordinator (a custodian) makes their own passkey link through the
# service, signed in with their key file: the link the browser opens.
"$SV" --server "unix:$S" --key "$K" --passphrase-file "$P" principal passkey-link --json coord >"$T/coord-link.json" 2>"$T/err"
ok $? "the coordinator makes their own passkey link through the service"
python3 -c 'import json,sys; u=json.load(open(sys.argv[1]))["url"]; sys.exit(0 if u.startswith(sys.argv[2] + "/#/register?link=") else 1)' \
	"$T/coord-link.json" "$O"
ok $? "...a link to the pages' own origin"

SHOTS="$(dirname "$SV")/screenshots"	# build/screenshots beside the programs
mkdir -p "$SHOTS" "$T/browser"
chmod 0700 "$T/browser"
timeout 600 "$PY" "$ROOT/tests/browser/run.py" --base "https://localhost:$PORT" --ca "$T/ca.pem" --work "$T/browser" \
	--shots "$SHOTS" ${AXE:+--axe "$AXE"} --coord-link "$T/coord-link.json" --case SCR-A --other-case SCR-B \
	--other-doc "$HEALTH" --other-case-doc "$BDOC" \
	--first $((n + 1)) --count-file "$T/browser.count"
rc=$?
read -r ran bad <"$T/browser.count" 2>/dev/null || { ran=0; bad=0; }
n=$((n + ran)); failed=$((failed + bad))
[ "$rc" -eq 0 ] || [ "$bad" -gt 0 ] || ok 1 "the browser harness exits 0 (status $rc)"
finish
