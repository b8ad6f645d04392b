#!/usr/bin/env bash
# Dual control counts people, not key files (issue 17, items 3-4): the
# attacks of a rogue coordinator, each performed first and shown refused.
#   - the bootstrap: one custodian runs held actions at once, on record,
#     and every report says dual control is not in force;
#   - adding a custodian or a service principal, granting a role that
#     approves, re-keying a custodian and loading a policy wait for a second
#     custodian;
#   - a principal enrolled, granted a role or re-keyed during an operation's
#     pending window cannot decide it (the puppet, the promoted custodian,
#     the key file the coordinator made for someone else);
#   - nobody decides an operation that concerns them (a custodian cannot
#     refuse their own revocation);
#   - both steps carry the deciders' key fingerprints; op list names them.
. "$(dirname "$0")/lib.bash"

PP="$T/pp"
printf 'plum kettle orbit seventeen\n' > "$PP"
V="$T/vault"; K="$T/coord.key"; P="$PP"
"$SV" init --vault "$V" --key-out "$K" --new-passphrase-file "$P" --kdf-memory 19 \
	--display-name "Coordinator" coord >/dev/null || { echo "Bail out! init"; exit 1; }
as_key() {	# as_key KEYFILE ARGS...: unlock with another custodian's key file
	local key=$1; shift
	"$SV" --vault "$V" --key "$key" --passphrase-file "$P" "$@"
}
new_key() {	# new_key NAME [options]: NAME enrols, coord registers; output in $T/out
	local name=$1; shift
	enrol --key-out "$T/$name.key" "$@" "$name" >"$T/out" 2>"$T/err"
}
pending_id() { grep -o 'pending operation [0-9a-f]*' "$T/out" | cut -d' ' -f3; }
fpr_of() {	# the fingerprint of a key file's Ed25519 public key (its clear header)
	python3 - "$1" <<'EOF'
import base64, hashlib, sys
for line in open(sys.argv[1], 'rb').read().split(b'\n'):
    if line.startswith(b'ed25519 '):
        print(hashlib.sha256(base64.b64decode(line.split()[1])).hexdigest()[:32])
EOF
}
state_of() {	# state_of OP: its state in op list
	sv op list --json | python3 -c 'import json,sys; print([o["state"] for o in json.load(sys.stdin) if o["id"] == sys.argv[1]][0])' "$1"
}
policy_version() { sv policy show --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["version"])'; }

# ---- the bootstrap: one custodian ---------------------------------------------------------
expect 0 "op list with one custodian" -- sv op list
err_has "dual control is not in force" "op list says dual control is not in force"
expect 0 "fsck with one custodian" -- sv fsck
out_has "warning: dual control is not in force" "fsck says so too"
expect 0 "policy check --vault with one custodian" -- sv policy check "$ROOT/policy/default.conf"
err_has "dual control is not in force" "and policy check"
expect 0 "the first deputy is added at once (nobody could approve)" -- \
	new_key dep --custodian --display-name "Deputy"
out_has "added person 'dep' (custodian)"
expect 0 "granting the deputy coordinator runs at once too" -- sv principal grant dep coordinator
expect 0 "both are marked in the log" -- sv audit tail --json --lines 2
[ "$(grep -o '"dual_control":"single-custodian"' "$T/out" | wc -l)" -eq 2 ]; ok $? "...\"dual_control\":\"single-custodian\" on principal.add and principal.grant"
expect 0 "op list with two custodians who can approve" -- sv op list
! grep -q "not in force" "$T/err"; ok $? "...no longer says dual control is not in force"
expect 0 "fsck with two" -- sv fsck
! grep -q "dual control" "$T/out"; ok $? "...nor does fsck"
# The attack: take the other approver's role away, and act alone again.
expect 6 "taking the second approver's role away is refused" -- sv principal ungrant dep coordinator
err_has "dual control would stop"
expect 0 "dep still holds it" -- sv principal show dep
out_has "coordinator (board-wide)"

