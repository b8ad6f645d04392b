#!/usr/bin/env bash
# valgrind finds no leaks and no memory errors in the command line: each
# everyday command runs under memcheck with definite and indirect leaks
# counted as errors.
. "$(dirname "$0")/lib.bash"

if [ -n "${ASAN_OPTIONS:-}" ] || ! command -v valgrind >/dev/null; then
	skip "commands run clean under valgrind" "not with AddressSanitizer / no valgrind"
	finish; exit
fi
# --run-libc-freeres=no: at exit valgrind has glibc free its own memory, which
# unloads the libraries scrvault loaded with dlopen (libgit2's dependencies
# among them) before the leak report, so their frames lose their names and
# valgrind.supp, which names them, would no longer match.
VG=(valgrind -q --run-libc-freeres=no --suppressions="$(dirname "$0")/valgrind.supp" --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect --error-exitcode=99)
mkvault
head -c 200000 /dev/urandom > "$T/doc.bin"
vg() {	# vg DESC ARGS...: run scrvault under valgrind as the coordinator
	local desc=$1; shift
	"${VG[@]}" "$SV" --vault "$V" --key "$K" --passphrase-file "$P" "$@" >"$T/out" 2>"$T/err"
	local rc=$?
	[ $rc -eq 99 ] && sed 's/^/#   /' "$T/err" | head -30
	ok $((rc == 99)) "valgrind clean: $desc (exit $rc)"
}
"${VG[@]}" "$SV" init --vault "$T/v2" --key-out "$T/v2.key" --new-passphrase-file "$P" --kdf-memory 19 coord >/dev/null 2>"$T/err"
ok $(( $? == 99 )) "valgrind clean: init"
vg "case open" case open --title t SCR-2026-01
vg "doc checkin" doc checkin --case SCR-2026-01 --class imr "$T/doc.bin"
D=$(sv doc list --json | grep -o '"doc":"[0-9a-f]*"' | head -1 | cut -d'"' -f4)
vg "doc checkout" doc checkout -o "$T/back" "$D"
# the batch check-out on worker threads, clean and with a damaged object
head -c 150000 /dev/urandom > "$T/doc2.bin"; head -c 70000 /dev/urandom > "$T/doc3.bin"
sv doc checkin --case SCR-2026-01 --class imr "$T/doc2.bin" "$T/doc3.bin" >/dev/null
mkdir "$T/batch" "$T/batch2"
SV=$SVH SCRVAULT_TEST_CHECKOUT_THREADS=3 vg "doc checkout --case (3 threads)" doc checkout --case SCR-2026-01 -o "$T/batch"
oid=$(git --git-dir="$V/store.git" ls-tree -r main | awk '$4 ~ /\.1$/ {print $3}' | head -1)
obj="$V/store.git/objects/${oid:0:2}/${oid:2}"; cp "$obj" "$T/obj.orig"; chmod u+w "$obj"
printf 'G' >> "$obj"	# garbage after the stream: the read falls back to zlib on a thread
SV=$SVH SCRVAULT_TEST_CHECKOUT_THREADS=3 vg "doc checkout --case (3 threads, one damaged)" doc checkout --case SCR-2026-01 -o "$T/batch2"
cp "$T/obj.orig" "$obj"
vg "doc list --json" doc list --json
vg "doc show" doc show "$D"
fpw() { sed -n 's/.*"fingerprint":"\([^"]*\)".*/\1/p'; }
FP=$("$SV" keygen --json --key-out "$T/p.key" --new-passphrase-file "$P" --kdf-memory 19 someone | fpw)
vg "keygen" keygen --key-out "$T/q.key" --new-passphrase-file "$P" --kdf-memory 19 quentin
vg "principal add --enrolment" principal add --enrolment "$T/p.key.enrol" --fingerprint "$FP" --acceptance-out "$T/p.accept" someone
"${VG[@]}" "$SV" keyfile accept --key "$T/p.key" --passphrase-file "$P" "$T/p.accept" >/dev/null 2>"$T/err"
ok $(( $? == 99 )) "valgrind clean: keyfile accept"
vg "principal grant" principal grant coord auditor
vg "refused read (auditor)" --role auditor doc checkout -o "$T/x" "$D"
# the roles and policy commands, and acting as another principal
sv principal grant someone imr-author --case SCR-2026-01 --agency police >/dev/null
enrol --key-out "$T/m.key" manager >/dev/null
sv principal grant manager authorising-manager --case SCR-2026-01 --agency police >/dev/null
printf 'police imr\n' > "$T/imr.txt"
vg "act-as check-in" --as-key "$T/p.key" --as-passphrase-file "$P" doc checkin --case SCR-2026-01 --class imr --agency police "$T/imr.txt"
PD=$(sv doc list --json | grep -o '"agency":"police"[^}]*' | grep -o '"doc":"[0-9a-f]*"' | head -1 | cut -d'"' -f4)
vg "act-as refused read" --as-key "$T/p.key" --as-passphrase-file "$P" doc checkout -o "$T/y" "$D"
vg "doc signoff" --as-key "$T/m.key" --as-passphrase-file "$P" doc signoff "$PD@1"
vg "doc show (sign-offs verified)" doc show "$PD"
vg "principal impact" principal impact someone
vg "policy show" policy show
"${VG[@]}" "$SV" policy check "$ROOT/policy/default.conf" >/dev/null 2>"$T/err"
ok $(( $? == 99 )) "valgrind clean: policy check"
sed 's/allow = case.open/allow = case.opne/' "$ROOT/policy/default.conf" > "$T/bad.conf"
"${VG[@]}" "$SV" policy check "$T/bad.conf" >/dev/null 2>"$T/err"
ok $(( $? == 99 )) "valgrind clean: policy check with problems"
vg "policy load (pending)" policy load "$ROOT/policy/default.conf"
vg "op list" op list
FP=$("$SV" keygen --json --rotate "$T/m.key" --old-passphrase-file "$P" --key-out "$T/m2.key" --new-passphrase-file "$P" \
	--kdf-memory 19 manager | fpw)
