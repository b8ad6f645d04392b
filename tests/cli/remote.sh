#!/usr/bin/env bash
# The command line through the service (--server, $SCRVAULT_SERVER): the
# same commands run directly on the vault and through scrvaultd give the
# same answer, byte for byte; unsealing sends no key; a key file of another
# vault, a bad URL, a path trick in an argument and a command the service
# does not offer are refused before anything reaches it; an agency uploads
# from "its office" and gets a receipt that verifies offline; an
# authorising manager signs off with their own key through the service and
# the sign-off verifies.  Every wait is bounded.
. "$(dirname "$0")/lib.bash"
D=${SCRVAULTD_BIN:-$(dirname "$SV")/scrvaultd}
SEAL=$(dirname "$SV")/scrvault-seal
[ -x "$D" ] || { skip "the command line through the service" "scrvaultd is not built"; finish; exit; }

mkvault
S="$T/run/scrvaultd.sock"
DPID=
start() {
	"$D" --vault "$V" --socket "$S" --idle-seal 0 "$@" 2>>"$T/daemon.log" &
	DPID=$!
	for _ in $(seq 300); do [ -S "$S" ] && return 0; sleep 0.1; done
	return 1
}
stop() {
	[ -n "$DPID" ] || return 0
	kill -TERM "$DPID" 2>/dev/null
	for _ in $(seq 150); do kill -0 "$DPID" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$DPID" 2>/dev/null
	wait "$DPID" 2>/dev/null
	DPID=
}
trap 'stop; rm -rf "$T"' EXIT

# A case, an agency's author and authorising manager, documents, a copy, a hold.
sv case open SCR-2026-01 --title "Child A" --received 2026-11-02 >/dev/null
enrol --kind person --agency police pat >/dev/null 2>&1
enrol --kind person --agency police mo >/dev/null 2>&1
sv principal grant pat imr-author --case SCR-2026-01 --agency police >/dev/null
sv principal grant mo authorising-manager --case SCR-2026-01 --agency police >/dev/null
enrol --kind person oli >/dev/null 2>&1
sv principal grant oli auditor >/dev/null
printf 'IMR of the police, draft one\n' >"$T/imr1.txt"
sv doc checkin --case SCR-2026-01 --class imr --agency police "$T/imr1.txt" >/dev/null
DOC=$(sv doc list --case SCR-2026-01 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["doc"])')
sv hold add --kind inquiry --reason "panel asked" SCR-2026-01 >/dev/null
VKEY=$(sv audit pubkey)
# A mirror that holds another vault's history: a push to it is refused.
git init -q --bare "$T/other.git"
"$SV" init --vault "$T/V2" --key-out "$T/v2.key" --new-passphrase-file "$P" --kdf-memory 19 other >/dev/null
"$SV" --vault "$T/V2" --key "$T/v2.key" --passphrase-file "$P" mirror add m "file://$T/other.git" >/dev/null
"$SV" --vault "$T/V2" --key "$T/v2.key" --passphrase-file "$P" mirror push m >/dev/null
sv mirror add wrong "file://$T/other.git" >/dev/null
sv mirror push wrong >"$T/push.direct" 2>&1; echo "rc=$?" >>"$T/push.direct"

# The commands compared, each as the coordinator.
cmds=(
	"case list" "case list --json" "case show SCR-2026-01" "case show SCR-2026-01 --json"
	"doc list --case SCR-2026-01" "doc list --case SCR-2026-01 --json" "doc show $DOC" "doc show $DOC --json"
	"doc log $DOC" "principal list" "principal show pat" "principal show pat --json" "copy list" "copy list --json"
	"hold list" "request list" "retention plan --as-of 2026-12-01" "retention plan --as-of 2026-12-01 --json"
	"agenda --as-of 2026-12-01 --days 60" "agenda --as-of 2026-12-01 --days 60 --json" "audit pubkey"
)
i=0
for c in "${cmds[@]}"; do
	# shellcheck disable=SC2086
	sv $c >"$T/direct.$i" 2>&1; echo "rc=$?" >>"$T/direct.$i"
	i=$((i + 1))
done
before=$(tree_hash "$V")

