#!/usr/bin/env bash
# scrvault agent (issue 20, item 2) and the remote sign-off (item 5): a
# person types their key file's passphrase once; the agent holds the key in
# locked memory behind a 0600 socket in a 0700 directory, serves only its own
# uid, signs only sign-in challenges and sign-offs of its own vault and
# principal, and wipes the key at the end of its lifetime or on stop.  An
# authorising manager signs off from their own machine: the vault gives the
# exact statement, the agent signs it, the vault records it after checking
# it is that statement, recent, and signed by the registered key; every
# forgery is refused (exit 3), audited, the vault unchanged.
. "$(dirname "$0")/lib.bash"

mkvault
add() { local name=$1; shift; enrol --key-out "$T/$name.key" "$@" "$name" >/dev/null; }
add pat --display-name "Pat (police IMR author)"
add morgan --display-name "Morgan (police authorising manager)"
add alex --display-name "Alex (health authorising manager)"
as() { local who=$1; shift; sv --as-key "$T/$who.key" --as-passphrase-file "$P" "$@"; }
docid() { sv doc list --json | python3 -c 'import json,sys; print([d["doc"] for d in json.load(sys.stdin) if d["title"] == sys.argv[1]][0])' "$1"; }
denied() {
	sv audit tail --json --lines 1 > "$T/last"
	grep -q "\"action\":\"$1\"" "$T/last" && grep -q '"outcome":"denied"' "$T/last"
}
signoffs() { sv doc show --json "$1" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["signoffs"]))'; }

sv case open --title "Child M" SCR-M >/dev/null
sv principal grant pat imr-author --case SCR-M --agency police >/dev/null
sv principal grant morgan authorising-manager --case SCR-M --agency police >/dev/null
sv principal grant alex authorising-manager --case SCR-M --agency police >/dev/null
printf 'police IMR v1\n' > "$T/imr1.txt"; printf 'police IMR v2\n' > "$T/imr2.txt"
as pat doc checkin --case SCR-M --class imr --agency police --title "Police IMR" "$T/imr1.txt" >/dev/null
IMR=$(docid "Police IMR")
as pat doc checkin --doc "$IMR" "$T/imr2.txt" >/dev/null

# The agents' sockets live under a directory another account may traverse,
# so that the uid test reaches the socket itself.
A=$(mktemp -d "${TMPDIR:-/tmp}/sv-agent.XXXXXX"); chmod 711 "$A"
trap 'for p in $(cat "$A"/pids 2>/dev/null); do kill "$p" 2>/dev/null; done; rm -rf "$T" "$A"' EXIT
# start NAME [options]: start NAME's agent at $A/NAME/agent.sock; sets PID
start() {
	local who=$1; shift
	"$SV" --key "$T/$who.key" --passphrase-file "$P" agent start --socket "$A/$who/agent.sock" "$@" > "$T/env" 2>"$T/err"
	local rc=$?
	PID=$(sed -n 's/^SCRVAULT_AGENT_PID=\([0-9]*\);.*/\1/p' "$T/env")
	[ -n "$PID" ] && echo "$PID" >> "$A/pids"
	return $rc
}
# gone PID: the process has ended (a zombie waiting for its reaper has ended too)
gone() { [ ! -e "/proc/$1" ] || grep -q '^State:.*[ZX]' "/proc/$1/status" 2>/dev/null; }
ag() { local who=$1; shift; SCRVAULT_AGENT_SOCK="$A/$who/agent.sock" "$SV" "$@"; }

# ---- the agent ------------------------------------------------------------------------------------
printf 'not the passphrase\n' > "$T/wrong"
expect 3 "a wrong passphrase starts no agent" -- \
	"$SV" --key "$T/morgan.key" --passphrase-file "$T/wrong" agent start --socket "$A/morgan/agent.sock"
[ ! -e "$A/morgan/agent.sock" ]; ok $? "...and leaves no socket"
expect 2 "a lifetime must be a duration" -- "$SV" --key "$T/morgan.key" agent start --lifetime soon
expect 2 "a socket path that would break the shell lines is refused" -- \
	"$SV" --key "$T/morgan.key" --passphrase-file "$P" agent start --socket "$A/x';touch $A/owned;'/agent.sock"
