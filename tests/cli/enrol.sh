#!/usr/bin/env bash
# Holders make their own keys, and a key file belongs to one vault.
#  - keygen writes a key file and a self-signed enrolment request with a
#    fingerprint in six words; the coordinator registers the request only
#    with the words the holder reads; the holder imports the vault's signed
#    acceptance, which pins the vault (id and audit verifier key) in the key
#    file's authenticated header.
#  - Attacks, each performed and refused: other words, a tampered request,
#    a name or key registered twice, a forged acceptance or another vault's,
#    a key made by the coordinator for a person, a rotation not signed by the
#    registered key; the vault substituted by one built from the victim's
#    public keys (same vault id, master key wrapped to them) and a planted
#    backup, both refused with exit 5 before anything is written; a key file
#    written before pinning, refused until its holder pins the published key.
. "$(dirname "$0")/lib.bash"
FORGE="$(dirname "$SV")/tests/tools/forge_vault"
SEAL="$(dirname "$SV")/scrvault-seal"
fpw() { sed -n 's/.*"fingerprint":"\([^"]*\)".*/\1/p'; }

mkvault
sv case open --title t SCR-2026-01 >/dev/null
printf 'alice keeps her own phrase 7\n' > "$T/pa"
VKEY=$(sv audit pubkey)

# ---- the holder's key and request ---------------------------------------------------
expect 0 "alice makes her own key and enrolment request" -- \
	"$SV" keygen --key-out "$T/alice.key" --new-passphrase-file "$T/pa" --kdf-memory 19 alice
out_has "enrolment request: $T/alice.key.enrol"
FP=$(sed -n 's/^fingerprint: //p' "$T/out")
[ "$(wc -w <<<"$FP")" -eq 6 ]; ok $? "keygen prints a fingerprint of six words ($FP)"
[ "$(head -1 "$T/alice.key.enrol")" = "scrvault-enrolment v1" ] && grep -q '^signature ' "$T/alice.key.enrol"
ok $? "the request is a self-signed scrvault-enrolment v1"
! grep -qi 'secret\|kdf' "$T/alice.key.enrol"; ok $? "the request holds nothing secret"
grep -q '^vault none$' "$T/alice.key"; ok $? "the new key file belongs to no vault yet"
expect 0 "scrvault-seal keygen makes the same (an agency, at its own office)" -- \
	"$SEAL" keygen --key-out "$T/police.key" --kind agency --agency police --new-passphrase-file "$P" --kdf-memory 19 police
PFP=$(sed -n 's/^fingerprint: //p' "$T/out")
grep -q '^kind agency$' "$T/police.key.enrol"; ok $? "its request says agency"
expect 6 "keygen never replaces a request" -- "$SV" keygen --key-out "$T/other.key" --enrolment-out "$T/alice.key.enrol" \
	--new-passphrase-file "$T/pa" --kdf-memory 19 alice

# ---- registration: words, tampering, the coordinator's own key files ----------------------
before=$(tree_hash "$V")
expect 5 "words the holder did not read are refused" -- \
	sv principal add --enrolment "$T/alice.key.enrol" --fingerprint "abase abate abbey abeam abets abhor"
err_has "is not this request's"
expect 2 "no words and no terminal to confirm them on: a usage error" -- sv principal add --enrolment "$T/alice.key.enrol"
err_has "--fingerprint"
sed 's/^name alice$/name coordx/' "$T/alice.key.enrol" > "$T/t-name.enrol"
expect 5 "a request whose name was changed is refused" -- sv principal add --enrolment "$T/t-name.enrol" --fingerprint "$FP"
err_has "self-signature does not verify"
MX=$(sed -n 's/^x25519 //p' "$T/police.key.enrol")
sed "s|^x25519 .*|x25519 $MX|" "$T/alice.key.enrol" > "$T/t-key.enrol"
expect 5 "a request whose key was swapped for another is refused (whatever the words)" -- \
	sv principal add --enrolment "$T/t-key.enrol" --fingerprint "$FP"
