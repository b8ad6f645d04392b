#!/usr/bin/env bash
# Key custody around people: what is outside an actor's scope cannot be
# probed (it answers exactly as something that does not exist), nothing is
# released to a key its holder replaced or lost by revocation, `principal
# impact` finds releases to every key a principal ever had, and a copy's
# destruction is witnessed by a signature, not a typed name.
. "$(dirname "$0")/lib.bash"

V="$T/vault"; K="$T/coord.key"; P="$T/pass"
printf 'tangerine orbit lattice 42\n' > "$P"
"$SV" init --vault "$V" --key-out "$K" --new-passphrase-file "$P" --kdf-memory 19 coord >/dev/null
add() {		# add NAME [principal add options]
	local name=$1; shift
	enrol --key-out "$T/$name.key" "$@" "$name" >/dev/null
}
as() {		# as NAME ARGS...: NAME acts, in a session coord unlocks
	local name=$1; shift
	sv --as-key "$T/$name.key" --as-passphrase-file "$P" "$@"
}
# age1 recipient of the X25519 key in a key file's clear header (BIP 173 bech32)
age_of() {
	python3 - "$1" <<'PY'
import base64, sys
x = [l.split()[1] for l in open(sys.argv[1]) if l.startswith("x25519 ")][0]
data = base64.b64decode(x)
CH = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
def polymod(values):
    g = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3]
    c = 1
    for v in values:
        b = c >> 25
        c = (c & 0x1ffffff) << 5 ^ v
        for i in range(5):
            c ^= g[i] if (b >> i) & 1 else 0
    return c
acc = bits = 0
five = []
for byte in data:
    acc = (acc << 8) | byte; bits += 8
    while bits >= 5:
        bits -= 5; five.append((acc >> bits) & 31)
if bits:
    five.append((acc << (5 - bits)) & 31)
hrp = "age"
exp = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
pm = polymod(exp + five + [0] * 6) ^ 1
print(hrp + "1" + "".join(CH[d] for d in five) + "".join(CH[(pm >> 5 * (5 - i)) & 31] for i in range(6)))
PY
}
# stderr of the last command with WORD replaced by X
err_as() { sed "s/$1/X/g" "$T/err"; }

sv case open --title "Child A" SCR-A >/dev/null
sv case open --title "Child B" SCR-B >/dev/null
add alice --agency police
add bob --agency health
add pam
add carol
add wit --display-name "Witness"
sv principal grant alice imr-author --case SCR-A --agency police >/dev/null
sv principal grant bob imr-author --case SCR-A --agency health >/dev/null
sv principal grant pam panel-member --case SCR-A >/dev/null
sv principal grant wit records-manager >/dev/null
printf 'police imr\n' > "$T/p.txt"; printf 'health imr\n' > "$T/h.txt"; printf 'case b\n' > "$T/b.txt"
as alice doc checkin --case SCR-A --class imr --agency police "$T/p.txt" >/dev/null
as bob doc checkin --case SCR-A --class imr --agency health "$T/h.txt" >/dev/null
sv doc checkin --case SCR-B --class overview-report "$T/b.txt" >/dev/null
PD=$(sv doc list --case SCR-A --json | grep -o '"agency":"police","[^}]*' | grep -o '"doc":"[0-9a-f]*"' | cut -d'"' -f4)
HD=$(sv doc list --case SCR-A --json | grep -o '"agency":"health","[^}]*' | grep -o '"doc":"[0-9a-f]*"' | cut -d'"' -f4)
BD=$(sv doc list --case SCR-B --json | grep -o '"doc":"[0-9a-f]*"' | head -1 | cut -d'"' -f4)
[ -n "$PD" ] && [ -n "$HD" ] && [ -n "$BD" ]; ok $? "three documents"
sv copy create "$BD" --count 1 >/dev/null
BC=$(sv copy list --case SCR-B --json | grep -o '"copy":[0-9]*' | head -1 | cut -d: -f2)
[ -n "$BC" ]; ok $? "a paper copy of case B's document ($BC)"
# an id that names nothing: the last hex digit of HD changed until it matches no document
RD=$HD
for c in 0 1 2 3 4 5 6 7 8 9 a b c d e f; do
	RD=${HD:0:31}$c; [ "$RD" != "$HD" ] && [ "$RD" != "$PD" ] && [ "$RD" != "$BD" ] && break
done

