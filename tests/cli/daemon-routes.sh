#!/usr/bin/env bash
# scrvaultd's routes beyond the basics (daemon.sh): the vault CA for a
# client to pin, the jobs (purge, backup) over the socket with their service
# principals, and the writes.  Attacks first: each write by a role without
# it is 403 and audited, another agency's case is 404, and the vault is
# unchanged by every refusal.
. "$(dirname "$0")/lib.bash"
command -v curl >/dev/null || { skip "scrvaultd routes" "curl is not installed (scripts/install-deps)"; finish; exit; }
mkvault
. "$(dirname "$0")/daemon-lib.bash"
: >"$T/nopass"

# ---- people and service principals (the jobs hold no wrap of the master key),
# made while no daemon holds the vault ----
enrol --key-out "$T/alice.key" --agency police alice >/dev/null
enrol --key-out "$T/bob.key" --agency health bob >/dev/null
sv retention confirm >/dev/null && sv case open --title a SCR-A >/dev/null && sv case open --title b SCR-B >/dev/null
sv principal grant alice imr-author --case SCR-A --agency police >/dev/null
sv principal grant bob imr-author --case SCR-B --agency health >/dev/null
enrol --key-out "$T/carol.key" --agency police carol >/dev/null &&
	sv principal grant carol agency-submitter --case SCR-A --agency police >/dev/null
ok $? "carol, a police submitter on case A (doc.submit only, no doc.checkin)"
sv principal add --kind service --no-passphrase --key-out "$T/purge.key" purge-job >/dev/null &&
	sv principal grant purge-job retention-job >/dev/null
ok $? "the purge job's service principal (no passphrase, no wrap of the master key)"
sv principal add --kind service --no-passphrase --key-out "$T/backup.key" backup-job >/dev/null &&
	sv principal grant backup-job backup-job >/dev/null
ok $? "the backup job's service principal"
R=$(sv recipient 2>/dev/null | grep -o 'age1[0-9a-z]*' | head -1)
printf 'a sealed police IMR\n' >"$T/s.txt"
env -u SCRVAULT_DIR "$SV" intake seal --key "$T/carol.key" --passphrase-file "$P" --to "$R" -o "$T/s.age" \
	--case SCR-A --class imr "$T/s.txt" >/dev/null 2>&1
ok $? "carol seals an IMR with scrvault's intake seal, no vault"
python3 -c 'import sys; b=bytearray(open(sys.argv[1],"rb").read()); b[len(b)//2]^=1; open(sys.argv[2],"wb").write(b)' "$T/s.age" "$T/tampered.age"
sv report board --from 2026-01-01 --to 2026-01-31 -o "$T/cli-board.pdf" >/dev/null 2>&1; ok $? "a Board report from the CLI, for comparison"

# Two documents for streaming: 24 MB, and 3 MB whose stored blob is then tampered with.
head -c 24000000 /dev/urandom >"$T/big24.bin"; head -c 3000000 /dev/urandom >"$T/tam.bin"
sv doc checkin --case SCR-B --class overview-report "$T/big24.bin" >/dev/null &&
	sv doc checkin --case SCR-B --class action-plan "$T/tam.bin" >/dev/null
ok $? "a 24 MB and a 3 MB document on case B"
BIG=$(sv doc list --case SCR-B --json | python3 -c 'import json,sys; print([d["doc"] for d in json.load(sys.stdin) if d.get("class")=="overview-report"][0])')
TAM=$(sv doc list --case SCR-B --json | python3 -c 'import json,sys; print([d["doc"] for d in json.load(sys.stdin) if d.get("class")=="action-plan"][0])')
oid=$(git --git-dir="$V/store.git" ls-tree -r main | awk -v d="$TAM" '$4 ~ d {print $3}')
fa="$V/store.git/objects/${oid:0:2}/${oid:2}"; chmod u+w "$fa"
size=$(stat -c %s "$fa"); off=$((size * 2 / 3))
printf "$(printf '\\x%02x' $(( ( $(od -An -tu1 -j$off -N1 "$fa") ^ 1 ) )))" | dd of="$fa" bs=1 seek=$off conv=notrunc 2>/dev/null
ok $? "...the 3 MB one's stored blob has a byte flipped two thirds in"

