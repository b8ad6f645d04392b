#!/usr/bin/env bash
# Principals, roles and policy as the coordinator and the agencies rely on
# them: policy files checked with line numbers, scoped grants, separation of
# duties, revocation and key rotation, dual control, the release ledger.
. "$(dirname "$0")/lib.bash"

DEF="$ROOT/policy/default.conf"

# ---- policy files --------------------------------------------------------------
expect 0 "the shipped default policy is sound" -- "$SV" policy check "$DEF"
out_has "sound"

bad() {		# bad NAME EXPECTED-TEXT: check "$T/p.conf", expect exit 2 and the text
	expect 2 "policy check refuses: $1" -- "$SV" policy check "$T/p.conf"
	err_has "$2"
}
sed 's/allow = case.open/allow = case.opne/' "$DEF" > "$T/p.conf"
line=$(grep -n 'allow = case.opne' "$T/p.conf" | cut -d: -f1)
bad "an unknown action, with its line" "p.conf:$line: role 'coordinator': unknown action 'case.opne'"
sed 's/scope = case-agency/scope = agency/' "$DEF" > "$T/p.conf"
bad "a bad scope" "scope must be board, case or case-agency"
{ cat "$DEF"; printf '[colour]\n\tshade = blue\n'; } > "$T/p.conf"
line=$(grep -n 'shade = blue' "$T/p.conf" | cut -d: -f1)
bad "an unknown section" "p.conf:$line: unknown section 'colour'"
{ cat "$DEF"; printf '[role "x"\n'; } > "$T/p.conf"
bad "a syntax error (libgit2's parser, with the line)" "line"
{ cat "$DEF"; printf '[include]\n\tpath = /etc/passwd\n'; } > "$T/p.conf"
bad "an include" "may not include"
sed -e '/allow = principal.grant/d' "$DEF" > "$T/p.conf"
bad "a policy that would lock the vault" "could never be administered"
sed 's/allow = doc.read:imr/allow = doc.read:imrr/' "$DEF" > "$T/p.conf"
bad "a permission for an undeclared class" "no class 'imrr'"
sed 's/\ttitle = Interview record//' "$DEF" > "$T/p.conf"
bad "a class without a title" "class 'interview-record' has no title"
expect 4 "policy check of a missing file" -- "$SV" policy check "$T/nope.conf"
expect 0 "policy check --json lists problems with lines" -- "$SV" policy check --json "$DEF"

# ---- a vault, its people ---------------------------------------------------------
mkvault
expect 0 "a new vault has the default policy" -- sv policy show
out_has "policy 1 (current): scrvault default 1"; out_has "imr-author"
expect 0 "policy show --text prints the file" -- sv policy show --text
cmp -s "$T/out" "$DEF"; ok $? "the stored text is the default file, byte for byte"
git --git-dir="$V/store.git" ls-tree -r main --name-only | grep -q '^policy/1$'; ok $? "the policy is committed to the store"
! git --git-dir="$V/store.git" cat-file -p "main:policy/1" | grep -qa "imr-author"; ok $? "...encrypted"

sv case open --title "Child X" SCR-X >/dev/null
sv case open --title "Child Y" SCR-Y >/dev/null
add() {		# add NAME [principal add options]
	local name=$1; shift
	sv principal add --key-out "$T/$name.key" --new-passphrase-file "$P" --kdf-memory 19 "$@" "$name" >/dev/null
}
as() {		# as NAME ARGS...: NAME acts, in a session coord unlocks
	local name=$1; shift
	sv --as-key "$T/$name.key" --as-passphrase-file "$P" "$@"
}
add alice --agency police --display-name "Alice (police IMR author)"
add bob --agency health --display-name "Bob (health IMR author)"
add mgr --agency police --display-name "Police authorising manager"
add pam --display-name "Panel member, case X"
add aud --display-name "Auditor"
add dep --custodian --display-name "Deputy custodian"

