#!/usr/bin/env bash
# The statutory clocks (issue 19): [timescales] in the policy; IMR
# commissions, extensions, Ofsted's evaluation and the milestones that stop
# the clocks, each one audit entry carrying its dates; `case timeline` shows
# the review against its deadlines.  Bad input: exit 2, the option named,
# the vault unchanged; the wrong role: exit 3, audited.
. "$(dirname "$0")/lib.bash"

mkvault
as() { local who=$1; shift; sv --as-key "$T/$who.key" --as-passphrase-file "$P" "$@"; }
jq_() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
enrol --key-out "$T/pam.key" pam >/dev/null
enrol --key-out "$T/dep.key" --custodian dep >/dev/null
enrol --key-out "$T/morgan.key" --agency police morgan >/dev/null
sv principal grant dep coordinator >/dev/null

# ---- the policy ------------------------------------------------------------------------------------------
expect 0 "the default policy checks, its timescales with it" -- "$SV" policy check "$ROOT/policy/default.conf"
grep -q "^	imr = 1 month after commissioned" "$ROOT/policy/default.conf"; ok $? "...scr: the IMR a month after the request (003 §5.2)"
printf '[timescales "sir"]\n\tcompletion = 6 fortnights after decision\n' > "$T/bad1"
cat "$ROOT/policy/default.conf" "$T/bad1" > "$T/p1.conf"
L=$(($(wc -l < "$ROOT/policy/default.conf") + 2))
expect 2 "policy check: a length in an unknown unit" -- "$SV" policy check "$T/p1.conf"
err_has "p1.conf:$L"; err_has "timescales.sir.completion"; err_has "N days|working days|weeks|months after EVENT"
printf '[timescales]\n\tdecision = 1 month after decision\n' > "$T/bad2"
cat "$ROOT/policy/default.conf" "$T/bad2" > "$T/p2.conf"
expect 2 "policy check: a clock from an event it cannot run from" -- "$SV" policy check "$T/p2.conf"
err_has "the decision clock cannot run from 'decision' (it runs from received)"
printf '[timescales "serious"]\n\timr = 1 month after commissioned\n[timescales]\n\tlunch = 1 day after decision\n' > "$T/bad3"
cat "$ROOT/policy/default.conf" "$T/bad3" > "$T/p3.conf"
expect 2 "policy check: an unknown review type and an unknown clock" -- "$SV" policy check "$T/p3.conf"
err_has "no review type 'serious'"; err_has "unknown setting 'timescales.lunch'"

# ---- cases ------------------------------------------------------------------------------------------------
sv case open --title "Child A" --type scr --received 2026-01-05 --decision-date 2026-02-02 SCR-A >/dev/null
sv case open --title "Child B" --type sir --received 2026-01-31 --decision-date 2026-03-02 SIR-B >/dev/null
sv case open --title "Child C" --type scr SCR-C >/dev/null
sv principal grant pam panel-member --case SCR-A >/dev/null
sv principal grant morgan authorising-manager --case SCR-A --agency police >/dev/null

# ---- commissions ------------------------------------------------------------------------------------------
H=$(tree_hash "$V")
expect 2 "commission: an agency is required" -- sv case commission SCR-A --author pat
err_has "(--agency AGENCY)"
expect 2 "commission: an author is required" -- sv case commission SCR-A --agency police
err_has "(--author NAME)"
expect 2 "commission: not in the future" -- sv case commission SCR-A --agency police --author pat --on 2999-01-01
err_has "(--on DATE)"
expect 2 "commission: not before the decision to review" -- \
	sv case commission SCR-A --agency police --author pat --on 2026-02-01
err_has "before the decision to hold the review"; err_has "(--on DATE)"
expect 2 "commission: the due date not before the commission" -- \
	sv case commission SCR-A --agency police --author pat --on 2026-02-10 --due 2026-02-09