OR="$SAMPLES/overview-report.pdf"; [ -f "$OR" ] || { printf '%%PDF-1.4\n' >"$T/o.pdf"; OR="$T/o.pdf"; }
sv doc checkin --case SCR-A --class overview-report --title "Overview report" "$OR" >/dev/null
OD=$(sv doc list --case SCR-A --json | python3 -c 'import json,sys; print([d["doc"] for d in json.load(sys.stdin) if d.get("class")=="overview-report"][0])')
[ -n "$OD" ]; ok $? "an overview report on case A"
age-keygen -o "$T/insp.key" >/dev/null 2>&1; AGE=$(grep -o 'age1[0-9a-z]*' "$T/insp.key" | head -1)

# ---- the vault CA, sealed: from --ca, else unknown until an unseal ----
sv tls ca-cert -o "$T/ca.pem" >/dev/null 2>&1; ok $? "the vault's CA certificate, written by the CLI"
start --idle-seal 0; ok $? "scrvaultd starts"
req GET /v1/tls/ca; is 404 4 "sealed, never unsealed, no --ca: the CA is not known (404)"
stop
start --idle-seal 0 --ca "$T/ca.pem"
req GET /v1/tls/ca; is 200 "sealed, with --ca: the CA certificate"
python3 -c 'import json,sys; sys.stdout.write(json.load(open(sys.argv[1]))["certificate"])' "$T/body" >"$T/ca.got"
cmp -s "$T/ca.got" "$T/ca.pem"; ok $? "...exactly the PEM bytes the vault wrote"
req GET '/v1/tls/ca?x=1'; is 400 2 "the CA route takes no query"
stop
"$D" --vault "$V" --socket "$S" --ca "$T/nopass" 2>/dev/null; [ $? -eq 2 ]; ok $? "--ca with no certificate in it: scrvaultd refuses to start (2)"
"$D" --vault "$V" --socket "$S" --backup-dir relative 2>/dev/null; [ $? -eq 2 ]; ok $? "--backup-dir must be an absolute directory (2)"

mkdir -p "$T/backups"
start --idle-seal 0 --backup-dir "$T/backups"
unseal; is 200 "unsealed"
req GET /v1/tls/ca; is 200 "unsealed without --ca: the CA certificate, kept from the unseal"
python3 -c 'import json,sys; sys.stdout.write(json.load(open(sys.argv[1]))["certificate"])' "$T/body" >"$T/ca.got"
cmp -s "$T/ca.got" "$T/ca.pem"; ok $? "...exactly the PEM bytes the vault wrote"

login alice "$T/alice.key"; is 200 "alice signs in"
login bob "$T/bob.key"; is 200 "bob signs in"
login purge-job "$T/purge.key" -; is 200 "the purge job signs in with its key file"
login backup-job "$T/backup.key" -; is 200 "the backup job signs in with its key file"
login coord "$K"; is 200 "the coordinator signs in"

# ---- the jobs: attacks first ----
as coord GET /v1/retention/plan; cp "$T/body" "$T/plan.before"
jpost alice /v1/retention/purge '{}'; is 403 3 "alice may not purge: 403"
audited retention.purge denied alice; ok $? "...her refusal is audited"
as alice POST /v1/backups; is 403 3 "alice may not take a backup: 403"
audited backup.create denied alice; ok $? "...audited"
jpost purge-job /v1/retention/purge '{"dry_run":"yes"}'; is 422 2 "dry_run not a boolean: 422"
as backup-job POST /v1/backups -H 'Content-Type: application/json' --data-binary '{"path":"/tmp/x"}'
is 413 2 "a backup request may not carry a path (it takes no body): 413"
jpost backup-job /v1/retention/purge '{}'; is 403 3 "the backup job may not purge: 403"
jpost purge-job /v1/mirrors/push '{}'; is 403 3 "the purge job may not push mirrors: 403"
[ -z "$(ls -A "$T/backups")" ]; ok $? "no backup was written by a refusal"
as coord GET /v1/retention/plan; cp "$T/body" "$T/plan.after"
cmp -s "$T/plan.before" "$T/plan.after"; ok $? "the refusals changed nothing retention would do"

