#!/usr/bin/env bash
# Reports people file (issue 19, item 5): `report board` and `report case`
# write a PDF laid out with cairo and pango, the same figures as CSV and
# JSON, and a signature by the vault (a C2SP note over the PDF's SHA-256)
# that `report verify` checks offline.  Attacks first: a changed byte, the
# signature of another report, another vault's key, an edited note; markup
# in a title printed as written; no case title in the Board's report; bad
# dates; a role that may not make it.  Then the figures, found in the PDF's
# text, agreeing with the CSV and the JSON, and the same bytes again.
. "$(dirname "$0")/lib.bash"

command -v pdftotext >/dev/null && command -v pdftoppm >/dev/null || { echo "# poppler-utils missing"; exit 1; }
TODAY=$(date -u +%F)
ago() { date -u -d "$TODAY - $1 days" +%F; }
FROM=$(ago 200)

mkvault
add() { local name=$1; shift; enrol --key-out "$T/$name.key" "$@" "$name" >/dev/null; }
as() { local who=$1; shift; sv --as-key "$T/$who.key" --as-passphrase-file "$P" "$@"; }
add dep --custodian --display-name "Deputy custodian"
add chair --display-name "LSCB chair"
add aud --display-name "Auditor"
add pat --agency police --display-name "Pat (police IMR author)"
# Titles that must never reach the Board's report; one with pango markup.
TITLE_A='Child <b>Alpha</b> & Family Zyxwv'
TITLE_B='Baby Quokkafield'
sv case open --title "$TITLE_A" --type scr --received "$(ago 150)" --decision-date "$(ago 140)" SCR-A >/dev/null
sv case open --title "$TITLE_B" --type sir --received "$(ago 30)" SIR-B >/dev/null
sv case open --title "Child Third" --type scr SCR-C >/dev/null
sv principal grant chair lscb-chair >/dev/null
sv principal grant aud auditor >/dev/null
sv principal grant pat imr-author --case SCR-A --agency police >/dev/null
# From here on a second custodian approves what dual control holds.
sv principal grant dep coordinator >/dev/null
second "$T/dep.key" principal add --kind service --custodian --no-passphrase --key-out "$T/purge.key" \
	--display-name "Purge job" purge-job || echo "# purge-job not added"
sv principal grant purge-job retention-job >/dev/null
job() { "$SV" --vault "$V" --key "$T/purge.key" "$@"; }
docid() { sv doc list --json | python3 -c 'import json,sys; print([d["doc"] for d in json.load(sys.stdin) if d["title"] == sys.argv[1]][0])' "$1"; }

# Superseded drafts fall due at once, so that the purge makes a destruction certificate.
sed -e 's/rule = destroy 6 months after superseded/rule = destroy 0 days after superseded/' \
    "$ROOT/policy/default.conf" > "$T/short.conf"
sv policy load "$T/short.conf" > "$T/out"
OP=$(grep -o 'pending operation [0-9a-f]*' "$T/out" | cut -d' ' -f3)
"$SV" --vault "$V" --key "$T/dep.key" --passphrase-file "$P" approve "$OP" >/dev/null

printf 'imr v1\n' > "$T/i1.txt"; printf 'imr v2\n' > "$T/i2.txt"; printf 'ov\n' > "$T/ov.txt"
sv doc checkin --case SCR-A --class imr --agency police --title "IMR <i>police</i> & co" "$T/i1.txt" >/dev/null
IMR=$(docid "IMR <i>police</i> & co")
sv doc checkin --doc "$IMR" "$T/i2.txt" >/dev/null
AGENCY='Health & <b>Care</b>'
sv doc checkin --case SCR-A --class imr --agency "$AGENCY" --title "Health IMR" "$T/ov.txt" >/dev/null
HIMR=$(docid "Health IMR")
sv copy create "$IMR@2" --count 3 >/dev/null
sv copy issue "$IMR@2#1" --external "Jane Outsider" --organisation "Court" --contact 0123 --purpose hearing \
	--due "$(date -u -d "$TODAY + 10 days" +%F)" >/dev/null
sv copy issue "$IMR@2#2" --to chair --contact 0456 --purpose reading --due "$(date -u -d "$TODAY + 5 days" +%F)" >/dev/null
sv retention confirm >/dev/null 2>&1 || second "$T/dep.key" retention confirm >/dev/null
job retention purge >"$T/purge.out" 2>&1 || { echo "# purge failed"; sed 's/^/# /' "$T/purge.out"; }
sv request new --channel foi --kind media --name "Reporter Rita" --contact r@example.org --case SCR-A \
	--reason "press" --received "$(ago 60)" >/dev/null