err_has "(--due DATE)"
expect 2 "commission: a date that is not a date" -- sv case commission SCR-A --agency police --author pat --on 2026-02-30
err_has "not a date"
expect 4 "commission: no such case" -- sv case commission SCR-Z --agency police --author pat
[ "$(tree_hash "$V")" = "$H" ]; ok $? "...none of them changed the vault"
expect 3 "commission: a panel member may not commission" -- as pam case commission SCR-A --agency police --author pat
err_has "case.commission"
expect 0 "...the refusal is audited" -- sv audit tail --json --lines 1
out_has '"action":"case.commission"'; out_has '"outcome":"denied"'
H=$(tree_hash "$V")
expect 0 "commission from police, due by the clock (scr: 1 month after commissioned, 003 §5.2)" -- \
	sv case commission SCR-A --agency police --author "Pat Jones" --on 2026-02-10
out_has "due 2026-03-10"
expect 0 "commission from health with its own due date" -- \
	sv case commission SCR-A --agency health --author kim --on 2026-02-10 --due 2026-04-30 --json
SEQ_H=$(jq_ 'd["audit_seq"]' < "$T/out")
expect 6 "one commission per agency" -- sv case commission SCR-A --agency police --author pat
expect 0 "sir: 10 weeks after the decision (000 §5.23): 2 March + 70 days" -- \
	sv case commission SIR-B --agency police --author lee --on 2026-03-09
out_has "due 2026-05-11"
expect 0 "the commission's audit entry carries its dates, not the author's name" -- sv audit tail --json --lines 3
out_has '"commissioned_on":"2026-02-10"'; out_has '"due":"2026-04-30"'; out_has '"agency":"health"'
! grep -q "Pat Jones" "$T/out"; ok $? "...the author's name is not in the log"

# ---- extension ----------------------------------------------------------------------------------------------
H=$(tree_hash "$V")
expect 2 "extend: to an earlier date than the current due date" -- \
	sv case extend SCR-A --to 2026-07-01 --reason "court" --told ofsted:2026-06-01
err_has "already due on 2026-08-02"; err_has "(--to DATE)"
expect 2 "extend: to the due date itself" -- sv case extend SCR-A --to 2026-08-02 --reason "court" --told ofsted:2026-06-01
err_has "(--to DATE)"
expect 2 "extend: a reason is required" -- sv case extend SCR-A --to 2026-10-30 --told ofsted:2026-06-01
err_has "(--reason TEXT)"
expect 2 "extend: Ofsted told, as ofsted:DATE" -- sv case extend SCR-A --to 2026-10-30 --reason court --told 2026-06-01
err_has "ofsted:DATE"
expect 2 "extend: the day Ofsted was told is not in the future" -- \
	sv case extend SCR-A --to 2026-10-30 --reason court --told ofsted:2999-01-01
err_has "(--told ofsted:DATE)"
expect 2 "extend: nor before the decision" -- sv case extend SCR-A --to 2026-10-30 --reason court --told ofsted:2026-01-01
err_has "(--told ofsted:DATE)"
expect 6 "extend: a case without a decision has no completion clock" -- \
	sv case extend SCR-C --to 2026-10-30 --reason court --told ofsted:2026-06-01
[ "$(tree_hash "$V")" = "$H" ]; ok $? "...none of them changed the vault"
expect 3 "extend: a panel member may not" -- as pam case extend SCR-A --to 2026-10-30 --reason court --told ofsted:2026-06-01
expect 0 "extend to 30 October, Ofsted told 1 June (000 §5.9)" -- \
	sv case extend SCR-A --to 2026-10-30 --reason "the trial of the child's uncle" --told ofsted:2026-06-01 --json
SEQ_X=$(jq_ 'd["audit_seq"]' < "$T/out")
expect 0 "...its entry carries the dates" -- sv audit tail --json --lines 1
out_has '"from":"2026-08-02"'; out_has '"to":"2026-10-30"'; out_has '"told_ofsted_on":"2026-06-01"'
! grep -q "uncle" "$T/out"; ok $? "...and not the reason"
expect 2 "a second extension must be later still" -- \
	sv case extend SCR-A --to 2026-10-01 --reason court --told ofsted:2026-06-02
