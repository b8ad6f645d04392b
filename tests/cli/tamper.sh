#!/usr/bin/env bash
# Tampering with stored blobs is detected: checkout exits 5 naming the
# document and writes nothing; fsck reports each.
. "$(dirname "$0")/lib.bash"

mkvault
sv case open --title t SCR-2026-01 >/dev/null
head -c 300000 /dev/urandom > "$T/a.bin"
head -c 200000 /dev/urandom > "$T/b.bin"
head -c 150000 /dev/urandom > "$T/c.bin"
sv doc checkin --case SCR-2026-01 --class imr "$T/a.bin" >/dev/null
sv doc checkin --case SCR-2026-01 --class imr "$T/b.bin" >/dev/null
sv doc checkin --case SCR-2026-01 --class imr "$T/c.bin" >/dev/null
docs=$(sv doc list --json | grep -o '"doc":"[0-9a-f]*"' | cut -d'"' -f4)
blob_of() {	# blob_of DOC -> object file path
	local oid; oid=$(git --git-dir="$V/store.git" ls-tree -r main | awk -v d="$1" '$4 ~ d {print $3}')
	echo "$V/store.git/objects/${oid:0:2}/${oid:2}"
}
doc_for() {	# doc_for FILE -> id
	for d in $docs; do sv doc checkout -o "$T/probe" --force "$d" 2>/dev/null; cmp -s "$T/probe" "$1" && { echo "$d"; return; }; done
}
A=$(doc_for "$T/a.bin"); B=$(doc_for "$T/b.bin"); C=$(doc_for "$T/c.bin")
[ -n "$A" ] && [ -n "$B" ] && [ -n "$C" ]; ok $? "three documents stored"
expect 0 "fsck is clean before tampering" -- sv fsck

# 1. flip one byte in the middle of A's object file
fa=$(blob_of "$A"); chmod u+w "$fa"; cp "$fa" "$T/a.orig"
size=$(stat -c %s "$fa"); off=$((size / 2))
printf "$(printf '\\x%02x' $(( ( $(od -An -tu1 -j$off -N1 "$fa") ^ 1 ) )))" | dd of="$fa" bs=1 seek=$off conv=notrunc 2>/dev/null
expect 5 "checkout of a flipped blob exits 5" -- sv doc checkout -o "$T/outA" "$A"
err_has "$A" "message names the document"
[ ! -e "$T/outA" ]; ok $? "nothing written to the output path"
! ls "$T"/.scrvault-checkout-* >/dev/null 2>&1; ok $? "no temporary file left behind"
expect 5 "fsck reports the flipped blob" -- sv fsck
out_has "$A"
mkdir "$T/batch"
expect 5 "batch check-out with one tampered document exits 5" -- sv doc checkout --case SCR-2026-01 -o "$T/batch"
err_has "$A" "the message names the tampered document"
[ "$(ls -A "$T/batch" | wc -l)" -eq 2 ]; ok $? "the two good documents were written, the tampered one not"
cp "$T/a.orig" "$fa"

# 2. truncate B's object
fb=$(blob_of "$B"); chmod u+w "$fb"; cp "$fb" "$T/b.orig"
truncate -s $(( $(stat -c %s "$fb") - 70000 )) "$fb"
expect 5 "checkout of a truncated blob exits 5" -- sv doc checkout -o "$T/outB" "$B"
err_has "$B" "message names the document"
[ ! -e "$T/outB" ]; ok $? "nothing written for the truncated blob"
expect 5 "fsck reports the truncated blob" -- sv fsck
out_has "$B"
cp "$T/b.orig" "$fb"

# 3. swap the blobs of B and C (each object file holds the other's bytes)
fc=$(blob_of "$C"); chmod u+w "$fc"; cp "$fc" "$T/c.orig"
cp "$T/b.orig" "$fc"; cp "$T/c.orig" "$fb"
expect 5 "checkout of a swapped blob exits 5" -- sv doc checkout -o "$T/outB" "$B"
[ ! -e "$T/outB" ]; ok $? "nothing written for the swapped blob"
expect 5 "checkout of the other swapped blob exits 5" -- sv doc checkout -o "$T/outC" "$C"
expect 5 "fsck reports both swapped blobs" -- sv fsck
out_has "$B"; out_has "$C"
cp "$T/b.orig" "$fb"; cp "$T/c.orig" "$fc"

# 4. delete A's object
rm -f "$fa"
expect 5 "checkout of a missing blob exits 5" -- sv doc checkout -o "$T/outA" "$A"
expect 5 "fsck reports the missing blob" -- sv fsck
cp "$T/a.orig" "$fa"
expect 0 "fsck is clean once every object is restored" -- sv fsck
expect 0 "and the documents come back" -- sv doc checkout -o "$T/outA" "$A"
cmp -s "$T/outA" "$T/a.bin"; ok $? "restored A is byte-identical"
finish
