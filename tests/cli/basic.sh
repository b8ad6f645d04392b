#!/usr/bin/env bash
# The coordinator's everyday commands: init, principals, cases, documents.
. "$(dirname "$0")/lib.bash"

mkvault
ok $? "init creates a vault"
for f in keyring vault.db store.git; do
	[ -e "$V/$f" ]; ok $? "vault has $f"
done
[ "$(stat -c %a "$K")" = 600 ]; ok $? "key file is mode 0600"
[ "$(stat -c %a "$V")" = 700 ]; ok $? "vault directory is mode 0700"

expect 6 "init refuses an existing vault" -- "$SV" init --vault "$V" --key-out "$T/other.key" --new-passphrase-file "$P" --kdf-memory 19 x
expect 6 "init refuses to overwrite a key file" -- "$SV" init --vault "$T/v2" --key-out "$K" --new-passphrase-file "$P" --kdf-memory 19 x
[ ! -e "$T/v2" ]; ok $? "refused init leaves no directory"
expect 2 "init without --key-out is a usage error" -- "$SV" init --vault "$T/v3" x

expect 0 "principal add (second custodian)" -- enrol --custodian --key-out "$T/c2.key" --display-name "Deputy" --contact "deputy@lscb.example" deputy
expect 0 "principal add (agency account)" -- enrol --kind agency --agency police --key-out "$T/police.key" police-imr
expect 6 "principal add refuses a duplicate name" -- enrol --key-out "$T/dup.key" deputy
expect 2 "principal add refuses a bad name" -- enrol --key-out "$T/bad.key" "../evil"
err_has "not valid"
expect 0 "principal list" -- sv principal list
out_has "deputy"; out_has "police-imr"
expect 0 "principal list --json" -- sv principal list --json
grep -q '"name":"coord"' "$T/out"; ok $? "json lists coord"
expect 0 "principal show" -- sv principal show deputy
out_has "deputy@lscb.example"
expect 4 "principal show of an unknown name" -- sv principal show nobody

expect 3 "a custodian without a role can unlock but do nothing" -- "$SV" --vault "$V" --key "$T/c2.key" --passphrase-file "$P" principal list
err_has "holds no role"
expect 0 "grant the second custodian the coordinator role" -- sv principal grant deputy coordinator
expect 0 "second custodian can unlock" -- "$SV" --vault "$V" --key "$T/c2.key" --passphrase-file "$P" principal list
expect 3 "a non-custodian cannot unlock" -- "$SV" --vault "$V" --key "$T/police.key" --passphrase-file "$P" principal list
err_has "not a custodian"

expect 0 "case open" -- sv case open --title "Child W" --type scr --subject-dob 2015-02-03 --decision-date 2026-01-10 SCR-2026-03
expect 6 "case open refuses a duplicate" -- sv case open --title "again" SCR-2026-03
expect 2 "case open refuses a bad date" -- sv case open --title "x" --subject-dob 2015-02-30 SCR-2026-04
expect 2 "case open refuses a bad reference" -- sv case open --title "x" "SCR/../x"
expect 2 "case open refuses an unknown review type" -- sv case open --title "x" --type other SCR-2026-05
expect 0 "case list" -- sv case list
out_has "SCR-2026-03"
expect 0 "case list --json" -- sv case list --json
grep -q '"ref":"SCR-2026-03"' "$T/out"; ok $? "json lists the case"

