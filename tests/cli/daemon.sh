#!/usr/bin/env bash
# scrvaultd on a throwaway vault and a temporary Unix socket: the attacks
# first (sealed routes, path tricks, malformed and oversized requests, slow
# clients), each refused with the right status and nothing changed; then
# the happy paths.  Every wait is bounded in count and time.
. "$(dirname "$0")/lib.bash"
command -v curl >/dev/null || { skip "scrvaultd" "curl is not installed (scripts/install-deps)"; finish; exit; }

mkvault
# scrvaultd on $S: start, stop, req, is (and the EXIT trap) are daemon-lib.bash's.
. "$(dirname "$0")/daemon-lib.bash"
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
for m in PATCH OPTIONS TRACE FOO; do
	req "$m" /v1/status
	[ "$(cat "$T/code")" = 405 ] && grep -q 'Content-Type: application/json' "$T/headers" && grep -q '"code":2,' "$T/body"
	ok $? "a method the service does not answer ($m): 405 with the API's JSON error ($(cat "$T/code"))"
done
req HEAD /v1/status -I; is 405 "HEAD: 405 too"
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

# ---- HTTPS: TLS 1.3 only, with a certificate the vault's CA issued ----
sv tls ca-cert -o "$T/ca.pem" >/dev/null 2>&1 &&
	sv tls issue --host localhost --out-cert "$T/srv.pem" --out-key "$T/srv.key" >/dev/null 2>&1
ok $? "the vault's CA issues the server's certificate"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
start --listen "127.0.0.1:$PORT" --cert "$T/srv.pem" --key "$T/srv.key"
for _ in $(seq 300); do curl -s -o /dev/null --max-time 1 --cacert "$T/ca.pem" "https://localhost:$PORT/v1/status" && break; sleep 0.1; done
code=$(curl -s -o "$T/body" -w '%{http_code}' --max-time 5 --cacert "$T/ca.pem" --resolve "localhost:$PORT:127.0.0.1" \
	"https://localhost:$PORT/v1/status")
[ "$code" = 200 ] && grep -q '"sealed":true' "$T/body"; ok $? "status over HTTPS (TLS 1.3), the certificate checked against the vault's CA"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 --cacert "$T/ca.pem" --resolve "localhost:$PORT:127.0.0.1" \
	--tlsv1.2 --tls-max 1.2 "https://localhost:$PORT/v1/status")
[ "$code" = 000 ]; ok $? "a TLS 1.2 client is refused"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$PORT/v1/status")
[ "$code" != 200 ]; ok $? "plain HTTP on the port is not served"
stop; ok $? "SIGTERM with HTTPS: exit 0"

# ---- unsealed: the custodian's answer and people's signatures are made on
# their side with their own keys (tests/tools/svd_client, public API) ----
C=$(dirname "$SV")/tests/tools/svd_client
enrol --key-out "$T/alice.key" --agency police alice >/dev/null
sv case open --title a SCR-A >/dev/null && sv case open --title b SCR-B >/dev/null
sv principal grant alice imr-author --case SCR-A --agency police >/dev/null
head -c 300000 /dev/urandom >"$T/imr.bin"; printf 'case b\n' >"$T/b.txt"
sv --as-key "$T/alice.key" --as-passphrase-file "$P" doc checkin --case SCR-A --class imr --agency police \
	"$T/imr.bin" >/dev/null
sv doc checkin --case SCR-B --class overview-report "$T/b.txt" >/dev/null
PD=$(sv doc list --case SCR-A --json | grep -o '"doc":"[0-9a-f]*"' | head -1 | cut -d'"' -f4)
BD=$(sv doc list --case SCR-B --json | grep -o '"doc":"[0-9a-f]*"' | head -1 | cut -d'"' -f4)
[ -n "$PD" ] && [ -n "$BD" ]; ok $? "a case A IMR of alice's agency, and a case B document"

unseal() {	# unseal: offer, the custodian's answer, unseal; the answer kept in $T/answer
	req POST /v1/unseal/offer && cp "$T/body" "$T/offer" &&
		"$C" answer "$K" "$P" <"$T/offer" >"$T/answer" 2>"$T/err" &&
		req POST /v1/unseal -H 'Content-Type: application/json' --data-binary @"$T/answer"
}
login() {	# login NAME KEY: a session; its token in $T/tok-NAME
	local name=$1 key=$2 chal stmt sig
	req POST /v1/session/challenge -H 'Content-Type: application/json' --data-binary "{\"principal\":\"$name\"}"
	chal=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["challenge"])' "$T/body") || return 1
	python3 -c 'import json,sys; sys.stdout.write(json.load(open(sys.argv[1]))["statement"])' "$T/body" >"$T/stmt"
	sig=$("$C" sign "$key" "$P" <"$T/stmt") || return 1
	printf '{"principal":"%s","challenge":"%s","signature":"%s"}' "$name" "$chal" "$sig" >"$T/login-$name"
	req POST /v1/session -H 'Content-Type: application/json' --data-binary @"$T/login-$name"
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("token", ""))' "$T/body" >"$T/tok-$name" 2>/dev/null
}
as() {		# as NAME METHOD PATH [curl args]
	local name=$1; shift
	req "$@" -H "Authorization: Bearer $(cat "$T/tok-$name")"
}

