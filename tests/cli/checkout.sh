#!/usr/bin/env bash
# The check-out read path: store.c reads our stored-block objects without
# zlib and falls back to zlib for anything else; the batch check-out decrypts
# on several threads.  Damaged objects fail with exit 5 naming the document,
# objects written by git (compressed or blocked differently) still read back,
# and a batch with a tampered document writes the others, names it and exits 5.
. "$(dirname "$0")/lib.bash"

command -v python3 >/dev/null || { skip "check-out read path" "no python3"; finish; exit; }

# zt.py: look at and rewrite loose objects (zlib streams) for the attacks.
cat >"$T/zt.py" <<'EOF'
import os, struct, sys, zlib

def load(p):
    return open(p, 'rb').read()

def save(p, d):
    os.chmod(p, 0o644)
    open(p, 'wb').write(d)

def stored(data, final):
    """Our writer's layout: stored blocks of at most 65535 bytes."""
    out, pieces = bytearray(), [data[i:i + 65535] for i in range(0, len(data), 65535)] or [b'']
    for k, piece in enumerate(pieces):
        n = len(piece)
        out += bytes([1 if final and k == len(pieces) - 1 else 0]) + struct.pack('<HH', n, n ^ 0xffff) + piece
    return bytes(out)

# fixed Huffman literal codes (RFC 1951 3.2.6), bit-reversed for LSB-first packing
def rev(code, n):
    return int(format(code, '0%db' % n)[::-1], 2)
LIT = [(rev(0x30 + b, 8), 8) if b < 144 else (rev(0x190 + b - 144, 9), 9) for b in range(256)]

def fixed(data, final):
    """One fixed-Huffman block of literals, from a byte boundary, padded to one."""
    out, acc, n = bytearray(), (1 if final else 0) | (1 << 1), 3
    for b in data:
        v, k = LIT[b]
        acc |= v << n
        n += k
        while n >= 8:
            out.append(acc & 0xff)
            acc >>= 8
            n -= 8
    n += 7      # end of block: seven zero bits
    while n > 0:
        out.append(acc & 0xff)
        acc >>= 8
        n -= 8
    return bytes(out)

def zwrap(body, raw, adler=None):
    a = zlib.adler32(raw) if adler is None else adler
    return b'\x78\x01' + body + struct.pack('>I', a)

cmd, path = sys.argv[1], sys.argv[2]
d = load(path)
if cmd == 'btype':          # BTYPE of the first block
    print((d[2] >> 1) & 3)
elif cmd == 'blocks':       # offsets of our stored-block headers
    off = 2
    while True:
        print(off)
        n = d[off + 1] | d[off + 2] << 8
        if d[off] & 1:
            break
        off += 5 + n
elif cmd == 'poke':         # poke FILE OFFSET HEXBYTES (offset < 0: from the end)
    off, b = int(sys.argv[3]), bytes.fromhex(sys.argv[4])
    if off < 0:
        off += len(d)
    save(path, d[:off] + b + d[off + len(b):])
else:
    raw = zlib.decompress(d)
    hdr, data = raw.split(b'\0', 1)
    kind = hdr.split(b' ')[0]
    if cmd == 'zlib0':      # zlib's own stored blocks
        new = zlib.compress(raw, 0)
    elif cmd == 'mixed':    # our stored blocks, then the rest as one fixed-Huffman block
        k = int(sys.argv[3])
        new = zwrap(stored(raw[:k], False) + fixed(raw[k:], True), raw)
    elif cmd == 'mixedbadadler':
        k = int(sys.argv[3])
        new = zwrap(stored(raw[:k], False) + fixed(raw[k:], True), raw, zlib.adler32(raw) ^ 1)
    elif cmd == 'sizeplus':  # header says one byte more than there is; checksum right
        r2 = kind + b' ' + str(len(data) + 1).encode() + b'\0' + data
        new = zwrap(stored(r2, True), r2)
    elif cmd == 'sizeminus':  # header says one byte less than there is
        r2 = kind + b' ' + str(len(data) - 1).encode() + b'\0' + data
        new = zwrap(stored(r2, True), r2)
    elif cmd == 'zeroblock':  # an empty stored block in the middle: still valid
        k = int(sys.argv[3])
        new = zwrap(stored(raw[:k], False) + stored(b'', False) + stored(raw[k:], True), raw)
    else:
        sys.exit('zt.py: unknown command ' + cmd)
    assert cmd in ('sizeplus', 'sizeminus', 'mixedbadadler') or zlib.decompress(new) == raw
    save(path, new)
EOF
zt() { python3 "$T/zt.py" "$@"; }

