#!/usr/bin/env bash
# Retention as the board relies on it: a case concludes only when every copy
# is back and destroyed; the plan says what is due, held and why; the purge
# job (a service principal that can do nothing else) destroys what is due and
# not held - masters only in a disposal batch a records manager approved -
# by deleting the version's key, so the ciphertext in git history opens with
# no key left in the vault and no key bytes stay in the database files; each
# destruction leaves a record with a verifiable certificate; a purge killed
# at any point leaves every version either whole or destroyed.
. "$(dirname "$0")/lib.bash"

PROBE="$(dirname "$SV")/tests/tools/vault_probe"
mkvault
add() {
	local name=$1; shift
	enrol --key-out "$T/$name.key" "$@" "$name" >/dev/null
}
add dep --custodian --display-name "Deputy custodian"
add rm --display-name "Records manager"
sv principal grant dep coordinator >/dev/null
# coord and dep can both approve from here on: what dual control holds
# (a role that approves, a service principal) dep approves.
second "$T/dep.key" principal grant rm records-manager || echo "# records-manager not granted"
second "$T/dep.key" principal add --kind service --custodian --no-passphrase --key-out "$T/purge.key" \
	--display-name "Purge job" purge-job || echo "# purge-job not added"
sv principal grant purge-job retention-job >/dev/null
job() { "$SV" --vault "$V" --key "$T/purge.key" "$@"; }
as() { local who=$1; shift; sv --as-key "$T/$who.key" --as-passphrase-file "$P" "$@"; }
docid() { sv doc list --json | python3 -c 'import json,sys; print([d["doc"] for d in json.load(sys.stdin) if d["title"] == sys.argv[1]][0])' "$1"; }

# Short periods so that things fall due today; the board approves the policy.
sed -e 's/rule = destroy 35 years after case-concluded/rule = destroy 0 days after case-concluded/' \
    -e 's/rule = destroy 6 months after superseded/rule = destroy 0 days after superseded/' \
    "$ROOT/policy/default.conf" > "$T/short.conf"
grep -q "destroy 0 days after case-concluded" "$T/short.conf"; ok $? "a test policy with rules due at once"
sv policy load "$T/short.conf" > "$T/out"
OP=$(grep -o 'pending operation [0-9a-f]*' "$T/out" | cut -d' ' -f3)
"$SV" --vault "$V" --key "$T/dep.key" --passphrase-file "$P" approve "$OP" >/dev/null

sv case open --title "Child A" --subject-dob 2012-05-01 SCR-A >/dev/null
sv case open --title "Child B" SCR-B >/dev/null
printf 'IMR draft MARKER-DRAFT\n' > "$T/imr1.txt"; printf 'IMR final\n' > "$T/imr2.txt"
sv doc checkin --case SCR-A --class imr --agency police --title "IMR" "$T/imr1.txt" >/dev/null
IMR=$(docid IMR)
sv doc checkin --doc "$IMR" "$T/imr2.txt" >/dev/null
printf 'overview\n' > "$T/ov.txt"; printf 'chronology MARKER-CHRON\n' > "$T/ch.txt"; printf 'summary\n' > "$T/es.txt"
sv doc checkin --case SCR-A --class overview-report --title "Overview" "$T/ov.txt" >/dev/null
sv doc checkin --case SCR-A --class combined-chronology --title "Chronology" "$T/ch.txt" >/dev/null
sv doc checkin --case SCR-A --class executive-summary --title "Summary" "$T/es.txt" >/dev/null
OV=$(docid Overview); CH=$(docid Chronology); ES=$(docid Summary)
printf 'b1\n' > "$T/b1.txt"; printf 'b2\n' > "$T/b2.txt"
sv doc checkin --case SCR-B --class other --title "B doc" "$T/b1.txt" >/dev/null
BD=$(docid "B doc")
sv doc checkin --doc "$BD" "$T/b2.txt" >/dev/null

plan_status() {	# plan_status DOC VERSION: its status in the plan
	sv retention plan --json | python3 -c 'import json,sys; print([x["status"] for x in json.load(sys.stdin)["versions"] if x["doc"] == sys.argv[1] and x["version"] == int(sys.argv[2])][0])' "$1" "$2"
}

