#!/usr/bin/env bash
# The agenda as the coordinator reads it each morning and the mail relay
# sends it: every register's due items, with the date the register itself
# computes, most urgent first, around --as-of and --days; only the kinds a
# role may read and the cases it reaches; a digest with case references and
# never a title or an outside person's name.
. "$(dirname "$0")/lib.bash"

day() { date -u -d "$1" +%Y-%m-%d; }
TODAY=$(day today); AS=$(day '+2 days')
mkvault
add() { local name=$1; shift; enrol --key-out "$T/$name.key" "$@" "$name" >/dev/null; }
add dep --custodian --display-name "Deputy"
sv principal grant dep coordinator >/dev/null
add pam --display-name "Pam Panel"
add ian --agency police --display-name "Ian Author"
add sub --agency police --display-name "Police submitter"
add rm --display-name "Records manager"
second "$T/dep.key" principal grant rm records-manager || echo "# records-manager not granted"
as() { local who=$1; shift; sv --as-key "$T/$who.key" --as-passphrase-file "$P" "$@"; }
docid() { sv doc list --json | python3 -c 'import json,sys; print([d["doc"] for d in json.load(sys.stdin) if d["title"] == sys.argv[1]][0])' "$1"; }
# Drafts and masters due at once, so that retention and disposal items exist.
sed -e 's/rule = destroy 35 years after case-concluded/rule = destroy 0 days after case-concluded/' \
    -e 's/rule = destroy 6 months after superseded/rule = destroy 0 days after superseded/' \
    "$ROOT/policy/default.conf" > "$T/short.conf"
second "$T/dep.key" policy load "$T/short.conf" || echo "# short policy not loaded"

sv case open --title "Child Alpha TITLEMARK" SCR-A >/dev/null
sv case open --title "Child Beta TITLEMARK" SCR-B >/dev/null
sv case open --title "Child Gamma TITLEMARK" --type sir SIR-C >/dev/null
sv principal grant pam panel-member --case SCR-A >/dev/null
sv principal grant ian imr-author --case SCR-A --agency police >/dev/null
sv principal grant sub agency-submitter --case SCR-A --agency police >/dev/null
printf 'a\n' > "$T/a.txt"; printf 'b\n' > "$T/b.txt"; printf 'b2\n' > "$T/b2.txt"; printf 'es\n' > "$T/es.txt"
sv doc checkin --case SCR-A --class overview-report --title "A overview" "$T/a.txt" >/dev/null
sv doc checkin --case SCR-B --class other --title "B doc" "$T/b.txt" >/dev/null
A=$(docid "A overview"); B=$(docid "B doc")
sv doc checkin --doc "$B" "$T/b2.txt" >/dev/null		# B@1 superseded, but held by the FOI request
sv doc checkin --case SCR-A --class other --title "A notes" "$T/b.txt" >/dev/null
N=$(docid "A notes")
sv doc checkin --doc "$N" "$T/b2.txt" >/dev/null		# N@1 superseded today: due for destruction today
sv doc checkin --case SIR-C --class executive-summary --title "C summary" "$T/es.txt" >/dev/null
C=$(docid "C summary")
sv doc declare "$C@1" >/dev/null
sv case publish SIR-C --on "$TODAY" >/dev/null || echo "# SIR-C not published"
sv copy create "$A" --count 2 >/dev/null
sv copy create "$B@2" --count 1 >/dev/null
sv copy issue "$A@1#1" --to pam --contact "pam@lscb.example" --purpose "panel" --due "$(day '+1 day')" >/dev/null	# copy 1: overdue 1 day as of $AS
sv copy issue "$A@1#2" --to dep --contact "dep@lscb.example" --purpose "panel" --due "$(day '+5 days')" >/dev/null	# copy 2
sv copy issue "$B@2#1" --external "Olive Outsider" --organisation "Outsider Press" --contact "olive@example" \
	--purpose "inspection" --due "$(day '+22 days')" >/dev/null			# copy 3: in 20 days as of $AS
sv request new --channel foi --kind media --name "Norah Newsdesk" --org "Daily Paper" --contact n@example \
	--case SCR-B --reason "the review" --received "$(day '-20 days')" >/dev/null	# request 1
