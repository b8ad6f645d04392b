#!/usr/bin/env bash
# The access-request register as the coordinator, the chair and a panel
# member rely on it: requests recorded with who, what, why and when;
# decisions by someone else, FOI refusals citing an exemption, executive
# summaries decided with the chair; FOI due dates on the policy's calendar
# with the clock stopped for fees and clarifications; restricted documents
# released only under an agreed, unexpired, unexhausted request that covers
# them and is the reader's own.
. "$(dirname "$0")/lib.bash"

mkvault
sv case open --title "Child X" SCR-X >/dev/null
sv case open --title "Child Y" SCR-Y >/dev/null
add() {
	local name=$1; shift
	sv principal add --key-out "$T/$name.key" --new-passphrase-file "$P" --kdf-memory 19 "$@" "$name" >/dev/null
}
add pam --display-name "Pam Panel" --contact "pam@lscb.example"
add quinn --display-name "Quinn Panel" --contact "quinn@lscb.example"
add chair --display-name "LSCB chair" --contact "chair@lscb.example"
add aud --display-name "Auditor"
sv principal grant pam panel-member --case SCR-X >/dev/null
sv principal grant quinn panel-member --case SCR-X >/dev/null
sv principal grant chair lscb-chair >/dev/null
sv principal grant aud auditor >/dev/null
as() { local who=$1; shift; sv --as-key "$T/$who.key" --as-passphrase-file "$P" "$@"; }
docid() { sv doc list --json | python3 -c 'import json,sys; print([d["doc"] for d in json.load(sys.stdin) if d["title"] == sys.argv[1]][0])' "$1"; }
printf 'interview with the social worker MARKER-IV\n' > "$T/iv.txt"
sv doc checkin --case SCR-X --class interview-record --title "Interview" "$T/iv.txt" >/dev/null
printf 'executive summary\n' > "$T/es.txt"
sv doc checkin --case SCR-X --class executive-summary --title "Exec summary" "$T/es.txt" >/dev/null
printf 'overview\n' > "$T/ov.txt"
sv doc checkin --case SCR-Y --class interview-record --title "Interview Y" "$T/ov.txt" >/dev/null
I=$(docid Interview); E=$(docid "Exec summary"); IY=$(docid "Interview Y")

# ---- restricted documents without a request ----------------------------------------------------
expect 3 "a restricted document is not checked out without a request (panel member)" -- as pam doc checkout -o "$T/x" "$I"
err_has "agreed access request"
expect 3 "...nor by the coordinator" -- sv doc checkout -o "$T/x" "$I"
expect 3 "...nor released" -- sv doc release "$I" --to pam -o "$T/x.age"
sv copy create "$I" --count 1 >/dev/null
expect 3 "...nor issued as a copy" -- sv copy issue "$I@1#1" --to pam --purpose p --due 2099-01-01
[ ! -e "$T/x" ] && [ ! -e "$T/x.age" ]; ok $? "nothing written"

# ---- new ------------------------------------------------------------------------------------------
expect 2 "a request needs a channel" -- sv request new --by pam --doc "$I" --reason r
expect 2 "...a reason" -- sv request new --channel internal --by pam --doc "$I"
expect 2 "...what is asked for" -- sv request new --channel internal --by pam --reason r
expect 2 "an outside request needs who is asking" -- sv request new --channel foi --doc "$I" --reason r
expect 2 "...of a known kind" -- sv request new --channel foi --kind blogger --name X --contact x --doc "$I" --reason r
expect 2 "a received date in the future" -- sv request new --channel internal --by pam --doc "$I" --reason r --received 2999-01-01
expect 4 "an unknown principal" -- sv request new --channel internal --by nobody --doc "$I" --reason r
expect 0 "the panel member's internal request for the interview record" -- \
	sv request new --channel internal --by pam --doc "$I" --reason "the panel must read the interview MARKER-REASON"
R1=1
expect 3 "a panel member cannot record requests" -- as pam request new --channel internal --by pam --doc "$I" --reason r
expect 3 "an undecided request releases nothing" -- as pam doc checkout --request $R1 -o "$T/x" "$I"
err_has "is open, not agreed"

# ---- decide ---------------------------------------------------------------------------------------
expect 3 "the requester cannot decide her own request" -- as pam request decide $R1 --agree --reason r
expect 3 "an auditor cannot decide" -- as aud request decide $R1 --agree --reason r
expect 2 "a decision needs reasons" -- sv request decide $R1 --agree
expect 2 "an agreed request cannot carry an exemption" -- sv request decide $R1 --agree --reason r --exemption "s.40 x"
expect 0 "the coordinator agrees it, for one release" -- sv request decide $R1 --agree --reason "needed for the panel" --max-releases 1 --until 2099-12-31
expect 6 "a decided request is not decided again" -- sv request decide $R1 --refuse --reason r
err_has "already agreed"

