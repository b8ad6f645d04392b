#!/usr/bin/env bash
# Proof sets (audit prove --seq/--case): chosen audit entries with their
# inclusion proofs, the title and the exact list signed by the vault, checked
# offline with nothing but the verifier key.  Each attack is made on a copy of
# a good file, seen to change it, and seen refused (exit 5).
. "$(dirname "$0")/lib.bash"

mkvault
add() { local name=$1; shift; enrol --key-out "$T/$name.key" "$@" "$name" >/dev/null; }
add dep --custodian --display-name "Deputy custodian"
add aud --display-name "Internal audit"
add pat --kind agency --agency police --display-name "Pat (police IMR author)"
add pc --display-name "Panel chair"
sv principal grant dep coordinator >/dev/null
sv principal grant aud auditor >/dev/null
as() { local who=$1; shift; sv --as-key "$T/$who.key" --as-passphrase-file "$P" "$@"; }
seq_of() { sv audit tail --lines 200 | awk -v a="$1" -v c="$2" '$5 == a && $6 == c { print $1; exit }'; }

# A milestone recorded long after the date it claims (decided two months
# before the case was opened here), and one recorded the day it happened.
today=$(date -u +%F)
sv case open --title "MARKERCHILD" --received 2026-01-05 --decision-date 2026-01-20 SCR-A >/dev/null
sv case open --title "Other" --received "$today" --decision-date "$today" SCR-B >/dev/null
printf 'minutes\n' > "$T/m.txt"
sv doc checkin --case SCR-A --class panel-minutes --title "MARKERDOC" "$T/m.txt" >/dev/null
sv principal grant pat imr-author --case SCR-A --agency police >/dev/null
OA=$(seq_of case.open SCR-A); OB=$(seq_of case.open SCR-B); CA=$(seq_of doc.checkin SCR-A)
[ -n "$OA" ] && [ -n "$OB" ] && [ -n "$CA" ]; ok $? "the milestones' entries ($OA $OB $CA)"
VKEY=$(sv audit pubkey)

# ---- making one ---------------------------------------------------------------------
expect 0 "the coordinator proves two entries" -- \
	sv audit prove --seq "$OA" --seq "$CA" --title "timeline of case SCR-A as of $today" -o "$T/a.proof"
err_has "2 entries"
[ "$(stat -c %a "$T/a.proof")" = 600 ]; ok $? "the proof file is 0600"
grep -q MARKER "$T/a.proof"; ok $((1 - $?)) "the proof holds no case title or document title"
expect 0 "verified offline with only the vkey" -- "$SV" audit verify --vkey "$VKEY" "$T/a.proof"
out_has "proof set: timeline of case SCR-A as of $today"
out_has "the file holds exactly the entries the vault listed"
grep -q "^$OA .*case.open .*SCR-A .*decided_on 2026-01-20, received_on 2026-01-05  recorded late (" "$T/out"
ok $? "the decision recorded long after its date is shown with both dates and flagged 'recorded late'"
grep "^$CA " "$T/out" | grep -q "recorded late"; ok $((1 - $?)) "an entry that claims no date is not flagged"
expect 0 "--json gives the same" -- "$SV" audit verify --json --vkey "$VKEY" "$T/a.proof"
out_has '"proves":"set"'; out_has '"late":true'; out_has '"name":"decided_on"'
out_has "\"seqs\":[$OA,$CA]"
expect 0 "SCR-B decided and recorded today" -- sv audit prove --seq "$OB" -o "$T/b.proof"
"$SV" audit verify --vkey "$VKEY" "$T/b.proof" >"$T/out"
grep "^$OB " "$T/out" | grep -q "decided_on $today" && ! grep -q "recorded late" "$T/out"
ok $? "a milestone recorded on its day is not flagged"
expect 0 "--case alone proves every entry about the case" -- sv audit prove --case SCR-A -o "$T/all-a.proof"
"$SV" audit verify --json --vkey "$VKEY" "$T/all-a.proof" >"$T/out"
grep -q "\"seqs\":\[$OA,$CA," "$T/out" && ! grep -q "\"case\":\"SCR-B\"" "$T/out"
ok $? "...its entries, in order, and none of another case"
sv audit tail --lines 3 | grep -q "audit.prove .*ok"; ok $? "making a proof is audited"
! sv audit tail --json --lines 5 | grep -q "timeline of case"; ok $? "...without its title"

# ---- bad requests: usage (2) or not found (4), nothing written ------------------------
h=$(tree_hash "$V")
expect 2 "no entries and no case" -- sv audit prove --title x -o "$T/x.proof"
err_has "--seq N"
expect 2 "a --seq that is not a number" -- sv audit prove --seq 3x -o "$T/x.proof"
expect 2 "a proof set needs -o FILE" -- sv audit prove --seq "$OA"
expect 2 "an entry of another case than --case" -- sv audit prove --case SCR-A --seq "$OB" -o "$T/x.proof"
err_has "is not about case 'SCR-A'"; err_has "(--seq N)"
expect 4 "an entry beyond the log" -- sv audit prove --seq 99999 -o "$T/x.proof"
err_has "no audit entry 99999"
expect 4 "a case that does not exist" -- sv audit prove --case SCR-NONE -o "$T/x.proof"
[ ! -e "$T/x.proof" ]; ok $? "no file was written"
# The file never replaces an existing one.
cp "$T/a.proof" "$T/keep"
expect 6 "-o an existing file" -- sv audit prove --seq "$OA" -o "$T/a.proof"
cmp -s "$T/a.proof" "$T/keep"; ok $? "...which is left as it was"
[ "$(tree_hash "$V")" = "$h" ]; ok $? "the vault is unchanged by every refused request"
expect 0 "audit prove SEQ still gives one entry's C2SP tlog-proof" -- sv audit prove "$OA"
out_has "c2sp.org/tlog-proof@v1"