cp "$SAMPLES/imr-police.pdf" "$T/imr-police.pdf"
expect 0 "doc checkin" -- sv doc checkin --case SCR-2026-03 --class imr --agency police --title "Police IMR" "$T/imr-police.pdf"
expect 0 "doc list --json" -- sv doc list --json
DOC=$(grep -o '"doc":"[0-9a-f]*"' "$T/out" | head -1 | cut -d'"' -f4)
[ ${#DOC} -eq 32 ]; ok $? "document id is 32 hex characters"
expect 0 "doc checkout" -- sv doc checkout -o "$T/out.pdf" "$DOC"
cmp -s "$T/out.pdf" "$SAMPLES/imr-police.pdf"; ok $? "checked-out file is byte-identical"
[ "$(stat -c %a "$T/out.pdf")" = 600 ]; ok $? "checked-out file is mode 0600"
expect 6 "doc checkout refuses to overwrite" -- sv doc checkout -o "$T/out.pdf" "$DOC"
expect 0 "doc checkout --force overwrites" -- sv doc checkout --force -o "$T/out.pdf" "$DOC"
printf 'second version\n' > "$T/v2.txt"
expect 0 "doc checkin of a new version" -- sv doc checkin --doc "$DOC" --note "redacted" "$T/v2.txt"
expect 0 "doc checkout of the latest" -- sv doc checkout -o "$T/latest" "$DOC"
cmp -s "$T/latest" "$T/v2.txt"; ok $? "latest is version 2"
expect 0 "doc checkout DOC@1" -- sv doc checkout -o "$T/first" "$DOC@1"
cmp -s "$T/first" "$SAMPLES/imr-police.pdf"; ok $? "version 1 still comes back"
expect 0 "doc checkout by unique prefix to stdout" -- sv doc checkout "${DOC:0:8}@1"
cmp -s "$T/out" "$SAMPLES/imr-police.pdf"; ok $? "stdout checkout is byte-identical"
expect 4 "doc checkout of a missing version" -- sv doc checkout -o "$T/none" "$DOC@9"
[ ! -e "$T/none" ]; ok $? "nothing written for a missing version"
expect 4 "doc checkout of an unknown document" -- sv doc checkout -o "$T/none" 0123456789abcdef
expect 2 "doc checkout of a malformed id" -- sv doc checkout -o "$T/none" "../../etc"
expect 0 "doc log" -- sv doc log "$DOC"
out_has "redacted"
expect 0 "doc show" -- sv doc show "$DOC"
out_has "Police IMR"
expect 0 "doc show --json" -- sv doc show --json "$DOC"
grep -q '"versions":\[' "$T/out"; ok $? "doc show --json lists versions"
expect 0 "case show lists the document" -- sv case show SCR-2026-03
out_has "$DOC"
expect 2 "doc checkin needs --case and --class" -- sv doc checkin "$T/v2.txt"
expect 2 "doc checkin refuses an unknown class" -- sv doc checkin --case SCR-2026-03 --class bogus "$T/v2.txt"
expect 4 "doc checkin into an unknown case" -- sv doc checkin --case SCR-1999-01 --class imr "$T/v2.txt"
expect 4 "doc checkin of a missing file" -- sv doc checkin --case SCR-2026-03 --class imr "$T/missing.pdf"
expect 2 "doc checkin of a directory" -- sv doc checkin --case SCR-2026-03 --class imr "$T"
expect 0 "batch checkin of many files in one commit" -- sv doc checkin --case SCR-2026-03 --class other "$SAMPLES"/*.pdf
commits=$(git --git-dir="$V/store.git" log --format=%s main | grep -c '^checkin')
[ "$commits" -eq 3 ]; ok $? "one commit per check-in (3 check-ins: $commits)"
git --git-dir="$V/store.git" fsck --full --strict >/dev/null 2>&1; ok $? "git fsck --full --strict passes on the store"
# Several documents at once: one unlock, safe file names.
printf 'evil\n' > "$T/evil.txt"
expect 0 "check in with a path-trick file name" -- sv doc checkin --case SCR-2026-03 --class other --filename "../../.evil" "$T/evil.txt"
mkdir "$T/outdir"
expect 0 "doc checkout --case into a directory" -- sv doc checkout --case SCR-2026-03 -o "$T/outdir"
n_out=$(ls -A "$T/outdir" | wc -l); n_docs=$(sv doc list --case SCR-2026-03 --json | grep -o '"doc":' | wc -l)
[ "$n_out" -eq "$n_docs" ]; ok $? "every document of the case is there ($n_out of $n_docs)"
[ -f "$T/outdir/_._.evil" ] || ls "$T/outdir" | grep -q '^_\._\._evil$\|evil'; ok $? "a path-trick name stays inside the directory"
[ ! -e "$T/.evil" ] && [ ! -e "$T/../.evil" ]; ok $? "nothing written outside the directory"
! ls -A "$T/outdir" | grep -q '^\.'; ok $? "no hidden files created"
cmp -s "$T/outdir/imr-police.pdf" "$SAMPLES/imr-police.pdf"; ok $? "batch check-out is byte-identical"
expect 6 "batch check-out refuses to overwrite" -- sv doc checkout --case SCR-2026-03 -o "$T/outdir"
mkdir "$T/outdir2"
expect 0 "doc checkout of two ids into a directory" -- sv doc checkout -o "$T/outdir2" "$DOC@1" "$DOC@2"
[ "$(ls "$T/outdir2" | wc -l)" -eq 2 ]; ok $? "two versions, two files (a clash gets the id prefix)"
expect 2 "several documents need a directory" -- sv doc checkout -o "$T/notadir" "$DOC@1" "$DOC@2"
expect 0 "fsck is clean" -- sv fsck
out_has "clean"
expect 3 "a role not granted cannot be taken" -- sv --role auditor case list
err_has "does not hold role 'auditor'"
expect 0 "grant coord the auditor role too" -- sv principal grant coord auditor
expect 3 "auditor role may not read a document" -- sv --role auditor doc checkout -o "$T/x" "$DOC"
err_has "permission 'doc.read"

# -h on every command, and the man page names every command.
while read -r g c; do
	"$SV" $g $c -h >"$T/help" 2>&1; rc=$?
	[ $rc -eq 0 ] && grep -q "^usage: scrvault $g" "$T/help"; ok $? "'$g $c -h' prints usage"
	grep -q "$g${c:+ $c}" "$ROOT/man/scrvault.1"; ok $? "man page documents '$g${c:+ $c}'"
done <<'CMDS'
init
principal add
principal list
principal show
case open
case list
case show
referral new
referral recommend
referral decide
referral notify
referral list
referral show
doc checkin
doc checkout
doc list
doc log
doc show
doc declare
case reopen
retention review
fsck
audit pubkey
audit checkpoint
audit tail
audit show
audit export
audit verify
audit prove
audit consistency
op list
op approve
op refuse
approve
refuse
tls ca
tls ca-cert
tls issue
tls pin
agent start
agent status
agent stop
agent sign
status
unseal
seal
CMDS
expect 2 "unknown command exits 2" -- "$SV" frobnicate
expect 2 "unknown option exits 2" -- sv case list --frob
finish