sv request new --channel external --kind public --name "Pat Public" --contact p@example \
	--case SCR-B --reason "the review" --received "$(day '-5 days')" >/dev/null		# request 2
OPLINE=$(sv principal grant pam coordinator)				# waits for a second custodian
OP=$(printf '%s\n' "$OPLINE" | grep -o 'pending operation [0-9a-f]*' | cut -d' ' -f3)
[ -n "$OP" ]; ok $? "a pending operation to approve ($OP)"

item() {	# item FILTER-KIND FILTER-ID FIELD < agenda JSON: the field of the first matching item
	python3 -c 'import json,sys
r=[i for i in json.load(sys.stdin)["items"] if i["kind"] == sys.argv[1] and i["id"] == sys.argv[2]]
print(r[0][sys.argv[3]] if r else "none")' "$@"
}
agenda_json() { sv agenda --json "$@" | python3 -c 'import json,sys; print(json.dumps({"items": json.load(sys.stdin)}))'; }

# ---- the coordinator's morning ---------------------------------------------------------------------
expect 0 "the agenda as of two days from now" -- sv agenda --as-of "$AS"
out_has "scrvault copy return 1"; out_has "overdue 1 day"
out_has "DUE"; out_has "COMMAND"
J=$(agenda_json --as-of "$AS")
[ "$(item copy 1 due <<<"$J")" = "$(day '+1 day')" ]; ok $? "a copy due yesterday is on it, with its due date"
[ "$(item copy 1 days <<<"$J")" = -1 ]; ok $? "...overdue by 1 day"
[ "$(item copy 2 days <<<"$J")" = 3 ]; ok $? "a copy due in 3 days: 3 to go"
[ "$(item copy 3 due <<<"$J")" = none ]; ok $? "a copy due in 20 days is absent with the default 14 days"
J14=$(agenda_json --as-of "$AS" --days 14)
[ "$(item copy 3 due <<<"$J14")" = none ]; ok $? "...and with --days 14"
J30=$(agenda_json --as-of "$AS" --days 30)
[ "$(item copy 3 days <<<"$J30")" = 20 ]; ok $? "...present with --days 30, 20 days to go"
FOIDUE=$(sv request show 1 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["due"])')
[ "$(item foi 1 due <<<"$J")" = "$FOIDUE" ]; ok $? "the FOI answer, due when the FOI clock says ($FOIDUE)"
[ "$(item foi 1 command <<<"$J")" = "scrvault request decide 1" ]; ok $? "...undecided: decide it"
[ "$(item request 2 due <<<"$J")" = "$(day '-5 days')" ]; ok $? "the outside request awaiting a decision, since received"
[ "$(item request 2 days <<<"$J")" = -7 ]; ok $? "...7 days as of $AS"
OPDUE=$(sv op list --json | python3 -c 'import json,sys; print([o["expires_at"][:10] for o in json.load(sys.stdin) if o["id"] == sys.argv[1]][0])' "$OP")
[ "$(item operation "$OP" due <<<"$J")" = "$OPDUE" ]; ok $? "the pending operation, by its expiry"
[ "$(item operation "$OP" command <<<"$J")" = "scrvault op approve $OP" ]; ok $? "...and how to approve it"
[ "$(item retention "$N@1" due <<<"$J")" = "$TODAY" ]; ok $? "the superseded draft due for destruction today"
[ "$(item retention "$N@1" command <<<"$J")" = "scrvault retention purge" ]; ok $? "...by the purge"
[ "$(item retention "$B@1" due <<<"$J")" = none ]; ok $? "...not one an FOI request holds"
JY=$(agenda_json --as-of "$AS" --days 366)
RB=$(sv retention plan --json | python3 -c 'import json,sys; print([p["remove_by"] for p in json.load(sys.stdin)["publications"] if p["case"] == "SIR-C"][0])')
[ "$(item take-down SIR-C due <<<"$JY")" = "$RB" ]; ok $? "the published summary's take-down date ($RB) within a year"
[ "$(item take-down SIR-C due <<<"$J")" = none ]; ok $? "...not within 14 days"
python3 -c 'import json,sys; d=[i["due"] for i in json.load(sys.stdin)["items"]]; sys.exit(0 if d == sorted(d) and len(d) >= 5 else 1)' <<<"$J"
ok $? "most urgent first: overdue by most days, then due soonest"
sv agenda --as-of "$AS" --json > "$T/a1"; sv agenda --as-of "$AS" --json > "$T/a2"
[ -s "$T/a1" ] && cmp -s "$T/a1" "$T/a2"; ok $? "the same agenda twice in the same order"
expect 0 "--kind narrows it" -- sv agenda --as-of "$AS" --kind copy,foi --json
out_has '"kind":"copy"'; ! grep -q '"kind":"operation"' "$T/out"; ok $? "...to those kinds"