sv request new --channel foi --kind public --name "Member Max" --contact m@example.org --case SIR-B \
	--reason "asks" --received "$(ago 3)" >/dev/null
sv request new --channel foi --kind public --name "Member Mo" --contact o@example.org --case SCR-C \
	--reason "asks" --received "$(ago 40)" >/dev/null
as chair request decide 3 --refuse --reason "personal data" --exemption "s.40 personal information" >/dev/null
sv request respond 3 --on "$(ago 1)" >/dev/null
sv hold add --kind coroner --reason "Inquest for $TITLE_B" SIR-B >/dev/null
CERT=$(sv audit tail --json --lines 50 | grep -o '"action":"retention.destroy[^}]*' | head -1)

VKEY=$(sv audit pubkey)
check_ok() { "$SV" report verify --vkey "$VKEY" "$@" >"$T/out" 2>"$T/err"; }

# ---- attacks ------------------------------------------------------------------------------------------
H0=$(tree_hash "$V")
expect 2 "--from after --to is refused" -- sv report board --from "$(ago 1)" --to "$(ago 5)" -o "$T/x.pdf"
err_has "(--to DATE)"
expect 2 "a period ending in the future is refused" -- sv report board --from "$FROM" \
	--to "$(date -u -d "$TODAY + 1 day" +%F)" -o "$T/x.pdf"
err_has "(--to DATE)"
expect 2 "a date that is not a date is refused, naming --from" -- sv report board --from 2026-02-30 --to "$TODAY" \
	-o "$T/x.pdf"
err_has "(--from DATE)"
expect 2 "a board report needs -o" -- sv report board --from "$FROM" --to "$TODAY"
[ ! -e "$T/x.pdf" ] && [ ! -e "$T/x.pdf.sig" ]; ok $? "...no file written"
[ "$(tree_hash "$V")" = "$H0" ]; ok $? "...and the vault is unchanged"

expect 3 "an IMR author cannot make the Board's report" -- as pat report board --from "$FROM" --to "$TODAY" -o "$T/x.pdf"
[ ! -e "$T/x.pdf" ]; ok $? "...no file written"
expect 0 "...the refusal is audited" -- sv audit tail --json --lines 1
out_has '"action":"report.board"'; out_has '"outcome":"denied"'
expect 4 "a case out of the author's scope answers as a missing one" -- as pat report case SIR-B -o "$T/x.pdf"
expect 4 "a missing case" -- sv report case SCR-NONE -o "$T/x.pdf"

expect 0 "the coordinator makes the Board's report" -- sv report board --from "$FROM" --to "$TODAY" -o "$T/b.pdf" \
	--csv "$T/b.csv"
[ -s "$T/b.pdf" ] && [ -s "$T/b.pdf.sig" ] && [ -s "$T/b.csv" ]; ok $? "...PDF, signature and CSV written"
expect 0 "the chair makes a case report" -- as chair report case SCR-A -o "$T/c.pdf" --csv "$T/c.csv"
expect 6 "an existing file is never replaced" -- sv report board --from "$FROM" --to "$TODAY" -o "$T/b.pdf"

check_ok "$T/b.pdf"; ok $? "the Board's report verifies offline"
grep -q "board report for $FROM $TODAY" "$T/out"; ok $? "...and says what it is"
cp "$T/b.pdf" "$T/t.pdf"; cp "$T/b.pdf.sig" "$T/t.pdf.sig"
printf 'X' | dd of="$T/t.pdf" bs=1 seek=2000 conv=notrunc 2>/dev/null
expect 5 "one byte of the PDF changed: verify fails" -- "$SV" report verify --vkey "$VKEY" "$T/t.pdf"
err_has "is not the report the signature names"
expect 5 "the signature of another report: verify fails" -- "$SV" report verify --vkey "$VKEY" --sig "$T/c.pdf.sig" "$T/b.pdf"
sed 's/^as-of .*/as-of 1999-01-01/' "$T/b.pdf.sig" > "$T/edited.sig"
cmp -s "$T/edited.sig" "$T/b.pdf.sig"; [ $? -eq 1 ]; ok $? "(the note was edited)"
expect 5 "an edited note: verify fails" -- "$SV" report verify --vkey "$VKEY" --sig "$T/edited.sig" "$T/b.pdf"
V1=$V K1=$K
mkvault other
OTHER=$(sv audit pubkey)
V=$V1 K=$K1
expect 5 "another vault's verifier key: verify fails" -- "$SV" report verify --vkey "$OTHER" "$T/b.pdf"
expect 2 "a malformed verifier key is a usage error" -- "$SV" report verify --vkey "nonsense" "$T/b.pdf"
err_has "(--vkey VKEY)"

