#!/usr/bin/env bash
# scrvault session list|revoke: the sessions people opened on a service by
# signing a challenge (opened here by tests/tools/sign_in, which unseals the
# vault in-process as scrvaultd does).  Attacked: someone listing or ending
# another person's session, an unknown or ended session; the token nowhere
# in the vault's audit log.
. "$(dirname "$0")/lib.bash"
SIGNIN="$(dirname "$SV")/tests/tools/sign_in"

mkvault
sv case open --title "t" --type scr SCR-1 >/dev/null
enrol --kind person --agency police alice >/dev/null
enrol --kind person --agency police bob >/dev/null
sv principal grant --case SCR-1 --agency police alice imr-author >/dev/null
sv principal grant --case SCR-1 --agency police bob imr-author >/dev/null
as() { local who=$1; shift; sv --as-key "$T/$who.key" --as-passphrase-file "$P" "$@"; }

expect 0 "no sessions: an empty list" -- sv session list
expect 0 "alice signs in twice on the service" -- "$SIGNIN" "$V" "$K" alice "$T/alice.key" "$P" 2
cp "$T/out" "$T/alice.sessions"
A1=$(sed -n 1p "$T/alice.sessions" | cut -d' ' -f1); A2=$(sed -n 2p "$T/alice.sessions" | cut -d' ' -f1)
TOKEN=$(sed -n 1p "$T/alice.sessions" | cut -d' ' -f2)
"$SIGNIN" "$V" "$K" bob "$T/bob.key" "$P" 1 > "$T/bob.sessions"; ok $? "bob signs in"
B1=$(cut -d' ' -f1 "$T/bob.sessions")

expect 0 "the coordinator lists everyone's sessions" -- sv session list
out_has "$A1"; out_has "$A2"; out_has "$B1"
out_has "198.51.100.9" "the list names the client"
expect 0 "as JSON" -- sv session list --json
out_has "\"session\":\"$A1\""
expect 0 "alice lists her own" -- as alice session list
out_has "$A1"
! grep -q "$B1" "$T/out"; ok $? "and not bob's"

expect 4 "alice cannot revoke bob's session (she is told there is none)" -- as alice session revoke "$B1"
err_has "no session '$B1'"
expect 0 "alice ends her own" -- as alice session revoke "$A2"
out_has "session $A2 of alice revoked"
expect 6 "an ended session cannot be revoked again" -- as alice session revoke "$A2"
expect 0 "the coordinator revokes bob's" -- sv session revoke "$B1"
expect 4 "an unknown session" -- sv session revoke 0123456789ab
expect 2 "a session must be named" -- sv session revoke
expect 0 "the list has only alice's first session left" -- sv session list --json
out_has "$A1"
! grep -q "$A2\|$B1" "$T/out"; ok $? "revoked sessions are not listed"

# Revoking a principal ends their sessions at once.
expect 0 "alice is revoked" -- sv principal revoke --reason left alice
expect 0 "listing" -- sv session list --json
! grep -q "$A1" "$T/out"; ok $? "alice's sessions ended with her"

sv audit export -o "$T/log.jsonl" >/dev/null 2>&1
grep -q '"action":"session.revoke"' "$T/log.jsonl"; ok $? "revocations are audited"
grep -q '"action":"session.login"' "$T/log.jsonl" && grep -q '"action":"vault.unseal"' "$T/log.jsonl"
ok $? "sign-ins and unseals are audited"
! grep -qF "$TOKEN" "$T/log.jsonl"; ok $? "no token in the audit log"
finish