# ---- disposal batches: for records managers and custodians ---------------------------------------
sv case open --title "Child Delta TITLEMARK" SCR-D >/dev/null
sv doc checkin --case SCR-D --class other --title "D doc" "$T/a.txt" >/dev/null
sv case conclude SCR-D --action-plan-approved-on "$TODAY" --ofsted-approved-on "$TODAY" >/dev/null
sv retention propose >/dev/null || echo "# nothing proposed"
expect 0 "the records manager's agenda" -- as rm agenda --as-of "$AS" --json
out_has '"kind":"disposal"'; out_has '"command":"scrvault retention approve 1"'
! grep -q '"kind":"foi"' "$T/out"; ok $? "...without FOI requests (no request.read)"
! grep -q '"kind":"operation"' "$T/out"; ok $? "...nor operations (no op.approve)"
expect 0 "the coordinator sees the batch too" -- sv agenda --as-of "$AS" --kind disposal
out_has "disposal batch 1"

# ---- scope: the panel member and the agency author -------------------------------------------------
expect 0 "the panel member's agenda" -- as pam agenda --as-of "$AS" --json
out_has '"command":"scrvault copy return 1"'
! grep -q 'SCR-B\|SIR-C\|SCR-D' "$T/out"; ok $? "...only her case's items"
! grep -q '"copy return 2"\|"kind":"foi"\|"kind":"operation"\|"kind":"retention"' "$T/out"; ok $? "...only her own copy, no registers she cannot read"
expect 0 "the agency author's agenda" -- as ian agenda --as-of "$AS" --json
! grep -q '"kind":"operation"' "$T/out"; ok $? "...has no pending operations"
[ "$(cat "$T/out")" = "[]" ]; ok $? "...nothing at all"
expect 3 "a role without agenda.read is refused" -- as sub agenda
err_has "agenda.read"
expect 0 "...and the refusal is audited" -- sv audit tail --json --lines 1
out_has '"action":"agenda.read"'; out_has '"outcome":"denied"'

# ---- the mail digest -------------------------------------------------------------------------------
expect 0 "the mail digest" -- sv agenda --as-of "$AS" --days 30 --mail-digest -o "$T/digest.txt"
head -1 "$T/digest.txt" | grep -q '^Subject: scrvault agenda '; ok $? "...starts with a subject line"
grep -q 'Overdue: [0-9]*\. Due: [0-9]*\.' "$T/digest.txt"; ok $? "...has the counts"
grep -q 'SCR-A' "$T/digest.txt" && grep -q 'scrvault copy return 1' "$T/digest.txt"; ok $? "...names case references and commands"
[ -s "$T/digest.txt" ] && ! grep -qi 'TITLEMARK\|Child\|Olive\|Outsider\|Norah\|Newsdesk\|Daily Paper\|Pat Public' "$T/digest.txt"
ok $? "...never a title or an outside person's name"
[ -s "$T/digest.txt" ] && ! awk 'length($0) >= 78 { bad = 1 } END { exit !bad }' "$T/digest.txt"; ok $? "...no line of 78 characters or more"
[ -s "$T/digest.txt" ] && ! LC_ALL=C grep -q '[^ -~]' "$T/digest.txt"; ok $? "...plain printable ASCII"
expect 6 "the digest never replaces a file" -- sv agenda --mail-digest -o "$T/digest.txt"
expect 0 "the digest on standard output" -- sv agenda --as-of "$AS" --mail-digest
out_has "Subject: scrvault agenda $AS"