# ---- releases under the request ------------------------------------------------------------------
expect 3 "someone else cannot use pam's request" -- as quinn doc checkout --request $R1 -o "$T/q" "$I"
err_has "was made by"
expect 3 "it does not cover another document" -- as pam doc checkout --request $R1 -o "$T/y" "$IY"
expect 0 "pam checks the interview out under her request" -- as pam doc checkout --request $R1 -o "$T/iv.out" "$I"
cmp -s "$T/iv.out" "$T/iv.txt"; ok $? "...the document"
expect 3 "the request allowed one release: a second is refused" -- as pam doc checkout --request $R1 -o "$T/iv2.out" "$I"
err_has "used for all its 1 release"
expect 4 "a request that does not exist" -- as pam doc checkout --request 99 -o "$T/iv3.out" "$I"
expect 0 "the request shows the release made under it" -- sv request show --json $R1
out_has '"releases_used":1'; out_has '"kind":"checkout"'
expect 0 "the refusals and the use are in the audit log" -- sv audit tail --json --lines 200
out_has '"action":"request.use"'; out_has '"request":1'
! grep -q "MARKER-REASON" "$T/out"; ok $? "the reasons stay out of the audit log"

# A second request: release and a copy, time-limited.
sv request new --channel internal --by pam --doc "$I" --reason "second reading" >/dev/null
R2=2
sv request decide $R2 --agree --reason "ok" --until 2099-01-31 >/dev/null
expect 0 "a release to pam under her request" -- sv doc release "$I" --to pam --request $R2 -o "$T/r.age"
expect 0 "and a numbered copy under it" -- sv copy issue "$I@1#1" --to pam --purpose "reading" --due 2099-01-15 --request $R2
expect 0 "both are recorded against the request" -- sv request show --json $R2
out_has '"kind":"release"'; out_has '"kind":"copy"'
# A printed copy of a restricted class: once per issue, while its request holds.
expect 0 "the copy issued under the request prints" -- sv copy print "$I@1#1" -o "$T/iv-p1.pdf"
expect 3 "...once: a reprint is a new issue" -- sv copy print "$I@1#1" -o "$T/iv-p2.pdf"
err_has "printed since it was issued"
[ ! -e "$T/iv-p2.pdf" ]; ok $? "...nothing written"
expect 0 "the print is in the copy's history" -- sv copy history --json "$I@1#1"
out_has '"event":"print"'
sv request new --channel internal --by pam --doc "$I" --reason x --received 2020-01-01 >/dev/null
expect 2 "an agreed request cannot be limited to a past date" -- sv request decide 3 --agree --reason r --until 2020-01-01
# Refused requests release nothing.
sv request new --channel internal --by quinn --doc "$I" --reason "curious" >/dev/null
sv request decide 4 --refuse --reason "no need to know" >/dev/null
expect 3 "a refused request releases nothing" -- as quinn doc checkout --request 4 -o "$T/q" "$I"
err_has "is refused"

# ---- FOI: exemptions, the chair, deadlines -----------------------------------------------------------
expect 0 "a journalist's FOI request received on a Saturday" -- \
	sv request new --json --channel foi --kind media --name "Jo Journalist MARKER-NAME" --organisation "Daily Echo" \
	--contact "jo@echo.example" --case SCR-X --reason "public interest in the review" --received 2026-11-28
out_has '"due":"2026-12-30"'
F=$(grep -o '"request":[0-9]*' "$T/out" | head -1 | cut -d: -f2)
expect 2 "an FOI refusal must cite an exemption" -- sv request decide "$F" --refuse --reason "personal data"
err_has "exemption"
expect 2 "...by section" -- sv request decide "$F" --refuse --reason "personal data" --exemption "because"
expect 2 "a request covering the executive summary is decided with the chair" -- \
	sv request decide "$F" --refuse --reason "personal data" --exemption "s.40 personal information"
err_has "lscb-chair"
expect 2 "...and the consulted must be the chair" -- \
	sv request decide "$F" --refuse --reason "personal data" --exemption "s.40 personal information" --consulted pam
expect 0 "refused citing s.40, the chair consulted" -- \
	sv request decide "$F" --refuse --reason "the review concerns a child" --exemption "s.40 personal information" --consulted chair
