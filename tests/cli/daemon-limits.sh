#!/usr/bin/env bash
# The limits that keep one client of scrvaultd from hurting the rest, through
# the service (daemon.sh has the oversized body, oversized headers, one
# silent client and failed sign-ins per address; the library's own limits
# are unit-tested in test_unseal): headers up to the limit accepted, live
# sessions per principal, failed sign-ins per principal (and nobody else
# locked out by them), unfinished uploads per principal, a chunk over 8 MiB,
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

# ---- failed sign-ins per principal: 10 in 15 minutes ----
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

stop; ok $? "SIGTERM: exit 0"
sv audit tail --json --lines 200 >"$T/tail.json" 2>/dev/null
grep -q '"too many sessions"' "$T/tail.json"; ok $? "the refused 17th session is audited"
grep -q '"too many failures"' "$T/tail.json"; ok $? "the refused sign-in after ten failures is audited"
expect 0 "the audit log verifies" -- sv audit verify

finish