# ---- the jobs: as their service principals ----
jpost purge-job /v1/retention/purge '{"dry_run":true}'; is 200 "the purge job's dry run"
jpost purge-job /v1/retention/purge '{}'; is 200 "the purge job purges"
audited retention.purge ok purge-job; ok $? "...on record as purge-job"
as backup-job POST /v1/backups; is 200 "the backup job takes a backup"
B=$(ls "$T/backups"/vault-*.bak 2>/dev/null | head -1)
[ -n "$B" ]; ok $? "...into the operator's --backup-dir, named by the time"
python3 -c 'import json,sys; a = json.load(open(sys.argv[1])); sys.exit(not (a["path"] == sys.argv[2] and a["schema"] > 0 and a["audit_root"]))' \
	"$T/body" "$B"; ok $? "...and its answer says where, with the manifest's summary"
"$SV" backup verify "$B" >/dev/null 2>&1; ok $? "...and it verifies"
jpost backup-job /v1/mirrors/push '{}'; [ "$(cat "$T/code")" != 403 ] && [ "$(cat "$T/code")" != 500 ]
ok $? "the backup job may push mirrors (none registered: not 403, not 500)"

# ---- an agency's upload with doc.submit only: its own agency's IMR to its case, nothing else ----
login carol "$T/carol.key"; is 200 "carol signs in"
printf 'police IMR\n' >"$T/c.txt"; CS=$(sha256sum "$T/c.txt" | cut -d' ' -f1)
up() {	# up CASE CLASS AGENCY: carol begins an upload of c.txt
	jpost carol /v1/uploads "{\"case\":\"$1\",\"class\":\"$2\",\"agency\":\"$3\",\"filename\":\"c.txt\",\"size\":$(stat -c %s "$T/c.txt"),\"sha256\":\"$CS\"}"
}
as coord GET /v1/cases/SCR-A/docs; cp "$T/body" "$T/docsA.before"
up SCR-A overview-report police; is 403 3 "carol may not upload another class (overview report): 403"
audited doc.submit denied carol; ok $? "...audited as doc.submit"
up SCR-A imr health; is 403 3 "nor claim another agency's IMR: 403"
audited doc.submit denied carol; ok $? "...audited"
up SCR-B imr police; is 404 4 "nor upload to a case she is not commissioned on: 404"
as coord GET /v1/cases/SCR-A/docs; cmp -s "$T/body" "$T/docsA.before"; ok $? "the refusals added nothing to case A"
up SCR-A imr police; is 200 "carol begins an upload of her agency's IMR to case A"
CU=$(jget upload)
as carol PUT "/v1/uploads/$CU?offset=0" -H 'Content-Type: application/octet-stream' --data-binary @"$T/c.txt"
is 200 "...its bytes"
as carol POST "/v1/uploads/$CU/finish"; is 200 "...finished: checked in, a receipt"
CD=$(jget doc)
as coord GET "/v1/docs/$CD/versions/1/content"; cmp -s "$T/body" "$T/c.txt"; ok $? "the IMR is in the vault byte for byte"
audited doc.checkin ok carol; ok $? "...its check-in on record as carol's"

