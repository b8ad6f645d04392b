#!/usr/bin/env bash
# The command line itself: a usage error is found before the vault is
# unlocked (nothing asked for, nothing read, nothing recorded); a library
# error about an input names the option that gives it; 'op approve ID' and
# 'op refuse ID' decide like 'approve ID' and 'refuse ID'.
. "$(dirname "$0")/lib.bash"

mkvault
sv case open --title "Child X" SCR-X >/dev/null
sv principal add --key-out "$T/pam.key" --new-passphrase-file "$P" --kdf-memory 19 --contact "pam@lscb.example" pam >/dev/null
sv principal grant pam panel-member --case SCR-X >/dev/null
printf 'an overview report\n' > "$T/doc.txt"
sv doc checkin --case SCR-X --class overview-report "$T/doc.txt" >/dev/null
D=$(sv doc list --json | grep -o '"doc":"[0-9a-f]*"' | head -1 | cut -d'"' -f4)
sv copy create "$D@1" --count 2 >/dev/null

# ---- usage errors come before the vault is unlocked -------------------------------------
# Each command runs with a passphrase file that does not exist: a usage
# error is reported as such (exit 2, the usage line), the passphrase file is
# never read, and the vault does not change (no unlock, no audit entry).
NOPASS="$T/no-such-passphrase-file"
before=$(tree_hash "$V")
usage_first() {	# usage_first DESCRIPTION USAGE-START COMMAND...
	local desc=$1 usage=$2; shift 2
	expect 2 "$desc: a usage error" -- "$SV" --vault "$V" --key "$K" --passphrase-file "$NOPASS" "$@"
	grep -qF "usage: scrvault $usage" "$T/err" && ! grep -q 'no-such-passphrase-file\|passphrase' "$T/err"
	ok $? "...reported before any passphrase is read"
}
usage_first "case open without a title" "case open" case open SCR-Y
usage_first "copy issue without a due date" "copy issue" copy issue "$D@1#1" --to pam --purpose p
usage_first "copy create with a count of zero" "copy create" copy create "$D@1" --count 0
usage_first "request decide of a request that is not a number" "request decide" request decide first --agree --reason r
usage_first "doc checkout of two ids without -o" "doc checkout" doc checkout "$D@1" "$D@2"
usage_first "doc signoff without a version" "doc signoff" doc signoff "$D"
usage_first "audit tail --lines 0" "audit tail" audit tail --lines 0
usage_first "hold release of a hold that is not a number" "hold release" hold release --reason r one
usage_first "principal add without --key-out" "principal add" principal add quinn
usage_first "audit verify with two files" "audit verify" audit verify --proof "$T/a" "$T/b"
usage_first "--request that is not a number" "doc checkout" doc checkout --request soon -o "$T/x" "$D"
[ "$(tree_hash "$V")" = "$before" ] && [ ! -e "$V/unlock-failures" ]; ok $? "the vault did not change: nothing was unlocked"
# With no passphrase at all (no file, no terminal) it is the same usage error,
# not a complaint that the key file needs its passphrase.
expect 2 "a usage error without any passphrase" -- "$SV" --vault "$V" --key "$K" case open SCR-Y
err_has "a case needs a title: --title TEXT"
! grep -q "needs its passphrase" "$T/err"; ok $? "...is not a passphrase error"
# The same commands, well formed, do read the passphrase file (and fail on it).
expect 4 "a well-formed command reads the passphrase file" -- \
	"$SV" --vault "$V" --key "$K" --passphrase-file "$NOPASS" case open --title "Child Y" SCR-Y
err_has "no-such-passphrase-file"

# ---- a library error names the option at fault --------------------------------------------
expect 2 "case open: a date of birth that is not a date" -- sv case open --title "Y" --subject-dob 2015-02-30 SCR-Y
err_has "is not a date (YYYY-MM-DD) (--subject-dob DATE)"
expect 2 "case open: an unknown review type" -- sv case open --title "Y" --type other SCR-Y
err_has "review type must be scr, sir or interagency (--type scr|sir|interagency)"
expect 2 "copy issue: a due date in the past" -- sv copy issue "$D@1#1" --to pam --purpose p --due 2020-01-01
err_has "the due date 2020-01-01 is in the past (--due DATE)"
expect 2 "copy issue: an outside holder without an organisation" -- \
	sv copy issue "$D@1#1" --external "I. Inspector" --purpose p --due 2099-01-01