vg "principal rotate --enrolment" principal rotate --enrolment "$T/m2.key.enrol" --fingerprint "$FP" --acceptance-out "$T/m2.accept" manager
vg "principal revoke" principal revoke someone
vg "audit tail" audit tail
vg "audit export" audit export -o "$T/e.jsonl"
vg "audit prove" audit prove 3
vg "audit verify (live)" audit verify
VK=$(sv audit pubkey)
"${VG[@]}" "$SV" audit verify --vkey "$VK" "$T/e.jsonl" >/dev/null 2>"$T/err"
ok $(( $? == 99 )) "valgrind clean: offline audit verify"
printf 'wrong wrong wrong\n' > "$T/wrong"
"${VG[@]}" "$SV" --vault "$V" --key "$K" --passphrase-file "$T/wrong" case list >/dev/null 2>"$T/err"
ok $(( $? == 99 )) "valgrind clean: wrong passphrase"
# bundles: seal and open need no vault; import and release do
enrol --key-out "$T/ag.key" --kind agency --agency police ag >/dev/null
sv principal grant ag agency-submitter --case SCR-2026-01 --agency police >/dev/null
vg "recipient" recipient
R=$(sv recipient)
"${VG[@]}" "$SV" intake seal --key "$T/ag.key" --passphrase-file "$P" --to "$R" --case SCR-2026-01 --class imr \
	-o "$T/b.age" "$T/doc.bin" >/dev/null 2>"$T/err"
