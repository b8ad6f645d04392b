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
	enrol --key-out "$T/$name.key" "$@" "$name" >/dev/null
}
add dep --custodian --display-name "Deputy"
add pam --display-name "Pam" --contact "pam@lscb.example"
sv principal grant dep coordinator >/dev/null
sv principal grant pam panel-member --case SCR-R >/dev/null 2>&1
# Service principals wait for a second custodian (dep approves).
second "$T/dep.key" principal add --kind service --custodian --no-passphrase --key-out "$T/purge.key" purge-job ||
	echo "# purge-job not added"
sv principal grant purge-job retention-job >/dev/null
second "$T/dep.key" principal add --kind service --custodian --no-passphrase --key-out "$T/backup.key" backup-job ||
	echo "# backup-job not added"
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
# decided by dep: coord recorded it
"$SV" --vault "$V" --key "$T/dep.key" --passphrase-file "$P" request decide 1 --agree --reason ok >/dev/null

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
"$SV" init --vault "$T/V2" --key-out "$T/v2.key" --new-passphrase-file "$P" --kdf-memory 19 other >/dev/null
"$SV" --vault "$T/V2" --key "$T/v2.key" --passphrase-file "$P" mirror add x "file://$T/other.git" >/dev/null
"$SV" --vault "$T/V2" --key "$T/v2.key" --passphrase-file "$P" mirror push >/dev/null
sv mirror add wrong "file://$T/other.git" >/dev/null
H0=$(git --git-dir="$V/store.git" rev-parse main)
expect 6 "a mirror holding another history refuses the push (exit 6: conflict)" -- sv mirror push wrong
err_has "git init --bare"; out_has "failed"; out_has "not a fast-forward"
[ "$(git --git-dir="$V/store.git" rev-parse main)" = "$H0" ]; ok $? "...and nothing changed locally"
sv mirror add gone "file://$T/nowhere.git" >/dev/null
expect 1 "an unreachable mirror fails with the reason (exit 1)" -- sv mirror push gone
out_has "nowhere.git"
# The audit entry of a failed push has a fixed reason word, never libgit2's text.
lastpush() {	# the details of the newest mirror.push entry for mirror $1
	sv audit export --action mirror.push 2>/dev/null | python3 -c '
import json, sys
last = None
for line in sys.stdin:
    e = json.loads(line).get("entry")
    if e and e.get("objects", {}).get("mirror") == sys.argv[1]:
        last = e
print(json.dumps({"outcome": last["outcome"], "details": last.get("details")}, sort_keys=True))' "$1"
}
[ "$(lastpush gone)" = '{"details": {"outcome": "failed", "reason": "error"}, "outcome": "error"}' ]
ok $? "...audited with a fixed reason word only: $(lastpush gone)"
export GIT_AUTHOR_NAME=someone GIT_AUTHOR_EMAIL=someone@example GIT_COMMITTER_NAME=someone GIT_COMMITTER_EMAIL=someone@example
git init -q --bare "$T/ahead.git"
sv mirror add ahead "file://$T/ahead.git" >/dev/null
expect 0 "a second mirror" -- sv mirror push ahead
C=$(git --git-dir="$T/ahead.git" commit-tree -p main -m "a commit the vault lacks" "$(git --git-dir="$T/ahead.git" rev-parse 'main^{tree}')")
git --git-dir="$T/ahead.git" update-ref refs/heads/main "$C"
sv doc checkin --case SCR-R --class other --title "One more" "$T/d1.txt" >/dev/null
expect 6 "a mirror whose main has a commit the vault lacks: refused, exit 6" -- sv mirror push ahead
out_has "not a fast-forward"; err_has "git init --bare"
[ "$(git --git-dir="$T/ahead.git" rev-parse main)" = "$C" ]; ok $? "...the mirror's commit is not overwritten"
[ "$(lastpush ahead)" = '{"details": {"outcome": "failed", "reason": "not-fast-forward"}, "outcome": "conflict"}' ]
ok $? "...audited as a conflict: $(lastpush ahead)"