err_has "self-signature does not verify"
printf 'scrvault-enrolment v1\nname x\n' > "$T/junk.enrol"
expect 2 "a file that is not a request is a usage error" -- sv principal add --enrolment "$T/junk.enrol" --fingerprint "$FP"
expect 2 "the coordinator cannot make a person's key (--key-out): refused with the fix" -- \
	sv principal add --key-out "$T/carol.key" --new-passphrase-file "$P" carol
err_has "scrvault keygen"
[ ! -e "$T/carol.key" ]; ok $? "...and no key file was written"
expect 2 "nor an agency's" -- sv principal add --kind agency --agency police --key-out "$T/ag.key" --new-passphrase-file "$P" ag
[ "$(tree_hash "$V")" = "$before" ]; ok $? "the refused requests left the vault unchanged"
sv audit tail --json --lines 50 > "$T/tail"; ! grep -q '"principal":"coordx"' "$T/tail"; ok $? "...and registered nobody"

expect 0 "the coordinator registers alice with the words she reads" -- \
	sv principal add --enrolment "$T/alice.key.enrol" --fingerprint "$FP" --acceptance-out "$T/alice.accept" \
	--custodian --display-name "Alice Example" --contact "alice@lscb.example"
out_has "$FP"
[ "$(head -1 "$T/alice.accept")" = "scrvault-acceptance v1" ] && grep -qF "vault-key $VKEY" "$T/alice.accept"
ok $? "the acceptance names the vault's verifier key"
sv principal grant alice coordinator >/dev/null
sv audit tail --json --lines 5 > "$T/tail"; grep -qF "\"fingerprint\":\"$FP\"" "$T/tail"; ok $? "the principal.add entry records the fingerprint"
expect 5 "a key file not yet accepted unlocks nothing" -- "$SV" --vault "$V" --key "$T/alice.key" --passphrase-file "$T/pa" case list
err_has "keyfile accept"
expect 5 "...and cannot act either" -- sv --as-key "$T/alice.key" --as-passphrase-file "$T/pa" case list

# ---- names and keys are registered once ------------------------------------------------------
expect 6 "the same request again: the name is taken" -- \
	sv principal add --enrolment "$T/alice.key.enrol" --fingerprint "$FP" --acceptance-out "$T/again.accept"
AFP=$("$FORGE" request "$T/alice.key" "$T/pa" alias "$T/alias.enrol")
expect 6 "alice's keys under another name: refused" -- \
	sv principal add --enrolment "$T/alias.enrol" --fingerprint "$AFP" --acceptance-out "$T/alias.accept"
err_has "already registered"
[ ! -e "$T/alias.accept" ]; ok $? "...no acceptance written"

# ---- importing the acceptance ----------------------------------------------------------------
mkvault other; V2=$V; K2=$K; V=$T/vault; K=$T/vault-coord.key
OVK=$("$SV" --vault "$V2" --key "$K2" --passphrase-file "$P" audit pubkey)
# The other vault registers alice's (public) request too: its acceptance is genuine, for another vault.
"$SV" --vault "$V2" --key "$K2" --passphrase-file "$P" principal add --enrolment "$T/alice.key.enrol" --fingerprint "$FP" \
	--acceptance-out "$T/other.accept" >/dev/null
sed -E 's/^accepted-at [0-9]{4}/accepted-at 2030/' "$T/alice.accept" > "$T/forged.accept"
cp "$T/alice.key" "$T/alice.orig"
expect 5 "a forged (altered) acceptance is refused" -- \
	"$SV" keyfile accept --key "$T/alice.key" --passphrase-file "$T/pa" "$T/forged.accept"
err_has "forged or altered"
expect 5 "another vault's acceptance is refused against the board's published key" -- \
	"$SV" keyfile accept --key "$T/alice.key" --passphrase-file "$T/pa" --vkey "$VKEY" "$T/other.accept"
