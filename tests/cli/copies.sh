#!/usr/bin/env bash
# The numbered-copy register as the coordinator uses it every day: copies
# made within the policy's limit, signed out to named people with their
# contact details, acknowledged, returned, lost, destroyed before a witness,
# recalled; electronic releases deleted or transferred to a body that keeps
# them; every transition checked against the state machine and audited;
# printed copies stamped on every page.
. "$(dirname "$0")/lib.bash"

HAVE_PDF=1
command -v pdftotext >/dev/null && command -v pdfinfo >/dev/null || HAVE_PDF=0
HAVE_AGE=1
command -v age-keygen >/dev/null || HAVE_AGE=0

mkvault
sv case open --title "Child X" SCR-X >/dev/null
sv case open --title "Child Y" SCR-Y >/dev/null
add() {
	local name=$1; shift
	enrol --key-out "$T/$name.key" "$@" "$name" >/dev/null
}
add pam --display-name "Pam Panel" --contact "pam@lscb.example, 0191 111 1111 MARKER-CONTACT"
add yan --display-name "Yan Other" --contact "yan@lscb.example"
add quinn --display-name "Quinn (no contact on file)"
add wit --display-name "Wendy Witness"
add dep --custodian --display-name "Deputy"
sv principal grant pam panel-member --case SCR-X >/dev/null
sv principal grant yan panel-member --case SCR-Y >/dev/null
sv principal grant quinn panel-member --case SCR-X >/dev/null
sv principal grant dep coordinator >/dev/null
as() { local who=$1; shift; sv --as-key "$T/$who.key" --as-passphrase-file "$P" "$@"; }

SAMPLE="$SAMPLES/overview-report.pdf"
[ -f "$SAMPLE" ] || { printf '%%PDF-1.4\n' > "$T/o.pdf"; SAMPLE="$T/o.pdf"; }
sv doc checkin --case SCR-X --class overview-report --title "Overview report" "$SAMPLE" >/dev/null
D=$(sv doc list --json | python3 -c 'import json,sys; print([d["doc"] for d in json.load(sys.stdin) if d["title"] == "Overview report"][0])')

# ---- create -------------------------------------------------------------------------------
expect 0 "make three numbered paper copies of version 1" -- sv copy create "$D@1" --count 3
out_has "SCR-X/overview-report/v1 #1 of 3"; out_has "#3 of 3"
expect 3 "the policy caps overview reports at 8 copies" -- sv copy create "$D@1" --count 6
err_has "at most 8 paper copies"
expect 0 "five more is within the limit" -- sv copy create "$D@1" --count 5
out_has "#8 of 8"
# A label is fixed when the copy is made: copy 1 was "#1 of 3" and stays so
# (its sheets may already be printed with it).
expect 0 "the register after more copies" -- sv copy list --doc "$D" --json
out_has "v1 #1 of 3" "copy 1 keeps its label '#1 of 3'"
! grep -q "#1 of 8" "$T/out"; ok $? "...never '#1 of 8'"
expect 3 "and a ninth is refused" -- sv copy create "$D@1" --count 1
expect 2 "a count of zero" -- sv copy create "$D@1" --count 0
expect 4 "no such version" -- sv copy create "$D@7" --count 1
expect 3 "a panel member cannot make copies" -- as pam copy create "$D@1" --count 1