# ---- the plan, before conclusion ----------------------------------------------------------------------
expect 0 "the retention plan" -- sv retention plan
out_has "NOT confirmed"
[ "$(plan_status "$IMR" 2)" = waiting ]; ok $? "a master waits for its case to conclude"
[ "$(plan_status "$IMR" 1)" = due ]; ok $? "a superseded draft is due"
# A copy not yet destroyed holds its version (000 §11.9).
sv copy create "$IMR@1" --count 1 >/dev/null
sv copy issue "$IMR@1#1" --to dep --contact "dep@lscb.example" --purpose "panel" --due 2099-01-01 >/dev/null
[ "$(plan_status "$IMR" 1)" = held ]; ok $? "a due draft with a copy out is held"
expect 0 "the plan says why" -- sv retention plan
out_has "1 copy not destroyed"
sv copy return "$IMR@1#1" >/dev/null
[ "$(plan_status "$IMR" 1)" = held ]; ok $? "...still, once returned to the store"
sv copy destroy "$IMR@1#1" --witness rm >/dev/null
[ "$(plan_status "$IMR" 1)" = due ]; ok $? "...and due again once the copy is destroyed"
[ "$(plan_status "$ES" 1)" = keep ]; ok $? "the executive summary is kept"

# ---- the purge job ------------------------------------------------------------------------------------
expect 3 "the coordinator cannot purge (only the purge job's role can)" -- sv retention purge
expect 3 "the purge job destroys nothing before the board confirms the rules" -- job retention purge
err_has "not confirmed"
expect 3 "the purge job can do nothing else" -- job doc list
expect 3 "...nor read a document" -- job doc checkout -o "$T/x" "$IMR"
expect 0 "a custodian confirms the rules" -- sv retention confirm
expect 0 "a dry run says exactly what would go" -- job retention purge --dry-run --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["destroyed"]; sys.exit(not (sorted((x["doc"], x["version"]) for x in d) == sorted([(sys.argv[2], 1), (sys.argv[3], 1)])))' "$T/out" "$IMR" "$BD"
ok $? "...the two superseded drafts"
H0=$(tree_hash "$V/store.git")
[ "$(plan_status "$IMR" 1)" = due ]; ok $? "...and changed nothing"

# Capture the keys of a draft before it goes.
"$PROBE" "$V" "$K" "$P" wrapped "$IMR" 1 > "$T/keys"
ok $? "capture the wrapped and unwrapped key of IMR version 1"
OID1=$(git --git-dir="$V/store.git" ls-tree -r main | awk -v d="$IMR" '$4 ~ d"[./]1$" {print $3}')
[ -n "$OID1" ]; ok $? "its blob is in the store tree"

"$PROBE" "$V" "$K" "$P" scanplain "$(sed -n 1p "$T/keys")" >/dev/null
[ $? -eq 1 ]; ok $? "before the purge, the wrapped key is in the database's decrypted pages (the scan sees it)"
expect 0 "the purge job destroys the due drafts" -- job retention purge --json
out_has "\"doc\":\"$IMR\""
expect 4 "checking out a destroyed version says when and under which rule" -- sv doc checkout -o "$T/x" "$IMR@1"
err_has "destroyed on"; err_has "destroy 0 days after superseded"
expect 0 "the master is still there" -- sv doc checkout -o "$T/imr2.out" "$IMR@2"
cmp -s "$T/imr2.out" "$T/imr2.txt"; ok $? "...byte-identical"
! git --git-dir="$V/store.git" ls-tree -r main | grep -q "$OID1"; ok $? "the blob left the store's current tree"
git --git-dir="$V/store.git" cat-file blob "$OID1" > "$T/old.blob"; ok $? "...but git history still has the ciphertext"
"$PROBE" "$V" "$K" "$P" trykeys "$IMR" 1 "$T/old.blob" > "$T/out"
ok $? "no key left in the vault opens it ($(tail -1 "$T/out"))"
scan() {	# scan HEX FILES...: is the byte string in any of the files?
	local hex=$1; shift
	python3 - "$hex" "$@" <<'EOF'
import sys
needle = bytes.fromhex(sys.argv[1])
found = False
for f in sys.argv[2:]:
    try:
        data = open(f, 'rb').read()
    except FileNotFoundError:
        continue
    if needle in data:
        print("found in", f); found = True
sys.exit(1 if found else 0)
EOF
}
DBFILES=("$V/vault.db" "$V/vault.db-wal" "$V/vault.db-journal" "$V/vault.db-shm")
scan "$(sed -n 1p "$T/keys")" "${DBFILES[@]}"; ok $? "the wrapped key is in none of the database, WAL or journal files"
scan "$(sed -n 2p "$T/keys")" "${DBFILES[@]}" $(find "$V" -type f); ok $? "nor is the key itself anywhere in the vault"
[ ! -s "$V/vault.db-wal" ]; ok $? "the WAL was checkpointed and truncated after the purge"
"$PROBE" "$V" "$K" "$P" scanplain "$(sed -n 1p "$T/keys")" >/dev/null
ok $? "after it, no decrypted page of the database holds it, free space included (secure_delete)"
expect 0 "fsck is clean after the purge" -- sv fsck