err_has "an outside holder needs a name, an organisation and contact details (or give a principal) (--organisation ORG)"
expect 2 "request new without a reason" -- sv request new --channel internal --by pam --doc "$D"
err_has "record the reason the requester gave (--reason TEXT)"
expect 2 "request new without what is asked for: both options named" -- sv request new --channel internal --by pam --reason r
err_has "(--doc DOC or --case REF)"
expect 2 "principal grant: a case role without its case" -- sv principal grant pam panel-member
err_has "give the case (--case REF)"
expect 2 "retention plan: a date that is not one" -- sv retention plan --as-of soon
err_has "'soon' is not a date (YYYY-MM-DD) (--as-of DATE)"
# The global options too, when unlocking fails.
mkdir "$T/empty"
expect 4 "a directory that is not a vault" -- "$SV" --vault "$T/empty" --key "$K" --passphrase-file "$P" case list
err_has "is not a scrvault vault (no keyring) (--vault DIR)"
expect 2 "a key file without its passphrase" -- "$SV" --vault "$V" --key "$K" case list
err_has "needs its passphrase (--passphrase-file FILE)"
# An input given by a positional argument has no hint.
expect 2 "a bad principal name (an argument)" -- sv principal add --key-out "$T/bad.key" --new-passphrase-file "$P" "Bad Name"
grep -q "is not valid: use 1-64 of a-z 0-9 . _ @ -$" "$T/err"; ok $? "...names no option"
expect 2 "a bad case reference (an argument)" -- sv case open --title "Y" "SCR/../Y"
! grep -q '(--' "$T/err"; ok $? "...names no option"

# ---- op approve / op refuse ---------------------------------------------------------------
sv principal add --custodian --key-out "$T/eve.key" --new-passphrase-file "$P" --kdf-memory 19 eve >/dev/null
sv principal grant eve coordinator >/dev/null
eve() { "$SV" --vault "$V" --key "$T/eve.key" --passphrase-file "$P" "$@"; }
pending() { grep -o 'pending operation [0-9a-f]*' "$T/out" | cut -d' ' -f3; }
DEF="$ROOT/policy/default.conf"
sed 's/^\tname = scrvault default 1/\tname = board policy 2/' "$DEF" > "$T/p2.conf"
sed 's/^\tname = scrvault default 1/\tname = board policy 3/' "$DEF" > "$T/p3.conf"

expect 0 "loading a policy waits for a second custodian" -- sv policy load "$T/p2.conf"
OP=$(pending); OP1=$OP
expect 0 "op list shows it" -- sv op list
out_has "$OP"
expect 3 "op approve: not by the custodian who asked" -- sv op approve "$OP"
err_has "second, different custodian"
expect 3 "...as with approve" -- sv approve "$OP"
err_has "second, different custodian"
expect 0 "op approve by the second custodian" -- eve op approve "$OP"
out_has "approved and carried out operation $OP"
expect 0 "the policy is in force" -- sv policy show
out_has "board policy 2"
expect 6 "op approve: an operation runs once" -- eve op approve "$OP"
expect 6 "...as with approve" -- eve approve "$OP"
expect 0 "another load waits" -- sv policy load "$T/p3.conf"
OP=$(pending); OP2=$OP
expect 0 "op refuse by the second custodian" -- eve op refuse "$OP"
out_has "refused operation $OP"
expect 0 "nothing changed" -- sv policy show
out_has "board policy 2"
expect 4 "op approve of no such operation" -- eve op approve 0123456789abcdef
expect 4 "...as with approve" -- eve approve 0123456789abcdef
expect 2 "op approve takes one ID" -- eve op approve
expect 0 "'op' lists approve and refuse" -- "$SV" op -h
out_has "scrvault op approve ID"; out_has "scrvault op refuse ID"
expect 0 "the decisions are in the audit log" -- sv audit tail --json --lines 40
grep -q "\"action\":\"op.approve\",\"details\":{[^}]*},\"objects\":{\"op\":\"$OP1\"},\"outcome\":\"ok\",\"principal\":\"eve\"" "$T/out"
ok $? "...eve's approval of $OP1"
grep -q "\"action\":\"op.refuse\",\"details\":{[^}]*},\"objects\":{\"op\":\"$OP2\"},\"outcome\":\"ok\",\"principal\":\"eve\"" "$T/out"
ok $? "...eve's refusal of $OP2"

finish