# ---- no probing (item 11) -----------------------------------------------------------------
# same_answer DESC REAL FAKE ARGS-WITH-@ID@: the police IMR author asks for REAL and for FAKE;
# exit 4 both times and the same stderr once the id is replaced.
same_answer() {
	local desc=$1 real=$2 fake=$3; shift 3
	local args=("$@")
	expect 4 "$desc: out of scope is not found" -- as alice "${args[@]//@ID@/$real}"
	err_as "$real" > "$T/err.real"
	expect 4 "$desc: ...as for what does not exist" -- as alice "${args[@]//@ID@/$fake}"
	err_as "$fake" > "$T/err.fake"
	cmp -s "$T/err.real" "$T/err.fake"; local rc=$?
	[ $rc -ne 0 ] && { echo "# differ:"; diff "$T/err.real" "$T/err.fake" | sed 's/^/#   /' | head -6; }
	ok $rc "$desc: the same message"
}
same_answer "another agency's IMR (doc show)" "$HD" "$RD" doc show @ID@
same_answer "another agency's IMR (doc checkout)" "$HD" "$RD" doc checkout -o "$T/h.out" @ID@
[ ! -e "$T/h.out" ]; ok $? "nothing written"
same_answer "another agency's IMR (doc log)" "$HD" "$RD" doc log @ID@
same_answer "another agency's IMR (new version)" "$HD" "$RD" doc checkin --doc @ID@ "$T/p.txt"
NP=${HD:0:6}
for c in 0 1 2 3 4 5 6 7 8 9 a b c d e f; do
	case "$PD$HD$BD" in *"${HD:0:5}$c"*) continue ;; esac; NP=${HD:0:5}$c; break
done
same_answer "another agency's IMR by a prefix that matches" "${HD:0:6}" "$NP" doc show @ID@
same_answer "a document of a case she is not on" "$BD" "$RD" doc show @ID@
same_answer "a case she is not on (case show)" "SCR-B" "SCR-NONE" case show @ID@
same_answer "a case she is not on (doc list)" "SCR-B" "SCR-NONE" doc list --case @ID@
same_answer "a copy of another case (copy history)" "$BC" "99999" copy history @ID@
same_answer "a copy of another case (copy acknowledge)" "$BC" "99999" copy acknowledge @ID@
same_answer "a copy of another case (by DOC@V#N)" "$BD" "$RD" copy history @ID@@1#1
expect 3 "in her scope, a refusal is still a refusal (a copy of her case)" -- as alice copy recall SCR-A
expect 0 "the refusals are audited with what was asked" -- sv audit tail --json --lines 80
grep -q "\"action\":\"doc.list\",\"details\":{\"answered\":\"not-found\",\"missing_permission\":\"doc.list (scope)\"[^}]*},\"objects\":{\"case\":\"SCR-A\",\"doc\":\"$HD\"},\"outcome\":\"denied\",\"principal\":\"alice\"" "$T/out"
ok $? "a denied doc.list entry names the health IMR"
grep -q "\"action\":\"doc.read\",\"details\":{\"answered\":\"not-found\".*\"doc\":\"$HD\".*\"outcome\":\"denied\",\"principal\":\"alice\"" "$T/out"
ok $? "a denied doc.read entry names it"
grep -q "\"action\":\"case.read\",\"details\":{\"answered\":\"not-found\".*\"case\":\"SCR-B\".*\"outcome\":\"denied\",\"principal\":\"alice\"" "$T/out"
ok $? "a denied case.read entry names case B"
grep -q "\"action\":\"copy.read\",\"details\":{\"answered\":\"not-found\".*\"copy\":$BC,.*\"outcome\":\"denied\",\"principal\":\"alice\"" "$T/out"
ok $? "a denied copy.read entry names the copy"
expect 0 "in scope, her own IMR is found" -- as alice doc show "$PD"
expect 0 "a board-wide role still finds everything" -- sv doc show "$HD"

# ---- releases follow revocation and rotation (item 10) ---------------------------------------
R1=$(age_of "$T/pam.key")
[[ $R1 == age1* ]]; ok $? "pam's age recipient ($R1)"
expect 0 "a release to pam's key given as age1" -- sv doc release "$PD" --to "$R1" --reason "panel papers" -o "$T/r1.age"
rekey pam "$T/pam.key" "$T/pam2.key" >/dev/null
R2=$(age_of "$T/pam2.key")
[ "$R1" != "$R2" ]; ok $? "rotation gave pam a new key"
expect 3 "a release to pam's old key (age1) is refused" -- sv doc release "$PD" --to "$R1" --reason "panel" -o "$T/r2.age"
err_has "principal 'pam' replaced"
[ ! -e "$T/r2.age" ]; ok $? "no bundle written"
expect 0 "a release to her new key is made" -- sv doc release "$PD" --to "$R2" --reason "panel" -o "$T/r3.age"
expect 3 "an access request naming the old key is refused" -- sv request new --channel external --kind partner \
	--name "Pam Outside" --contact "pam@example.org" --doc "$PD" --reason "copy" --recipient "$R1"
