#!/usr/bin/env bash
# Floors the library keeps whatever the input: a new passphrase has at least
# 12 characters and is not one of the 10 000 most common passwords (any
# case); a new key file has at least 19 MiB of Argon2id memory.  Tried first
# through every way a passphrase is set: init, principal add, principal
# rotate, scrvault-seal keygen; each refused with exit 2, nothing written.
# A key file made before the floor still opens, and fsck warns of it.  And
# the keys are not unwrapped into memory that cannot be locked, unless that
# is allowed explicitly.
. "$(dirname "$0")/lib.bash"

SEAL="$(dirname "$SV")/scrvault-seal"
printf 'short pass\n' > "$T/short"			# 10 characters
printf 'qwerty123456\n' > "$T/common"			# on the list
printf 'LeaveMeAlone\n' > "$T/common-case"		# on the list, in another case
printf 'ñandú ñandú!\n' > "$T/utf8-12"			# 12 characters, 16 bytes
printf 'sea otters hold hands\n' > "$T/good"

# init
for f in short common common-case; do
	expect 2 "init refuses the passphrase in '$f'" -- \
		"$SV" init --vault "$T/v-$f" --key-out "$T/k-$f" --new-passphrase-file "$T/$f" --kdf-memory 19 coord
	[ ! -e "$T/v-$f" ] && [ ! -e "$T/k-$f" ]; ok $? "init with '$f': no vault, no key file"
done
expect 2 "init: a short passphrase" -- \
	"$SV" init --vault "$T/v" --key-out "$T/k" --new-passphrase-file "$T/short" --kdf-memory 19 coord
err_has "at least 12 characters"
expect 2 "init: a common password" -- \
	"$SV" init --vault "$T/v" --key-out "$T/k" --new-passphrase-file "$T/common-case" --kdf-memory 19 coord
err_has "most common passwords"
err_has "--new-passphrase-file" "the message names the option"
! grep -q -i leavemealone "$T/err"; ok $? "the message does not quote the passphrase"
for m in 8 18; do
	expect 2 "init: --kdf-memory $m is below the floor" -- \
		"$SV" init --vault "$T/v" --key-out "$T/k" --new-passphrase-file "$T/good" --kdf-memory $m coord
	err_has "between 19 and 4096 MiB"
	[ ! -e "$T/v" ] && [ ! -e "$T/k" ]; ok $? "--kdf-memory $m: nothing created"
done
expect 0 "init: 12 characters of UTF-8 are enough" -- \
	"$SV" init --vault "$T/u" --key-out "$T/u.key" --new-passphrase-file "$T/utf8-12" --kdf-memory 19 coord
grep -q '^kdf argon2id [0-9]* 19456 ' "$T/u.key"; ok $? "--kdf-memory 19 makes a 19 MiB key file"

mkvault
before=$(tree_hash "$V")
# principal add
for f in short common common-case; do
	expect 2 "principal add refuses the passphrase in '$f'" -- \
		sv principal add --kind service --key-out "$T/a-$f.key" --new-passphrase-file "$T/$f" --kdf-memory 19 alice
	grep -qiE "12 characters|common" "$T/err"; ok $? "...because of the passphrase"
	[ ! -e "$T/a-$f.key" ]; ok $? "principal add with '$f': no key file"
done
expect 2 "principal add: --kdf-memory 8" -- \
	sv principal add --kind service --key-out "$T/a8.key" --new-passphrase-file "$T/good" --kdf-memory 8 alice
err_has "between 19 and 4096 MiB"
[ "$(tree_hash "$V")" = "$before" ]; ok $? "the vault is unchanged by the refused additions"
sv principal add --kind service --key-out "$T/alice.key" --new-passphrase-file "$T/good" --kdf-memory 19 alice >/dev/null
before=$(tree_hash "$V")
# principal rotate
expect 2 "principal rotate refuses a common password" -- \
	sv principal rotate --key-out "$T/alice2.key" --new-passphrase-file "$T/common" alice
expect 2 "principal rotate refuses a short passphrase" -- \
	sv principal rotate --key-out "$T/alice2.key" --new-passphrase-file "$T/short" alice