# ---- an FOI request whose clock stopped ------------------------------------------------------------
expect 0 "the FOI request's clock stops for a fee" -- sv request clock 1 --stop fee --on "$TODAY"
J=$(agenda_json --as-of "$AS")
[ "$(item foi 1 due <<<"$J")" = "$TODAY" ]; ok $? "...it is listed from the day it stopped"
[ "$(item foi 1 command <<<"$J")" = "scrvault request clock 1 --restart" ]; ok $? "...with how to restart it"
[ "$(item foi 1 what <<<"$J")" = "FOI request 1: clock stopped (fee)" ]; ok $? "...and why it waits"

# ---- the statutory clocks and referrals -----------------------------------------------------------
addm() {	# addm DATE N: DATE plus N months, or that month's last day (the clocks' rule)
	python3 -c 'import calendar,datetime,sys
d=datetime.date.fromisoformat(sys.argv[1]); n=int(sys.argv[2]); m=d.month-1+n; y=d.year+m//12; m=m%12+1
print(datetime.date(y, m, min(d.day, calendar.monthrange(y, m)[1])))' "$1" "$2"
}
citem() {	# citem KIND CASE FIELD [AGENCY] < agenda JSON: the field of that case's item (of that agency)
	python3 -c 'import json,sys
r=[i for i in json.load(sys.stdin)["items"] if i["kind"] == sys.argv[1] and i.get("case") == sys.argv[2]
   and (len(sys.argv) < 5 or sys.argv[4] in i["what"])]
print("|".join(str(i[sys.argv[3]]) for i in r) if r else "none")' "$@"
}
daysto() { echo $(( ($(date -u -d "$1" +%s) - $(date -u -d "$TODAY" +%s)) / 86400 )); }
R40=$(day '-40 days')
sv referral new --received "$R40" --notifier "Nina NOTIFIERMARK" --notifier-agency police \
	--title "Child Rho TITLEMARK" SCR-R >/dev/null || echo "# referral not recorded"
sv case open --title "Child Epsilon TITLEMARK" --received "$(day '-70 days')" --decision-date "$(day '-60 days')" SCR-E >/dev/null
sv principal grant ian imr-author --case SCR-E --agency police >/dev/null
sv case commission --agency police --author "Arthur AUTHORMARK" --due "$(day '+5 days')" SCR-E >/dev/null \
	|| echo "# police not commissioned"