pdftotext -layout "$T/b.pdf" "$T/b.txt"
pdftotext -layout "$T/c.pdf" "$T/c.txt"
for t in "$TITLE_A" "$TITLE_B" "Zyxwv" "Quokkafield" "Child Third" "Jane Outsider" "Reporter Rita" "Member Max" "Inquest"; do
	grep -qF -- "$t" "$T/b.txt" "$T/b.csv" "$T/c.txt" "$T/c.csv"; [ $? -eq 1 ]; ok $? "no report holds '$t'"
done
grep -qF "$TITLE_B" "$T/b.pdf"; [ $? -eq 1 ]; ok $? "...nor the PDF's bytes"
# The audit log holds references and the SHA-256, never a title.
sv audit tail --json --lines 5 > "$T/audit"
grep -q '"action":"report.board"' "$T/audit" && ! grep -qF "Quokkafield" "$T/audit"; ok $? "the making is audited, no title"

# ---- the Board's report: the figures --------------------------------------------------------------------
SHA=$(sha256sum "$T/b.pdf" | cut -d' ' -f1)
grep -q "\"action\":\"report.board\".*\"sha256\":\"$SHA\"" "$T/audit"; ok $? "the audit entry carries the PDF's SHA-256"
grep -q "^sha256 $SHA$" "$T/b.pdf.sig"; ok $? "...and so does the signed note"
expect 0 "the same figures as JSON" -- sv report board --json --from "$FROM" --to "$TODAY" -o "$T/b2.pdf"
cp "$T/out" "$T/b.json"
cmp -s "$T/b.pdf" "$T/b2.pdf"; ok $? "the same vault and dates give the same bytes"
fig() {	# fig JSON TABLE ROW COLUMN: a cell
	python3 -c 'import json,sys; t=json.load(open(sys.argv[1]))["figures"][sys.argv[2]]; c=t["columns"].index(sys.argv[4]); print([r[c] for r in t["rows"] if r[0] == sys.argv[3]][0])' "$@"
}
csv() { python3 -c 'import csv,sys; print([r[3] for r in csv.reader(open(sys.argv[1])) if r[:3] == sys.argv[2:5]][0])' "$@"; }
[ "$(fig "$T/b.json" reviews scr opened)" = 2 ]; ok $? "two scr reviews opened in the period"
[ "$(fig "$T/b.json" reviews scr decided)" = 1 ]; ok $? "one decided"
[ "$(fig "$T/b.json" reviews all "open at end")" = 3 ]; ok $? "three open at the end"
[ "$(fig "$T/b.json" copies paper "out at end")" = 2 ]; ok $? "two copies out"
[ "$(fig "$T/b.json" foi FOI received)" = 3 ]; ok $? "three FOI requests received"
[ "$(fig "$T/b.json" foi FOI "answered late")" = 1 ]; ok $? "one answered late"
[ "$(fig "$T/b.json" foi FOI "overdue at end")" = 1 ]; ok $? "one overdue (received 60 days ago, unanswered)"
[ "$(fig "$T/b.json" holds 1 kind)" = coroner ]; ok $? "the coroner's hold in force"
DCERT=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["figures"]["destructions"]["rows"]; print(r[0][0] if r else "")' "$T/b.json")
[ -n "$DCERT" ] && sv retention certificate "$DCERT" >/dev/null; ok $? "a destruction with its certificate id ($DCERT)"
# Every cell of the JSON is in the CSV, and every number in the PDF.
python3 - "$T/b.json" "$T/b.csv" <<'EOF'
import csv, json, sys
figs = json.load(open(sys.argv[1]))["figures"]
rows = {(r[0], r[1], r[2]): r[3] for r in list(csv.reader(open(sys.argv[2])))[1:]}
want = {(t, r[0], c): v for t, tab in figs.items() for r in tab["rows"] for c, v in zip(tab["columns"], r)}
sys.exit(0 if rows == want else 1)
EOF
ok $? "the CSV holds exactly the JSON's figures"
grep -Eq '^ *scr +2 +1 +0 +0 +2 *$' "$T/b.txt"; ok $? "the PDF prints the scr row: 2 opened, 1 decided, 2 open"
grep -Eq '^ *all +3 +1 +0 +0 +3 *$' "$T/b.txt"; ok $? "...and the totals"
grep -Eq '^ *paper +2 +0 *$' "$T/b.txt"; ok $? "the copies row: two paper copies out, none overdue"
grep -Eq '^ *all +2 +0 *$' "$T/b.txt"; ok $? "two copies issued in the period, none returned"
[ "$(fig "$T/b.json" copy_moves all issued)" = 2 ]; ok $? "...as the JSON says"
grep -Eq '^ *FOI +3 +0 +1 +2 +1 *$' "$T/b.txt"; ok $? "the FOI row"
grep -q "SCR-A" "$T/b.txt" && grep -q "SIR-B" "$T/b.txt"; ok $? "cases named by reference"
grep -Eq "^ *$DCERT +SCR-A +imr +${IMR:0:12}@1 " "$T/b.txt"; ok $? "the destruction with its certificate and version"
grep -q "page 1 of [2-9]" "$T/b.txt"; ok $? "pages numbered N of M"
expect 0 "a period that ended yesterday" -- sv report board --json --from "$FROM" --to "$(ago 1)" -o "$T/y.pdf"
cp "$T/out" "$T/y.json"
[ "$(fig "$T/y.json" copies all "out at end")" = 0 ] && [ "$(fig "$T/y.json" reviews all "open at end")" = 0 ]
ok $? "...counts as of its end: the copies and cases made today are not in it"
[ "$(fig "$T/y.json" foi FOI "answered late")" = 1 ] && [ "$(fig "$T/y.json" foi FOI "received")" = 3 ]
ok $? "...and the FOI requests answered by then are"
pdfinfo "$T/b.pdf" | grep -q "CreationDate:.* $(date -u -d "$TODAY" '+%b %e') "; ok $? "the PDF's date is the as-of day"