[ ! -e "$A/owned" ] && [ ! -e "$A/x';touch $A/owned;'" ]; ok $? "...before anything is made"
start morgan; ok $? "morgan's agent starts with the passphrase typed once"
PID_MORGAN=$PID
grep -q "^SCRVAULT_AGENT_SOCK='$A/morgan/agent.sock'; export SCRVAULT_AGENT_SOCK;" "$T/env"; ok $? "...printing the lines to eval"
[ "$(stat -c %a "$A/morgan/agent.sock")" = 600 ]; ok $? "the socket is 0600"
[ "$(stat -c %a "$A/morgan")" = 700 ]; ok $? "...in a 0700 directory"
kill -0 "$PID" 2>/dev/null; ok $? "the agent runs in the background"
expect 0 "agent status" -- ag morgan agent status
out_has "holds the key of morgan (vault "
expect 0 "status by --socket" -- "$SV" agent status --socket "$A/morgan/agent.sock" --json
out_has '"name":"morgan"'
expect 6 "a second agent on the same socket is refused" -- start morgan
err_has "already running"
mkdir -m 755 "$A/open"
expect 3 "a socket directory others may enter is refused" -- \
	"$SV" --key "$T/morgan.key" --passphrase-file "$P" agent start --socket "$A/open/agent.sock"
[ ! -e "$A/open/agent.sock" ]; ok $? "...and no socket is made there"

# Refusing anything but its own vault's challenges and sign-offs.
printf '{"a":1}' > "$T/arbitrary"
expect 3 "the agent refuses to sign an arbitrary statement" -- ag morgan agent sign "$T/arbitrary"
err_has "not a statement this key signs"
printf 'hello' > "$T/text"
expect 3 "...or text that is not JSON" -- ag morgan agent sign "$T/text"

# Another user: the socket's mode keeps them out, and should it be opened,
# the agent itself refuses them (SO_PEERCRED).
if [ "$(id -u)" -eq 0 ]; then
	cp "$SV" "$A/scrvault"; chmod 755 "$A/scrvault"
	chmod 711 "$A/morgan"	# as if the directory were reachable: the socket's own mode holds
	nob() { setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=/ SCRVAULT_AGENT_SOCK="$A/morgan/agent.sock" "$A/scrvault" "$@"; }
	expect 3 "another uid cannot connect to the 0600 socket" -- nob agent status
	err_has "no access to the agent socket"
	chmod 666 "$A/morgan/agent.sock"
	# (the command line of another uid refuses an agent not its own first;
	# the agent's own refusal is seen by a raw client below)
	expect 3 "with the socket opened to all, another uid's command line and the agent refuse each other" -- nob agent status
	err_has "not by you"
	printf '{"a":1}' > "$A/st"; chmod 644 "$A/st"
	expect 3 "...and it gets no signature" -- nob agent sign "$A/st"
	err_has "not by you"
	setpriv --reuid=65534 --regid=65534 --clear-groups /usr/bin/python3 -c 'import socket,struct,sys
s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); m=b"{\"op\":\"identity\"}"
try: s.sendall(struct.pack(">I",len(m))+m)
except OSError: pass  # it may refuse before reading
n=struct.unpack(">I",s.recv(4))[0]; print(s.recv(n).decode())' \
		"$A/morgan/agent.sock" > "$T/nob" 2>&1
	grep -q "serves only its own user" "$T/nob"; ok $? "...the agent itself refuses another uid (SO_PEERCRED)"
	chmod 600 "$A/morgan/agent.sock"; chmod 700 "$A/morgan"
	expect 0 "...while it still serves its own user" -- ag morgan agent status
else
	skip "another uid is refused" "not root: cannot run a client as uid 65534"
fi