err_has "already due on 2026-10-30"

# ---- drafts and sign-offs: derived ------------------------------------------------------------------------
printf 'police imr\n' > "$T/imr.txt"
sv doc checkin --case SCR-A --class imr --agency police --title "Police IMR" "$T/imr.txt" >/dev/null
TODAY=$(date -u +%F)

# ---- the timeline ------------------------------------------------------------------------------------------
expect 0 "timeline as of 4 May 2026" -- sv case timeline SCR-A --as-of 2026-05-04
out_has "decision to review"; out_has "done on time"
out_has "IMR first draft (health)"; out_has "overdue (4 days)"
grep "review completed" "$T/out" | grep -q "open"; ok $? "...completion: not yet extended in May (Ofsted told in June)"
grep "IMR first draft (police)" "$T/out" | grep -q "overdue (55 days)"; ok $? "...police's draft came later: overdue as of May"
expect 0 "timeline as of 2 June 2026" -- sv case timeline SCR-A --as-of 2026-06-02
out_has "extended, extended from 2026-08-02"
out_has "police, commissioned 2026-02-10: commissioned"
expect 0 "timeline today: police's draft received today, late" -- sv case timeline SCR-A
grep "IMR first draft (police)" "$T/out" | grep -q "done late"; ok $? "...done late"
out_has "draft received, draft $TODAY"
CHECKIN=$(sv audit tail --json --lines 50 | python3 -c 'import json,sys; print([e["seq"] for e in json.load(sys.stdin) if e["action"] == "doc.checkin"][-1])')
IMR=$(sv doc list --json | python3 -c 'import json,sys; print([d["doc"] for d in json.load(sys.stdin) if d["title"] == "Police IMR"][0])')
expect 0 "timeline: police's IMR not yet signed off" -- sv case timeline SCR-A
out_has "police, commissioned 2026-02-10: draft received"
expect 0 "the police's authorising manager signs it off" -- as morgan doc signoff "$IMR@1"
expect 0 "timeline: signed off, derived from the sign-off" -- sv case timeline SCR-A
out_has "police, commissioned 2026-02-10: signed off, draft $TODAY, signed off $TODAY"
expect 0 "...its milestone names the check-in's audit entry" -- sv case timeline SCR-A --json
python3 -c 'import json,sys; m=[x for x in json.load(open(sys.argv[1]))["milestones"] if x.get("agency")=="police"][0]; assert m["audit_seq"]==int(sys.argv[2]) and m["recorded_at"], m' "$T/out" "$CHECKIN"
ok $? "...audit_seq $CHECKIN, with the entry's time"
expect 0 "timeline --json" -- sv case timeline SCR-A --json --as-of 2026-06-02
python3 - "$T/out" "$SEQ_H" "$SEQ_X" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1])); ms = d["milestones"]
by = {m["label"]: m for m in ms}
assert by["IMR first draft (health)"]["status"] == "overdue" and by["IMR first draft (health)"]["late_days"] == 33
assert by["review completed"]["due"] == "2026-10-30" and by["review completed"]["original_due"] == "2026-08-02"
assert by["review completed"]["extended"] is True and by["review completed"]["status"] == "extended"
assert by["decision to review"]["due"] == "2026-02-05"
assert all("audit_seq" in m and "recorded_at" in m for m in ms)
ev = {(e["event"], e.get("agency")): e for e in d["events"]}
assert ev[("commission", "health")]["audit_seq"] == int(sys.argv[2])
assert ev[("extension", None)]["audit_seq"] == int(sys.argv[3])
assert ev[("extension", None)]["to"] == "2026-10-30"
EOF
ok $? "...statuses, due dates, and the audit entry of each event"
expect 4 "timeline: no such case" -- sv case timeline SCR-Z
expect 2 "timeline: --as-of must be a date" -- sv case timeline SCR-A --as-of soon
err_has "(--as-of DATE)"
expect 0 "a panel member of the case reads its timeline" -- as pam case timeline SCR-A
expect 4 "...and not another case's: as if it did not exist" -- as pam case timeline SIR-B

