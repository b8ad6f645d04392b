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
line=$(wc -l < "$T/p.conf")
bad "a syntax error, as FILE:LINE: message" "p.conf:$line: "
! grep -q "column\|(line" "$T/err"; ok $? "...with the place given once, in front"
! grep -v "^$T/p.conf:[0-9][0-9]*: " "$T/err" | grep -q "^$T/p.conf"; ok $? "...and no line of another form"
{ printf '[policy]\n\tname = x\n'; } > "$T/p.conf"
expect 2 "a policy without roles or classes" -- "$SV" policy check "$T/p.conf"
! grep -v "^$T/p.conf:[0-9][0-9]*: " "$T/err" | grep -q "^$T/p.conf"; ok $? "whole-file problems are FILE:LINE: too"
err_has "p.conf:1: the policy defines no roles"
{ printf '[policy]\n\tname = x\n'; printf 'a\0b\n'; } > "$T/p.conf"
bad "a NUL byte, with its line" "p.conf:3: not a text file"
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
	enrol --key-out "$T/$name.key" "$@" "$name" >/dev/null
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
expect 4 "alice cannot read the health IMR: out of her scope, it is not found" -- as alice doc checkout -o "$T/h.out" "$HD"
[ ! -e "$T/h.out" ]; ok $? "nothing written"
expect 4 "alice cannot replace the health IMR (not found)" -- as alice doc checkin --doc "$HD" "$T/police.txt"
expect 0 "the panel member reads case X" -- as pam doc checkout -o "$T/pam.out" "$HD"
expect 4 "the panel member cannot read case Y (not found)" -- as pam doc checkout -o "$T/pam-y.out" "$YD"
printf 'interview\n' > "$T/interview.txt"
sv doc checkin --case SCR-X --class interview-record "$T/interview.txt" >/dev/null
ID=$(sv doc list --case SCR-X --json | grep -o '"class":"interview-record"[^}]*' | grep -o '"doc":"[0-9a-f]*"' | cut -d'"' -f4)
expect 3 "a restricted class (interview record) is refused to the panel member" -- as pam doc checkout -o "$T/iv.out" "$ID"
err_has "restricted"
expect 3 "...and to the coordinator too: restricted classes need an agreed access request" -- sv doc checkout -o "$T/iv.out" "$ID"
expect 0 "the panel member lists cases" -- as pam case list
out_has "SCR-X"
! grep -q "SCR-Y" "$T/out"; ok $? "...and sees nothing of case Y"
expect 4 "the panel member cannot show case Y (not found)" -- as pam case show SCR-Y
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
expect 4 "the police manager may not sign off the health IMR (not found)" -- as mgr doc signoff "$HD@1"
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
expect 6 "whoever checked a version in cannot sign it off" -- as mgr --role authorising-manager doc signoff "$PD@3"
err_has "another authorising manager"
# The attack: a manager who is also the IMR's author signs off a version
# someone else checked in.  An IMR author never signs it off.
expect 6 "an authorising manager who holds imr-author for the case and agency cannot sign off" -- \
	as mgr --role authorising-manager doc signoff "$PD@2"
err_has "holds imr-author for case SCR-X, agency police"
expect 0 "no sign-off of version 2 was recorded" -- sv doc show --json "$PD"
! grep -q '"signer":"mgr"[^}]*"version":2' "$T/out" && ! grep -q '"version":2[^}]*"verification"' "$T/out"; ok $? "...none"
expect 0 "the refusals are on record" -- sv audit tail --json --lines 4
grep -q '"action":"doc.signoff","details":{[^}]*"reason":"imr author"[^}]*},"objects":{[^}]*},"outcome":"conflict"' "$T/out"; ok $? "...doc.signoff conflict: imr author"

