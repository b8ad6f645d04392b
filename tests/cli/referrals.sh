#!/usr/bin/env bash
# Referrals and decisions (000 §5.7; 001 Introduction and Appendix 1): a
# referral is the first stage of a case; the sub-committee recommends, the
# LSCB chair alone decides (none included: "no further action" is kept),
# notifications are sent once each; every step is an audit entry with its
# dates and none of the child's or the notifier's particulars.
. "$(dirname "$0")/lib.bash"

mkvault
enrol --key-out "$T/chair.key" --display-name "LSCB chair" --contact "chair@lscb.example" chair >/dev/null
sv principal grant chair lscb-chair >/dev/null
as() { local who=$1; shift; sv --as-key "$T/$who.key" --as-passphrase-file "$P" "$@"; }
ago() { date -u -d "$1 days ago" +%F; }
R0=$(ago 40); R1=$(ago 30); R2=$(ago 20); R3=$(ago 10); TOMORROW=$(date -u -d tomorrow +%F)
printf 'Notification form: child MARKER-CHILD, notified by MARKER-NOTIFIER\n' > "$T/form.txt"
printf 'Sub-committee rationale: criteria met\n' > "$T/rec.txt"
printf 'Chair rationale: criteria met, SCR\n' > "$T/dec.txt"

# ---- the whole path ------------------------------------------------------------------------
expect 0 "referral new with the notification form" -- sv referral new --received "$R0" \
	--notifier "MARKER-NOTIFIER Smith" --notifier-agency police --title "MARKER-TITLE child" \
	--summary "MARKER-SUMMARY what happened" --form "$T/form.txt" --subject-dob 2019-03-04 SCR-R1
out_has "SCR-R1"
expect 0 "case list shows the referral" -- sv case list
grep -q "SCR-R1.*undecided.*referred" "$T/out"; ok $? "...referred, its review type undecided"
expect 0 "the form is a document of the case" -- sv doc list --json
grep -q '"class":"notification-form"' "$T/out"; ok $? "...of class notification-form"
expect 0 "referral list" -- sv referral list --status referred --json
grep -q '"case":"SCR-R1"' "$T/out" && grep -q "\"received_on\":\"$R0\"" "$T/out"; ok $? "...lists it with its received date"

expect 6 "a decision before a recommendation is refused" -- as chair referral decide SCR-R1 --review scr --rationale "$T/dec.txt" --on "$R2"
err_has "recommend"
expect 0 "the sub-committee's recommendation" -- sv referral recommend SCR-R1 --review scr --rationale "$T/rec.txt" --on "$R1"
expect 6 "a second recommendation is refused" -- sv referral recommend SCR-R1 --review sir --rationale "$T/rec.txt" --on "$R1"

# dates out of order, and in the future; the vault unchanged by each
before=$(tree_hash "$V")
expect 2 "a decision before the referral was received" -- as chair referral decide SCR-R1 --review scr --rationale "$T/dec.txt" --on "$(ago 50)"
err_has "(--on DATE)"
expect 2 "a decision before the recommendation" -- as chair referral decide SCR-R1 --review scr --rationale "$T/dec.txt" --on "$(ago 35)"
err_has "(--on DATE)"
expect 2 "a decision in the future" -- as chair referral decide SCR-R1 --review scr --rationale "$T/dec.txt" --on "$TOMORROW"
err_has "(--on DATE)"
expect 2 "a decision that is not a review type" -- as chair referral decide SCR-R1 --review maybe --rationale "$T/dec.txt" --on "$R2"
err_has "(--review"
expect 2 "a decision without a rationale file that exists" -- as chair referral decide SCR-R1 --review scr --rationale "$T/nope.txt" --on "$R2"
[ "$(tree_hash "$V")" = "$before" ]; ok $? "...the vault did not change"

# not the chair
expect 3 "the coordinator may not decide" -- sv referral decide SCR-R1 --review scr --rationale "$T/dec.txt" --on "$R2"
sv audit export --outcome denied -o "$T/denied.jsonl" >/dev/null 2>&1
grep -q '"action":"referral.decide"' "$T/denied.jsonl"; ok $? "...and the refusal is audited"

expect 0 "the chair decides: a serious case review" -- as chair referral decide SCR-R1 --review scr --rationale "$T/dec.txt" --on "$R2"
expect 6 "a second decision is refused" -- as chair referral decide SCR-R1 --review none --rationale "$T/dec.txt" --on "$R2"
expect 0 "case show after the decision" -- sv case show --json SCR-R1
grep -q '"status":"open"' "$T/out" && grep -q '"review_type":"scr"' "$T/out" && grep -q "\"decision_date\":\"$R2\"" "$T/out" \
	&& grep -q "\"received_on\":\"$R0\"" "$T/out" && grep -q "\"recommended_on\":\"$R1\"" "$T/out"
ok $? "...the case is open, a SCR, with its decision date and the referral's dates"

# notifications, once per recipient
expect 2 "a notification before the referral was received" -- sv referral notify SCR-R1 --to ofsted --on "$(ago 50)"
err_has "(--on DATE)"
expect 2 "a notification to nobody known" -- sv referral notify SCR-R1 --to press --on "$R3"
err_has "(--to"
expect 0 "Ofsted notified" -- sv referral notify SCR-R1 --to ofsted --on "$R1"
expect 0 "the notifier told" -- sv referral notify SCR-R1 --to notifier --on "$R3"
before=$(tree_hash "$V")
expect 6 "Ofsted notified twice is refused" -- sv referral notify SCR-R1 --to ofsted --on "$R3"
[ "$(tree_hash "$V")" = "$before" ]; ok $? "...the vault did not change"
expect 0 "referral show" -- sv referral show SCR-R1
out_has "MARKER-NOTIFIER Smith"
out_has "ofsted"
out_has "decision-rationale"
expect 0 "referral show --json" -- sv referral show --json SCR-R1
grep -q "\"sent_on\":\"$R1\"" "$T/out" && grep -q '"decision":"scr"' "$T/out" && grep -q '"recommended":"scr"' "$T/out"
ok $? "...with the notifications, recommendation and decision"