mkvault
sv case open --title t SCR-2026-01 >/dev/null
mkdir "$T/src"
head -c 300000 /dev/urandom > "$T/src/big.bin"		# five stored blocks
head -c 70000 /dev/urandom > "$T/src/mid.bin"
: > "$T/src/empty.bin"
printf 'x' > "$T/src/one.txt"
for i in $(seq 1 10); do head -c $((20000 + i * 7001)) /dev/urandom > "$T/src/doc$i.bin"; done
sv doc checkin --case SCR-2026-01 --class imr --json "$T"/src/* > "$T/in.json"
ok $? "fourteen documents checked in"
id_of() {	# id_of FILENAME
	python3 -c "import json,sys; print([d['doc'] for d in json.load(open(sys.argv[1])) if d['filename'] == sys.argv[2]][0])" "$T/in.json" "$1"
}
oid_of() { git --git-dir="$V/store.git" ls-tree -r main | awk -v d="$1" '$4 ~ d {print $3}'; }
obj_of() { local o; o=$(oid_of "$1"); echo "$V/store.git/objects/${o:0:2}/${o:2}"; }
BIG=$(id_of big.bin); MID=$(id_of mid.bin); EMPTY=$(id_of empty.bin); ONE=$(id_of one.txt)
FB=$(obj_of "$BIG"); cp "$FB" "$T/big.orig"
[ "$(zt blocks "$FB" | wc -l)" -eq 5 ]; ok $? "a 300 kB document is five stored blocks"

# checkout_fails DESC DOC: exit 5, the document named, nothing written, no temp file
checkout_fails() {
	rm -f "$T/got"
	expect 5 "$1: check-out exits 5" -- sv doc checkout -o "$T/got" "$2"
	err_has "$2" "$1: the message names the document"
	[ ! -e "$T/got" ] && ! ls "$T"/.scrvault-checkout-* >/dev/null 2>&1
	ok $? "$1: nothing written, no temporary file left"
}
checkout_same() {	# checkout_same DESC DOC ORIGINAL
	rm -f "$T/got"
	expect 0 "$1: check-out succeeds" -- sv doc checkout -o "$T/got" "$2"
	cmp -s "$T/got" "$3"; ok $? "$1: byte-identical"
}
restore() { cp "$T/big.orig" "$FB"; }
checkout_same "our stored blocks" "$BIG" "$T/src/big.bin"

# ---- damage to a stored-block object: every one is exit 5 --------------------------
B2=$(zt blocks "$FB" | sed -n 2p)	# offset of the second block's header
n2=$(( $(od -An -tu2 -j$((B2 + 1)) -N2 --endian=little "$FB") ))
zt poke "$FB" $((B2 + 3)) "$(printf '%04x' $(( (n2 ^ 0xffff) ^ 0x0100 )) | sed 's/\(..\)\(..\)/\2\1/')"
checkout_fails "NLEN not the complement of LEN" "$BIG"
err_has "invalid stored block lengths" "zlib names the bad lengths"
expect 5 "fsck reports the bad NLEN" -- sv fsck
restore
zt poke "$FB" $((B2 + 1)) "$(printf '%04x' $(( n2 - 1 )) | sed 's/\(..\)\(..\)/\2\1/')$(printf '%04x' $(( (n2 - 1) ^ 0xffff )) | sed 's/\(..\)\(..\)/\2\1/')"
checkout_fails "LEN and NLEN changed together (blocks out of step)" "$BIG"
restore
zt poke "$FB" 2 06	# BTYPE 11: reserved
checkout_fails "first block of the reserved type 11" "$BIG"
restore
zt poke "$FB" -1 "$(printf '%02x' $(( $(od -An -tu1 -j$(( $(stat -c %s "$FB") - 1 )) -N1 "$FB") ^ 1 )))"
checkout_fails "wrong adler32 (the data itself intact)" "$BIG"
err_has "incorrect data check" "zlib names the bad checksum"
expect 5 "fsck reports the wrong adler32" -- sv fsck
restore
truncate -s $(( $(stat -c %s "$FB") - 2 )) "$FB"
checkout_fails "truncated inside the adler32" "$BIG"
restore
truncate -s $(( B2 + 3 )) "$FB"
checkout_fails "truncated inside a block header" "$BIG"
restore
truncate -s $(( B2 - 1000 )) "$FB"
checkout_fails "truncated inside a block" "$BIG"
restore
printf 'G' >> "$FB"
checkout_fails "one byte of garbage after the stream" "$BIG"
err_has "garbage after the zlib stream"
restore
zt sizeplus "$FB"
checkout_fails "object header one byte longer than the data" "$BIG"
restore
zt sizeminus "$FB"
checkout_fails "object header one byte shorter than the data" "$BIG"
restore
zt mixedbadadler "$FB" 70000
checkout_fails "stored then compressed, wrong adler32" "$BIG"
restore
expect 0 "fsck is clean after the restores" -- sv fsck

# ---- other valid layouts read back ----------------------------------------------------
zt zeroblock "$FB" 1000
checkout_same "an empty stored block in the middle" "$BIG" "$T/src/big.bin"
restore
zt zlib0 "$FB"
checkout_same "zlib's own stored blocks (level 0)" "$BIG" "$T/src/big.bin"
restore
zt mixed "$FB" 70000
[ "$(zt btype "$FB")" = 0 ]; ok $? "mixed object starts with a stored block"
checkout_same "stored blocks, then a compressed one (falls back mid-stream)" "$BIG" "$T/src/big.bin"
expect 0 "fsck accepts it" -- sv fsck
restore

# Objects written by plain git: removed, then written again by git hash-object -w.
# The store's core.bigFileThreshold=1 makes git put anything bigger than a
# byte straight into a pack; raised, git writes a loose object (compressed
# at level 9: only small objects end up compressed, ciphertext does not).
rewrite_with_git() {	# rewrite_with_git DOC LEVEL loose|pack
	local oid obj new big=()
	oid=$(oid_of "$1"); obj="$V/store.git/objects/${oid:0:2}/${oid:2}"
	[ "$3" = loose ] && big=(-c core.bigFileThreshold=512m)
	git --git-dir="$V/store.git" cat-file blob "$oid" > "$T/ct" &&
	rm -f "$obj" &&
	new=$(git --git-dir="$V/store.git" "${big[@]}" -c core.compression="$2" -c core.looseCompression="$2" \
		hash-object -w "$T/ct") &&
	[ "$new" = "$oid" ] && if [ "$3" = loose ]; then [ -f "$obj" ]; else [ ! -e "$obj" ]; fi
}
rewrite_with_git "$EMPTY" 9 loose; ok $? "git hash-object -w rewrote the empty document's blob (loose)"
[ "$(zt btype "$(obj_of "$EMPTY")")" = 1 ]; ok $? "git compressed it (fixed Huffman block)"
checkout_same "a compressed blob written by git" "$EMPTY" "$T/src/empty.bin"
rewrite_with_git "$ONE" 9 loose; ok $? "git rewrote the one-byte document's blob (loose)"
[ "$(zt btype "$(obj_of "$ONE")")" != 0 ]; ok $? "git compressed it too"
checkout_same "another compressed blob written by git" "$ONE" "$T/src/one.txt"
rewrite_with_git "$MID" 1 loose; ok $? "git rewrote a 70 kB blob at level 1 (loose)"
[ "$(zt btype "$(obj_of "$MID")")" = 0 ]; ok $? "zlib stored it (ciphertext does not compress), in its own blocks"
checkout_same "zlib's stored blocks as git writes them" "$MID" "$T/src/mid.bin"
D1=$(id_of doc1.bin)
rewrite_with_git "$D1" 9 pack; ok $? "plain git hash-object -w put doc1's blob into a pack"
checkout_same "a packed blob (read by libgit2)" "$D1" "$T/src/doc1.bin"
expect 0 "fsck accepts the objects written by git" -- sv fsck

# ---- batch check-out on several threads ------------------------------------------------
# (three of them are now git's: two compressed loose objects and a packed one)
mkdir "$T/all4"
SCRVAULT_TEST_CHECKOUT_THREADS=4 expect 0 "batch check-out of 14 documents on 4 threads" -- \
	svh doc checkout --case SCR-2026-01 -o "$T/all4"
diff -r "$T/src" "$T/all4" >/dev/null; ok $? "every document byte-identical"
mkdir "$T/all1"
SCRVAULT_TEST_CHECKOUT_THREADS=1 expect 0 "the same on one thread" -- svh doc checkout --case SCR-2026-01 -o "$T/all1"
diff -r "$T/src" "$T/all1" >/dev/null; ok $? "every document byte-identical"
mkdir "$T/alld"
expect 0 "the same with the default number of workers" -- sv doc checkout --case SCR-2026-01 -o "$T/alld"
diff -r "$T/src" "$T/alld" >/dev/null; ok $? "every document byte-identical"

D5=$(id_of doc5.bin); F5=$(obj_of "$D5"); cp "$F5" "$T/d5.orig"
size=$(stat -c %s "$F5"); off=$((size / 2))
zt poke "$F5" $off "$(printf '%02x' $(( $(od -An -tu1 -j$off -N1 "$F5") ^ 0x20 )))"
for th in 4 2 1; do
	mkdir "$T/t$th"
	SCRVAULT_TEST_CHECKOUT_THREADS=$th expect 5 "one tampered document among 14, $th thread(s): exit 5" -- \
		svh doc checkout --case SCR-2026-01 -o "$T/t$th"
	err_has "$D5" "$th thread(s): the message names the tampered document"
	err_has "1 document failed the integrity check" "$th thread(s): and says one failed"
	[ ! -e "$T/t$th/doc5.bin" ]; ok $? "$th thread(s): nothing written for it"
	[ "$(ls -A "$T/t$th" | wc -l)" -eq 13 ]; ok $? "$th thread(s): the 13 others written, no temporary file"
	ok "$( (cd "$T/t$th" && for f in *; do cmp -s "$f" "$T/src/$f" || echo "$f"; done) | wc -l)" \
		"$th thread(s): each of them byte-identical"
done
sv audit export -o "$T/audit.jsonl" >/dev/null 2>&1
[ "$(grep -c "\"action\":\"doc.checkout\".*\"doc\":\"$D5\".*\"outcome\":\"integrity-failure\"" "$T/audit.jsonl")" -eq 3 ]
ok $? "each failure is an audit entry (integrity-failure) for the tampered document"

# two tampered, one by a bad adler32 only
D8=$(id_of doc8.bin); F8=$(obj_of "$D8"); cp "$F8" "$T/d8.orig"
zt poke "$F8" -2 "$(printf '%02x' $(( $(od -An -tu1 -j$(( $(stat -c %s "$F8") - 2 )) -N1 "$F8") ^ 4 )))"
mkdir "$T/two"
SCRVAULT_TEST_CHECKOUT_THREADS=4 expect 5 "two damaged documents: exit 5" -- svh doc checkout --case SCR-2026-01 -o "$T/two"
err_has "2 documents failed the integrity check" "both counted"
err_has "$D5" "the first named"; err_has "$D8" "the second named"
[ "$(ls -A "$T/two" | wc -l)" -eq 12 ]; ok $? "the 12 good ones written"
cp "$T/d5.orig" "$F5"; cp "$T/d8.orig" "$F8"

# A failure that is not about integrity stops the batch with its own error.
mkdir "$T/hard" "$T/hard/doc3.bin"
SCRVAULT_TEST_CHECKOUT_THREADS=4 expect 1 "an unwritable destination fails the batch (exit 1)" -- \
	svh doc checkout --force --case SCR-2026-01 -o "$T/hard"
err_has "doc3.bin" "the message names the file"
! ls "$T/hard"/.scrvault-checkout-* >/dev/null 2>&1; ok $? "no temporary file left"
# ---- names in a batch: the latest version's file name, clashes prefixed ------------
sv case open --title names SCR-2026-02 >/dev/null
printf 'first\n' > "$T/s1"; printf 'second\n' > "$T/s2"; printf 'old\n' > "$T/o1"; printf 'new\n' > "$T/o2"
sv doc checkin --case SCR-2026-02 --class imr --filename same.txt "$T/s1" >/dev/null
sv doc checkin --case SCR-2026-02 --class imr --filename same.txt "$T/s2" >/dev/null
sv doc checkin --case SCR-2026-02 --class imr --filename old.txt --json "$T/o1" > "$T/o.json"
Z=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[0]['doc'])" "$T/o.json")
sv doc checkin --doc "$Z" --filename new.txt "$T/o2" >/dev/null
mkdir "$T/names"
SCRVAULT_TEST_CHECKOUT_THREADS=3 expect 0 "batch check-out of a case with a repeated name" -- \
	svh doc checkout --case SCR-2026-02 -o "$T/names"
[ "$(ls -A "$T/names" | wc -l)" -eq 3 ]; ok $? "three files"
cmp -s "$T/names/new.txt" "$T/o2" && [ ! -e "$T/names/old.txt" ]
ok $? "the latest version, under its own file name"
p=$(ls "$T/names" | grep -- '-same\.txt$')
[ -f "$T/names/same.txt" ] && [ -n "$p" ] && sv doc list --case SCR-2026-02 --json | grep -q "\"doc\":\"${p%%-same.txt}"
ok $? "the repeated name gets its document id's first 8 characters in front"
cat "$T/names/same.txt" "$T/names/$p" | sort | tr -d '\n' | grep -qx 'firstsecond'; ok $? "and each file holds its own document"
expect 6 "a second batch into the same directory refuses to overwrite" -- sv doc checkout --case SCR-2026-02 -o "$T/names"
err_has "already exists"
expect 0 "with --force it replaces them" -- sv doc checkout --force --case SCR-2026-02 -o "$T/names"
[ "$(ls -A "$T/names" | wc -l)" -eq 3 ]; ok $? "still three files, no temporary file"
expect 0 "fsck is clean at the end" -- sv fsck
finish