err_has "not from the vault you enrolled in"
expect 5 "an acceptance of someone else's keys is refused" -- \
	"$SV" keyfile accept --key "$T/police.key" --passphrase-file "$P" "$T/alice.accept"
expect 3 "a wrong passphrase accepts nothing" -- \
	"$SV" keyfile accept --key "$T/alice.key" --passphrase-file "$P" "$T/alice.accept"
cmp -s "$T/alice.key" "$T/alice.orig"; ok $? "the key file is unchanged after the refusals"
expect 0 "alice imports her acceptance, checked against the published key" -- \
	"$SV" keyfile accept --key "$T/alice.key" --passphrase-file "$T/pa" --vkey "$VKEY" "$T/alice.accept"
grep -qF "vault-key $VKEY" "$T/alice.key"; ok $? "her key file now pins the vault's verifier key"
[ "$(stat -c %a "$T/alice.key")" = 600 ]; ok $? "...and is still 0600"
grep -q '^kdf argon2id 2 19456 ' "$T/alice.key"; ok $? "...with the same Argon2id parameters"
expect 6 "a key file belongs to one vault: another vault's acceptance cannot move it" -- \
	"$SV" keyfile accept --key "$T/alice.key" --passphrase-file "$T/pa" "$T/other.accept"
expect 0 "alice unlocks the vault with her own key" -- "$SV" --vault "$V" --key "$T/alice.key" --passphrase-file "$T/pa" case list
expect 0 "the coordinator's session acts as alice" -- sv --as-key "$T/alice.key" --as-passphrase-file "$T/pa" case list
sv principal add --enrolment "$T/police.key.enrol" --fingerprint "$PFP" --acceptance-out "$T/police.accept" >/dev/null
expect 0 "scrvault-seal accept imports an agency's acceptance" -- \
	"$SEAL" accept --key "$T/police.key" --passphrase-file "$P" --vkey "$VKEY" "$T/police.accept"

# ---- rotation is the holder's own act ---------------------------------------------------------
enrol --key-out "$T/bob.key" bob
sv principal grant bob auditor >/dev/null
expect 2 "the coordinator cannot rotate a person's key (--key-out)" -- \
	sv principal rotate --key-out "$T/bobx.key" --new-passphrase-file "$P" bob
err_has "keygen --rotate"
expect 0 "bob rotates his own key: a request signed by the new key and his registered one" -- \
	rekey bob "$T/bob.key" "$T/bob2.key"
grep -q '^rotates ' "$T/bob2.key.enrol" && grep -q '^old-signature ' "$T/bob2.key.enrol"
ok $? "the rotation request carries both signatures"
expect 3 "bob's old key no longer acts" -- sv --as-key "$T/bob.key" --as-passphrase-file "$P" case list
expect 0 "his new one does" -- sv --as-key "$T/bob2.key" --as-passphrase-file "$P" case list
# A rotation signed by a key that is no longer bob's.
RFP=$("$SV" keygen --json --rotate "$T/bob.key" --old-passphrase-file "$P" --key-out "$T/bob3.key" \
	--new-passphrase-file "$P" --kdf-memory 19 bob | fpw)
expect 5 "a rotation signed by a stale key is refused" -- \
	sv principal rotate --enrolment "$T/bob3.key.enrol" --fingerprint "$RFP" --acceptance-out "$T/bob3.accept" bob
err_has "not the registered key"
expect 2 "a plain request is not a rotation" -- \
	sv principal rotate --enrolment "$T/alice.key.enrol" --fingerprint "$FP" --acceptance-out "$T/x.accept" alice
BFP=$("$FORGE" request "$T/bob.key" "$P" bobby "$T/bobby.enrol")
expect 6 "bob's retired keys cannot be registered again under another name" -- \
	sv principal add --enrolment "$T/bobby.enrol" --fingerprint "$BFP" --acceptance-out "$T/bobby.accept"
err_has "earlier keys of principal 'bob'"