expect 2 "a case role needs --case" -- sv principal grant pam panel-member
err_has "give the case (--case REF)"
expect 2 "a board role takes no --case" -- sv principal grant aud auditor --case SCR-X
expect 2 "an agency role needs --agency" -- sv principal grant alice imr-author --case SCR-X
expect 2 "no such role" -- sv principal grant alice emperor
err_has "no role 'emperor'"
expect 4 "no such case" -- sv principal grant pam panel-member --case SCR-Z
expect 4 "no such principal" -- sv principal grant nobody auditor
expect 0 "grant imr-author (police, case X)" -- sv principal grant alice imr-author --case SCR-X --agency police
expect 6 "the same grant twice" -- sv principal grant alice imr-author --case SCR-X --agency police
sv principal grant bob imr-author --case SCR-X --agency health >/dev/null
sv principal grant mgr authorising-manager --case SCR-X --agency police >/dev/null
sv principal grant pam panel-member --case SCR-X >/dev/null
sv principal grant aud auditor >/dev/null
sv principal grant dep coordinator >/dev/null
expect 0 "principal show lists the roles" -- sv principal show alice
out_has "imr-author for case SCR-X, agency police"
expect 0 "grants are audit entries" -- sv audit tail --json --lines 40
grep -q '"action":"principal.grant".*"role":"panel-member"' "$T/out"; ok $? "the panel-member grant is in the log"

# ---- acting as someone else --------------------------------------------------------
expect 3 "a non-custodian's key cannot unlock" -- "$SV" --vault "$V" --key "$T/alice.key" --passphrase-file "$P" case list
printf 'wrong wrong wrong\n' > "$T/wrong"
expect 3 "acting with a wrong passphrase is refused" -- sv --as-key "$T/alice.key" --as-passphrase-file "$T/wrong" case list
expect 0 "the refusal is in the log" -- sv audit tail --json --lines 3
grep -q '"action":"session.act-as".*"outcome":"denied"' "$T/out"; ok $? "session.act-as denied entry"
expect 3 "a role the principal does not hold" -- as alice --role coordinator case list
err_has "does not hold role 'coordinator'"

# ---- separation of duties ------------------------------------------------------------
printf 'police imr\n' > "$T/police.txt"; printf 'health imr\n' > "$T/health.txt"; printf 'y\n' > "$T/y.txt"
expect 0 "the police IMR author checks in the police IMR" -- as alice doc checkin --case SCR-X --class imr --agency police "$T/police.txt"
expect 3 "...but not an IMR for health" -- as alice doc checkin --case SCR-X --class imr --agency health "$T/police.txt"
expect 3 "...nor an overview report" -- as alice doc checkin --case SCR-X --class overview-report "$T/police.txt"
err_has "doc.checkin:overview-report"
expect 0 "the health IMR author checks in the health IMR" -- as bob doc checkin --case SCR-X --class imr --agency health "$T/health.txt"
sv doc checkin --case SCR-Y --class other "$T/y.txt" >/dev/null
PD=$(sv doc list --case SCR-X --json | grep -o '"agency":"police","[^}]*' | grep -o '"doc":"[0-9a-f]*"' | cut -d'"' -f4)
HD=$(sv doc list --case SCR-X --json | grep -o '"agency":"health","[^}]*' | grep -o '"doc":"[0-9a-f]*"' | cut -d'"' -f4)
YD=$(sv doc list --case SCR-Y --json | grep -o '"doc":"[0-9a-f]*"' | head -1 | cut -d'"' -f4)
[ -n "$PD" ] && [ -n "$HD" ] && [ -n "$YD" ]; ok $? "three documents ($PD $HD $YD)"
expect 0 "alice reads the police IMR" -- as alice doc checkout -o "$T/p.out" "$PD"
expect 3 "alice cannot read the health IMR" -- as alice doc checkout -o "$T/h.out" "$HD"
[ ! -e "$T/h.out" ]; ok $? "nothing written"
expect 3 "alice cannot replace the health IMR" -- as alice doc checkin --doc "$HD" "$T/police.txt"
expect 0 "the panel member reads case X" -- as pam doc checkout -o "$T/pam.out" "$HD"
expect 3 "the panel member cannot read case Y" -- as pam doc checkout -o "$T/pam-y.out" "$YD"
printf 'interview\n' > "$T/interview.txt"
sv doc checkin --case SCR-X --class interview-record "$T/interview.txt" >/dev/null
ID=$(sv doc list --case SCR-X --json | grep -o '"class":"interview-record"[^}]*' | grep -o '"doc":"[0-9a-f]*"' | cut -d'"' -f4)
expect 3 "a restricted class (interview record) is refused to the panel member" -- as pam doc checkout -o "$T/iv.out" "$ID"
err_has "restricted"
expect 3 "...and to the coordinator too: restricted classes need an agreed access request" -- sv doc checkout -o "$T/iv.out" "$ID"
expect 0 "the panel member lists cases" -- as pam case list
out_has "SCR-X"
! grep -q "SCR-Y" "$T/out"; ok $? "...and sees nothing of case Y"
expect 3 "the panel member cannot show case Y" -- as pam case show SCR-Y
expect 0 "the panel member lists documents" -- as pam doc list
! grep -q "$YD" "$T/out"; ok $? "...and no document of case Y"
expect 3 "the auditor cannot read content" -- as aud doc checkout -o "$T/aud.out" "$PD"
expect 0 "the auditor reads the log" -- as aud audit tail --lines 5
sv principal grant coord auditor >/dev/null
expect 3 "a custodian acting as auditor cannot read content" -- sv --role auditor doc checkout -o "$T/c.out" "$PD"
expect 0 "denials are audit entries naming the permission" -- sv audit tail --json --lines 60
grep -q '"action":"doc.read".*"missing_permission":"doc.read (scope)".*"principal":"alice"' "$T/out"; ok $? "alice's refused read, with the missing permission"