# ---- conclusion ----------------------------------------------------------------------------------------
sv copy create "$IMR@2" --count 1 >/dev/null
sv copy issue "$IMR@2#1" --to dep --contact "dep@lscb.example" --purpose "panel" --due 2099-01-01 >/dev/null
expect 2 "conclusion needs both approval dates" -- sv case conclude SCR-A --action-plan-approved-on 2026-11-01
expect 2 "...not in the future" -- sv case conclude SCR-A --action-plan-approved-on 2026-11-01 --ofsted-approved-on 2999-01-01
expect 6 "a case does not conclude while a copy is out" -- sv case conclude SCR-A \
	--action-plan-approved-on 2026-11-01 --ofsted-approved-on 2026-11-20
err_has "cannot conclude"; out_has "$IMR"; out_has "issued"
sv copy return "$IMR@2#1" >/dev/null
expect 6 "...nor while a returned copy is undestroyed" -- sv case conclude SCR-A \
	--action-plan-approved-on 2026-11-01 --ofsted-approved-on 2026-11-20
sv copy destroy "$IMR@2#1" --witness rm >/dev/null
expect 0 "it concludes once every copy is destroyed" -- sv case conclude SCR-A \
	--action-plan-approved-on 2026-11-01 --ofsted-approved-on 2026-11-20
expect 6 "once" -- sv case conclude SCR-A --action-plan-approved-on 2026-11-01 --ofsted-approved-on 2026-11-20
[ "$(plan_status "$CH" 1)" = due ]; ok $? "its masters are now due"
expect 6 "no copies are made once a case has concluded" -- sv copy create "$IMR@2" --count 1
err_has "concluded on"
expect 6 "nothing is released from a concluded case without an access request" -- \
	sv doc release "$IMR" --to dep -o "$T/late.age"
err_has "only under an agreed access request"
[ ! -e "$T/late.age" ]; ok $? "...nothing written"
expect 0 "the refusals are audited" -- sv audit tail --json --lines 5
out_has '"reason":"case concluded"'
# dep asks (and records the request); coord, who neither asked nor recorded it, decides.
"$SV" --vault "$V" --key "$T/dep.key" --passphrase-file "$P" request new --json --channel internal --by dep \
	--doc "$IMR" --reason "a later serious incident review" > "$T/out"
RQ=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["request"])' "$T/out")
expect 3 "an undecided request does not open it" -- sv doc release "$IMR" --to dep --request "$RQ" -o "$T/late.age"
sv request decide "$RQ" --agree --reason "agreed by the chair" --max-releases 1 >/dev/null
expect 0 "an agreed request does, whatever the class" -- sv doc release "$IMR" --to dep --request "$RQ" -o "$T/late.age"
expect 3 "...once" -- sv doc release "$IMR" --to dep --request "$RQ" -o "$T/late2.age"
err_has "used for all its 1 release"

# ---- holds -----------------------------------------------------------------------------------------------
expect 2 "a hold needs a reason" -- sv hold add --kind coroner "$OV"
err_has "say why"
expect 2 "a hold needs a kind" -- sv hold add --reason "coroner's inquest" "$OV"
err_has "criminal-proceedings, coroner, inquiry, foi-appeal or other"; err_has "(--kind KIND)"
expect 0 "a hold on the overview report (an inquest)" -- sv hold add "$OV" --kind coroner --reason "coroner's inquest"
[ "$(plan_status "$OV" 1)" = held ]; ok $? "the plan shows it held"
expect 0 "the plan says why" -- sv retention plan
out_has "coroner's inquest"
sv request new --channel foi --kind media --name "Jo" --contact "jo@x" --doc "$IMR" --reason "interest" --received 2026-11-27 >/dev/null
[ "$(plan_status "$IMR" 2)" = held ]; ok $? "an open FOI request holds the IMR it covers (FOIA s.77)"
expect 0 "hold list shows the inquest and the automatic FOI hold" -- sv hold list
out_has "coroner's inquest"; out_has "FOI request"
expect 0 "a board-wide hold of one class (a public inquiry into child-protection records)" -- \
	sv hold add --board --class combined-chronology --kind inquiry --reason "public inquiry"