sv audit pubkey >"$T/vkey0" 2>/dev/null; ok $? "the audit verifier key, read by the CLI"
start --idle-seal 0 --client-timeout 2s
if ! unseal || [ "$(cat "$T/code")" != 200 ]; then
	echo "# unseal: $(cat "$T/code") $(head -c 300 "$T/body") $(head -3 "$T/err")"
	ok 1 "a custodian unseals with an answer made on their side"
	stop; finish; exit
fi
ok 0 "a custodian unseals with an answer made on their side"
grep -q '"sealed":false' "$T/body"; ok $? "status says unsealed"
[ "$(jget vkey)" = "$(cat "$T/vkey0")" ]; ok $? "the unseal's status shows the audit verifier key ($(jget vkey))"

# A local command while the service holds the vault: it says so at once
# (and would wait, bounded), rather than hang without a word.
timeout 2 "$SV" --vault "$V" --key "$K" --passphrase-file "$P" case list >"$T/lo.out" 2>"$T/lo.err"
rc=$?
[ $rc = 124 ] && grep -q 'in use by another process' "$T/lo.err" && grep -q -- '--server' "$T/lo.err"
ok $? "a local command while scrvaultd holds the vault says so within 2 s (rc $rc: $(head -c 200 "$T/lo.err"))"
# The wait is bounded (60 s; 2 here, through a test build's hook): then exit 6.
SECONDS=0
SCRVAULT_TEST_LOCK_WAIT=2 timeout 20 "$SVH" --vault "$V" --key "$K" --passphrase-file "$P" case list >"$T/lo.out" 2>"$T/lo.err"
rc=$?
[ $rc = 6 ] && [ $SECONDS -le 10 ] && grep -q 'still in use by another process' "$T/lo.err"
ok $? "after the bounded wait it gives up: exit 6, saying why (rc $rc in ${SECONDS}s: $(tail -c 200 "$T/lo.err"))"

# ---- attacks on sessions ----
before=$(tree_hash "$V")
req GET /v1/cases; is 401 3 "no token: 401"
req GET /v1/cases -H 'Authorization: Bearer AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'; is 401 3 "an unknown token: 401"
req GET /v1/cases -H 'Authorization: Basic Y29vcmQ6eA=='; is 401 3 "not a bearer token: 401"
login alice "$T/alice.key"; is 200 "alice signs in with her own key"
req POST /v1/session -H 'Content-Type: application/json' --data-binary @"$T/login-alice"
is 401 3 "the same signed challenge again (a replay): 401"
sed 's/"signature":"./"signature":"A/' "$T/login-alice" >"$T/forged"
req POST /v1/session -H 'Content-Type: application/json' --data-binary @"$T/forged"
is 401 3 "a forged signature: 401"
as alice GET "/v1/docs/$BD"; is 404 4 "another case's document is not found for alice: 404"
as alice GET "/v1/docs/$BD/versions/1/content"; is 404 4 "nor can she check it out"
as alice GET /v1/audit/tail; is 403 3 "alice may not read the audit log: 403"
as alice GET /v1/cases -H 'X-Scrvault-Role: auditor'; is 403 3 "a role she does not hold: 403"
as alice POST /v1/seal; is 403 3 "alice may not seal: 403"

# ---- happy paths ----
login coord "$K"; is 200 "the coordinator signs in"
as coord GET /v1/cases; is 200 "the coordinator lists cases"
grep -q SCR-A "$T/body" && grep -q SCR-B "$T/body"; ok $? "both cases listed"
as coord GET /v1/whoami; grep -q '"principal":"coord"' "$T/body"; ok $? "whoami names the coordinator"
as alice GET "/v1/docs/$PD/versions/1/content"; is 200 "alice checks out her agency's IMR"; cp "$T/body" "$T/got.bin"
cmp -s "$T/got.bin" "$T/imr.bin"; ok $? "alice checks out her agency's IMR byte for byte"
# ---- an agency's resumable upload, with a receipt verified offline ----
head -c 3000000 /dev/urandom >"$T/up.bin"; split -b 2000000 -d "$T/up.bin" "$T/up.part."
SHA=$(sha256sum "$T/up.bin" | cut -d' ' -f1)
as alice POST /v1/uploads -H 'Content-Type: application/json' --data-binary \
	"{\"case\":\"SCR-A\",\"class\":\"imr\",\"agency\":\"police\",\"filename\":\"imr-v2.bin\",\"size\":3000000,\"sha256\":\"$SHA\"}"