# ---- completion, Ofsted, the action plan ------------------------------------------------------------------
H=$(tree_hash "$V")
expect 2 "milestone: not in the future" -- sv case milestone SCR-A completed --on 2999-01-01
err_has "(--on DATE)"
expect 2 "milestone: not before its anchor (the decision)" -- sv case milestone SCR-A completed --on 2026-01-20
err_has "before the decision to hold the review"; err_has "(--on DATE)"
expect 2 "milestone: an unknown kind" -- sv case milestone SCR-A finished --on 2026-10-20
err_has "no milestone 'finished'"
expect 6 "milestone: the summary to Ofsted before any evaluation" -- sv case milestone SCR-A summary-sent --on 2026-10-20
err_has "no evaluation from Ofsted"
expect 2 "evaluation: an unknown rating" -- sv case evaluation SCR-A --received 2026-11-30 --rating poor
err_has "(--rating RATING)"
expect 2 "evaluation: not in the future" -- sv case evaluation SCR-A --received 2999-11-30 --rating good
err_has "(--received DATE)"
[ "$(tree_hash "$V")" = "$H" ]; ok $? "...none of them changed the vault"
expect 3 "milestone: a panel member may not" -- as pam case milestone SCR-A completed --on 2026-10-20
expect 0 "...the refusal is audited" -- sv audit tail --json --lines 1
out_has '"action":"case.milestone"'; out_has '"outcome":"denied"'
expect 0 "the review completed on 20 October" -- sv case milestone SCR-A completed --on 2026-10-20
expect 6 "...once" -- sv case milestone SCR-A completed --on 2026-10-21
expect 2 "evaluation: not before the review's completion" -- sv case evaluation SCR-A --received 2026-10-01 --rating good
err_has "before the review's completion"
expect 0 "Ofsted's evaluation: inadequate, received 30 November" -- \
	sv case evaluation SCR-A --received 2026-11-30 --rating inadequate
expect 0 "...its entry carries the date and rating" -- sv audit tail --json --lines 1
out_has '"received_on":"2026-11-30"'; out_has '"rating":"inadequate"'
expect 6 "...once" -- sv case evaluation SCR-A --received 2026-12-01 --rating good
expect 0 "the case concludes" -- sv case conclude SCR-A --action-plan-approved-on 2026-12-01 --ofsted-approved-on 2026-12-01
expect 0 "a plan review on a concluded case is recorded (the freeze is about documents)" -- \
	sv case milestone SCR-A plan-review --on 2026-12-02
expect 2 "a plan review not before the last one" -- sv case milestone SCR-A plan-review --on 2026-12-01
err_has "before the last plan review"
expect 0 "the summary and publication date sent to Ofsted" -- sv case milestone SCR-A summary-sent --on "$TODAY"
expect 0 "timeline as of today" -- sv case timeline SCR-A
grep "review completed" "$T/out" | grep -q "done on time, extended from 2026-08-02"; ok $? "...completed on time, against the extension"
grep "summary to Ofsted" "$T/out" | grep -q "2026-12-30"; ok $? "...summary due a month after the letter (000 §8.20)"
grep "improvement plan to Ofsted" "$T/out" | grep -q "2027-02-28"; ok $? "...plan due three months after: 28 February (000 §8.7)"
grep "action-plan review 1" "$T/out" | grep -q "2027-01-20.*2026-12-02.*done on time"; ok $? "...review 1: quarterly (003 §7.3)"
grep "action-plan review 2" "$T/out" | grep -q "2026-12-02.*2027-03-02"; ok $? "...review 2 due three months after review 1"
expect 0 "the plan closed" -- sv case milestone SCR-A plan-closed --on "$TODAY"
expect 6 "no plan review after the plan is closed" -- sv case milestone SCR-A plan-review --on "$TODAY"
expect 0 "timeline: no further review once closed" -- sv case timeline SCR-A
! grep -q "action-plan review 2" "$T/out"; ok $? "...review 2 is gone"