# ---- what waits for a second custodian -----------------------------------------------------
expect 0 "adding a custodian waits" -- new_key carol --custodian --display-name "Carol"
out_has "pending operation"; OPC=$(pending_id)
expect 3 "the key file opens nothing before the approval" -- as_key "$T/carol.key" case list
expect 0 "dep approves adding carol" -- as_key "$T/dep.key" approve "$OPC"
expect 0 "granting carol coordinator waits" -- sv principal grant carol coordinator
OPG=$(pending_id); [ -n "$OPG" ]; ok $? "...pending ($OPG)"
expect 3 "carol cannot decide her own grant" -- as_key "$T/carol.key" --role custodian approve "$OPG"
expect 0 "dep approves it" -- as_key "$T/dep.key" approve "$OPG"
expect 0 "a custodian without a role (frank), with dep's approval" -- new_key frank --custodian
as_key "$T/dep.key" approve "$(pending_id)" >/dev/null; ok $? "...approved"
expect 0 "a service principal waits" -- \
	sv principal add --kind service --no-passphrase --key-out "$T/job.key" backup-job
OPS=$(pending_id); [ -n "$OPS" ]; ok $? "...pending"
expect 0 "dep approves the service principal" -- as_key "$T/dep.key" approve "$OPS"
expect 0 "granting a non-approving role is immediate" -- sv principal grant backup-job backup-job
out_has "granted role backup-job"

# ---- fingerprints and names ---------------------------------------------------------------------
expect 0 "op list --json" -- sv op list --json
python3 - "$T/out" "$OPC" "$(fpr_of "$K")" "$(fpr_of "$T/dep.key")" <<'EOF'; ok $? "op list: asked by coord and decided by dep, by name and key fingerprint, concerning carol"
import json, sys
ops = {o["id"]: o for o in json.load(open(sys.argv[1]))}
o = ops[sys.argv[2]]
assert o["requested_by"] == "coord" and o["decided_by"] == "dep" and o["target"] == "carol", o
assert o["requested_fpr"] == sys.argv[3] and o["decided_fpr"] == sys.argv[4], o
assert o["state"] == "approved" and o["action"] == "principal.add", o
EOF
expect 0 "op list as a table" -- sv op list
out_has "$(fpr_of "$T/dep.key")" "the table shows the decider's key fingerprint"
expect 0 "the log" -- sv audit export -o "$T/log.jsonl"
python3 - "$T/log.jsonl" "$OPC" "$(fpr_of "$K")" "$(fpr_of "$T/dep.key")" <<'EOF'; ok $? "op.request and op.approve entries carry both key fingerprints"
import json, sys
req = appr = None
for line in open(sys.argv[1]):
    e = json.loads(line).get("entry")
    if e and e.get("objects", {}).get("op") == sys.argv[2] and e["outcome"] == "ok":
        if e["action"] == "op.request": req = e
        if e["action"] == "op.approve": appr = e
assert req["details"]["key_fpr"] == sys.argv[3], req
assert appr["details"]["key_fpr"] == sys.argv[4] and appr["principal"] == "dep", appr
assert appr["details"]["requested_by"] == "coord" and appr["details"]["requested_fpr"] == sys.argv[3], appr
EOF

# ---- the attacks: people changed during the pending window ---------------------------------------
sed 's/^\tname = scrvault default 1/\tname = rogue policy/' "$ROOT/policy/default.conf" > "$T/rogue.conf"
expect 0 "the rogue coordinator asks to load a policy" -- sv policy load "$T/rogue.conf"
OP1=$(pending_id); [ -n "$OP1" ]; ok $? "...pending ($OP1)"
V0=$(policy_version)

# A: a puppet custodian enrolled after the request (dep approves it, in good faith).
new_key puppet --custodian; as_key "$T/dep.key" approve "$(pending_id)" >/dev/null
sv principal grant puppet coordinator >"$T/out"; as_key "$T/dep.key" approve "$(pending_id)" >/dev/null
expect 0 "the puppet can unlock" -- as_key "$T/puppet.key" case list
expect 3 "a custodian enrolled during the pending window cannot approve" -- as_key "$T/puppet.key" approve "$OP1"
err_has "registered after operation $OP1 was asked for"
expect 3 "...nor refuse" -- as_key "$T/puppet.key" refuse "$OP1"

