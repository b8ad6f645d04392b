#!/usr/bin/env bash
# No plaintext at rest: contents, title, agency, file name and case title
# never appear anywhere under the vault directory, including inside every
# decompressed git object and the database file.
. "$(dirname "$0")/lib.bash"

M1=MARKERCONTENTq7Zx
M2=MARKERTITLEk3Vw
M3=MARKERAGENCYp9Lb
M4=MARKERFILEj2Rt
M5=MARKERCASEh5Ns
mkvault
sv case open --title "$M5 case" SCR-2026-07 >/dev/null
ok $? "case opened with a marker title"
mkdir -p "$T/in"
{ for i in $(seq 1 2000); do echo "line $i $M1 Child W lives at 1 Marker Street"; done; } > "$T/in/$M4.txt"
expect 0 "check in a file full of markers" -- sv doc checkin --case SCR-2026-07 --class imr --agency "$M3" --title "$M2" "$T/in/$M4.txt"
DOC=$(sv doc list --json | grep -o '"doc":"[0-9a-f]*"' | head -1 | cut -d'"' -f4)
expect 0 "and a second version" -- sv doc checkin --doc "$DOC" --note "$M2 note" "$T/in/$M4.txt"
sv doc checkout -o "$T/back" "$DOC" >/dev/null 2>&1; sv fsck >/dev/null 2>&1
sv principal add --key-out "$T/x.key" --new-passphrase-file "$P" --kdf-memory 19 --display-name "$M2 person" --contact "$M3 contact" someone >/dev/null 2>&1

scan() {	# scan LABEL: every marker absent from stdin
	local data; data=$(cat | tr -d '\0')
	local hit=0
	for m in $M1 $M2 $M3 $M4 $M5 "Child W" "Marker Street"; do
		if grep -qF -- "$m" <<<"$data"; then echo "# found '$m' in $1"; hit=1; fi
	done
	ok $hit "no marker in $1"
}
# Raw bytes of every file (db, wal, keyring, git objects as stored).
scan "raw files under the vault" < <(find "$V" -type f -print0 | xargs -0 cat)
# Every git object decompressed, through git itself.
scan "decompressed git objects" < <(git --git-dir="$V/store.git" cat-file --batch-all-objects --batch)
# Commit messages and ref names.
scan "commit messages" < <(git --git-dir="$V/store.git" log --all --format='%an %ae %s %b')
scan "ref names" < <(git --git-dir="$V/store.git" for-each-ref)
# Paths in every tree.
scan "tree paths" < <(git --git-dir="$V/store.git" ls-tree -r --name-only main)
nobj=$(git --git-dir="$V/store.git" count-objects -v | awk '/^count:/{print $2}')
[ "$nobj" -gt 5 ]; ok $? "the scan saw the loose objects ($nobj)"
# The database is not a plain SQLite file.
! head -c 16 "$V/vault.db" | grep -q "SQLite format 3"; ok $? "vault.db has no plaintext SQLite header"
finish
