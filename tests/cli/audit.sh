#!/usr/bin/env bash
# The audit trail as an auditor relies on it: signed checkpoints committed to
# the store, offline verification of exports and proofs with nothing but the
# verifier key, and detection of every kind of tampering.
. "$(dirname "$0")/lib.bash"

mkvault
sv principal grant coord auditor >/dev/null
sv case open --title "MARKERCASE Child" SCR-2026-01 >/dev/null
head -c 5000 /dev/urandom > "$T/a.bin"
sv doc checkin --case SCR-2026-01 --class imr --agency MARKERAGENCY --title "MARKERTITLE" "$T/a.bin" >/dev/null
D=$(sv doc list --json | grep -o '"doc":"[0-9a-f]*"' | head -1 | cut -d'"' -f4)
sv doc checkout -o "$T/a.out" "$D" 2>/dev/null
sv --role auditor doc checkout -o "$T/b.out" "$D" 2>/dev/null
printf 'nope nope nope\n' > "$T/wrong"
"$SV" --vault "$V" --key "$K" --passphrase-file "$T/wrong" case list 2>/dev/null
enrol --key-out "$T/p.key" someone >/dev/null

expect 0 "audit pubkey" -- sv audit pubkey
VKEY=$(cat "$T/out")
[[ $VKEY =~ ^scrvault\.local/[0-9a-f]{32}\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$ ]]; ok $? "vkey has the C2SP form name+id+key"
expect 0 "audit tail" -- sv audit tail --lines 50
out_has "doc.checkin"; out_has "doc.checkout"
grep -q "doc.read.*denied" "$T/out"; ok $? "the auditor's refused read is an entry"
grep -q "vault.unlock.*denied" "$T/out"; ok $? "the failed unlock is an entry"
expect 0 "audit tail --json" -- sv audit tail --json
expect 0 "audit show 1" -- sv audit show 1
out_has '"action":"vault.init"'

# Every command ends with its signed checkpoint in the store (an annotated tag).
store_cp() { git --git-dir="$V/store.git" cat-file tag refs/audit/checkpoint 2>/dev/null | sed '1,/^$/d'; }
store_cp > "$T/cp"; [ -s "$T/cp" ]; ok $? "the store holds refs/audit/checkpoint"
head -1 "$T/cp" | grep -q "^scrvault.local/"; ok $? "checkpoint origin line"
grep -q "^— scrvault.local/" "$T/cp"; ok $? "checkpoint is a signed note"
last_seq() { sv audit tail --json --lines 1 | grep -o '"seq":[0-9]*' | cut -d: -f2; }
sv case open --title cp SCR-2026-09 >/dev/null
n_log=$(last_seq); n_cp=$(store_cp | sed -n 2p)
[ "$n_cp" = "$n_log" ]; ok $? "after a command the store's checkpoint covers the whole log ($n_cp of $n_log)"
# A forged store checkpoint (the note edited, so its signature fails) stops state changes.
good_tag=$(git --git-dir="$V/store.git" rev-parse refs/audit/checkpoint)
{ git --git-dir="$V/store.git" cat-file tag "$good_tag" | sed '/^$/q'; store_cp | sed "2s/.*/$((n_cp + 5))/"; } > "$T/forged"
forged=$(git --git-dir="$V/store.git" mktag < "$T/forged" 2>/dev/null || git --git-dir="$V/store.git" hash-object -t tag -w "$T/forged")
git --git-dir="$V/store.git" update-ref refs/audit/checkpoint "$forged"
expect 5 "a forged store checkpoint stops state changes" -- sv case open --title f SCR-2026-10
err_has "does not verify"
git --git-dir="$V/store.git" update-ref refs/audit/checkpoint "$good_tag"
expect 0 "with the real checkpoint back, state changes work again" -- sv case open --title f SCR-2026-10
expect 0 "live verify" -- sv audit verify
out_has "verified"
expect 0 "live verify with the vkey" -- sv audit verify --vkey "$VKEY"

# Full export verifies offline with only the vkey.
expect 0 "export" -- sv audit export -o "$T/full.jsonl"
expect 0 "offline verify of the export" -- "$SV" audit verify --vkey "$VKEY" "$T/full.jsonl"
out_has "verified"
for m in MARKERCASE MARKERAGENCY MARKERTITLE "Child"; do
	! grep -q "$m" "$T/full.jsonl"; ok $? "export holds no '$m'"
done
grep -q '"passphrase\|secret' "$T/full.jsonl"; ok $((1 - $?)) "export holds no key material"