expect 0 "the chair can decide requests too" -- as chair request list
expect 0 "FOI requests due within 30 working days" -- sv request due --days 30 --as-of 2026-12-01 --json
out_has "\"request\":$F"
expect 0 "overdue as of 2026-12-31" -- sv request list --overdue --as-of 2026-12-31 --json
out_has "\"request\":$F"; out_has '"overdue":true'
expect 0 "answered inside the deadline" -- sv request respond "$F"
expect 6 "once" -- sv request respond "$F"
expect 0 "no longer open" -- sv request list --open --json
! grep -q "\"request\":$F," "$T/out"; ok $? "...not listed as open"
expect 0 "the register keeps the requester's details" -- sv request show "$F"
out_has "Daily Echo"; out_has "s.40 personal information"; out_has "chair"
expect 0 "the audit log does not" -- sv audit tail --json --lines 300
! grep -q -e MARKER-NAME -e "Daily Echo" -e "jo@echo" "$T/out"; ok $? "...no name, organisation or contact"

due_of() {	# due_of RECEIVED: the due date of a new FOI request received then
	sv request new --json --channel foi --kind public --name "A member of the public" --contact "a@b.example" \
		--doc "$E" --reason r --received "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["due"])'
}
[ "$(due_of 2026-03-20)" = 2026-04-21 ]; ok $? "received before Easter 2026: due 21 April (Good Friday, Easter Monday skipped)"
[ "$(due_of 2026-04-27)" = 2026-05-27 ]; ok $? "over the early-May and spring bank holidays: due 27 May"
[ "$(due_of 2026-08-14)" = 2026-09-14 ]; ok $? "over the late-August bank holiday: due 14 September"
[ "$(due_of 2026-03-03)" = 2026-04-01 ]; ok $? "over St Patrick's Day (Northern Ireland): due 1 April"
[ "$(due_of 2026-07-01)" = 2026-07-30 ]; ok $? "over the 12 July substitute (13 July, Northern Ireland): due 30 July"
[ "$(due_of 2026-11-20)" = 2026-12-21 ]; ok $? "over St Andrew's Day (Scotland): due 21 December"
[ "$(due_of 2026-11-29)" = 2026-12-30 ]; ok $? "received on a Sunday: counting starts on Tuesday 1 December"

# The clock.
sv request new --json --channel foi --kind public --name "B" --contact "b@b.example" --doc "$E" --reason r \
	--received 2026-10-01 > "$T/out"
C=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["request"])' "$T/out")
out_has '"due":"2026-10-29"'
expect 2 "only FOI requests have a clock" -- sv request clock $R1 --stop fee
expect 0 "a fees notice stops the clock" -- sv request clock "$C" --stop fee --on 2026-10-05 --note "fees notice, £45"
expect 0 "no due date while it is stopped" -- sv request show --json "$C"
out_has '"due":"clock stopped"'
expect 6 "it cannot stop twice" -- sv request clock "$C" --stop clarification --on 2026-10-06
expect 2 "it cannot restart before it stopped" -- sv request clock "$C" --restart --on 2026-10-04
expect 0 "the fee arrives on 12 October: the days between are not counted" -- sv request clock "$C" --restart --on 2026-10-12
expect 0 "due 6 November" -- sv request show --json "$C"
out_has '"due":"2026-11-06"'
sv request new --json --channel foi --kind public --name "D" --contact "d@b.example" --doc "$E" --reason r \
	--received 2026-10-01 > "$T/out"
C2=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["request"])' "$T/out")
sv request clock "$C2" --stop clarification --on 2026-10-02 >/dev/null
expect 0 "a clarification arrives on 15 October: the count starts again" -- sv request clock "$C2" --restart --on 2026-10-15
expect 0 "due 12 November" -- sv request show --json "$C2"
out_has '"due":"2026-11-12"'
expect 0 "the clock is in the audit log" -- sv audit tail --json --lines 50
out_has '"action":"request.clock"'