is 200 "alice begins an upload"
UP=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["upload"])' "$T/body" 2>/dev/null)
as alice PUT "/v1/uploads/$UP?offset=0" -H 'Content-Type: application/octet-stream' --data-binary @"$T/up.part.00"
is 200 "the first chunk is acknowledged"
as alice PUT "/v1/uploads/$UP?offset=5" -H 'Content-Type: application/octet-stream' --data-binary @"$T/up.part.01"
[ "$(cat "$T/code")" != 200 ]; ok $? "a chunk at the wrong offset is refused"
as alice GET "/v1/uploads/$UP"; grep -q '"received":2000000' "$T/body"; ok $? "status says where to resume"
as alice PUT "/v1/uploads/$UP?offset=2000000" -H 'Content-Type: application/octet-stream' --data-binary @"$T/up.part.01"
is 200 "the rest, from there"
as alice POST "/v1/uploads/$UP/finish"; is 200 "finished: a receipt"
cp "$T/body" "$T/receipt.json"
as coord GET /v1/audit/pubkey
python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["vkey"])' "$T/body" >"$T/vkey"
"$(dirname "$SV")/scrvault-seal" receipt verify --vkey "$(cat "$T/vkey")" --file "$T/up.bin" "$T/receipt.json" >/dev/null 2>&1
ok $? "the receipt verifies offline against the file"
UD=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["doc"])' "$T/receipt.json" 2>/dev/null)
as alice GET "/v1/docs/$UD/versions/1/content"; cp "$T/body" "$T/up.got"
cmp -s "$T/up.got" "$T/up.bin"; ok $? "the uploaded document checks out byte for byte"

as coord GET '/v1/audit/tail?n=50'; is 200 "the audit tail"
grep -q '"action":"doc.checkout"' "$T/body"; ok $? "the check-out is on record"
grep -q 'audit' "$T/body" && grep -q '"outcome":"denied"' "$T/body"; ok $? "alice's refusal is on record"
as coord GET '/v1/audit/export?action=doc.'; is 200 "an audit export with a filter"
as coord GET /v1/sessions; is 200 "the coordinator lists sessions"
AS=$(python3 -c 'import json,sys; print([s["session"] for s in json.load(open(sys.argv[1])) if s["principal"]=="alice"][0])' "$T/body")
as coord DELETE "/v1/sessions/$AS"; is 200 "the coordinator revokes alice's session"
as alice GET /v1/cases; is 401 3 "a revoked session's token: 401"
login alice "$T/alice.key"; is 200 "alice signs in again"
as coord POST /v1/principals/alice/revoke -H 'Content-Type: application/json' --data-binary '{"reason":"left the police"}'
is 200 "the coordinator revokes alice herself"
as alice GET /v1/cases; is 401 3 "her live session dies with her: 401"
login alice "$T/alice.key"; is 401 3 "and she cannot sign in again"
as coord DELETE /v1/session; is 200 "the coordinator signs out"
as coord GET /v1/cases; is 401 3 "a signed-out token: 401"

# ---- sealing ----
login coord "$K"
as coord POST /v1/seal; is 200 "a custodian seals"
req GET /v1/status; grep -q '"sealed":true' "$T/body"; ok $? "sealed again"
[ "$(jget vkey)" = "$(cat "$T/vkey0")" ] && [ -n "$(jget vault)" ]
ok $? "sealed, status still shows the vault id and the verifier key ($(jget vault) $(jget vkey))"
"$SV" status --server "unix:$S" >"$T/status.txt" 2>&1 && grep -qF "$(cat "$T/vkey0")" "$T/status.txt"
ok $? "and so does scrvault status"
as coord GET /v1/cases; is 503 3 "and nothing answers but status and unsealing"
req POST /v1/unseal -H 'Content-Type: application/json' --data-binary @"$T/answer"
is 409 6 "an old answer without an offer: 409"
req POST /v1/unseal/offer
req POST /v1/unseal -H 'Content-Type: application/json' --data-binary @"$T/answer"
is 403 3 "an old answer to a new offer (a replay): 403"
stop; ok $? "SIGTERM while sealed: exit 0"

start --idle-seal 2s
unseal; is 200 "unsealed again"
for _ in $(seq 40); do req GET /v1/status; grep -q '"sealed":true' "$T/body" && break; sleep 0.2; done
grep -q '"sealed":true' "$T/body"; ok $? "no authenticated request for 2 s: sealed (idle)"
stop
sv audit tail --json --lines 60 >"$T/tail.json" 2>/dev/null
grep -q '"reason":"idle"' "$T/tail.json" && grep -q '"reason":"requested"' "$T/tail.json"
ok $? "each seal is an audit entry with its reason"
grep -q '"action":"vault.unseal"' "$T/tail.json"; ok $? "each unseal is an audit entry"

# ---- failed sign-ins per address (the library limits each principal too) ----
start --idle-seal 0
unseal; is 200 "unsealed for the sign-in limit"
for i in $(seq 20); do
	req POST /v1/session -H 'Content-Type: application/json' \
		--data-binary "{\"principal\":\"nobody$i\",\"challenge\":\"AAAA\",\"signature\":\"AAAA\"}"
	[ "$(cat "$T/code")" = 401 ] || break
done
is 401 3 "twenty failed sign-ins from one address, each 401"
req POST /v1/session -H 'Content-Type: application/json' --data-binary @"$T/login-alice"
is 429 3 "the twenty-first from that address: 429, whatever it carries"
stop

finish
