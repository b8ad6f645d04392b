#!/usr/bin/env bash
# Bundles as agencies, the coordinator and readers rely on them: an agency
# seals an IMR with only its key file and the vault's recipient; the
# coordinator imports it (and every bad bundle is refused, audited, and
# stores nothing); a reader opens a release made for them, and stock age
# opens one made to an age recipient.
. "$(dirname "$0")/lib.bash"

FORGE="$(dirname "$SV")/tests/tools/forge_bundle"
HAVE_AGE=1
command -v age >/dev/null && command -v age-keygen >/dev/null || HAVE_AGE=0

mkvault
sv case open --title "Child X" SCR-X >/dev/null
sv case open --title "Child Y" SCR-Y >/dev/null
add() {		# add NAME [principal add options]
	local name=$1; shift
	enrol --key-out "$T/$name.key" "$@" "$name" >/dev/null
}
add police --kind agency --agency police --display-name "Metropolitan Police"
add health --kind agency --agency health --display-name "Health trust"
add pam --display-name "Panel member X"
add yan --display-name "Panel member Y"
add dep --custodian --display-name "Deputy custodian"
sv principal grant police agency-submitter --case SCR-X --agency police >/dev/null
sv principal grant health agency-submitter --case SCR-Y --agency health >/dev/null
sv principal grant pam panel-member --case SCR-X >/dev/null
sv principal grant yan panel-member --case SCR-Y >/dev/null
sv principal grant dep coordinator >/dev/null

# ---- the vault's recipient ------------------------------------------------------------
expect 3 "only a coordinator makes the intake recipient" -- sv --as-key "$T/pam.key" --as-passphrase-file "$P" recipient
expect 0 "scrvault recipient prints the intake recipient" -- sv recipient
R=$(cat "$T/out")
[[ $R == age1* ]]; ok $? "it is an age recipient (age1...)"
expect 0 "and the same one every time" -- sv recipient
[ "$(cat "$T/out")" = "$R" ]; ok $? "...unchanged"
expect 0 "--signing-key prints the vault's signing key" -- sv recipient --signing-key
SK=$(cat "$T/out")
expect 0 "--json has both" -- sv recipient --json
out_has "\"recipient\":\"$R\""; out_has "\"signing_key\":\"$SK\""
echo "$R" > "$T/vault.recipient"
expect 0 "once made, anyone unlocked may read it" -- sv --as-key "$T/pam.key" --as-passphrase-file "$P" recipient
[ "$(cat "$T/out")" = "$R" ]; ok $? "...the same recipient"

# ---- seal: the agency side, no vault -----------------------------------------------------
head -c 200000 /dev/urandom > "$T/imr.pdf"
printf 'MARKER-CONTENT-7431 ' >> "$T/imr.pdf"
seal() {	# seal KEY OUT [options...] FILE  (no vault, no vault environment)
	local key=$1 out=$2; shift 2
	env -u SCRVAULT_DIR "$SV" intake seal --key "$T/$key.key" --passphrase-file "$P" --to "$R" -o "$out" "$@"
}
expect 0 "an agency seals an IMR with only its key file and the recipient" -- \
	seal police "$T/imr.age" --case SCR-X --class imr --title "MARKER-TITLE-5521" "$T/imr.pdf"
[ -s "$T/imr.age" ]; ok $? "the bundle exists"
head -c 21 "$T/imr.age" | grep -q '^age-encryption.org/v1'; ok $? "it is an age v1 file"
! grep -qa -e MARKER -e SCR-X -e police -e imr.pdf "$T/imr.age"; ok $? "no title, case, agency, file name or content in clear"
expect 6 "an existing output is never replaced" -- seal police "$T/imr.age" --case SCR-X --class imr "$T/imr.pdf"
expect 0 "--to also takes a file holding the recipient" -- \
	env -u SCRVAULT_DIR "$SV" intake seal --key "$T/police.key" --passphrase-file "$P" --to "$T/vault.recipient" \
	--case SCR-X --class imr -o "$T/imr-b.age" "$T/imr.pdf"