# ---- the release ledger ------------------------------------------------------------------
expect 0 "principal impact lists what was released to alice" -- sv principal impact alice
out_has "$PD"
! grep -q "$HD" "$T/out"; ok $? "...and not what she was refused"
expect 0 "principal impact --json" -- sv principal impact --json pam
grep -q "\"doc\":\"$HD\".*\"role\":\"panel-member\"" "$T/out"; ok $? "the panel member's release, with the role"

# ---- IMR sign-off ----------------------------------------------------------------------------
expect 2 "a sign-off names its version" -- as mgr doc signoff "$PD"
expect 3 "the IMR author may not sign off" -- as alice doc signoff "$PD@1"
err_has "doc.signoff"
expect 3 "the police manager may not sign off the health IMR" -- as mgr doc signoff "$HD@1"
expect 0 "the police authorising manager signs off the police IMR" -- as mgr doc signoff "$PD@1"
out_has "signed off"
expect 6 "not twice" -- as mgr doc signoff "$PD@1"
expect 0 "doc show verifies the sign-off" -- sv doc show "$PD"
out_has "mgr"; out_has "valid"; out_has "master: version 1"
printf 'police imr, revised\n' > "$T/police2.txt"
expect 0 "alice checks in version 2" -- as alice doc checkin --doc "$PD" "$T/police2.txt"
expect 0 "the sign-off does not carry over" -- sv doc show --json "$PD"
grep -q '"master_version":1' "$T/out"; ok $? "version 1 stays the master"
! grep -q '"signer":"mgr"[^}]*"version":2' "$T/out" && ! grep -q '"version":2[^}]*"verification"' "$T/out"; ok $? "version 2 has no sign-off"
sv principal grant mgr imr-author --case SCR-X --agency police >/dev/null
printf 'police imr, by the manager\n' > "$T/police3.txt"
as mgr --role imr-author doc checkin --doc "$PD" "$T/police3.txt" >/dev/null
expect 3 "whoever checked a version in cannot sign it off" -- as mgr --role authorising-manager doc signoff "$PD@3"
err_has "another authorising manager"
expect 0 "the sign-off is an audit entry" -- sv audit tail --json --lines 30
grep -q '"action":"doc.signoff".*"outcome":"ok"' "$T/out"; ok $? "doc.signoff entry"

# ---- dual control, revocation, rotation -----------------------------------------------------
expect 0 "revoking a custodian waits for a second custodian" -- sv principal revoke --reason "left the board" dep
out_has "pending operation"
OP=$(grep -o 'pending operation [0-9a-f]*' "$T/out" | cut -d' ' -f3)
expect 0 "dep can still act while it is pending" -- "$SV" --vault "$V" --key "$T/dep.key" --passphrase-file "$P" case list
expect 3 "the custodian who asked cannot approve it" -- sv approve "$OP"
err_has "second, different custodian"
expect 3 "a non-custodian cannot approve it" -- as alice approve "$OP"
expect 0 "op list shows it pending" -- sv op list
out_has "pending"
# A second custodian to approve: add one, grant, approve.
add eve --custodian
sv principal grant eve coordinator >/dev/null
expect 0 "a different custodian approves" -- "$SV" --vault "$V" --key "$T/eve.key" --passphrase-file "$P" approve "$OP"
expect 3 "the revoked custodian's key no longer unlocks" -- "$SV" --vault "$V" --key "$T/dep.key" --passphrase-file "$P" case list
grep -q '^custodian dep ' "$V/keyring"; [ $? -ne 0 ]; ok $? "dep's wrap is gone from the keyring"
expect 6 "an operation runs once" -- "$SV" --vault "$V" --key "$T/eve.key" --passphrase-file "$P" approve "$OP"
expect 0 "revoking a non-custodian is immediate" -- sv principal revoke bob
expect 3 "a revoked principal can do nothing" -- as bob doc list
err_has "revoked"

