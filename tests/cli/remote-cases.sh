#!/usr/bin/env bash
# Cases, referrals, access requests, holds, the policy and dual control
# through the service: two vaults seeded alike; one scenario (every command,
# the refused ones too: usage errors, conflicts, wrong roles) run directly
# on vault A and through scrvaultd on vault B; each command's stdout, exit
# status and --json compared byte for byte, then the vaults' registers and
# the actions of their audit logs.  Attacks first: a path trick in a REF is
# refused by the client before anything is sent (not even a sign-in); an
# agency's author opening a case through the service is refused (exit 3),
# on record, the vault unchanged; the coordinator cannot approve their own
# policy load through the service, a second custodian can, from their own
# session.  Every wait is bounded.
#
# Normalised before comparing, as legitimately different between the two
# vaults: times (YYYY-MM-DDTHH:MM:SS[.frac]Z), document ids and operation
# ids (random per vault), key fingerprints (each vault's principals made
# their own keys), and the vault id.
. "$(dirname "$0")/lib.bash"
. "$(dirname "$0")/daemon-lib.bash"	# start, stop, req, login, as, jpost, is
[ -x "$D" ] || { skip "cases through the service" "scrvaultd is not built"; finish; exit; }

# ---- two vaults seeded alike: coord (custodian), cus2 (a second custodian,
# coordinator too: dual control in force), chair (LSCB chair), pat (police
# IMR author) ----
printf 'Notification form\nChild C, referred by health.\n' >"$T/form.txt"
printf 'The sub-committee recommends a serious case review.\n' >"$T/rat1.txt"
printf 'The chair decides: a serious case review.\n' >"$T/rat2.txt"
printf '%%PDF-1.4\n\0\1\2binary\n' >"$T/form.pdf"
seed() {	# seed NAME: vault $T/NAME, key files $T/NAME-WHO.key
	mkvault "$1"
	enrol --key-out "$T/$1-cus2.key" --custodian cus2 >/dev/null 2>&1 &&
	sv principal grant cus2 coordinator >/dev/null &&
	enrol --key-out "$T/$1-chair.key" chair >/dev/null 2>&1 &&
	sv principal grant chair lscb-chair >"$T/grant.out" || return 1
	# The chair may decide requests: a grant the second custodian approves.
	"$SV" --vault "$V" --key "$T/$1-cus2.key" --passphrase-file "$P" op approve \
		"$(grep -o 'pending operation [0-9a-f]*' "$T/grant.out" | cut -d' ' -f3)" >/dev/null &&
	enrol --key-out "$T/$1-pat.key" --kind person --agency police pat >/dev/null 2>&1 &&
	sv case open SCR-2026-01 --title "Child A" --received 2026-10-01 --decision-date 2026-10-20 >/dev/null &&
	sv principal grant pat imr-author --case SCR-2026-01 --agency police >/dev/null || return 1
	# A document of SCR-2026-01 with a paper copy out: the case cannot be concluded.
	sv doc checkin --case SCR-2026-01 --class imr --agency police "$T/form.txt" >/dev/null &&
	sv copy create "$(sv doc list --case SCR-2026-01 --json |
		python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["doc"])')@1" --count 1 >/dev/null || return 1
	sv policy show --text >"$T/$1-pol.conf"
	printf '\n[class "extra-notes"]\n\ttitle = Extra notes\n' >>"$T/$1-pol.conf"
}
seed a; ok $? "vault A is seeded"
VA=$V
seed b; ok $? "vault B is seeded alike"
VB=$V
printf '[role "x"\n\tscope = nowhere\n' >"$T/bad.conf"

