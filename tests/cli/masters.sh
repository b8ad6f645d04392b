#!/usr/bin/env bash
# Records that stay what the Board approved (issue 18, items 1, 2 and 5).
# One rule decides a document's master, and retention, doc show/log/list and
# the copy register follow it: an IMR signed off at version 1 and then sent
# again unsigned keeps version 1 as its master (retention once took the
# latest version for the master and planned the signed-off one as a draft);
# a coordinator declares a master.  A concluded case is frozen: no check-in
# (single, batch or intake), declaration or sign-off, each refused (exit 6)
# and audited, until a custodian reopens it with a reason and a second
# custodian approves.  The overview author checks in the action plan, and a
# retention `review` rule's outcome is recorded and shown in the plan.
. "$(dirname "$0")/lib.bash"

mkvault
add() { local name=$1; shift; enrol --key-out "$T/$name.key" "$@" "$name" >/dev/null; }
add dep --custodian --display-name "Deputy custodian"
add rm --display-name "Records manager"
add pat --display-name "Pat (police IMR author)"
add morgan --display-name "Morgan (police authorising manager)"
add ovi --display-name "Ovi (overview author)"
add police --kind agency --agency police
sv principal grant dep coordinator >/dev/null
second "$T/dep.key" principal grant rm records-manager || echo "# records-manager not granted"
second "$T/dep.key" principal add --kind service --custodian --no-passphrase --key-out "$T/purge.key" \
	--display-name "Purge job" purge-job || echo "# purge-job not added"
sv principal grant purge-job retention-job >/dev/null
job() { "$SV" --vault "$V" --key "$T/purge.key" "$@"; }
as() { local who=$1; shift; sv --as-key "$T/$who.key" --as-passphrase-file "$P" "$@"; }
docid() { sv doc list --json | python3 -c 'import json,sys; print([d["doc"] for d in json.load(sys.stdin) if d["title"] == sys.argv[1]][0])' "$1"; }
# item DOC VERSION FIELD: one field of a version's line in the retention plan
item() {
	sv retention plan --json | python3 -c 'import json,sys
x = [x for x in json.load(sys.stdin)["versions"] if x["doc"] == sys.argv[1] and x["version"] == int(sys.argv[2])]
print(x[0].get(sys.argv[3]) if x else "gone")' "$1" "$2" "$3"
}
# denied ACTION: the newest audit entry is a refusal of ACTION (denied, conflict)
denied() {
	sv audit tail --json --lines 1 > "$T/last"
	grep -q "\"action\":\"$1\"" "$T/last" && grep -q '"outcome":"\(denied\|conflict\)"' "$T/last"
}
versions() { sv doc log --json "$1" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'; }

sv case open --title "Child M" SCR-M >/dev/null
sv case open --title "Child N" SCR-N >/dev/null
sv principal grant pat imr-author --case SCR-M --agency police >/dev/null
sv principal grant morgan authorising-manager --case SCR-M --agency police >/dev/null
sv principal grant ovi overview-author --case SCR-M >/dev/null
sv principal grant police agency-submitter --case SCR-M --agency police >/dev/null

# ---- item 1: one master, everywhere ----------------------------------------------------------------
printf 'police IMR, final\n' > "$T/imr1.txt"; printf 'police IMR, unsigned rework\n' > "$T/imr2.txt"
as pat doc checkin --case SCR-M --class imr --agency police --title "Police IMR" "$T/imr1.txt" >/dev/null
IMR=$(docid "Police IMR")
expect 0 "the authorising manager signs off version 1" -- as morgan doc signoff "$IMR@1"
expect 0 "an unsigned version 2 is checked in" -- as pat doc checkin --doc "$IMR" "$T/imr2.txt"
[ "$(item "$IMR" 1 master)" = True ]; ok $? "retention plan: the signed-off version 1 is the master"
[ "$(item "$IMR" 1 master_basis)" = signed-off ]; ok $? "...because it is signed off"
case "$(item "$IMR" 1 rule)" in *case-concluded*) r=0;; *) r=1;; esac
ok $r "...and follows the master's rule (after case-concluded), not the draft's"
[ "$(item "$IMR" 2 master)" = False ]; ok $? "the unsigned version 2 is planned as a draft"
case "$(item "$IMR" 2 rule)" in *superseded*) r=0;; *) r=1;; esac; ok $r "...under the superseded rule"
expect 0 "doc show" -- sv doc show --json "$IMR"
out_has '"master_version":1'; out_has '"master_basis":"signed-off"'
expect 0 "doc log marks the master" -- sv doc log --json "$IMR"
python3 -c 'import json,sys; v = json.load(open(sys.argv[1])); sys.exit(not (v[0]["master"] is True and v[1]["master"] is False))' "$T/out"
ok $? "...version 1 and only version 1"
expect 0 "doc list names the master" -- sv doc list --case SCR-M --json
python3 -c 'import json,sys; d = [d for d in json.load(open(sys.argv[1])) if d["doc"] == sys.argv[2]][0]; sys.exit(d["master"] != 1 or d["latest"] != 2)' "$T/out" "$IMR"
ok $? "...version 1, while the latest is 2"