tamper() {	# tamper DESC SED-OR-SCRIPT
	local desc=$1; shift
	"$@" < "$T/full.jsonl" > "$T/bad.jsonl"
	expect 5 "verify detects $desc" -- "$SV" audit verify --vkey "$VKEY" "$T/bad.jsonl"
	grep -q "first bad entry" "$T/out"; ok $? "$desc: the first bad entry is named"
}
L=$(grep -n '"entry":' "$T/full.jsonl" | sed -n 4p | cut -d: -f1)	# the 4th entry's line
edit() { sed "${L}s/\"outcome\":\"ok\"/\"outcome\":\"denied\"/"; }
tamper "an edited entry" edit
del() { awk -v l="$L" 'NR != l'; }
tamper "a deleted entry" del
ins() { awk -v l="$L" '{print} NR == l {print}'; }
tamper "an inserted (duplicated) entry" ins
L2=$(grep -n '"entry":' "$T/full.jsonl" | sed -n 5p | cut -d: -f1)
swap() { awk -v a="$L" -v b="$L2" 'NR == a {hold=$0; next} {print} NR == b {print hold}'; }
tamper "reordered entries" swap
trunc() { head -n 6; }
tamper "a truncated export" trunc
# The report: the first bad entry and one summary line, every problem only
# with --all (one edited entry printed ~56 "problem" lines).
edit < "$T/full.jsonl" > "$T/bad.jsonl"
expect 5 "an edited entry again" -- "$SV" audit verify --vkey "$VKEY" "$T/bad.jsonl"
[ "$(wc -l < "$T/out")" -eq 2 ]; ok $? "...reported in two lines: the first bad entry and the summary ($(wc -l < "$T/out"))"
grep -q "^first bad entry: [0-9]*: entries" "$T/out"; ok $? "...the first line names the entry and the problem"
! grep -q "^problem:" "$T/out"; ok $? "...no list of problems without --all"
expect 5 "verify --all" -- "$SV" audit verify --all --vkey "$VKEY" "$T/bad.jsonl"
grep -q "^problem: " "$T/out"; ok $? "...lists the problems"
[ "$(grep -c "^problem: " "$T/out")" -le 3 ]; ok $? "...once each, not once for every later checkpoint ($(grep -c "^problem: " "$T/out"))"
# A forged entry put in at position K, claiming to be entry K, is located at K
# (it was reported at K+1, where the genuine entry K now stands).
K=$(sed -n "${L}p" "$T/full.jsonl" | grep -o '"seq":[0-9]*' | tail -1 | cut -d: -f2)
forge() { awk -v l="$L" 'NR == l {f=$0; sub(/"time":"2/, "\"time\":\"1", f); print f} {print}'; }
forge < "$T/full.jsonl" > "$T/bad.jsonl"
! cmp -s "$T/full.jsonl" "$T/bad.jsonl"; ok $? "the forgery was put in"
expect 5 "verify detects a forged entry inserted at position $K" -- "$SV" audit verify --vkey "$VKEY" "$T/bad.jsonl"
grep -q "^first bad entry: $K:" "$T/out"; ok $? "...and locates it at $K, not $((K + 1))"
mkvault other
sv audit export -o "$T/other.jsonl" 2>/dev/null
OTHERKEY=$(sv audit pubkey)
expect 5 "verify rejects a log signed by another key" -- "$SV" audit verify --vkey "$OTHERKEY" "$T/full.jsonl"
expect 5 "verify rejects another vault's export" -- "$SV" audit verify --vkey "$VKEY" "$T/other.jsonl"
V=$T/vault; K=$T/vault-coord.key