sv request list --json > "$T/reqs"; ! grep -q "Pam Outside" "$T/reqs"; ok $? "no request recorded"
RC=$(age_of "$T/carol.key")
sv principal revoke carol --reason "left" >/dev/null
expect 3 "a release to a revoked principal's key (age1) is refused" -- sv doc release "$PD" --to "$RC" --reason "x" -o "$T/rc.age"
err_has "principal 'carol', revoked"
expect 3 "...and by name" -- sv doc release "$PD" --to carol -o "$T/rc.age"
expect 3 "a request naming a revoked principal's key is refused" -- sv request new --channel external --kind partner \
	--name "Carol Outside" --contact "c@example.org" --doc "$PD" --reason "copy" --recipient "$RC"
expect 0 "the refusals are audit entries" -- sv audit tail --json --lines 10
grep -q '"action":"doc.release".*"key_of":"pam","reason":"recipient key replaced".*"outcome":"denied"' "$T/out"; ok $? "doc.release denied: key replaced"
grep -q '"action":"request.create".*"key_of":"carol","reason":"recipient key revoked".*"outcome":"denied"' "$T/out"; ok $? "request.create denied: key revoked"
expect 0 "principal impact pam" -- sv principal impact --json pam
grep -q "\"kind\":\"release (age key)\".*\"to\":\"$R1\"" "$T/out"; ok $? "lists the release to her old key"
grep -q "\"to\":\"$R2\"" "$T/out"; ok $? "...and to her new one"

# ---- a copy's destruction is witnessed by a signature (item 5) ---------------------------------
expect 3 "the destroyer cannot witness their own destruction" -- sv copy destroy "$BC" --witness coord \
	--witness-key "$K" --witness-passphrase-file "$P"
err_has "someone other than the person destroying"
expect 3 "a key file of another principal claiming to be the witness is refused" -- \
	sv copy destroy "$BC" --witness wit --witness-key "$T/pam2.key" --witness-passphrase-file "$P"
err_has "not the witness's key"
printf 'not the passphrase at all\n' > "$T/wrong"
expect 3 "the witness's key file with a wrong passphrase is refused" -- \
	sv copy destroy "$BC" --witness wit --witness-key "$T/wit.key" --witness-passphrase-file "$T/wrong"
expect 0 "copy history" -- sv copy history --json "$BC"
grep -q '"state":"in-store"' "$T/out"; ok $? "...the copy was not destroyed by any of them"
expect 0 "the witness signs the destruction with their own key" -- \
	sv copy destroy "$BC" --witness wit --witness-key "$T/wit.key" --witness-passphrase-file "$P"
expect 0 "copy history" -- sv copy history --json "$BC"
grep -q '"witness":"wit","witness_signature":"signed"' "$T/out"; ok $? "...shows the witness's signature, verified"
sv copy create "$BD" --count 1 >/dev/null
BC2=$(sv copy list --case SCR-B --state in-store --json | grep -o '"copy":[0-9]*' | head -1 | cut -d: -f2)
expect 0 "a witness by name only (paper)" -- sv copy destroy "$BC2" --witness wit
err_has "recorded as unverified"
expect 0 "copy list" -- sv copy list --case SCR-B --state destroyed --json
grep -q "\"copy\":$BC2,[^}]*\"witness_signature\":\"unverified\"" "$T/out"; ok $? "...shows it unverified"
grep -q "\"copy\":$BC,[^}]*\"witness_signature\":\"signed\"" "$T/out"; ok $? "...and the signed one signed"
expect 0 "copy history" -- sv copy history --json "$BC2"
grep -q '"witness_signature":"unverified"' "$T/out"; ok $? "...shows it unverified"
expect 0 "fsck: clean, with a warning" -- sv fsck
expect 3 "someone else cannot sign for the witness" -- sv copy witness "$BC2"
err_has "only the witness named"
expect 0 "the witness signs later, in their own session" -- as wit copy witness "$BC2"
expect 6 "...once" -- as wit copy witness "$BC2"
expect 0 "copy history" -- sv copy history --json "$BC2"
grep -q '"witness_signature":"signed"' "$T/out"; ok $? "...now signed"
expect 0 "the destruction records say so" -- sv audit tail --json --lines 30
grep -q "\"action\":\"copy.destroy\",\"details\":{[^}]*\"witness_signature\":\"unverified\"[^}]*},\"objects\":{[^}]*\"copy\":$BC2" "$T/out"; ok $? "copy.destroy entry: unverified"
grep -q "\"action\":\"copy.witness\"[^}]*},\"objects\":{[^}]*\"copy\":$BC2" "$T/out"; ok $? "copy.witness entry"
expect 0 "fsck verifies every witness signature" -- sv fsck

finish