start; ok $? "scrvaultd starts on its socket"
export SCRVAULT_SERVER="unix:$S"
rsv() { "$SV" --key "$K" --passphrase-file "$P" "$@"; }

# ---- before it is unsealed ----
expect 0 "status answers while sealed" -- "$SV" status
out_has "sealed"
expect 3 "a command while sealed is refused (exit 3)" -- rsv case list
err_has "unseal"
expect 2 "unseal without a key file is a usage error" -- env -u SCRVAULT_KEY "$SV" unseal
(mkvault other)		# a vault of its own (mkvault sets V and K: in a subshell)
expect 5 "a custodian of another vault cannot unseal it: not the vault the key file belongs to" -- \
	"$SV" --key "$T/other-coord.key" --passphrase-file "$P" unseal
err_has "not the vault"
expect 3 "a non-custodian's key cannot unseal it" -- "$SV" --key "$T/pat.key" --passphrase-file "$P" unseal
expect 0 "the custodian unseals it from the command line" -- rsv unseal
out_has "unsealed vault"
grep -q "correct horse" "$T/daemon.log"; ok $((!$?)) "no passphrase reached the service's log"

# ---- the same answers, directly and through the service ----
i=0
for c in "${cmds[@]}"; do
	# shellcheck disable=SC2086
	rsv $c >"$T/remote.$i" 2>&1; echo "rc=$?" >>"$T/remote.$i"
	if cmp -s "$T/direct.$i" "$T/remote.$i"; then
		ok 0 "'$c' answers the same through the service"
	else
		diff "$T/direct.$i" "$T/remote.$i" | head -6 | sed 's/^/#   /'
		ok 1 "'$c' answers the same through the service"
	fi
	i=$((i + 1))
done

rsv mirror push wrong >"$T/push.remote" 2>&1; echo "rc=$?" >>"$T/push.remote"
grep -q "not a fast-forward" "$T/push.remote" && cmp -s "$T/push.direct" "$T/push.remote"
ok $? "a refused mirror push lists each mirror's outcome through the service too, as directly"

# ---- refused before anything is sent ----
expect 2 "a path trick in an argument is refused here (exit 2)" -- rsv doc show "../../etc"
expect 2 "so is a '/' inside an id" -- rsv case show "SCR/../x"
expect 2 "free text that is not UTF-8 is a usage error naming the option, as directly (exit 2)" -- \
	rsv case open --title "$(printf 'Child \377 Y')" SCR-2026-77
err_has "the title is not valid UTF-8 (byte 7): give UTF-8 text (--title TEXT)"
ln -s "$P" "$T/inbox-link.txt"
expect 2 "a check-in of a symbolic link is refused here, as directly (exit 2): the secret it names is never sent" -- \
	rsv doc checkin --doc "$DOC" "$T/inbox-link.txt"
err_has "is a symbolic link"
mkfifo "$T/inbox-fifo"
expect 2 "a check-in of a FIFO is refused at once, without waiting on a writer" -- \
	timeout 20 "$SV" --key "$K" --passphrase-file "$P" doc checkin --doc "$DOC" "$T/inbox-fifo"
err_has "not a regular file"
expect 2 "a --server that is neither https:// nor unix:/ is a usage error" -- \
	"$SV" --server "http://example.org" --key "$K" --passphrase-file "$P" case list
expect 2 "a --server with a path or credentials in it is refused" -- \
	"$SV" --server "https://user@example.org:8443/x" --key "$K" --passphrase-file "$P" case list
expect 2 "a command the service does not offer says so (exit 2)" -- rsv fsck
err_has "does not run through the service"
expect 2 "--as-key has no meaning through the service" -- rsv --as-key "$T/pat.key" case list
expect 5 "a key file of another vault signs nothing for this one (exit 5)" -- \
	"$SV" --key "$T/other-coord.key" --passphrase-file "$P" case list
err_has "not a sign-in to your vault"

# ---- an agency at its office: upload, receipt, checked out byte for byte ----
head -c 2500000 /dev/urandom >"$T/imr2.bin"
expect 0 "the IMR author uploads a new version through the service, with a receipt" -- \
	"$SV" --key "$T/pat.key" --passphrase-file "$P" doc checkin --doc "$DOC" --receipt "$T/r2.json" "$T/imr2.bin"