expect 0 "rotate alice's keys" -- sv principal rotate --key-out "$T/alice2.key" --new-passphrase-file "$P" --kdf-memory 19 alice
expect 3 "the old key file no longer acts" -- as alice doc list
expect 0 "the new one does" -- sv --as-key "$T/alice2.key" --as-passphrase-file "$P" doc list

# Loading a policy: dual control too.
sed 's/^\tname = scrvault default 1/\tname = board policy 2/' "$DEF" > "$T/p2.conf"
expect 0 "loading a policy waits for approval" -- sv policy load "$T/p2.conf"
OP2=$(grep -o 'pending operation [0-9a-f]*' "$T/out" | cut -d' ' -f3)
expect 0 "nothing changed yet" -- sv policy show
out_has "scrvault default 1"
expect 0 "refused by the second custodian" -- "$SV" --vault "$V" --key "$T/eve.key" --passphrase-file "$P" refuse "$OP2"
expect 0 "ask again" -- sv policy load "$T/p2.conf"
OP3=$(grep -o 'pending operation [0-9a-f]*' "$T/out" | cut -d' ' -f3)
expect 0 "approved by the second custodian" -- "$SV" --vault "$V" --key "$T/eve.key" --passphrase-file "$P" approve "$OP3"
expect 0 "the new policy is in force" -- sv policy show
out_has "policy 2 (current): board policy 2"
expect 0 "and the first is kept" -- sv policy show --version 1
out_has "scrvault default 1"
expect 2 "a broken policy is not even proposed" -- sv policy load "$T/p.conf"
# Taking a role away.
expect 0 "ungrant the panel member's role" -- sv principal ungrant pam panel-member --case SCR-X
expect 3 "she can no longer act at all (no role left)" -- as pam doc list
expect 4 "ungranting what is not held" -- sv principal ungrant pam panel-member --case SCR-X

# A service principal (the purge job): a key file without passphrase, only if 0600.
expect 2 "only a service principal may go without passphrase" -- sv principal add --no-passphrase --key-out "$T/nopass.key" carol
expect 0 "a service principal without passphrase" -- sv principal add --kind service --no-passphrase --key-out "$T/purge.key" purge
[ "$(stat -c %a "$T/purge.key")" = 600 ]; ok $? "its key file is 0600"
sv principal grant purge records-manager >/dev/null
expect 0 "it acts with no passphrase" -- sv --as-key "$T/purge.key" case list
chmod 644 "$T/purge.key"
expect 3 "a passphrase-less key file readable by others is refused" -- sv --as-key "$T/purge.key" case list
err_has "0600"
chmod 600 "$T/purge.key"

expect 0 "fsck is clean after all this" -- sv fsck
out_has "clean"
# A damaged stored policy is found.
oid=$(git --git-dir="$V/store.git" rev-parse "main:policy/1")
obj="$V/store.git/objects/${oid:0:2}/${oid:2}"; cp "$obj" "$T/pol.orig"; chmod u+w "$obj"
printf '\x00' | dd of="$obj" bs=1 seek=40 conv=notrunc 2>/dev/null
expect 5 "fsck finds a damaged stored policy" -- sv fsck
out_has "policy version 1"
cp "$T/pol.orig" "$obj"
expect 0 "the audit log verifies" -- sv audit verify

# The last custodian able to grant roles keeps that role.
mkvault solo
expect 6 "the only coordinator cannot lose the role" -- sv principal ungrant coord coordinator
err_has "no active custodian would be left"
expect 6 "the last custodian cannot be revoked" -- sv principal revoke coord

finish
