#!/usr/bin/env bash
# scrvault-seal, the program agencies and outside readers run without a vault:
# a holder makes their own key file; an agency seals a document that the
# vault imports; a reader opens a release and verifies one (and every forged,
# damaged or foreign release is refused, with nothing written); the program
# links only libcrypto and libargon2.
. "$(dirname "$0")/lib.bash"

SEAL=${SCRVAULT_SEAL_BIN:-$(dirname "$SV")/scrvault-seal}
HAVE_AGE=1
command -v age >/dev/null && command -v age-keygen >/dev/null || HAVE_AGE=0
if [ ! -x "$SEAL" ]; then
	echo "# no scrvault-seal at $SEAL (make all builds it)"
	ok 1 "scrvault-seal is built"
	finish; exit
fi

# ss ARGS...: scrvault-seal with no vault in its environment
ss() { env -u SCRVAULT_DIR "$SEAL" "$@"; }

# ---- the program -------------------------------------------------------------------------
expect 0 "--version" -- ss --version
out_has "scrvault-seal "
expect 0 "-h lists the commands" -- ss -h
for c in keygen accept pin seal open verify; do out_has "  $c " "usage lists '$c'"; done
expect 2 "no command is a usage error" -- ss
expect 2 "an unknown command is a usage error" -- ss frobnicate
err_has "unknown command 'frobnicate'"
for c in keygen accept pin seal open verify; do
	expect 0 "'$c --help'" -- ss $c --help
	grep -q "^usage: scrvault-seal $c " "$T/out"; ok $? "'$c --help' prints its usage"
	expect 0 "'$c -h'" -- ss $c -h
	grep -qF -- "--json" "$T/out"; ok $? "'$c -h' names --json"
	grep -qF "scrvault\\-seal $c " "$ROOT/man/scrvault-seal.1"; ok $? "man page documents '$c'"
done
expect 0 "verify -h names the command that checks receipts" -- ss verify -h
out_has "scrvault-seal receipt verify"
expect 0 "'receipt verify --help'" -- ss receipt verify --help
grep -q "^usage: scrvault-seal receipt verify " "$T/out"; ok $? "'receipt verify --help' prints its usage"
grep -qF "scrvault\\-seal receipt verify" "$ROOT/man/scrvault-seal.1"; ok $? "man page documents 'receipt verify'"
expect 2 "an unknown option is a usage error" -- ss keygen --bogus x
expect 2 "a missing argument is a usage error" -- ss keygen --key-out "$T/x.key"

# It links only libcrypto and libargon2 (plus libc).
ldd "$SEAL" > "$T/ldd" 2>&1; ok $? "ldd scrvault-seal"
sed 's/^/# /' "$T/ldd"
! grep -qE 'libgit2|libsqlcipher|libz\.so|libqpdf' "$T/ldd"; ok $? "it does not link libgit2, SQLCipher, zlib or libqpdf"
grep -q 'libcrypto\.so' "$T/ldd" && grep -q 'libargon2\.so' "$T/ldd"; ok $? "it links libcrypto and libargon2"
extra=$(awk '$1 ~ /^lib/ { sub(/\.so.*/, "", $1); print $1 }' "$T/ldd" |
	grep -vxE 'libcrypto|libargon2|libc|libpthread|libasan|libubsan|liblsan|libstdc\+\+|libm|libgcc_s|libdl|librt')
[ -z "$extra" ]; ok $? "and nothing else but libc${extra:+ (also: $extra)}"