[ "$(plan_status "$CH" 1)" = held ]; ok $? "...holds the chronology"
BH=$(sv hold list --json | python3 -c 'import json,sys; print([h["hold"] for h in json.load(sys.stdin) if h.get("reason") == "public inquiry"][0])')
expect 2 "releasing a hold needs a reason" -- sv hold release "$BH"
expect 0 "the inquiry's hold is released" -- sv hold release "$BH" --reason "inquiry reported"
[ "$(plan_status "$CH" 1)" = due ]; ok $? "...the chronology is due again"

# ---- masters: a disposal batch a records manager approves -----------------------------------------
expect 0 "the purge leaves masters alone until a batch is approved" -- job retention purge --json
! grep -q "\"doc\":\"$CH\"" "$T/out"; ok $? "...the chronology is still there"
expect 0 "the coordinator proposes a disposal batch" -- sv retention propose --json
out_has "\"doc\":\"$CH\""
! grep -q "\"doc\":\"$OV\"" "$T/out"; ok $? "...without what is held"
expect 3 "the proposer cannot approve it" -- sv retention approve 1
expect 3 "the purge job cannot approve it" -- job retention approve 1
expect 0 "the records manager approves it" -- as rm retention approve 1
expect 6 "once" -- as rm retention approve 1
expect 0 "the next purge carries it out" -- job retention purge --json
out_has "\"doc\":\"$CH\""
expect 4 "the chronology's master is gone" -- sv doc checkout -o "$T/x" "$CH"
expect 0 "the overview (held) and the IMR (FOI) are not" -- sv doc checkout -o "$T/ov.out" "$OV"
expect 0 "...the IMR" -- sv doc checkout -o "$T/imr.out" "$IMR"

# ---- records and certificates -------------------------------------------------------------------------
REC=3	# records 1 and 2 are the two drafts of the first purge; 3 is the chronology
expect 0 "a certificate of destruction" -- sv retention certificate -o "$T/cert.proof" "$REC"
out_has "CERTIFICATE OF DESTRUCTION"; out_has "disposal batch 1 approved by rm"; out_has "purge-job"
out_has "$CH"
expect 6 "a certificate never replaces a file" -- sv retention certificate -o "$T/cert.proof" "$REC"
err_has "choose another name"
expect 4 "...and says when its directory is missing" -- sv retention certificate -o "$T/no/such/dir/cert.proof" "$REC"
err_has "No such file or directory"
VK=$(sv audit pubkey)
expect 0 "its audit entry's inclusion proof verifies offline" -- "$SV" audit verify --vkey "$VK" --proof "$T/cert.proof"
expect 0 "every record has one" -- sv retention certificate --json 1
out_has '"sha256":'; out_has '"rule":"destroy 0 days after superseded"'
expect 4 "no such record" -- sv retention certificate 99
expect 0 "the records manager may read certificates" -- as rm retention certificate 1

N0=$(sv audit tail --json --lines 1000 | grep -o '"action":"retention.purge"' | wc -l)
expect 0 "a purge that finds nothing" -- job retention purge
out_has "destroyed 0 versions"
N1=$(sv audit tail --json --lines 1000 | grep -o '"action":"retention.purge"' | wc -l)
[ "$N1" -eq $((N0 + 1)) ]; ok $? "...writes exactly one audit entry"

# ---- publication window -----------------------------------------------------------------------------------
# (tests/cli/publish.sh has the gates and the rules of each review type)
expect 6 "no publication while a coroner's hold covers the case" -- sv case publish SCR-A --on 2026-06-01
err_has "coroner"
second "$T/dep.key" case publish SCR-A --on 2026-06-01 --override-reason "the coroner agreed to publication"
ok $? "a custodian's override, approved by a second custodian, records it"
expect 0 "the plan: a serious case review stays on the web site at least 12 months, then on request" -- \
	sv retention plan --json
out_has '"keep_until":"2027-06-01"'; out_has '"remove_by":null'

