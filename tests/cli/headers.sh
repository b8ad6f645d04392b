#!/usr/bin/env bash
# Every answer of scrvaultd carries the security headers, the pages' and the
# API's alike, errors included (docs/API.md, "The pages"); the pages are
# only the files built in, by exact name; and nothing in web/ runs inline
# script or style or names another origin (the CSP would refuse it: the
# pages must not need it).  Over HTTPS with the vault CA's certificate, as a
# browser sees them.  Every wait is bounded in count and time.
. "$(dirname "$0")/lib.bash"
command -v curl >/dev/null || { skip "headers" "curl is not installed (scripts/install-deps)"; finish; exit; }
WEB="$ROOT/web"

# ---- web/ itself: no inline script, style or handler; no other origin ----
inline_check() {	# inline_check DIR: what it finds on stdout, status 1 if anything
	local d=$1 bad=0
	# <script> with no src, a handler attribute, a style attribute or element
	grep -nE '<script(\s[^>]*)?>' "$d"/*.html | grep -v 'src=' && bad=1
	grep -nEi '\son[a-z]+\s*=' "$d"/*.html "$d"/*.svg && bad=1
	grep -nEi '(\sstyle\s*=|<style)' "$d"/*.html "$d"/*.svg && bad=1
	grep -nE '(innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function)' "$d"/*.js && bad=1
	# another origin: a scheme, or a protocol-relative URL (the SVG namespace is a name, not a place)
	sed 's|xmlns="http://www.w3.org/2000/svg"||g' "$d"/* | grep -nEi '(https?|wss?|ftp)://' && bad=1
	grep -nE "[\"'(=]\s*//[A-Za-z0-9]" "$d"/* && bad=1
	return $bad
}
inline_check "$WEB" >"$T/inline"; rc=$?
[ $rc -ne 0 ] && sed 's/^/#   /' "$T/inline"
ok $rc "web/ has no inline script, style or handler, no HTML-writing call, and names no other origin"
# The check can fail: each kind of thing it looks for, put into a copy, is found.
poison=(
	'index.html|<script>alert(1)</script>'
	'index.html|<img src="/app/icon.svg" alt="" onerror="alert(1)">'
	'index.html|<p style="color:red">x</p>'
	'index.html|<link rel="stylesheet" href="https://cdn.example/x.css">'
	'index.html|<script src="//cdn.example/x.js"></script>'
	'main.js|document.body.innerHTML = location.hash;'
	'main.js|fetch("http://example.org/collect");'
)
for p in "${poison[@]}"; do
	rm -rf "$T/web"; cp -R "$WEB" "$T/web"
	printf '%s\n' "${p#*|}" >>"$T/web/${p%%|*}"
	inline_check "$T/web" >/dev/null; [ $? -ne 0 ]; ok $? "the check finds: ${p#*|}"
done

# ---- the daemon over HTTPS ----
mkvault
. "$(dirname "$0")/daemon-lib.bash"
sv case open --title a SCR-A >/dev/null && echo hello >"$T/a.txt" &&
	sv doc checkin --case SCR-A --class overview-report "$T/a.txt" >/dev/null
ok $? "a case with a document"
sv tls ca-cert -o "$T/ca.pem" >/dev/null 2>&1 &&
	sv tls issue --host localhost --out-cert "$T/srv.pem" --out-key "$T/srv.key" >/dev/null 2>&1
ok $? "the vault's CA issues the server's certificate"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
start --idle-seal 0 --listen "127.0.0.1:$PORT" --cert "$T/srv.pem" --key "$T/srv.key"
for _ in $(seq 300); do curl -s -o /dev/null --max-time 1 --cacert "$T/ca.pem" --resolve "localhost:$PORT:127.0.0.1" \
	"https://localhost:$PORT/v1/status" && break; sleep 0.1; done
hreq() {	# hreq METHOD PATH [curl args]: over HTTPS, as req does on the socket
	local m=$1 p=$2; shift 2
	curl -s --max-time 20 --path-as-is --cacert "$T/ca.pem" --resolve "localhost:$PORT:127.0.0.1" -X "$m" \
		-o "$T/body" -D "$T/headers" -w '%{http_code}' "$@" "https://localhost:$PORT$p" >"$T/code" 2>/dev/null
}
CSP="default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
WANT=(
	"Content-Security-Policy: $CSP"
	"Strict-Transport-Security: max-age=63072000"
	"Referrer-Policy: no-referrer"
	"X-Content-Type-Options: nosniff"
	"Cross-Origin-Opener-Policy: same-origin"
	"Cross-Origin-Resource-Policy: same-origin"
	"Permissions-Policy: camera=(), microphone=(), geolocation=()"
	"Cache-Control: no-store"
)
headers_are() {	# headers_are WHAT: each wanted header once, exactly
	local h miss=0
	tr -d '\r' <"$T/headers" >"$T/h"
	for h in "${WANT[@]}"; do
		if [ "$(grep -cixF -- "$h" "$T/h")" != 1 ]; then
			echo "# $1: lacks (or repeats) '$h'"; miss=1
		fi
	done
	ok $miss "$1: every security header, once"
}