# The scenario: "WHO|ARGS" (WHO: coord, cus2, chair, pat; @OP1@, @OP2@ the
# operations the vault's own run made; @A@ the vault's name, for its files).
scenario=(
	# holds
	"coord|hold add --kind inquiry --reason panel-asked SCR-2026-01"
	"coord|hold add --board --class imr --kind other --reason everything-imr --json"
	"coord|hold list"
	"coord|hold list --json"
	"coord|hold release --reason done 1"
	"coord|hold release --reason again 1"
	"coord|hold release --reason none 99"
	"coord|hold add --reason no-kind SCR-2026-01"
	"pat|hold add --kind inquiry --reason mine SCR-2026-01"
	"coord|hold release 2"
	# access requests
	"coord|request new --channel foi --kind public --name J-Bloggs --contact j@example.org --case SCR-2026-01 --reason FOI --received 2026-11-02"
	"coord|request new --channel internal --by pat --case SCR-2026-01 --reason for-the-IMR --received 2026-11-03 --json"
	"coord|request new --channel internal --case SCR-2026-01 --reason nobody"
	"coord|request new --channel foi --kind public --name J --contact j --case SCR-2099-99 --reason x"
	"pat|request new --channel internal --by pat --case SCR-2026-01 --reason mine"
	"coord|request show 1"
	"coord|request show 1 --json"
	"coord|request show 99"
	"coord|request clock 1 --stop clarification --on 2026-11-04 --note which-case"
	"coord|request clock 1 --restart --on 2026-11-06 --json"
	"coord|request clock 1 --stop fee --restart"
	"coord|request decide 1 --refuse --reason s.40 --exemption s.40-personal-information"
	"chair|request decide 1 --refuse --reason personal-data --exemption s.40-personal-information"
	"chair|request decide 2 --agree --reason ok --until 2027-01-01 --max-releases 2 --json"
	"chair|request decide 2 --agree --reason again"
	"chair|request decide 2 --reason neither"
	"chair|request decide 2 --agree --reason x --max-releases lots"
	"coord|request respond 1 --on 2026-11-20"
	"coord|request respond 2 --on 2026-11-21 --json"
	"coord|request due --as-of 2026-11-10"
	"coord|request due --days 10 --as-of 2026-11-10 --json"
	"coord|request due --days 999"
	"coord|request list"
	"coord|request list --json"
	"coord|request list --open"
	"pat|request due"
	# cases and their clocks
	"coord|case open --title Child-B --type sir --received 2026-10-01 --decision-date 2026-10-20 SIR-2026-02"
	"coord|case open --title duplicate SIR-2026-02"
	"coord|case open --type scr SCR-2026-07"
	"coord|case open --title odd --type nonsense SCR-2026-08"
	"pat|case open --title mine SCR-2026-09"
	"coord|case commission --agency police --author DI-Smith --on 2026-11-05 SCR-2026-01"
	"coord|case commission --agency police --author DI-Smith --on 2026-11-05 SCR-2026-01"
	"coord|case commission --agency health --author Dr-Jones --on 2026-11-05 --due 2026-12-20 SCR-2026-01 --json"
	"pat|case commission --agency police --author me SCR-2026-01"
	"coord|case extend --to 2027-06-01 --reason more-time --told ofsted:2026-11-10 SCR-2026-01"
	"coord|case extend --to 2027-06-01 --reason more-time --told 2026-11-10 SCR-2026-01"
	"coord|case evaluation --received 2026-11-20 --rating good SCR-2026-01"
	"coord|case evaluation --received 2026-11-20 --rating superb SCR-2026-01"
	"coord|case milestone --on 2026-11-21 SCR-2026-01 completed"
	"coord|case milestone --on 2026-11-21 SCR-2026-01 nonsense"
	"coord|case timeline --as-of 2026-12-01 SCR-2026-01"
	"coord|case timeline --as-of 2026-12-01 SCR-2026-01 --json"
	"coord|case timeline SCR-2099-99"
	"coord|case timeline -o x SCR-2026-01"
	"coord|case clocks --as-of 2026-12-01"
	"coord|case clocks --as-of 2026-12-01 --json"
	"coord|case clocks --as-of 2026-12-01 --case SCR-2026-01 --open"
	"pat|case clocks --as-of 2026-12-01"
	"coord|case conclude --action-plan-approved-on 2026-11-25 --ofsted-approved-on 2026-11-26 SCR-2026-01"
	"coord|case conclude --action-plan-approved-on 2026-11-25 --ofsted-approved-on 2026-11-26 SCR-2026-01 --json"
	"coord|case conclude --action-plan-approved-on 2026-11-25 --ofsted-approved-on 2026-11-26 SIR-2026-02"
	"coord|case conclude --action-plan-approved-on 2026-11-25 --ofsted-approved-on 2026-11-26 SIR-2026-02"
	"coord|case conclude --master nonsense SIR-2026-02"
	"coord|case publish --on 2026-11-27 SIR-2026-02"
	"coord|case publish --on 2026-11-27 --override-reason public-interest SIR-2026-02"
	"coord|case reopen --reason new-information SIR-2026-02"
	"pat|case reopen --reason mine SCR-2026-01"
	"coord|case show SIR-2026-02"
	"coord|case list"
	# referrals
	"coord|referral new --received 2026-11-01 --notifier Dr-X --notifier-agency health --title Child-C --summary what-happened --form @T@/form.txt SCR-2026-03"
	"coord|referral new --received 2026-11-01 --notifier Dr-X --notifier-agency health --title again SCR-2026-03"
	"coord|referral new --received 2026-11-02 --notifier Dr-Y --notifier-agency police --title Child-D --form @T@/form.pdf SCR-2026-04 --json"
	"coord|referral new --notifier Dr-Y --notifier-agency police --title no-date SCR-2026-05"
	"pat|referral new --received 2026-11-02 --notifier me --notifier-agency police --title mine SCR-2026-06"
	"coord|referral recommend --review scr --rationale @T@/rat1.txt --on 2026-11-10 SCR-2026-03"
	"coord|referral recommend --review scr --rationale @T@/rat1.txt --on 2026-11-10 SCR-2026-03"
	"coord|referral recommend --review scr --on 2026-11-10 SCR-2026-04"
	"coord|referral decide --review scr --rationale @T@/rat2.txt --on 2026-11-12 SCR-2026-03"
	"chair|referral decide --review scr --rationale @T@/rat2.txt --on 2026-11-12 SCR-2026-03 --json"
	"chair|referral decide --review none --rationale @T@/rat2.txt --on 2026-11-12 SCR-2026-04"
	"coord|referral notify --to ofsted --on 2026-11-13 SCR-2026-03"
	"coord|referral notify --to ofsted --on 2026-11-13 SCR-2026-03"
	"coord|referral notify --to nobody --on 2026-11-13 SCR-2026-03"
	"coord|referral list"
	"coord|referral list --json"
	"coord|referral list --status decided"
	"coord|referral show SCR-2026-03"
	"coord|referral show SCR-2026-03 --json"
	"coord|referral show SCR-2099-99"
	"pat|referral list"
	# the policy, under dual control
	"coord|policy show"
	"coord|policy show --text"
	"coord|policy show --version 1 --json"
	"coord|policy show --version x"
	"coord|policy show --version 7"
	"coord|policy load @T@/bad.conf"
	"pat|policy load @T@/@A@-pol.conf"
	"coord|policy load @T@/@A@-pol.conf"
	"coord|op approve @OP1@"
	"coord|approve @OP1@"
	"pat|op approve @OP1@"
	"coord|op list"
	"coord|op list --json"
	"cus2|op approve @OP1@"
	"cus2|op approve @OP1@"
	"coord|policy show"
	"coord|policy show --version 1"
	"cus2|refuse @OP2@"
	"cus2|op refuse @OP2@"
	"coord|op approve 0123456789abcdef"
)