# ---- the case report --------------------------------------------------------------------------------------
check_ok "$T/c.pdf"; ok $? "the case report verifies"
grep -q "a report of case SCR-A" "$T/out"; ok $? "...and names its case"
grep -q "${IMR:0:12}" "$T/c.txt"; ok $? "its documents by id"
grep -q "late\|overdue by" "$T/c.txt"; ok $? "the unanswered FOI request is marked overdue in words"
grep -q "Milestones against their deadlines" "$T/c.txt"; ok $? "a timeline chart"
expect 0 "the case report as JSON" -- sv report case SCR-A --json -o "$T/c2.pdf"
python3 -c 'import json,sys; f=json.load(open(sys.argv[1]))["figures"]; t=f["timeline"]; sys.exit(not any(r[0]=="decision to review" and r[1]==sys.argv[2] for r in t["rows"]))' "$T/out" "$(ago 140)"
ok $? "the decision on the timeline, on its date"
expect 0 "the IMR author makes the report of their case" -- as pat report case SCR-A --json -o "$T/p.pdf"
grep -q "${HIMR:0:12}" "$T/out"; [ $? -eq 1 ]; ok $? "...without the other agency's document"
grep -q "${IMR:0:12}" "$T/out"; ok $? "...with their own"

expect 0 "the report of a case whose FOI answer was late" -- sv report case SCR-C -o "$T/late.pdf"
pdftotext -layout "$T/late.pdf" "$T/late.txt"
grep -Eq "foi request 3 answered +$(ago 1) +[0-9-]+ +late by [0-9]+ days" "$T/late.txt"; ok $? "...says 'late by N days' in the table"
[ "$(grep -c "late by [0-9]* days" "$T/late.txt")" -ge 2 ]; ok $? "...and beside the chart's square, not by colour alone"

# Text from a record with pango markup's characters prints as written (an agency's name).
grep -qF -- "$AGENCY" "$T/c.txt"; ok $? "'$AGENCY' printed literally, not as markup"
grep -qF -- "Health & Care" "$T/c.txt"; [ $? -eq 1 ]; ok $? "...not made bold"
pdftoppm -r 40 -f 1 -l 1 -gray "$T/b.pdf" "$T/page" 2>/dev/null
python3 - "$T"/page*.pgm <<'EOF'
import sys
data = open(sys.argv[1], 'rb').read()
# P5 header: magic, width height, maxval, then pixels
parts = data.split(b'\n', 3)
pix = parts[3]
dark = sum(1 for b in pix if b < 128)
sys.exit(0 if dark > 500 else 1)
EOF
ok $? "page 1 rendered is not blank"