# ---- remote sign-off ------------------------------------------------------------------------------
expect 0 "the vault gives the statement to sign for version 1" -- as morgan doc signoff "$IMR@1" --statement-out "$T/st1"
python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); assert s["statement"]=="scrvault-signoff v1" and s["signer"]=="morgan" and s["version"]==1' "$T/st1"
ok $? "...naming the sign-off, the signer and the version"
expect 0 "morgan's agent signs it" -- ag morgan agent sign "$T/st1"
cp "$T/out" "$T/sig1"
VID=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["vault"])' "$T/st1")
printf '{"challenge":"AAAA","principal":"%s","statement":"scrvault-session v1","vault":"%s"}' morgan "$VID" > "$T/chal"
expect 0 "the agent signs morgan's sign-in challenge" -- ag morgan agent sign "$T/chal"
printf '{"challenge":"AAAA","principal":"%s","statement":"scrvault-session v1","vault":"%s"}' pat "$VID" > "$T/otherchal"
expect 3 "...not another principal's" -- ag morgan agent sign "$T/otherchal"
printf '{"challenge":"AAAA","principal":"%s","statement":"scrvault-session v1","vault":"%s"}' morgan \
	0123456789abcdef0123456789abcdef > "$T/othervault"
expect 3 "...nor another vault's" -- ag morgan agent sign "$T/othervault"
expect 0 "...and of version 2" -- as morgan doc signoff "$IMR@2" --statement-out "$T/st2"
expect 6 "the statement file is never replaced" -- as morgan doc signoff "$IMR@2" --statement-out "$T/st2"
start alex; ok $? "(alex's agent)"
expect 3 "alex's agent refuses to sign morgan's statement" -- ag alex agent sign "$T/st1"

# forged: each refused, audited, the vault unchanged
expect 3 "version 1's signed statement recorded for version 2 is refused" -- \
	as morgan doc signoff "$IMR@2" --statement "$T/st1" --signature "$T/sig1"
err_has "not the one to sign"
denied doc.signoff; ok $? "...audited"
openssl genpkey -algorithm ed25519 -out "$T/other.pem" 2>/dev/null
openssl pkeyutl -sign -rawin -inkey "$T/other.pem" -in "$T/st1" | base64 -w0 > "$T/othersig"
expect 3 "the statement signed by a key other than morgan's registered one is refused" -- \
	as morgan doc signoff "$IMR@1" --statement "$T/st1" --signature "$T/othersig"
err_has "registered key"
denied doc.signoff; ok $? "...audited"
expect 3 "morgan's signed statement recorded as alex is refused" -- \
	as alex doc signoff "$IMR@1" --statement "$T/st1" --signature "$T/sig1"
denied doc.signoff; ok $? "...audited"
python3 - "$T/st1" "$T/stale" <<'EOF'
import json, sys, datetime
s = json.load(open(sys.argv[1]))
t = datetime.datetime.strptime(s["time"], "%Y-%m-%dT%H:%M:%SZ") - datetime.timedelta(minutes=6)
s["time"] = t.strftime("%Y-%m-%dT%H:%M:%SZ")
open(sys.argv[2], "w").write(json.dumps(s, sort_keys=True, separators=(",", ":")))
EOF
expect 0 "(the agent signs a statement six minutes old: its own vault's sign-off)" -- ag morgan agent sign "$T/stale"
cp "$T/out" "$T/stalesig"
expect 3 "a statement six minutes old is refused" -- \
	as morgan doc signoff "$IMR@1" --statement "$T/stale" --signature "$T/stalesig"
err_has "more than 5 minutes"
denied doc.signoff; ok $? "...audited"
sed 's/"sha256":"[0-9a-f]*"/"sha256":"'"$(printf '0%.0s' $(seq 64))"'"/' "$T/st1" > "$T/tampered"
expect 0 "(the agent signs a tampered statement: its shape is a sign-off)" -- ag morgan agent sign "$T/tampered"
cp "$T/out" "$T/tampsig"
expect 3 "a statement naming other content is refused, even signed by morgan" -- \
	as morgan doc signoff "$IMR@1" --statement "$T/tampered" --signature "$T/tampsig"
