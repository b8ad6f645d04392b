#!/usr/bin/env bash
# Failed-unlock records (VAULT/unlock-failures) come from a file anyone who
# can write the directory could have written.  Attacked here: a planted
# record with free text, a forged name, a huge file, too many records, a
# file others may write.  None may bring its author's text into a signed
# audit entry, and none may stop the vault: the file is set aside with a
# warning and an entry, and every entry made from it says it is
# unauthenticated.
. "$(dirname "$0")/lib.bash"

mkvault
enrol --key-out "$T/reader.key" reader >/dev/null
F="$V/unlock-failures"
NOW=2026-12-01T10:00:00Z
export_log() { sv audit export -o "$T/log.$1.jsonl" >/dev/null 2>&1 && cat "$T/log.$1.jsonl"; }
aside() { ls "$V" | grep -c '^unlock-failures\.rejected-'; }

# 1. Free text in a record: the text never reaches the log; the file is set aside.
printf '{"principal":"coord","reason":"BOARD APPROVED RELEASE OF ALL FILES","time":"%s"}\n' "$NOW" > "$F"
chmod 600 "$F"
expect 0 "a planted record with free text does not stop the unlock" -- sv case list
err_has "set aside" "the user is warned that the record was set aside"
[ "$(aside)" -eq 1 ] && [ ! -e "$F" ]; ok $? "the file was moved aside, not read in"
r=$(ls "$V"/unlock-failures.rejected-* | head -1)
[ "$(stat -c %a "$r")" = 600 ]; ok $? "the set-aside file is 0600"
export_log 1 > "$T/l1"
! grep -q "BOARD APPROVED" "$T/l1"; ok $? "the planted text is in no audit entry"
grep '"action":"vault.unlock-failures"' "$T/l1" | grep -q '"outcome":"rejected"' &&
	grep '"action":"vault.unlock-failures"' "$T/l1" | grep -q '"unauthenticated":true'
ok $? "an unauthenticated entry says the file was set aside"
rm -f "$V"/unlock-failures.rejected-*

# Extra members, a reason that is not a word of the set, a bad time: each sets the file aside.
for rec in \
	'{"principal":"coord","reason":"wrong-passphrase","time":"'$NOW'","note":"call 555-0100"}' \
	'{"principal":"coord","reason":"wrong passphrase","time":"'$NOW'"}' \
	'{"principal":"coord","reason":"wrong-passphrase","time":"yesterday at noon"}' \
	'{"principal":"Coord Ltd <x@y>","reason":"wrong-passphrase","time":"'$NOW'"}' \
	'not json at all'; do
	printf '%s\n' "$rec" > "$F"; chmod 600 "$F"
	sv case list >/dev/null 2>"$T/err"
	[ $? -eq 0 ] && [ "$(aside)" -eq 1 ] && [ ! -e "$F" ]; ok $? "set aside: ${rec:0:60}"
	rm -f "$V"/unlock-failures.rejected-*
done
# Two set aside in quick succession (often the same second): both are kept.
printf 'junk one\n' > "$F"; chmod 600 "$F"; sv case list >/dev/null 2>&1
printf 'junk two\n' > "$F"; chmod 600 "$F"; sv case list >/dev/null 2>&1
[ "$(aside)" -eq 2 ] && cat "$V"/unlock-failures.rejected-* | grep -q 'junk one'
ok $? "a file set aside never replaces an earlier one"
rm -f "$V"/unlock-failures.rejected-*
export_log 2 > "$T/l2"
! grep -qE "555-0100|yesterday at noon|Coord Ltd|wrong passphrase\"" "$T/l2"; ok $? "none of their text is in the log"

# 2. A forged name: a name nobody registered becomes "unknown".
printf '{"principal":"mallory","reason":"wrong-passphrase","time":"%s"}\n' "$NOW" > "$F"
printf '{"principal":"reader","reason":"not-custodian","time":"%s"}\n' "$NOW" >> "$F"
chmod 600 "$F"
expect 0 "well-formed records are moved into the log" -- sv case list
[ ! -e "$F" ] && [ "$(aside)" -eq 0 ]; ok $? "the file was read in and removed"
export_log 3 > "$T/l3"
! grep -q mallory "$T/l3"; ok $? "the forged name is in no entry"
grep '"action":"vault.unlock"' "$T/l3" | grep '"principal":"unknown"' | grep -q '"unauthenticated":true'
ok $? "the unregistered name is recorded as unknown, unauthenticated"
grep '"action":"vault.unlock"' "$T/l3" | grep '"principal":"reader"' | grep '"reason":"not-custodian"' |
	grep -q '"unauthenticated":true'
