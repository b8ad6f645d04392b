#!/usr/bin/env bash
# The auditor's questions that join the registers, through scrvaultd:
# restricted documents released and under which request, destructions with
# their certificates, and who did or could read a document; and the agency
# of the signed-in principal (GET /v1/whoami).  Attacks first: an agency
# user, a case-scoped reader and a board-wide officer without audit.read
# asking them are refused and audited; another agency's IMR answers as a
# missing one.  Then each answer's rows, their audit entries proved offline,
# and no document content in any answer.
. "$(dirname "$0")/lib.bash"
command -v curl >/dev/null || { skip "the auditor's questions" "curl is not installed (scripts/install-deps)"; finish; exit; }
command -v age-keygen >/dev/null || { skip "the auditor's questions" "age is not installed (scripts/install-deps)"; finish; exit; }
mkvault
. "$(dirname "$0")/daemon-lib.bash"

# ---- the vault, made while no daemon holds it ----
# A board-wide officer who reads the registers but not the audit log: the
# policy gives the role no audit.read (loaded while coord is the only custodian).
{ cat "$ROOT/policy/default.conf"; printf '[role "case-officer"]\n\tscope = board\n\tallow = case.read\n\tallow = doc.list\n\tallow = copy.read\n\tallow = request.read\n'; } >"$T/pol.conf"
sv policy load "$T/pol.conf" >/dev/null; ok $? "a policy with a board-wide case officer who has no audit.read"
add() { local name=$1; shift; enrol --key-out "$T/$name.key" "$@" "$name" >/dev/null; }
sv case open --title "Child X MARKER-CASE" SCR-X >/dev/null
add alice --agency police; add bob --agency health; add pam; add quinn; add aud; add wit; add off
sv principal add --kind service --custodian --no-passphrase --key-out "$T/purge.key" purge-job >/dev/null
sv principal grant alice imr-author --case SCR-X --agency police >/dev/null &&
	sv principal grant bob imr-author --case SCR-X --agency health >/dev/null &&
	sv principal grant pam panel-member --case SCR-X >/dev/null &&
	sv principal grant quinn panel-member --case SCR-X >/dev/null &&
	sv principal grant aud auditor >/dev/null && sv principal grant off case-officer >/dev/null &&
	sv principal grant purge-job retention-job >/dev/null
ok $? "agencies, panel members, an auditor, a case officer and the purge job hold their roles"
add dep --custodian; sv principal grant dep coordinator >/dev/null
dep() { "$SV" --vault "$V" --key "$T/dep.key" --passphrase-file "$P" "$@"; }
docid() { sv doc list --json | python3 -c 'import json,sys; print([d["doc"] for d in json.load(sys.stdin) if d["title"] == sys.argv[1]][0])' "$1"; }
printf 'interview MARKER-IV\n' >"$T/iv.txt"; printf 'police IMR MARKER-IMR\n' >"$T/imr.txt"
printf 'form 1 MARKER-NF\n' >"$T/nf1.txt"; printf 'form 2\n' >"$T/nf2.txt"
sv doc checkin --case SCR-X --class interview-record --title "Interview" "$T/iv.txt" >/dev/null &&
	sv doc checkin --case SCR-X --class imr --agency police --title "IMR" "$T/imr.txt" >/dev/null &&
	sv doc checkin --case SCR-X --class notification-form --title "Form" "$T/nf1.txt" >/dev/null
I=$(docid Interview); M=$(docid IMR); N=$(docid Form)
sv doc checkin --doc "$N" "$T/nf2.txt" >/dev/null; ok $? "an interview record (restricted), a police IMR, a notification form in two versions"
# The restricted release: pam's request, agreed by dep, used by coord.
sv request new --channel internal --by pam --doc "$I" --reason "panel reading MARKER-REASON" >/dev/null &&
	dep request decide 1 --agree --reason ok --until 2099-12-31 >/dev/null &&
	sv doc release "$I" --to pam --request 1 -o "$T/iv.age" >/dev/null
ok $? "the interview record is released to pam under request 1, agreed by dep"
sv doc release "$M" --to pam -o "$T/imr.age" >/dev/null; ok $? "the IMR (not restricted) is released to pam"
# An outside requester whose name a spreadsheet would read as a formula.
age-keygen -o "$T/insp.key" 2>/dev/null; IR=$(age-keygen -y "$T/insp.key")
sv request new --json --channel external --kind inspectorate --name '=HYPERLINK("x")' --organisation Ofsted \
	--contact "ida@ofsted.example" --recipient "$IR" --doc "$I" --reason "inspection MARKER-REASON" >/dev/null &&
	dep request decide 2 --agree --reason ok >/dev/null &&
	sv doc release "$I" --to "$IR" --reason "inspection" --request 2 -o "$T/insp.age" >/dev/null
