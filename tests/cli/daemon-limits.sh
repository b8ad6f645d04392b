#!/usr/bin/env bash
# The limits that keep one client of scrvaultd from hurting the rest, through
# the service (daemon.sh has the oversized body, oversized headers, one
# silent client and failed sign-ins per address; the library's own limits
# are unit-tested in test_unseal): headers up to the limit accepted, live
# sessions per principal, failed sign-ins per principal and address (nobody
# else locked out by them, nor the holder from another address: HTTPS from
# chosen loopback addresses), unfinished uploads per principal, a chunk over 8 MiB,
# and many silent clients at once while others are served.  Every wait is
# bounded in count and time.
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/daemon-load-lib.bash"
command -v curl >/dev/null || { skip "scrvaultd limits" "curl is not installed (scripts/install-deps)"; finish; exit; }

mkvault
people; ok $? "nine people in two cases"
start --client-timeout 2s && unseal; ok $? "scrvaultd starts and is unsealed"

# ---- headers: the limit is 16 KiB in all ----
send() {	# send FILE: raw bytes to the socket; the first line of the answer in $T/raw
	python3 - "$S" "$1" >"$T/raw" 2>/dev/null <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX); s.settimeout(10); s.connect(sys.argv[1])
s.sendall(open(sys.argv[2], 'rb').read())
print(s.recv(200).split(b'\r\n')[0].decode('latin-1'))
PY
}
hdr() { { printf 'GET /v1/status HTTP/1.1\r\nHost: x\r\nX-Big: '; head -c "$1" /dev/zero | tr '\0' 'b'; printf '\r\n\r\n'; } >"$T/hdr"; }
hdr 15000; send "$T/hdr"; grep -q ' 200 ' "$T/raw"; ok $? "15 KB of headers are served"
hdr 17000; send "$T/hdr"; grep -qE ' (400|413) ' "$T/raw"; ok $? "17 KB of headers are refused ($(cat "$T/raw"))"

# ---- live sessions per principal: 16 ----
for i in $(seq 16); do login pol "$T/pol.key"; [ "$(cat "$T/code")" = 200 ] || break; cp "$T/tok-pol" "$T/tok-pol$i"; done
is 200 "pol signs in 16 times (16 live sessions)"
login pol "$T/pol.key"; is 429 3 "a 17th live session is refused: 429 (too many), code 3"
grep -q 'live sessions' "$T/body"; ok $? "the answer says to sign out of one first"
cp "$T/tok-pol1" "$T/tok-x"; as x DELETE /v1/session; is 200 "pol signs out of one"
login pol "$T/pol.key"; is 200 "then pol signs in again"
login hea "$T/hea.key"; is 200 "others sign in meanwhile"

# ---- failed sign-ins per principal and address: 10 in 15 minutes ----
for i in $(seq 10); do
	req POST /v1/session/challenge -H 'Content-Type: application/json' --data-binary '{"principal":"edu"}'
	chal=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["challenge"])' "$T/body")
	req POST /v1/session -H 'Content-Type: application/json' \
		--data-binary "{\"principal\":\"edu\",\"challenge\":\"$chal\",\"signature\":\"$(head -c 64 /dev/urandom | base64 -w0)\"}"
	[ "$(cat "$T/code")" = 401 ] || break
done
is 401 3 "ten forged sign-ins as edu, each 401"
login edu "$T/edu.key"; is 429 3 "the eleventh, with edu's real signature, is refused too: 429 (too many failures)"
grep -q 'fail' "$T/body"; ok $? "the answer says why (too many failures)"
login pol2 "$T/pol2.key"; is 200 "pol2, from the same host, still signs in"

# ---- unfinished uploads per principal: 8 ----
upload() {	# upload NAME: begin a 16-byte upload as NAME; its id in $T/up
	as "$1" POST /v1/uploads -H 'Content-Type: application/json' --data-binary \
		'{"case":"SCR-B","class":"imr","agency":"police","filename":"x.bin","size":16,"sha256":"'"$(printf '%016d' 0 | sha256sum | cut -d' ' -f1)"'"}'
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("upload", ""))' "$T/body" >"$T/up" 2>/dev/null
}
for i in $(seq 8); do upload pol2; [ "$(cat "$T/code")" = 200 ] || break; cp "$T/up" "$T/up$i"; done
is 200 "pol2 begins eight uploads"
upload pol2; is 409 6 "a ninth unfinished upload is refused: 409, code 6"
grep -q 'finish or abandon' "$T/body"; ok $? "the answer says to finish or abandon one"
as pol2 DELETE "/v1/uploads/$(cat "$T/up1")"; is 200 "pol2 abandons one"
upload pol2; is 200 "and may begin another"
cp "$T/up" "$T/up1"