C="$D@1#1"
# ---- issue ---------------------------------------------------------------------------------
expect 2 "issue needs a purpose and a due date" -- sv copy issue "$C" --to pam
expect 2 "a due date in the past" -- sv copy issue "$C" --to pam --purpose "panel" --due 2020-01-01
expect 2 "a due date that is not a date" -- sv copy issue "$C" --to pam --purpose "panel" --due tomorrow
expect 3 "not to someone who may not read the document" -- sv copy issue "$C" --to yan --purpose p --due 2099-01-01
err_has "may not read this document"
expect 2 "someone with no contact details on file must give them" -- sv copy issue "$C" --to quinn --purpose p --due 2099-01-01
err_has "no contact details"
expect 4 "no such principal" -- sv copy issue "$C" --to nobody --purpose p --due 2099-01-01
expect 0 "sign copy 1 out to the panel member" -- sv copy issue "$C" --to pam --purpose "panel meeting MARKER-PURPOSE" --due 2099-01-31
out_has "issued to pam"
expect 6 "an issued copy cannot be issued again" -- sv copy issue "$C" --to quinn --contact x --purpose p --due 2099-01-01
err_has "is issued to pam"
expect 2 "an outside holder needs organisation and contact" -- sv copy issue "$D@1#2" --external "I. Inspector" --purpose p --due 2099-01-01
expect 0 "an inspector as a recorded outside holder" -- sv copy issue "$D@1#2" --external "Ida Inspector" \
	--organisation "Ofsted" --contact "ida@ofsted.example" --purpose "inspection" --due 2099-02-28
expect 0 "copy 3 by its register number" -- sv copy issue 3 --to quinn --contact "quinn@lscb.example" --purpose "reading" --due 2099-01-15

# ---- acknowledge ----------------------------------------------------------------------------
expect 3 "only the holder signs for a copy" -- as quinn copy acknowledge "$C"
err_has "only the holder"
expect 0 "the holder signs for it with their own key" -- as pam copy acknowledge "$C"
expect 6 "once" -- as pam copy acknowledge "$C"
expect 0 "the coordinator records the inspector's paper signature" -- sv copy acknowledge --paper "$D@1#2"
expect 6 "a copy in store cannot be acknowledged" -- sv copy acknowledge --paper "$D@1#4"
err_has "is in-store"

# ---- list, overdue, recall --------------------------------------------------------------------
expect 0 "list the register" -- sv copy list --json
[ "$(grep -o '"copy":' "$T/out" | wc -l)" -eq 8 ]; ok $? "eight copies"
expect 0 "issued copies" -- sv copy list --state issued --json
[ "$(grep -o '"copy":' "$T/out" | wc -l)" -eq 3 ]; ok $? "three issued"
expect 0 "by holder" -- sv copy list --holder pam --json
[ "$(grep -o '"copy":' "$T/out" | wc -l)" -eq 1 ]; ok $? "one held by pam"
expect 0 "nothing overdue today" -- sv copy overdue --json
[ "$(cat "$T/out")" = "[]" ]; ok $? "empty"
expect 0 "as of 2099-02-01, two are overdue, longest first" -- sv copy overdue --as-of 2099-02-01 --json
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); sys.exit(not ([x["copy"] for x in r] == [3, 1] and all(x["state"] == "overdue" for x in r)))' "$T/out"
ok $? "copies 3 and 1, marked overdue"
expect 2 "an unknown state" -- sv copy list --state borrowed
expect 0 "recall the case: every copy still out, with contact details" -- sv copy recall SCR-X
out_has "3 copies of SCR-X still out"; out_has "ida@ofsted.example"; out_has "MARKER-CONTACT"; out_has "Ofsted"
expect 0 "recall --json" -- sv copy recall --json "$D"
out_has '"contact":"pam@lscb.example'
expect 4 "recall of something that is neither" -- sv copy recall NOPE-1
expect 3 "a panel member cannot read the register" -- as pam copy list