expect 6 "a plan review before the review is completed" -- sv case milestone SIR-B plan-review --on 2026-06-01
err_has "no completion of the review recorded"
expect 6 "an improvement plan without an inadequate evaluation" -- sv case milestone SIR-B plan-sent --on 2026-06-01
err_has "which alone asks for an improvement plan"
expect 0 "SIR-B: received 31 January, decision due 28 February, made 2 March" -- sv case timeline SIR-B --as-of 2026-03-09
grep "decision to review" "$T/out" | grep -q "2026-01-31 2026-02-28 2026-03-02 done late (2 days)"; ok $? "...done late (2 days)"
grep "IMR first draft (police)" "$T/out" | grep -q "2026-03-02 2026-05-11"; ok $? "...IMR due 10 weeks after the decision"

# ---- every clock ------------------------------------------------------------------------------------------
expect 0 "case clocks --open --as-of" -- sv case clocks --open --as-of 2026-05-04 --json
python3 - "$T/out" <<'EOF'
import json, sys
rows = json.load(open(sys.argv[1]))
keys = {"case", "clock", "agency", "anchor_on", "due", "done_on", "status", "late_days", "audit_seq"}
assert all(keys <= set(r) for r in rows)
assert all(r["done_on"] is None for r in rows)
h = [r for r in rows if r["case"] == "SCR-A" and r["agency"] == "health"][0]
assert h["status"] == "overdue" and h["late_days"] == 4
assert any(r["case"] == "SIR-B" and r["clock"] == "completion" for r in rows)
EOF
ok $? "...open milestones of every case, with their status"
expect 0 "case clocks --done-from --done-to" -- sv case clocks --done-from 2026-10-01 --done-to 2026-10-31 --json
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert [x["clock"] for x in r] == ["completion"] and r[0]["audit_seq"]' "$T/out"
ok $? "...the review completed in October, with its audit entry"
expect 0 "a panel member lists only the clocks of their case" -- as pam case clocks --json
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r and {x["case"] for x in r} == {"SCR-A"}' "$T/out"
ok $? "...SCR-A only"

# ---- a case that came through a referral (records/referral.c) --------------------------------------------
enrol --key-out "$T/chair.key" chair >/dev/null
second "$T/dep.key" principal grant chair lscb-chair || sv principal grant chair lscb-chair >/dev/null
printf 'rationale\n' > "$T/why.txt"
sv referral new --received 2026-03-31 --notifier "A. Sergeant" --notifier-agency police --title "Child D" SCR-D >/dev/null
expect 0 "a referral not yet decided: the decision clock alone" -- sv case timeline SCR-D --as-of 2026-05-04 --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); m=d["milestones"]; assert [x["clock"] for x in m]==["decision"] and m[0]["due"]=="2026-04-30" and m[0]["status"]=="overdue", m' "$T/out"
ok $? "...due 30 April (31 March + 1 month), overdue"
H=$(tree_hash "$V")
expect 6 "no IMR is commissioned before the decision to review" -- sv case commission SCR-D --agency police --author pat --on 2026-04-02
err_has "not a review"
[ "$(tree_hash "$V")" = "$H" ]; ok $? "...the vault unchanged"
sv referral recommend SCR-D --review scr --rationale "$T/why.txt" --on 2026-04-20 >/dev/null
as chair referral decide SCR-D --review scr --rationale "$T/why.txt" --on 2026-04-28 >/dev/null
DECIDE=$(sv audit tail --json --lines 20 | python3 -c 'import json,sys; print([e["seq"] for e in json.load(sys.stdin) if e["action"] == "referral.decide"][-1])')
expect 0 "decided: the decision milestone names the referral.decide entry" -- sv case timeline SCR-D --json --as-of 2026-05-04
python3 - "$T/out" "$DECIDE" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); m = d["milestones"][0]
assert m["clock"] == "decision" and m["done_on"] == "2026-04-28" and m["status"] == "done on time", m
assert m["audit_seq"] == int(sys.argv[2]) and m["recorded_at"], m
ev = {e["event"]: e for e in d["events"]}
assert ev["decision"]["audit_seq"] == int(sys.argv[2]) and ev["received"]["audit_seq"]
assert [x["clock"] for x in d["milestones"]][:3] == ["decision", "completion", "ofsted-summary"]
PY
ok $? "...done on time, with its audit entry; the review's clocks start"
expect 0 "...and an IMR can now be commissioned" -- sv case commission SCR-D --agency police --author pat --on 2026-04-29