# ---- keygen: a holder makes their own key -------------------------------------------------
P="$T/pass"
printf 'correct horse battery staple\n' > "$P"
keygen() { ss keygen --new-passphrase-file "$P" --kdf-memory 19 "$@"; }
expect 0 "keygen makes a key file" -- keygen --key-out "$T/holder.key" --kind agency --agency "Health trust" holder
[ "$(stat -c %a "$T/holder.key")" = 600 ]; ok $? "the key file is mode 0600"
out_has "enrolled in no vault"
ED=$(sed -n 's/^ed25519 //p' "$T/holder.key"); X=$(sed -n 's/^x25519 //p' "$T/holder.key")
out_has "$ED" "the printed Ed25519 key is the file's"
out_has "$X" "the printed X25519 key is the file's"
grep -q 'recipient  *age1' "$T/out"; ok $? "and its age recipient"
grep -qx 'vault none' "$T/holder.key"; ok $? "the key file is enrolled in no vault ('vault none')"
! grep -q '^secret' "$T/out"; ok $? "nothing secret is printed"
H0=$(sha256sum < "$T/holder.key")
expect 6 "keygen never replaces a file" -- keygen --key-out "$T/holder.key" other
[ "$(sha256sum < "$T/holder.key")" = "$H0" ]; ok $? "...the key file is unchanged"
err_has "already exists"
expect 6 "...and says so before asking for a passphrase" -- ss keygen --key-out "$T/holder.key" other </dev/null
ln -s "$T/elsewhere.key" "$T/link.key"
expect 6 "keygen does not write through a symbolic link" -- keygen --key-out "$T/link.key" other
[ ! -e "$T/elsewhere.key" ]; ok $? "...nothing at the link's target"
expect 2 "keygen: a bad name" -- keygen --key-out "$T/bad.key" "Bad Name"
expect 2 "keygen: a service key is the coordinator's to make" -- keygen --key-out "$T/bad.key" --kind service svc
expect 2 "keygen: --kdf-memory below the floor" -- ss keygen --new-passphrase-file "$P" --kdf-memory 1 --key-out "$T/bad.key" x
[ ! -e "$T/bad.key" ]; ok $? "failed keygens leave no file"
expect 0 "keygen --json" -- keygen --json --key-out "$T/reader.key" reader
python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); sys.exit(not (j["vault"] is None and j["kind"] == "person" and j["recipient"].startswith("age1") and j["name"] == "reader"))' "$T/out"
ok $? "...gives name, kind, public keys, recipient and no vault"
python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); sys.exit(not (len(j["fingerprint"].split()) == 6 and j["enrolment"].endswith("reader.key.enrol")))' "$T/out"
ok $? "...and the enrolment request with its six-word fingerprint"
RR=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["recipient"])' "$T/out")

# ---- a vault to seal for and release from ---------------------------------------------------
mkvault
sv case open --title "Child X" SCR-X >/dev/null
add() {		# add NAME [principal add options]
	local name=$1; shift
	enrol --key-out "$T/$name.key" "$@" "$name" >/dev/null
}
add police --kind agency --agency police --display-name "Metropolitan Police"
add pam --display-name "Panel member"
add yan --display-name "Panel member Y"
sv principal grant police agency-submitter --case SCR-X --agency police >/dev/null
sv principal grant pam panel-member --case SCR-X >/dev/null
R=$(sv recipient)
SK=$(sv recipient --signing-key)
VK=$(sv audit pubkey)
DOC="$SAMPLES/imr-health.pdf"
[ -s "$DOC" ]; ok $? "a sample document ($DOC)"

# ---- seal ---------------------------------------------------------------------------------------
# The agency made its own key and enrolled it (lib.bash enrol: keygen, the
# coordinator's principal add --enrolment with the fingerprint, keyfile
# accept); tests/cli/enrol.sh has the ceremony with scrvault-seal itself.
expect 0 "scrvault-seal seal: an agency seals a sample" -- \
	ss seal --key "$T/police.key" --passphrase-file "$P" --to "$R" --case SCR-X --class imr \
	--title "Health IMR" -o "$T/imr.age" "$DOC"
err_has "sealed '$DOC'"
head -c 21 "$T/imr.age" | grep -q '^age-encryption.org/v1'; ok $? "the bundle is an age v1 file"
! grep -qa -e "Health IMR" -e SCR-X "$T/imr.age"; ok $? "no title or case in clear"
expect 0 "the coordinator imports it (scrvault intake import)" -- sv intake import --json "$T/imr.age"
out_has '"authenticated":true'; out_has '"signer":"police"'
D=$(grep -o '"doc":"[0-9a-f]*"' "$T/out" | cut -d'"' -f4)
sv doc checkout -o "$T/imr.out" "$D" 2>/dev/null
cmp -s "$T/imr.out" "$DOC"; ok $? "it checks out byte-identical to the sample"
expect 0 "seal --json gives the manifest" -- \
	ss seal --json --key "$T/police.key" --passphrase-file "$P" --to "$R" --case SCR-X --class imr -o "$T/imr2.age" "$DOC"
out_has '"type":"scrvault-intake v1"'
expect 6 "seal never replaces a file" -- \
	ss seal --key "$T/police.key" --passphrase-file "$P" --to "$R" --case SCR-X --class imr -o "$T/imr.age" "$DOC"
expect 2 "seal needs the case, as 'scrvault intake seal' does" -- \
	ss seal --key "$T/police.key" --passphrase-file "$P" --to "$R" --class imr -o "$T/x.age" "$DOC"
printf 'wrong passphrase\n' > "$T/wrong"
expect 3 "seal: a wrong passphrase" -- \
	ss seal --key "$T/police.key" --passphrase-file "$T/wrong" --to "$R" --case SCR-X --class imr -o "$T/x.age" "$DOC"
