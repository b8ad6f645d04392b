#!/usr/bin/env bash
# Crash safety: SIGKILL `doc checkin` at random points during many check-ins.
# After every kill fsck is clean, and every check-in that reported success
# comes back byte-identical.
. "$(dirname "$0")/lib.bash"

ROUNDS=${SCRVAULT_CRASH_ROUNDS:-200}
[ -n "$QUICK" ] && ROUNDS=40
mkvault
sv case open --title t SCR-2026-01 >/dev/null
# How long one check-in takes here (sanitizers and load change it a lot):
# kills are spread over 0-120 % of that.
head -c 1500000 /dev/urandom > "$T/probe"
t0=$(date +%s%N); sv doc checkin --case SCR-2026-01 --class other "$T/probe" >/dev/null
span=$(( ($(date +%s%N) - t0) / 1000000 * 12 / 10 + 1 ))
echo "# one check-in takes about $((span * 10 / 12)) ms; killing within 0-$span ms"
killed=0; survived=0; bad=0
for i in $(seq 1 "$ROUNDS"); do
	head -c $(( (RANDOM * 37 + i * 1000) % 3000000 )) /dev/urandom > "$T/in$i"
	# (exec: the kill reaches scrvault itself, not a subshell running it)
	( exec "$SV" --vault "$V" --key "$K" --passphrase-file "$P" doc checkin --case SCR-2026-01 --class other \
		--json "$T/in$i" > "$T/res$i" 2>/dev/null ) &
	pid=$!
	ms=$(( (RANDOM * 32768 + RANDOM) % span ))
	sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
	if kill -9 "$pid" 2>/dev/null; then killed=$((killed + 1)); fi
	wait "$pid" 2>/dev/null; rc=$?
	if [ $rc -eq 0 ]; then
		d=$(grep -o '"doc":"[0-9a-f]*"' "$T/res$i" | cut -d'"' -f4)
		echo "$i $d" >> "$T/ok"
		survived=$((survived + 1))
	fi
	if ! sv fsck > "$T/fsck" 2>&1; then
		bad=$((bad + 1)); echo "# fsck failed after round $i:"; sed 's/^/#   /' "$T/fsck" | head -5
	fi
done
echo "# $ROUNDS rounds: $killed killed, $survived completed"
ok $bad "fsck clean after every kill ($ROUNDS rounds)"
[ "$killed" -gt 0 ] && [ "$survived" -gt 0 ]; ok $? "some check-ins were killed and some completed"
lost=0
while read -r i d; do
	sv doc checkout -o "$T/back" --force "$d" 2>/dev/null && cmp -s "$T/back" "$T/in$i" || { lost=$((lost + 1)); echo "# round $i ($d) did not come back"; }