# ---- return, lost, destroy: the state machine ----------------------------------------------------
expect 6 "an issued copy cannot be destroyed until it is back" -- sv copy destroy "$C" --witness wit
err_has "is issued to pam"
expect 0 "the panel member returns it" -- sv copy return "$C" --condition "good, coffee stain p.3"
expect 6 "a returned copy cannot be returned again" -- sv copy return "$C"
err_has "is returned"
expect 6 "a copy in store cannot be reported lost" -- sv copy lost "$D@1#5" --reason x
err_has "is in-store"
expect 2 "lost needs a reason" -- sv copy lost 3
expect 0 "Quinn loses copy 3" -- sv copy lost 3 --reason "left on a train, reported to police"
expect 0 "it is found and returned" -- sv copy return 3 --condition "found at lost property"
expect 2 "a destruction needs a witness" -- sv copy destroy "$C"
expect 3 "not witnessed by the person destroying it" -- sv copy destroy "$C" --witness coord
err_has "someone other than"
expect 4 "a witness must be a principal" -- sv copy destroy "$C" --witness ghost
expect 0 "destroyed before a witness" -- sv copy destroy "$C" --witness wit --note "cross-cut shredder"
expect 6 "a destroyed copy cannot be destroyed again" -- sv copy destroy "$C" --witness wit
err_has "is destroyed"
expect 6 "nor issued" -- sv copy issue "$C" --to pam --purpose p --due 2099-01-01
err_has "is destroyed"
expect 0 "a returned copy can be issued again" -- sv copy issue 3 --to pam --purpose "second reading" --due 2099-03-01
expect 0 "the records manager can destroy too" -- sv copy destroy "$D@1#4" --witness wit
expect 0 "the full chain of custody" -- sv copy history --json "$C"
python3 - "$T/out" <<'EOF'
import json, sys
h = json.load(open(sys.argv[1]))
ev = [(e["event"], e["from"], e["to"]) for e in h["events"]]
want = [("create", None, "in-store"), ("issue", "in-store", "issued"), ("acknowledge (signed)", "issued", "issued"),
        ("return", "issued", "returned"), ("destroy", "returned", "destroyed")]
ok = ev == want and h["events"][-1]["witness"] == "wit" and h["events"][-1]["by"] == "coord" \
     and all(e["audit_seq"] > 0 for e in h["events"]) and h["copy"]["contact"].startswith("pam@")
sys.exit(0 if ok else 1)
EOF
ok $? "create, issue, acknowledge, return, destroy (with witness and audit entries)"
expect 0 "history as a table" -- sv copy history 3
out_has "lost"; out_has "found and returned"

expect 0 "every transition is in the audit log" -- sv audit tail --json --lines 1000
for a in copy.create copy.issue copy.acknowledge copy.return copy.lost copy.destroy; do
	grep -q "\"action\":\"$a\"" "$T/out"; ok $? "...$a"
done
! grep -q -e MARKER-CONTACT -e MARKER-PURPOSE -e "coffee stain" -e "left on a train" "$T/out"
ok $? "contact details, purposes and notes stay out of the audit log"
expect 0 "refusals are audited too" -- sv audit tail --json --lines 1000
# The refused second issue of $C (copy 1, already issued to pam): its own
# entry, by its actor, naming the copy, with the state that refused it.
python3 - "$T/out" "$D" <<'EOF'
import json, sys
log, doc = json.load(open(sys.argv[1])), sys.argv[2]
hits = [e for e in log if e["action"] == "copy.issue" and e["outcome"] == "conflict"
        and e["principal"] == "coord" and e["objects"].get("doc") == doc
        and e["objects"].get("version") == 1 and e["objects"].get("copy") == 1
        and e["details"].get("state") == "issued"]
sys.exit(0 if len(hits) == 1 else 1)
EOF
ok $? "...a refused transition is an entry (copy.issue of copy 1, conflict, by coord, state issued)"

# ---- electronic releases are copies too --------------------------------------------------------------
expect 0 "a release to the panel member" -- sv doc release "$D" --to pam -o "$T/rel.age"
expect 0 "is an electronic copy in the register, issued to her" -- sv copy list --doc "$D" --state issued --json
out_has '"kind":"electronic"'; out_has "electronic #1"
EC=$(python3 -c 'import json,sys; print([x["copy"] for x in json.load(open(sys.argv[1])) if x["kind"] == "electronic"][0])' "$T/out")
expect 6 "an electronic copy cannot be handed back" -- sv copy return "$EC"
expect 0 "its deletion is recorded with a witness" -- sv copy destroy "$EC" --witness wit
out_has "destroyed"