# The copy register: copies are of the master unless a version is named.
printf 'N overview v1\n' > "$T/n1.txt"; printf 'N overview v2\n' > "$T/n2.txt"
sv doc checkin --case SCR-N --class overview-report --title "N overview" "$T/n1.txt" >/dev/null
NOV=$(docid "N overview")
sv doc checkin --doc "$NOV" "$T/n2.txt" >/dev/null
expect 0 "the coordinator declares version 1 of the overview report its master" -- sv doc declare "$NOV@1"
out_has "it was version 2, latest"
expect 0 "the declaration is an audit entry" -- sv audit tail --json --lines 1
out_has '"action":"doc.declare"'; out_has '"previous_master":2'
expect 0 "doc show says so" -- sv doc show "$NOV"
out_has "master: version 1 (declared by the coordinator)"
expect 0 "a copy made without a version is of the master" -- sv copy create --json "$NOV" --count 1
out_has '"version":1'
expect 0 "a copy of the draft, named" -- sv copy create --json "$NOV@2" --count 1
expect 0 "copy list says which copies are of the master" -- sv copy list --doc "$NOV" --json
python3 -c 'import json,sys; c = {r["version"]: r["master"] for r in json.load(open(sys.argv[1]))}; sys.exit(c != {1: True, 2: False})' "$T/out"
ok $? "...the copy of version 1 is, the copy of version 2 is not"
expect 0 "...and its table has the column" -- sv copy list --doc "$NOV"
out_has "MASTER"
expect 0 "copy history says it too" -- sv copy history --json "$NOV@2#1"
out_has '"master":false'
[ "$(item "$NOV" 1 master)" = True ] && [ "$(item "$NOV" 2 master)" = False ]
ok $? "the retention plan agrees: version 1 master, version 2 a draft"
expect 3 "an IMR author cannot declare a master" -- as pat doc declare "$IMR@2"
denied doc.declare; ok $? "...and the refusal is an entry"
expect 4 "a version that does not exist" -- sv doc declare "$NOV@9"
expect 2 "a declaration names its version" -- sv doc declare "$NOV"

# ---- item 5: the overview author and the action plan -----------------------------------------------
printf 'action plan\n' > "$T/ap.txt"
expect 0 "the overview author checks in the action plan" -- \
	as ovi doc checkin --case SCR-M --class action-plan --title "Action plan" "$T/ap.txt"
expect 3 "...but not an IMR" -- as ovi doc checkin --case SCR-M --class imr --agency police "$T/ap.txt"

# ---- retention with short rules: the master waits for its batch, the draft goes -------------------
sed -e 's/rule = destroy 35 years after case-concluded/rule = destroy 0 days after case-concluded/' \
    -e 's/rule = destroy 6 months after superseded/rule = destroy 0 days after superseded/' \
    "$ROOT/policy/default.conf" > "$T/short.conf"
printf '[retention "panel-minutes"]\n\trule = review 0 days after checkin\n' >> "$T/short.conf"
second "$T/dep.key" policy load "$T/short.conf"; ok $? "a policy with short rules and a review rule (approved)"
sv retention confirm >/dev/null
[ "$(item "$IMR" 1 status)" = waiting ] && [ "$(item "$IMR" 2 status)" = waiting ]
ok $? "before conclusion nothing of the IMR is due (version 2 is superseded only when the case concludes)"