denied doc.signoff; ok $? "...audited"
expect 3 "the tampered statement with the good statement's signature is refused" -- \
	as morgan doc signoff "$IMR@1" --statement "$T/tampered" --signature "$T/sig1"
[ "$(signoffs "$IMR")" = 0 ]; ok $? "no sign-off was recorded"
sv audit verify >/dev/null; ok $? "the audit log verifies"
expect 2 "a signature needs its statement" -- as morgan doc signoff "$IMR@1" --signature "$T/sig1"

# the good one
expect 0 "morgan's statement, signed on their machine, is recorded" -- \
	as morgan doc signoff "$IMR@1" --statement "$T/st1" --signature "$T/sig1"
out_has "signed off $IMR version 1 as morgan"
sv doc show --json "$IMR" > "$T/show"
python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["signoffs"]; assert len(s)==1 and s[0]["signer"]=="morgan" and s[0]["version"]==1 and s[0]["verification"]=="valid", s' "$T/show"
ok $? "doc show: the sign-off verifies as valid"
expect 6 "the same signature again is refused (signed off already)" -- \
	as morgan doc signoff "$IMR@1" --statement "$T/st1" --signature "$T/sig1"
expect 0 "the local sign-off is the same statement + sign + record" -- as alex doc signoff "$IMR@1"
[ "$(sv doc show --json "$IMR" | python3 -c 'import json,sys; print(",".join(x["verification"] for x in json.load(sys.stdin)["signoffs"]))')" = "valid,valid" ]
ok $? "...and both verify"

# ---- a copy's receipt, signed on the holder's machine ------------------------------------------------
sv copy create "$IMR@1" --count 1 >/dev/null
expect 0 "a copy is issued to morgan" -- sv copy issue "$IMR@1#1" --to morgan --contact "m@police.example" \
	--purpose "sign-off meeting" --due 2099-01-31
expect 0 "the vault gives morgan the receipt to sign" -- as morgan copy acknowledge "$IMR@1#1" --statement-out "$T/rc"
grep -q '"statement":"scrvault-copy-receipt v1"' "$T/rc"; ok $? "...a copy receipt"
expect 3 "pat cannot ask for morgan's receipt" -- as pat copy acknowledge "$IMR@1#1" --statement-out "$T/rc-pat"
expect 0 "morgan's agent signs it" -- ag morgan agent sign "$T/rc"
cp "$T/out" "$T/rcsig"
expect 3 "alex's agent will not" -- ag alex agent sign "$T/rc"
expect 3 "the receipt with a signature by another key is refused" -- \
	as morgan copy acknowledge "$IMR@1#1" --statement "$T/rc" --signature "$T/othersig"
denied copy.acknowledge; ok $? "...audited"
expect 3 "the sign-off's statement and signature as the receipt are refused" -- \
	as morgan copy acknowledge "$IMR@1#1" --statement "$T/st1" --signature "$T/sig1"
denied copy.acknowledge; ok $? "...audited"
sv copy list --doc "$IMR" --json > "$T/cs"
python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))[0]; assert not c.get("acknowledged"), c' "$T/cs"
ok $? "...and the copy is not acknowledged"
expect 0 "morgan's signed receipt is recorded" -- \
	as morgan copy acknowledge "$IMR@1#1" --statement "$T/rc" --signature "$T/rcsig"
sv copy list --doc "$IMR" --json > "$T/cs"
python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))[0]; assert c.get("acknowledged"), c' "$T/cs"
ok $? "the register: acknowledged"
expect 6 "the same receipt again: acknowledged already" -- \
	as morgan copy acknowledge "$IMR@1#1" --statement "$T/rc" --signature "$T/rcsig"

