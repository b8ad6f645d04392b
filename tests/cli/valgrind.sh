#!/usr/bin/env bash
# valgrind finds no leaks and no memory errors in the command line: each
# everyday command runs under memcheck with definite and indirect leaks
# counted as errors.
. "$(dirname "$0")/lib.bash"

if [ -n "${ASAN_OPTIONS:-}" ] || ! command -v valgrind >/dev/null; then
	skip "commands run clean under valgrind" "not with AddressSanitizer / no valgrind"
	finish; exit
fi
VG=(valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect --error-exitcode=99)
mkvault
head -c 200000 /dev/urandom > "$T/doc.bin"
vg() {	# vg DESC ARGS...: run scrvault under valgrind as the coordinator
	local desc=$1; shift
	"${VG[@]}" "$SV" --vault "$V" --key "$K" --passphrase-file "$P" "$@" >"$T/out" 2>"$T/err"
	local rc=$?
	[ $rc -eq 99 ] && sed 's/^/#   /' "$T/err" | head -30
	ok $((rc == 99)) "valgrind clean: $desc (exit $rc)"
}
"${VG[@]}" "$SV" init --vault "$T/v2" --key-out "$T/v2.key" --new-passphrase-file "$P" --kdf-memory 8 coord >/dev/null 2>"$T/err"
ok $(( $? == 99 )) "valgrind clean: init"
vg "case open" case open --title t SCR-2026-01
vg "doc checkin" doc checkin --case SCR-2026-01 --class imr "$T/doc.bin"
D=$(sv doc list --json | grep -o '"doc":"[0-9a-f]*"' | head -1 | cut -d'"' -f4)
vg "doc checkout" doc checkout -o "$T/back" "$D"
# the batch check-out on worker threads, clean and with a damaged object
head -c 150000 /dev/urandom > "$T/doc2.bin"; head -c 70000 /dev/urandom > "$T/doc3.bin"
sv doc checkin --case SCR-2026-01 --class imr "$T/doc2.bin" "$T/doc3.bin" >/dev/null
mkdir "$T/batch" "$T/batch2"
SCRVAULT_TEST_CHECKOUT_THREADS=3 vg "doc checkout --case (3 threads)" doc checkout --case SCR-2026-01 -o "$T/batch"
oid=$(git --git-dir="$V/store.git" ls-tree -r main | awk '$4 ~ /\.1$/ {print $3}' | head -1)
obj="$V/store.git/objects/${oid:0:2}/${oid:2}"; cp "$obj" "$T/obj.orig"; chmod u+w "$obj"
printf 'G' >> "$obj"	# garbage after the stream: the read falls back to zlib on a thread
SCRVAULT_TEST_CHECKOUT_THREADS=3 vg "doc checkout --case (3 threads, one damaged)" doc checkout --case SCR-2026-01 -o "$T/batch2"
cp "$T/obj.orig" "$obj"
vg "doc list --json" doc list --json
vg "doc show" doc show "$D"
vg "principal add" principal add --key-out "$T/p.key" --new-passphrase-file "$P" --kdf-memory 8 someone
vg "refused read (auditor)" --role auditor doc checkout -o "$T/x" "$D"
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
vg "fsck" fsck
finish