# Filtered exports carry inclusion proofs.
expect 0 "filtered export (--doc)" -- sv audit export --doc "$D" -o "$T/doc.jsonl"
[ "$(wc -l < "$T/doc.jsonl")" -ge 4 ]; ok $? "filtered export holds the document's entries"
grep -q '"proof":\[' "$T/doc.jsonl"; ok $? "each filtered entry carries a proof"
expect 0 "filtered export verifies" -- "$SV" audit verify --vkey "$VKEY" "$T/doc.jsonl"
# ...but never as plainly "verified": it proves that its entries are in the
# signed log, not that it holds every entry the filter matches.
out_has "verified inclusion only"
! grep -q ': verified$' "$T/out"; ok $? "a filtered export is not reported as simply verified"
sed '2s/"outcome":"ok"/"outcome":"denied"/' "$T/doc.jsonl" > "$T/bad.jsonl"
expect 5 "an edited filtered entry is detected" -- "$SV" audit verify --vkey "$VKEY" "$T/bad.jsonl"
# Entries deleted from a filtered export: each remaining one still proves
# its inclusion (that printed "verified"), but the vault signed how many it
# exported and their digest.
[ "$(grep -c '"entry"' "$T/doc.jsonl")" -ge 3 ]; ok $? "the filtered export has entries to delete"
awk 'NR != 3 && NR != 4' "$T/doc.jsonl" > "$T/bad.jsonl"
expect 5 "entries deleted from a filtered export are detected" -- "$SV" audit verify --vkey "$VKEY" "$T/bad.jsonl"
out_has "removed from the export"
! grep -q "verified" "$T/out"; ok $? "...and nothing says verified"
# The filter is in the signed part: a header naming another filter fails.
tail -1 "$T/doc.jsonl" | grep -q '^{"statement":"scrvault-audit-export/v2\\norigin .*\\nfilter {\\"doc\\":'; ok $? "the export ends with the vault's signed statement, filter included"
sed '1s/"filter":{"doc":/"filter":{"actor":"coord","doc":/' "$T/doc.jsonl" > "$T/bad.jsonl"
! cmp -s "$T/doc.jsonl" "$T/bad.jsonl"; ok $? "the header's filter was changed"
expect 5 "a filter changed in the header is detected" -- "$SV" audit verify --vkey "$VKEY" "$T/bad.jsonl"
out_has "not the one the vault signed"
sed '$s/entries [0-9]*/entries 1/' "$T/doc.jsonl" > "$T/bad.jsonl"
expect 5 "an edited statement does not verify" -- "$SV" audit verify --vkey "$VKEY" "$T/bad.jsonl"
head -n -1 "$T/doc.jsonl" > "$T/bad.jsonl"
expect 5 "an export without its statement is detected" -- "$SV" audit verify --vkey "$VKEY" "$T/bad.jsonl"
out_has "without its signed statement"
# Exports made before the statement (format v1) still verify; a filtered one
# says that its filter is not signed.
head -n -1 "$T/full.jsonl" | sed '1s#scrvault-audit-export/v2#scrvault-audit-export/v1#' > "$T/v1.jsonl"
expect 0 "an unfiltered export of format v1 still verifies" -- "$SV" audit verify --vkey "$VKEY" "$T/v1.jsonl"
grep -q ': verified$' "$T/out"; ok $? "...as the whole log"
head -n -1 "$T/doc.jsonl" | sed '1s#scrvault-audit-export/v2#scrvault-audit-export/v1#' > "$T/v1.jsonl"
expect 0 "a filtered export of format v1 still verifies" -- "$SV" audit verify --vkey "$VKEY" "$T/v1.jsonl"
out_has "verified inclusion only"; out_has "its filter is not signed"
for flt in "--actor coord" "--action doc." "--outcome denied" "--case SCR-2026-01" "--since 2000-01-01 --until 2999-12-31"; do
	rm -f "$T/f.jsonl"
	sv audit export $flt -o "$T/f.jsonl" >/dev/null 2>&1 && "$SV" audit verify --vkey "$VKEY" "$T/f.jsonl" >/dev/null 2>&1
	ok $? "export $flt verifies"
done
sv audit export --outcome denied -o "$T/denied.jsonl" 2>/dev/null
! grep -v '"outcome":"denied"' "$T/denied.jsonl" | grep -q '"entry"'; ok $? "--outcome denied exports only denials"
expect 0 "csv export" -- sv audit export --csv
head -1 "$T/out" | grep -q "^seq,time,principal,role,action,outcome"; ok $? "csv has a header row"