# ---- a chunk over 8 MiB ----
head -c $((8 * 1024 * 1024 + 1)) /dev/zero >"$T/big"
as pol2 PUT "/v1/uploads/$(cat "$T/up2")?offset=0" -H 'Content-Type: application/octet-stream' --data-binary @"$T/big"
is 413 "a chunk of 8 MiB + 1 byte: 413"
as pol2 GET "/v1/uploads/$(cat "$T/up2")"; grep -q '"received":0' "$T/body"; ok $? "and nothing of it was taken"
for i in $(seq 8); do as pol2 DELETE "/v1/uploads/$(cat "$T/up$i")"; done

# ---- many silent clients at once: the rest are still served, the silent dropped ----
python3 - "$S" "$T/answered" <<'PY' >"$T/slow"
import socket, sys, time, subprocess
socks = []
for i in range(200):
    # Connect blocking: on a loaded machine the backlog may be full for a moment
    # (a non-blocking connect then fails with EAGAIN); the daemon accepts on.
    s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.settimeout(8)
    s.sendall(b'GET /v1/status HTTP/1.1\r\nHost: x\r\n')     # never ends its headers
    socks.append(s)
t0 = time.time()
r = subprocess.run(['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '5',
                    '--unix-socket', sys.argv[1], 'http://scrvault/v1/status'], capture_output=True, text=True)
open(sys.argv[2], 'w').write('%s %.2f\n' % (r.stdout, time.time() - t0))
closed = 0
for s in socks:
    try:
        if s.recv(100) is not None: closed += 1
    except socket.timeout:
        pass
print(closed, '%.1f' % (time.time() - t0))
PY
read -r code secs <"$T/answered"
[ "$code" = 200 ] && awk -v s="$secs" 'BEGIN { exit !(s < 1) }'; ok $? "with 200 silent clients connected, another is answered at once ($code in ${secs}s)"
read -r closed secs <"$T/slow"
[ "$closed" = 200 ] && awk -v s="$secs" 'BEGIN { exit !(s <= 6) }'; ok $? "all 200 are dropped within the client timeout ($closed in ${secs}s)"
req GET /v1/status; is 200 "and the service answers after"

# ---- a client that trickles its headers, each byte inside the idle timeout ----
# --client-timeout 2s drops a silent client; one byte a second never is
# silent, so only the whole-request deadline (--request-timeout) ends it.
stop; start --client-timeout 2s --request-timeout 4s && unseal; ok $? "restarted with --request-timeout 4s"
python3 - "$S" <<'PY' >"$T/trickle" 2>&1 &
import select, socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
t0 = time.time(); req = b'GET /v1/status HTTP/1.1\r\nHost: x\r\nX-Slow: ' + b'a' * 100
try:
    for i in range(len(req)):
        if time.time() - t0 > 12: break
        s.send(req[i:i + 1])
        # a byte a second, watching for the service's close meanwhile
        if select.select([s], [], [], 1)[0] and s.recv(100) == b'': break
except OSError:
    pass
print('closed after %.1f' % (time.time() - t0))
PY
TP=$!
sleep 1
for i in 1 2 3; do req GET /v1/status; [ "$(cat "$T/code")" = 200 ] || break; sleep 0.5; done
is 200 "while a client trickles its headers, others are served"
for _ in $(seq 150); do kill -0 "$TP" 2>/dev/null || break; sleep 0.1; done
kill "$TP" 2>/dev/null; wait "$TP" 2>/dev/null
read -r _ _ secs <"$T/trickle"
awk -v s="${secs:-99}" 'BEGIN { exit !(s >= 3 && s <= 7) }'
ok $? "the trickling client is dropped at the request deadline: 4 s + slack ($(cat "$T/trickle"))"
req GET /v1/status; is 200 "and the service answers after"

stop; ok $? "SIGTERM: exit 0"
sv audit tail --json --lines 200 >"$T/tail.json" 2>/dev/null
grep -q '"too many sessions"' "$T/tail.json"; ok $? "the refused 17th session is audited"
grep -q '"too many failures"' "$T/tail.json"; ok $? "the refused sign-in after ten failures is audited"

# ---- an attacker cannot lock the holder out: failures count per address ----
# Over HTTPS from loopback addresses of our choosing (curl --interface):
# the attacker at 127.0.0.2 claims to be 127.0.0.3 in X-Forwarded-For,
# which the service must not believe.
sv tls ca-cert -o "$T/ca.pem" >/dev/null 2>&1 &&
	sv tls issue --host localhost --out-cert "$T/srv.pem" --out-key "$T/srv.key" >/dev/null 2>&1