expect 4 "seal: a missing input" -- \
	ss seal --key "$T/police.key" --passphrase-file "$P" --to "$R" --case SCR-X --class imr -o "$T/x.age" "$T/none.pdf"
[ ! -e "$T/x.age" ]; ok $? "failed seals leave no output"

# A key its holder made seals too (scrvault-seal and scrvault alike), and the
# vault, which has not registered it, refuses the bundle.
expect 0 "a holder-made key seals with scrvault-seal" -- \
	ss seal --key "$T/holder.key" --passphrase-file "$P" --to "$R" --case SCR-X --class imr -o "$T/holder.age" "$DOC"
expect 0 "...and with scrvault intake seal" -- \
	env -u SCRVAULT_DIR "$SV" intake seal --key "$T/holder.key" --passphrase-file "$P" --to "$R" --case SCR-X \
	--class imr -o "$T/holder2.age" "$DOC"
expect 3 "the vault refuses a bundle from a key it never registered" -- sv intake import "$T/holder.age"
err_has "no principal of this vault has"

# ---- open ------------------------------------------------------------------------------------------
expect 0 "scrvault doc release to a panel member" -- sv doc release "$D" --to pam -o "$T/rel.age"
expect 0 "scrvault-seal open: the reader opens it" -- \
	ss open --key "$T/pam.key" --passphrase-file "$P" --vault-key "$VK" -o "$T/rel.out" "$T/rel.age"
cmp -s "$T/rel.out" "$DOC"; ok $? "byte-identical to the sample"
! grep -q warning "$T/err"; ok $? "pinned to the vault's key: no warning"
expect 0 "without --vault-key it opens with a warning" -- \
	ss open --key "$T/pam.key" --passphrase-file "$P" -o "$T/rel2.out" "$T/rel.age"
err_has "scrvault-seal: warning"
expect 6 "open never replaces a file" -- ss open --key "$T/pam.key" --passphrase-file "$P" -o "$T/rel.out" "$T/rel.age"
expect 3 "someone else cannot open it" -- ss open --key "$T/yan.key" --passphrase-file "$P" -o "$T/rel3.out" "$T/rel.age"
expect 3 "a wrong passphrase opens nothing" -- ss open --key "$T/pam.key" --passphrase-file "$T/wrong" -o "$T/rel3.out" "$T/rel.age"
[ ! -e "$T/rel3.out" ]; ok $? "...nothing written"
expect 0 "open --json" -- ss open --json --key "$T/pam.key" --passphrase-file "$P" --vault-key "$VK" -o "$T/rel4.out" "$T/rel.age"
out_has '"signer_checked":true'
# A key its holder made opens a release made to its age recipient.
expect 0 "release to a holder-made key's age recipient" -- sv doc release "$D" --to "$RR" --reason "outside reader" -o "$T/relr.age"
expect 0 "the holder opens it with scrvault-seal" -- \
	ss open --key "$T/reader.key" --passphrase-file "$P" --vault-key "$VK" -o "$T/relr.out" "$T/relr.age"
cmp -s "$T/relr.out" "$DOC"; ok $? "...byte-identical"
expect 0 "...and with scrvault open" -- \
	env -u SCRVAULT_DIR "$SV" open --key "$T/reader.key" --passphrase-file "$P" --vault-key "$VK" -o "$T/relr2.out" "$T/relr.age"

# ---- verify -----------------------------------------------------------------------------------------
mkdir -p "$T/vdir"
# vfy KEY ARGS...: verify in an empty directory, which must stay empty
vfy() {
	local key=$1; shift
	(cd "$T/vdir" && env -u SCRVAULT_DIR "$SEAL" verify --key "$T/$key.key" --passphrase-file "$P" "$@")
}
empty() { [ -z "$(ls -A "$T/vdir")" ]; ok $? "...nothing written ($1)"; }
expect 0 "verify accepts a genuine release" -- vfy pam --vault-key "$VK" "$T/rel.age"
out_has "verified"
out_has "SCR-X" "it prints the manifest (case)"
out_has "imr-health.pdf" "...and file name"
grep -qx verified "$T/out"; ok $? "...and ends 'verified'"
empty "genuine"
expect 0 "verify takes the bare signing key too" -- vfy pam --vault-key "$SK" "$T/rel.age"
expect 0 "verify --json" -- vfy pam --json --vault-key "$VK" "$T/rel.age"
out_has '"kind":"release"'; out_has '"signer_checked":true'
expect 0 "verify with a holder-made key" -- vfy reader --vault-key "$VK" "$T/relr.age"
empty "holder"
expect 2 "verify needs the vault's key" -- vfy pam "$T/rel.age"
expect 2 "verify needs a key to decrypt with" -- env -u SCRVAULT_DIR "$SEAL" verify --vault-key "$VK" "$T/rel.age"
expect 4 "verify: no such file" -- vfy pam --vault-key "$VK" "$T/none.age"

