#!/usr/bin/env bash
# tests/run-all itself: a unit test that crashes and a suite that dies count
# as failures, whatever they printed before (its counts are what CI reads).
. "$(dirname "$0")/lib.bash"
F="$T/tree"
mkdir -p "$F/tests/cli" "$F/b/tests"
cp "$ROOT/tests/run-all" "$F/tests/"
printf '#include <stdlib.h>\nint main(void) { abort(); }\n' >"$T/crash.c"
cc -o "$F/b/tests/test_crash" "$T/crash.c"
printf '#!/bin/sh\necho "[  PASSED  ] 2 test(s)."\n' >"$F/b/tests/test_fine"
chmod +x "$F/b/tests/test_fine"
printf 'echo "ok 1 - before it died"\nexit 3\n' >"$F/tests/cli/dies.sh"
printf 'echo "ok 1 - one"\necho "not ok 2 - two"\nexit 1\n' >"$F/tests/cli/fails.sh"
printf 'echo "ok 1 - one"\necho "1..1"\n' >"$F/tests/cli/passes.sh"
(cd "$F" && bash tests/run-all b) >"$T/out" 2>"$T/err"
rc=$?
[ $rc -ne 0 ]; ok $? "run-all exits non-zero when something failed (exit $rc)"
out_has "unit:test_crash                     0 passed, 1 failed"
out_has "unit:test_fine                      2 passed, 0 failed"
out_has "cli:dies                            1 passed, 1 failed"
out_has "cli:fails                           1 passed, 1 failed"
out_has "cli:passes                          1 passed, 0 failed"
out_has "5 passed, 3 failed"
rm "$F/b/tests/test_crash" "$F/tests/cli/dies.sh" "$F/tests/cli/fails.sh"
(cd "$F" && bash tests/run-all b) >"$T/out" 2>"$T/err"
ok $? "and exits 0 when nothing failed"
out_has "3 passed, 0 failed"
finish