# An outside reader's request and an external release: it goes only to the
# key (or, on paper, the person and organisation) the request names.
if command -v age-keygen >/dev/null; then
	age-keygen -o "$T/insp.key" 2>/dev/null; IR=$(age-keygen -y "$T/insp.key")
	age-keygen -o "$T/other.key" 2>/dev/null; OR=$(age-keygen -y "$T/other.key")
	expect 2 "an internal request names no outside key" -- \
		sv request new --channel internal --by pam --doc "$I" --reason r --recipient "$IR"
	expect 2 "--recipient must be an age recipient" -- sv request new --channel external --kind inspectorate \
		--name "Ida Inspector" --organisation Ofsted --contact "ida@ofsted.example" --doc "$I" --reason r \
		--recipient age1notakey
	# a request that names no key releases to no key
	sv request new --json --channel external --kind inspectorate --name "Ida Inspector" --organisation Ofsted \
		--contact "ida@ofsted.example" --doc "$I" --reason "inspection" > "$T/out"
	X0=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["request"])' "$T/out")
	sv request decide "$X0" --agree --reason "statutory inspection" >/dev/null
	expect 3 "an outside request without a key releases to no age recipient" -- \
		sv doc release "$I" --to "$IR" --reason "Ofsted inspection" --request "$X0" -o "$T/insp0.age"
	err_has "names no age recipient"
	[ ! -e "$T/insp0.age" ]; ok $? "...nothing written"
	sv request new --json --channel external --kind inspectorate --name "Ida Inspector" --organisation Ofsted \
		--contact "ida@ofsted.example" --recipient "$IR" --doc "$I" --reason "inspection" > "$T/out"
	X=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["request"])' "$T/out")
	sv request decide "$X" --agree --reason "statutory inspection" --max-releases 3 >/dev/null
	expect 0 "the request shows the key" -- sv request show "$X"
	out_has "$IR"
	expect 3 "an inspector's request does not release to a panel member" -- sv doc release "$I" --to pam --request "$X" -o "$T/w.age"
	expect 3 "nor to anyone else's age key" -- \
		sv doc release "$I" --to "$OR" --reason "Ofsted inspection" --request "$X" -o "$T/other.age"
	err_has "another recipient key"
	[ ! -e "$T/other.age" ]; ok $? "...nothing written"
	expect 0 "it releases to the inspector's own age recipient" -- \
		sv doc release "$I" --to "$IR" --reason "Ofsted inspection" --request "$X" -o "$T/insp.age"
	if command -v age >/dev/null; then
		age -d -i "$T/insp.key" -o "$T/insp.txt" "$T/insp.age" && cmp -s "$T/insp.txt" "$T/iv.txt"
		ok $? "...which the inspector opens with stock age"
	fi
	sv copy create "$I@1" --count 1 >/dev/null
	N=$(sv copy list --doc "$I" --json | python3 -c 'import json,sys; print(max(c["number"] for c in json.load(sys.stdin) if c["kind"] == "paper"))')
	expect 3 "a paper copy under her request does not go to someone else" -- sv copy issue "$I@1#$N" \
		--external "Mallory Other" --organisation Ofsted --contact "m@x.example" --purpose p --due 2099-01-01 --request "$X"
	err_has "made by someone else"
	expect 3 "...nor to her name at another organisation" -- sv copy issue "$I@1#$N" \
		--external "Ida Inspector" --organisation "Other Ltd" --contact "i@x.example" --purpose p --due 2099-01-01 --request "$X"
	expect 0 "it goes to the inspector herself" -- sv copy issue "$I@1#$N" \
		--external "Ida Inspector" --organisation Ofsted --contact "ida@ofsted.example" --purpose "inspection" \
		--due 2099-01-01 --request "$X"
	expect 0 "the refusals are audited" -- sv audit tail --json --lines 40
	[ "$(grep -o '"reason":"another recipient key"' "$T/out" | wc -l)" -ge 1 ] &&
		[ "$(grep -o '"reason":"another outside holder"' "$T/out" | wc -l)" -ge 2 ]
	ok $? "...request.use refusals for the other key and the other holders"
	! grep -q "Mallory" "$T/out"; ok $? "...without the outside holder's name"
else
	skip "outside releases under a request" "age-keygen not installed"
fi
expect 0 "the whole register" -- sv request list
out_has "inspectorate: Ida Inspector"
expect 0 "fsck" -- sv fsck
expect 0 "audit verify" -- sv audit verify

# Expiry: request 2 is agreed until 2099-01-31; on 1 February 2099 it no longer releases.
if command -v faketime >/dev/null; then
	# (faketime preloads a library: under AddressSanitizer it must not insist on coming first)
	expect 3 "after it expires, a request releases nothing" -- \
		env ${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS:verify_asan_link_order=0} \
		faketime '2099-02-01 10:00:00' "$SV" --vault "$V" --key "$K" --passphrase-file "$P" \
		doc release "$I" --to pam --request $R2 -o "$T/late.age"
	err_has "expired on 2099-01-31"
	[ ! -e "$T/late.age" ]; ok $? "...nothing written"
else
	skip "expiry of an agreed request" "faketime not installed"
fi
finish
