# daemon-load-lib.bash: helpers for the suites that drive scrvaultd under load (daemon-load.sh,
# daemon-kill.sh): a vault with five people in two cases, a daemon on a
# temporary socket, unsealed with the custodian's answer made on their side
# (tests/tools/svd_client), and the load client (tests/tools/svd_load).
# Source after lib.bash.  Every wait is bounded in count and time.
D=${SCRVAULTD_BIN:-$(dirname "$SV")/scrvaultd}
C=$(dirname "$SV")/tests/tools/svd_client
LOAD=$(dirname "$SV")/tests/tools/svd_load
SEAL=$(dirname "$SV")/scrvault-seal
S="$T/run/scrvaultd.sock"
DPID=

start() {	# start [OPTIONS]: scrvaultd on $S, its stderr in $T/daemon.log
	rm -f "$S"
	"$D" --vault "$V" --socket "$S" --idle-seal 0 "$@" 2>>"$T/daemon.log" &
	DPID=$!
	for _ in $(seq 100); do [ -S "$S" ] && return 0; sleep 0.1; done
	return 1
}
stop() {	# stop [SIGNAL]: TERM (and wait up to 10 s) or KILL
	[ -n "$DPID" ] || return 0
	kill "-${1:-TERM}" "$DPID" 2>/dev/null
	for _ in $(seq 100); do kill -0 "$DPID" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$DPID" 2>/dev/null
	wait "$DPID"; local rc=$?
	DPID=
	return $rc
}
trap 'stop KILL >/dev/null 2>&1; rm -rf "$T"' EXIT

req() {		# req METHOD PATH [curl args...]: status in $T/code, body in $T/body
	local m=$1 p=$2; shift 2
	curl -s --max-time 30 --unix-socket "$S" -X "$m" -o "$T/body" -w '%{http_code}' \
		"$@" "http://scrvault$p" >"$T/code" 2>/dev/null
}
unseal() {	# unseal: offer, the custodian's answer, unseal; 0 when unsealed
	req POST /v1/unseal/offer && "$C" answer "$K" "$P" <"$T/body" >"$T/answer" 2>"$T/err" &&
		req POST /v1/unseal -H 'Content-Type: application/json' --data-binary @"$T/answer" &&
		[ "$(cat "$T/code")" = 200 ]
}

# The people: the coordinator (register changes, "other" documents in
# SCR-A), eight IMR authors of four agencies across two cases: nine
# principals, so that 50 clients stay within each one's 16 sessions and 8
# unfinished uploads.
USERS=()
people() {
	local who case agency
	sv case open --title a SCR-A >/dev/null && sv case open --title b SCR-B >/dev/null || return 1
	USERS=(--user "coord:$K:SCR-A:other")
	for who in pol:SCR-A:police hea:SCR-A:health edu:SCR-B:education pol2:SCR-B:police \
		   soc:SCR-A:social-care hea2:SCR-B:health edu2:SCR-A:education soc2:SCR-B:social-care; do
		IFS=: read -r name case agency <<<"$who"
		enrol --key-out "$T/$name.key" --agency "$agency" "$name" >/dev/null &&
			sv principal grant "$name" imr-author --case "$case" --agency "$agency" >/dev/null || return 1
		USERS+=(--user "$name:$T/$name.key:$case:imr:$agency")
	done
	printf 'register copy\n' >"$T/copy.txt"
	sv doc checkin --case SCR-A --class overview-report --title "Overview report" "$T/copy.txt" >/dev/null || return 1
	local d
	d=$(sv doc list --case SCR-A --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["doc"])') &&
		sv copy create "$d@1" --count 8 >/dev/null || return 1
	USERS+=(--admin coord --copies 8)
	vkey >/dev/null
}

vkey() {	# the audit verifier key the board publishes (read before the daemon starts)
	[ -s "$T/vkey" ] || sv audit pubkey >"$T/vkey" || return 1
	cat "$T/vkey"
}

# receipts DIR: every receipt in DIR/receipts verifies offline with
# scrvault-seal; 0 when all do (and there is at least one).
receipts() {
	local vk n=0 bad=0 f
	vk=$(vkey) || return 1
	for f in "$1"/receipts/*.json; do
		[ -f "$f" ] || continue
		n=$((n + 1))
		"$SEAL" receipt verify --vkey "$vk" "$f" >/dev/null 2>"$T/rv.err" && continue
		bad=$((bad + 1))
		[ $bad -le 5 ] && echo "# receipt $f: $(head -2 "$T/rv.err")"
	done
	echo "# $n receipts, $bad refused"
	[ "$n" -gt 0 ] && [ "$bad" -eq 0 ]
}

login() {	# login NAME KEY: sign in with NAME's own key; token in $T/tok-NAME, status in $T/code
	local name=$1 key=$2 chal sig
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
is() {		# is STATUS [CODE] DESCRIPTION
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
