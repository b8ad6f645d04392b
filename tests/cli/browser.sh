#!/usr/bin/env bash
# scrvaultd's pages in headless Chromium (tests/browser/run.py, Debian's
# chromium, chromium-driver and python3-selenium; axe-core from npm under
# tests/browser): a throwaway vault with a case and a document, the service
# on a loopback port over HTTPS with a certificate its CA issued, Chromium
# trusting that CA through a throwaway NSS database.  Screenshots of each
# page go to build/screenshots/.  Every wait is bounded in count and time.
. "$(dirname "$0")/lib.bash"
PY=/usr/bin/python3
for need in /usr/bin/chromium /usr/bin/chromedriver certutil curl; do
	command -v "$need" >/dev/null || { skip "the pages in Chromium" "$need is not installed (scripts/install-deps)"; finish; exit; }
done
"$PY" -c 'import selenium' 2>/dev/null || { skip "the pages in Chromium" "python3-selenium is not installed (scripts/install-deps)"; finish; exit; }

AXE="$ROOT/tests/browser/node_modules/axe-core/axe.min.js"
if [ ! -f "$AXE" ] && command -v npm >/dev/null; then
	npm ci --prefix "$ROOT/tests/browser" --no-audit --no-fund >"$T/npm.log" 2>&1 ||
		{ echo "# npm ci --prefix tests/browser failed:"; sed 's/^/#   /' "$T/npm.log" | tail -5; }
fi
[ -f "$AXE" ] || AXE=

mkvault
. "$(dirname "$0")/daemon-lib.bash"
sv case open --title "Child A" SCR-A >/dev/null && echo "overview" >"$T/overview.txt" &&
	sv doc checkin --case SCR-A --class overview-report "$T/overview.txt" >/dev/null
ok $? "a vault with a case and a document"
sv tls ca-cert -o "$T/ca.pem" >/dev/null 2>&1 &&
	sv tls issue --host localhost --out-cert "$T/srv.pem" --out-key "$T/srv.key" >/dev/null 2>&1
ok $? "the vault's CA issues the service's certificate for localhost"
PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
start --idle-seal 0 --listen "127.0.0.1:$PORT" --cert "$T/srv.pem" --key "$T/srv.key"
for _ in $(seq 300); do curl -s -o /dev/null --max-time 1 --cacert "$T/ca.pem" --resolve "localhost:$PORT:127.0.0.1" \
	"https://localhost:$PORT/v1/status" && break; sleep 0.1; done
unseal; is 200 "the service is unsealed"
# The session over HTTPS, as the browser will use it (a session is resumed
# from the address it was made from): daemon-lib's login, through https.
req() {
	local m=$1 p=$2; shift 2
	curl -s --max-time 20 --path-as-is --cacert "$T/ca.pem" --resolve "localhost:$PORT:127.0.0.1" -X "$m" \
		-o "$T/body" -D "$T/headers" -w '%{http_code}' "$@" "https://localhost:$PORT$p" >"$T/code" 2>/dev/null
}
login coord "$K"; is 200 "a session for the pages (a bearer token until the passkey sign-in exists)"

SHOTS="$(dirname "$SV")/screenshots"	# build/screenshots beside the programs
mkdir -p "$SHOTS" "$T/browser"
chmod 0700 "$T/browser"
timeout 600 "$PY" "$ROOT/tests/browser/run.py" --base "https://localhost:$PORT" --ca "$T/ca.pem" --work "$T/browser" \
	--shots "$SHOTS" ${AXE:+--axe "$AXE"} --bearer-file "$T/tok-coord" --case SCR-A \
	--first $((n + 1)) --count-file "$T/browser.count"
rc=$?
read -r ran bad <"$T/browser.count" 2>/dev/null || { ran=0; bad=0; }
n=$((n + ran)); failed=$((failed + bad))
[ "$rc" -eq 0 ] || [ "$bad" -gt 0 ] || ok 1 "the browser harness exits 0 (status $rc)"
finish