# Credentials never reach the vault or its audit log.
SECRET=S3cretT0kenQz7w
expect 2 "a mirror URL with a password is refused" -- sv mirror add cloud "https://backup:$SECRET@mirror.example/scr.git"
err_has "password"; err_has "ssh://backup@host/path"
expect 2 "...in scp-like form too" -- sv mirror add cloud "backup:$SECRET@mirror.example:/srv/scr.git"
expect 2 "...and an empty password" -- sv mirror add cloud "https://backup:@mirror.example/scr.git"
expect 0 "the mirrors" -- sv mirror list --json
! grep -q -e "$SECRET" -e cloud "$T/out"; ok $? "...nothing was stored"
sv audit export > "$T/audit.jsonl" 2>/dev/null
! grep -q "$SECRET" "$T/audit.jsonl"; ok $? "...and no audit entry holds the secret"
expect 0 "a user name alone is no secret: accepted" -- sv mirror add withuser "ssh://backup@mirror.example/srv/scr.git"
sv audit export --action mirror.add > "$T/audit.jsonl" 2>/dev/null
grep -qF '"url":"ssh://***@mirror.example/srv/scr.git"' "$T/audit.jsonl"; ok $? "...audited without it"
LONG="file://$T/$(head -c 1100 /dev/zero | tr '\0' x).git"
expect 2 "an over-long URL is refused at 'mirror add', never cut at push" -- sv mirror add long "$LONG"
err_has "characters long"
expect 2 "a URL with a control character is refused" -- sv mirror add ctl "$(printf 'file:///tmp/a\tb')"
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
out_has "\"missing_audit_from\":$((BSIZE + 1))"; out_has '"mirror_checkpoint":"verified"'
cp "$T/out" "$T/restore.json"
field() { python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1])).get(sys.argv[2]), sort_keys=True))' "$@"; }
# A destruction is re-applied on the purge's destruction record, signed by the
# vault's audit key; the purge writes it into its store commit.
git --git-dir="$T/mirror.git" log --format=%B main | grep -qx "scrvault destruction record v1"
ok $? "the purge's store commit on the mirror carries its signed destruction record"
[ "$(field "$T/restore.json" destructions_reapplied)" = "[{\"doc\": \"$D3\", \"version\": 1}]" ]
ok $? "the purge after the backup is re-applied on its signed record: $(field "$T/restore.json" destructions_reapplied)"
[ "$(field "$T/restore.json" check | python3 -c 'import json,sys; c=json.load(sys.stdin); print(c["problems"], c["checked"]["versions"] > 0)')" = "[] True" ]
ok $? "the restore decrypted and checked every document of the result"
# A mirror whose copy of a document is damaged under its own name (a disk
# error, or a mirror host that rewrote the file): the restore does not hand
# over a vault that fails its check.
cp -a "$T/mirror.git" "$T/bad-mirror.git"
# (document 1, which stays live: a version destroyed after the backup is not checked)
BADOBJ=$(git --git-dir="$T/bad-mirror.git" rev-parse "main:d/${D1:0:2}/${D1:2:2}/$D1.1")
git --git-dir="$T/bad-mirror.git" cat-file blob "$BADOBJ" > "$T/blob"
python3 -c 'import sys; b=bytearray(open(sys.argv[1],"rb").read()); b[len(b)//2]^=1; open(sys.argv[1],"wb").write(b)' "$T/blob"
obj="$T/bad-mirror.git/objects/${BADOBJ:0:2}/${BADOBJ:2}"
mkdir -p "$(dirname "$obj")"; rm -f "$obj"
python3 -c 'import sys,zlib; d=open(sys.argv[1],"rb").read(); open(sys.argv[2],"wb").write(zlib.compress(b"blob %d\0" % len(d) + d))' "$T/blob" "$obj"
expect 5 "a restore from a mirror with a damaged document fails (exit 5)" -- \
	"$SV" restore --json --from-backup "$T/b1.bak" --from-mirror "$T/bad-mirror.git" --to "$T/r-bad" --key "$K" \
	--passphrase-file "$P" --accept-gap
err_has "fails its check"
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

# ---- a mirror without a checkpoint that verifies ------------------------------------------------------
# Database-only changes (a legal hold here) leave no store commit: only the
# mirror's signed checkpoint shows that the backup misses them.
rv backup create -o "$T/b2.bak" >/dev/null
rv hold add --kind other --reason "legal hold" SCR-R >/dev/null
rv mirror push offsite >/dev/null
for m in nocp badcp foreign; do cp -r "$T/mirror.git" "$T/$m.git"; done
git --git-dir="$T/foreign.git" fetch -q "$T/other.git" +refs/audit/checkpoint:refs/audit/checkpoint
git --git-dir="$T/nocp.git" update-ref -d refs/audit/checkpoint
# The same checkpoint with one byte of its signature changed.
git --git-dir="$T/badcp.git" cat-file tag refs/audit/checkpoint | python3 -c '
import sys
t = sys.stdin.read().rstrip("\n").split("\n")
s = t[-1]; i = len(s) - 6
t[-1] = s[:i] + ("A" if s[i] != "A" else "B") + s[i + 1:]
sys.stdout.write("\n".join(t) + "\n")' > "$T/badtag"
BAD=$(git --git-dir="$T/badcp.git" mktag < "$T/badtag" 2>/dev/null || git --git-dir="$T/badcp.git" hash-object -t tag -w --literally "$T/badtag")
git --git-dir="$T/badcp.git" update-ref refs/audit/checkpoint "$BAD"
R2="$T/restored2"
restore2() { "$SV" restore --from-backup "$T/b2.bak" --to "$R2" --key "$K" --passphrase-file "$P" "$@"; }
expect 6 "a mirror whose checkpoint was deleted is a gap: refused without --accept-gap" -- restore2 --from-mirror "file://$T/nocp.git"
err_has "no audit checkpoint"; out_has "NONE (missing)"
[ ! -e "$R2" ]; ok $? "...nothing left"
expect 6 "a checkpoint whose signature does not verify too" -- restore2 --from-mirror "file://$T/badcp.git"
err_has "does not verify"; out_has "NONE (unverifiable)"
expect 6 "...and another vault's checkpoint" -- restore2 --from-mirror "file://$T/foreign.git"
err_has "does not verify"
expect 0 "with --accept-gap the restore proceeds" -- restore2 --json --from-mirror "file://$T/nocp.git" --accept-gap
out_has '"mirror_checkpoint":"missing"'
expect 0 "...and the audit log records the missing checkpoint" -- \
	"$SV" --vault "$R2" --key "$K" --passphrase-file "$P" audit tail --json --lines 3