# ---- print -------------------------------------------------------------------------------------------
if [ $HAVE_PDF = 1 ]; then
	expect 6 "a copy in store is not printed (the sheet names its holder)" -- sv copy print "$D@1#5" -o "$T/p5.pdf"
	expect 0 "print the issued copy 3" -- sv copy print 3 -o "$T/c3.pdf"
	out_has "OFFICIAL-SENSITIVE"
	pages_in=$(pdfinfo "$SAMPLE" | awk '/^Pages:/ {print $2}')
	pages_out=$(pdfinfo "$T/c3.pdf" | awk '/^Pages:/ {print $2}')
	[ "$pages_out" -eq $((pages_in + 1)) ]; ok $? "a sign-out sheet plus every page ($pages_in + 1 = $pages_out)"
	pdftotext -f 1 -l 1 "$T/c3.pdf" "$T/sheet.txt"
	grep -q "SIGN-OUT SHEET" "$T/sheet.txt" && grep -q "#3 of 3" "$T/sheet.txt" && grep -q "second reading" "$T/sheet.txt" &&
		grep -q "MARKER-CONTACT" "$T/sheet.txt" && grep -q "2099-03-01" "$T/sheet.txt" && grep -qi "signature" "$T/sheet.txt"
	ok $? "the sheet: copy, holder's contact, purpose, due date, signature box"
	all=0
	for p in $(seq 2 "$pages_out"); do
		pdftotext -f "$p" -l "$p" "$T/c3.pdf" "$T/pg.txt"
		grep -q "SCR-X/overview-report/v1 #3 of 3" "$T/pg.txt" && grep -q "OFFICIAL-SENSITIVE" "$T/pg.txt" &&
			grep -q "pam" "$T/pg.txt" || all=1
	done
	ok $all "every page carries the copy number, case, marking and holder"
	pdftotext "$SAMPLE" "$T/orig.txt"; pdftotext "$T/c3.pdf" "$T/all.txt"
	w=$(grep -o '[A-Za-z]\{9,\}' "$T/orig.txt" | head -1)
	grep -q "$w" "$T/all.txt"; ok $? "the document's own text is still there ('$w')"
	expect 6 "printing never replaces a file" -- sv copy print 3 -o "$T/c3.pdf"
	expect 6 "an electronic copy is not printed" -- sv copy print "$EC" -o "$T/e.pdf"

	# A master that is not a PDF: the sheet only, and it says so.
	printf 'minutes in plain text\n' > "$T/minutes.txt"
	sv doc checkin --case SCR-X --class panel-minutes --title "Minutes" "$T/minutes.txt" >/dev/null
	M=$(sv doc list --json | python3 -c 'import json,sys; print([d["doc"] for d in json.load(sys.stdin) if d["title"] == "Minutes"][0])')
	sv copy create "$M" --count 1 >/dev/null
	sv copy issue "$M@1#1" --to pam --purpose "meeting" --due 2099-01-01 >/dev/null
	expect 0 "a text master prints the sign-out sheet only" -- sv copy print "$M@1#1" -o "$T/m.pdf"
	out_has "not a PDF"
	[ "$(pdfinfo "$T/m.pdf" | awk '/^Pages:/ {print $2}')" = 1 ]; ok $? "...one page"

	# A master that claims to be a PDF and is not: a clear error, nothing written.
	printf '%%PDF-1.7\nthis is not really a pdf\n' > "$T/fake.pdf"
	sv doc checkin --case SCR-X --class panel-minutes --title "Fake" "$T/fake.pdf" >/dev/null
	F=$(sv doc list --json | python3 -c 'import json,sys; print([d["doc"] for d in json.load(sys.stdin) if d["title"] == "Fake"][0])')
	sv copy create "$F" --count 1 >/dev/null
	sv copy issue "$F@1#1" --to pam --purpose "meeting" --due 2099-01-01 >/dev/null
	expect 2 "a damaged PDF master is refused with a clear message" -- sv copy print "$F@1#1" -o "$T/f.pdf"
	err_has "not a PDF that can be stamped"
	[ ! -e "$T/f.pdf" ]; ok $? "...and nothing written"

	# The stamping is done by scrvault-stamp, found beside the program, else
	# where it is installed: a scrvault without it says what to install.
	mkdir "$T/bare" && cp "$SV" "$T/bare/scrvault"
	"$T/bare/scrvault" --vault "$V" --key "$K" --passphrase-file "$P" copy print 3 -o "$T/bare.pdf" \
		>"$T/out" 2>"$T/err"
	rc=$?
	if [ $rc -eq 0 ] && [ -e "$T/bare.pdf" ]; then
		skip "a scrvault without its stamping helper" "scrvault-stamp is installed"
	else
		ok $((rc != 1)) "a scrvault without its stamping helper does not print (exit $rc)"
		err_has "cannot run the stamping helper '"
		err_has "/libexec/scrvault/scrvault-stamp': install scrvault-stamp"
		[ ! -e "$T/bare.pdf" ]; ok $? "...and nothing written"
	fi

	# The marking comes from the policy.
	sed 's/^\ttitle = Overview report$/\ttitle = Overview report\n\tmarking = OFFICIAL-SENSITIVE PERSONAL/' \
		"$ROOT/policy/default.conf" > "$T/marking.conf"
	sv policy load "$T/marking.conf" > "$T/out"
	OP=$(grep -o 'pending operation [0-9a-f]*' "$T/out" | cut -d' ' -f3)
	"$SV" --vault "$V" --key "$T/dep.key" --passphrase-file "$P" approve "$OP" >/dev/null
	expect 0 "print again after the board changes the marking" -- sv copy print 3 -o "$T/c3b.pdf"
	pdftotext -f 2 -l 2 "$T/c3b.pdf" - | grep -q "OFFICIAL-SENSITIVE PERSONAL"; ok $? "the new marking is on the page"
	expect 0 "each print is in the audit log" -- sv audit tail --json --lines 1000
	[ "$(grep -o '"action":"copy.print"' "$T/out" | wc -l)" -ge 3 ]; ok $? "...copy.print entries"