# ---- the writes: each by a role without it first (403, audited), then done ----
as coord GET /v1/cases; cp "$T/body" "$T/cases.before"
jpost alice /v1/cases '{"case":"SCR-C","title":"c","review_type":"scr"}'; is 403 3 "alice may not open a case: 403"
audited case.open denied alice; ok $? "...audited"
jpost alice /v1/cases/SCR-A/conclude '{"action_plan_approved_on":"2026-01-01","ofsted_approved_on":"2026-01-02"}'
is 403 3 "nor conclude one: 403"
jpost alice /v1/principals/alice/roles '{"role":"coordinator"}'; is 403 3 "nor grant herself a role: 403"
audited principal.grant denied alice; ok $? "...audited"
jpost alice /v1/principals/bob/roles/revoke '{"role":"imr-author","case":"SCR-B","agency":"health"}'
is 403 3 "nor take bob's role away: 403"
jpost alice /v1/referrals '{"case":"SCR-R","title":"r","received_on":"2026-01-01","notifier":"n","notifier_agency":"police"}'
is 404 4 "nor record a referral (a case she cannot reach is not found): 404"
as alice POST "/v1/docs/$CD/versions/1/declare"; is 403 3 "nor declare a master (her agency's IMR): 403"
as alice GET /v1/ops; is 403 3 "nor list operations: 403"
as alice POST /v1/ops/0123456789abcdef/approve; [ "$(cat "$T/code")" = 403 ] || [ "$(cat "$T/code")" = 404 ]
ok $? "nor approve an operation (403 or 404)"
jpost coord /v1/cases/SCR-Z/conclude '{"action_plan_approved_on":"2026-01-01","ofsted_approved_on":"2026-01-02"}'
is 404 4 "a case that does not exist: 404"
as coord GET /v1/cases; cmp -s "$T/body" "$T/cases.before"; ok $? "the refusals changed no case"
jpost coord /v1/cases '{"case":"SCR-C","title":"c","review_type":"scr"}'; is 200 "the coordinator opens a case"
[ "$(jget ref)" = SCR-C ]; ok $? "...the answer is the case"
jpost coord /v1/cases '{"case":"SCR-C","title":"again","review_type":"scr"}'; is 409 6 "the same reference again: 409"
jpost coord /v1/cases '{"case":"SCR-D","title":"d","review_type":"nonsense"}'; is 422 2 "an unknown review type: 422"
jpost coord /v1/principals/alice/roles '{"role":"imr-author","case":"SCR-C","agency":"police"}'
is 200 "the coordinator grants alice a role on the new case"
as alice GET /v1/cases/SCR-C; is 200 "...and she reaches it"
jpost coord /v1/principals/alice/roles/revoke '{"role":"imr-author","case":"SCR-C","agency":"police"}'
is 200 "the coordinator takes it away"
as alice GET /v1/cases/SCR-C; is 404 4 "...and she no longer does"
as coord POST "/v1/docs/$CD/versions/1/declare"; is 200 "the coordinator declares carol's IMR its master"
jpost coord /v1/referrals '{"case":"SCR-R","title":"r","received_on":"2026-01-01","notifier":"n","notifier_agency":"police"}'
is 200 "the coordinator records a referral"
as coord GET /v1/referrals/SCR-R; is 200 "...shown"
as coord GET '/v1/referrals?status=referred'; grep -q SCR-R "$T/body"; ok $? "...and listed"
as coord GET /v1/ops; is 200 "the coordinator lists operations"
jpost alice /v1/referrals/SCR-R/recommendation '{"review":"scr","rationale":"meets the criteria","on":"2026-01-02"}'
[ "$(cat "$T/code")" = 403 ] || [ "$(cat "$T/code")" = 404 ]; ok $? "alice may not recommend on a referral (refused)"
jpost coord /v1/referrals/SCR-R/recommendation '{"review":"scr","rationale":"meets the criteria","rationale_filename":"../x","on":"2026-01-02"}'
is 422 2 "a rationale file name with a path in it: 422"
jpost coord /v1/referrals/SCR-R/recommendation '{"review":"scr","rationale":"meets the criteria","on":"2026-01-02"}'
is 200 "the coordinator records the recommendation, its rationale checked in"
jpost coord /v1/referrals/SCR-R/decision '{"review":"scr","rationale":"agreed","on":"2026-01-03"}'
is 403 3 "the coordinator may not decide it (the chair's): 403"
jpost coord /v1/referrals/SCR-R/notices '{"to":"ofsted","on":"2026-01-04"}'; is 200 "Ofsted notified"
jpost coord /v1/referrals/SCR-R/notices '{"to":"ofsted","on":"2026-01-04"}'; is 409 6 "...once: 409"
as coord GET /v1/cases/SCR-R/docs; grep -q 'decision-rationale' "$T/body"; ok $? "the rationales are documents of the case"
jpost coord /v1/requests "{\"channel\":\"foi\",\"ext_kind\":\"media\",\"ext_name\":\"Jo\",\"ext_org\":\"Echo\",\"ext_contact\":\"jo@echo.example\",\"docs\":[\"$OD\"],\"reason\":\"foi\"}"
is 200 "an FOI request recorded"
FOI=$(jget request)
jpost alice "/v1/requests/$FOI/clock" '{"kind":"fee"}'; [ "$(cat "$T/code")" = 403 ] || [ "$(cat "$T/code")" = 404 ]
ok $? "alice may not stop its clock"
jpost coord "/v1/requests/$FOI/clock" '{"kind":"sometime"}'; is 422 2 "an unknown clock stop: 422"
jpost coord "/v1/requests/$FOI/clock" '{"kind":"fee"}'; is 200 "its clock stopped for a fee"
jpost coord "/v1/requests/$FOI/response" '{}'; is 409 6 "an answer before the decision: 409"
jpost coord "/v1/requests/$FOI/decision" '{"agree":false,"reason":"the review concerns a child","exemption":"s.40 personal information"}'
is 403 3 "the coordinator who recorded it may not decide it (another must): 403"

