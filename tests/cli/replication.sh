#!/usr/bin/env bash
# Replication and recovery as a board relies on them after a lost disk: the
# store mirrored to another git repository (ciphertext and opaque ids only),
# an encrypted backup of the database checked without restoring it, and a
# restore drill - documents, copies, requests and a purge; a backup; more
# work; the vault directory deleted; restored from backup and mirror - with
# the gap reported and recorded, every document of the backup back
# byte-identical, and a destruction made after the backup not undone.
. "$(dirname "$0")/lib.bash"

M1=MARKERCONTENTr4Qp; M2=MARKERTITLEw8Ez; M3=MARKERCASEk1Ty
mkvault
sv retention confirm >/dev/null
add() {
	local name=$1; shift
	sv principal add --key-out "$T/$name.key" --new-passphrase-file "$P" --kdf-memory 8 "$@" "$name" >/dev/null
}
add dep --custodian --display-name "Deputy"
add pam --display-name "Pam" --contact "pam@lscb.example"
sv principal grant dep coordinator >/dev/null
sv principal grant pam panel-member --case SCR-R >/dev/null 2>&1
sv principal add --kind service --custodian --no-passphrase --key-out "$T/purge.key" purge-job >/dev/null
sv principal grant purge-job retention-job >/dev/null
sv principal add --kind service --custodian --no-passphrase --key-out "$T/backup.key" backup-job >/dev/null
sv principal grant backup-job backup-job >/dev/null
# Drafts fall due at once (the board's approved test policy).
sed -e 's/rule = destroy 6 months after superseded/rule = destroy 0 days after superseded/' \
    "$ROOT/policy/default.conf" > "$T/short.conf"
sv policy load "$T/short.conf" > "$T/out"
OP=$(grep -o 'pending operation [0-9a-f]*' "$T/out" | cut -d' ' -f3)
"$SV" --vault "$V" --key "$T/dep.key" --passphrase-file "$P" approve "$OP" >/dev/null
sv retention confirm >/dev/null
job() { local k=$1; shift; "$SV" --vault "$V" --key "$T/$k.key" "$@"; }
docid() { sv doc list --json | python3 -c 'import json,sys; print([d["doc"] for d in json.load(sys.stdin) if d["title"] == sys.argv[1]][0])' "$1"; }

sv case open --title "$M3 Child R" SCR-R >/dev/null
sv principal grant pam panel-member --case SCR-R >/dev/null
for i in 1 2 3; do
	head -c $((20000 * i)) /dev/urandom > "$T/doc$i.bin"; printf '%s %s\n' "$M1" "$i" >> "$T/doc$i.bin"
	sv doc checkin --case SCR-R --class other --title "$M2 doc $i" "$T/doc$i.bin" >/dev/null
done
D1=$(docid "$M2 doc 1"); D2=$(docid "$M2 doc 2"); D3=$(docid "$M2 doc 3")
printf 'draft\n' > "$T/d0.txt"; printf 'final\n' > "$T/d1.txt"
sv doc checkin --case SCR-R --class other --title "Purged draft" "$T/d0.txt" >/dev/null
PD=$(docid "Purged draft"); sv doc checkin --doc "$PD" "$T/d1.txt" >/dev/null
job purge retention purge >/dev/null
sv copy create "$D1" --count 2 >/dev/null
sv copy issue "$D1@1#1" --to pam --purpose "panel" --due 2099-01-01 >/dev/null
sv request new --channel internal --by pam --doc "$D2" --reason "reading" >/dev/null
sv request decide 1 --agree --reason ok >/dev/null

