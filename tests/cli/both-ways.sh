#!/usr/bin/env bash
# Every CLI test can run both ways (issue 20): existing suites, unchanged,
# run with SCRVAULT_BIN pointing at tests/tools/via-service, which sends
# each command the service offers through a scrvaultd of the suite's vault
# (--server unix:...) and runs the rest directly.  A suite passes here when
# all its checks pass AND commands really went through the service (the
# wrapper logs each call, so this cannot pass vacuously).  Each suite is
# bounded by a timeout; every service a suite started is stopped after it.
#
# The suites run: SUITES below (BOTH_WAYS_SUITES overrides the list, e.g.
# to try one; BOTH_WAYS_KEEP=DIR keeps each suite's output and its log of
# calls).  Every other suite of tests/cli was run through it once; each is
# left out for a reason, none for time (the list takes about a minute):
#   - The service's own audit entries.  Each command through the service
#     signs in and out (session.login, session.end), starting a service
#     unseals it (vault.unseal), stopping it for a direct command seals it
#     (vault.seal), and its entries carry "client" and "session" details.
#     So a suite that reads the last N entries ('audit tail --lines N'
#     finds the sign-in of that very command last), counts entries or
#     sequence numbers, or hashes the vault to show a refusal changed
#     nothing, sees the difference, although the command's own entry is
#     there: agenda agent audit bundle commands copies dual input masters
#     proofset publish receipts referrals replication reports requests roles
#     scope timescales tls.
#   - They test the direct path itself: unlocking (unlock unlockfail enrol
#     floors: failed unlocks recorded, a substituted vault or keyring, KDF
#     floors, memory that cannot be locked), the vault directory and files
#     changed under a running program (vaultdir tamper stale crash), a
#     process's own memory or faults (memory fault; memory also imports a
#     50 MB bundle, over the service's 8 MiB intake limit).
#   - Differences in the command itself, reported (besides the above):
#     basic (a batch check-in through the service is one upload and one
#     commit per file; --filename with a path trick is refused by the
#     upload instead of made safe; "not a custodian" is an unlocking
#     message), checkout and tamper (damage found only at the end of a
#     streamed check-out drops the connection: exit 1 "cannot reach the
#     service", not 5 naming the document; nothing is written either way).
#   - The service itself or no vault: daemon* remote* api-doc deploy install
#     layers harness valgrind.
. "$(dirname "$0")/lib.bash"
VIA="$ROOT/tests/tools/via-service"
B=$(dirname "$SV")
D=${SCRVAULTD_BIN:-$B/scrvaultd}
[ -x "$D" ] || { skip "existing suites through the service" "scrvaultd is not built"; finish; exit; }

SUITES=${BOTH_WAYS_SUITES:-at_rest concurrency retention roundtrip seal sessions}
LIMIT=${BOTH_WAYS_TIMEOUT:-240}

# A mirror of the build directory in which only scrvault (and the test-hooks
# build's scrvault) is the wrapper, so that suites finding their tools
# beside "$SV" (scrvault-seal, tests/tools/...) still find them.
M="$T/bin"
mkdir -p "$M/hooks"
for f in "$B"/* "$B"/.[!.]*; do
	[ -e "$f" ] || continue
	case "${f##*/}" in scrvault|hooks|tests) continue;; esac
	ln -s "$f" "$M/${f##*/}"
done
# The test tools that open a vault themselves stop its service first.
mkdir -p "$M/tests/tools"
for f in "$B"/tests/*; do
	[ "${f##*/}" = tools ] || ln -s "$f" "$M/tests/${f##*/}"
done
for f in "$B"/tests/tools/*; do
	ln -s "$VIA" "$M/tests/tools/${f##*/}"
done
for f in "$B"/hooks/*; do
	[ -e "$f" ] && [ "${f##*/}" != scrvault ] && ln -s "$f" "$M/hooks/${f##*/}"
done
ln -s "$VIA" "$M/scrvault"
ln -s "$VIA" "$M/hooks/scrvault"

# The commands the service offers, from the tables the program was built from.
for c in "$ROOT"/src/cli/cmd_*.c; do
	awk '/_remote\[\] = \{/{p=1} p{print} p&&/^\};/{p=0}' "$c"
done | grep -o '{ "[a-z-]*", \("[a-z-]*"\|NULL\)' |
	sed -e 's/{ "\([^"]*\)", NULL/\1/' -e 's/{ "\([^"]*\)", "\([^"]*\)"/\1 \2/' | sort -u >"$T/remote.list"
[ "$(wc -l <"$T/remote.list")" -gt 20 ]; ok $? "the service's commands are read from the remote tables ($(wc -l <"$T/remote.list"))"

reap() {	# reap LOG: stop every service the wrapper started that still runs
	local pid
	[ -f "$1.pids" ] || return 0
	while read -r pid; do
		[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = scrvaultd ] || continue
		kill -TERM "$pid" 2>/dev/null
		for _ in $(seq 50); do	# bounded: 5 s
			st=$(sed -n 's/^[0-9]* (.*) \([A-Z]\).*/\1/p' "/proc/$pid/stat" 2>/dev/null)
			[ -n "$st" ] && [ "$st" != Z ] || break
			sleep 0.1
		done
	done <"$1.pids"
	return 0
}

for suite in $SUITES; do
	log="$T/$suite.calls"
	: >"$log"
	start=$(date +%s)
	SCRVAULT_BIN="$M/scrvault" SCRVAULT_REAL_BIN="$SV" SCRVAULTD_BIN="$D" SCRVAULT_HOOKS_BIN="$M/hooks/scrvault" \
		SCRVAULT_VIA_LOG="$log" SCRVAULT_VIA_REMOTE="$T/remote.list" SCRVAULT_VIA_MIRROR="$M" SCRVAULT_ROOT="$ROOT" \
		timeout -k 5 "$LIMIT" bash "$ROOT/tests/cli/$suite.sh" >"$T/$suite.out" 2>"$T/$suite.err"
	rc=$?
	reap "$log"
	[ -n "${BOTH_WAYS_KEEP:-}" ] && mkdir -p "$BOTH_WAYS_KEEP" &&
		cp "$T/$suite.out" "$T/$suite.err" "$log" "$BOTH_WAYS_KEEP/"
	secs=$(($(date +%s) - start))
	checks=$(grep -c '^ok ' "$T/$suite.out")
	bad=$(grep -c '^not ok ' "$T/$suite.out")
	through=$(grep -c '^service ' "$log")
	if [ "$rc" -ne 0 ] || [ "$bad" -ne 0 ] || [ "$through" -eq 0 ]; then
		echo "# $suite: exit $rc, $bad of $((checks + bad)) checks failed, $through commands through the service, ${secs}s"
		grep '^not ok ' "$T/$suite.out" | head -10 | sed 's/^/#   /'
		grep '^failed ' "$log" | sort | uniq -c | head -5 | sed 's/^/#   /'
		ok 1 "$suite passes through the service"
	else
		ok 0 "$suite passes through the service: $checks checks, $through commands went through it (${secs}s)"
	fi
done

# Nothing outlives the suites: every service the wrapper started has stopped.
left=0
for log in "$T"/*.calls; do
	[ -f "$log.pids" ] || continue
	while read -r pid; do
		st=$(sed -n 's/^[0-9]* (.*) \([A-Z]\).*/\1/p' "/proc/$pid/stat" 2>/dev/null)
		[ -n "$st" ] && [ "$st" != Z ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = scrvaultd ] && left=$((left + 1))
	done <"$log.pids"
done
[ "$left" -eq 0 ]; ok $? "no service the wrapper started is left running ($left)"
finish