# ---- check-out streamed in bounded memory; a failure mid-way aborts the transfer ----
hwm() { awk '/VmHWM/ {print $2}' "/proc/$DPID/status"; }
h0=$(hwm)
as coord GET "/v1/docs/$BIG/versions/1/content"; is 200 "the 24 MB document checks out through the socket"
cmp -s "$T/body" "$T/big24.bin"; ok $? "...byte for byte"
[ "$(grep -i '^x-scrvault-sha256:' "$T/headers" | cut -d' ' -f2 | tr -d '\r')" = "$(sha256sum "$T/big24.bin" | cut -d' ' -f1)" ]
ok $? "...with its SHA-256 in X-Scrvault-SHA256"
grep -qi '^transfer-encoding: chunked' "$T/headers"; ok $? "...streamed (chunked), not buffered whole"
h1=$(hwm); echo "# scrvaultd peak RSS ${h0} kB before, ${h1} kB after"
if ldd "$D" 2>/dev/null | grep -q libasan; then
	skip "...the daemon's peak memory grew by less than 16 MB" "AddressSanitizer keeps freed memory in quarantine"
else
	[ $((h1 - h0)) -lt 16000 ]; ok $? "...the daemon's peak memory grew by less than 16 MB"
fi
curl -s --max-time 20 --unix-socket "$S" -H "Authorization: Bearer $(cat "$T/tok-coord")" -o "$T/tam.got" \
	"http://scrvault/v1/docs/$TAM/versions/1/content"; rc=$?
[ $rc -ne 0 ]; ok $? "a version whose blob fails its check part-way: the transfer fails (curl $rc)"
! cmp -s "$T/tam.got" "$T/tam.bin"; ok $? "...and what arrived is not the document"
req GET /v1/status; is 200 "the service still answers"