# ---- the statutory clocks (issue 19, item 5 with item 2) ---------------------------------------------------
# A vault of its own: one review decided on time, its police IMR received late, its health IMR
# overdue, its completion extended (Ofsted told) and completed by the extended date, the summary
# to Ofsted sent late; one review decided late; one referral decided "no further action".
mkvault clocks
add chairk --display-name "LSCB chair"
sv principal grant chairk lscb-chair >/dev/null
sv case open --title "Child Kestrelwood" --type scr --received "$(ago 300)" --decision-date "$(ago 280)" SCR-K >/dev/null
sv case open --title "Child Lapwingham" --type sir --received "$(ago 100)" --decision-date "$(ago 20)" SIR-L >/dev/null
printf 'form\n' > "$T/form.txt"; printf 'why\n' > "$T/why.txt"
sv referral new --received "$(ago 60)" --notifier "Nora Notifier" --notifier-agency police \
	--title "Child Nightjarson" --form "$T/form.txt" SCR-N >/dev/null
sv referral recommend SCR-N --review none --rationale "$T/why.txt" --on "$(ago 50)" >/dev/null
as chairk referral decide SCR-N --review none --rationale "$T/why.txt" --on "$(ago 40)" >/dev/null
sv case commission SCR-K --agency police --author "Pat Authorname" --on "$(ago 270)" >/dev/null
sv case commission SCR-K --agency health --author "Hana Writerly" --on "$(ago 270)" --due "$(ago 200)" >/dev/null
sv doc checkin --case SCR-K --class imr --agency police --title "Police IMR" "$T/i1.txt" >/dev/null
sv case extend SCR-K --to "$(ago 2)" --reason "the trial of Uncle Vexworth" --told "ofsted:$(ago 110)" >/dev/null
sv case milestone SCR-K completed --on "$(ago 5)" >/dev/null
sv case evaluation SCR-K --received "$(ago 4)" --rating good >/dev/null
sv case timeline SCR-K --json > "$T/tl.json"
sv case commission SIR-L --agency police --author "Pat Authorname" --on "$(ago 15)" >/dev/null

expect 0 "the Board's report with the clocks" -- sv report board --json --from "$FROM" --to "$TODAY" -o "$T/k.pdf" \
	--csv "$T/k.csv"
cp "$T/out" "$T/k.json"
pdftotext -layout "$T/k.pdf" "$T/k.txt"
[ "$(fig "$T/k.json" decisions review "decided late")" = 1 ]; ok $? "one review decided late (SIR-L, by the decision clock)"
[ "$(fig "$T/k.json" decisions "no further action" "decided on time")" = 1 ]; ok $? "the 'no further action' decision counted"
[ "$(fig "$T/k.json" completion reviews "on time, extended")" = 1 ]; ok $? "a review completed by its extended date: on time, extended"
[ "$(fig "$T/k.json" completion reviews "on time")" = 0 ] && [ "$(fig "$T/k.json" completion reviews late)" = 0 ]
ok $? "...and not on time plain, nor late"
[ "$(fig "$T/k.json" completion_late SCR-K status)" = "on time, extended" ]; ok $? "...listed by reference"
[ "$(fig "$T/k.json" imrs police "received late")" = 1 ]; ok $? "the late IMR counted under its agency (police)"
[ "$(fig "$T/k.json" imrs health "overdue at end")" = 1 ]; ok $? "the health IMR overdue at the end"
[ "$(fig "$T/k.json" imrs_late health count)" = 1 ] && [ "$(fig "$T/k.json" imrs_late police count)" = 1 ]
ok $? "...and both in the chart by agency"
grep -Eq '^ *police +0 +1 +0 *$' "$T/k.txt"; ok $? "the PDF prints police: 0 on time, 1 late, 0 overdue"
grep -Eq '^ *health +0 +0 +1 *$' "$T/k.txt"; ok $? "...health: 1 overdue"
grep -Eq '^ *no further action +1 +0 +0 *$' "$T/k.txt"; ok $? "...the 'no further action' row"
grep -Eq '^ *reviews +0 +1 +0 +0 +0 *$' "$T/k.txt"; ok $? "...the completions row"
grep -Eq 'SCR-K +[0-9-]+ +[0-9-]+ +on time, extended' "$T/k.txt"; ok $? "...and the extended review"
grep -q "IMRs received late or overdue at the end, by agency" "$T/k.txt"; ok $? "...and the chart"
python3 - "$T/k.json" "$T/k.csv" <<'EOF2'
import csv, json, sys
figs = json.load(open(sys.argv[1]))["figures"]
rows = {(r[0], r[1], r[2]): r[3] for r in list(csv.reader(open(sys.argv[2])))[1:]}
want = {(t, r[0], c): v for t, tab in figs.items() for r in tab["rows"] for c, v in zip(tab["columns"], r)}
sys.exit(0 if rows == want and ("imrs", "police", "received late") in rows else 1)
EOF2
ok $? "the CSV holds exactly the JSON's figures, the clocks' included"
for t in "Kestrelwood" "Lapwingham" "Nightjarson" "Pat Authorname" "Hana Writerly" "Vexworth" "Nora Notifier"; do
	grep -qF -- "$t" "$T/k.txt" "$T/k.csv" "$T/k.json"; [ $? -eq 1 ]; ok $? "the Board's report does not hold '$t'"
