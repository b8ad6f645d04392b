# Shared helpers for the command-line test suites (TAP-style output).
# Each suite: source this, call the helpers, end with `finish`.
set -u
SV=${SCRVAULT_BIN:?run through tests/run-all or set SCRVAULT_BIN}
# The same program built with its test hooks (src/lib/base/fault.h), for the
# few tests that steer one; the shipped one ignores them.
SVH=${SCRVAULT_HOOKS_BIN:-$(dirname "$SV")/hooks/scrvault}
ROOT=${SCRVAULT_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
SAMPLES="$ROOT/../shared/samples"
[ -d "$SAMPLES" ] || SAMPLES="$ROOT/tests/data/samples"
QUICK=${SCRVAULT_TEST_QUICK:-}
T=$(mktemp -d "${TMPDIR:-/tmp}/sv-cli.XXXXXX")
trap 'rm -rf "$T"' EXIT
# Both ways (tests/cli/both-ways.sh): the services tests/tools/via-service
# started for vaults under $T stop with it.
if [ -n "${SCRVAULT_VIA_LOG:-}" ]; then
	via_stop() {
		local f
		for f in "$T"/*.svc/pid "$T"/*/*.svc/pid; do
			[ -f "$f" ] && kill -TERM "$(cat "$f")" 2>/dev/null
		done
		return 0
	}
	trap 'via_stop; rm -rf "$T"' EXIT
fi
unset SCRVAULT_DIR SCRVAULT_KEY SCRVAULT_PASSPHRASE_FILE
n=0
failed=0

ok() {		# ok CONDITION-STATUS DESCRIPTION
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi
}

skip() {	# skip DESCRIPTION REASON
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2"
}

# expect STATUS DESCRIPTION -- COMMAND...: run, compare exit status.
expect() {
	local want=$1 desc=$2; shift 3
	"$@" >"$T/out" 2>"$T/err"
	local got=$?
	if [ "$got" -ne "$want" ]; then
		echo "# expected exit $want, got $got: $*"; sed 's/^/#   /' "$T/err" | head -5
	fi
	ok $((got != want)) "$desc"
}

# stderr of the last expect contains TEXT
err_has() {
	grep -qF -- "$1" "$T/err"; local rc=$?
	[ $rc -ne 0 ] && { echo "# stderr lacks '$1':"; sed 's/^/#   /' "$T/err" | head -5; }
	ok $rc "${2:-message says '$1'}"
}
out_has() {
	grep -qF -- "$1" "$T/out"; local rc=$?
	[ $rc -ne 0 ] && { echo "# stdout lacks '$1':"; sed 's/^/#   /' "$T/out" | head -5; }
	ok $rc "${2:-output says '$1'}"
}

# A fresh vault with custodian "coord" (cheap KDF for tests).
# Sets V (vault dir), K (key), P (passphrase file).
mkvault() {
	V="$T/${1:-vault}"; K="$T/${1:-vault}-coord.key"; P="$T/pass"
	printf 'correct horse battery staple\n' > "$P"
	local kdf=(--kdf-memory 19)
	[ -n "${DEFAULT_KDF:-}" ] && kdf=()	# the real default cost
	"$SV" init --vault "$V" --key-out "$K" --new-passphrase-file "$P" "${kdf[@]}" \
		--display-name "Coordinator" --contact "01234 567890" coord >/dev/null
}

sv() {		# sv ARGS...: as the coordinator of $V
	"$SV" --vault "$V" --key "$K" --passphrase-file "$P" "$@"
}

# enrol [principal add options] NAME: NAME makes their own key where they
# work (keygen, passphrase $P, --kind/--agency go there), the coordinator of
# $V registers the request with the fingerprint words, and NAME imports the
# vault's acceptance.  Key file --key-out FILE (default $T/NAME.key), its
# request FILE.enrol, the acceptance FILE.accept; the status is the first
# step's that failed.
enrol() {
	local name=${!#} key="" i=1 n=$(($# - 1)) fp rc
	local -a gen=() add=()
	while [ "$i" -le "$n" ]; do
		case "${!i}" in
		--key-out) i=$((i + 1)); key=${!i};;
		--kind|--agency) gen+=("${!i}"); i=$((i + 1)); gen+=("${!i}");;
		--new-passphrase-file|--kdf-memory) i=$((i + 1));;
		*) add+=("${!i}");;
		esac
		i=$((i + 1))
	done
	key=${key:-$T/$name.key}
	fp=$("$SV" keygen --json --key-out "$key" --new-passphrase-file "$P" --kdf-memory 19 "${gen[@]}" "$name" \
		2>"$T/enrol.err" | sed -n 's/.*"fingerprint":"\([^"]*\)".*/\1/p'; exit "${PIPESTATUS[0]}")
	rc=$?
	if [ "$rc" -ne 0 ]; then cat "$T/enrol.err" >&2; return "$rc"; fi
	# What principal add says goes to stdout (a held enrolment names its
	# pending operation); the acceptance is written either way.
	sv principal add --enrolment "$key.enrol" --fingerprint "$fp" --acceptance-out "$key.accept" "${add[@]}" \
		|| return $?
	"$SV" keyfile accept --key "$key" --passphrase-file "$P" "$key.accept" >/dev/null
}

# rekey NAME OLDKEY NEWKEY [keygen options]: NAME rotates their own key (a
# request signed by OLDKEY too), the coordinator registers it, NAME imports
# the acceptance.
rekey() {
	local name=$1 old=$2 new=$3 fp rc; shift 3
	fp=$("$SV" keygen --json --rotate "$old" --old-passphrase-file "$P" --key-out "$new" --new-passphrase-file "$P" \
		--kdf-memory 19 "$@" "$name" 2>"$T/enrol.err" | sed -n 's/.*"fingerprint":"\([^"]*\)".*/\1/p'
		exit "${PIPESTATUS[0]}")
	rc=$?
	if [ "$rc" -ne 0 ]; then cat "$T/enrol.err" >&2; return "$rc"; fi
	sv principal rotate --enrolment "$new.enrol" --fingerprint "$fp" --acceptance-out "$new.accept" "$name" \
		|| return $?
	"$SV" keyfile accept --key "$new" --passphrase-file "$P" "$new.accept" >/dev/null
}

svh() {		# svh ARGS...: the same with the test-hooks build
	"$SVH" --vault "$V" --key "$K" --passphrase-file "$P" "$@"
}

# Hash of every file under a directory, to prove it did not change.
tree_hash() {
	(cd "$1" && find . -type f ! -name unlock-failures -print0 | sort -z | xargs -0 sha256sum | sha256sum)
}

# second KEY ARGS...: as the coordinator of $V, ask for an operation that
# waits for a second custodian (ARGS), then approve it with key file KEY.
# Fails (status 1) unless it was held and the approval succeeded.
second() {
	local key=$1 id; shift
	id=$(sv "$@" | grep -o 'pending operation [0-9a-f]*' | cut -d' ' -f3)
	[ -n "$id" ] && "$SV" --vault "$V" --key "$key" --passphrase-file "$P" approve "$id" >/dev/null
}

finish() {
	echo "1..$n"
	[ "$failed" -eq 0 ]
}