# ---- item 2: concluded means frozen ---------------------------------------------------------------
expect 0 "the case concludes" -- sv case conclude SCR-M --action-plan-approved-on 2026-01-05 --ofsted-approved-on 2026-01-06
out_has "frozen"
expect 0 "the conclusion's entry names the masters it fixed" -- sv audit tail --json --lines 1
out_has '"action":"case.conclude"'; out_has "\"doc\":\"$IMR\""
[ "$(item "$IMR" 1 master_basis)" = concluded ]; ok $? "the IMR's master is now fixed by the conclusion"
[ "$(item "$IMR" 1 action)" = "needs a disposal batch" ]; ok $? "the master (version 1) waits for a disposal batch"
[ "$(item "$IMR" 2 action)" = destroy ]; ok $? "the draft (version 2) is due under the draft rule"

n_before=$(versions "$IMR")
printf 'late change\n' > "$T/late.txt"; printf 'late 2\n' > "$T/late2.txt"
expect 6 "a new version after conclusion is refused" -- sv doc checkin --doc "$IMR" "$T/late.txt"
err_has "frozen"; err_has "case reopen"
denied doc.checkin; ok $? "...and audited"
[ "$(versions "$IMR")" = "$n_before" ]; ok $? "...and no version was added"
expect 6 "a new document in the concluded case is refused" -- \
	sv doc checkin --case SCR-M --class other --title "Late" "$T/late.txt"
expect 6 "a batch check-in too" -- sv doc checkin --case SCR-M --class other "$T/late.txt" "$T/late2.txt"
denied doc.checkin; ok $? "...audited"
R=$(sv recipient)
env -u SCRVAULT_DIR "$SV" intake seal --key "$T/police.key" --passphrase-file "$P" --to "$R" -o "$T/late.age" \
	--case SCR-M --class imr --title "Late IMR" "$T/late.txt" >/dev/null 2>&1
expect 6 "an intake import into the concluded case is refused" -- sv intake import "$T/late.age"
expect 6 "a declaration is refused" -- sv doc declare "$IMR@2"
denied doc.declare; ok $? "...audited"
expect 6 "a sign-off is refused" -- as morgan doc signoff "$IMR@2"
denied doc.signoff; ok $? "...audited"
expect 0 "the documents of the case are as concluded" -- sv doc list --case SCR-M --json
! grep -q '"Late' "$T/out"; ok $? "...nothing late got in"

# The purge: the draft goes, the signed-off master stays.
expect 0 "the purge job runs" -- job retention purge --json
[ "$(item "$IMR" 2 status)" = gone ]; ok $? "the unsigned draft is destroyed"
[ "$(item "$IMR" 1 status)" = due ]; ok $? "the master is not (it waits for its batch)"
expect 0 "and still checks out" -- sv doc checkout -o "$T/imr1.out" "$IMR@1"
cmp -s "$T/imr1.out" "$T/imr1.txt"; ok $? "...as signed off"

# Reopening: a custodian, a reason, a second custodian.
expect 3 "the IMR author cannot reopen the case" -- as pat case reopen SCR-M --reason "new evidence"
expect 2 "reopening needs a reason" -- sv case reopen SCR-M
expect 0 "the coordinator asks to reopen it" -- sv case reopen SCR-M --reason "inquest found new evidence"
out_has "pending operation"
OP=$(grep -o 'pending operation [0-9a-f]*' "$T/out" | cut -d' ' -f3)
expect 6 "...it stays frozen until a second custodian approves" -- sv doc checkin --doc "$IMR" "$T/late.txt"
expect 3 "the coordinator cannot approve their own request" -- sv approve "$OP"
expect 0 "the deputy approves" -- "$SV" --vault "$V" --key "$T/dep.key" --passphrase-file "$P" approve "$OP"
expect 0 "the reopening is an entry with its reason" -- sv audit tail --json --lines 3
out_has '"action":"case.reopen"'; out_has "inquest found new evidence"
expect 0 "the reopened case takes a new version" -- sv doc checkin --doc "$IMR" "$T/late.txt"
expect 6 "a case that is not concluded is not reopened" -- sv case reopen SCR-M --reason "again"
expect 0 "concluding again refreezes it" -- \
	sv case conclude SCR-M --action-plan-approved-on 2026-01-05 --ofsted-approved-on 2026-01-06