done

H0=$(tree_hash "$V")
expect 2 "report case --as-of: not a date" -- sv report case SCR-K --as-of 2026-02-30 -o "$T/a.pdf"
err_has "(--as-of DATE)"
expect 2 "report case --as-of: not in the future" -- sv report case SCR-K --as-of "$(date -u -d "$TODAY + 1 day" +%F)" -o "$T/a.pdf"
err_has "(--as-of DATE)"
expect 2 "the Board's report takes no --as-of" -- sv report board --as-of "$(ago 1)" --from "$FROM" --to "$TODAY" -o "$T/a.pdf"
[ ! -e "$T/a.pdf" ] && [ "$(tree_hash "$V")" = "$H0" ]; ok $? "...no file written, the vault unchanged"
tlrow() { python3 -c 'import json,sys; r=[r for r in json.load(open(sys.argv[1]))["figures"]["timeline"]["rows"] if r[0]==sys.argv[2]]; print("|".join(r[0]) if r else "")' "$@"; }
expect 0 "the case report with its clocks" -- sv report case SCR-K --json -o "$T/kc.pdf"
cp "$T/out" "$T/kc.json"
pdftotext -layout "$T/kc.pdf" "$T/kc.txt"
DUE=$(python3 -c 'import json,sys; print([m["due"] for m in json.load(open(sys.argv[1]))["milestones"] if m["clock"]=="imr" and m["agency"]=="police"][0])' "$T/tl.json")
tlrow "$T/kc.json" "IMR first draft (police)" | grep -q "|$TODAY|$DUE|late by [0-9]* days"; ok $? "the police IMR against its deadline: late by N days"
tlrow "$T/kc.json" "review completed" | grep -q "|$(ago 5)|$(ago 2)|on time, extended"; ok $? "the completion: on time, extended"
tlrow "$T/kc.json" "IMR first draft (health)" | grep -q "||$(ago 200)|overdue by 200 days"; ok $? "the health IMR: overdue by 200 days"
tlrow "$T/kc.json" "decision to review" | grep -q "|$(ago 280)|.*|on time"; ok $? "the decision on time"
grep -Eq "review completed +$(ago 5) +$(ago 2) +on time, extended" "$T/kc.txt"; ok $? "the PDF's table says so"
[ "$(grep -c "on time, extended" "$T/kc.txt")" -ge 2 ]; ok $? "...and beside the chart"
grep -qF "Pat Authorname" "$T/kc.txt"; [ $? -eq 1 ]; ok $? "the case report names no IMR author"
AS=$(ago 150)
expect 0 "the case report as of a past day" -- sv report case SCR-K --as-of "$AS" --json -o "$T/kp.pdf"
cp "$T/out" "$T/kp.json"
[ "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["as_of"])' "$T/kp.json")" = "$AS" ]; ok $? "...is as of that day"
tlrow "$T/kp.json" "IMR first draft (police)" | grep -q "||.*|overdue by"; ok $? "...the police IMR not yet in: overdue then"
tlrow "$T/kp.json" "review completed" | grep -q "on time"; [ $? -eq 1 ]; ok $? "...the review not completed then"
pdfinfo "$T/kp.pdf" | grep -q "CreationDate:.* $(date -u -d "$AS" '+%b %e') "; ok $? "...and the PDF's date is that day"
VKEY=$(sv audit pubkey)
check_ok "$T/kp.pdf" && grep -q "as of $AS" "$T/out"; ok $? "...and its signature says so"

finish