ok $? "the vault's CA issues the server's certificate"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
start --listen "127.0.0.1:$PORT" --cert "$T/srv.pem" --key "$T/srv.key" && unseal
ok $? "scrvaultd starts with HTTPS and is unsealed"
reqf() {	# reqf FROM METHOD PATH [curl args]: over HTTPS from the address FROM
	local from=$1 m=$2 p=$3; shift 3
	curl -s --max-time 30 --interface "$from" --cacert "$T/ca.pem" --resolve "localhost:$PORT:127.0.0.1" \
		-X "$m" -o "$T/body" -w '%{http_code}' "$@" "https://localhost:$PORT$p" >"$T/code" 2>/dev/null
}
signin() {	# signin FROM NAME KEY|forged [curl args]: one sign-in from FROM; status in $T/code
	local from=$1 name=$2 key=$3 chal sig; shift 3
	reqf "$from" POST /v1/session/challenge -H 'Content-Type: application/json' --data-binary "{\"principal\":\"$name\"}" "$@"
	chal=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["challenge"])' "$T/body") || return 1
	python3 -c 'import json,sys; sys.stdout.write(json.load(open(sys.argv[1]))["statement"])' "$T/body" >"$T/stmt"
	if [ "$key" = forged ]; then sig=$(head -c 64 /dev/urandom | base64 -w0); else sig=$("$C" sign "$key" "$P" <"$T/stmt") || return 1; fi
	reqf "$from" POST /v1/session -H 'Content-Type: application/json' "$@" \
		--data-binary "{\"principal\":\"$name\",\"challenge\":\"$chal\",\"signature\":\"$sig\"}"
}
forge() {	# forge FROM N [curl args]: N forged sign-ins as coord; "401s 429s" in $T/tally
	local from=$1 n=$2 a=0 b=0; shift 2
	for _ in $(seq "$n"); do
		signin "$from" coord forged "$@"
		case $(cat "$T/code") in 401) a=$((a + 1)) ;; 429) b=$((b + 1)) ;; esac
	done
	echo "$a $b" >"$T/tally"
}
forge 127.0.0.2 30 -H 'X-Forwarded-For: 127.0.0.3'
[ "$(cat "$T/tally")" = "10 20" ]; ok $? "30 forged sign-ins as coord from A: ten refused (401), then 429 ($(cat "$T/tally"))"
signin 127.0.0.2 coord "$K"; is 429 3 "from A, coord's real signature is refused too (429)"
signin 127.0.0.3 coord "$K"; is 200 "from B (the address A named in X-Forwarded-For), the real coord signs in: 200"
login coord "$K"; is 200 "and over the local socket"
signin 127.0.0.2 coord forged; is 429 3 "A is still refused"
# The name's cap: 50 failures from all addresses in 15 minutes; then an
# address that has failed for the name is refused at once, a fresh one
# gets its try.
for a in 4 5 6 7; do forge "127.0.0.$a" 10; done
signin 127.0.0.4 coord "$K"; is 429 3 "after 50 failures from five addresses, an address that failed is refused (429)"
signin 127.0.0.8 coord forged; is 401 3 "a fresh address still gets its try (401)"
signin 127.0.0.8 coord forged; is 429 3 "and after one failure, 429"
signin 127.0.0.9 coord "$K"; is 200 "the real coord from a fresh address signs in under attack: 200"
signin 127.0.0.9 edu "$T/edu.key"; is 200 "edu, locked out over the socket, signs in from another address"
stop; ok $? "SIGTERM: exit 0"
sv audit tail --json --lines 400 >"$T/tail.json" 2>/dev/null
entries() {	# entries PYTHON-CONDITION: 0 when some entry e of the tail meets it
	python3 - "$T/tail.json" "$1" <<'PY'
import json, sys
es = json.load(open(sys.argv[1]))
es = es.get("entries", es) if isinstance(es, dict) else es
d = lambda e: e.get("details", {}); o = lambda e: e.get("objects", {})
sys.exit(0 if any(eval(sys.argv[2]) for e in es) else 1)
PY
}
entries 'd(e).get("client") == "127.0.0.2" and d(e).get("reason") == "bad signature"' &&
	! entries 'd(e).get("client") == "127.0.0.3" and e["outcome"] == "denied"'
ok $? "the refusals name the connection's address, not X-Forwarded-For's"
entries 'e["action"] == "session.login" and e["outcome"] != "denied" and e["principal"] == "edu" and d(e).get("client") == "127.0.0.9"'
ok $? "edu's sign-in is audited as edu's (the actor is who signed in, not the unsealing custodian)"
! entries 'e["action"] == "session.login" and e["outcome"] != "denied" and e["principal"] != o(e).get("principal")'
ok $? "every sign-in's actor is its subject"
entries 'e["action"] == "session.login" and e["outcome"] == "denied" and d(e).get("reason") == "bad signature"' &&
	! entries 'e["action"] == "session.login" and e["outcome"] == "denied" and d(e).get("reason") != "too many sessions" and (e["principal"] != "" or d(e).get("unauthenticated") is not True)'
ok $? "a refused sign-in has no actor, is marked unauthenticated and names the claimed principal as subject"
expect 0 "the audit log verifies" -- sv audit verify

finish