# ---- copies and releases ----
jpost alice "/v1/docs/$OD/versions/1/copies" '{"count":1}'; [ "$(cat "$T/code")" = 403 ] || [ "$(cat "$T/code")" = 404 ]
ok $? "alice may not make copies of the overview report (refused)"
as coord GET /v1/copies; cp "$T/body" "$T/copies.before"
jpost coord "/v1/docs/$OD/versions/1/copies" '{"count":0}'; is 422 2 "a count of zero: 422"
as coord GET /v1/copies; cmp -s "$T/body" "$T/copies.before"; ok $? "...the register unchanged"
jpost coord "/v1/docs/$OD/versions/1/copies" '{"count":2}'; is 200 "the coordinator makes two numbered copies"
CP=$(python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); j=j if isinstance(j,list) else j.get("copies",[]); print(j[0]["copy"])' "$T/body" 2>/dev/null)
CP2=$(python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); j=j if isinstance(j,list) else j.get("copies",[]); print(j[1]["copy"])' "$T/body" 2>/dev/null)
as coord GET '/v1/copies'; cp "$T/body" "$T/copies.all"
as coord GET '/v1/copies?limit=1'; is 200 "the register, limit 1"
python3 -c 'import json,sys; a,b=(json.load(open(f)) for f in sys.argv[1:]); sys.exit(0 if len(a)>1 and b==a[:1] else 1)' "$T/copies.all" "$T/body"
ok $? "...its first copy alone (the page asks a screenful at a time)"
as coord GET '/v1/copies?limit=0'; is 400 2 "a limit of 0 is 400"
[ -n "$CP" ] && [ -n "$CP2" ]; ok $? "...numbered ($CP, $CP2)"
jpost coord "/v1/copies/$CP/issue" '{"ext_name":"Ann Inspector","ext_org":"Ofsted","contact":"ann@ofsted.example","purpose":"inspection","due":"2027-06-30"}'
is 200 "the coordinator issues it to an inspector"
as alice POST "/v1/copies/$CP/print"; [ "$(cat "$T/code")" = 403 ] || [ "$(cat "$T/code")" = 404 ]; ok $? "alice may not print it"
as coord POST "/v1/copies/$CP/print"; is 200 "the coordinator prints it: the stamped PDF"
head -c 5 "$T/body" | grep -q '%PDF-'; ok $? "...a PDF"
jpost alice "/v1/copies/$CP2/destroy" '{"witness":"bob"}'; [ "$(cat "$T/code")" = 403 ] || [ "$(cat "$T/code")" = 404 ]
ok $? "alice may not destroy it"
jpost coord "/v1/copies/$CP2/destroy" '{"witness":"bob","note":"shredded"}'; is 200 "the coordinator destroys the other, bob named as witness"
jpost alice "/v1/docs/$OD/versions/1/release" "{\"to\":\"$AGE\",\"reason\":\"inspection\"}"
[ "$(cat "$T/code")" = 403 ] || [ "$(cat "$T/code")" = 404 ]; ok $? "alice may not release the overview report"
jpost coord "/v1/docs/$OD/versions/1/release" "{\"to\":\"$AGE\",\"reason\":\"inspection\"}"
is 200 "the coordinator releases it to an inspector's age recipient: the bundle is the answer"
grep -qi '^x-scrvault-release: [0-9]' "$T/headers"; ok $? "...its ledger number in X-Scrvault-Release"
age -d -i "$T/insp.key" "$T/body" >"$T/insp.out" 2>/dev/null && cmp -s "$T/insp.out" "$OR"
ok $? "...which stock age opens, byte-identical"