else
	skip "printing copies" "pdftotext/pdfinfo not installed"
fi

# ---- listings as tables ------------------------------------------------------------------------------------
# The CLI prints a register row by row (it may hold a hundred thousand): the
# table must still have one line per copy the JSON lists, columns padded to
# the widest cell (at most 60 bytes), and cut cells must stay valid UTF-8.
printf 'IMR\n' > "$T/imr.txt"
sv doc checkin --case SCR-X --class imr --agency police --title "Police IMR" "$T/imr.txt" > "$T/out"
I=$(grep -o 'SCR-X/[0-9a-f-]*' "$T/out" | head -1 | cut -d/ -f2)
[ -n "$I" ] || I=$(sv doc list --json | python3 -c 'import json,sys; print([d["doc"] for d in json.load(sys.stdin) if d["title"] == "Police IMR"][0])')
sv copy create "$I@1" --count 1 > /dev/null
LONG="Inspectrice M. Aimé Bérénice Châtelain-Dupré, Ofsted région Île-de-France, équipe spéciale"
expect 0 "a copy to an outside holder with a long accented name" -- sv copy issue "$I@1#1" --external "$LONG" \
	--organisation "Ofsted" --contact "aime@ofsted.example" --purpose "inspection" --due 2099-03-01
expect 0 "the register as JSON" -- sv copy list --json
NJ=$(grep -o '"copy":' "$T/out" | wc -l)
expect 0 "the register as a table" -- sv copy list
head -1 "$T/out" | grep -Eq '^COPY +LABEL +MASTER +STATE +HOLDER +DUE +RECEIPT +WITNESSED$'; ok $? "...a header line"
[ $(($(wc -l < "$T/out") - 1)) -eq "$NJ" ]; ok $? "...one line per copy the JSON lists ($NJ)"
python3 - "$T/out" "$LONG" <<'PY'
import sys
raw = open(sys.argv[1], "rb").read()
text = raw.decode("utf-8")              # raises if a cell was cut inside a character
long = sys.argv[2]
row = [l for l in text.splitlines() if "Inspectrice" in l][0]
full = long.encode()
n = 60
while n > 0 and (full[n] & 0xc0) == 0x80:
    n -= 1