# ---- the timeline's proof: its entries, signed, checked offline --------------------------------------------
VK=$(sv audit pubkey)
expect 2 "--proof needs the file to write" -- sv case timeline SCR-A --proof
err_has "--proof -o FILE"
expect 2 "-o without --proof is refused" -- sv case timeline SCR-A -o "$T/tl.proof"
expect 3 "a panel member may not make one" -- as pam case timeline SCR-A --proof -o "$T/pam.proof"
[ ! -e "$T/pam.proof" ]; ok $? "...no file"
expect 0 "the coordinator writes SCR-A's timeline with its proofs" -- \
	sv case timeline SCR-A --as-of 2026-12-01 --proof -o "$T/tl.proof"
out_has "timeline of case SCR-A as of 2026-12-01"
expect 0 "...the timeline's entries" -- sv case timeline SCR-A --as-of 2026-12-01 --json
WANT=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(" ".join(sorted({str(x["audit_seq"]) for x in d["milestones"]+d["events"] if x.get("audit_seq")}, key=int)))' "$T/out")
[ -n "$WANT" ] && printf '%s\n' $WANT | grep -qx "$SEQ_X"; ok $? "...the extension's entry among them ($WANT)"
expect 0 "anyone checks it offline with the vault's key" -- "$SV" audit verify --vkey "$VK" --json "$T/tl.proof"
GOT=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(" ".join(str(e["seq"]) for e in d["timeline"]))' "$T/out")
[ "$GOT" = "$WANT" ]; ok $? "...it proves exactly the timeline's entries ($GOT)"
out_has '{"date":"2026-06-01","name":"told_ofsted_on"}'
grep -q '"action":"case.milestone","case":"SCR-A","claims":\[{"date":"[0-9-]*","name":"happened_on"}\]' "$T/out"
ok $? "...a milestone's entry claims the day it happened (shown, and flagged if recorded late)"
expect 0 "...and prints them with their dates" -- "$SV" audit verify --vkey "$VK" "$T/tl.proof"
out_has "timeline of case SCR-A as of 2026-12-01"; out_has "case.extend"
sed 's/"told_ofsted_on":"2026-06-01"/"told_ofsted_on":"2026-05-01"/' "$T/tl.proof" > "$T/tl-edited.proof"
! cmp -s "$T/tl.proof" "$T/tl-edited.proof"; ok $? "(the day Ofsted was told, rewritten in a copy)"
expect 5 "a rewritten date does not verify" -- "$SV" audit verify --vkey "$VK" "$T/tl-edited.proof"
expect 6 "the proof never replaces a file" -- sv case timeline SCR-A --proof -o "$T/tl.proof"

# ---- a policy with other timescales -----------------------------------------------------------------------
printf '[timescales "sir"]\n\tcompletion = 20 working days after decision\n' > "$T/ts"
cat "$ROOT/policy/default.conf" "$T/ts" > "$T/p4.conf"
expect 0 "policy check: completion in working days" -- "$SV" policy check "$T/p4.conf"
second "$T/dep.key" policy load "$T/p4.conf"; ok $? "...loaded (dual control)"
expect 0 "sir: completion 20 working days after Monday 2 March 2026, St Patrick's Day (17th) not counted" -- \
	sv case timeline SIR-B --as-of 2026-03-20 --json
python3 -c 'import json,sys; m=[x for x in json.load(open(sys.argv[1]))["milestones"] if x["clock"]=="completion"][0]; assert m["due"]=="2026-03-31", m' "$T/out"
ok $? "...due Tuesday 31 March"

finish