out_has "checked in 1 version"
out_has "imr2.bin" "the check-in's table names the file, as directly"
expect 0 "the receipt verifies offline against the file" -- "$SEAL" receipt verify --vkey "$VKEY" --file "$T/imr2.bin" "$T/r2.json"
expect 5 "and not against another file" -- "$SEAL" receipt verify --vkey "$VKEY" --file "$T/imr1.txt" "$T/r2.json"
expect 0 "the coordinator checks version 2 out through the service" -- rsv doc checkout "$DOC@2" -o "$T/back.bin"
cmp -s "$T/imr2.bin" "$T/back.bin"; ok $? "byte for byte"
! grep -q "failed after it began" "$T/daemon.log"; ok $? "the check-out was served once, on the kept-alive connection (not aborted and retried)"
[ "$(stat -c %a "$T/back.bin")" = 600 ]; ok $? "the checked-out file is 0600"
expect 6 "a check-out never replaces a file" -- rsv doc checkout "$DOC@2" -o "$T/back.bin"
expect 4 "a version that does not exist is not found (exit 4), and no file is left" -- rsv doc checkout "$DOC@9" -o "$T/none.bin"
[ ! -e "$T/none.bin" ] && ! ls "$T"/.scrvault-dl-* >/dev/null 2>&1; ok $? "nothing is left behind"
expect 3 "the internal auditor may not read content through the service either (exit 3)" -- \
	"$SV" --key "$T/oli.key" --passphrase-file "$P" doc checkout "$DOC@2" -o "$T/oli.bin"
err_has "permission" "the service's own message is shown, not just a status"
[ ! -e "$T/oli.bin" ] && ! ls "$T"/.scrvault-dl-* >/dev/null 2>&1; ok $? "and no file is left"
expect 0 "the auditor exports the log through the service with their own key" -- \
	"$SV" --key "$T/oli.key" --passphrase-file "$P" audit export -o "$T/oli.jsonl"
expect 0 "the export verifies offline" -- "$SV" audit verify --vkey "$VKEY" "$T/oli.jsonl"
expect 0 "...and as a spreadsheet table (--csv) through the service" -- \
	"$SV" --key "$T/oli.key" --passphrase-file "$P" audit export --csv --action doc.checkin -o "$T/oli.csv"
grep -q "doc.checkin" "$T/oli.csv" && ! grep -q '"proof"' "$T/oli.csv"; ok $? "...the entries as rows, no proofs"
expect 4 "the author of another agency's case reaches nothing: an unknown case is not found" -- \
	"$SV" --key "$T/pat.key" --passphrase-file "$P" case show SCR-2099-99

# ---- the authorising manager signs off with their own key ----
expect 3 "the IMR author may not sign off (exit 3)" -- \
	"$SV" --key "$T/pat.key" --passphrase-file "$P" doc signoff "$DOC@2"
expect 0 "the authorising manager signs version 2 off through the service" -- \
	"$SV" --key "$T/mo.key" --passphrase-file "$P" doc signoff "$DOC@2"
out_has "signed off"
expect 0 "doc show lists the sign-off" -- rsv doc show "$DOC"
grep -q "mo .*valid" "$T/out"; ok $? "and says it verifies"