# Another vault, and a release it signed for the same reader.
"$SV" init --vault "$T/V2" --key-out "$T/c2.key" --new-passphrase-file "$P" --kdf-memory 19 other >/dev/null
sv2() { "$SV" --vault "$T/V2" --key "$T/c2.key" --passphrase-file "$P" "$@"; }
sv2 case open --title "Child X" SCR-X >/dev/null
sv2 doc checkin --case SCR-X --class imr --title "Health IMR" "$DOC" >/dev/null
D2=$(sv2 doc list --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["doc"])')
sv2 doc release "$D2" --to "$RR" --reason "outside reader" -o "$T/foreign.age" >/dev/null
VK2=$(sv2 audit pubkey)
expect 0 "the other vault's release verifies against its own key" -- vfy reader --vault-key "$VK2" "$T/foreign.age"
expect 5 "refused: a release signed by another vault's key" -- vfy reader --vault-key "$VK" "$T/foreign.age"
err_has "signed by another key"
empty "foreign"
expect 5 "refused: a genuine release checked against another vault's key" -- vfy pam --vault-key "$VK2" "$T/rel.age"
# Our vault's key under the other vault's name (a well-formed verifier key):
# the key matches the signature, the vault does not.
VKX=$(python3 -c '
import base64, hashlib, sys
name, key = sys.argv[1].split("+", 1)[0], sys.argv[2].split("+", 2)[2]
raw = base64.b64decode(key)
print("%s+%s+%s" % (name, hashlib.sha256(name.encode() + b"\n" + raw).hexdigest()[:8], key))' "$VK2" "$VK")
expect 5 "refused: the right key named for another vault" -- vfy pam --vault-key "$VKX" "$T/rel.age"

RSZ=$(stat -c %s "$T/rel.age")
for off in $((RSZ - 3000)) 200; do
	cp "$T/rel.age" "$T/flip.age"
	b=$(od -An -tu1 -j "$off" -N1 "$T/flip.age" | tr -d ' ')
	printf "\\$(printf '%03o' $((b ^ 1)))" | dd of="$T/flip.age" bs=1 seek="$off" conv=notrunc 2>/dev/null
	! cmp -s "$T/flip.age" "$T/rel.age"; ok $? "a byte flipped at $off"
	expect 5 "refused: a flipped byte at $off" -- vfy pam --vault-key "$VK" "$T/flip.age"
	empty "flipped at $off"
done
head -c $((RSZ - 1)) "$T/rel.age" > "$T/trunc1.age"
expect 5 "refused: a release one byte short" -- vfy pam --vault-key "$VK" "$T/trunc1.age"
head -c $((RSZ / 2)) "$T/rel.age" > "$T/trunc.age"
expect 5 "refused: a release cut in half" -- vfy pam --vault-key "$VK" "$T/trunc.age"
err_has "truncated or damaged"
head -c 40 "$T/rel.age" > "$T/trunchdr.age"
expect 5 "refused: a release cut in its header" -- vfy pam --vault-key "$VK" "$T/trunchdr.age"
: > "$T/empty.age"
expect 5 "refused: an empty file" -- vfy pam --vault-key "$VK" "$T/empty.age"
expect 5 "refused: a file that is no bundle" -- vfy pam --vault-key "$VK" "$DOC"
err_has "not a release"
cat "$T/rel.age" "$T/rel.age" > "$T/twice.age"
expect 5 "refused: trailing data" -- vfy pam --vault-key "$VK" "$T/twice.age"
expect 3 "a release to someone else: not yours to open" -- vfy yan --vault-key "$VK" "$T/rel.age"
empty "all refusals"

if [ $HAVE_AGE = 1 ]; then
	age-keygen -o "$T/insp.key" 2>/dev/null
	IR=$(age-keygen -y "$T/insp.key")
	sv doc release "$D" --to "$IR" --reason "inspection" -o "$T/insp.age" >/dev/null
	vfyid() { (cd "$T/vdir" && env -u SCRVAULT_DIR "$SEAL" verify --identity "$T/insp.key" --vault-key "$VK" "$@"); }
	expect 0 "verify --identity: a release to an age identity" -- vfyid "$T/insp.age"
	age -r "$IR" -o "$T/plain.age" "$DOC"
	expect 5 "refused: a plain age file is no release" -- vfyid "$T/plain.age"
	age -a -r "$IR" -o "$T/armored.age" "$DOC"
	expect 5 "refused: an armored plain age file either" -- vfyid "$T/armored.age"
	empty "age identity"
else
	skip "verify --identity" "age not installed"
fi

finish
