# browser-lib.bash: what the suites that drive the pages in Chromium need
# first.  Sourced after lib.bash with WHAT (the suite's subject, for a skip).
# Sets PY (Debian's python3, which has selenium) and AXE (axe-core's script,
# or empty when it could not be installed: the harness then says SKIP for
# each of its checks).  Without Chromium, chromedriver, certutil, curl or
# selenium the suite is one skip.
PY=/usr/bin/python3
for need in /usr/bin/chromium /usr/bin/chromedriver certutil curl; do
	command -v "$need" >/dev/null || { skip "$WHAT in Chromium" "$need is not installed (scripts/install-deps)"; finish; exit; }
done
"$PY" -c 'import selenium' 2>/dev/null ||
	{ skip "$WHAT in Chromium" "python3-selenium is not installed (scripts/install-deps)"; finish; exit; }
AXE="$ROOT/tests/browser/node_modules/axe-core/axe.min.js"
if [ ! -f "$AXE" ] && command -v npm >/dev/null; then
	"$ROOT/tests/browser/install-axe" "$T/npm.log" ||
		{ echo "# axe-core could not be installed (tests/browser/install-axe):"; sed 's/^/#   /' "$T/npm.log" | tail -5; }
fi
[ -f "$AXE" ] || AXE=

# serve_pages: the vault's CA issues the service's certificate for
# localhost; scrvaultd serves it on a free loopback port with the pages'
# origin $O (https://localhost:$PORT), sealed, until it answers.
serve_pages() {
	sv tls ca-cert -o "$T/ca.pem" >/dev/null 2>&1 &&
		sv tls issue --host localhost --out-cert "$T/srv.pem" --out-key "$T/srv.key" >/dev/null 2>&1
	ok $? "the vault's CA issues the service's certificate for localhost"
	PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	O="https://localhost:$PORT"
	start --idle-seal 0 --listen "127.0.0.1:$PORT" --cert "$T/srv.pem" --key "$T/srv.key" --origin "$O"
	for _ in $(seq 300); do curl -s -o /dev/null --max-time 1 --cacert "$T/ca.pem" \
		--resolve "localhost:$PORT:127.0.0.1" "$O/v1/status" && break; sleep 0.1; done
}