expect 6 "...check-in refused again" -- sv doc checkin --doc "$IMR" "$T/late2.txt"
expect 0 "the log has the second conclusion" -- sv audit tail --json --lines 2
out_has '"action":"case.conclude"'

# ---- item 5: the outcome of a review rule -------------------------------------------------------------
printf 'minutes\n' > "$T/min.txt"
sv doc checkin --case SCR-N --class panel-minutes --title "Minutes" "$T/min.txt" >/dev/null
MIN=$(docid Minutes)
[ "$(item "$MIN" 1 status)" = "review due" ]; ok $? "a review rule falls due"
expect 2 "a review needs an outcome" -- sv retention review "$MIN"
expect 2 "destroying needs a reason" -- sv retention review "$MIN" --destroy
expect 2 "keeping needs a date after today" -- sv retention review "$MIN" --keep-until 2020-01-01
expect 6 "a version without a review rule is not reviewed" -- sv retention review "$NOV@2" --keep-until 2099-01-01
expect 3 "the overview author cannot record a review" -- as ovi retention review "$IMR" --keep-until 2099-01-01
expect 0 "the coordinator records: kept until 2099-01-01" -- sv retention review "$MIN" --keep-until 2099-01-01
[ "$(item "$MIN" 1 status)" = keep ] && [ "$(item "$MIN" 1 due_on)" = 2099-01-01 ]
ok $? "the plan shows it kept until then"
expect 0 "the plan's table says so" -- sv retention plan
out_has "kept until 2099-01-01"
expect 0 "a records manager records a later review: destroy" -- \
	as rm retention review "$MIN" --destroy --reason "superseded by the published report"
[ "$(item "$MIN" 1 status)" = due ]; ok $? "the plan shows it due"
[ "$(item "$MIN" 1 action)" = "needs a disposal batch" ]; ok $? "...a master: through the normal disposal batch"
expect 0 "the review is an entry" -- sv audit tail --json --lines 1
out_has '"action":"retention.review"'; out_has '"decision":"destroy"'

# ---- item 1: the versions the Board approved, named at conclusion ------------------------------------
sv case open --title "Child K" SCR-K >/dev/null
printf 'K overview v1\n' > "$T/k1.txt"; printf 'K overview v2\n' > "$T/k2.txt"
sv doc checkin --case SCR-K --class overview-report --title "K overview" "$T/k1.txt" >/dev/null
KOV=$(docid "K overview")
sv doc checkin --doc "$KOV" "$T/k2.txt" >/dev/null
sv doc declare "$KOV@2" >/dev/null
conclude_k() { sv case conclude SCR-K --action-plan-approved-on 2026-01-05 --ofsted-approved-on 2026-01-06 "$@"; }
before=$(tree_hash "$V")
expect 2 "a conclusion names masters of its own case only" -- conclude_k --master "$NOV@1"
err_has "belongs to case 'SCR-N'"; err_has "(--master DOC@VERSION)"
expect 4 "...versions that exist" -- conclude_k --master "$KOV@7"
expect 2 "...each document once" -- conclude_k --master "$KOV@1" --master "$KOV@2"
expect 2 "...as DOC@VERSION" -- conclude_k --master "$KOV"
[ "$(tree_hash "$V")" = "$before" ]; ok $? "...none of them changed the vault"
[ "$(sv case show --json SCR-K | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')" = open ]
ok $? "...and the case is still open"
expect 0 "the Board approved version 1: it is named at conclusion" -- conclude_k --master "$KOV@1"
[ "$(item "$KOV" 1 master)" = True ] && [ "$(item "$KOV" 2 master)" = False ]
ok $? "version 1 is the master, not version 2 that was declared before"
[ "$(item "$KOV" 1 master_basis)" = concluded ]; ok $? "...fixed by the conclusion"
expect 0 "the conclusion's entry names it" -- sv audit tail --json --lines 1
out_has "\"doc\":\"$KOV\",\"version\":1"

finish