ok $? "the interview record is released to an outside inspector's age key under request 2"
sv --as-key "$T/pam.key" --as-passphrase-file "$P" doc checkout -o "$T/imr.out" "$M" >/dev/null 2>&1
ok $? "pam checks the IMR out"
sv principal ungrant quinn panel-member --case SCR-X >/dev/null; ok $? "quinn's panel role is taken away"
sv copy create "$M@1" --count 1 >/dev/null && sv copy destroy "$M@1#1" --witness wit >/dev/null 2>&1
ok $? "a paper copy of the IMR is destroyed before a witness"
sv retention confirm >/dev/null && "$SV" --vault "$V" --key "$T/purge.key" retention purge >/dev/null
ok $? "the purge job destroys the superseded notification form"

start --idle-seal 0; ok $? "scrvaultd starts"
unseal; is 200 "unsealed"
login coord "$K"; login aud "$T/aud.key"; login alice "$T/alice.key"; login bob "$T/bob.key"
login pam "$T/pam.key"; login off "$T/off.key"; is 200 "everyone signs in"

# ---- attacks: the questions asked without audit.read ----
for q in restricted-releases destructions "readers/$M"; do
	as alice GET "/v1/audit/$q"; is 403 3 "an agency user (alice, police) asking $q: refused"
	audited audit.read denied alice; ok $? "...and audited"
	as off GET "/v1/audit/$q"; is 403 3 "a board-wide officer without audit.read asking $q: refused"
	audited audit.read denied off; ok $? "...and audited"
	as pam GET "/v1/audit/$q"; is 403 3 "a panel member asking $q: refused"
	audited audit.read denied pam; ok $? "...and audited"
done
as bob GET "/v1/audit/readers/$M"; is 404 4 "bob (health) asking who read police's IMR: answered as a missing document"
audited audit.read denied bob; ok $? "...and audited"
req GET /v1/audit/restricted-releases; is 401 "without a session: 401"
as aud GET "/v1/audit/readers/$M?x=1"; is 400 2 "a question takes no query"
as aud GET /v1/audit/readers/0123456789abcdef0123456789abcdef; is 404 4 "no such document: 404"

# ---- whoami names the agency from the principal's record ----
as alice GET /v1/whoami; is 200 "alice's whoami"
[ "$(jget agency)" = police ]; ok $? "...names her agency, police"
as aud GET /v1/whoami; python3 -c 'import json,sys; sys.exit(0 if json.load(open(sys.argv[1]))["agency"] is None else 1)' "$T/body"
ok $? "the auditor's names none (null)"

# rows FILTER-EXPR: the answer's rows that match (python over r), as JSON lines
rows() { python3 -c 'import json,sys
for r in json.load(open(sys.argv[1])):
	if eval(sys.argv[2]): print(json.dumps(r, sort_keys=True))' "$T/body" "$1"; }
entry() { as aud GET "/v1/audit/entries/$1"; python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$T/body" "$2"; }
nocontent() { ! grep -q "MARKER-" "$T/body"; ok $? "$1: no document content, title or reason in the answer"; }

# ---- restricted documents released, and under which request ----
as aud GET /v1/audit/restricted-releases; is 200 "the auditor asks which restricted documents were released"
cp "$T/body" "$T/rr.json"; nocontent "restricted releases"
[ "$(rows True | wc -l)" -eq 2 ]; ok $? "...two rows: the IMR's release is not restricted"
[ -n "$(rows "r['doc'] == '$I' and r['to'] == 'outside reader' and r['recipient'] == '$IR' and r['request'] == 2 and r['requester'] == '=HYPERLINK(\"x\") (Ofsted)'")" ]
ok $? "...the release to the inspector's key, under request 2, asked by the outside requester"
R=$(rows "r['doc'] == '$I' and r['kind'] == 'release' and r['to'] == 'pam' and r['request'] == 1 and r['requester'] == 'pam' and r['authorised_by'] == 'dep' and r['released_by'] == 'coord' and r['class'] == 'interview-record'")
[ -n "$R" ]; ok $? "...the interview record to pam, under request 1 by pam, agreed by dep, released by coord"
RS=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["seq"])' "$R")
[ "$(entry "$RS" action)" = doc.release ]; ok $? "...its seq is the release's own audit entry"

as aud GET /v1/audit/restricted-releases?csv=maybe; is 400 2 "csv is true or false"
as aud GET /v1/audit/restricted-releases?csv=true; is 200 "the same answer as CSV"
grep -qi '^Content-Type: text/csv' "$T/headers" && head -1 "$T/body" | grep -q '^authorised_by,case,class,doc,kind,' &&
	sed -n 2p "$T/body" | grep -q "^dep,SCR-X,interview-record,$I,release," && [ "$(wc -l <"$T/body")" -eq 3 ]
ok $? "...text/csv: a header of the members' names, then the rows"
grep -qF ",\"'=HYPERLINK(\"\"x\"\") (Ofsted)\"," "$T/body"; ok $? "...a value a spreadsheet would read as a formula is quoted and led by an apostrophe"

# ---- destructions, with their certificates ----
as aud GET /v1/audit/destructions; is 200 "the auditor asks what was destroyed"
cp "$T/body" "$T/de.json"; nocontent "destructions"
VR=$(rows "r['kind'] == 'version' and r['doc'] == '$N' and r['version'] == 1")
REC=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["record"])' "$VR" 2>/dev/null)
[ -n "$REC" ]; ok $? "...the notification form's version 1, with its destruction record"
[ -n "$(rows "r['kind'] == 'copy' and r['doc'] == '$M' and r['witness'] == 'wit' and r['authorised_by'] == 'coord'")" ]
ok $? "...the IMR's paper copy, destroyed by coord before wit"
DS=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["seq"])' "$VR")
[ "$(entry "$DS" action)" = retention.destroy ]; ok $? "...the version's seq is its retention.destroy entry"
as aud GET "/v1/retention/certificates/$REC"; is 200 "the record's certificate, as the row links it"
grep -q "\"doc\":\"$N\"" "$T/body"; ok $? "...is the notification form's"