# ---- attacks: each changes the file and is refused (exit 5) ---------------------------
attack() {	# attack NAME DESCRIPTION: $T/$NAME.proof was made from $T/a.proof
	if cmp -s "$T/$1.proof" "$T/a.proof"; then ok 1 "$2 (the attack did not change the file)"; return; fi
	expect 5 "$2" -- "$SV" audit verify --vkey "$VKEY" "$T/$1.proof"
}
# An entry's claimed date edited (the JSON stays canonical).
sed "s/\"decided_on\":\"2026-01-20\"/\"decided_on\":\"2026-03-20\"/" "$T/a.proof" > "$T/date.proof"
attack date "a claimed date edited"
out_has "not in the signed log"
! grep -q "2026-03-20" "$T/out"; ok $? "...and the edited date is not shown as proven"
sed '2d' "$T/a.proof" > "$T/drop.proof"
attack drop "an entry dropped"
# An entry taken from another proof (same vault, same signed log) added in order.
{ sed -n 1p "$T/a.proof"; sed -n 2,3p "$T/a.proof"; sed -n 2p "$T/b.proof"; sed -n '4,$p' "$T/a.proof"; } > "$T/add.proof"
attack add "an entry from another proof added"
{ sed -n 1,2p "$T/a.proof"; sed -n 2p "$T/a.proof"; sed -n '3,$p' "$T/a.proof"; } > "$T/dup.proof"
attack dup "an entry duplicated"
{ sed -n 1p "$T/a.proof"; sed -n 3p "$T/a.proof"; sed -n 2p "$T/a.proof"; sed -n '4,$p' "$T/a.proof"; } > "$T/order.proof"
attack order "two entries swapped"
sed "1s/timeline of case SCR-A as of $today/timeline of case SCR-A as of 2026-01-21/" "$T/a.proof" > "$T/title.proof"
attack title "the title changed"
err_has "filter is not the one the vault signed"
sed "1s/\"seqs\":\[$OA,$CA\]/\"seqs\":[$OA]/" "$T/drop.proof" > "$T/droplist.proof"
attack droplist "an entry dropped and the list edited to match"
# Downgraded to format v1 (no signed statement), the title free to change.
sed -e '$d' -e "1s/export\/v2/export\/v1/" -e "1s/as of $today/as of 2026-01-21/" "$T/a.proof" > "$T/v1.proof"
attack v1 "downgraded to export format v1 without the statement"
err_has "without the vault's signed statement"
# Another vault's verifier key.
SAVED_V=$V SAVED_K=$K
mkvault other
OTHER=$(sv audit pubkey)
V=$SAVED_V K=$SAVED_K
expect 5 "verified against another vault's vkey" -- "$SV" audit verify --vkey "$OTHER" "$T/a.proof"

# A proof made before later entries still verifies against its own checkpoint.
sv case open --title later SCR-C >/dev/null
expect 0 "a proof made before a later entry still verifies" -- "$SV" audit verify --vkey "$VKEY" "$T/a.proof"

# ---- who may ------------------------------------------------------------------------
expect 0 "the auditor makes one" -- as aud --role auditor audit prove --case SCR-A --seq "$OA" -o "$T/aud.proof"
expect 0 "...which verifies" -- "$SV" audit verify --vkey "$VKEY" "$T/aud.proof"
expect 3 "an IMR author may not" -- as pat audit prove --seq "$OA" -o "$T/pat.proof"
err_has "does not have permission 'audit.prove'"
[ ! -e "$T/pat.proof" ]; ok $? "...and no file is written"
sv audit tail --lines 3 | grep -q "pat .*audit.prove .*denied"; ok $? "...and the refusal is audited"
# Case scope: a case-scoped role allowed audit.prove reaches its own case only;
# another case's entries answer as missing ones.
sed 's/^\[role "panel-chair"\]$/[role "panel-chair"]\n\tallow = audit.prove/' "$ROOT/policy/default.conf" > "$T/pc.conf"
second "$T/dep.key" policy load "$T/pc.conf"; ok $? "a policy that lets the panel chair prove entries (approved)"
sv principal grant pc panel-chair --case SCR-A >/dev/null
expect 0 "the panel chair proves an entry of their case" -- as pc audit prove --case SCR-A --seq "$OA" -o "$T/pc.proof"
expect 4 "...not one of a case they do not reach" -- as pc audit prove --seq "$OB" -o "$T/pc2.proof"
err_has "no audit entry $OB"
expect 4 "...nor that case" -- as pc audit prove --case SCR-B -o "$T/pc3.proof"
err_has "no case 'SCR-B'"
[ ! -e "$T/pc2.proof" ] && [ ! -e "$T/pc3.proof" ]; ok $? "...and no file is written"
sv audit tail --lines 4 | grep -q "pc .*audit.prove .*denied"; ok $? "...and the refusals are audited"

finish