# ---- case clocks, policy, proofs ----
as coord GET /v1/audit/pubkey; jget vkey >"$T/vkey"
jpost alice /v1/cases/SCR-A/commissions '{"agency":"police","author":"A Author"}'; is 403 3 "alice may not commission an IMR: 403"
audited case.commission denied alice; ok $? "...audited"
jpost coord /v1/cases/SCR-A/commissions '{"agency":"police","author":"A Author"}'; is 200 "the coordinator commissions police's IMR"
jpost coord /v1/cases/SCR-A/commissions '{"agency":"police","author":"A Author"}'; is 409 6 "a second commission for the agency: 409"
jpost alice /v1/cases/SCR-A/milestones '{"kind":"completed","on":"2026-01-01"}'; is 403 3 "alice may not record a milestone: 403"
jpost coord /v1/cases/SCR-A/evaluation '{"received_on":"2026-01-01","rating":"brilliant"}'; is 422 2 "an unknown rating: 422"
as alice GET /v1/policy; is 403 3 "alice may not read the policy: 403"
as coord GET /v1/policy; is 200 "the coordinator reads the policy"
jget text >"$T/policy.txt"; [ -s "$T/policy.txt" ]; ok $? "...its text"
python3 -c 'import json,sys; print(json.dumps({"text": open(sys.argv[1]).read()}))' "$T/policy.txt" >"$T/policy.json"
as alice POST /v1/policy -H 'Content-Type: application/json' --data-binary @"$T/policy.json"; is 403 3 "alice may not load a policy: 403"
audited policy.load denied alice; ok $? "...audited"
jpost coord /v1/policy '{"text":"[role \"x\"\n\tallow = nonsense.permission\n"}'; is 422 2 "a policy with problems: 422"
jpost alice /v1/audit/proofs '{"seqs":[1,2]}'; is 403 3 "alice may not make an audit proof: 403"
jpost coord /v1/audit/proofs '{"seqs":[0]}'; is 422 2 "a sequence number 0: 422"
jpost coord /v1/audit/proofs '{"seqs":[1,2],"title":"first two"}'; is 200 "the coordinator's proof of two entries: the file"
cp "$T/body" "$T/two.proof"
"$SV" audit verify --vkey "$(cat "$T/vkey")" "$T/two.proof" >/dev/null 2>&1; ok $? "...verified offline with only the vkey"

# ---- a holder registered from their enrolment request ----
DFP=$("$SV" keygen --json --key-out "$T/dave.key" --new-passphrase-file "$P" --kdf-memory 19 --agency health dave 2>/dev/null |
	sed -n 's/.*"fingerprint":"\([^"]*\)".*/\1/p')
[ -n "$DFP" ]; ok $? "dave makes his own key and enrolment request"
enrol_body() {	# enrol_body WORDS: the JSON of dave's request with those words
	python3 -c 'import json,sys; print(json.dumps({"request": open(sys.argv[1]).read(), "fingerprint": sys.argv[2], "display_name": "Dave"}))' "$T/dave.key.enrol" "$1"
}
enrol_body "$DFP" >"$T/enrol.json"
as alice POST /v1/principals -H 'Content-Type: application/json' --data-binary @"$T/enrol.json"
is 403 3 "alice may not register principals: 403"
enrol_body "apple apple apple apple apple apple" >"$T/enrol-bad.json"
as coord POST /v1/principals -H 'Content-Type: application/json' --data-binary @"$T/enrol-bad.json"
[ "$(cat "$T/code")" = 500 ] || [ "$(cat "$T/code")" = 422 ]; ok $? "other fingerprint words: refused"
as coord GET /v1/principals/dave; is 404 4 "...and no dave exists"
as coord POST /v1/principals -H 'Content-Type: application/json' --data-binary @"$T/enrol.json"
is 200 "the coordinator registers dave from his request and the words he read out"
python3 -c 'import json,sys; sys.stdout.write(json.load(open(sys.argv[1]))["acceptance"])' "$T/body" >"$T/dave.accept"
"$SV" keyfile accept --key "$T/dave.key" --passphrase-file "$P" "$T/dave.accept" >/dev/null 2>&1
ok $? "...dave imports the acceptance the answer carries"
as coord POST /v1/principals -H 'Content-Type: application/json' --data-binary @"$T/enrol.json"
is 409 6 "the same request again: 409"