cut = full[:n]
assert n < 60, "the test name must have a character across byte 60"
assert cut.decode() in row and long not in row, row
head = text.splitlines()[0]
# every line's columns start where the header's do (ASCII rows only)
starts = [head.index(h) for h in ("LABEL", "STATE", "HOLDER")]
for l in text.splitlines()[1:]:
    if l.isascii():
        assert all(l[s - 2:s] == "  " for s in starts), l
PY
ok $? "...the long name cut at 60 bytes on a character boundary, the columns aligned"
expect 0 "an empty listing as a table" -- sv copy overdue --as-of 2000-01-01
out_has "COPY"; out_has "(none)"

# ---- revoked holders and witnesses ----------------------------------------------------------------------
add rita --display-name "Rita Reader" --contact "rita@lscb.example"
sv principal grant rita panel-member --case SCR-X >/dev/null
sv copy create "$I@1" --count 2 >/dev/null
expect 0 "a copy issued to rita" -- sv copy issue "$I@1#2" --to rita --purpose "panel" --due 2099-01-01
expect 0 "...prints while she is active" -- sv copy print "$I@1#2" -o "$T/rita1.pdf"
sv principal revoke --reason "left the board" rita >/dev/null
expect 3 "once she is revoked, her copy is not printed again" -- sv copy print "$I@1#2" -o "$T/rita2.pdf"
err_has "recall it"
[ ! -e "$T/rita2.pdf" ]; ok $? "...nothing written"
expect 3 "nor is another copy issued to her" -- sv copy issue "$I@1#3" --to rita --purpose "panel" --due 2099-01-01
err_has "is revoked"
expect 3 "nor does she witness a destruction" -- sv copy destroy "$I@1#3" --witness rita
err_has "is revoked"
expect 0 "each refusal is in the audit log" -- sv audit tail --json --lines 3
out_has '"reason":"holder revoked"'; out_has '"reason":"witness revoked"'
expect 0 "her copy is still listed as out, to be recalled" -- sv copy recall SCR-X
out_has "rita"

# ---- electronic copies end honestly (000 §11.9: hard copies are destroyed) ---------------------------------
# The overview report went to the panel member and, electronically, to Ofsted
# and the DfE, who keep it under their own retention; the paper copy came back.
sv case open --title "Child E" SCR-E >/dev/null
sv principal grant pam panel-member --case SCR-E >/dev/null
sv doc checkin --case SCR-E --class overview-report --title "E overview" "$SAMPLE" >/dev/null
E=$(sv doc list --json | python3 -c 'import json,sys; print([d["doc"] for d in json.load(sys.stdin) if d["title"] == "E overview"][0])')
ecopy() { sv copy list --doc "$E" --json | python3 -c 'import json,sys; print([x["copy"] for x in json.load(sys.stdin) if x["kind"] == sys.argv[1]][int(sys.argv[2])])' "$1" "$2"; }
if [ $HAVE_AGE = 1 ]; then
	age-keygen -o "$T/ofsted.key" 2>/dev/null; age-keygen -o "$T/dfe.key" 2>/dev/null
	sv doc release "$E" --to "$(age-keygen -y "$T/ofsted.key")" --reason "Ofsted evaluation" -o "$T/ofsted.age" >/dev/null
	sv doc release "$E" --to "$(age-keygen -y "$T/dfe.key")" --reason "DfE" -o "$T/dfe.age" >/dev/null
else
	sv doc release "$E" --to dep -o "$T/ofsted.age" >/dev/null; sv doc release "$E" --to dep -o "$T/dfe.age" >/dev/null
fi
sv doc release "$E" --to pam -o "$T/pam-e.age" >/dev/null
sv copy create "$E@1" --count 1 >/dev/null
sv copy issue "$E@1#1" --to pam --purpose "panel" --due 2099-01-01 >/dev/null
sv copy return "$E@1#1" >/dev/null
sv copy destroy "$E@1#1" --witness wit >/dev/null
EO=$(ecopy electronic 0); ED=$(ecopy electronic 1); EP=$(ecopy electronic 2); PP=$(ecopy paper 0)
expect 6 "conclusion waits for the electronic copies to end" -- sv case conclude SCR-E \
	--action-plan-approved-on 2026-11-01 --ofsted-approved-on 2026-11-20