# ---- the vault substitution ------------------------------------------------------------------
# The attacker can write the vault directory and knows coord's public keys and
# the vault id (the key file's clear header, the keyring).  They build a vault
# of their own with the same id, coord registered as custodian and coordinator
# with those public keys, and a master key wrapped to coord's X25519 key.
VID=$(sed -n 's/^vault //p' "$K"); ED=$(sed -n 's/^ed25519 //p' "$K"); XK=$(sed -n 's/^x25519 //p' "$K")
"$FORGE" vault "$T/forged" "$VID" coord "$ED" "$XK" "$T/mallory.key" "$P" >/dev/null
mal() { "$SV" --vault "$T/forged" --key "$T/mallory.key" --passphrase-file "$P" "$@"; }
expect 0 "the forged vault works for its maker" -- mal case open --title planted SCR-2026-66
git init -q --bare "$T/forged-mirror.git"
mal mirror add m "file://$T/forged-mirror.git" >/dev/null && mal mirror push >/dev/null
expect 0 "...who can back it up and mirror it too" -- mal backup create -o "$T/planted.bak"
mv "$V" "$T/real"; cp -a "$T/forged" "$V"
fh=$(tree_hash "$V")
printf 'victim document\n' > "$T/victim.txt"
expect 5 "unlock of the substituted vault is refused" -- sv principal list
err_has "this is not the vault the key file belongs to"
err_has "$VID"
expect 5 "a read-only command is refused" -- sv case list
expect 5 "a check-in is refused" -- sv doc checkin --case SCR-2026-66 --class imr --agency police "$T/victim.txt"
expect 5 "fsck is refused" -- sv fsck
expect 5 "acting as alice in the attacker's own session is refused" -- \
	"$SV" --vault "$V" --key "$T/mallory.key" --passphrase-file "$P" --as-key "$T/alice.key" --as-passphrase-file "$T/pa" case list
[ "$(tree_hash "$V")" = "$fh" ] && [ ! -e "$V/unlock-failures" ]; ok $? "nothing was written to the substituted vault"
expect 3 "alice's key (not in the forged keyring) opens nothing there either" -- \
	"$SV" --vault "$V" --key "$T/alice.key" --passphrase-file "$T/pa" case list
expect 5 "restore of a planted backup is refused" -- \
	"$SV" restore --from-backup "$T/planted.bak" --from-mirror "file://$T/forged-mirror.git" --to "$T/restored" \
	--key "$K" --passphrase-file "$P"
err_has "this is not the vault the key file belongs to"
[ ! -e "$T/restored" ]; ok $? "...before anything was written"
rm -rf "$V"; mv "$T/real" "$V"
expect 0 "the real vault still opens" -- sv case list
out_has "SCR-2026-01"
expect 0 "...and fsck is clean" -- sv fsck

# ---- key files written before pinning ------------------------------------------------------------
"$FORGE" unpin "$K" "$P" "$T/old.key"
grep -q '^vault ' "$T/old.key" && ! grep -q '^vault-key ' "$T/old.key"; ok $? "an old key file: a vault line, no verifier key"
oh=$(tree_hash "$V")
expect 5 "it is refused, with the fix" -- "$SV" --vault "$V" --key "$T/old.key" --passphrase-file "$P" case list
err_has "keyfile pin --key"
[ "$(tree_hash "$V")" = "$oh" ]; ok $? "...and nothing written"
expect 5 "pinning another vault's verifier key is refused" -- \
	"$SV" keyfile pin --key "$T/old.key" --passphrase-file "$P" --vkey "$OVK"
expect 0 "pinning the published key" -- "$SV" keyfile pin --key "$T/old.key" --passphrase-file "$P" --vkey "$VKEY"
expect 0 "then it opens the vault" -- "$SV" --vault "$V" --key "$T/old.key" --passphrase-file "$P" case list
expect 5 "a pinned key file cannot be re-pinned to another key" -- \
	"$SV" keyfile pin --key "$T/old.key" --passphrase-file "$P" --vkey "$OVK"
finish