# ---- a purge killed at any point ----------------------------------------------------------------------
rounds=12
[ -n "$QUICK" ] && rounds=5
bad=0
for r in $(seq 1 $rounds); do
	for i in 1 2 3 4 5; do printf 'round %s draft %s\n' "$r" "$i" > "$T/d.txt"; sv doc checkin --doc "$BD" "$T/d.txt" >/dev/null; done
	job retention purge >/dev/null 2>&1 &
	pid=$!
	sleep "0.0$((RANDOM % 9))$((RANDOM % 10))"
	kill -9 $pid 2>/dev/null
	wait $pid 2>/dev/null
	if ! sv fsck >/dev/null 2>"$T/err"; then bad=$((bad + 1)); sed 's/^/#   /' "$T/err" | head -3; fi
done
ok $bad "after $rounds purges killed at random points, fsck is clean every time"
expect 0 "the next run finishes the job" -- job retention purge
expect 0 "nothing due is left" -- sv retention plan --json
python3 -c 'import json,sys; sys.exit(any(x["status"] == "due" and x["action"] == "destroy" for x in json.load(open(sys.argv[1]))["versions"]))' "$T/out"
ok $? "...every due draft destroyed"
expect 0 "fsck at the end" -- sv fsck
expect 0 "audit verify at the end" -- sv audit verify

# ---- the shipped job definitions ------------------------------------------------------------------------
for f in scrvault-purge.service scrvault-purge.timer scrvault.cron; do
	grep -q "retention purge" "$ROOT/scripts/$f" 2>/dev/null || grep -q "scrvault-purge" "$ROOT/scripts/$f" 2>/dev/null
	ok $? "scripts/$f runs the purge"
done

# ---- the batches and the due part of the plan through the service ---------------------------------------
add ag --agency police
sv principal grant ag imr-author --case SCR-A --agency police >/dev/null
# The service below holds the vault's lock.  A command that always runs on the
# vault itself (fsck) also stops the service tests/tools/via-service keeps
# for this vault when the suite runs through it (both-ways.sh).
sv fsck >/dev/null
. "$(dirname "$0")/daemon-lib.bash"	# its `as` is the service's from here on
start --idle-seal 0; ok $? "scrvaultd starts on the vault"
unseal; is 200 "unsealed"
login coord "$K"; is 200 "the coordinator signs in"
login ag "$T/ag.key"; is 200 "an agency author signs in"
as ag GET /v1/retention/batches; is 403 3 "an agency author may not list the disposal batches: 403"
audited retention.read denied ag; ok $? "...the refusal is audited"
as coord GET /v1/retention/batches; is 200 "the coordinator lists the disposal batches"
python3 - "$T/body" "$CH" <<'PY'
import json, sys
bs = json.load(open(sys.argv[1]))
b = [x for x in bs if x["batch"] == 1]
ok = (len(b) == 1 and b[0]["state"] == "done" and b[0]["proposed_by"] == "coord" and b[0]["decided_by"] == "rm"
      and b[0]["versions"] == 1 and [(d["record"], d["doc"]) for d in b[0]["destructions"]] == [(3, sys.argv[2])])
sys.exit(0 if ok else 1)
PY
ok $? "...batch 1: proposed by coord, decided by rm, carried out, its destruction record 3 (the chronology)"
as coord GET /v1/retention/batches?x=1; is 400 2 "the batches take no query"
as coord GET /v1/retention/plan; cp "$T/body" "$T/plan.all"
as coord GET '/v1/retention/plan?days=30'; is 200 "the plan's due part: within 30 days"
python3 - "$T/plan.all" "$T/body" <<'PY'
import json, sys
a, d = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
due = [x for x in a["versions"] if x.get("due_on") and x["due_on"] <= d["due_by"]]
key = lambda x: (x["doc"], x["version"])
sys.exit(0 if d["due_by"] > a["as_of"] and sorted(map(key, d["versions"])) == sorted(map(key, due))
         and len(d["versions"]) < len(a["versions"]) and d["versions"] else 1)
PY
ok $? "...exactly the whole plan's versions due by its due_by, and fewer than the whole plan"
as coord GET '/v1/retention/plan?days=x'; is 400 2 "days not a number: 400"
as coord GET '/v1/retention/plan?days=36601'; is 400 2 "days over 36600: 400"
stop; ok $? "scrvaultd stops"
finish
