# daemon-lib.bash: scrvaultd on a throwaway vault ($V, from mkvault) and a
# temporary Unix socket, for suites that talk to it (daemon-routes.sh).
# Every wait is bounded in count and time.  Sourced after lib.bash.
D=${SCRVAULTD_BIN:-$(dirname "$SV")/scrvaultd}
C=$(dirname "$SV")/tests/tools/svd_client
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

# req METHOD PATH [curl args...]: the status in $T/code, the body in $T/body,
# the headers in $T/headers.
req() {
	local m=$1 p=$2; shift 2
	curl -s --max-time 20 --path-as-is --unix-socket "$S" -X "$m" -o "$T/body" -D "$T/headers" \
		-w '%{http_code}' "$@" "http://scrvault$p" >"$T/code" 2>/dev/null
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
jget() {	# jget KEY [FILE]: a top-level member of a JSON answer
	python3 -c 'import json,sys; v=json.load(open(sys.argv[2])).get(sys.argv[1], ""); print(v if not isinstance(v,(dict,list)) else json.dumps(v))' \
		"$1" "${2:-$T/body}" 2>/dev/null
}
unseal() {	# unseal: offer, the custodian's answer, unseal
	req POST /v1/unseal/offer && cp "$T/body" "$T/offer" &&
		"$C" answer "$K" "$P" <"$T/offer" >"$T/answer" 2>"$T/err" &&
		req POST /v1/unseal -H 'Content-Type: application/json' --data-binary @"$T/answer"
}
login() {	# login NAME KEY [PASSFILE]: a session; its token in $T/tok-NAME
	local name=$1 key=$2 pass=${3:-$P} chal sig
	echo 000 >"$T/code.fail"
	req POST /v1/session/challenge -H 'Content-Type: application/json' --data-binary "{\"principal\":\"$name\"}"
	chal=$(jget challenge)
	python3 -c 'import json,sys; sys.stdout.write(json.load(open(sys.argv[1]))["statement"])' "$T/body" >"$T/stmt" &&
		sig=$("$C" sign "$key" "$pass" <"$T/stmt") || { cp "$T/code.fail" "$T/code"; return 1; }
	printf '{"principal":"%s","challenge":"%s","signature":"%s"}' "$name" "$chal" "$sig" >"$T/login-$name"
	req POST /v1/session -H 'Content-Type: application/json' --data-binary @"$T/login-$name"
	jget token >"$T/tok-$name"
}
as() {		# as NAME METHOD PATH [curl args]
	local name=$1; shift
	req "$@" -H "Authorization: Bearer $(cat "$T/tok-$name")"
}
jpost() {	# jpost NAME PATH JSON: POST a JSON body as NAME
	as "$1" POST "$2" -H 'Content-Type: application/json' --data-binary "$3"
}
audited() {	# audited ACTION OUTCOME [ACTOR]: among the last 5 audit entries (read by coord's session)
	req GET '/v1/audit/tail?n=5' -H "Authorization: Bearer $(cat "$T/tok-coord")"
	python3 - "$T/body" "$@" <<'PY'
import json, sys
es = json.load(open(sys.argv[1]))
es = es.get("entries", es) if isinstance(es, dict) else es
want = sys.argv[2:]
ok = any(e.get("action") == want[0] and e.get("outcome") == want[1] and
         (len(want) < 3 or e.get("principal") == want[2]) for e in es)
sys.exit(0 if ok else 1)
PY
}