# ---- who could ever have read the IMR ----
as aud GET "/v1/audit/readers/$M"; is 200 "the auditor asks who could ever have read the IMR"
cp "$T/body" "$T/rd.json"; nocontent "readers"
[ -n "$(rows "r['answer'] == 'did read' and r['how'] == 'checkout' and r['principal'] == 'pam'")" ]; ok $? "did read: pam's check-out"
[ -n "$(rows "r['answer'] == 'did read' and r['how'] == 'release' and r['principal'] == 'pam'")" ]; ok $? "did read: the release to pam"
as aud GET "/v1/audit/readers/$I"; is 200 "who could ever have read the interview record"
[ -n "$(rows "r['answer'] == 'did read' and r['how'] == 'release (age key)' and r['principal'] == 'outside reader: $IR' and r['request'] == 2")" ]
ok $? "did read: the outside inspector's key, under request 2"
as aud GET "/v1/audit/readers/$M"
[ -n "$(rows "r['answer'] == 'could read' and r['principal'] == 'alice' and r['role'] == 'imr-author' and r['until'] is None")" ]
ok $? "could read: alice, police's IMR author, still"
[ -n "$(rows "r['answer'] == 'could read' and r['principal'] == 'coord' and r['role'] == 'coordinator'")" ]; ok $? "could read: the coordinator"
[ -n "$(rows "r['answer'] == 'could read' and r['principal'] == 'quinn' and r['until'] is not None")" ]
ok $? "could read: quinn, until her panel role was taken away"
[ -z "$(rows "r['principal'] in ('bob', 'aud', 'off', 'wit')")" ]; ok $? "not bob (another agency), the auditor, the officer nor the witness"
python3 -c 'import json,sys; a=[r["answer"] for r in json.load(open(sys.argv[1]))]; sys.exit(0 if a == sorted(a, key=lambda x: x != "did read") else 1)' "$T/body"
ok $? "who did read comes before who could have"
QS=$(rows "r['principal'] == 'quinn'" | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["seq"])')
[ "$(entry "$QS" action)" = principal.ungrant ]; ok $? "...quinn's span rests on the principal.ungrant entry"

# ---- each answer proved offline: its entries as a proof set ----
as aud GET /v1/audit/pubkey; VKEY=$(jget vkey)
for a in rr de rd; do
	seqs=$(python3 -c 'import json,sys; print(json.dumps(sorted({r["seq"] for r in json.load(open(sys.argv[1])) if r.get("seq")})))' "$T/$a.json")
	jpost aud /v1/audit/proofs "{\"seqs\":$seqs,\"title\":\"answer $a\"}"; is 200 "the proof set of answer $a's entries"
	cp "$T/body" "$T/$a.proof"
	"$SV" audit verify --vkey "$VKEY" "$T/$a.proof" >"$T/out" 2>&1; ok $? "...verifies offline with the verifier key"
done
stop; ok $? "SIGTERM: scrvaultd exits 0 (under ASan: no leak, no error)" || sed 's/^/# /' "$T/daemon.log" | tail -20
finish