# The legitimately different: times; ids made at random (documents,
# operations: 16 hex digits; key fingerprints: 32; digests: 64); and audit
# sequence numbers (the service's sign-ins are on record too, so the same
# action has a later number on vault B).
norm() {
	sed -E -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z/TIME/g' \
		-e 's/\b[0-9a-f]{16}\b/HEX16/g; s/\b[0-9a-f]{32}\b/HEX32/g; s/\b[0-9a-f]{64}\b/HEX64/g' \
		-e 's/"audit_seq":[0-9]+/"audit_seq":SEQ/g; s/TIME \([0-9]+\)/TIME (SEQ)/g' \
		-e 's/^([A-Z]+-[0-9]{4}-[0-9]{2}  .*  )[0-9]+$/\1SEQ/' "$@"
}
who() {	# who NAME MODE: the key options acting as NAME (directly, a custodian's key unlocks the vault)
	case "$1|$2" in
	coord\|*|cus2\|*|*\|remote) echo "--key $T/$VN-$1.key";;
	*) echo "--key $T/$VN-coord.key --as-key $T/$VN-$1.key --as-passphrase-file $P";;
	esac
}
run_all() {	# run_all MODE (direct|remote): every scenario line, into $T/MODE.N
	local i=0 who args out id
	local -a kopts
	OP1='' OP2=''
	for line in "${scenario[@]}"; do
		who=${line%%|*}
		args=${line#*|}
		args=${args//@T@/$T}; args=${args//@A@/$VN}
		args=${args//@OP1@/${OP1:-none}}; args=${args//@OP2@/${OP2:-none}}
		out="$T/$1.$i"
		read -ra kopts <<<"$(who "$who" "$1")"
		# shellcheck disable=SC2086
		if [ "$1" = direct ]; then
			"$SV" --vault "$V" "${kopts[@]}" --passphrase-file "$P" $args >"$out.out" 2>"$out.err"
		else
			SCRVAULT_SERVER="unix:$S" "$SV" "${kopts[@]}" --passphrase-file "$P" $args \
				>"$out.out" 2>"$out.err"
		fi
		echo "rc=$?" >>"$out.out"
		# The operations this vault's run made: a policy load's, a reopen's.
		if grep -q 'pending operation' "$out.out"; then
			id=$(grep -o 'pending operation [0-9a-f]*' "$out.out" | head -1 | cut -d' ' -f3)
			case "$args" in policy\ load*) OP1=$id;; case\ reopen*) OP2=$id;; esac
		fi
		norm -i "$out.out" "$out.err"
		i=$((i + 1))
	done
	echo "$OP1 $OP2" >"$T/$1.ops"
}

# ---- directly on vault A ----
V=$VA VN=a K="$T/a-coord.key"
run_all direct

# ---- through the service on vault B ----
V=$VB VN=b K="$T/b-coord.key"
start --idle-seal 0; ok $? "scrvaultd starts on vault B's socket"
export SCRVAULT_SERVER="unix:$S"
rsv() { "$SV" --key "$K" --passphrase-file "$P" "$@"; }
expect 0 "the custodian unseals vault B" -- rsv unseal

# Attacks first: path tricks in a REF never leave the client.
before=$(tree_hash "$V")
lines=$(wc -l <"$T/daemon.log")
for bad in "../x" "a/b" "%2e%2e" ".hidden" "SCR 1"; do
	expect 2 "case open '$bad': refused by the client (exit 2)" -- rsv case open --title t "$bad"
	expect 2 "case conclude '$bad' too" -- rsv case conclude --action-plan-approved-on 2026-11-25 \
		--ofsted-approved-on 2026-11-26 "$bad"
	expect 2 "case commission '$bad' too" -- rsv case commission --agency police --author x "$bad"
	expect 2 "referral show '$bad' too" -- rsv referral show "$bad"
	expect 2 "referral recommend '$bad' too" -- rsv referral recommend --review scr --rationale "$T/rat1.txt" "$bad"
	expect 2 "op approve '$bad' too" -- rsv op approve "$bad"
done
expect 2 "a --master naming a path trick is refused by the client" -- \
	rsv case conclude --action-plan-approved-on 2026-11-25 --ofsted-approved-on 2026-11-26 --master "../x@1" SCR-2026-01
expect 2 "a query value with a trick in it too (case clocks --case)" -- rsv case clocks --case "a&b=c"
[ "$(wc -l <"$T/daemon.log")" = "$lines" ]; ok $? "none of them reached the service: nothing in its log, not even a sign-in"
[ "$(tree_hash "$V")" = "$before" ]; ok $? "and the vault is unchanged"

# A file larger than the service takes is refused here, naming the way that works.
head -c 6000001 /dev/zero >"$T/big.pdf"
expect 2 "a notification form over 6 MB is refused by the client (exit 2)" -- \
	rsv referral new --received 2026-11-01 --notifier x --notifier-agency health --title t --form "$T/big.pdf" SCR-2026-05
err_has "vault host"
expect 4 "and no referral was made" -- rsv referral show SCR-2026-05
expect 2 "case timeline --proof has no route yet: a usage error naming the fix" -- \
	rsv case timeline --proof -o "$T/proof.json" SCR-2026-01
err_has "--vault DIR"
[ ! -e "$T/proof.json" ]; ok $? "and no proof file was written"

# The agency's author opens a case through the service: refused, on record, nothing made.
expect 3 "an agency author opening a case through the service is refused (exit 3)" -- \
	"$SV" --key "$T/b-pat.key" --passphrase-file "$P" case open --title mine SCR-2026-66
rsv audit tail --json --lines 5 | python3 -c '
import json,sys
e=[x for x in json.load(sys.stdin) if x.get("action")=="case.open"]
sys.exit(0 if e and e[-1].get("outcome") != "ok" and e[-1].get("principal")=="pat" else 1)'
ok $? "the refusal is on record, the author named"
expect 4 "and the case does not exist" -- rsv case show SCR-2026-66

# ---- the scenario through the service ----
run_all remote

# The new and changed routes refuse malformed input themselves (any client).
login coord "$K"; is 200 "the coordinator signs in (raw HTTP)"
as coord GET '/v1/requests/due?days=999'; is 400 2 "request due: days over 365 is 400"
as coord GET '/v1/requests/due?days=07'; is 400 2 "days with a leading zero is 400"
as coord GET '/v1/requests/due?weeks=1'; is 400 2 "an unknown query key is 400"
as coord GET '/v1/requests/due?days=0&as_of=2026-11-10'; is 200 "days=0 is today's and overdue ones"
as coord GET '/v1/clocks?open=maybe'; is 400 2 "clocks: open is true or false"
as coord GET '/v1/clocks?case=SCR-2026-01&open=true'; is 200 "clocks filtered by case"
as coord GET '/v1/ops/status'; is 200 "whether dual control is in force"
jpost coord /v1/referrals '{"case":"SCR-2026-40","title":"t","received_on":"2026-11-01","notifier":"n","notifier_agency":"health","form_base64":"not base64!"}'
is 422 2 "a form that is not base64 is 422"
jpost coord /v1/referrals '{"case":"SCR-2026-40","title":"t","received_on":"2026-11-01","notifier":"n","notifier_agency":"health","form":"x","form_base64":"eA=="}'
is 422 2 "a form sent both ways is 422"
jpost coord /v1/referrals '{"case":"SCR-2026-40","title":"t","received_on":"2026-11-01","notifier":"n","notifier_agency":"health","form_base64":"eA==","form_filename":"../../etc/passwd"}'
is 422 2 "a form_filename with a path in it is 422"
jpost coord /v1/referrals/SCR-2026-03/recommendation '{"review":"scr","rationale_base64":"eA="}'
is 422 2 "a rationale with broken padding is 422"
jpost coord /v1/cases/SIR-2026-02/conclude '{"masters":[{"doc":"x","version":0}]}'
is 422 2 "a master at version 0 is 422"
jpost coord /v1/cases/SIR-2026-02/conclude '{"masters":["x@1"]}'
is 422 2 "a master that is not {doc, version} is 422"
expect 4 "none of them made a referral" -- rsv referral show SCR-2026-40
stop

# Rows listed in id order come in another order when the ids are random
# (documents, operations): the same rows, in any order, are the same answer.
same_rows() {
	python3 - "$1" "$2" <<'EOF'
import json, sys
def canon(v):
    if isinstance(v, list):
        return sorted((canon(x) for x in v), key=lambda x: json.dumps(x, sort_keys=True))
    if isinstance(v, dict):
        return {k: canon(x) for k, x in v.items()}
    return v
def load(p):
    out = []
    for line in open(p):
        try:
            out.append(json.dumps(canon(json.loads(line)), sort_keys=True))
        except ValueError:
            out.append(line)
    return sorted(out)
sys.exit(0 if load(sys.argv[1]) == load(sys.argv[2]) else 1)
EOF
}

# ---- compared, command by command ----
i=0
for line in "${scenario[@]}"; do
	if cmp -s "$T/direct.$i.out" "$T/remote.$i.out"; then
		ok 0 "'$line': the same output and exit status through the service"
	elif same_rows "$T/direct.$i.out" "$T/remote.$i.out"; then
		ok 0 "'$line': the same output and exit status through the service (rows in random-id order)"
	else
		diff "$T/direct.$i.out" "$T/remote.$i.out" | head -8 | sed 's/^/#   /'
		ok 1 "'$line': the same output and exit status through the service"
	fi
	i=$((i + 1))
done
# A policy file with problems is named as given directly and as
# "policy.conf" (the text the service was sent) through it.
sed -i -E 's#[^ ]*/bad\.conf: #policy.conf: #' "$T"/direct.*.err
i=0; nerr=0
for line in "${scenario[@]}"; do
	if ! cmp -s "$T/direct.$i.err" "$T/remote.$i.err"; then
		echo "# stderr of '$line' differs:"; diff "$T/direct.$i.err" "$T/remote.$i.err" | head -4 | sed 's/^/#   /'
		nerr=$((nerr + 1))
	fi
	i=$((i + 1))
done
[ "$nerr" = 0 ]; ok $? "every message on standard error is the same too ($nerr differ)"

# Dual control through the service: who approved what.
read -r OP1B OP2B <"$T/remote.ops"
[ -n "$OP1B" ] && [ -n "$OP2B" ]; ok $? "the policy load and the reopen waited for a second custodian"
V=$VB K="$T/b-coord.key"
sv op list --json >"$T/ops.json"
python3 - "$T/ops.json" "$OP1B" "$OP2B" <<'EOF'
import json, sys
ops = {o["id"]: o for o in json.load(open(sys.argv[1]))}
a, r = ops[sys.argv[2]], ops[sys.argv[3]]
sys.exit(0 if a["state"] == "approved" and a["decided_by"] == "cus2" and a["requested_by"] == "coord"
         and r["state"] == "refused" and r["decided_by"] == "cus2" else 1)
EOF
ok $? "the coordinator's own load was approved by cus2 alone, the reopen refused by cus2"
grep -q 'POST /v1/ops/{op}/approve 403' "$T/daemon.log"
ok $? "the coordinator's own approval reached the service and was refused there (403)"

# ---- the two vaults' registers and audit actions ----
both() {	# both DESCRIPTION ARGS...: the same command on A and B (directly), normalised
	local desc=$1; shift
	V=$VA K="$T/a-coord.key" sv "$@" 2>&1 | norm >"$T/cmp.a"
	V=$VB K="$T/b-coord.key" sv "$@" 2>&1 | norm >"$T/cmp.b"
	if cmp -s "$T/cmp.a" "$T/cmp.b" || same_rows "$T/cmp.a" "$T/cmp.b"; then ok 0 "$desc"; else
		diff "$T/cmp.a" "$T/cmp.b" | head -8 | sed 's/^/#   /'; ok 1 "$desc"; fi
}
OP1=; OP2=
for c in SCR-2026-01 SIR-2026-02 SCR-2026-03 SCR-2026-04; do
	both "case show $c --json: the same on both vaults" case show "$c" --json
done
both "request list --json: the same on both vaults" request list --json
# The binary form went through byte for byte.
for vn in a b; do
	V=$T/$vn K="$T/$vn-coord.key"
	doc=$(sv referral show SCR-2026-04 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["form"])' 2>/dev/null)
	sv doc checkout "${doc%%@*}@1" -o "$T/form.$vn" >/dev/null 2>&1
done
cmp -s "$T/form.pdf" "$T/form.a" && cmp -s "$T/form.pdf" "$T/form.b"
ok $? "a binary notification form sent through the service is stored byte for byte, as directly"
both "hold list --json: the same on both vaults" hold list --json
both "referral list --json: the same on both vaults" referral list --json
both "case clocks --json: the same on both vaults" case clocks --as-of 2026-12-01 --json
# The audit logs' actions, outcomes and actors, leaving out the sessions,
# unseals and reads only the service makes (sign-ins) and this suite's own
# checks of vault B (the refused case open, its audit reads).
actions() {
	sv audit tail --lines 10000 --json >"$T/tail.$1"
	python3 - "$T/tail.$1" <<'EOF'
import json, sys
skip = ("session.", "vault.unseal", "vault.seal", "audit.", "tls.")
for e in json.load(open(sys.argv[1])):
    a = e.get("action", "")
    if any(a.startswith(s) for s in skip) or e.get("objects", {}).get("case") == "SCR-2026-66":
        continue
    print(a, e.get("outcome"), e.get("principal"), e.get("role"), json.dumps(e.get("objects"), sort_keys=True))
EOF
}
V=$VA K="$T/a-coord.key" actions a | norm >"$T/act.a"
V=$VB K="$T/b-coord.key" actions b | norm >"$T/act.b"
if cmp -s "$T/act.a" "$T/act.b"; then ok 0 "the audit logs record the same actions, outcomes and actors"; else
	diff "$T/act.a" "$T/act.b" | head -12 | sed 's/^/#   /'; ok 1 "the audit logs record the same actions, outcomes and actors"; fi

# ---- the pages' lists on vault B, after the comparison: one call each (the
# commissions with their progress, what was sent, the agenda's first
# screenful); an agency's author sees its own agency's ----
V=$VB VN=b K="$T/b-coord.key"
start --idle-seal 0; ok $? "scrvaultd starts on vault B again"
expect 0 "the custodian unseals it" -- rsv unseal
login coord "$K"; is 200 "the coordinator signs in (raw HTTP)"
expect 0 "a health IMR is checked in on SCR-2026-01 through the service" -- \
	rsv doc checkin --case SCR-2026-01 --class imr --agency health "$T/form.txt"
as coord GET '/v1/commissions'; is 200 "commissions: every IMR commission, in one call"
python3 - "$T/body" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))
ag = {r["agency"]: r for r in rows if r["case"] == "SCR-2026-01"}
p, h = ag.get("police"), ag.get("health")
sys.exit(0 if p and h and p["author"] == "DI-Smith" and p["commissioned_on"] == "2026-11-05" and
         h["due"] == "2026-12-20" and h["stage"] == "draft received" and h["draft_on"] and
         p["stage"] in ("commissioned", "draft received") and "late_days" in h else 1)
