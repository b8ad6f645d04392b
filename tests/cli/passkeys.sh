#!/usr/bin/env bash
# Passkeys for the web pages (scrvault/passkey.h, src/daemon/web.c): the
# coordinator's one-time link, registration, sign-in, the session cookie and
# its anti-forgery token, removal and revocation.  Each attack first: a link
# for a custodian or by someone who may not add people, a spent link, a
# response for another site, without user verification, a replayed or forged
# assertion, a counter that went back, a cookie request without the token or
# from another origin; then what works, and the audit trail of both.
. "$(dirname "$0")/lib.bash"
command -v curl >/dev/null || { skip "passkeys" "curl is not installed (scripts/install-deps)"; finish; exit; }
/usr/bin/python3 -c 'import cryptography' 2>/dev/null ||
	{ skip "passkeys" "python3-cryptography is not installed (scripts/install-deps)"; finish; exit; }
mkvault
. "$(dirname "$0")/daemon-lib.bash"
WA="$ROOT/tests/tools/webauthn-client"
O=https://localhost:8443

enrol --key-out "$T/alice.key" --agency police alice >/dev/null
enrol --key-out "$T/bob.key" --agency health bob >/dev/null
sv case open --title a SCR-A >/dev/null && sv case open --title b SCR-B >/dev/null
sv principal grant alice imr-author --case SCR-A --agency police >/dev/null &&
	sv principal grant bob imr-author --case SCR-B --agency health >/dev/null
ok $? "alice (police, case A) and bob (health, case B)"
enrol --key-out "$T/mo.key" --agency police mo >/dev/null &&
	sv principal grant mo authorising-manager --case SCR-A --agency police >/dev/null &&
	printf 'IMR of the police, final\n' >"$T/imr.txt" &&
	sv doc checkin --case SCR-A --class imr --agency police "$T/imr.txt" >/dev/null
ok $? "mo, the police's authorising manager on case A, and the police IMR"
DOC=$(sv doc list --case SCR-A --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["doc"])')