expect 2 "a bad recipient" -- seal police "$T/x.age" --case SCR-X --class imr --to age1qqqq "$T/imr.pdf"
expect 2 "seal needs the case" -- env "$SV" intake seal --key "$T/police.key" --passphrase-file "$P" --to "$R" --class imr -o "$T/x.age" "$T/imr.pdf"
expect 4 "a missing input file" -- seal police "$T/x.age" --case SCR-X --class imr "$T/none.pdf"
printf 'wrong\n' > "$T/wrongpass"
expect 3 "a wrong passphrase" -- env "$SV" intake seal --key "$T/police.key" --passphrase-file "$T/wrongpass" --to "$R" \
	--case SCR-X --class imr -o "$T/x.age" "$T/imr.pdf"
[ ! -e "$T/x.age" ]; ok $? "failed seals leave no output"

# ---- import -----------------------------------------------------------------------------
HEAD0=$(git --git-dir="$V/store.git" rev-parse main)
expect 0 "the coordinator imports it" -- sv intake import --json "$T/imr.age"
out_has '"authenticated":true'; out_has '"signer":"police"'
D=$(grep -o '"doc":"[0-9a-f]*"' "$T/out" | cut -d'"' -f4)
expect 0 "it is in the case with its title and agency" -- sv doc list --case SCR-X --json
out_has "MARKER-TITLE-5521"; out_has '"agency":"police"'
sv doc checkout -o "$T/imr.out" "$D" 2>/dev/null
cmp -s "$T/imr.out" "$T/imr.pdf"; ok $? "and checks out byte-identical"
expect 0 "the import is in the audit log" -- sv audit tail --json
out_has '"action":"intake.import"'

docs() { sv doc list --json | grep -o '"doc":' | wc -l; }
docid() {	# docid TITLE: the id of the document with that title
	sv doc list --json | python3 -c 'import json,sys; print([d["doc"] for d in json.load(sys.stdin) if d["title"] == sys.argv[1]][0])' "$1"
}
N0=$(docs)
HEAD1=$(git --git-dir="$V/store.git" rev-parse main)
# refused IMPORT-ARGS: exit STATUS, message TEXT, nothing stored, audited
refused() {
	local want=$1 text=$2 desc=$3; shift 3
	local before after
	before=$(sv audit tail --json --lines 1000 2>/dev/null | grep -o '"intake.import"' | wc -l)
	expect "$want" "refused: $desc" -- sv intake import "$@"
	err_has "$text"
	[ "$(docs)" = "$N0" ] && [ "$(git --git-dir="$V/store.git" rev-parse main)" = "$HEAD1" ]
	ok $? "...nothing stored ($desc)"
	after=$(sv audit tail --json --lines 1000 2>/dev/null | grep -o '"intake.import"' | wc -l)
	[ "$after" -gt "$before" ]; ok $? "...and the refusal is an audit entry ($desc)"
}
refused 6 "already imported" "the same bundle twice" "$T/imr.age"

"$FORGE" --to "$R" --key "$T/police.key" --passphrase-file "$P" --content "$T/imr.pdf" --case SCR-X --class imr \
	--break-signature -o "$T/badsig.age"
refused 5 "does not verify" "a broken signature" "$T/badsig.age"
"$FORGE" --to "$R" --key "$T/police.key" --passphrase-file "$P" --content "$T/imr.pdf" --case SCR-X --class imr \
	--set sha256=0000000000000000000000000000000000000000000000000000000000000000 -o "$T/badsha.age"
refused 5 "does not match its signed manifest" "a manifest hash that does not match the content" "$T/badsha.age"
"$FORGE" --to "$R" --key "$T/police.key" --passphrase-file "$P" --content "$T/imr.pdf" --case SCR-X --class imr \
	--set signer=health -o "$T/liar.age"
refused 5 "signed with the key" "a manifest naming another signer" "$T/liar.age"
"$FORGE" --to "$R" --key "$T/health.key" --passphrase-file "$P" --sign-with "$T/police.key" --content "$T/imr.pdf" \
	--case SCR-X --class imr -o "$T/swap.age"
refused 5 "signed with the key" "a signature by another agency's key" "$T/swap.age"
"$FORGE" --to "$R" --key "$T/police.key" --passphrase-file "$P" --content "$T/imr.pdf" --case SCR-X --class imr \
	--set agency=health -o "$T/agency.age"