[ ! -e "$T/alice2.key" ] && [ "$(tree_hash "$V")" = "$before" ]; ok $? "rotate: no key file, vault unchanged"

# scrvault-seal keygen (an agency's own key)
if [ -x "$SEAL" ]; then
	expect 2 "scrvault-seal keygen refuses a common password" -- \
		"$SEAL" keygen --key-out "$T/agency.key" --new-passphrase-file "$T/common" police
	expect 2 "scrvault-seal keygen refuses --kdf-memory 8" -- \
		"$SEAL" keygen --key-out "$T/agency.key" --new-passphrase-file "$T/good" --kdf-memory 8 police
	[ ! -e "$T/agency.key" ]; ok $? "keygen: no key file"
else
	skip "scrvault-seal keygen floors" "no scrvault-seal next to $SV"
fi

# A key file made before the floor (8 MiB, by the test build's hook) still
# opens: its header is sealed, so the memory it names is the one it was
# made with.  fsck says to replace it.
if [ -x "$SVH" ]; then
	SCRVAULT_TEST_OLD_KDF=1 svh principal add --kind service --custodian --key-out "$T/old.key" --new-passphrase-file "$T/good" \
		--kdf-memory 8 olduser >/dev/null
	sv principal grant olduser auditor >/dev/null
	grep -q '^kdf argon2id [0-9]* 8192 ' "$T/old.key"; ok $? "an 8 MiB key file (as made before the floor)"
	expect 0 "it still unlocks the vault" -- "$SV" --vault "$V" --key "$T/old.key" --passphrase-file "$T/good" case list
	expect 0 "fsck with it" -- "$SV" --vault "$V" --key "$T/old.key" --passphrase-file "$T/good" fsck
	out_has "8 MiB of Argon2id memory" "fsck warns of the key file below the floor"
	expect 0 "fsck with a new key file" -- sv fsck
	! grep -q "Argon2id memory" "$T/out"; ok $? "and does not warn of one above it"
	expect 2 "without the test build's hook, 8 MiB is refused" -- \
		svh principal add --kind service --key-out "$T/old2.key" --new-passphrase-file "$T/good" --kdf-memory 8 olduser2
	err_has "between 19 and 4096 MiB"
else
	skip "a key file made below the floor" "no test-hooks build"
fi

# Memory that cannot be locked: drop CAP_IPC_LOCK and the locked-memory limit.
nolock() { (ulimit -l 0 && exec setpriv --inh-caps=-ipc_lock --bounding-set=-ipc_lock "$@"); }
if command -v setpriv >/dev/null && nolock true 2>/dev/null; then
	before=$(tree_hash "$V")
	expect 3 "no lockable memory: the unlock is refused" -- nolock "$SV" --vault "$V" --key "$K" --passphrase-file "$P" case list
	err_has "could not be locked in memory"
	err_has "--allow-unlocked-memory" "the message names the setting that allows it"
	[ "$(tree_hash "$V")" = "$before" ] && [ ! -e "$V/unlock-failures" ]; ok $? "nothing was written"
	expect 0 "--allow-unlocked-memory allows it" -- nolock "$SV" --vault "$V" --key "$K" --passphrase-file "$P" \
		--allow-unlocked-memory case list
	err_has "may be written to swap" "with a warning"
	expect 0 "so does SCRVAULT_ALLOW_UNLOCKED_MEMORY=1" -- \
		nolock env SCRVAULT_ALLOW_UNLOCKED_MEMORY=1 "$SV" --vault "$V" --key "$K" --passphrase-file "$P" case list
	expect 0 "with lockable memory nothing needs allowing" -- sv case list
	[ ! -s "$T/err" ]; ok $? "and nothing is said"
	if [ -x "$SEAL" ]; then
		printf 'x\n' > "$T/x.txt"
		expect 0 "no lockable memory: scrvault-seal keygen (no vault key) still works" -- \
			nolock "$SEAL" keygen --key-out "$T/agency2.key" --new-passphrase-file "$T/good" --kdf-memory 19 police
	fi
else
	skip "no lockable memory: the unlock is refused" "setpriv cannot drop CAP_IPC_LOCK here"
fi
finish