PY
ok $? "...the police and health commissions on SCR-2026-01, with author, days, due and stage"
login pat "$T/b-pat.key"; is 200 "the police IMR author signs in (raw HTTP)"
as pat GET '/v1/commissions'; is 200 "commissions for the police IMR author"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); sys.exit(0 if r and all(x["agency"]=="police" for x in r) else 1)' "$T/body"
ok $? "...the police commission only, not health's on the same case"
as pat GET '/v1/commissions?case=SIR-2026-02'; is 404 4 "...and a case out of the author's reach is 404, as one that does not exist"
as coord GET '/v1/commissions?open=true'; is 400 2 "commissions: an unknown query key is 400"
as coord GET '/v1/sent'; is 200 "sent: the IMRs and chronologies received, in one call"
cp "$T/body" "$T/sent-all"
python3 - "$T/sent-all" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
v = s["versions"]
at = [x["checked_in_at"] for x in v]
sys.exit(0 if s["limit"] == 100 and not s["more"] and {"police", "health"} <= {x["agency"] for x in v} and
         at == sorted(at, reverse=True) and all(x["signed_off"] == [] and x["master"] for x in v
                                                 if x["case"] == "SCR-2026-01") else 1)
PY
ok $? "...both agencies' IMRs, the most recent first, each the master, none signed off"
as coord GET '/v1/sent?limit=1&case=SCR-2026-01'; is 200 "sent: one case, limit 1"
python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); sys.exit(0 if len(s["versions"])==1 and s["more"] and s["versions"][0]["agency"]=="health" else 1)' "$T/body"
ok $? "...the most recent version only, and more left off"
as coord GET '/v1/sent?limit=0'; is 400 2 "sent: limit 0 is 400"
as coord GET '/v1/sent?limit=1001'; is 400 2 "sent: limit over 1000 is 400"
as pat GET '/v1/sent'; is 200 "sent for the police IMR author"
python3 -c 'import json,sys; v=json.load(open(sys.argv[1]))["versions"]; sys.exit(0 if v and all(x["agency"]=="police" for x in v) else 1)' "$T/body"
ok $? "...the police IMR only, not health's"
as pat GET '/v1/sent?case=SIR-2026-02'; is 404 4 "...and a case out of reach is 404"
as coord GET '/v1/agenda?days=3660'; is 200 "the whole agenda"
cp "$T/body" "$T/agenda-all"
as coord GET '/v1/agenda?days=3660&limit=1'; is 200 "the agenda, limit 1"
python3 - "$T/agenda-all" "$T/body" <<'PY'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:])
sys.exit(0 if len(a["items"]) > 1 and b["items"] == a["items"][:1] and
         (b["due"], b["overdue"]) == (a["due"], a["overdue"]) == (a["due"], len(a["items"]) - a["due"]) else 1)
PY
ok $? "...the most urgent item alone, the counts still of every item"
as coord GET '/v1/agenda?limit=0'; is 400 2 "agenda: limit 0 is 400"
stop
finish