refused 3 "registered for agency 'police'" "an agency the signer does not belong to" "$T/agency.age"
"$FORGE" --to "$R" --key "$T/police.key" --passphrase-file "$P" --content "$T/imr.pdf" --case SCR-X --class imr \
	--two-manifests -o "$T/two.age"
refused 5 "two manifests" "two manifests" "$T/two.age"
"$FORGE" --to "$R" --key "$T/police.key" --passphrase-file "$P" --content "$T/imr.pdf" --case SCR-X --class imr \
	--bad-stanza-version -o "$T/v9.age"
refused 5 "malformed" "a manifest stanza of an unknown version" "$T/v9.age"
"$FORGE" --to "$R" --key "$T/police.key" --passphrase-file "$P" --content "$T/imr.pdf" --case SCR-X --class imr \
	--set type="scrvault-release v1" -o "$T/type.age"
refused 5 "not an intake bundle" "a release passed off as an intake bundle" "$T/type.age"

seal police "$T/ovr.age" --case SCR-X --class overview-report "$T/imr.pdf"
refused 3 "may not submit a document of class 'overview-report'" "a class the agency may not submit" "$T/ovr.age"
seal police "$T/casey.age" --case SCR-Y --class imr "$T/imr.pdf"
refused 3 "may not submit" "a case the agency may not submit to" "$T/casey.age"

# An agency of another vault: a key this vault never registered.
mkdir -p "$T/other"
"$SV" init --vault "$T/other/V" --key-out "$T/other/c.key" --new-passphrase-file "$P" --kdf-memory 19 other >/dev/null
(V="$T/other/V" K="$T/other/c.key"; enrol --key-out "$T/stranger.key" --kind agency --agency police police) >/dev/null
seal stranger "$T/stranger.age" --case SCR-X --class imr "$T/imr.pdf"
refused 3 "no principal of this vault has" "an unknown agency (same name, unregistered key)" "$T/stranger.age"
OR=$("$SV" --vault "$T/other/V" --key "$T/other/c.key" --passphrase-file "$P" recipient)
env "$SV" intake seal --key "$T/police.key" --passphrase-file "$P" --to "$OR" --case SCR-X --class imr \
	-o "$T/elsewhere.age" "$T/imr.pdf"
refused 5 "not addressed to this vault" "a bundle sealed for another vault" "$T/elsewhere.age"
"$FORGE" --to "$R" --key "$T/police.key" --passphrase-file "$P" --content "$T/imr.pdf" --case SCR-X --class imr \
	--set to="$OR" -o "$T/reenc.age"
refused 5 "another recipient" "a signed manifest re-encrypted to this vault" "$T/reenc.age"

# A revoked agency.
add oldpol --kind agency --agency police --display-name "Old police account"
sv principal grant oldpol agency-submitter --case SCR-X --agency police >/dev/null
seal oldpol "$T/old.age" --case SCR-X --class imr "$T/imr.pdf"
sv principal revoke --reason "left the board" oldpol >/dev/null
N0=$(docs); HEAD1=$(git --git-dir="$V/store.git" rev-parse main)
refused 3 "revoked" "a revoked agency" "$T/old.age"

# Truncated, malformed.
SZ=$(stat -c %s "$T/imr-b.age")
head -c $((SZ - 100)) "$T/imr-b.age" > "$T/trunc.age"
refused 5 "truncated or damaged" "a truncated payload" "$T/trunc.age"
head -c 60 "$T/imr-b.age" > "$T/trunchdr.age"
refused 5 "malformed or truncated" "a truncated header" "$T/trunchdr.age"
head -c 4096 /dev/urandom > "$T/noise.age"
refused 5 "malformed" "random bytes" "$T/noise.age"
cp "$T/imr-b.age" "$T/flip.age"
printf '\x55' | dd of="$T/flip.age" bs=1 seek=$((SZ - 5000)) conv=notrunc 2>/dev/null
refused 5 "truncated or damaged" "a flipped byte in the content" "$T/flip.age"
: > "$T/empty.age"
refused 5 "malformed" "an empty file" "$T/empty.age"

