#!/usr/bin/env bash
# Publication gated (000 §5.46, §6.3, §7.8; 001; 002): `case publish` is
# refused while criminal or coroner's proceedings hold the case, and while
# the case has no executive summary, unless a custodian overrides it with a
# reason that a second custodian approves; how long a summary stays on the
# web site follows its review type's [publication "TYPE"] rule, and the
# plan gives the take-down date where there is one.
. "$(dirname "$0")/lib.bash"

mkvault
enrol --key-out "$T/dep.key" --custodian --display-name "Deputy custodian" dep >/dev/null
sv principal grant dep coordinator >/dev/null
# coord and dep can both approve from here on: dual control is in force.
enrol --key-out "$T/ann.key" --display-name "Ann (coordinator, not a custodian)" ann >/dev/null
second "$T/dep.key" principal grant ann coordinator || echo "# ann not granted"
as() { local who=$1; shift; sv --as-key "$T/$who.key" --as-passphrase-file "$P" "$@"; }
docid() { sv doc list --json | python3 -c 'import json,sys; print([d["doc"] for d in json.load(sys.stdin) if d["title"] == sys.argv[1]][0])' "$1"; }
pub() {	# pub CASE FIELD: the field of the case's row in the plan's publications
	sv retention plan --json | python3 -c 'import json,sys; r=[p for p in json.load(sys.stdin)["publications"] if p["case"] == sys.argv[1]]; print(r[0].get(sys.argv[2]) if r else "none")' "$1" "$2"
}

sv case open --title "Child P" --type scr SCR-P >/dev/null
sv case open --title "Child Q" --type sir SIR-Q >/dev/null
sv case open --title "Child R" --type interagency IMR-R >/dev/null
printf 'overview\n' > "$T/ov.txt"; printf 'executive summary\n' > "$T/es.txt"
sv doc checkin --case SCR-P --class overview-report --title "P overview" "$T/ov.txt" >/dev/null

# ---- no executive summary --------------------------------------------------------------------------------
expect 6 "a case with no executive summary is not published" -- sv case publish SCR-P --on 2026-06-01
err_has "no executive summary declared"; err_has "doc checkin --case SCR-P --class executive-summary"
err_has "(--override-reason TEXT)"
[ "$(pub SCR-P published_on)" = none ]; ok $? "...nothing recorded"
expect 0 "...the refusal is audited" -- sv audit tail --json --lines 1
out_has '"action":"case.publish"'; out_has '"outcome":"conflict"'; out_has '"reason":"no executive summary"'
# A draft is not what the Board approved (000 §5.43): the summary must be declared.
sv doc checkin --case SCR-P --class executive-summary --title "P summary" "$T/es.txt" >/dev/null
PS=$(docid "P summary")
expect 6 "a summary checked in but not declared is not published" -- sv case publish SCR-P --on 2026-06-01
err_has "no executive summary declared"; err_has "doc declare DOC@VERSION"
[ "$(pub SCR-P published_on)" = none ]; ok $? "...nothing recorded"
printf 'executive summary, revised\n' > "$T/es2.txt"
sv doc checkin --doc "$PS" "$T/es2.txt" >/dev/null
expect 0 "the coordinator declares the version the Board approved (v1, not the later draft)" -- sv doc declare "$PS@1"

# ---- criminal proceedings ------------------------------------------------------------------------------
expect 0 "criminal proceedings: a hold on the case" -- \
	sv hold add SCR-P --kind criminal-proceedings --reason "trial of the child's father listed for March"
HOLD=$(sv hold list --json | python3 -c 'import json,sys; print([h["hold"] for h in json.load(sys.stdin) if h.get("case") == "SCR-P"][0])')
expect 0 "hold list shows its kind" -- sv hold list
out_has "criminal-proceedings"
expect 6 "no publication during criminal proceedings" -- sv case publish SCR-P --on 2026-06-01
err_has "criminal-proceedings"; err_has "hold release"; err_has "000 §5.46"
! grep -q "no executive summary" "$T/err"; ok $? "...and only for that: the declared summary counts"
[ "$(pub SCR-P published_on)" = none ]; ok $? "...nothing recorded"
expect 0 "...the refusal is audited" -- sv audit tail --json --lines 1
out_has '"reason":"criminal-proceedings hold"'

# ---- the override: a custodian, with a reason, under dual control -------------------------------------
expect 3 "someone who is not a custodian cannot override" -- \
	as ann case publish SCR-P --on 2026-06-01 --override-reason "the CPS agreed"
err_has "only a custodian"
expect 0 "...audited" -- sv audit tail --json --lines 1
out_has '"action":"case.publish-override"'; out_has '"outcome":"denied"'
expect 2 "an override needs its reason" -- sv case publish SCR-P --on 2026-06-01 --override-reason ""
expect 0 "a custodian's override waits for a second custodian" -- \
	sv case publish SCR-P --on 2026-06-01 --override-reason "the CPS agreed MARKER-OVERRIDE"