# B: a custodian who held no approving role, promoted after the request.
sv principal grant frank coordinator >"$T/out"; as_key "$T/dep.key" approve "$(pending_id)" >/dev/null
expect 3 "a custodian granted a role during the pending window cannot approve" -- as_key "$T/frank.key" approve "$OP1"
err_has "granted a role after operation $OP1"

# C: the coordinator tries to make a new key file for carol (the old attack:
# a passphrase of their choosing, then approve as her): refused outright.
expect 2 "the coordinator cannot make a custodian's new key" -- \
	sv principal rotate --key-out "$T/carol-by-coord.key" --new-passphrase-file "$P" --kdf-memory 19 carol
[ ! -e "$T/carol-by-coord.key" ]; ok $? "...and no key file was written"
# Carol rotates her own key (a request signed by her old one): it waits.
expect 0 "re-keying a custodian (her own request) waits" -- rekey carol "$T/carol.key" "$T/carol2.key"
OPR=$(pending_id); [ -n "$OPR" ]; ok $? "...pending ($OPR)"
expect 0 "carol's own key still works while it waits" -- as_key "$T/carol.key" case list
expect 3 "carol cannot decide her own re-keying" -- as_key "$T/carol.key" refuse "$OPR"
err_has "concerns 'carol'"
expect 0 "dep approves it" -- as_key "$T/dep.key" approve "$OPR"
expect 3 "carol's old key file stops working" -- as_key "$T/carol.key" case list
expect 3 "carol, re-keyed during the pending window, cannot approve with her new key" -- \
	as_key "$T/carol2.key" approve "$OP1"
err_has "keys of 'carol' were replaced after operation $OP1"

[ "$(state_of "$OP1")" = pending ] && [ "$(policy_version)" = "$V0" ]; ok $? "after three refused approvals the operation is still pending and the policy unchanged"
expect 0 "the refusals are on record" -- sv audit export -o "$T/log2.jsonl"
for why in "enrolled during the pending window" "granted a role during the pending window" "keys replaced during the pending window"; do
	grep -q "\"action\":\"op.approve\".*\"reason\":\"$why\"" "$T/log2.jsonl"; ok $? "...op.approve denied: $why"
done
expect 0 "dep, unchanged since the request, can decide it" -- as_key "$T/dep.key" refuse "$OP1"
[ "$(state_of "$OP1")" = refused ] && [ "$(policy_version)" = "$V0" ]; ok $? "refused: the policy is unchanged"

# ---- nobody decides an operation about themselves ----------------------------------------------
expect 0 "asking to revoke dep" -- sv principal revoke --reason "rogue coordinator" dep
OPD=$(pending_id)
H0=$(sv principal show --json dep | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')
expect 3 "dep cannot refuse their own revocation" -- as_key "$T/dep.key" refuse "$OPD"
err_has "nobody decides an operation about themselves"
expect 3 "...nor approve it" -- as_key "$T/dep.key" approve "$OPD"
[ "$(state_of "$OPD")" = pending ] && [ "$H0" = active ]; ok $? "the revocation is still pending; dep still active"
expect 3 "the service principal (not a person) cannot decide" -- \
	sv --as-key "$T/job.key" --role backup-job approve "$OPD"
expect 0 "frank (changed before it was asked for) approves" -- as_key "$T/frank.key" approve "$OPD"
expect 3 "dep's key no longer unlocks" -- as_key "$T/dep.key" case list

# ---- a policy load under dual control -----------------------------------------------------------
sed 's/^\tname = scrvault default 1/\tname = board policy 2/' "$ROOT/policy/default.conf" > "$T/p2.conf"
expect 0 "loading a policy waits" -- sv policy load "$T/p2.conf"
OPP=$(pending_id)
expect 0 "approved by the puppet, now that it was enrolled before this request" -- as_key "$T/puppet.key" approve "$OPP"
expect 0 "the policy is loaded" -- sv policy show
out_has "board policy 2"

expect 0 "fsck" -- sv fsck
out_has "clean"
expect 0 "audit verify" -- sv audit verify
finish