# Unsigned files from stock age.
if [ $HAVE_AGE = 1 ]; then
	age -r "$R" -o "$T/plain.age" "$T/imr.pdf"
	refused 3 "no signed manifest" "an unsigned file without --unauthenticated" "$T/plain.age"
	expect 2 "--unauthenticated needs --received-from" -- sv intake import --unauthenticated --case SCR-X --class imr "$T/plain.age"
	expect 0 "imported only when the coordinator says who sent it" -- sv intake import --json --unauthenticated \
		--received-from "handed over on a USB stick by DS Green" --case SCR-X --class imr --agency police \
		--title "Police IMR (USB)" "$T/plain.age"
	out_has '"authenticated":false'
	DU=$(grep -o '"doc":"[0-9a-f]*"' "$T/out" | cut -d'"' -f4)
	expect 0 "doc log shows it came unauthenticated, with its received-from text" -- sv doc log --json "$DU"
	out_has "imported unauthenticated, received from: handed over on a USB stick by DS Green"
	expect 0 "...and doc show too" -- sv doc show --json "$DU"
	out_has '"source":"unauthenticated-bundle"'; out_has '"received_from":"handed over on a USB stick by DS Green"'
	expect 0 "recorded as unauthenticated" -- sv audit tail --json
	out_has '"authenticated":false'
	! grep -q "DS Green" "$T/out"; ok $? "the sender's description stays out of the audit log"
	expect 2 "a signed bundle is not imported as unauthenticated" -- sv intake import --unauthenticated \
		--received-from x "$T/imr-b.age"
	age -a -r "$R" -o "$T/armored.age" "$T/imr.pdf"
	expect 0 "an armored age file is accepted too" -- sv intake import --unauthenticated --received-from "e-mail" \
		--case SCR-X --class imr --agency police "$T/armored.age"
else
	skip "stock age interop" "age not installed"
fi

# The policy's size limit (a policy change needs the second custodian).
DEF="$ROOT/policy/default.conf"
sed 's/max-size = 512M/max-size = 100K/' "$DEF" > "$T/small.conf"
sv policy load "$T/small.conf" > "$T/out"
OP=$(grep -o 'pending operation [0-9a-f]*' "$T/out" | cut -d' ' -f3)
"$SV" --vault "$V" --key "$T/dep.key" --passphrase-file "$P" approve "$OP" >/dev/null
N0=$(docs); HEAD1=$(git --git-dir="$V/store.git" rev-parse main)
refused 3 "larger than this vault accepts" "a bundle larger than the policy limit" "$T/imr-b.age"
sv policy load "$DEF" > "$T/out"
OP=$(grep -o 'pending operation [0-9a-f]*' "$T/out" | cut -d' ' -f3)
"$SV" --vault "$V" --key "$T/dep.key" --passphrase-file "$P" approve "$OP" >/dev/null

expect 0 "a new version from a second bundle (--doc)" -- sv intake import --doc "$D" "$T/imr-b.age"
out_has "version 2"
# Each version's provenance (issue 18, item 8).
sv doc checkin --doc "$D" "$T/imr.pdf" >/dev/null	# (same content: later releases compare with it)
expect 0 "doc log shows each version's provenance" -- sv doc log "$D"
out_has "imported from a bundle signed by police (police)"
out_has "checked in by coord"
expect 0 "doc show --json gives it as fields" -- sv doc show --json "$D"
out_has '"signed_by":"police","size":200020,"source":"bundle"'; out_has '"source":"checkin"'
expect 0 "fsck is clean after all of it" -- sv fsck

# ---- sizes across the boundary ---------------------------------------------------------------
for size in 0 65536 65537; do
	head -c $size /dev/urandom > "$T/s$size.bin"
	seal police "$T/s$size.age" --case SCR-X --class imr "$T/s$size.bin" 2>/dev/null
	sv intake import --json "$T/s$size.age" > "$T/out" 2>"$T/err"
	d=$(grep -o '"doc":"[0-9a-f]*"' "$T/out" | cut -d'"' -f4)
	sv doc checkout -o "$T/s$size.out" "$d" 2>/dev/null
	cmp -s "$T/s$size.bin" "$T/s$size.out"; ok $? "a $size-byte document survives seal, import and check-out"
done

