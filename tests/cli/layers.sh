#!/usr/bin/env bash
# The architecture as built (docs/ARCHITECTURE.md, "Layers"): layers and
# modules (scripts/check-layers), one key-release path, libraries linked
# plainly, a shared library that exports the public API only, and no test
# hook in anything shipped.
. "$(dirname "$0")/lib.bash"
B=$(dirname "$SV")

out=$("$ROOT/scripts/check-layers" "$B" 2>&1); rc=$?
[ $rc -ne 0 ] && sed 's/^/#   /' <<<"$out" | head -20
ok $rc "includes and calls go down the layers, no module cycle, the CLI uses the public API only"

# The checker itself must be able to fail: a copy of the tree with one
# upward include is refused.
mkdir -p "$T/tree/scripts"
cp -R "$ROOT/src" "$T/tree/"
cp "$ROOT/scripts/check-layers" "$T/tree/scripts/"
sed -i 's|^#include "base/text.h"$|#include "base/text.h"\n#include "records/doc.h"|' "$T/tree/src/lib/base/text.c"
"$T/tree/scripts/check-layers" "$B" >"$T/out" 2>&1
[ $? -ne 0 ] && grep -q 'base/text.c.*higher layer records' "$T/out"; ok $? "an upward include is reported"

# ... and the daemon is held to the public API as the CLI is: an internal
# header included in src/daemon is reported.
cp "$ROOT/src/lib/base/text.c" "$T/tree/src/lib/base/text.c"
sed -i 's|^#include "router.h"$|#include "router.h"\n#include "base/json.h"|' "$T/tree/src/daemon/routes.c"
"$T/tree/scripts/check-layers" "$B" >"$T/out" 2>&1
[ $? -ne 0 ] && grep -q 'src/daemon/routes.c.*base/json.h.*the daemon uses the public API only' "$T/out"
ok $? "an internal header in the daemon is reported"
cp "$ROOT/src/daemon/routes.c" "$T/tree/src/daemon/routes.c"

# ... and so must the one key-release path: a second call of the unwrap,
# and a use of the KEK outside keyrelease.c.
cp "$ROOT/src/lib/base/text.c" "$T/tree/src/lib/base/text.c"
python3 - "$T/tree/src/lib/vault/keyrelease.c" <<'PY'
import sys
p = sys.argv[1]; s = open(p).read()
s = s.replace("int sv_release_decrypt_fd(const sv_release *r, size_t i, int fd)\n{",
              "int sv_release_decrypt_fd(const sv_release *r, size_t i, int fd)\n{\n\tsv_secret *k = NULL;\n\n\tdek_open(&k, r->v, \"\", 0, NULL);", 1)
open(p, "w").write(s)
PY
"$T/tree/scripts/check-layers" "$B" >"$T/out" 2>&1
[ $? -ne 0 ] && grep -q 'dek_open is called from' "$T/out"; ok $? "a second way to the document key is reported"
cp "$ROOT/src/lib/vault/keyrelease.c" "$T/tree/src/lib/vault/keyrelease.c"
echo 'static int peek(scrvault *v) { sv_secret *d = NULL; return sv_open(&d, v->kek, NULL, 0, NULL, 0); }' \
	>>"$T/tree/src/lib/records/copy.c"
"$T/tree/scripts/check-layers" "$B" >"$T/out" 2>&1
[ $? -ne 0 ] && grep -q 'records/copy.c: uses the KEK' "$T/out"; ok $? "a use of the KEK outside keyrelease.c is reported"

# ... and so must one file per command group: 'op list' moved back into
# cmd_policy.c is refused.
cp "$ROOT/src/lib/records/copy.c" "$T/tree/src/lib/records/copy.c"
python3 - "$T/tree/src/cli" <<'PY'
import re, sys
d = sys.argv[1]
op = open(d + '/cmd_op.c').read()
entry = re.search(r'\t\{ "op", "list",.*?\n(?=\t[{/])', op, re.S).group(0)
open(d + '/cmd_op.c', 'w').write(op.replace(entry, ''))
pol = open(d + '/cmd_policy.c').read()
open(d + '/cmd_policy.c', 'w').write(pol.replace('cli_policy_commands[] = {\n', 'cli_policy_commands[] = {\n' + entry, 1))
PY
"$T/tree/scripts/check-layers" "$B" >"$T/out" 2>&1
[ $? -ne 0 ] && grep -q "cmd_policy.c: defines 'scrvault op list'.* live in src/cli/cmd_op.c" "$T/out"
ok $? "a command defined outside its group's file is reported"

for f in "$SV" "$B/libscrvault.so"; do
	! strings "$f" | grep -q 'SCRVAULT_TEST_'; ok $? "no test hook in $(basename "$f")"
done
strings "$SVH" | grep -q 'SCRVAULT_TEST_FAIL_AUDIT'; ok $? "the test build has its hooks"

exported=$(nm -D --defined-only "$B/libscrvault.so" | awk '$3 != "" && $3 !~ /^LIBSCRVAULT/ {print $3}')
[ -n "$exported" ] && ! grep -qv '^scrvault_' <<<"$exported"; ok $? "libscrvault.so exports scrvault_* only ($(wc -l <<<"$exported") symbols)"
objdump -p "$B/libscrvault.so" | grep -q 'SONAME *libscrvault.so.0$'; ok $? "libscrvault.so has the soname libscrvault.so.0"

libs=$(ldd "$SV")
for l in libcrypto libgit2 libsqlcipher libargon2 libz; do
	grep -q "$l\.so" <<<"$libs"; ok $? "scrvault links $l (ldd lists it)"
done
! grep -rqn 'dlopen' "$ROOT/src/lib"; ok $? "the library loads nothing with dlopen"

finish