sv case commission --agency health --author "Hana AUTHORMARK" SCR-E >/dev/null || echo "# health not commissioned"
sv case open --title "Child Phi TITLEMARK" --received "$(day '-300 days')" --decision-date "$(day '-290 days')" SCR-F >/dev/null
sv case milestone --on "$(day '-40 days')" SCR-F completed >/dev/null || echo "# SCR-F not completed"
J=$(agenda_json --as-of "$TODAY" --days 400)
DD=$(addm "$R40" 1)
[ "$(citem decision SCR-R due <<<"$J")" = "$DD" ]; ok $? "a referral received 40 days ago: its decision due a month later ($DD)"
[ "$(citem decision SCR-R days <<<"$J")" = "$(daysto "$DD")" ] && [ "$(daysto "$DD")" -lt 0 ]
ok $? "...overdue by $(( - $(daysto "$DD") )) days"
[ "$(citem decision SCR-R command <<<"$J")" = "scrvault referral decide --review scr|sir|interagency|none --rationale FILE SCR-R" ]
ok $? "...with the command that decides it"
[ "$(citem referral SCR-R due <<<"$J")" = "$R40" ]; ok $? "...and awaiting the sub-committee's recommendation since received"
[ "$(citem imr SCR-E days <<<"$J" police)" = 5 ]; ok $? "an IMR commissioned with --due in 5 days: due in 5"
HD=$(addm "$TODAY" 1)
[ "$(citem imr SCR-E due <<<"$J" health)" = "$HD" ]; ok $? "an IMR from the clock: a month after its commission ($HD)"
[ "$(citem completion SCR-E due <<<"$J")" = "$(addm "$(day '-60 days')" 6)" ]; ok $? "completion six months after the decision"
[ "$(citem completion SCR-E what <<<"$J")" = "review completed" ]; ok $? "...not extended"
[ "$(citem completion SCR-F due <<<"$J")" = none ]; ok $? "a completed review has no completion item"
PR=$(addm "$(day '-40 days')" 3)
[ "$(citem plan-review SCR-F due <<<"$J")" = "$PR" ]; ok $? "the next action-plan review, 3 months after completion ($PR)"
expect 0 "an extension" -- sv case extend --to "$(day '+250 days')" --reason "more time" --told "ofsted:$TODAY" SCR-E
J=$(agenda_json --as-of "$TODAY" --days 400)
[ "$(citem completion SCR-E due <<<"$J")" = "$(day '+250 days')" ]; ok $? "...moves completion's due date"
citem completion SCR-E what <<<"$J" | grep -q "extended"; ok $? "...and the row says extended"
expect 0 "an inadequate evaluation" -- sv case evaluation --received "$(day '-10 days')" --rating inadequate SCR-F
J=$(agenda_json --as-of "$TODAY" --days 400)
[ "$(citem ofsted SCR-F due <<<"$J")" = "$(addm "$(day '-10 days')" 1)|$(addm "$(day '-10 days')" 3)" ]
ok $? "...gives both Ofsted rows: the summary in a month, the improvement plan in three"
[ "$(citem ofsted SCR-F command <<<"$J")" = "scrvault case milestone --on DATE SCR-F summary-sent|scrvault case milestone --on DATE SCR-F plan-sent" ]
ok $? "...each with the milestone that closes it"
J=$(agenda_json --as-of "$TODAY" --days 400 --kind ofsted)
[ "$(citem completion SCR-E due <<<"$J")" = none ] && [ "$(citem ofsted SCR-F due <<<"$J")" != none ]
ok $? "--kind ofsted gives the Ofsted rows alone"
expect 0 "the panel member of another case" -- as pam agenda --as-of "$TODAY" --days 400 --json
! grep -q '"kind":"\(decision\|referral\|imr\|completion\|ofsted\|plan-review\)"' "$T/out"; ok $? "...sees none of the clocks"
J=$(as ian agenda --as-of "$TODAY" --days 400 --json | python3 -c 'import json,sys; print(json.dumps({"items": json.load(sys.stdin)}))')
[ "$(citem imr SCR-E days <<<"$J" police)" = 5 ]; ok $? "the police IMR author sees the police IMR"
[ "$(citem imr SCR-E due <<<"$J" health)" = none ]; ok $? "...not the health one"
python3 -c 'import json,sys; sys.exit(0 if [i["kind"] for i in json.load(sys.stdin)["items"]] == ["imr"] else 1)' <<<"$J"
ok $? "...and nothing else: only their agency's IMR row"
expect 0 "the digest with the clocks" -- sv agenda --as-of "$TODAY" --days 400 --mail-digest
out_has "SCR-E"; out_has "SCR-R"; out_has "IMR first draft from police"
! grep -qi 'AUTHORMARK\|NOTIFIERMARK\|TITLEMARK\|Arthur\|Hana\|Nina' "$T/out"; ok $? "...names no author, notifier or title"

# ---- bad input -------------------------------------------------------------------------------------
H=$(tree_hash "$V")
expect 2 "--days must be a number" -- sv agenda --days soon
err_has "--days takes a number of days"
expect 2 "...not negative" -- sv agenda --days -1
err_has "--days takes a number of days"
expect 2 "...nor beyond ten years" -- sv agenda --days 99999
err_has "--days takes a number of days"
expect 2 "--as-of must be a date" -- sv agenda --as-of 2026-02-30
err_has "(--as-of DATE)"
expect 2 "--kind must name kinds" -- sv agenda --kind copies
err_has "no agenda kind 'copies'"; err_has "(--kind KINDS)"
expect 2 "-o without --mail-digest" -- sv agenda -o "$T/x"
err_has "writes the --mail-digest"
[ "$(tree_hash "$V")" = "$H" ]; ok $? "bad input leaves the vault unchanged"
finish