# ---- release and open ---------------------------------------------------------------------------
expect 0 "release a version to a panel member" -- sv doc release "$D@1" --to pam -o "$T/rel.age"
out_has "release 1"
! grep -qa -e MARKER -e SCR-X "$T/rel.age"; ok $? "the release carries nothing in clear"
opn() {		# opn KEY ARGS...: a reader opens with their own key file, no vault
	local key=$1; shift
	env -u SCRVAULT_DIR "$SV" open --key "$T/$key.key" --passphrase-file "$P" "$@"
}
expect 0 "the panel member opens it with their own key" -- opn pam -o "$T/rel.out" "$T/rel.age"
cmp -s "$T/rel.out" "$T/imr.pdf"; ok $? "byte-identical to what the agency sealed"
err_has "was not checked against" "without --vault-key, a warning that the signer was not pinned"
expect 0 "with the vault's signing key, checked" -- opn pam --vault-key "$SK" -o "$T/rel2.out" "$T/rel.age"
! grep -q warning "$T/err"; ok $? "...and no warning"
VK=$(sv audit pubkey)
expect 0 "the published verifier key (audit pubkey) pins it too" -- opn pam --vault-key "$VK" -o "$T/rel2b.out" "$T/rel.age"
! grep -q warning "$T/err"; ok $? "...and no warning"
OVK=$("$SV" --vault "$T/other/V" --key "$T/other/c.key" --passphrase-file "$P" audit pubkey)
expect 5 "another vault's verifier key is refused" -- opn pam --vault-key "$OVK" -o "$T/rel2c.out" "$T/rel.age"
expect 2 "a malformed verifier key is a usage error" -- opn pam --vault-key "scrvault.local/x+1+AAAA" -o "$T/rel2d.out" "$T/rel.age"
OSK=$("$SV" --vault "$T/other/V" --key "$T/other/c.key" --passphrase-file "$P" recipient --signing-key)
expect 5 "another vault's signing key is refused" -- opn pam --vault-key "$OSK" -o "$T/rel3.out" "$T/rel.age"
[ ! -e "$T/rel3.out" ]; ok $? "...and nothing written"
expect 3 "someone else cannot open it" -- opn yan -o "$T/rel4.out" "$T/rel.age"
err_has "not released to you"
expect 6 "open never replaces a file" -- opn pam -o "$T/rel.out" "$T/rel.age"

RSZ=$(stat -c %s "$T/rel.age")
cp "$T/rel.age" "$T/relflip.age"
printf '\x55' | dd of="$T/relflip.age" bs=1 seek=$((RSZ - 3000)) conv=notrunc 2>/dev/null
expect 5 "a tampered release is refused" -- opn pam -o "$T/relflip.out" "$T/relflip.age"
[ ! -e "$T/relflip.out" ]; ok $? "...and nothing written"
head -c $((RSZ - 70000)) "$T/rel.age" > "$T/reltrunc.age"
expect 5 "a truncated release is refused" -- opn pam -o "$T/reltrunc.out" "$T/reltrunc.age"
[ ! -e "$T/reltrunc.out" ]; ok $? "...and nothing written"

expect 3 "a reader who may not read the case gets nothing" -- sv doc release "$D" --to yan -o "$T/ry.age"
err_has "may not read"
[ ! -e "$T/ry.age" ]; ok $? "...no file"
expect 3 "a panel member cannot release" -- sv --as-key "$T/pam.key" --as-passphrase-file "$P" doc release "$D" --to pam -o "$T/rp.age"
expect 6 "a release never replaces a file" -- sv doc release "$D" --to pam -o "$T/rel.age"
expect 4 "no such reader" -- sv doc release "$D" --to nobody -o "$T/rn.age"

# The file name a release records cannot steer where open writes.
mkdir -p "$T/reader/sub"
printf 'evil\n' > "$T/evil.txt"
sv doc checkin --case SCR-X --class panel-minutes --filename "../../evil.txt" --title "Minutes" "$T/evil.txt" >/dev/null
E=$(docid Minutes)
sv doc release "$E" --to pam -o "$T/evil.age" >/dev/null
(cd "$T/reader/sub" && env -u SCRVAULT_DIR "$SV" open --key "$T/pam.key" --passphrase-file "$P" "$T/evil.age" >/dev/null 2>&1)
[ -f "$T/reader/sub/evil.txt" ] && [ ! -e "$T/evil.txt.x" ] && [ ! -e "$T/reader/evil.txt" ]
ok $? "open writes the recorded name only as a plain name in the current directory"