done < <(cat "$T/ok" 2>/dev/null)
ok $lost "every reported check-in comes back byte-identical"
# ---- plaintext outputs (issue 18, item 7) --------------------------------------------------
# A single check-out, `open` and a backup are written to an unnamed file
# linked in only when complete: KILLS kills at random times leave in the
# output directory nothing but complete files (no partial plaintext, no
# hidden temporary file).
KILLS=${SCRVAULT_CRASH_KILLS:-50}
head -c 4000000 /dev/urandom > "$T/big"
BIG=$(sv doc checkin --case SCR-2026-01 --class other --json "$T/big" | grep -o '"doc":"[0-9a-f]*"' | cut -d'"' -f4)
# killrounds NAME WANT CMD...: CMD writes $O/NAME$i (the "@" in CMD); kill
# it at a random time within 0-120 % of one run; afterwards the directory
# holds nothing or exactly the complete file: the same bytes as file WANT,
# or with WANT ":FUNC" a file that FUNC FILE accepts.
killrounds() {
	local name=$1 want=$2 i pid ms span t0 bad=0 full=0 f; shift 2
	O="$T/out-$name"; mkdir -p "$O"
	t0=$(date +%s%N); "${@/@/$O/probe}" >/dev/null 2>"$T/probe.err"
	span=$(( ($(date +%s%N) - t0) / 1000000 * 12 / 10 + 1 ))
	# (the probe: the command works and its whole output passes the check)
	if if [ "${want:0:1}" = : ]; then "${want:1}" "$O/probe"; else cmp -s "$O/probe" "$want"; fi; then
		ok 0 "$name: one run untouched writes the whole file"
	else
		ok 1 "$name: one run untouched writes the whole file"; sed "s/^/#   /" "$T/probe.err"
	fi
	rm -f "$O/probe"
	for i in $(seq 1 "$KILLS"); do
		# (exec: the kill reaches scrvault itself, not a subshell running it)
		( exec "${@/@/$O/$name$i}" >/dev/null 2>&1 ) &
		pid=$!
		ms=$(( (RANDOM * 32768 + RANDOM) % span ))
		sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
		kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
		for f in $(ls -A "$O"); do
			if [ "$f" = "$name$i" ] && if [ "${want:0:1}" = : ]; then "${want:1}" "$O/$f"
						  else cmp -s "$O/$f" "$want"; fi; then
				full=$((full + 1)); rm -f "$O/$f"
			else
				bad=$((bad + 1)); echo "# $name round $i: left '$f' ($(stat -c %s "$O/$f") bytes)"; rm -rf "${O:?}/$f"
			fi
		done
	done
	echo "# $name: $KILLS kills within 0-$span ms, $full completed"
	ok $bad "$name: $KILLS kills at random times leave no partial file and no temporary file"
}
SVC=("$SV" --vault "$V" --key "$K" --passphrase-file "$P")
killrounds checkout "$T/big" "${SVC[@]}" doc checkout -o @ "$BIG"
# Replacing (--force): the name holds the old file or the whole new one.
O="$T/out-force"; mkdir -p "$O"; bad=0
for i in $(seq 1 10); do
	echo old > "$O/f"
	( exec "${SVC[@]}" doc checkout --force -o "$O/f" "$BIG" >/dev/null 2>&1 ) &
	pid=$!; sleep "0.$((RANDOM % 4))$((RANDOM % 10))"; kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
	{ echo old | cmp -s - "$O/f" || cmp -s "$O/f" "$T/big"; } && [ "$(ls -A "$O")" = f ] ||
		{ bad=$((bad + 1)); echo "# force round $i: $(ls -A "$O" | tr '\n' ' ')"; }
done
ok $bad "--force: a kill leaves the old file or the whole new one, and nothing else"
# What a kill can leave: a hidden name (a replacement between link and
# rename, or a file system without O_TMPFILE).  Its writer holds a lock on it
# while it lives; the next output into the directory removes the ones that
# nobody holds, and nothing else.
O="$T/out-sweep"; mkdir -p "$O" "$T/elsewhere"
echo "plaintext a killed check-out left" > "$O/.scrvault-out-0123456789abcdef"
echo "a writer still at work" > "$O/.scrvault-out-fedcba9876543210"
flock -x "$O/.scrvault-out-fedcba9876543210" sh -c "touch '$T/held'; exec sleep 60" & holder=$!
echo "someone else's file" > "$T/elsewhere/keep"
ln -s "$T/elsewhere/keep" "$O/.scrvault-out-link"
mkdir "$O/.scrvault-out-dir"; echo "x" > "$O/.scrvault-other"
for _ in $(seq 1 100); do [ -e "$T/held" ] && break; sleep 0.05; done
expect 0 "a check-out into that directory" -- sv doc checkout -o "$O/new" "$BIG"
[ ! -e "$O/.scrvault-out-0123456789abcdef" ]; ok $? "...removes the hidden file a killed writer left"
[ -e "$O/.scrvault-out-fedcba9876543210" ]; ok $? "...but not one whose writer is still at work (it holds the lock)"
[ -L "$O/.scrvault-out-link" ] && [ "$(cat "$T/elsewhere/keep")" = "someone else's file" ]
ok $? "...follows no symbolic link"
[ -d "$O/.scrvault-out-dir" ] && [ -e "$O/.scrvault-other" ]; ok $? "...and touches nothing else"
kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null
sv doc release "$BIG" --to coord -o "$T/rel.age" >/dev/null 2>&1 || sv doc release "$BIG" --to coord -o "$T/rel.age"
killrounds open "$T/big" "$SV" open --key "$K" --passphrase-file "$P" -o @ "$T/rel.age"
backup_ok() { "$SV" backup verify "$1" >/dev/null 2>&1; }
killrounds backup :backup_ok "${SVC[@]}" backup create -o @
expect 0 "the next backup after the kills succeeds" -- sv backup create -o "$T/final.bak"
[ ! -e "$V/backup.tmp" ]; ok $? "...and removed the working copy an interrupted one left"
# A printed copy: the stamped PDF, whole (the sheet and every page of the master) or not at all.
if command -v pdfinfo >/dev/null; then
	sv doc checkin --case SCR-2026-01 --class overview-report --title "Overview" "$SAMPLES/overview-report.pdf" >/dev/null
	PDF=$(sv doc list --json | python3 -c 'import json,sys; print([d["doc"] for d in json.load(sys.stdin) if d["title"] == "Overview"][0])')
	sv copy create "$PDF" --count 1 >/dev/null
	sv copy issue "$PDF@1#1" --to coord --purpose "panel meeting" --due 2099-01-01 >/dev/null
	pages=$(( $(pdfinfo "$SAMPLES/overview-report.pdf" | awk '/^Pages:/ {print $2}') + 1 ))
	print_ok() { [ "$(pdfinfo "$1" 2>/dev/null | awk '/^Pages:/ {print $2}')" = "$pages" ] &&
		     tail -c 64 "$1" | grep -q '%%EOF'; }
	CID=$(sv copy list --doc "$PDF" --json | grep -o '"copy":[0-9]*' | cut -d: -f2)	# (no "@" in it)
	killrounds print :print_ok "${SVC[@]}" copy print "$CID" -o @