# ---- mirrors -------------------------------------------------------------------------------------
git init -q --bare "$T/mirror.git"
MURL="file://$T/mirror.git"
expect 2 "a mirror needs a name and a URL" -- sv mirror add "Bad Name" "$MURL"
expect 0 "add a mirror on another disk" -- sv mirror add offsite "$MURL"
expect 6 "...once" -- sv mirror add offsite "$MURL"
expect 0 "the backup job pushes" -- job backup mirror push
out_has "offsite"; out_has "ok"
expect 3 "the backup job can do nothing else" -- job backup doc list
git --git-dir="$T/mirror.git" rev-parse main >/dev/null 2>&1; ok $? "the mirror has the store's main"
git --git-dir="$T/mirror.git" rev-parse refs/audit/checkpoint >/dev/null 2>&1; ok $? "...and the signed audit checkpoint"
[ "$(git --git-dir="$T/mirror.git" rev-parse main)" = "$(git --git-dir="$V/store.git" rev-parse main)" ]
ok $? "...at the store's head"
found=0
for m in "$M1" "$M2" "$M3" "pam@lscb" "Child R"; do
	if git --git-dir="$T/mirror.git" cat-file --batch-all-objects --batch | grep -qa "$m"; then found=1; echo "# $m found"; fi
	if grep -rqa "$m" "$T/mirror.git"; then found=1; echo "# $m found in files"; fi
done
ok $found "the mirror holds no content, title, case title or contact (decompressed objects and files scanned)"
expect 0 "pushes are audited" -- sv audit tail --json --lines 30
out_has '"action":"mirror.push"'
git init -q --bare "$T/other.git"
"$SV" init --vault "$T/V2" --key-out "$T/v2.key" --new-passphrase-file "$P" --kdf-memory 8 other >/dev/null
"$SV" --vault "$T/V2" --key "$T/v2.key" --passphrase-file "$P" mirror add x "file://$T/other.git" >/dev/null
"$SV" --vault "$T/V2" --key "$T/v2.key" --passphrase-file "$P" mirror push >/dev/null
sv mirror add wrong "file://$T/other.git" >/dev/null
H0=$(git --git-dir="$V/store.git" rev-parse main)
expect 1 "a mirror holding another history refuses the push" -- sv mirror push wrong
err_has "failed"; out_has "failed"
[ "$(git --git-dir="$V/store.git" rev-parse main)" = "$H0" ]; ok $? "...and nothing changed locally"
sv mirror add gone "file://$T/nowhere.git" >/dev/null
expect 1 "...fails with the reason" -- sv mirror push gone
if command -v ssh >/dev/null && [ -n "${SCRVAULT_TEST_SSH_URL:-}" ]; then
	sv mirror add ssh "$SCRVAULT_TEST_SSH_URL" >/dev/null
	expect 0 "push over ssh" -- sv mirror push ssh
else
	skip "push to an ssh remote" "no ssh remote on this machine (set SCRVAULT_TEST_SSH_URL)"
fi

# ---- backups ----------------------------------------------------------------------------------------
expect 0 "the backup job takes a backup while the vault is in use" -- job backup backup create -o "$T/b1.bak"
VK=$(sv audit pubkey)
expect 0 "it verifies without restoring" -- "$SV" backup verify --vkey "$VK" "$T/b1.bak"
out_has "audit entries"
! grep -qa -e "$M1" -e "$M2" -e "$M3" -e "pam@lscb" "$T/b1.bak"; ok $? "the backup holds nothing in clear"
OVK=$("$SV" --vault "$T/V2" --key "$T/v2.key" --passphrase-file "$P" audit pubkey)
expect 5 "another vault's verifier key does not verify it" -- "$SV" backup verify --vkey "$OVK" "$T/b1.bak"
cp "$T/b1.bak" "$T/flip.bak"
SZ=$(stat -c %s "$T/flip.bak")
printf '\x55' | dd of="$T/flip.bak" bs=1 seek=$((SZ - 100)) conv=notrunc 2>/dev/null
expect 5 "a flipped byte in the database part is detected" -- "$SV" backup verify "$T/flip.bak"
head -c $((SZ - 1000)) "$T/b1.bak" > "$T/trunc.bak"
expect 5 "a truncated backup is detected" -- "$SV" backup verify "$T/trunc.bak"
sed '2s/^manifest ./manifest X/' "$T/b1.bak" > "$T/edit.bak"
expect 5 "an edited manifest is detected" -- "$SV" backup verify "$T/edit.bak"
expect 6 "a backup never replaces a file" -- sv backup create -o "$T/b1.bak"
BSIZE=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["audit_size"])' < <("$SV" backup verify --json "$T/b1.bak"))