# Restricted class: only under an agreed access request.
printf 'interview\n' > "$T/iv.txt"
sv doc checkin --case SCR-X --class interview-record --title "Interview" "$T/iv.txt" >/dev/null
I=$(docid Interview)
expect 3 "a restricted document is not released without an agreed access request" -- sv doc release "$I" --to pam -o "$T/iv.age"
err_has "restricted"
sv request new --channel internal --by pam --doc "$I" --reason "panel reading" >/dev/null
# decided by dep: coord recorded it
"$SV" --vault "$V" --key "$T/dep.key" --passphrase-file "$P" request decide 1 --agree --reason "agreed by the chair" >/dev/null
expect 0 "under pam's agreed request, it is" -- sv doc release "$I" --to pam --request 1 -o "$T/iv.age"

if [ $HAVE_AGE = 1 ]; then
	age-keygen -o "$T/insp.key" 2>/dev/null
	IR=$(age-keygen -y "$T/insp.key")
	expect 2 "an outside reader needs a reason" -- sv doc release "$D" --to "$IR" -o "$T/insp.age"
	expect 0 "release to an outside reader's age recipient" -- sv doc release "$D" --to "$IR" --reason "Ofsted inspection" -o "$T/insp.age"
	age -d -i "$T/insp.key" "$T/insp.age" > "$T/insp.out" 2>/dev/null
	cmp -s "$T/insp.out" "$T/imr.pdf"; ok $? "stock age -d -i opens it, byte-identical"
	expect 0 "scrvault open --identity verifies the vault's signature on it" -- \
		env -u SCRVAULT_DIR "$SV" open --identity "$T/insp.key" --vault-key "$SK" -o "$T/insp2.out" "$T/insp.age"
	cmp -s "$T/insp2.out" "$T/imr.pdf"; ok $? "...byte-identical"
	age -r "$(age-keygen -y "$T/insp.key")" -o "$T/notrel.age" "$T/imr.pdf"
	expect 5 "a plain age file is not taken for a release" -- \
		env -u SCRVAULT_DIR "$SV" open --identity "$T/insp.key" -o "$T/nr.out" "$T/notrel.age"
	err_has "not a release"
	for size in 0 65536 65537; do
		sv doc checkin --case SCR-X --class other --title "s$size" "$T/s$size.bin" >/dev/null
		d=$(docid "s$size")
		sv doc release "$d" --to "$IR" --reason test -o "$T/r$size.age" >/dev/null 2>&1
		age -d -i "$T/insp.key" "$T/r$size.age" 2>/dev/null | cmp -s - "$T/s$size.bin"
		ok $? "stock age opens a $size-byte release"
	done
else
	skip "release to an age recipient" "age not installed"
fi

expect 0 "the release ledger lists what the panel member received" -- sv principal impact pam
out_has "$D"
# The ledgers point at each release's own audit entry.
sv doc release "$D" --to pam -o "$T/seq.age" >/dev/null
SEQ=$(sv audit tail --json --lines 1 | grep -o '"seq":[0-9]*' | cut -d: -f2)
sv audit tail --json --lines 1 | grep -q '"action":"doc.release"'; ok $? "the last audit entry is the release"
sv principal impact pam --json > "$T/out"
python3 -c 'import json,sys; r=[x for x in json.load(open(sys.argv[1])) if x["role"] == "recipient"]; sys.exit(r[-1]["audit_seq"] != int(sys.argv[2]))' "$T/out" "$SEQ"
ok $? "...and the release ledger names it (entry $SEQ)"
# Nothing goes to a revoked principal, and the refusal is on record.
add gone --display-name "Gone Reader"
sv principal grant gone panel-member --case SCR-X >/dev/null
sv principal revoke --reason "left the board" gone >/dev/null
expect 3 "no release to a revoked principal" -- sv doc release "$D" --to gone -o "$T/gone.age"
err_has "is revoked"
[ ! -e "$T/gone.age" ]; ok $? "...nothing written"
sv audit tail --json --lines 1 | grep -q '"reason":"recipient revoked"'; ok $? "...the refusal is audited"
expect 0 "every release is audited" -- sv audit tail --json --lines 1000
[ "$(grep -o '"doc.release"' "$T/out" | wc -l)" -ge 4 ]; ok $? "...doc.release entries"
expect 0 "audit verify after bundles" -- sv audit verify
expect 0 "fsck at the end" -- sv fsck

finish
