#!/usr/bin/env bash
# Signed receipts of check-ins (doc checkin --receipt, doc receipt, doc
# upload) checked offline by scrvault-seal receipt verify with nothing but
# the vault's verifier key; each forgery is made on a copy of a good receipt,
# seen to change it, and seen refused (exit 5).  And the upload driver: a
# dropped upload leaves nothing behind, and cannot be resumed by a new process.
. "$(dirname "$0")/lib.bash"
SEAL=${SCRVAULT_SEAL_BIN:-$(dirname "$SV")/scrvault-seal}

mkvault
sv case open --title "MARKERCHILD" --received 2026-01-05 --decision-date 2026-01-20 SCR-A >/dev/null
head -c 200000 /dev/urandom > "$T/imr.pdf"
head -c 150000 /dev/urandom > "$T/imr2.pdf"
VKEY=$(sv audit pubkey)

# ---- a local check-in's receipt -----------------------------------------------------
expect 0 "check-in writes its receipt" -- sv doc checkin --case SCR-A --class imr --agency police \
	--title "MARKERDOC" --receipt "$T/r1.json" "$T/imr.pdf"
err_has "wrote the receipt"
DOC=$(sed -n 's/.*"doc":"\([0-9a-f]*\)".*/\1/p' "$T/r1.json")
[ -n "$DOC" ]; ok $? "the receipt names the document"
[ "$(stat -c %a "$T/r1.json")" = 600 ]; ok $? "the receipt file is 0600"
grep -q MARKER "$T/r1.json"; ok $((1 - $?)) "the receipt holds no case or document title"
expect 0 "it verifies offline with the verifier key" -- "$SEAL" receipt verify --vkey "$VKEY" "$T/r1.json"
out_has "valid: $DOC version 1"
expect 0 "...and with the file received" -- "$SEAL" receipt verify --vkey "$VKEY" --file "$T/imr.pdf" "$T/r1.json"
out_has "the file is the one received"
expect 0 "--json" -- "$SEAL" receipt verify --json --vkey "$VKEY" "$T/r1.json"
out_has '"valid":true'
expect 0 "the key from the environment" -- env SCRVAULT_VAULT_KEY="$VKEY" "$SEAL" receipt verify "$T/r1.json"
expect 2 "no verifier key is a usage error" -- "$SEAL" receipt verify "$T/r1.json"

# ---- forgeries: each exit 5 ---------------------------------------------------------------
forge() {	# forge DESC SED-EXPR: a copy of r1 edited by SED-EXPR must be refused
	local desc=$1; sed "$2" "$T/r1.json" > "$T/forged.json"
	cmp -s "$T/r1.json" "$T/forged.json"; ok $((1 - $?)) "($desc: the copy differs)"
	expect 5 "$desc is refused" -- "$SEAL" receipt verify --vkey "$VKEY" "$T/forged.json"
}
forge "a receipt with its size changed" 's/"size":200000/"size":200001/'
forge "a receipt with its time changed" 's/"at":"\([0-9-]*\)T/"at":"2020-01-01T/'
forge "a receipt with a byte of its signature changed" 's/"sig":"\(.\)/"sig":"\1A/;s/"sig":"\(.\)AA/"sig":"\1BA/'
forge "a receipt with a proof hash changed" 's/"proof":\["\(.\)/"proof":["\1x/'
# One byte anywhere in the SHA-256.
s=$(sed -n 's/.*"sha256":"\([0-9a-f]*\)".*/\1/p' "$T/r1.json"); c=${s:10:1}; [ "$c" = 0 ] && d=1 || d=0
forge "a receipt with one digit of its SHA-256 changed" "s/$s/${s:0:10}$d${s:11}/"
expect 5 "a receipt checked against a file that is not the one received" -- \
	"$SEAL" receipt verify --vkey "$VKEY" --file "$T/imr2.pdf" "$T/r1.json"
err_has "is not the file of the receipt"
# Another vault's verifier key.
V1=$V K1=$K
mkvault other
expect 5 "another vault's verifier key" -- "$SEAL" receipt verify --vkey "$(sv audit pubkey)" "$T/r1.json"
err_has "another vault's"
V=$V1 K=$K1

