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

svh() {		# svh ARGS...: the same with the test-hooks build
	"$SVH" --vault "$V" --key "$K" --passphrase-file "$P" "$@"
}

# Hash of every file under a directory, to prove it did not change.
tree_hash() {
	(cd "$1" && find . -type f ! -name unlock-failures -print0 | sort -z | xargs -0 sha256sum | sha256sum)
}

finish() {
	echo "1..$n"
	[ "$failed" -eq 0 ]
}