out_has '"action":"vault.restore"'; out_has '"mirror_checkpoint":"missing"'
rm -rf "$R2"
expect 0 "the same with the broken signature" -- restore2 --from-mirror "file://$T/badcp.git" --accept-gap
"$SV" --vault "$R2" --key "$K" --passphrase-file "$P" audit tail --json --lines 3 > "$T/out"
out_has '"mirror_checkpoint":"unverifiable"'
rm -rf "$R2"

# ---- a forged removal pushed to the mirror -----------------------------------------------------------------
# Anyone who can push to the mirror can write a commit without a document's
# blob, with a purge's message and a record the vault never signed: nothing
# is destroyed, the removal is reported, and the version is back in the store.
rv backup create -o "$T/b3.bak" >/dev/null
cp -r "$T/mirror.git" "$T/forged.git"
FG=(git --git-dir="$T/forged.git")
VID=$(rv audit pubkey | sed 's|^scrvault.local/||; s|+.*||')
B1=$("${FG[@]}" rev-parse "main:d/${D1:0:2}/${D1:2:2}/$D1.1")
FORGED=$(printf 'retention purge\n\nscrvault destruction record v1\nvault %s\nat 2026-01-01T00:00:00Z\ndestroy %s 1 %s\nsignature %s\n' \
	"$VID" "$D1" "$B1" "$(head -c 64 /dev/zero | base64 -w0)" |
	"${FG[@]}" commit-tree -p main "$("${FG[@]}" ls-tree main | grep -v "$(printf '\td$')" | "${FG[@]}" mktree)")
"${FG[@]}" update-ref refs/heads/main "$FORGED"
R3="$T/restored3"
restore3() { "$SV" restore --from-backup "$T/b3.bak" --from-mirror "file://$T/forged.git" --to "$R3" --key "$K" --passphrase-file "$P" "$@"; }
expect 6 "the forged commit is a state change after the backup" -- restore3
out_has "retention purge"; err_has "would not be"
expect 0 "with the gap accepted the restore proceeds" -- restore3 --accept-gap
out_has "0 destructions re-applied"
err_has "WARNING"; err_has "$D1@1"; err_has "NOT destroyed"
r3() { "$SV" --vault "$R3" --key "$K" --passphrase-file "$P" "$@"; }
r3 doc checkout -o "$T/r3.out" "$D1" >/dev/null 2>&1
cmp -s "$T/r3.out" "$T/doc1.bin"; ok $? "...and the version is still there, byte-identical"
expect 0 "fsck passes" -- r3 fsck
expect 0 "the restore's audit entry lists the removals not applied" -- r3 audit tail --json --lines 10
out_has '"removals_not_applied_list":'; out_has "\"doc\":\"$D1\",\"version\":1"; out_has '"destructions_reapplied":0'
rm -rf "$R3"
expect 0 "the JSON report" -- restore3 --json --accept-gap
cp "$T/out" "$T/r3.json"
[ "$(field "$T/r3.json" destructions_reapplied)" = "[]" ]; ok $? "...no destruction re-applied"
[ "$(field "$T/r3.json" destruction_records_rejected)" = "1" ]; ok $? "...the record with a bad signature is rejected"
grep -qF "{\"doc\":\"$D1\",\"version\":1}" "$T/r3.json"; ok $? "...the removal is listed"

for f in scrvault-backup.service scrvault-backup.timer scrvault.cron; do
	grep -q -e "mirror push" -e "scrvault-backup.service" "$ROOT/scripts/$f"; ok $? "scripts/$f runs the nightly push and backup"
done
grep -q "scrvault-backup-job" "$ROOT/scripts/scrvault-backup.service" && grep -q "scrvault-backup-job" "$ROOT/scripts/scrvault.cron" &&
	grep -q '"$bin" backup create' "$ROOT/scripts/scrvault-backup-job" && grep -q '"$bin" mirror push' "$ROOT/scripts/scrvault-backup-job"
ok $? "...and the backup, through scrvault-backup-job (tests/cli/deploy.sh runs it)"
finish