err_has "copy transfer"; out_has "electronic"
expect 2 "a transfer names the organisation that keeps the copy" -- sv copy transfer "$EO"
err_has "(--organisation ORG)"
expect 6 "a paper copy is never transferred: it is destroyed" -- sv copy transfer "$PP" --organisation "Ofsted"
err_has "hard copy is returned and destroyed"
expect 0 "...the refusal is audited" -- sv audit tail --json --lines 1
out_has '"action":"copy.transfer"'; out_has '"reason":"paper copy"'
expect 0 "Ofsted's copy: transferred, kept under their own retention (no witness: nobody watches them keep it)" -- \
	sv copy transfer "$EO" --organisation "Ofsted MARKER-ORG" --note "kept under Ofsted's retention schedule"
out_has "transferred"
expect 6 "...once" -- sv copy transfer "$EO" --organisation "Ofsted MARKER-ORG"
err_has "is transferred"
expect 0 "the DfE's copy too" -- sv copy transfer "$ED" --organisation "Department for Education"
expect 6 "still not concluded: the panel member's electronic copy is neither deleted nor transferred" -- \
	sv case conclude SCR-E --action-plan-approved-on 2026-11-01 --ofsted-approved-on 2026-11-20
out_has "$EP"
expect 0 "her deletion of it is recorded, witnessed" -- sv copy destroy "$EP" --witness wit
expect 0 "now the case concludes: no false record of Ofsted's copy being destroyed" -- \
	sv case conclude SCR-E --action-plan-approved-on 2026-11-01 --ofsted-approved-on 2026-11-20
expect 0 "the register says what happened to each" -- sv copy list --doc "$E" --state transferred --json
out_has "\"copy\":$EO"; out_has "\"copy\":$ED"
expect 0 "the copy's history names the organisation" -- sv copy history "$EO"
out_has "MARKER-ORG"; out_has "transfer"
sv audit export -o "$T/export.jsonl" >/dev/null 2>&1 || sv audit tail --json --lines 1000 > "$T/export.jsonl"
! grep -q "MARKER-ORG" "$T/export.jsonl"; ok $? "the organisation stays out of the audit log"
grep -q '"action":"copy.transfer"' "$T/export.jsonl"; ok $? "...which records each transfer"

# ---- policy ----------------------------------------------------------------------------------------------
sed 's/max-copies = 8/max-copies = 0/' "$ROOT/policy/default.conf" > "$T/p.conf"
expect 2 "policy check: max-copies must be 1-999" -- "$SV" policy check "$T/p.conf"
err_has "max-copies"
sed 's/^\ttitle = Overview report$/\ttitle = Overview report\n\tmarking = secret!/' "$ROOT/policy/default.conf" > "$T/p.conf"
expect 2 "policy check: a marking in capitals" -- "$SV" policy check "$T/p.conf"
err_has "marking"

# ---- no outside person in the signed log (issue 18, item 8) ---------------------------------------------
# Ida Inspector of Ofsted holds copy 2: her name, organisation and contact
# stay in the encrypted register, whatever is done with her copy.
[ $HAVE_PDF = 1 ] && { expect 0 "print the outside holder's copy" -- sv copy print "$D@1#2" -o "$T/ida.pdf"; }
sv copy return "$D@1#2" >/dev/null 2>&1
expect 0 "the whole log" -- sv audit export -o "$T/log.jsonl"
grep -n -e "Ida Inspector" -e "Ofsted" -e "ida@ofsted" -e "I\. Inspector" "$T/log.jsonl" > "$T/leak"
[ ! -s "$T/leak" ]; ok $? "no entry names the outside holder, her organisation or contact"
head -3 "$T/leak" | cut -c1-300 | sed 's/^/#   /'
grep -q '"holder":"outside holder"' "$T/log.jsonl"; ok $? "...the entries say 'outside holder'"

expect 0 "fsck is clean" -- sv fsck
expect 0 "audit verify" -- sv audit verify
finish