# ---- the link, from the command line on the host -------------------------------------
enrol --key-out "$T/dep.key" --custodian deputy >/dev/null; ok $? "a second custodian, deputy"
expect 3 "the coordinator cannot make a passkey link for another custodian" -- sv principal passkey-link deputy
err_has "custodian"
expect 0 "...a custodian makes their own, signed in with their key file" -- sv principal passkey-link coord
expect 2 "--origin is checked before anything is opened" -- sv principal passkey-link --origin http://x alice
expect 0 "a passkey link for alice, printed whole with --origin" -- sv principal passkey-link --origin "$O" alice
out_has "$O/#/register?link="
out_has "one use, until"
OLD=$(grep -o 'link=[A-Za-z0-9_-]*' "$T/out" | cut -d= -f2)
[ ${#OLD} -eq 43 ]; ok $? "...a 43-character token"
sv audit export 2>/dev/null | grep -q '"principal.passkey-link"'; ok $? "...on record (principal.passkey-link)"
! sv audit export 2>/dev/null | grep -q "$OLD"; ok $? "...and the token itself is nowhere in the audit log"
! grep -rqa "$OLD" "$V"; ok $? "...nor anywhere in the vault's files (kept as its SHA-256)"
expect 3 "alice (an IMR author) may not make a link for bob" -- \
	"$SV" --vault "$V" --key "$T/alice.key" --passphrase-file "$P" principal passkey-link bob

start --idle-seal 0 --origin "$O"; ok $? "scrvaultd starts with the pages' origin $O"
unseal; is 200 "unsealed"
login coord "$K"; is 200 "the coordinator signs in with their key"
login alice "$T/alice.key"; is 200 "alice signs in with her key"
login bob "$T/bob.key"; is 200 "bob signs in with his key"

as coord POST /v1/principals/alice/passkey-link; is 200 "a newer link through the service"
LINK=$(jget link); URL=$(jget url)
[ "$URL" = "$O/#/register?link=$LINK" ]; ok $? "...with the URL on the service's own origin"
reg() {	# reg LINK STATE [webauthn-client options]: registration options, then the response
	local link=$1 st=$2; shift 2
	req POST /v1/passkeys/registration -H 'Content-Type: application/json' --data-binary "{\"link\":\"$link\"}"
	[ "$(cat "$T/code")" = 200 ] || return 1
	cp "$T/body" "$T/regopts"
	/usr/bin/python3 "$WA" register "$st" "$O" "$T/regopts" "$@" >"$T/regbody" || return 1
	python3 -c 'import json,sys; b=json.load(open(sys.argv[1])); b["link"]=sys.argv[2]; b["name"]="work laptop"; print(json.dumps(b))' \
		"$T/regbody" "$link" >"$T/regbody2"
	req POST /v1/passkeys -H 'Content-Type: application/json' --data-binary @"$T/regbody2"
}
reg "$OLD" "$T/pk-old"; is 403 "the first link was replaced by the newer one: refused"
reg "$LINK" "$T/pk-x" --client-origin https://evil.example; is 403 "a response made for another site is refused"
grep -q "origin" "$T/body"; ok $? "...naming the origin"
reg "$LINK" "$T/pk-x" --rp-id evil.example; is 403 "a credential scoped to another relying party is refused"
reg "$LINK" "$T/pk-x" --no-uv; is 403 "a passkey that did not verify its user is refused"
reg "$LINK" "$T/pk-x" --type webauthn.get; is 403 "an assertion passed off as a registration is refused"
audited passkey.register denied; ok $? "...each refusal on record (passkey.register, denied)"
req POST /v1/passkeys/registration -H 'Content-Type: application/json' --data-binary '{"link":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}'
is 403 "an unknown link gets no options"
reg "$LINK" "$T/pk-alice"; is 200 "alice registers a passkey (ES256) through the link"
PK=$(jget id)
reg "$LINK" "$T/pk-y"; is 403 "the link answers once"
audited passkey.register ok alice; ok $? "...on record, as alice's"

# ---- sign-in ------------------------------------------------------------------------------
signin() {	# signin STATE [webauthn-client options]: a challenge, then the assertion
	local st=$1; shift
	req POST /v1/passkeys/challenge -H 'Content-Type: application/json' --data-binary '{}'
	cp "$T/body" "$T/chal"
	/usr/bin/python3 "$WA" assert "$st" "$O" "$T/chal" "$@" >"$T/assert" || return 1
	req POST /v1/session/passkey -H 'Content-Type: application/json' --data-binary @"$T/assert"
}
signin "$T/pk-alice" --bad-signature; is 401 "a forged signature is refused"
signin "$T/pk-alice" --other-key; is 401 "a signature by another key is refused"
signin "$T/pk-alice" --client-origin https://evil.example; is 401 "an assertion for another site is refused"
signin "$T/pk-alice" --no-uv; is 401 "an assertion without user verification is refused"
audited session.login denied; ok $? "...on record (session.login, denied)"
signin "$T/pk-alice"; is 200 "alice signs in with her passkey"
CSRF=$(jget csrf)
! grep -q '"token"' "$T/body"; ok $? "...the answer holds no session token (the cookie does)"
grep -i '^set-cookie:' "$T/headers" | tr -d '\r' >"$T/cookie"
grep -q '__Host-scrvault=[A-Za-z0-9_-]\{43\}; Path=/; Secure; HttpOnly; SameSite=Strict' "$T/cookie"
ok $? "...the cookie is __Host-, Secure, HttpOnly, SameSite=Strict"
C1=$(sed 's/^[^:]*: *\([^;]*\);.*/\1/' "$T/cookie")
cp "$T/assert" "$T/assert1"
req POST /v1/session/passkey -H 'Content-Type: application/json' --data-binary @"$T/assert1"
is 401 "the same assertion replayed is refused (its challenge is spent)"
signin "$T/pk-alice" --count 1; is 401 "a signature counter that went back (a cloned passkey) is refused"
grep -q "counter" "$T/body"; ok $? "...naming the counter"
audited session.login ok alice; ok $? "...on record, as alice's sign-in"
req GET /v1/sessions -H "Cookie: $C1"; is 200 "the cookie opens alice's session"
python3 - "$T/body" <<'PY'
import json, sys, datetime as d
s = [x for x in json.load(open(sys.argv[1])) if x["principal"] == "alice"]
t = lambda v: d.datetime.strptime(v, "%Y-%m-%dT%H:%M:%SZ")
idle = sorted((t(x["expires"]) - t(x["last_seen"])).total_seconds() for x in s)
sys.exit(0 if idle == [900, 1800] else 1)
PY
ok $? "...the passkey session ends after 15 idle minutes, her key's after 30"

req GET /v1/whoami -H "Cookie: $C1"; is 200 "whoami by cookie"
[ "$(jget csrf)" = "$CSRF" ]; ok $? "...gives the pages their anti-forgery token again"
req GET /v1/cases -H "Cookie: $C1"; is 200 "alice lists her cases by cookie"
! grep -q SCR-B "$T/body"; ok $? "...case B is not among them"
req GET /v1/cases/SCR-B -H "Cookie: $C1"; is 404 "another agency's case is not found"
req POST /v1/passkeys/registration -H "Cookie: $C1" -H 'Content-Type: application/json' --data-binary '{}'
is 403 "a cookie POST without X-CSRF-Token is refused"
grep -q "anti-forgery" "$T/body"; ok $? "...saying why"
req POST /v1/passkeys/registration -H "Cookie: $C1" -H "X-CSRF-Token: ${CSRF%?}A" \
	-H 'Content-Type: application/json' --data-binary '{}'
is 403 "...and with a wrong one"
req POST /v1/passkeys/registration -H "Cookie: $C1" -H "X-CSRF-Token: $CSRF" -H "Origin: https://evil.example" \
	-H 'Content-Type: application/json' --data-binary '{}'
is 403 "...and from another origin, token or not"
req POST /v1/passkeys/registration -H "Cookie: $C1" -H "X-CSRF-Token: $CSRF" -H "Origin: $O" \
	-H 'Content-Type: application/json' --data-binary '{}'
is 200 "with the token, from the pages' origin: options for a second passkey"
cp "$T/body" "$T/regopts2"
/usr/bin/python3 "$WA" register "$T/pk-alice2" "$O" "$T/regopts2" --alg ed25519 >"$T/rb" &&
	python3 -c 'import json,sys; b=json.load(open(sys.argv[1])); b["name"]="phone"; print(json.dumps(b))' "$T/rb" >"$T/rb2"
req POST /v1/passkeys -H "Cookie: $C1" -H "X-CSRF-Token: $CSRF" -H 'Content-Type: application/json' --data-binary @"$T/rb2"
is 200 "alice registers a second passkey (Ed25519) from her session"
PK2=$(jget id)
signin "$T/pk-alice2"; is 200 "...and signs in with it"
C2=$(grep -i '^set-cookie:' "$T/headers" | tr -d '\r' | sed 's/^[^:]*: *\([^;]*\);.*/\1/')
req GET /v1/passkeys -H "Cookie: $C1"; is 200 "alice lists her passkeys"
python3 -c 'import json,sys; k=json.load(open(sys.argv[1])); sys.exit(0 if sorted(x["alg"] for x in k)==["ES256","Ed25519"] and all("credential" not in x for x in k) else 1)' "$T/body"
ok $? "...two, by algorithm and name"
as bob GET /v1/passkeys; [ "$(cat "$T/body")" = "[]" ]; ok $? "bob sees none of them"
as bob DELETE "/v1/passkeys/$PK"; is 404 "bob cannot remove alice's passkey (not found)"

req DELETE "/v1/passkeys/$PK2" -H "Cookie: $C1" -H "X-CSRF-Token: $CSRF"; is 200 "alice removes her phone's passkey"
audited passkey.remove ok alice; ok $? "...on record"
req GET /v1/whoami -H "Cookie: $C2"; is 401 "...the session opened with it ends at once"
signin "$T/pk-alice2"; is 401 "...and it signs in no more"
req GET /v1/whoami -H "Cookie: $C1"; is 200 "her other session goes on"

# ---- the authorising manager signs off in the browser: the assertion is the record ----
login mo "$T/mo.key"; is 200 "mo signs in with his key"
as coord POST /v1/principals/mo/passkey-link; is 200 "a link for mo"
reg "$(jget link)" "$T/pk-mo"; is 200 "mo registers a passkey"
signin "$T/pk-mo"; is 200 "mo signs in with it"; MC=$(jget csrf)
CM=$(grep -i '^set-cookie:' "$T/headers" | tr -d '\r' | sed 's/^[^:]*: *\([^;]*\);.*/\1/')
req GET "/v1/docs/$DOC/versions/1/signoff-statement" -H "Cookie: $CM"; is 200 "the statement to sign off version 1"
cp "$T/body" "$T/stmt"	# the statement itself, canonical JSON
signoff() {	# signoff STATEMENT-FILE STATE [webauthn-client options]: POST the passkey's sign-off
	local f=$1 st=$2; shift 2
	/usr/bin/python3 "$WA" sign "$st" "$O" "$f" "$@" >"$T/pka" || return 1
	python3 -c 'import json,sys; print(json.dumps({"statement": open(sys.argv[1]).read(), "passkey": json.load(open(sys.argv[2]))}))' \
		"$T/stmt" "$T/pka" >"$T/so"
	req POST "/v1/docs/$DOC/versions/1/signoff" -H "Cookie: $CM" -H "X-CSRF-Token: $MC" \
		-H 'Content-Type: application/json' --data-binary @"$T/so"
}
python3 -c 'import sys; t=open(sys.argv[1]).read(); open(sys.argv[2],"w").write(t.replace("\"version\":1", "\"version\":2"))' "$T/stmt" "$T/stmt-other"
signoff "$T/stmt-other" "$T/pk-mo"; is 403 "a passkey's assertion of another statement is no sign-off of this one"
signoff "$T/stmt" "$T/pk-alice"; is 403 "alice's passkey cannot sign off for mo"
signoff "$T/stmt" "$T/pk-mo" --no-uv; is 403 "a sign-off without user verification is refused"
audited doc.signoff denied; ok $? "...each refusal on record"
signoff "$T/stmt" "$T/pk-mo"; is 200 "mo signs version 1 off with his passkey"
grep -q '"method":"passkey"' "$T/body"; ok $? "...a passkey's sign-off"
as coord GET "/v1/docs/$DOC"; is 200 "the document, with its sign-offs"
python3 - "$T/body" "$T/proof" "$T/pstmt" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
s = [x for x in d["signoffs"] if x["signer"] == "mo"][0]
json.dump(s["proof"], open(sys.argv[2], "w")); open(sys.argv[3], "w").write(s["statement"])
sys.exit(0 if s["verification"].startswith("valid") else 1)
PY
ok $? "...verified by the vault as valid"
/usr/bin/python3 "$WA" verify "$T/pstmt" "$T/proof" >/dev/null; ok $? "...and offline, by a check that knows nothing of the vault"
python3 -c 'import sys; t=open(sys.argv[1]).read(); open(sys.argv[1],"w").write(t.replace("final", "FINAL") if "final" in t else t.replace("\"version\":1","\"version\":3"))' "$T/pstmt"
! /usr/bin/python3 "$WA" verify "$T/pstmt" "$T/proof" >/dev/null 2>&1; ok $? "...which refuses the same proof for a changed statement"

# ---- a destruction's witness confirms in their own browser session ----
jpost coord "/v1/docs/$DOC/versions/1/copies" '{"count":1}'; is 200 "a paper copy of the IMR"
CP=$(python3 -c 'import json,sys; b=json.load(open(sys.argv[1])); b=b[0] if isinstance(b,list) else b; print(b.get("copy") or b.get("id"))' "$T/body")
jpost coord "/v1/copies/$CP/destroy" '{"witness":"mo","note":"shredded"}'; is 200 "destroyed by the coordinator, mo named as witness"
req GET "/v1/copies/$CP/witness-statement" -H "Cookie: $CM"; is 200 "mo's statement to confirm it"
cp "$T/body" "$T/wstmt"
witness() {	# witness STATEMENT-FILE STATE [options]
	local f=$1 st=$2; shift 2
	/usr/bin/python3 "$WA" sign "$st" "$O" "$f" "$@" >"$T/pka" || return 1
	python3 -c 'import json,sys; print(json.dumps({"statement": open(sys.argv[1]).read(), "passkey": json.load(open(sys.argv[2]))}))' \
		"$T/wstmt" "$T/pka" >"$T/wb"
	req POST "/v1/copies/$CP/witness" -H "Cookie: $CM" -H "X-CSRF-Token: $MC" -H 'Content-Type: application/json' \
		--data-binary @"$T/wb"
}
witness "$T/stmt" "$T/pk-mo"; is 403 "a passkey's assertion of another statement witnesses nothing"
witness "$T/wstmt" "$T/pk-mo" --bad-signature; is 403 "nor a forged one"
witness "$T/wstmt" "$T/pk-mo"; is 200 "mo confirms the destruction with his passkey"
as coord GET "/v1/copies/$CP/history"; is 200 "the copy's history"
grep -q '"witness_signature":"signed"' "$T/body"; ok $? "...says the witness signed (the vault verified the passkey's proof)"

jpost coord /v1/principals/alice/revoke '{"reason":"left the force"}'; is 200 "the coordinator revokes alice"
req GET /v1/whoami -H "Cookie: $C1"; is 401 "her passkey session ends at once"
signin "$T/pk-alice"; is 401 "...and her passkey signs in no more"

req DELETE /v1/session -H "Cookie: $C1" -H "X-CSRF-Token: $CSRF"; is 401 "a revoked session cannot even sign out"
expect 0 "the command line makes bob's link through the service" -- \
	"$SV" --server "unix:$S" --key "$K" --passphrase-file "$P" principal passkey-link bob
out_has "$O/#/register?link="
reg "$(grep -o 'link=[A-Za-z0-9_-]*' "$T/out" | cut -d= -f2)" "$T/pk-bob"; is 200 "bob registers with it"
signin "$T/pk-bob"; is 200 "bob signs in"; BC=$(jget csrf)
CB=$(grep -i '^set-cookie:' "$T/headers" | tr -d '\r' | sed 's/^[^:]*: *\([^;]*\);.*/\1/')
req DELETE /v1/session -H "Cookie: $CB" -H "X-CSRF-Token: $BC"; is 200 "bob signs out"
grep -qi '^set-cookie: __Host-scrvault=;.*Max-Age=0' "$T/headers"; ok $? "...and the cookie is cleared"
req GET /v1/whoami -H "Cookie: $CB"; is 401 "...and the session is over"
stop
expect 0 "the audit log verifies after all this" -- sv audit verify
expect 0 "...and fsck, which checks the passkey sign-off and witnessing again, is clean" -- sv fsck
finish