out_has "pending operation"
OP=$(grep -o 'pending operation [0-9a-f]*' "$T/out" | cut -d' ' -f3)
[ "$(pub SCR-P published_on)" = none ]; ok $? "...nothing recorded yet"
expect 3 "the asker cannot approve it" -- sv approve "$OP"
expect 0 "the second custodian approves: recorded" -- "$SV" --vault "$V" --key "$T/dep.key" --passphrase-file "$P" approve "$OP"
[ "$(pub SCR-P published_on)" = 2026-06-01 ]; ok $? "...published on 2026-06-01"
expect 0 "the entry says what was overridden" -- sv audit tail --json --lines 2
out_has '"overridden":"criminal-proceedings hold"'
sv audit export -o "$T/export.jsonl" >/dev/null
! grep -q "MARKER-OVERRIDE" "$T/export.jsonl"; ok $? "the reason (free text) stays out of the audit log"
sv hold release "$HOLD" --reason "sentenced" >/dev/null

# ---- a coroner's hold on one of the case's documents; other holds do not stop publication ---------------
sv doc checkin --case SIR-Q --class executive-summary --title "Q summary" "$T/es.txt" >/dev/null
QS=$(docid "Q summary")
sv doc declare "$QS@1" >/dev/null
sv hold add "$QS" --kind coroner --reason "inquest opened" >/dev/null
expect 6 "no publication while a coroner's inquest holds a document of the case" -- sv case publish SIR-Q --on 2026-06-01
err_has "coroner"
QH=$(sv hold list --json | python3 -c 'import json,sys; print([h["hold"] for h in json.load(sys.stdin) if h.get("doc") == sys.argv[1]][0])' "$QS")
sv hold release "$QH" --reason "inquest concluded" >/dev/null
sv doc checkin --case IMR-R --class executive-summary --title "R summary" "$T/es.txt" >/dev/null
sv doc declare "$(docid "R summary")@1" >/dev/null
sv hold add IMR-R --kind inquiry --reason "public inquiry" >/dev/null
expect 2 "nothing to override: an override is refused" -- sv case publish SIR-Q --on 2026-06-01 --override-reason "x"
err_has "nothing stops"
expect 0 "once the inquest has concluded, it is published" -- sv case publish SIR-Q --on 2026-06-01
expect 0 "an inquiry's hold keeps records, it does not stop publication" -- sv case publish IMR-R --on 2026-06-01

# ---- how long each stays on the web site ----------------------------------------------------------------
[ "$(pub SCR-P keep_until)" = 2027-06-01 ] && [ "$(pub SCR-P remove_by)" = None ]
ok $? "a serious case review: at least 12 months, then on request (002): no take-down date"
[ "$(pub SIR-Q remove_by)" = 2026-12-01 ] && [ "$(pub SIR-Q keep_until)" = None ]
ok $? "a serious incident review: six months (001)"
[ "$(pub IMR-R remove_by)" = 2026-12-01 ]; ok $? "an interagency management review: six months (001)"
[ "$(pub SIR-Q overdue)" = True ]; ok $? "...and past it, it is overdue"
expect 0 "retention plan shows the dates" -- sv retention plan
out_has "ON THE WEB SITE UNTIL AT LEAST"; out_has "2027-06-01"; out_has "2026-12-01"

# 000 §7.8 (six months, then removed) and 001 to the letter (twelve months) as policies.
sed -e '/^\[publication "scr"\]/,/^$/d' "$ROOT/policy/default.conf" > "$T/p.conf"
printf '[publication "scr"]\n\tmin-months = 12\n\tmax-months = 12\n' >> "$T/p.conf"
expect 0 "policy check: 001's twelve months" -- "$SV" policy check "$T/p.conf"
printf '[publication "scr"]\n\tmin-months = 13\n\tmax-months = 12\n' > "$T/bad.conf"
cat "$ROOT/policy/default.conf" "$T/bad.conf" > "$T/p2.conf"
expect 2 "policy check: min-months above max-months" -- "$SV" policy check "$T/p2.conf"
err_has "min-months (13) is more than max-months (12)"
sed 's/^\[publication "sir"\]/[publication "serious"]/' "$ROOT/policy/default.conf" > "$T/p3.conf"
expect 2 "policy check: a review type that does not exist" -- "$SV" policy check "$T/p3.conf"
err_has "no review type 'serious'"
expect 2 "a case's review type must be one of them" -- sv case open --title "Child S" --type serious SCR-S

# The old single setting still works: the take-down for every type without a section of its own.
sed -e '/^\[publication "[a-z]*"\]/,/^$/d' "$ROOT/policy/default.conf" > "$T/old.conf"
printf '[publication]\n\texecutive-summary-months = 6\n' >> "$T/old.conf"
grep -q '^\[publication "' "$T/old.conf"; [ $? -ne 0 ]; ok $? "a policy with [publication] executive-summary-months only"
expect 0 "...checks" -- "$SV" policy check "$T/old.conf"
second "$T/dep.key" policy load "$T/old.conf"; ok $? "...and is loaded (dual control)"
[ "$(pub SCR-P remove_by)" = 2026-12-01 ] && [ "$(pub SCR-P keep_until)" = None ]
ok $? "...every review type comes off after its six months (000 §7.8)"

expect 0 "fsck is clean" -- sv fsck
expect 0 "audit verify" -- sv audit verify
finish
