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
	expect 3 "with the socket opened to all, the agent refuses another uid" -- nob agent status
	err_has "serves only its own user"
	printf '{"a":1}' > "$A/st"; chmod 644 "$A/st"
	expect 3 "...and will not sign for it" -- nob agent sign "$A/st"
	err_has "serves only its own user"
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
ag alex agent stop >/dev/null
finish
