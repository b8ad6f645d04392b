#!/usr/bin/env bash
# The copy register, principals, releases, audit, reports and intake through
# the service: two vaults seeded identically (one copied from the other);
# the same scenario runs directly on vault A and through scrvaultd on vault
# B, and stdout+stderr, exit status and --json are compared byte for byte
# after normalising only what legitimately differs between two runs (clock
# times, audit sequence numbers: a sign-in through the service is audited).
# PDFs and bundles are checked by opening them, not by comparing bytes.
# Attacks: path tricks refused before any request, -o onto an existing file,
# a witness who is the destroyer, the wrong role through the service (exit
# 3, audited, vault unchanged).
. "$(dirname "$0")/lib.bash"
D=${SCRVAULTD_BIN:-$(dirname "$SV")/scrvaultd}
[ -x "$D" ] || { skip "the copy register through the service" "scrvaultd is not built"; finish; exit; }
HAVE_PDF=1
command -v pdftotext >/dev/null && command -v pdfinfo >/dev/null || HAVE_PDF=0

mkvault A
S="$T/run/scrvaultd.sock"
DPID=
start() {
	"$D" --vault "$T/B" --socket "$S" --idle-seal 0 2>>"$T/daemon.log" &
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
trap 'stop; [ -n "${KEEPT:-}" ] || rm -rf "$T"' EXIT

# ---- the seed, on A; B is a copy of it ----
sv case open --title "Child X" SCR-X >/dev/null
for who in pam wit oli; do enrol --display-name "$who" --contact "$who@example.org" "$who" >/dev/null 2>&1 || echo "# enrol $who failed"; done
sv principal grant pam panel-member --case SCR-X >/dev/null
sv principal grant wit panel-member --case SCR-X >/dev/null
sv principal grant oli auditor >/dev/null
enrol --kind agency --agency police --display-name Police --contact police@example.org police >/dev/null 2>&1
sv principal grant police agency-submitter --case SCR-X --agency police >/dev/null
R=$(sv recipient)
SAMPLE="$SAMPLES/overview-report.pdf"
[ -f "$SAMPLE" ] || { printf '%%PDF-1.4\n' > "$T/o.pdf"; SAMPLE="$T/o.pdf"; }
sv doc checkin --case SCR-X --class overview-report --title "Overview report" "$SAMPLE" >/dev/null
DOC=$(sv doc list --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["doc"])')
cp -a "$V" "$T/B"
mkdir -p "$T/wa" "$T/wb"

# One step: "ACTOR ARGS..." (shell words, quoted as in a script), run on A directly (as
# ACTOR with --as-key) or on B through the service (as ACTOR with --key).
direct() {
	local who=$1; shift
	if [ "$who" = coord ]; then (cd "$T/wa" && "$SV" --vault "$V" --key "$K" --passphrase-file "$P" "$@")
	else (cd "$T/wa" && "$SV" --vault "$V" --key "$K" --passphrase-file "$P" --as-key "$T/$who.key" \
		--as-passphrase-file "$P" "$@"); fi
}
remote() {
	local who=$1 key; shift
	key=$T/$who.key; [ "$who" = coord ] && key=$K
	(cd "$T/wb" && "$SV" --server "unix:$S" --key "$key" --passphrase-file "$P" "$@")
}
# What differs between two runs of the same thing: clock times (ISO and
# dates of today), audit sequence numbers.
norm() {
	sed -E -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z/TIME/g' \
		-e 's/"audit_seq":[0-9]+/"audit_seq":N/g' -e 's/^(TIME .*) [0-9]+$/\1 N/' \
		-e "${NORM_MORE:-s/^\$//}" "$1"
}
steps=()
run_steps() {	# run_steps SIDE: each step's output in $T/SIDE.N
	local side=$1 i=0 s
	rm -f "$T/$side".*
	for s in "${steps[@]}"; do
		eval "$side $s" >"$T/$side.$i" 2>&1; echo "rc=$?" >>"$T/$side.$i"
		i=$((i + 1))
	done
}
compare() {	# compare DESCRIPTION: each step's output, A against B
	local i=0 s
	for s in "${steps[@]}"; do
		if diff <(norm "$T/direct.$i") <(norm "$T/remote.$i") >"$T/diff"; then
			ok 0 "$1: $s"
		else
			echo "# differs:"; sed 's/^/#   /' "$T/diff" | head -12
			ok 1 "$1: $s"
		fi
		i=$((i + 1))
	done
}

start; ok $? "scrvaultd starts on vault B"
expect 0 "the custodian unseals B" -- "$SV" --server "unix:$S" --key "$K" --passphrase-file "$P" unseal

# ---- 1. the copy register ----
steps=(
	"coord copy create $DOC@1 --count 3" "coord copy create $DOC --count 1" "coord copy list --json"
	"pam copy create $DOC@1 --count 1"
	"coord copy issue 1 --to pam --purpose panel --due 2099-01-01"
	"coord copy issue 2 --external Ins --organisation Ofsted --contact ins@example.org --purpose inspection --due 2099-01-01"
	"coord copy issue 3 --to wit --purpose panel --due 2099-01-01 --json"
	"coord copy issue 1 --to wit --purpose again --due 2099-01-01"
	"wit copy acknowledge 1" "pam copy acknowledge 1" "pam copy acknowledge 1"
	"coord copy acknowledge --paper 2 --json" "wit copy acknowledge --statement-out wst.json 3"
	"pam copy acknowledge --statement-out pst.json 3"
	"coord copy history 1" "coord copy history 1 --json" "coord copy history 99"
	"coord copy history $DOC@1#1" "coord copy history $DOC@1#9" "coord copy history $DOC@x#1"
	"pam copy history $DOC@1#2 --json" "coord copy acknowledge --statement-out cst.json $DOC@1#3"
	"coord copy recall SCR-X" "coord copy recall $DOC --json"
	"coord copy overdue --as-of 2099-06-01" "coord copy overdue --as-of 2099-06-01 --json" "coord copy overdue"
	"coord copy print 3 -o copy3.pdf" "coord copy print 1 -o copy1.pdf --json" "coord copy print 1 -o copy1.pdf"
	"coord copy return --condition fine 1" "coord copy lost --reason dropped 2 --json"
	"coord copy transfer --organisation Ofsted 1"
	"coord copy destroy --witness coord 1" "pam copy destroy --witness wit 1"
	"coord copy destroy --witness wit --note shredded 1" "coord copy destroy --witness wit 2 --json"
	"pam copy witness 1" "wit copy witness 1" "wit copy witness 1" "wit copy witness 2 --json"
	"coord copy history 1 --json" "coord copy list" "coord copy list --state destroyed --json"
)
run_steps direct
run_steps remote
compare "copies, the same directly and through the service"
grep -q '"holder":"wit"' "$T/wb/wst.json" && [ ! -e "$T/wb/pst.json" ]
ok $? "the receipt to sign is written here, and only for its holder"
if [ "$HAVE_PDF" = 1 ]; then
	pdfinfo "$T/wb/copy3.pdf" >/dev/null 2>&1; ok $? "the printed copy fetched through the service is a PDF"
	pdftotext "$T/wb/copy3.pdf" - 2>/dev/null | grep -q "#3 of 3"; ok $? "...stamped with its copy label"
	[ "$(pdfinfo "$T/wa/copy3.pdf" | grep -c Pages)" = "$(pdfinfo "$T/wb/copy3.pdf" | grep -c Pages)" ]
	ok $? "...with as many pages as the one printed directly"
else
	skip "the printed copy is a PDF" "pdfinfo/pdftotext are not installed"
fi

# ---- attacks on the copy commands ----
before=$(tree_hash "$T/B")
expect 2 "a path trick in COPY is refused before any request (exit 2)" -- remote coord copy history "../../etc"
err_has "not one the service can name"
expect 2 "...and in a destroy" -- remote coord copy destroy --witness wit "1/../2"
expect 2 "...and in the document of copy create" -- remote coord copy create "../x@1" --count 1
expect 2 "...and in what is recalled" -- remote coord copy recall "SCR-X/.."
expect 2 "a path trick in the document of DOC@VERSION#N is refused before any request" -- \
	remote coord copy history "../x@1#1"
err_has "not one the service can name"
expect 2 "the witness's key file cannot be used through the service: they sign in their own session" -- \
	remote coord copy destroy --witness wit --witness-key "$T/wit.key" 4
err_has "copy witness"
[ "$before" = "$(tree_hash "$T/B")" ]; ok $? "nothing reached the service: not even a sign-in was recorded in vault B"
# DOC@VERSION#N is looked up in the register: a holder whose role may not
# read it (directly, the library lets them name their own copy so) gives
# the register number through the service.
expect 3 "a holder who may not read the register cannot name their copy DOC@VERSION#N through the service" -- \
	remote wit copy acknowledge --statement-out wst3.json "$DOC@1#3"
err_has "copy.read"
expect 0 "...but by its register number" -- remote wit copy acknowledge --statement-out wst3.json 3
echo existing >"$T/wb/taken.pdf"
expect 6 "copy print -o onto an existing file is refused (exit 6)" -- remote coord copy print 3 -o taken.pdf
[ "$(cat "$T/wb/taken.pdf")" = existing ]; ok $? "...and the file is untouched"
remote coord copy list --json >"$T/reg.before" 2>&1
remote oli audit export --outcome denied >"$T/denied.before" 2>&1
expect 3 "the wrong role through the service: a panel member cannot make copies (exit 3)" -- \
	remote pam copy create "$DOC@1" --count 1
expect 3 "...nor issue one" -- remote pam copy issue 4 --to wit --purpose p --due 2099-01-01
expect 3 "a witness who is the destroyer is refused as locally" -- remote coord copy destroy --witness coord 4
err_has "someone other than"
remote coord copy list --json >"$T/reg.after" 2>&1
cmp -s "$T/reg.before" "$T/reg.after"; ok $? "the register is unchanged by the refusals"
remote oli audit export --outcome denied >"$T/denied.after" 2>&1
[ "$(grep -c '"copy.create"' "$T/denied.after")" -gt "$(grep -c '"copy.create"' "$T/denied.before")" ] &&
	[ "$(grep -c '"copy.issue"' "$T/denied.after")" -gt "$(grep -c '"copy.issue"' "$T/denied.before")" ] &&
	[ "$(grep -c '"copy.destroy"' "$T/denied.after")" -gt "$(grep -c '"copy.destroy"' "$T/denied.before")" ]
ok $? "each refusal is in the audit log"

# The witness with their key held by their own agent, not typed anywhere.
mkdir -m 0700 "$T/agent"
expect 0 "a copy destroyed through the service, witnessed by wit" -- remote coord copy destroy --witness wit 4
err_has "unverified"
"$SV" --key "$T/wit.key" --passphrase-file "$P" agent start --socket "$T/agent/wit.sock" --lifetime 10m \
	>"$T/agent.env" 2>&1; ok $? "wit starts their agent"
expect 0 "wit signs for the destruction through the service with their agent" -- \
	env SCRVAULT_AGENT_SOCK="$T/agent/wit.sock" "$SV" --server "unix:$S" copy witness 4
out_has "destruction signed by its witness"
expect 0 "...and the register shows it signed" -- remote coord copy history 4 --json
out_has '"witness_signature":"signed"'
# The holder signs the receipt written earlier on their own machine, and sends it.
env SCRVAULT_AGENT_SOCK="$T/agent/wit.sock" "$SV" agent sign "$T/wb/wst.json" >"$T/wb/wst.sig" 2>"$T/err"
ok $? "wit's agent signs the receipt the service wrote for copy 3"
sed 's/"label":"/"label":"X/' "$T/wb/wst.json" >"$T/wb/forged.json"
expect 3 "a receipt edited after it was signed is refused (exit 3)" -- \
	remote wit copy acknowledge --statement forged.json --signature wst.sig 3
err_has "not the one to sign"
expect 0 "...which is recorded through the service (--statement, --signature)" -- \
	remote wit copy acknowledge --statement wst.json --signature wst.sig 3
out_has "acknowledged"
env SCRVAULT_AGENT_SOCK="$T/agent/wit.sock" "$SV" agent stop >/dev/null 2>&1
# (the same on A, to keep the two vaults' registers alike)
direct coord copy destroy --witness wit 4 >/dev/null 2>&1 && direct wit copy witness 4 >/dev/null 2>&1 &&
	direct wit copy acknowledge 3 >/dev/null 2>&1
ok $? "copy 4 destroyed and witnessed, copy 3 acknowledged, directly on vault A too"

# ---- 2. principals ----
FP=$("$SV" keygen --json --key-out "$T/ann.key" --new-passphrase-file "$P" --kdf-memory 19 ann |
	sed -n 's/.*"fingerprint":"\([^"]*\)".*/\1/p')
"$SV" keygen --key-out "$T/bob.key" --new-passphrase-file "$P" --kdf-memory 19 --kind agency --agency police bob \
	>/dev/null 2>&1
steps=(
	"coord principal add --enrolment '$T/ann.key.enrol' --fingerprint 'not the words at all'"
	"coord principal add --enrolment '$T/ann.key.enrol' --fingerprint '$FP' --display-name Ann --contact ann@example.org"
	"coord principal add --enrolment '$T/ann.key.enrol' --fingerprint '$FP' --acceptance-out ann-again.accept"
	"coord principal add --enrolment '$T/ann.key.enrol' --fingerprint '$FP' --acceptance-out ann2.accept --json"
	"pam principal add --enrolment '$T/bob.key.enrol' --fingerprint '$FP'"
	"coord principal add --enrolment '$T/bob.key.enrol' --fingerprint '$FP' --acceptance-out bob.accept"
	"coord principal grant ann panel-member --case SCR-X" "coord principal grant ann no-such-role"
	"coord principal grant ann auditor --case SCR-X" "pam principal grant ann auditor"
	"coord principal show ann" "coord principal show ann --json"
	"coord principal ungrant ann panel-member --case SCR-X" "coord principal ungrant ann panel-member --case SCR-X"
	"coord principal impact pam" "coord principal impact pam --json" "coord principal impact nobody"
	"pam principal revoke ann" "coord principal revoke --reason left ann" "coord principal revoke ann"
	"coord principal list --json"
)
run_steps direct
run_steps remote
compare "principals, the same directly and through the service"
[ -s "$T/wb/ann.accept" ] && [ ! -e "$T/wb/ann-again.accept" ] && [ ! -e "$T/wb/bob.accept" ]
ok $? "the acceptance is written here, and only for a registration that succeeded"
"$SV" keyfile accept --key "$T/ann.key" --passphrase-file "$P" "$T/wb/ann.accept" >/dev/null 2>&1
ok $? "...and the holder imports it into their key file"
expect 2 "a path trick in NAME is refused before any request (exit 2)" -- remote coord principal grant "../x" auditor
err_has "not one the service can name"
expect 2 "...in revoke too" -- remote coord principal revoke "a/b"
expect 2 "a service principal's key file is not made through the service" -- \
	remote coord principal add --kind service --key-out "$T/job.key" --no-passphrase job
err_has "enrolment request"
echo taken >"$T/wb/taken.accept"
expect 6 "an acceptance never replaces a file" -- \
	remote coord principal add --enrolment "$T/bob.key.enrol" --fingerprint "x" --acceptance-out taken.accept
[ "$(cat "$T/wb/taken.accept")" = taken ]; ok $? "...which is untouched"

# ---- 3. documents: declare, release, receipt ----
VKEY=$(sv audit pubkey)
echo taken >"$T/wa/taken.age"; echo taken >"$T/wb/taken.age"
steps=(
	"coord doc declare $DOC@1" "coord doc declare $DOC@1 --json" "coord doc declare $DOC@9" "pam doc declare $DOC@1"
	"coord doc release $DOC@1 --to pam -o rel1.age" "coord doc release $DOC --to wit -o rel2.age --json"
	"coord doc release $DOC@1 --to oli -o rel3.age" "coord doc release $DOC@1 --to nobody -o rel4.age"
	"coord doc release $DOC@1 --to ann -o rel5.age" "pam doc release $DOC@1 --to pam -o rel6.age"
	"coord doc release $DOC@1 --to pam -o taken.age" "coord doc release $DOC@7 --to pam -o rel7.age"
	"coord doc receipt $DOC@1 -o receipt.json" "coord doc receipt $DOC@1 -o receipt.json" "coord doc receipt $DOC@3"
	"pam copy list --json"
)
run_steps direct
run_steps remote
compare "documents, the same directly and through the service"
for f in rel3.age rel4.age rel5.age rel6.age rel7.age; do
	[ ! -e "$T/wb/$f" ] || { echo "# $f exists"; false; }
done; ok $? "no bundle is written for a refused release"
[ "$(cat "$T/wb/taken.age")" = taken ]; ok $? "a release never replaces a file"
expect 0 "the holder opens the bundle fetched through the service, verified" -- \
	"$SV" open --key "$T/pam.key" --passphrase-file "$P" --vault-key "$VKEY" -o "$T/rel1.out" "$T/wb/rel1.age"
cmp -s "$T/rel1.out" "$SAMPLE"; ok $? "...and it is the document"
expect 0 "the receipt fetched through the service verifies offline" -- \
	"$(dirname "$SV")/scrvault-seal" receipt verify --vkey "$VKEY" --file "$SAMPLE" "$T/wb/receipt.json"
expect 2 "a path trick in DOC is refused before any request (exit 2)" -- remote coord doc release "../../x@1" --to pam -o x.age
err_has "not one the service can name"
expect 2 "...in declare too" -- remote coord doc declare "a/b@1"
[ ! -e "$T/wb/x.age" ]; ok $? "...and nothing is written"

# ---- 4. audit, reports, intake ----
FROM=$(date -u -d '1 year ago' +%F) TO=$(date -u -d yesterday +%F)
"$SV" intake seal --key "$T/police.key" --passphrase-file "$P" --to "$R" --case SCR-X --class imr \
	--title "IMR" -o "$T/imr.age" "$SAMPLE" >/dev/null 2>&1; ok $? "the police seal an IMR to the vault"
# A new document's id, the PDFs' digests and the proofs of a log that has
# grown by the sign-ins differ between two runs; so do the figures' times.
ln -s "$T/imr.age" "$T/imr-link.age"
NORM_MORE='s/[0-9a-f]{32}/DOCID/g; s/sha256 [0-9a-f]{64}/sha256 SHA/g; s/"sha256":"[0-9a-f]{64}"/"sha256":"SHA"/g; s/"(size|entries)":[0-9]+/"\1":N/g; s/signed log of [0-9]+ entries/signed log of N entries/; s/"seqs":\[[0-9,]*\]/"seqs":N/'
steps=(
	"coord audit show 1" "coord audit show 3" "coord audit show 999999" "pam audit show 1"
	"coord audit checkpoint -o cp.txt" "coord audit checkpoint -o cp.txt"
	"coord audit prove 2 -o p2.txt" "coord audit prove --seq 2,3 --title two -o set.proof"
	"coord audit prove --case SCR-X -o case.proof --json" "coord audit prove --seq 2 -o set.proof"
	"pam audit prove 2"
	"coord report board --from $FROM --to $TO -o board.pdf --csv board.csv"
	"coord report case SCR-X -o case.pdf --json" "coord report case SCR-X -o case.pdf"
	"coord report case SCR-NONE -o none.pdf" "pam report board --from $FROM --to $TO -o pam.pdf"
	"pam intake import '$T/imr.age'" "coord intake import '$T/imr.age'" "coord intake import '$T/imr.age'"
	"coord intake import '$T/imr-link.age'" "coord intake import '$T/no-such.age'" "coord intake import '$T'"
)
run_steps direct
run_steps remote
compare "audit, reports and intake, the same directly and through the service"
NORM_MORE=
expect 0 "the checkpoint fetched through the service is a signed note of this vault" -- grep -q "$(echo "$VKEY" | cut -d+ -f1)" "$T/wb/cp.txt"
for f in set.proof case.proof; do
	expect 0 "the proof set $f fetched through the service verifies offline" -- \
		"$SV" audit verify --vkey "$VKEY" "$T/wb/$f"
done
expect 0 "the entry proof fetched through the service verifies offline" -- \
	"$SV" audit verify --vkey "$VKEY" --proof "$T/wb/p2.txt"
for f in board case; do
	expect 0 "the $f report fetched through the service verifies (report verify)" -- \
		"$SV" report verify --vkey "$VKEY" "$T/wb/$f.pdf"
done
cmp -s "$T/wa/board.csv" "$T/wb/board.csv"; ok $? "the Board's figures are the same as made directly"
[ ! -e "$T/wb/none.pdf" ] && [ ! -e "$T/wb/pam.pdf" ] && [ ! -e "$T/wb/pam.pdf.sig" ]; ok $? "a refused report leaves no file"
expect 2 "an unauthenticated import is not offered through the service" -- \
	remote coord intake import --unauthenticated --received-from x --case SCR-X --class imr "$T/imr.age"
err_has "only a signed bundle"
expect 2 "a path trick in a report's case is refused before any request" -- remote coord report case "../x" -o x.pdf
err_has "not one the service can name"

finish
