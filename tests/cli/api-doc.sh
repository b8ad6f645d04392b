#!/usr/bin/env bash
# docs/API.md and the daemon's route table (scrvaultd --routes) say the same:
# every route documented, nothing documented that the daemon does not
# answer, and each with the same authentication and body.
. "$(dirname "$0")/lib.bash"
D=${SCRVAULTD_BIN:-$(dirname "$SV")/scrvaultd}

compare() {	# compare ROUTES-FILE DOC-FILE: differences on stdout, status 1 if any
	python3 - "$1" "$2" <<'PY'
import re, sys
table = {}
for line in open(sys.argv[1]):
    m, p, auth, body, _ = line.rstrip('\n').split('\t')
    table[(m, p)] = (auth, body)
doc, cur = {}, None
for line in open(sys.argv[2]):
    h = re.match(r'### (GET|POST|PUT|DELETE) (/\S*)\s*$', line)
    if h:
        cur = (h.group(1), h.group(2)); doc[cur] = None; continue
    a = re.match(r'auth: (.*?); body: (\w+)', line)
    if a and cur and doc[cur] is None:
        doc[cur] = (a.group(1), a.group(2)); cur = None
bad = 0
for k in sorted(set(table) - set(doc)):
    print(f'not documented: {k[0]} {k[1]}'); bad = 1
for k in sorted(set(doc) - set(table)):
    print(f'documented but not a route: {k[0]} {k[1]}'); bad = 1
for k in sorted(set(doc) & set(table)):
    if doc[k] != table[k]:
        print(f'{k[0]} {k[1]}: documented {doc[k]}, the table says {table[k]}'); bad = 1
sys.exit(bad)
PY
}

"$D" --routes >"$T/routes"; ok $? "scrvaultd --routes prints the table"
[ "$(wc -l <"$T/routes")" -ge 30 ]; ok $? "the table has the API's routes"
compare "$T/routes" "$ROOT/docs/API.md" >"$T/diff"; rc=$?
[ $rc -ne 0 ] && sed 's/^/#   /' "$T/diff"
ok $rc "docs/API.md documents every route, and only those, with their auth and body"

# The comparison can fail: a route the document lacks, one it invents, and
# one documented with the wrong authentication are each reported.
{ cat "$T/routes"; printf 'GET\t/v1/fake\tsession\tnone\t0\n'; } >"$T/routes+"
compare "$T/routes+" "$ROOT/docs/API.md" >"$T/diff"
[ $? -ne 0 ] && grep -q 'not documented: GET /v1/fake' "$T/diff"; ok $? "an undocumented route is reported"
{ cat "$ROOT/docs/API.md"; printf '\n### DELETE /v1/cases/{case}\nauth: session; body: none\n'; } >"$T/api+"
compare "$T/routes" "$T/api+" >"$T/diff"
[ $? -ne 0 ] && grep -q 'documented but not a route: DELETE /v1/cases/{case}' "$T/diff"
ok $? "a documented route the daemon lacks is reported"
sed '0,/^auth: session; body: none$/s//auth: none; body: none/' "$ROOT/docs/API.md" >"$T/api-"
compare "$T/routes" "$T/api-" >"$T/diff"
[ $? -ne 0 ] && grep -q 'documented .*none.*the table says .*session' "$T/diff"
ok $? "a route documented with the wrong authentication is reported"
finish