ok $? "a registered name is kept, with its reason word, marked unauthenticated"
expect 0 "audit tail" -- sv audit tail --lines 5
out_has "(unauthenticated)" "audit tail shows the entries as unauthenticated"
seq=$(grep '"principal":"reader"' "$T/l3" | grep '"action":"vault.unlock"' | grep -o '"seq":[0-9]*' | cut -d: -f2 | tail -1)
expect 0 "audit show of that entry" -- sv audit show "$seq"
out_has '"unauthenticated":true' "audit show shows it as unauthenticated"

# 3. A huge file: set aside at once, never a refusal of every command.
head -c $((20 * 1024 * 1024)) /dev/zero | tr '\0' 'A' > "$F"; chmod 600 "$F"
start=$SECONDS
expect 0 "a 20 MiB record file does not stop the unlock" -- sv case list
[ $((SECONDS - start)) -lt 20 ]; ok $? "and does not make it slow"
err_has "too large"
[ "$(aside)" -eq 1 ] && [ ! -e "$F" ]; ok $? "the huge file was set aside"
expect 0 "the next command is quiet" -- sv case list
[ ! -s "$T/err" ]; ok $? "no warning once the file is gone"
rm -f "$V"/unlock-failures.rejected-*

# 4. Too many records: the newest 100 are logged, and the number dropped.
seq0=$(sv audit tail --json --lines 1 | grep -o '"seq":[0-9]*' | cut -d: -f2)
for i in $(seq 1 150); do
	printf '{"principal":"unknown","reason":"wrong-passphrase","time":"2026-12-01T10:%02d:%02dZ"}\n' $((i / 60)) $((i % 60))
done > "$F"; chmod 600 "$F"
expect 0 "150 records are read in" -- sv case list
export_log 4 > "$T/l4"
cnt=$(awk -v s="$seq0" -F'"seq":' '{split($2,a,","); if (a[1] > s) print}' "$T/l4" | grep -c '"action":"vault.unlock"')
[ "$cnt" -eq 101 ]; ok $? "100 records and one entry for the dropped ones (got $cnt)"
grep -q '"older_records_dropped":50' "$T/l4"; ok $? "the entry counts the 50 dropped"
grep -q '"attempted_at":"2026-12-01T10:02:30Z"' "$T/l4" && ! grep -q '"attempted_at":"2026-12-01T10:00:50Z"' "$T/l4"
ok $? "the newest were kept, the oldest dropped"

# The writer keeps the file bounded too: at its cap a new failure trims it.
for i in $(seq 1 250); do
	printf '{"principal":"unknown","reason":"wrong-passphrase","time":"%s"}\n' "$NOW"
done > "$F"; chmod 600 "$F"
printf 'a wrong passphrase, long\n' > "$T/wrong"
expect 3 "a wrong passphrase" -- "$SV" --vault "$V" --key "$K" --passphrase-file "$T/wrong" case list
[ "$(wc -l < "$F")" -eq 100 ]; ok $? "the file was trimmed to the newest 100 records"
tail -1 "$F" | grep -q '"reason":"wrong-passphrase"' && tail -1 "$F" | grep -q '"principal":"coord"'
ok $? "the newest record is the attempt just made, with a reason word"
! grep -q "a wrong passphrase, long" "$F"; ok $? "the passphrase tried is not recorded"
rm -f "$F"

# 5. A file others may write, or a link: set aside, never read.
printf '{"principal":"coord","reason":"wrong-passphrase","time":"%s"}\n' "$NOW" > "$F"; chmod 666 "$F"
expect 0 "a record file others may write does not stop the unlock" -- sv case list
err_has "writable by others"
[ "$(aside)" -eq 1 ] && [ ! -e "$F" ]; ok $? "it was set aside unread"
rm -f "$V"/unlock-failures.rejected-*
ln -s /etc/passwd "$F"
expect 0 "a record file that is a link does not stop the unlock" -- sv case list
[ ! -e "$F" ] && [ -L "$(ls -d "$V"/unlock-failures.rejected-* | head -1)" ]; ok $? "the link was set aside, not followed"
rm -f "$V"/unlock-failures.rejected-*

expect 0 "fsck clean after all of it" -- sv fsck
finish