# ---- role conflicts (000 §3.2, §5.18) ------------------------------------------------------------
add olive --display-name "Overview author"
sv principal grant olive overview-author --case SCR-X >/dev/null
H0=$(sv principal show --json olive)
expect 6 "the overview author cannot also chair the panel on that case" -- sv principal grant olive panel-chair --case SCR-X
err_has "the policy keeps 'overview-author' and 'panel-chair' apart"
err_has "principal ungrant"
[ "$(sv principal show --json olive)" = "$H0" ]; ok $? "...her roles are unchanged"
expect 0 "the refusal is on record" -- sv audit tail --json --lines 2
grep -q '"action":"principal.grant","details":{"conflicts_with":"overview-author"[^}]*},"objects":{[^}]*},"outcome":"conflict"' "$T/out"; ok $? "...principal.grant conflict"
expect 6 "...nor be the LSCB chair (board-wide: it counts on every case)" -- sv principal grant olive lscb-chair
expect 0 "she may chair the panel of another case" -- sv principal grant olive panel-chair --case SCR-Y
# A conflict the board adds: policy check --vault shows who it would catch.
sed 's/^\tconflict = panel-chair overview-author lscb-chair/&\n\tconflict = imr-author authorising-manager/' "$DEF" > "$T/sep.conf"
grep -q "conflict = imr-author authorising-manager" "$T/sep.conf"; ok $? "a policy with one more conflict"
expect 0 "without --vault, the file alone is sound" -- "$SV" policy check "$T/sep.conf"
expect 6 "with --vault, the grants it would catch" -- sv policy check "$T/sep.conf"
err_has "'mgr' holds 'imr-author' for case SCR-X and 'authorising-manager' for case SCR-X"
expect 0 "the default policy catches no grant of this vault" -- sv policy check "$DEF"
out_has "no grant of the vault breaks its separation of duties"
printf '[separation]\n\tconflict = panel-chair\n' > "$T/sep1.conf"
cat "$DEF" "$T/sep1.conf" > "$T/sep2.conf"
expect 2 "a conflict names two roles or more" -- "$SV" policy check "$T/sep2.conf"
err_has "two or more roles"
sed 's/^\tconflict = panel-chair overview-author lscb-chair/\tconflict = panel-chair emperor/' "$DEF" > "$T/sep3.conf"
expect 2 "...that the policy declares" -- "$SV" policy check "$T/sep3.conf"
err_has "no role 'emperor'"
expect 0 "the sign-off is an audit entry" -- sv audit tail --json --lines 30
grep -q '"action":"doc.signoff".*"outcome":"ok"' "$T/out"; ok $? "doc.signoff entry"

# ---- dual control, revocation, rotation -----------------------------------------------------
# coord and dep can both approve: dual control is in force.  A third
# custodian, eve, joins before anything else is asked for.
eve() { "$SV" --vault "$V" --key "$T/eve.key" --passphrase-file "$P" "$@"; }
dep() { "$SV" --vault "$V" --key "$T/dep.key" --passphrase-file "$P" "$@"; }
pending_id() { grep -o 'pending operation [0-9a-f]*' "$T/out" | cut -d' ' -f3; }
expect 0 "adding a custodian waits for a second custodian" -- \
	enrol --custodian --key-out "$T/eve.key" eve
out_has "pending operation"
OPE=$(pending_id)
expect 3 "eve's key file opens nothing before the approval" -- eve case list
expect 0 "dep approves adding eve" -- dep approve "$OPE"
expect 0 "granting eve coordinator (a role that approves) waits too" -- sv principal grant eve coordinator
OPG=$(pending_id)
expect 3 "eve cannot decide her own grant" -- eve --role custodian refuse "$OPG"
expect 0 "dep approves it" -- dep approve "$OPG"
expect 0 "op list names who asked and who decided" -- sv op list --json
grep -q "\"decided_by\":\"dep\"[^}]*\"id\":\"$OPG\"" "$T/out" && grep -q "\"requested_by\":\"coord\"" "$T/out"; ok $? "...by name"
expect 0 "revoking a custodian waits for a second custodian" -- sv principal revoke --reason "left the board" dep
out_has "pending operation"
OP=$(grep -o 'pending operation [0-9a-f]*' "$T/out" | cut -d' ' -f3)
expect 0 "dep can still act while it is pending" -- "$SV" --vault "$V" --key "$T/dep.key" --passphrase-file "$P" case list
expect 3 "the custodian who asked cannot approve it" -- sv approve "$OP"
err_has "second, different custodian"
expect 3 "a non-custodian cannot approve it" -- as alice approve "$OP"
expect 0 "op list shows it pending" -- sv op list
out_has "pending"
expect 0 "a different custodian approves" -- "$SV" --vault "$V" --key "$T/eve.key" --passphrase-file "$P" approve "$OP"
expect 3 "the revoked custodian's key no longer unlocks" -- "$SV" --vault "$V" --key "$T/dep.key" --passphrase-file "$P" case list
grep -q '^custodian dep ' "$V/keyring"; [ $? -ne 0 ]; ok $? "dep's wrap is gone from the keyring"
expect 6 "an operation runs once" -- "$SV" --vault "$V" --key "$T/eve.key" --passphrase-file "$P" approve "$OP"
expect 0 "revoking a non-custodian is immediate" -- sv principal revoke bob
expect 3 "a revoked principal can do nothing" -- as bob doc list
err_has "revoked"

expect 0 "alice rotates her own key (a request signed by her old key too)" -- rekey alice "$T/alice.key" "$T/alice2.key"
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
expect 0 "a service principal without passphrase (held for a second custodian)" -- \
	sv principal add --kind service --no-passphrase --key-out "$T/purge.key" purge
[ "$(stat -c %a "$T/purge.key")" = 600 ]; ok $? "its key file is 0600"
eve approve "$(pending_id)" >/dev/null
second "$T/eve.key" principal grant purge records-manager; ok $? "records-manager (it approves disposals) granted with eve's approval"
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
# flip byte 40 (writing a fixed value left it unchanged whenever it already had it)
python3 -c 'import sys; b = bytearray(open(sys.argv[1], "rb").read()); b[40] ^= 0xff; open(sys.argv[1], "wb").write(b)' "$obj"
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
