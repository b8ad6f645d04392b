#!/usr/bin/env bash
# The vault directory cannot be weakened quietly.  init makes it 0700 (2750
# with --group); every command that opens a vault refuses, exit 5, one whose
# directory, keyring, vault.db (-wal, -shm), store.git or lock another user
# could write, that another user owns, or that holds a link in their place,
# and says how to fix it.  Attacked first: each weakening, with every kind
# of command, the vault unchanged.
. "$(dirname "$0")/lib.bash"

mkvault
[ "$(stat -c %a "$V")" = 700 ]; ok $? "init makes the vault directory 0700"
bad=$(find "$V" -perm /022 | head -3)
[ -z "$bad" ]; ok $? "nothing in a new vault is writable by group or others ($bad)"
sv case open --title t SCR-2026-01 >/dev/null
printf 'an overview report\n' > "$T/doc.txt"
sv doc checkin --case SCR-2026-01 --class overview-report "$T/doc.txt" >/dev/null
sv backup create -o "$T/good.svb" >/dev/null

# Every kind of command: reading, changing, checking, the log, backups, people.
commands=(
	"case list"
	"case open --title u SCR-2026-02"
	"doc checkin --case SCR-2026-01 --class overview-report $T/doc.txt"
	"fsck"
	"audit tail"
	"backup create -o $T/weak.svb"
	"principal add --kind service --key-out $T/eve.key --new-passphrase-file $P --kdf-memory 19 eve"
	"policy show"
	"retention plan"
)
# refused_all WHAT: every command refused with exit 5 and the fix, vault unchanged.
refused_all() {
	local what=$1 before c
	before=$(tree_hash "$V")
	for c in "${commands[@]}"; do
		# shellcheck disable=SC2086
		expect 5 "$what: refused: $c" -- sv $c
		err_has "${FIX:-chmod -R go-w}" "$what: the message gives the fix ($c)"
	done
	[ "$(tree_hash "$V")" = "$before" ] && [ ! -e "$V/unlock-failures" ] && [ ! -e "$T/weak.svb" ] &&
		[ ! -e "$T/eve.key" ]
	ok $? "$what: the vault is unchanged and nothing was written"
}

chmod 0777 "$V"
refused_all "directory 0777"
chmod 0700 "$V"
expect 0 "after chmod the vault opens again" -- sv case list

chmod 0770 "$V"
expect 5 "a group-writable directory is refused" -- sv case list
err_has "writable by its group"
chmod 0700 "$V"

for f in keyring vault.db lock; do
	chmod 0666 "$V/$f"
	refused_all "$f 0666"
	chmod 0600 "$V/$f"
done
for f in store.git store.git/objects store.git/refs; do
	m=$(stat -c %a "$V/$f")
	chmod g+w "$V/$f"
	expect 5 "$f group-writable is refused" -- sv case list
	err_has "'$f' is writable"
	chmod "$m" "$V/$f"
done
expect 0 "vault opens once the modes are fixed" -- sv fsck

# A link in place of one of the vault's files.
mv "$V/vault.db" "$T/elsewhere.db"; ln -s "$T/elsewhere.db" "$V/vault.db"
expect 5 "a vault.db that is a symbolic link is refused" -- sv case list
err_has "symbolic link"
rm "$V/vault.db"; mv "$T/elsewhere.db" "$V/vault.db"

# A FIFO in place of the keyring: refused before anything is read (no hang).
mv "$V/keyring" "$T/keyring.saved"; mkfifo -m 600 "$V/keyring"
expect 5 "a keyring that is a FIFO is refused, not read" -- timeout 20 "$SV" --vault "$V" --key "$K" --passphrase-file "$P" case list
err_has "neither a file nor a directory"
rm "$V/keyring"; mv "$T/keyring.saved" "$V/keyring"

# Owned by another user.
if [ "$(id -u)" -eq 0 ]; then
	chown 65534 "$V/keyring"
	FIX="owned by" refused_all "keyring owned by another user"
	chown 0 "$V/keyring"
	chown -R 65534 "$V"
	FIX="run scrvault as the vault's owner" refused_all "vault owned by another user"
	chown -R 0 "$V"
	expect 0 "the vault opens again for its owner" -- sv case list
else
	skip "a vault owned by another user is refused" "needs root to chown"
fi

# init: an existing empty directory is tightened; a group shares it read-only.
mkdir -m 0777 "$T/loose"
expect 0 "init into an existing empty 0777 directory" -- \
	"$SV" init --vault "$T/loose" --key-out "$T/loose.key" --new-passphrase-file "$P" --kdf-memory 19 coord
[ "$(stat -c %a "$T/loose")" = 700 ]; ok $? "it becomes 0700"

expect 2 "init --group with no such group is refused" -- \
	"$SV" init --vault "$T/g0" --key-out "$T/g0.key" --new-passphrase-file "$P" --kdf-memory 19 --group no-such-group-x coord
err_has "no group 'no-such-group-x'"
[ ! -e "$T/g0" ] && [ ! -e "$T/g0.key" ]; ok $? "nothing was created"

G=$(getent group backup >/dev/null && echo backup || id -gn)
expect 0 "init --group $G" -- \
	"$SV" init --vault "$T/g" --key-out "$T/g.key" --new-passphrase-file "$P" --kdf-memory 19 --group "$G" coord
[ "$(stat -c '%a %G' "$T/g")" = "2750 $G" ]; ok $? "the directory is 2750, group $G ($(stat -c '%a %G' "$T/g"))"
[ "$(stat -c %a "$T/g/keyring")" = 640 ] && [ -n "$(stat -c %A "$T/g/vault.db" | cut -c5 | grep r)" ]
ok $? "the keyring and vault.db are readable by the group"
[ "$(stat -c %a "$T/g/lock")" = 600 ]; ok $? "the lock stays the owner's"
gv() { "$SV" --vault "$T/g" --key "$T/g.key" --passphrase-file "$P" "$@"; }
expect 0 "a shared vault opens" -- gv case open --title t SCR-2026-09
gv doc checkin --case SCR-2026-09 --class overview-report "$T/doc.txt" >/dev/null
unread=$(find "$T/g/store.git" -type f ! -perm -g=r | head -3)
[ -z "$unread" ]; ok $? "what later commands add to the store stays readable by the group ($unread)"
wr=$(find "$T/g" -perm /022 | head -3)
[ -z "$wr" ]; ok $? "and nothing is writable by the group ($wr)"
expect 0 "fsck of the shared vault" -- gv fsck
finish