hreq GET /; is 200 "GET / over HTTPS, sealed, no session: 200"
grep -qi '^Content-Type: text/html; charset=utf-8' "$T/headers" && grep -q '<script type="module" src="/app/main.js">' "$T/body"
ok $? "GET / is index.html, text/html; charset=utf-8"
headers_are "the page (/)"
hreq GET /app/main.js; is 200 "a module: 200"
grep -qi '^Content-Type: text/javascript; charset=utf-8' "$T/headers" && cmp -s "$T/body" "$WEB/main.js"
ok $? "/app/main.js is web/main.js byte for byte, text/javascript"
headers_are "a script (/app/main.js)"
hreq GET /app/app.css; grep -qi '^Content-Type: text/css; charset=utf-8' "$T/headers" && cmp -s "$T/body" "$WEB/app.css"
ok $? "/app/app.css is web/app.css, text/css"
hreq GET /app/icon.svg; grep -qi '^Content-Type: image/svg+xml' "$T/headers"; ok $? "/app/icon.svg is image/svg+xml"
all=0
for f in "$WEB"/*; do
	hreq GET "/app/$(basename "$f")"
	{ [ "$(cat "$T/code")" = 200 ] && cmp -s "$T/body" "$f"; } || { echo "# /app/$(basename "$f") is not web/$(basename "$f")"; all=1; }
done
ok $all "every file of web/ is served as it is under /app/"
hreq GET /v1/status; is 200 "an API answer (status): 200"
grep -qi '^Content-Type: application/json' "$T/headers"; ok $? "as JSON"
headers_are "an API answer (/v1/status)"
hreq GET /v1/cases; is 503 3 "an API route while sealed: 503"
headers_are "a 503 (sealed)"

unseal; is 200 "unsealed through the socket"
hreq GET /v1/whoami; is 401 3 "no session: 401"
headers_are "a 401"
hreq GET /app/nonexistent.js; is 404 4 "a file not built in: 404"
headers_are "a 404 (a file not built in)"
hreq GET /v1/nothing; is 404 4 "no such route: 404"
headers_are "a 404 (no route)"
hreq POST /; is 405 2 "POST /: 405"
headers_are "a 405"
hreq DELETE /app/main.js; is 405 2 "DELETE /app/main.js: 405"
hreq GET /v1/cases/x/../../app/main.js; is 400 2 "a '..' path: 400"
headers_are "a 400"

# ---- answers a handler streams itself: a version's bytes, the audit export ----
login coord "$K"; is 200 "the coordinator signs in (socket)"
as coord GET /v1/cases/SCR-A/docs
DOC=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["doc"])' "$T/body")
as coord GET "/v1/docs/$DOC/versions/1/content"; is 200 "a version's content, streamed"
cmp -s "$T/body" "$T/a.txt"; ok $? "its bytes"
headers_are "a streamed version"
as coord GET /v1/audit/export; is 200 "the audit export"
headers_are "the audit export (JSON Lines)"

# ---- path tricks on /app: only a name built in, never a path ----
hreq GET /app/../x; is 400 2 "/app/../x: 400"
hreq GET /app/%2e%2e/x; is 400 2 "/app/%2e%2e/x: 400 (nothing is decoded)"
hreq GET /app/%2e%2e%2f%2e%2e%2fetc%2fpasswd; is 400 2 "/app/ with an encoded path: 400"
hreq GET /app/./main.js; is 400 2 "/app/./main.js: 400"
hreq GET /app//main.js; is 400 2 "/app//main.js: 400"
hreq GET /app/.htaccess; is 404 4 "a dot-name: 404"
hreq GET /app/x/main.js; is 404 4 "a directory under /app: 404"
hreq GET /app/; is 400 2 "/app/ alone: 400"
hreq GET /app; is 404 4 "/app alone: 404"
hreq GET '/app/main.js?v=1'; is 400 2 "a query on a page: 400"
hreq GET /index.html; is 404 4 "/index.html is not a route (only / and /app/)"
hreq GET /app/pages.c; is 404 4 "no source of the service is served"
hreq GET /app/INDEX.HTML; is 404 4 "names are exact (case too)"
finish