# ---- the session the agent keeps (issue 20 item 8: no sign-in per command) -------------------------
# Through the service, the agent keeps morgan's session (its token in the
# agent's locked memory only) and hands it to morgan's next command line;
# another uid cannot have it, a socket another uid serves is told nothing,
# a revoked session is not used again (the agent's key signs a new one),
# and `agent stop` ends it at the service.
D=$(dirname "$SV")/scrvaultd C=$(dirname "$SV")/tests/tools/svd_client S="$T/run/scrvaultd.sock"
if [ -x "$D" ] && [ -x "$C" ]; then
	mkdir -p "$T/run"
	"$D" --vault "$V" --socket "$S" --idle-seal 0 2>>"$T/daemon.log" & DPID=$!
	echo "$DPID" >> "$A/pids"
	for _ in $(seq 300); do [ -S "$S" ] && break; sleep 0.1; done
	curl -s --unix-socket "$S" -X POST -o "$T/offer" http://scrvault/v1/unseal/offer
	"$C" answer "$K" "$P" <"$T/offer" >"$T/answer"
	[ "$(curl -s --unix-socket "$S" -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
		--data-binary @"$T/answer" http://scrvault/v1/unseal)" = 200 ]; ok $? "the service runs, unsealed"
	rsv() { env -u SCRVAULT_AGENT_SOCK "$SV" --server "unix:$S" --key "$K" --passphrase-file "$P" "$@"; }
	rag() { local who=$1; shift; SCRVAULT_AGENT_SOCK="$A/$who/agent.sock" "$SV" --server "unix:$S" "$@"; }
	logins() { grep -c "POST /v1/session 200" "$T/daemon.log"; }
	# agentreq SOCKET JSON [UID]: one framed request to an agent, as UID (default: this one); the answer
	agentreq() {
		local py='import socket,struct,sys
s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); m=sys.argv[2].encode()
try: s.sendall(struct.pack(">I",len(m))+m)
except OSError: pass  # it may refuse before reading
h=s.recv(4); n=struct.unpack(">I",h)[0]; b=b""
while len(b)<n: b+=s.recv(n-len(b))
print(b.decode())'
		if [ -n "${3:-}" ]; then setpriv --reuid="$3" --regid="$3" --clear-groups /usr/bin/python3 -c "$py" "$1" "$2"
		else python3 -c "$py" "$1" "$2"; fi
	}
	tokof() { agentreq "$A/$1/agent.sock" "{\"op\":\"session\",\"service\":\"unix:$S\"}" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p'; }
	bearer() { curl -s --unix-socket "$S" -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $1" http://scrvault/v1/whoami; }
	before=$(logins)
	expect 0 "morgan's first command through the service signs in with the agent" -- rag morgan doc list --case SCR-M
	out_has "Police IMR"
	expect 0 "...and the next ones" -- rag morgan doc list --case SCR-M
	expect 0 "...and a check-out" -- rag morgan doc checkout "$IMR@2" -o "$T/m2.txt"
	cmp -s "$T/imr2.txt" "$T/m2.txt"; ok $? "...a check-out byte for byte"
	[ "$(logins)" = $((before + 1)) ]; ok $? "three commands, one sign-in: the agent kept the session"
	! grep -q "DELETE /v1/session " "$T/daemon.log"; ok $? "...which no command ended"
	TOK1=$(tokof morgan)
	[ -n "$TOK1" ] && [ "$(bearer "$TOK1")" = 200 ]; ok $? "the agent holds the live session for its own user"
	! grep -rqF -- "$TOK1" "$T" "$A" 2>/dev/null; ok $? "...and the token is in no file"
	! grep -qF -- "$TOK1" /proc/$PID_MORGAN/environ /proc/$PID_MORGAN/cmdline; ok $? "...nor the agent's environment or arguments"
	if [ "$(id -u)" -eq 0 ]; then
		chmod 711 "$A/morgan"; chmod 666 "$A/morgan/agent.sock"	# as if another uid could reach it
		agentreq "$A/morgan/agent.sock" "{\"op\":\"session\",\"service\":\"unix:$S\"}" 65534 > "$T/nob" 2>&1
		grep -q "serves only its own user" "$T/nob" && ! grep -qF -- "$TOK1" "$T/nob"
		ok $? "another uid asking the agent for the session is refused, and gets no token"
		chmod 600 "$A/morgan/agent.sock"; chmod 700 "$A/morgan"
		# A socket served by another uid, posing as morgan's agent: told nothing.
		mkdir -m 777 "$A/forged"; : > "$A/forged.got"; chmod 666 "$A/forged.got"
		setpriv --reuid=65534 --regid=65534 --clear-groups /usr/bin/python3 -c '
import socket,sys,os
s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); os.chmod(sys.argv[1],0o666); s.listen(4); s.settimeout(8)
try:
    while True:
        c,_=s.accept(); c.settimeout(2)
        try: d=c.recv(65536)
        except Exception: d=b""
        open(sys.argv[2],"ab").write(d); c.close()
except Exception: pass' "$A/forged/agent.sock" "$A/forged.got" & FPID=$!
		echo "$FPID" >> "$A/pids"
		for _ in $(seq 300); do [ -S "$A/forged/agent.sock" ] && break; sleep 0.1; done
		expect 3 "a command line refuses an agent socket that another uid serves" -- \
			env SCRVAULT_AGENT_SOCK="$A/forged/agent.sock" "$SV" agent status
		err_has "not by you"
		SCRVAULT_AGENT_SOCK="$A/forged/agent.sock" "$SV" --server "unix:$S" doc list --case SCR-M >/dev/null 2>&1
		[ ! -s "$A/forged.got" ]; ok $? "...and sends it nothing (no request, no token)"
		kill "$FPID" 2>/dev/null
	else
		skip "another uid cannot have the session" "not root"
	fi
	# Revoked: the kept session is not used again; the agent's key signs a new one.
	rsv session list --json > "$T/sl"
	SID=$(python3 -c 'import json,sys; print([s["session"] for s in json.load(open(sys.argv[1])) if s["principal"]=="morgan"][0])' "$T/sl")
	expect 0 "the coordinator revokes morgan's session" -- rsv session revoke "$SID"
	[ "$(bearer "$TOK1")" = 401 ]; ok $? "...the revoked token is refused (401)"
	before=$(logins)
	expect 0 "morgan's next command still works" -- rag morgan doc list --case SCR-M
	out_has "Police IMR"
	TOK2=$(tokof morgan)
	[ "$(logins)" = $((before + 1)) ] && [ -n "$TOK2" ] && [ "$TOK2" != "$TOK1" ]
	ok $? "...on a new session the agent's key signed for, not the revoked one"
	[ "$(grep -c "GET /v1/cases/{case}/docs 401" "$T/daemon.log")" = 1 ]; ok $? "...the revoked one was tried once and refused"
	# agent stop ends the session at the service, then wipes it.
	expect 0 "alex works through the service" -- rag alex doc list --case SCR-M
	TOKA=$(tokof alex)
	[ -n "$TOKA" ] && [ "$(bearer "$TOKA")" = 200 ]; ok $? "...on a kept session"
	expect 0 "alex stops the agent" -- ag alex agent stop
	out_has "sessions ended at the service: 1"
	[ "$(bearer "$TOKA")" = 401 ]; ok $? "...and the session it kept is over at the service"
	kill -TERM "$DPID"; wait "$DPID" 2>/dev/null
else
	skip "the agent's kept session" "scrvaultd is not built"
fi

# ---- the end of an agent --------------------------------------------------------------------------
expect 0 "agent stop" -- ag morgan agent stop
out_has "the key is wiped"
sleep 0.3
gone "$PID_MORGAN"; ok $? "the agent has exited (its memory, and the key, are gone)"
[ ! -e "$A/morgan/agent.sock" ]; ok $? "...and removed its socket"
expect 4 "status: no agent" -- ag morgan agent status
expect 4 "signing: no agent" -- ag morgan agent sign "$T/st2"
start pat --lifetime 2s; ok $? "an agent with a 2 s lifetime"
PID_PAT=$PID
expect 0 "...serves at first" -- ag pat agent status
sleep 3
gone "$PID_PAT"; ok $? "...and has exited after its lifetime"
[ ! -e "$A/pat/agent.sock" ]; ok $? "...removing its socket"
expect 4 "...so status finds no agent" -- ag pat agent status
ag alex agent stop >/dev/null 2>&1
finish