# ---- over HTTPS: only the vault's own CA, TLS 1.3 ----
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
stop
unset SCRVAULT_SERVER
sv tls issue --host 127.0.0.1 --out-cert "$T/srv.crt" --out-key "$T/srv.key" >/dev/null
sv tls ca-cert -o "$T/ca.pem" >/dev/null
PORT=$(free_port)
start --listen "127.0.0.1:$PORT" --cert "$T/srv.crt" --key "$T/srv.key" --ca "$T/ca.pem"; ok $? "scrvaultd listens on a loopback HTTPS port too"
for _ in $(seq 300); do python3 -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 1)" 2>/dev/null && break; sleep 0.1; done
URL="https://127.0.0.1:$PORT"
expect 0 "the custodian unseals it over HTTPS" -- "$SV" --server "$URL" --key "$K" --passphrase-file "$P" unseal
expect 0 "the agency author lists cases over HTTPS" -- "$SV" --server "$URL" --key "$T/pat.key" --passphrase-file "$P" case list
out_has "SCR-2026-01"
# An impostor: another vault's service, with its own CA's certificate.
IV="$T/imp"
"$SV" init --vault "$IV" --key-out "$T/imp-coord.key" --new-passphrase-file "$P" --kdf-memory 19 --display-name I --contact - mallory >/dev/null
"$SV" --vault "$IV" --key "$T/imp-coord.key" --passphrase-file "$P" tls issue --host 127.0.0.1 --out-cert "$T/imp.crt" --out-key "$T/imp.key" >/dev/null
"$SV" --vault "$IV" --key "$T/imp-coord.key" --passphrase-file "$P" tls ca-cert -o "$T/imp-ca.pem" >/dev/null
IPORT=$(free_port)
"$D" --vault "$IV" --socket "$T/run2/s.sock" --listen "127.0.0.1:$IPORT" --cert "$T/imp.crt" --key "$T/imp.key" \
	--ca "$T/imp-ca.pem" 2>>"$T/imp.log" &
IPID=$!
# A man in the middle who shows the vault's real CA certificate but serves with another CA's.
MPORT=$(free_port)
"$D" --vault "$IV" --socket "$T/run3/s.sock" --listen "127.0.0.1:$MPORT" --cert "$T/imp.crt" --key "$T/imp.key" \
	--ca "$T/ca.pem" 2>>"$T/imp.log" &
MPID=$!
for _ in $(seq 300); do [ -S "$T/run2/s.sock" ] && [ -S "$T/run3/s.sock" ] && break; sleep 0.1; done
expect 5 "another vault's service is refused before anything is sent (exit 5)" -- \
	"$SV" --server "https://127.0.0.1:$IPORT" --key "$T/pat.key" --passphrase-file "$P" case list
err_has "not the vault"
expect 5 "a man in the middle showing the vault's CA but another's certificate is refused (exit 5)" -- \
	"$SV" --server "https://127.0.0.1:$MPORT" --key "$T/pat.key" --passphrase-file "$P" case list
err_has "did not prove"
expect 5 "even to unseal: the custodian's answer never goes to it" -- \
	"$SV" --server "https://127.0.0.1:$MPORT" --key "$K" --passphrase-file "$P" unseal
grep -q "/v1/tls/ca" "$T/imp.log" && ! grep -qE "/v1/session|/v1/unseal" "$T/imp.log"
ok $? "the impostors were asked for their CA certificate and nothing else: no sign-in, no unseal"
kill "$IPID" "$MPID" 2>/dev/null; wait "$IPID" "$MPID" 2>/dev/null
export SCRVAULT_SERVER="unix:$S"

# ---- sessions and sealing ----
expect 0 "the coordinator lists sessions through the service" -- rsv session list
expect 3 "an IMR author may not seal the service" -- "$SV" --key "$T/pat.key" --passphrase-file "$P" seal
expect 0 "the custodian seals it" -- rsv seal
expect 3 "after that, nothing is answered" -- rsv case list
stop
expect 0 "--vault names the vault directly, whatever SCRVAULT_SERVER says" -- sv case list
unset SCRVAULT_SERVER
after=$(sv audit verify --vkey "$VKEY" >/dev/null 2>&1; echo $?)
[ "$after" = 0 ]; ok $? "the audit log verifies after the service's work"
expect 0 "fsck is clean" -- sv fsck
grep -q "vault.unseal" < <(sv audit export 2>/dev/null); ok $? "the unseal is in the audit log"
grep -q "vault.seal" < <(sv audit export 2>/dev/null); ok $? "the seal is in the audit log"
sv audit export --csv --action doc.checkin >"$T/local.csv" 2>/dev/null
head -1 "$T/local.csv" | cmp -s - <(head -1 "$T/oli.csv") && [ "$(wc -l <"$T/local.csv")" = "$(wc -l <"$T/oli.csv")" ]
ok $? "the CSV through the service is the local one's table (header and rows)"
finish