# ---- "none": no further action, kept like any other decision ---------------------------------
expect 0 "a second referral, without a form" -- sv referral new --received "$R1" --notifier "MARKER-NOTIFIER Jones" \
	--notifier-agency health --title "MARKER-TITLE other" SCR-R2
expect 0 "recommended: none" -- sv referral recommend SCR-R2 --review none --rationale "$T/rec.txt" --on "$R2"
expect 0 "decided: none" -- as chair referral decide SCR-R2 --review none --rationale "$T/dec.txt" --on "$R3"
expect 0 "listed as none" -- sv referral list --status none --json
grep -q '"case":"SCR-R2"' "$T/out" && ! grep -q '"case":"SCR-R1"' "$T/out"; ok $? "...only the none decision"
expect 0 "the decided list" -- sv referral list --status decided --json
grep -q '"case":"SCR-R1"' "$T/out" && ! grep -q '"case":"SCR-R2"' "$T/out"; ok $? "...only the review"
expect 0 "case show of a none decision" -- sv case show --json SCR-R2
grep -q '"status":"no-review"' "$T/out" && grep -q "\"decision_date\":\"$R3\"" "$T/out"; ok $? "...kept, no-review, with its date"
expect 0 "its retention clock runs from the decision" -- sv retention plan --json
python3 - "$T/out" "$R3" <<'EOF'
import json, sys
plan = json.load(open(sys.argv[1]))
rows = [r for r in plan["versions"] if r["case"] == "SCR-R2"]
due = [r["due_on"] for r in rows]
# 35 years after the decision (policy/default.conf [retention "decision-rationale"])
y, m, d = sys.argv[2].split("-")
want = "%04d-%s-%s" % (int(y) + 35, m, "28" if (m, d) == ("02", "29") else d)
sys.exit(0 if len(rows) == 2 and due == [want, want] else 1)
EOF
ok $? "...its rationales have a due date"
expect 6 "a none decision is not published" -- sv case publish --on "$R3" SCR-R2
expect 2 "a bad --status" -- sv referral list --status maybe
err_has "(--status"

# ---- bad input to referral new leaves the vault unchanged -----------------------------------
before=$(tree_hash "$V")
expect 2 "received in the future" -- sv referral new --received "$TOMORROW" --notifier N --notifier-agency police --title T SCR-R3
err_has "(--received DATE)"
expect 2 "received before the child was born" -- sv referral new --received 2018-01-01 --subject-dob 2019-01-01 \
	--notifier N --notifier-agency police --title T SCR-R3
err_has "(--received DATE)"
expect 2 "without a notifier" -- sv referral new --received "$R1" --notifier-agency police --title T SCR-R3
expect 2 "without the notifier's agency" -- sv referral new --received "$R1" --notifier N --title T SCR-R3
expect 2 "a form that does not exist" -- sv referral new --received "$R1" --notifier N --notifier-agency police \
	--title T --form "$T/nope.txt" SCR-R3
expect 6 "a reference already in use" -- sv referral new --received "$R1" --notifier N --notifier-agency police --title T SCR-R1
[ "$(tree_hash "$V")" = "$before" ]; ok $? "...none of them changed the vault"
expect 2 "a summary with a control character" -- sv referral new --received "$R1" --notifier N --notifier-agency police \
	--title T --summary $'bad\x1b[31m' SCR-R3
err_has "(--summary TEXT)"
[ "$(tree_hash "$V")" = "$before" ]; ok $? "...the vault did not change"
expect 3 "the chair may not record a referral" -- as chair referral new --received "$R1" --notifier N --notifier-agency police --title T SCR-R3
expect 4 "recommending for a case that does not exist" -- sv referral recommend SCR-NONE --review scr --rationale "$T/rec.txt"
sv case open --title "Direct" SCR-D >/dev/null
before=$(tree_hash "$V")
expect 4 "recommending on a case opened directly (no referral)" -- sv referral recommend SCR-D --review scr --rationale "$T/rec.txt"
[ "$(tree_hash "$V")" = "$before" ]; ok $? "...the vault did not change"

# ---- the audit log: dates and agencies, never a name, summary or title -----------------------
expect 0 "export the log" -- sv audit export -o "$T/all.jsonl"
! grep -q "MARKER-" "$T/all.jsonl"; ok $? "no notifier name, summary, title or form text in the log"
for a in referral.new referral.recommend referral.decide referral.notify; do
	grep -q "\"action\":\"$a\"" "$T/all.jsonl"; ok $? "$a is an audit entry"
done
grep '"action":"referral.new"' "$T/all.jsonl" | grep -q "\"received_on\":\"$R0\".*police\|police.*\"received_on\":\"$R0\""
ok $? "referral.new carries received_on and the notifier's agency"
grep '"action":"referral.recommend"' "$T/all.jsonl" | grep -q "\"recommended_on\":\"$R1\""; ok $? "referral.recommend carries recommended_on"
grep '"action":"referral.decide"' "$T/all.jsonl" | grep '"outcome":"ok"' | grep -q "\"decided_on\":\"$R2\""; ok $? "referral.decide carries decided_on"
grep '"action":"referral.notify"' "$T/all.jsonl" | grep -q "\"sent_on\":\"$R1\""; ok $? "referral.notify carries sent_on"

finish