# Proofs.
expect 0 "audit prove 3" -- sv audit prove -o "$T/p3.tlog-proof" 3
head -1 "$T/p3.tlog-proof" | grep -qx "c2sp.org/tlog-proof@v1"; ok $? "proof is a C2SP tlog-proof"
expect 0 "offline verify of an inclusion proof" -- "$SV" audit verify --vkey "$VKEY" --proof "$T/p3.tlog-proof"
sed -E '4{s/^A/B/; t; s/^./A/}' "$T/p3.tlog-proof" > "$T/badp"
expect 5 "a modified proof hash is rejected" -- "$SV" audit verify --vkey "$VKEY" --proof "$T/badp"
sed 's/^index 2$/index 3/' "$T/p3.tlog-proof" > "$T/badp"
expect 5 "a proof for the wrong index is rejected" -- "$SV" audit verify --vkey "$VKEY" --proof "$T/badp"
SIZES=$(grep -o '"checkpoint":"scrvault.local/[0-9a-f]*\\n[0-9]*' "$T/full.jsonl" | sed 's/.*\\n//' | sort -n | uniq)
OLD=$(echo "$SIZES" | head -2 | tail -1)
expect 0 "audit consistency $OLD" -- sv audit consistency -o "$T/c.json" "$OLD"
expect 0 "offline verify of a consistency proof" -- "$SV" audit verify --vkey "$VKEY" --proof "$T/c.json"
# Change the first character of the first proof hash to a different one.
sed -E 's/"proof":\["A/"proof":["B/; t; s/"proof":\["./"proof":["A/' "$T/c.json" > "$T/badc"
! cmp -s "$T/c.json" "$T/badc"; ok $? "the consistency proof was modified"
expect 5 "a modified consistency proof is rejected" -- "$SV" audit verify --vkey "$VKEY" --proof "$T/badc"
expect 6 "export refuses to overwrite" -- sv audit export -o "$T/full.jsonl"

# The auditor role: export, verify, prove; never content.
expect 0 "auditor may export" -- sv --role auditor audit export -o "$T/aud.jsonl"
expect 0 "auditor may verify" -- sv --role auditor audit verify
expect 0 "auditor may prove" -- sv --role auditor audit prove 2
expect 3 "auditor may not check out" -- sv --role auditor doc checkout -o "$T/x" "$D"
# ...nor a whole case at once: refused and on record like the single one (was
# "checked out 0 documents", exit 0, nothing logged).
mkdir "$T/audco"
denials() { sv audit tail --lines 100000 | grep -c "doc.read .*denied"; }
before=$(denials)
expect 3 "auditor may not check out a case's documents (-o DIR --case)" -- \
	sv --role auditor doc checkout -o "$T/audco" --case SCR-2026-01
err_has "does not have permission 'doc.read"
[ -z "$(ls -A "$T/audco")" ]; ok $? "...and nothing was written"
[ "$(denials)" -eq $((before + 1)) ]; ok $? "...and the refusal is an audit entry"
expect 0 "the coordinator's check-out of the same case still works" -- sv doc checkout -o "$T/audco" --case SCR-2026-01
out_has "checked out 1 document"

# Fail closed: an audit write that fails means no action.
before_docs=$(sv doc list --json | grep -o '"doc":' | wc -l)
before_ref=$(git --git-dir="$V/store.git" rev-parse main)
before_size=$(sv audit tail --json --lines 1 | grep -o '"seq":[0-9]*' | cut -d: -f2)
SCRVAULT_TEST_FAIL_AUDIT=1 svh doc checkin --case SCR-2026-01 --class imr "$T/a.bin" >/dev/null 2>"$T/err"
rc=$?; [ $rc -ne 0 ]; ok $? "check-in fails when its audit entry cannot be written (exit $rc)"
err_has "audit entry"
[ "$(sv doc list --json | grep -o '"doc":' | wc -l)" -eq "$before_docs" ]; ok $? "no document was added"
[ "$(git --git-dir="$V/store.git" rev-parse main)" = "$before_ref" ]; ok $? "the store ref did not move"
after_size=$(sv audit tail --json --lines 1 | grep -o '"seq":[0-9]*' | cut -d: -f2)
[ "$after_size" -eq "$before_size" ]; ok $? "the failed check-in left no entry (log size $before_size, now $after_size)"
# The hook exists only in the test build: the shipped program ignores it.
SCRVAULT_TEST_FAIL_AUDIT=1 expect 0 "the shipped scrvault has no audit-failure hook" -- \
	sv doc checkin --case SCR-2026-01 --class imr "$T/a.bin"
expect 0 "verify clean after the refused change" -- sv audit verify

# A database restored from an older backup is detected.
cp "$V/vault.db" "$T/old.db"; [ -e "$V/vault.db-wal" ] && cp "$V/vault.db-wal" "$T/old.db-wal"
sv case open --title t2 SCR-2026-02 >/dev/null
sv case open --title t3 SCR-2026-03 >/dev/null
cp "$T/old.db" "$V/vault.db"; rm -f "$V/vault.db-wal" "$V/vault.db-shm"; [ -e "$T/old.db-wal" ] && cp "$T/old.db-wal" "$V/vault.db-wal"
expect 5 "verify detects a database rolled back to an older copy" -- sv audit verify
out_has "missing"
expect 5 "state changes are refused on a rolled-back database" -- sv case open --title t4 SCR-2026-04
err_has "rolled back"
finish