# ---- a sealed bundle posted as it is; reports as bodies ----
as coord GET "/v1/cases/SCR-A/docs"; cp "$T/body" "$T/docsA.before"
as coord POST /v1/intake -H 'Content-Type: application/octet-stream' --data-binary @"$T/tampered.age"
is 500 5 "a tampered bundle: refused as intake refuses it (integrity, code 5)"
audited intake.import integrity-failure coord; rc=$?; [ $rc -ne 0 ] && echo "# $(head -c 1500 "$T/body")"; ok $rc "...on record"
as alice POST /v1/intake -H 'Content-Type: application/octet-stream' --data-binary @"$T/s.age"
is 403 3 "alice may not import bundles: 403"
head -c 9000000 /dev/zero >"$T/big.bin"
as coord POST /v1/intake -H 'Content-Type: application/octet-stream' --data-binary @"$T/big.bin"
is 413 "a body over 8 MiB: 413 (libevent's own limit for every route)"
as coord GET "/v1/cases/SCR-A/docs"; cmp -s "$T/body" "$T/docsA.before"; ok $? "the refusals stored nothing"
as coord POST /v1/intake -H 'Content-Type: application/octet-stream' --data-binary @"$T/s.age"
is 200 "the bundle, posted as it is, is imported: a receipt"
cp "$T/body" "$T/s.receipt"
as coord GET /v1/audit/pubkey; jget vkey >"$T/vkey"
"$(dirname "$SV")/scrvault-seal" receipt verify --vkey "$(cat "$T/vkey")" --file "$T/s.txt" "$T/s.receipt" >/dev/null 2>&1
ok $? "...which verifies offline against the file sealed"
as coord POST /v1/intake -H 'Content-Type: application/octet-stream' --data-binary @"$T/s.age"
is 409 6 "the same bundle again (a replay): 409"
jpost alice /v1/reports/board '{"from":"2026-01-01","to":"2026-01-31"}'; is 403 3 "alice may not make the Board's report: 403"
jpost coord /v1/reports/board '{"from":"2026-01-01","to":"2026-01-31"}'; is 200 "the coordinator's Board report"
head -c 5 "$T/body" | grep -q '%PDF-'; ok $? "...a PDF"
cp "$T/body" "$T/board.pdf"
grep -i '^x-scrvault-signature:' "$T/headers" | cut -d' ' -f2 | tr -d '\r' | base64 -d >"$T/board.pdf.sig" 2>/dev/null
"$SV" report verify --vkey "$(cat "$T/vkey")" "$T/board.pdf" >/dev/null 2>&1; ok $? "...its signature (X-Scrvault-Signature) verifies"
jpost coord /v1/cases/SCR-A/report '{}'; is 200 "a case's report"
head -c 5 "$T/body" | grep -q '%PDF-'; ok $? "...a PDF"
ls "${TMPDIR:-/tmp}" | grep -q '^scrvaultd\.' && ok 1 "no private temporary directory is left" || ok 0 "no private temporary directory is left"
stop
start --idle-seal 0
unseal >/dev/null; login backup-job "$T/backup.key" -
as backup-job POST /v1/backups; is 409 6 "a daemon without --backup-dir takes no backups: 409"

# ---- sessions per principal: the library's limit, answered 429 ----
for i in $(seq 20); do
	login purge-job "$T/purge.key" -
	[ "$(cat "$T/code")" = 200 ] || break
done
is 429 3 "a principal with 16 live sessions asking for another: 429"
grep -q '"field":"sessions"' "$T/body"; ok $? "...the answer names the limit"
[ "$i" -eq 16 ]; ok $? "...after exactly 15 more (one was live already)"
stop

# ---- connections: at most N from one address; the next is refused, then one closes ----
start --idle-seal 0 --max-per-address 2
python3 - "$S" >"$T/conns" <<'PY'
import socket, sys
def conn():
    s = socket.socket(socket.AF_UNIX); s.settimeout(5); s.connect(sys.argv[1]); return s
def ask(s):
    s.sendall(b'GET /v1/status HTTP/1.1\r\nHost: x\r\n\r\n')
    return s.recv(65536).split(b' ')[1].decode()
a, b = conn(), conn()
print(ask(a), ask(b))
c = conn(); print(ask(c)); c.close()
a.close()
import time; time.sleep(0.3)
d = conn(); print(ask(d)); print(ask(b))
PY
[ "$(sed -n 1p "$T/conns")" = "200 200" ]; ok $? "two connections from one address are served"
[ "$(sed -n 2p "$T/conns")" = 429 ]; ok $? "a third at once is refused: 429"
[ "$(sed -n 3p "$T/conns")" = 200 ] && [ "$(sed -n 4p "$T/conns")" = 200 ]
ok $? "once one closes, a new connection is served, and the others still are"
stop

finish