# ---- more work after the backup ---------------------------------------------------------------------------
printf 'after\n' > "$T/after.bin"
sv doc checkin --case SCR-R --class other --title "After the backup" "$T/after.bin" >/dev/null
head -c 5000 /dev/urandom > "$T/d3v2.bin"
sv doc checkin --doc "$D3" "$T/d3v2.bin" >/dev/null		# D3 v1 becomes a draft ...
job purge retention purge >/dev/null			# ... and is destroyed after the backup
expect 4 "D3 version 1 is destroyed in the live vault" -- sv doc checkout -o "$T/x" "$D3@1"
job backup mirror push offsite >/dev/null
sv audit verify >/dev/null

# ---- the disk is lost --------------------------------------------------------------------------------------
rm -rf "$V"
[ ! -e "$V" ]; ok $? "the vault directory is gone"
R="$T/restored"
expect 6 "a restore from a backup older than the mirror is refused without --accept-gap" -- \
	"$SV" restore --from-backup "$T/b1.bak" --from-mirror "$MURL" --to "$R" --key "$K" --passphrase-file "$P"
out_has "MISSING: audit entries $((BSIZE + 1)) to"; out_has "checkin"; out_has "retention purge"
[ ! -e "$R" ]; ok $? "...and leaves nothing behind"
expect 3 "a non-custodian cannot restore" -- \
	"$SV" restore --from-backup "$T/b1.bak" --from-mirror "$MURL" --to "$R" --key "$T/pam.key" --passphrase-file "$P" --accept-gap
[ ! -e "$R" ]; ok $? "...nothing left"
expect 5 "a mirror older than the backup is refused" -- \
	"$SV" restore --from-backup "$T/b1.bak" --from-mirror "file://$T/other.git" --to "$R" --key "$K" --passphrase-file "$P"
expect 0 "the restore with the gap accepted" -- \
	"$SV" restore --json --from-backup "$T/b1.bak" --from-mirror "$MURL" --to "$R" --key "$K" --passphrase-file "$P" --accept-gap
out_has "\"missing_audit_from\":$((BSIZE + 1))"; out_has "\"doc\":\"$D3\""
rv() { "$SV" --vault "$R" --key "$K" --passphrase-file "$P" "$@"; }
expect 0 "fsck passes on the restored vault" -- rv fsck
expect 0 "audit verify passes" -- rv audit verify
expect 0 "the restore is in the audit log with its gap" -- rv audit tail --json --lines 20
out_has '"action":"vault.restore"'; out_has "\"missing_audit_from\":$((BSIZE + 1))"
for i in 1 2; do
	rv doc checkout -o "$T/r$i.out" "$(eval echo \$D$i)" 2>/dev/null
	cmp -s "$T/r$i.out" "$T/doc$i.bin"; ok $? "document $i of the backup is back byte-identical"
done
expect 4 "the version destroyed after the backup stays destroyed" -- rv doc checkout -o "$T/x" "$D3@1"
expect 4 "...and the draft purged before the backup" -- rv doc checkout -o "$T/x" "$PD@1"
expect 0 "the copy register came back" -- rv copy list --json
out_has '"holder":"pam"'
expect 0 "the request register came back" -- rv request show --json 1
out_has '"state":"agreed"'
expect 0 "the restored vault pushes to its mirror again (fast-forward)" -- rv mirror push offsite
expect 0 "and works: a new check-in" -- rv doc checkin --case SCR-R --class other --title "Day one after" "$T/after.bin"
expect 0 "fsck at the end" -- rv fsck

for f in scrvault-backup.service scrvault-backup.timer scrvault.cron; do
	grep -q -e "mirror push" -e "scrvault-backup.service" "$ROOT/scripts/$f"; ok $? "scripts/$f runs the nightly push and backup"
done
grep -q "backup create" "$ROOT/scripts/scrvault-backup.service" && grep -q "backup create" "$ROOT/scripts/scrvault.cron"
ok $? "...and the backup"
finish
