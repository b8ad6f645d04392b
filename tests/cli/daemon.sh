#!/usr/bin/env bash
# scrvaultd on a throwaway vault and a temporary Unix socket: the attacks
# first (sealed routes, path tricks, malformed and oversized requests, slow
# clients), each refused with the right status and nothing changed; then
# the happy paths.  Every wait is bounded in count and time.
. "$(dirname "$0")/lib.bash"
D=${SCRVAULTD_BIN:-$(dirname "$SV")/scrvaultd}
command -v curl >/dev/null || { skip "scrvaultd" "curl is not installed (scripts/install-deps)"; finish; exit; }

mkvault
S="$T/run/scrvaultd.sock"
DPID=

start() {	# start [OPTIONS]: scrvaultd on $S, its stderr in $T/daemon.log
	"$D" --vault "$V" --socket "$S" "$@" 2>>"$T/daemon.log" &
	DPID=$!
	for _ in $(seq 50); do [ -S "$S" ] && return 0; sleep 0.1; done
	return 1
}
stop() {
	[ -n "$DPID" ] || return 0
	kill -TERM "$DPID" 2>/dev/null
	for _ in $(seq 50); do kill -0 "$DPID" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$DPID" 2>/dev/null
	wait "$DPID"; local rc=$?
	DPID=
	return $rc
}
trap 'stop >/dev/null 2>&1; rm -rf "$T"' EXIT

# req METHOD PATH [curl args...]: the status in $T/code, the body in $T/body.
req() {
	local m=$1 p=$2; shift 2
	curl -s --max-time 10 --path-as-is --unix-socket "$S" -X "$m" -o "$T/body" -w '%{http_code}' \
		"$@" "http://scrvault$p" >"$T/code" 2>/dev/null
}
is() {	# is STATUS [CODE] DESCRIPTION
	local want=$1 code= desc got
	[ $# -eq 3 ] && { code=$2; shift; }
	desc=$2
	got=$(cat "$T/code")
	if [ "$got" != "$want" ] || { [ -n "$code" ] && ! grep -q "\"code\":$code," "$T/body"; }; then
		echo "# expected $want${code:+ (code $code)}, got $got: $(head -c 300 "$T/body")"
		ok 1 "$desc"
	else
		ok 0 "$desc"
	fi
}
raw() {	# raw BYTES-FILE: send bytes as they are; the answer in $T/raw
	python3 - "$S" "$1" >"$T/raw" 2>/dev/null <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX); s.settimeout(10); s.connect(sys.argv[1])
s.sendall(open(sys.argv[2], 'rb').read())
out = b''
try:
    while True:
        b = s.recv(65536)
        if not b: break
        out += b
except Exception: pass
sys.stdout.write(out.decode('latin-1'))
PY
}

before=$(tree_hash "$V")
start --idle-seal 0 --client-timeout 2s; ok $? "scrvaultd starts and listens on its socket"
[ "$(stat -c %a "$S")" = 660 ] && [ "$(stat -c %a "$(dirname "$S")")" = 750 ]
ok $? "the socket is 0660 in a 0750 directory"

# ---- sealed ----
req GET /v1/status; is 200 "status answers while sealed"
grep -q '"sealed":true' "$T/body"; ok $? "status says sealed"
for r in "GET /v1/cases" "GET /v1/whoami" "GET /v1/audit/tail" "POST /v1/seal" "GET /v1/docs/d1/versions/1/content"; do
	req $r; is 503 3 "$r while sealed: 503, code 3"
done
grep -q 'unseal' "$T/body"; ok $? "the sealed answer says to unseal"

# ---- path tricks, methods, routes ----
req GET /v1/docs/../../etc/passwd; is 400 2 "a '..' segment: 400"
req GET /v1/docs/%2e%2e/log; is 400 2 "a percent-encoded '..': 400 (nothing is decoded)"
req GET /v1/cases/./x; is 400 2 "a '.' segment: 400"
req GET //v1/cases; is 400 2 "an empty segment: 400"
req GET "/v1/docs/$(printf 'a%.0s' $(seq 65))"; is 404 4 "a 65-byte id matches no route: 404"
req GET /v1/docs/.hidden/log; is 404 4 "a name starting with '.' matches no route: 404"
req GET /v1/nothing; is 404 4 "an unknown route: 404, code 4"
req DELETE /v1/status; is 405 2 "a wrong method on a route: 405"
req GET '/v1/status?x=1'; is 400 2 "a query parameter the route does not take: 400"
printf 'GET /v1/docs/a\0b HTTP/1.1\r\nHost: x\r\n\r\n' >"$T/nul"
raw "$T/nul"; head -1 "$T/raw" | grep -q ' 400 '; ok $? "a NUL in the path: 400"

# ---- bodies and headers ----
req POST /v1/unseal -H 'Content-Type: application/json' --data-binary '{"custodian": '
is 400 2 "malformed JSON: 400"
req POST /v1/unseal -H 'Content-Type: application/json' --data-binary '[1,2]'
is 400 2 "a JSON body that is not an object: 400"
req POST /v1/unseal -H 'Content-Type: text/plain' --data-binary '{}'
is 415 2 "a JSON route given another content type: 415"
head -c 17000 /dev/zero | tr '\0' 'a' | sed 's/^/{"x":"/; s/$/"}/' >"$T/big.json"
req POST /v1/unseal -H 'Content-Type: application/json' --data-binary @"$T/big.json"
is 413 2 "a body over the route's limit: 413"
req POST /v1/unseal/offer --data-binary 'x'; is 413 2 "a body where the route takes none: 413"
{ printf 'GET /v1/status HTTP/1.1\r\nHost: x\r\nX-Big: '; head -c 20000 /dev/zero | tr '\0' 'b'; printf '\r\n\r\n'; } >"$T/bighdr"
raw "$T/bighdr"; ! head -1 "$T/raw" | grep -q ' 200 '
ok $? "oversized headers are refused (not answered 200)"
req POST /v1/unseal -H 'Content-Type: application/json' --data-binary '{"custodian":"coord"}'
is 409 6 "an answer with no offer pending: 409"

# ---- a slow client is dropped ----
t0=$(date +%s)
python3 - "$S" <<'PY' >"$T/slow"
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.settimeout(8); s.connect(sys.argv[1])
s.sendall(b'GET /v1/status HTTP/1.1\r\nHost: x\r\n')   # never ends its headers
try:
    print('closed' if s.recv(100) is not None else 'open')
except socket.timeout:
    print('open')
PY
t1=$(date +%s)
grep -q closed "$T/slow" && [ $((t1 - t0)) -le 6 ]; ok $? "a client that stops sending is dropped (--client-timeout)"
req GET /v1/status; is 200 "the service still answers others"

[ "$(tree_hash "$V")" = "$before" ]; ok $? "none of that changed the vault"
! grep -q 'Bearer\|correct horse' "$T/daemon.log"; ok $? "the log holds no token or secret"
grep -q 'GET /v1/status 200' "$T/daemon.log"; ok $? "one log line a request: method, route, status"

stop; ok $? "SIGTERM: scrvaultd exits 0"
[ ! -e "$S" ]; ok $? "and removes its socket"
finish