# ---- doc receipt: any version, later ---------------------------------------------------
expect 0 "a second version, checked in" -- sv doc checkin --doc "$DOC" "$T/imr2.pdf"
expect 0 "doc receipt DOC@2 -o FILE" -- sv doc receipt "$DOC@2" -o "$T/r2.json"
expect 0 "...verifies with that version's file" -- "$SEAL" receipt verify --vkey "$VKEY" --file "$T/imr2.pdf" "$T/r2.json"
expect 5 "...and not with version 1's" -- "$SEAL" receipt verify --vkey "$VKEY" --file "$T/imr.pdf" "$T/r2.json"
# Version 2's receipt edited to claim version 1 (its number, SHA-256 and size).
s1=$(sed -n 's/.*"sha256":"\([0-9a-f]*\)".*/\1/p' "$T/r1.json")
s2=$(sed -n 's/.*"sha256":"\([0-9a-f]*\)".*/\1/p' "$T/r2.json")
sed -e 's/"version":2/"version":1/' -e "s/$s2/$s1/" -e 's/"size":150000/"size":200000/' "$T/r2.json" > "$T/claim.json"
grep -q '"version":1' "$T/claim.json" && grep -q "$s1" "$T/claim.json"; ok $? "(the edited receipt claims version 1)"
expect 5 "a receipt of another version edited to claim this one" -- \
	"$SEAL" receipt verify --vkey "$VKEY" --file "$T/imr.pdf" "$T/claim.json"
expect 6 "doc receipt never replaces a file" -- sv doc receipt "$DOC@2" -o "$T/r2.json"
expect 4 "no such version" -- sv doc receipt "$DOC@9" -o "$T/r9.json"
[ ! -e "$T/r9.json" ]; ok $? "...and no file"
expect 2 "--receipt is for one file" -- sv doc checkin --case SCR-A --class other --receipt "$T/rm.json" \
	"$T/imr.pdf" "$T/imr2.pdf"
[ ! -e "$T/rm.json" ]; ok $? "...nothing written"
# Someone who does not see the document gets no receipt of it (audited).
enrol --kind agency --agency health --key-out "$T/hx.key" hx >/dev/null
sv principal grant hx imr-author --case SCR-A --agency health >/dev/null
expect 4 "an author of another agency gets no receipt of this IMR (as if it did not exist)" -- \
	sv --as-key "$T/hx.key" --as-passphrase-file "$P" doc receipt "$DOC@1" -o "$T/rh.json"
[ ! -e "$T/rh.json" ]; ok $? "...nothing written"
sv audit tail --lines 3 >"$T/tail"
grep -q "hx .*doc.list .*denied" "$T/tail" && grep -q "hx .*doc.receipt .*not-found" "$T/tail"
ok $? "...and the refusal is audited"
expect 2 "doc receipt needs the version" -- sv doc receipt "$DOC" -o "$T/rx.json"
expect 0 "doc receipt prints it when no file is named" -- sv doc receipt "$DOC@1"
out_has '"receipt":1'

# ---- the upload driver ------------------------------------------------------------------
head -c 1000000 /dev/urandom > "$T/big.pdf"
before=$(sv doc list --case SCR-A --json | grep -o '"doc":' | wc -l)
expect 0 "an upload in chunks, with its receipt" -- sv doc upload --case SCR-A --class imr --agency police \
	--chunk 65000 --receipt "$T/up.json" "$T/big.pdf"
out_has "in 16 chunks"
UP=$(sed -n 's/.*"doc":"\([0-9a-f]*\)".*/\1/p' "$T/up.json")
expect 0 "its receipt verifies with the file" -- "$SEAL" receipt verify --vkey "$VKEY" --file "$T/big.pdf" "$T/up.json"
expect 0 "the document checks out" -- sv doc checkout -o "$T/back.pdf" "$UP"
cmp -s "$T/back.pdf" "$T/big.pdf"; ok $? "...byte for byte"
expect 0 "an upload dropped after 3 chunks" -- sv doc upload --case SCR-A --class imr --agency police \
	--chunk 65000 --stop-after 3 "$T/big.pdf"
err_has "stopped after 3 chunks"
id=$(sed -n 's/.*upload \([0-9a-f]*\) has.*/\1/p' "$T/err")
[ -z "$(ls -A "$V/spool")" ]; ok $? "...leaves nothing in the spool"
after=$(sv doc list --case SCR-A --json | grep -o '"doc":' | wc -l)
[ "$after" -eq $((before + 1)) ]; ok $? "...and checks nothing in"
expect 4 "a new process cannot resume it (its key died with the last)" -- sv doc upload --resume "$id" "$T/big.pdf"
expect 2 "a file name that is not plain is refused before anything is sent" -- \
	sv doc upload --case SCR-A --class imr --agency police --filename ../x.pdf "$T/big.pdf"
err_has "not a plain file name"
expect 4 "an unknown case is refused before anything is sent" -- \
	sv doc upload --case SCR-Z --class imr "$T/big.pdf"
# A killed service's leftovers: wiped by the next unlock.
printf 'ciphertext' > "$V/spool/00112233aabbccdd"
expect 0 "an unlock" -- sv doc list
[ ! -e "$V/spool/00112233aabbccdd" ]; ok $? "...wipes what a killed session left in the spool"
expect 0 "fsck is clean" -- sv fsck

finish