ok $(( $? == 99 )) "valgrind clean: intake seal"
vg "intake import" intake import "$T/b.age"
vg "intake import (duplicate, refused)" intake import "$T/b.age"
head -c 3000 "$T/b.age" > "$T/bt.age"
vg "intake import (truncated, refused)" intake import "$T/bt.age"
sv principal grant manager panel-member --case SCR-2026-01 >/dev/null
vg "doc release" doc release "$D" --to manager -o "$T/r.age"
"${VG[@]}" "$SV" open --key "$T/m2.key" --passphrase-file "$P" --vault-key "$VK" -o "$T/r.out" "$T/r.age" >/dev/null 2>"$T/err"
ok $(( $? == 99 )) "valgrind clean: open"
"${VG[@]}" "$SV" open --key "$T/ag.key" --passphrase-file "$P" -o "$T/r2.out" "$T/r.age" >/dev/null 2>"$T/err"
ok $(( $? == 99 )) "valgrind clean: open (not released to this key, refused)"
# the copy register and a stamped print
sv copy create "$D" --count 2 >/dev/null
vg "copy issue" copy issue "$D@1#1" --to manager --contact "m@x" --purpose "meeting" --due 2099-01-01
vg "copy issue (again, refused)" copy issue "$D@1#1" --to manager --contact "m@x" --purpose "meeting" --due 2099-01-01
vg "copy acknowledge --paper" copy acknowledge --paper "$D@1#1"
vg "copy list" copy list
vg "copy overdue" copy overdue --as-of 2099-06-01
vg "copy recall" copy recall SCR-2026-01
"${VG[@]}" "$SV" --vault "$V" --key "$K" --passphrase-file "$P" copy print "$D@1#1" -o "$T/c.pdf" >/dev/null 2>"$T/err"
rc=$?; [ $rc -eq 99 ] && sed 's/^/#   /' "$T/err" | head -30
ok $((rc == 99)) "valgrind clean: copy print (exit $rc)"
vg "copy return" copy return "$D@1#1" --condition ok
vg "copy destroy" copy destroy "$D@1#1" --witness manager
vg "copy history" copy history "$D@1#1"
# the access-request register
vg "request new (foi)" request new --channel foi --kind media --name "J" --contact "j@x" --case SCR-2026-01 --reason r --received 2026-11-28
# decided by the chair: whoever recorded a request never decides it
enrol --key-out "$T/chair.key" chair >/dev/null
sv principal grant chair lscb-chair >/dev/null
vg "request decide (refuse, s.40)" --as-key "$T/chair.key" --as-passphrase-file "$P" request decide 1 --refuse --reason r --exemption "s.40 personal information"
grep -q "refused" "$T/out"; ok $? "...decided"
vg "request respond" request respond 1
vg "request list" request list
vg "request show" request show 1
vg "request due" request due --days 30
# retention: plan, holds, conclusion, a purge by the job, a certificate
vg "retention plan" retention plan
vg "hold add" hold add SCR-2026-01 --kind coroner --reason "inquest"
vg "hold list" hold list
vg "case conclude (refused: copies out)" case conclude SCR-2026-01 --action-plan-approved-on 2026-11-01 --ofsted-approved-on 2026-11-02
vg "retention confirm" retention confirm
sv principal add --kind service --custodian --no-passphrase --key-out "$T/job.key" job >/dev/null
sv principal grant job retention-job >/dev/null
"${VG[@]}" "$SV" --vault "$V" --key "$T/job.key" retention purge >/dev/null 2>"$T/err"
rc=$?; [ $rc -eq 99 ] && sed 's/^/#   /' "$T/err" | head -30
ok $((rc == 99)) "valgrind clean: retention purge by the job (exit $rc)"
# replication: a mirror push, a backup and its check, a restore
git init -q --bare "$T/m.git"
sv mirror add m "file://$T/m.git" >/dev/null
vg "mirror push" mirror push
vg "backup create" backup create -o "$T/b.bak"
"${VG[@]}" "$SV" backup verify "$T/b.bak" >/dev/null 2>"$T/err"
ok $(( $? == 99 )) "valgrind clean: backup verify"
"${VG[@]}" "$SV" restore --from-backup "$T/b.bak" --from-mirror "file://$T/m.git" --to "$T/restored" \
	--key "$K" --passphrase-file "$P" --accept-gap >/dev/null 2>"$T/err"
rc=$?; [ $rc -eq 99 ] && sed 's/^/#   /' "$T/err" | head -30
ok $((rc == 99)) "valgrind clean: restore (exit $rc)"
vg "fsck" fsck
finish