else
	skip "printed copies killed" "pdfinfo not installed"
fi
expect 0 "fsck is clean after the kills" -- sv fsck

# ---- a read-only vault (issue 18, item 7) ---------------------------------------------------------
# As root, modes do not stop writes: the vault is mounted read-only (a
# private mount namespace, a read-only bind mount over it).
ro() {		# ro ARGS...: scrvault on the vault mounted read-only
	unshare -m sh -c 'mount --bind "$1" "$1" && mount -o remount,ro,bind "$1" "$1" && shift && exec "$@"' \
		sh "$V" "$SV" --vault "$V" --key "$K" --passphrase-file "$P" "$@"
}
can_ro=1
if [ "$(id -u)" -ne 0 ]; then
	chmod -R a-w "$V"
	ro() { sv "$@"; }
elif ! unshare -m sh -c "mount --bind '$T' '$T' && mount -o remount,ro,bind '$T' '$T'" 2>/dev/null; then
	can_ro=0
fi
if [ $can_ro = 1 ]; then
	h0=$(tree_hash "$V")
	for c in "case list" "case show SCR-2026-01" "doc list" "doc show $BIG" "doc log $BIG" \
		 "audit verify" "audit show 1" "audit tail" "fsck"; do
		# shellcheck disable=SC2086
		expect 0 "read-only vault: $c" -- ro $c
	done
	expect 6 "read-only vault: a change is refused" -- ro case open --title t SCR-2026-99
	err_has "read-only"
	[ "$(tree_hash "$V")" = "$h0" ]; ok $? "...and the vault is unchanged"
	[ "$(id -u)" -ne 0 ] && chmod -R u+w "$V"
else
	skip "read-only vault" "cannot mount read-only here"
fi
# The same with file modes, as the unprivileged account that owns the vault
# (root ignores modes; the account cannot): its files are all read-only.
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	R=$(mktemp -d "${TMPDIR:-/tmp}/sv-ro.XXXXXX"); chmod 755 "$R"
	cp -a "$V" "$R/vault"; cp "$K" "$R/key"; cp "$P" "$R/pass"
	# (a copy of the program: the account may not reach the build, e.g. under /root)
	cp "$SV" "$R/scrvault"
	chown -R 65534:65534 "$R"; chmod -R a-w "$R/vault"; chmod 400 "$R/key" "$R/pass"
	nob() { setpriv --reuid=65534 --regid=65534 --clear-groups env HOME="$R" \
		"$R/scrvault" --vault "$R/vault" --key "$R/key" --passphrase-file "$R/pass" "$@"; }
	h0=$(tree_hash "$R/vault")
	for c in "case list" "doc show $BIG" "audit verify" "fsck"; do
		# shellcheck disable=SC2086
		expect 0 "files the account cannot write: $c" -- nob $c
	done
	expect 6 "...a change is refused" -- nob case open --title t SCR-2026-99
	err_has "read-only"
	[ "$(tree_hash "$R/vault")" = "$h0" ]; ok $? "...and the vault is unchanged"
	rm -rf "$R"
else
	skip "read-only vault files" "not root: the modes above were the test"
fi
finish
