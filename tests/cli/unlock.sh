#!/usr/bin/env bash
# Unlocking: wrong passphrase, wrong or another principal's key, another
# vault's key, missing or foreign vault directory.  Each gets a clear
# message and its exit code, and leaves the vault byte-for-byte unchanged
# apart from the record of the failed attempt.
. "$(dirname "$0")/lib.bash"

mkvault
sv case open --title t SCR-2026-01 >/dev/null
sv principal add --key-out "$T/reader.key" --new-passphrase-file "$P" --kdf-memory 19 reader >/dev/null
V1=$V; K1=$K
mkvault other; V2=$V; K2=$K
V=$V1; K=$K1
printf 'wrong passphrase entirely\n' > "$T/wrong"
before=$(tree_hash "$V")

expect 3 "wrong passphrase exits 3" -- "$SV" --vault "$V" --key "$K" --passphrase-file "$T/wrong" case list
err_has "wrong passphrase"
[ "$(tree_hash "$V")" = "$before" ]; ok $? "vault unchanged after a wrong passphrase"
[ "$(wc -l < "$V/unlock-failures")" -eq 1 ]; ok $? "the failed attempt is recorded"

expect 3 "another vault's key file exits 3" -- "$SV" --vault "$V" --key "$K2" --passphrase-file "$P" case list
err_has "another vault"
expect 3 "a non-custodian's key file exits 3" -- "$SV" --vault "$V" --key "$T/reader.key" --passphrase-file "$P" case list
err_has "not a custodian"
[ "$(tree_hash "$V")" = "$before" ]; ok $? "vault unchanged after foreign keys"
[ "$(wc -l < "$V/unlock-failures")" -eq 3 ]; ok $? "each failed attempt is recorded"
grep -q "passphrase" "$V/unlock-failures" && ! grep -q "wrong passphrase entirely" "$V/unlock-failures"
ok $? "the record names the reason, never the passphrase tried"

expect 4 "missing vault directory exits 4" -- "$SV" --vault "$T/nowhere" --key "$K" --passphrase-file "$P" case list
err_has "does not exist"
[ ! -e "$T/nowhere" ]; ok $? "no directory created"
mkdir "$T/foreign"; echo hello > "$T/foreign/file"
fb=$(tree_hash "$T/foreign")
expect 4 "a directory that is not a vault exits 4" -- "$SV" --vault "$T/foreign" --key "$K" --passphrase-file "$P" case list
err_has "not a scrvault vault"
[ "$(tree_hash "$T/foreign")" = "$fb" ] && [ ! -e "$T/foreign/unlock-failures" ]; ok $? "foreign directory untouched"
expect 4 "a missing key file exits 4" -- "$SV" --vault "$V" --key "$T/nokey" --passphrase-file "$P" case list
echo "garbage" > "$T/bad.key"
expect 2 "a damaged key file is a usage error" -- "$SV" --vault "$V" --key "$T/bad.key" --passphrase-file "$P" case list
err_has "not a valid scrvault key file"
sed 's/^name coord$/name deputy/' "$K" > "$T/edited.key"; chmod 600 "$T/edited.key"
expect 3 "a key file with an edited header does not open" -- "$SV" --vault "$V" --key "$T/edited.key" --passphrase-file "$P" case list
ln -s "$K" "$T/link.key"
expect 3 "a key file behind a symbolic link is refused" -- "$SV" --vault "$V" --key "$T/link.key" --passphrase-file "$P" case list
expect 2 "no passphrase and no terminal is a usage error" -- "$SV" --vault "$V" --key "$K" case list
err_has "passphrase"

# The next successful unlock moves the attempts into the audit log.
expect 0 "the right passphrase opens" -- sv case list
[ ! -e "$V/unlock-failures" ]; ok $? "pending failures were moved into the audit log"
expect 0 "fsck clean after failures" -- sv fsck
finish
