#!/usr/bin/env bash
# The shipped jobs work as shipped.  `make install-system DESTDIR=...` stages
# the programs, the units, the cron lines, the jobs' scripts and the scrvault
# account's directories (0700), and only says what it would do to the host's
# accounts.  A uid that is not the tests' own (JU, standing in for the
# scrvault account) owns the staged directories, makes the vault in them and
# the two jobs' service principals; then the purge and the backup run as that
# uid (setpriv), through the commands the staged units and cron lines run,
# with the units' environment: both succeed and leave their audit entries.
# The jobs ask the staged service (scrvaultd, as that uid, on the staged
# socket) and never touch the vault's files: they run with the vault made
# unreadable to them.  A job that fails exits non-zero (and the cron line
# calls the notify hook); each job's key does nothing but its job; the hook
# logs and mails; the units pass systemd-analyze verify.  Everything lives under the suite's temporary
# directory: nothing is left on the host.
. "$(dirname "$0")/lib.bash"

JU=61234	# an unused uid and gid: the "scrvault" account of this staged host
if [ "$(id -u)" -ne 0 ]; then
	skip "the jobs run as the vault's own account" "not root: setpriv needs root to change uid"
	finish; exit
fi
if ! command -v setpriv >/dev/null; then
	skip "the jobs run as the vault's own account" "no setpriv (util-linux)"
	finish; exit
fi
if getent passwd "$JU" >/dev/null || getent group "$JU" >/dev/null; then
	skip "the jobs run as the vault's own account" "uid or gid $JU is in use on this host"
	finish; exit
fi

B=$(dirname "$SV")
S="$T/stage"
U=usr/local
accounts() { getent passwd scrvault; getent group scrvault; }
BEFORE=$(accounts)

# ---- the staged installation -------------------------------------------------------------------
make -s -C "$ROOT" --no-print-directory install-system BUILD="$B" DESTDIR="$S" >"$T/out" 2>&1
rc=$?; [ $rc -ne 0 ] && sed 's/^/#   /' "$T/out" | tail -5
ok $rc "make install-system DESTDIR=... succeeds"
out_has "would run, unless the account exists:"
out_has "adduser --system --group --home /var/lib/scrvault --no-create-home --shell /usr/sbin/nologin scrvault"
[ "$(accounts)" = "$BEFORE" ]; ok $? "...and the host's accounts are as they were"
for d in var/lib/scrvault var/lib/scrvault/vault var/lib/scrvault/keys var/lib/scrvault/custodians var/backups/scrvault; do
	[ -d "$S/$d" ] && [ "$(stat -c %a "$S/$d")" = 700 ]; ok $? "stages /$d, mode 0700"
done
for f in $U/lib/systemd/system/scrvault-purge.service $U/lib/systemd/system/scrvault-purge.timer \
	 $U/lib/systemd/system/scrvault-backup.service $U/lib/systemd/system/scrvault-backup.timer \
	 $U/lib/systemd/system/scrvault-notify@.service $U/libexec/scrvault/scrvault-backup-job \
	 $U/libexec/scrvault/scrvault-notify $U/share/scrvault/scrvault.cron etc/cron.d/scrvault etc/scrvault/notify; do
	[ -f "$S/$f" ]; ok $? "installs /$f"
done
UD="$S/$U/lib/systemd/system"
! grep -q '@[A-Z]*@' "$UD"/scrvault-* "$S/etc/cron.d/scrvault"; ok $? "every path in the units and the cron lines is filled in"
for j in purge backup; do
	f="$UD/scrvault-$j.service"
	for want in User=scrvault Group=scrvault "OnFailure=scrvault-notify@%n.service" NoNewPrivileges=yes \
		    ProtectSystem=strict "InaccessiblePaths=-/var/lib/scrvault/vault" PrivateTmp=yes ProtectHome=yes \
		    PrivateNetwork=yes "Wants=scrvaultd.service" "After=.*scrvaultd.service" \
		    "Environment=SCRVAULT_SERVER=unix:/run/scrvault/scrvaultd.sock" \
		    "Environment=SCRVAULT_KEY=/var/lib/scrvault/keys/$j.key"; do
		grep -q "^$want" "$f"; ok $? "scrvault-$j.service: $want"
	done
	! grep -q '^ReadWritePaths=.*/var/lib/scrvault' "$f" && ! grep -q '^Environment=SCRVAULT_DIR' "$f"
	ok $? "scrvault-$j.service: no access to the vault's files, no vault directory named"
done
[ -f "$UD/scrvaultd.service" ]; ok $? "installs the service's unit"
grep -q '^ExecStart=/usr/local/libexec/scrvault/scrvault-notify %i$' "$UD/scrvault-notify@.service"
ok $? "the notify template runs the shipped hook with the failed unit's name"
awk '!/^#/ && NF >= 7 && $6 != "scrvault" { bad = 1 } END { exit bad }' "$S/etc/cron.d/scrvault"
ok $? "every cron line runs as the scrvault account"

# What a command of the staged host is on this one: the same paths under $S.
onhost() { sed -e "s|/usr/local/|$S/usr/local/|g" -e "s|/var/lib/scrvault|$S/var/lib/scrvault|g" -e "s|/run/scrvault|$S/run/scrvault|g" \
	       -e "s|/var/backups/scrvault|$S/var/backups/scrvault|g" -e "s|/etc/scrvault|$S/etc/scrvault|g"; }
unit_env() { sed -n 's/^Environment=//p' "$UD/scrvault-$1.service" | onhost; }
unit_exec() { sed -n 's/^ExecStart=//p' "$UD/scrvault-$1.service" | onhost; }
cron_line() { awk -v w="$1" '!/^#/ && NF >= 7 && index($0, w) { sub(/^([^ \t]+[ \t]+){6}/, ""); print }' "$S/etc/cron.d/scrvault" | onhost; }
cron_env() { sed -n '/^[A-Z_]*=/p' "$S/etc/cron.d/scrvault" | onhost; }

# ---- the account's vault, made by that account ---------------------------------------------------------
# What install-system does with the account: the directories become its own.
chmod 0711 "$T"
chown -R "$JU:$JU" "$S/var/lib/scrvault" "$S/var/backups/scrvault"
HOMED="$S/var/lib/scrvault"; VD="$HOMED/vault"; KD="$HOMED/keys"
SVS="$S/$U/bin/scrvault"
PRE=()
asu() {	# asu UID CMD...: CMD as that uid and gid, no other group, the environment a unit gives it
	local u=$1; shift
	"${PRE[@]}" setpriv --reuid "$u" --regid "$u" --clear-groups \
		env -i PATH=/usr/bin:/bin HOME="$HOMED" LANG=C.UTF-8 LD_LIBRARY_PATH="$S/$U/lib" \
		${ASAN_OPTIONS:+ASAN_OPTIONS=$ASAN_OPTIONS:verify_asan_link_order=0} \
		${LSAN_OPTIONS:+LSAN_OPTIONS=$LSAN_OPTIONS} ${UBSAN_OPTIONS:+UBSAN_OPTIONS=$UBSAN_OPTIONS} "$@"
}
as_ju() { asu "$JU" "$@"; }
PASS="$HOMED/custodians/pass"; CK="$HOMED/custodians/coord.key"
printf 'vellum orchard quietly forty-seven\n' > "$PASS"; chown "$JU:$JU" "$PASS"; chmod 0600 "$PASS"
co() { as_ju "$SVS" --vault "$VD" --key "$CK" --passphrase-file "$PASS" "$@"; }
whoami_ju() { as_ju id -u; }
[ "$(whoami_ju)" = "$JU" ] && [ "$JU" != "$(id -u)" ]; ok $? "the jobs' uid ($JU) is not the tests' ($(id -u))"

expect 0 "the account makes its vault in the staged, empty directory" -- \
	as_ju "$SVS" init --vault "$VD" --key-out "$CK" --new-passphrase-file "$PASS" --kdf-memory 19 coord
[ "$(stat -c '%u %a' "$VD")" = "$JU 700" ]; ok $? "the vault directory is the account's, mode 0700"
[ -z "$(find "$VD" "$KD" \( ! -user "$JU" -o -perm /022 \) -print)" ]; ok $? "...and everything in it is its own, writable by nobody else"
expect 0 "a custodian confirms the retention rules" -- co retention confirm
for j in purge backup; do
	role=$([ $j = purge ] && echo retention-job || echo backup-job)
	expect 0 "the $j job's service principal (no custodian), its key file in the keys directory" -- \
		co principal add --kind service --no-passphrase --key-out "$KD/$j.key" \
		--display-name "scheduled $j" "$j-job"
	expect 0 "...granted $role, its only role" -- co principal grant "$j-job" "$role"
	[ "$(stat -c '%u %a' "$KD/$j.key")" = "$JU 600" ]; ok $? "...key file 0600, owned by the account"
done
git init -q --bare "$T/mirror.git" && chown -R "$JU:$JU" "$T/mirror.git"
expect 0 "a mirror" -- co mirror add offsite "file://$T/mirror.git"
expect 0 "a case" -- co case open --title "Child D" SCR-D
printf 'draft one\n' > "$T/d1.txt"; printf 'draft two\n' > "$T/d2.txt"; chmod 0644 "$T"/d?.txt
expect 0 "a document" -- co doc checkin --case SCR-D --class other --title "Notes" "$T/d1.txt"
DOC=$(co doc list --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["doc"])')
expect 0 "...and a second version, which makes the first a superseded draft" -- co doc checkin --doc "$DOC" "$T/d2.txt"
VK=$(co audit pubkey)
co principal show --json purge-job | grep -q '"custodian":false'; ok $? "the jobs' principals are not custodians: their key files open nothing"

# ---- the staged service, as the account, on the staged socket ------------------------------------------
BD="$S/var/backups/scrvault"
RUN="$S/run/scrvault"; SOCK="$RUN/scrvaultd.sock"
mkdir -p "$RUN"; chmod 0755 "$S/run"; chown "$JU:$JU" "$RUN"; chmod 0750 "$RUN"	# what RuntimeDirectory= makes
DPID=
dstart() {	# dstart [PREFIX...]: scrvaultd as the account (under PREFIX, e.g. faketime), unsealed
	as_ju "$@" "$S/$U/bin/scrvaultd" --vault "$VD" --socket "$SOCK" --backup-dir "$BD" --idle-seal 0 \
		2>>"$T/daemon.log" &
	DPID=$!
	for _ in $(seq 100); do as_ju "$SVS" --server "unix:$SOCK" status >/dev/null 2>&1 && break; sleep 0.1; done
	local rc saved=("${PRE[@]}")
	PRE=(timeout 60)
	as_ju "$@" "$SVS" --server "unix:$SOCK" --key "$CK" --passphrase-file "$PASS" unseal >/dev/null 2>>"$T/daemon.log"
	rc=$?
	PRE=("${saved[@]}")
	return $rc
}
dpids() {	# the staged service's processes (and a faketime wrapper's), from /proc: no procps here
	local p c
	for p in /proc/[0-9]*; do
		c=$(tr '\0' ' ' <"$p/cmdline" 2>/dev/null) || continue
		case $c in *"scrvaultd --vault $VD "*) echo "${p#/proc/}";; esac
	done
}
dstop() {	# the daemon itself, not the setpriv/faketime wrapper DPID may be
	[ -n "$DPID" ] || return 0
	local pids
	pids=$(dpids); [ -n "$pids" ] && kill -TERM $pids 2>/dev/null
	for _ in $(seq 100); do [ -z "$(dpids)" ] && break; sleep 0.1; done
	pids=$(dpids); [ -n "$pids" ] && kill -KILL $pids 2>/dev/null
	wait "$DPID" 2>/dev/null; DPID=
}
trap 'dstop; rm -rf "$T"' EXIT
dstart; ok $? "the staged service starts as the account and a custodian unseals it"
[ "$(stat -c '%u %a' "$RUN")" = "$JU 750" ] && [ "$(stat -c '%a' "$SOCK")" = 660 ]
ok $? "...its socket (0660) in the account's directory (0750)"
# From here on the custodian, too, goes through the service (it holds the vault).
co() { as_ju "$SVS" --server "unix:$SOCK" --key "$CK" --passphrase-file "$PASS" "$@"; }
# The jobs run with the vault out of their sight, as InaccessiblePaths= makes
# it: in a mount namespace of their own, an empty mode-0 file system over it
# (the service, in this namespace, still sees the vault).
if unshare -m sh -c "mount -t tmpfs -o mode=000 tmpfs $T/ov 2>/dev/null || { mkdir -p $T/ov && mount -t tmpfs -o mode=000 tmpfs $T/ov; }" 2>/dev/null; then
	hide() { PRE=(unshare -m -- sh -c 'mount -t tmpfs -o mode=000 tmpfs "$0" && exec "$@"' "$VD"); }
	HIDDEN=", the vault out of its sight"
else
	hide() { :; }
	HIDDEN=" (no private mount namespaces here: the vault not hidden)"
fi
unhide() { PRE=(); }

# count ACTION PRINCIPAL [OUTCOME]: audit entries so far
count() {
	co audit tail --json --lines 10000 | python3 -c '
import json, sys
n = sum(1 for e in json.load(sys.stdin) if e["action"] == sys.argv[1] and e["principal"] == sys.argv[2]
        and (len(sys.argv) < 4 or e["outcome"] == sys.argv[3]))
print(n)' "$@"
}

# ---- the purge, as the unit runs it ----------------------------------------------------------------
P0=$(count retention.purge purge-job ok)
hide
# shellcheck disable=SC2046
expect 0 "the purge runs as the account, with the unit's environment and command$HIDDEN" -- \
	as_ju env $(unit_env purge) $(unit_exec purge)
unhide
out_has "destroyed 0 versions"
[ "$(count retention.purge purge-job ok)" -eq $((P0 + 1)) ]; ok $? "...one retention.purge entry, by purge-job"

# ---- the backup, as the unit runs it --------------------------------------------------------------
printf 'old\n' > "$BD/vault-2000-01-01T000000Z.bak"; touch -d '40 days ago' "$BD/vault-2000-01-01T000000Z.bak"
printf 'keep\n' > "$BD/notes.txt"; touch -d '40 days ago' "$BD/notes.txt"
chown "$JU:$JU" "$BD"/*
B0=$(count backup.create backup-job ok); M0=$(count mirror.push backup-job ok)
hide
# shellcheck disable=SC2046
expect 0 "the backup runs as the account, with the unit's environment and command$HIDDEN" -- \
	as_ju env $(unit_env backup) $(unit_exec backup)
unhide
BAK=$(find "$BD" -name 'vault-2*.bak' -newer "$BD/notes.txt")
[ -n "$BAK" ] && [ "$(stat -c '%u %a' "$BAK")" = "$JU 600" ]; ok $? "...a new backup, 0600, the account's"
expect 0 "...which verifies as this vault's" -- "$SVS" backup verify --vkey "$VK" "$BAK"
[ ! -e "$BD/vault-2000-01-01T000000Z.bak" ]; ok $? "...backups older than 35 days are deleted"
[ -e "$BD/notes.txt" ]; ok $? "...and nothing else"
[ "$(git --git-dir="$T/mirror.git" rev-parse main)" = "$(git --git-dir="$VD/store.git" rev-parse main)" ]
ok $? "...the mirror has the store's head"
[ "$(count backup.create backup-job ok)" -eq $((B0 + 1)) ] && [ "$(count mirror.push backup-job ok)" -eq $((M0 + 1)) ]
ok $? "...one backup.create and one mirror.push entry, by backup-job"

# ---- each key does its job only ---------------------------------------------------------------------
job() { local k=$1; shift; as_ju "$SVS" --server "unix:$SOCK" --key "$KD/$k.key" "$@"; }
expect 3 "the purge job's key reads no document" -- job purge doc list --case SCR-D
expect 3 "...takes no backup" -- job purge backup create
expect 3 "the backup job's key purges nothing" -- job backup retention purge
expect 3 "...reads no document" -- job backup doc checkout -o "$T/x" "$DOC"
expect 3 "...lists no principal" -- job backup principal list
[ "$(count retention.purge backup-job denied)" -ge 1 ]; ok $? "the refusals are audited"
expect 2 "through the service a backup names no path" -- job backup backup create -o "$T/elsewhere.bak"
err_has "leave out -o"
[ ! -e "$T/elsewhere.bak" ]; ok $? "...and none is written there"
unhide
expect 3 "a job's key opens nothing on the vault host itself: it is not a custodian" -- \
	as_ju "$SVS" --vault "$VD" --key "$KD/purge.key" retention purge
err_has "not a custodian"

# ---- jobs that fail exit non-zero ------------------------------------------------------------------
B1=$(count backup.create backup-job ok)
expect 0 "a custodian seals the service" -- co seal
printf 'sealed\n' > "$BD/vault-2001-01-01T000000Z.bak"; touch -d '40 days ago' "$BD/vault-2001-01-01T000000Z.bak"
chown "$JU:$JU" "$BD"/vault-2001*; NB=$(ls "$BD" | wc -l)
# shellcheck disable=SC2046
as_ju env $(unit_env backup) $(unit_exec backup) >"$T/out" 2>"$T/err"
rc=$?
[ $rc -ne 0 ]; ok $? "a backup while the service is sealed exits non-zero ($rc)"
err_has "no old backup deleted"
[ "$(ls "$BD" | wc -l)" -eq "$NB" ]; ok $? "...writes and deletes nothing"
# shellcheck disable=SC2046
! as_ju env $(unit_env purge) $(unit_exec purge) >/dev/null 2>&1; ok $? "...nor does the purge succeed"
dstop
# shellcheck disable=SC2046
! as_ju env $(unit_env backup) SCRVAULT_BACKUP_PUSH=no $(unit_exec backup) >/dev/null 2>&1
ok $? "a backup while the service is stopped exits non-zero, also without the mirror push"
as_ju "$SVS" --vault "$VD" --key "$CK" --passphrase-file "$PASS" mirror add gone "file://$T/no-such-mirror.git" >/dev/null
dstart; ok $? "the service is started and unsealed again"
[ "$(count backup.create backup-job ok)" -eq "$B1" ]; ok $? "...and no backup was recorded meanwhile"
rm -f "$BD/vault-2001-01-01T000000Z.bak"
# shellcheck disable=SC2046
as_ju env $(unit_env backup) $(unit_exec backup) >"$T/out" 2>"$T/err"
rc=$?
[ $rc -ne 0 ]; ok $? "a mirror that cannot be reached fails the job ($rc), though the backup was taken"
err_has "the mirror push failed"
sleep 1	# a backup's name has the second; a backup never replaces a file
# shellcheck disable=SC2046
expect 0 "SCRVAULT_BACKUP_PUSH=no takes the backup alone" -- as_ju env $(unit_env backup) SCRVAULT_BACKUP_PUSH=no $(unit_exec backup)
# shellcheck disable=SC2046
expect 2 "a bad SCRVAULT_BACKUP_DAYS is refused before anything is done" -- as_ju env $(unit_env backup) SCRVAULT_BACKUP_DAYS=soon $(unit_exec backup)
# shellcheck disable=SC2046
as_ju env $(unit_env purge) SCRVAULT_KEY="$KD/backup.key" $(unit_exec purge) >/dev/null 2>&1
rc=$?; [ $rc -eq 3 ]; ok $? "the purge with another job's key exits 3 ($rc)"
# shellcheck disable=SC2046
asu $((JU + 1)) env $(unit_env purge) $(unit_exec purge) >/dev/null 2>"$T/err"
rc=$?; [ $rc -ne 0 ]; ok $? "the purge as any other account exits non-zero ($rc): the socket and key are not its"

# ---- the notification hook -----------------------------------------------------------------------------
NOTIFY="$S/$U/libexec/scrvault/scrvault-notify"
printf '#!/bin/sh\n{ echo "ARGS $*"; cat; } > "%s/mail.out"\n' "$T" > "$T/sendmail"; chmod 0755 "$T/sendmail"
hook() { env -i PATH=/usr/bin:/bin INVOCATION_ID=test SCRVAULT_NOTIFY_CONF="$T/notify" SCRVAULT_SENDMAIL="$T/sendmail" "$NOTIFY" "$@"; }
expect 0 "the hook with no address configured logs only" -- hook scrvault-purge.service
err_has "scrvault job scrvault-purge.service failed on"
err_has "journalctl -u scrvault-purge.service"
[ ! -e "$T/mail.out" ]; ok $? "...and mails nobody"
expect 0 "the staged configuration (comments only) mails nobody" -- env SCRVAULT_NOTIFY_CONF="$S/etc/scrvault/notify" SCRVAULT_SENDMAIL="$T/sendmail" INVOCATION_ID=test "$NOTIFY" scrvault-backup.service
[ ! -e "$T/mail.out" ]; ok $? "...none"
printf '# operators\nops@board.example\n' > "$T/notify"
expect 0 "with an address, the hook mails it" -- hook scrvault-backup.service
grep -q '^ARGS -oi -- ops@board.example$' "$T/mail.out" && grep -q '^Subject: scrvault: scrvault-backup.service failed on ' "$T/mail.out"
ok $? "...to that address, naming the job"
printf 'ops@board.example, boss@x.example\n' > "$T/notify"
expect 2 "a line that is not an address is refused" -- hook scrvault-backup.service
printf 'ops@board.example\n' > "$T/notify"
expect 1 "no sendmail: the hook fails, so that the failure shows" -- \
	env -i PATH=/usr/bin:/bin INVOCATION_ID=test SCRVAULT_NOTIFY_CONF="$T/notify" SCRVAULT_SENDMAIL="$T/none" "$NOTIFY" scrvault-purge.service
err_has "no sendmail at"
expect 2 "a job name with other characters is refused" -- hook 'x;rm -rf /'

# ---- the cron lines (where systemd does not run the jobs) --------------------------------------------
# (INVOCATION_ID keeps the hook's line out of this host's syslog: it writes to stderr as under systemd.)
if [ -d /run/systemd/system ]; then
	skip "the cron lines run the jobs" "this host runs systemd, where the cron lines do nothing"
else
	B2=$(count backup.create backup-job ok)
	sleep 1	# a backup's name has the second; a backup never replaces a file
	# shellcheck disable=SC2046
	expect 0 "the cron backup line runs the job as the account" -- as_ju env $(cron_env) INVOCATION_ID=cron sh -c "$(cron_line scrvault-backup-job | sed "s|SCRVAULT_BACKUP_DIR=[^ ]*|& SCRVAULT_BACKUP_PUSH=no|")"
	[ "$(count backup.create backup-job ok)" -eq $((B2 + 1)) ]; ok $? "...a backup by backup-job"
	# shellcheck disable=SC2046
	expect 0 "a failing cron line calls the hook" -- as_ju env $(cron_env) INVOCATION_ID=cron sh -c "$(cron_line scrvault-backup-job | sed "s|$BD|$T/ro|")"
	err_has "scrvault job scrvault-backup failed on"
	LATER=$(date -d '+13 months' '+%Y-%m-%d %H:%M:%S')
	# (faketime's wrapper needs a semaphore in /dev/shm that the job's uid
	# may not be allowed to make, and cannot preload into an AddressSanitizer
	# build: try the service's own program first)
	if command -v faketime >/dev/null && as_ju faketime "$LATER" "$S/$U/bin/scrvaultd" --routes >/dev/null 2>&1 &&
	   as_ju faketime "$LATER" "$SVS" --version >/dev/null 2>&1; then
		# Thirteen months on, the superseded draft is due (6 months after
		# superseded): the service's clock is the one that counts.
		dstop; dstart faketime "$LATER"
		# shellcheck disable=SC2046
		expect 0 "the cron purge line, thirteen months on, destroys the superseded draft" -- \
			as_ju env $(cron_env) faketime "$LATER" sh -c "$(cron_line 'retention purge')"
		out_has "destroyed 1 version"
		expect 4 "...which is gone" -- as_ju faketime "$LATER" "$SVS" --server "unix:$SOCK" --key "$CK" --passphrase-file "$PASS" doc checkout -o "$HOMED/gone" "$DOC@1"
		dstop; dstart
	else
		skip "the cron purge line destroys a due draft" "faketime not installed, or it cannot run as uid $JU here"
	fi
fi

# ---- the units, as systemd reads them -------------------------------------------------------------------
if ! command -v systemd-analyze >/dev/null; then
	skip "systemd-analyze verify passes the units" "no systemd-analyze"
else
	mkdir "$T/units"
	for f in "$UD"/scrvault-* "$UD"/scrvaultd.service; do onhost < "$f" > "$T/units/$(basename "$f")"; done
	SYSTEMD_UNIT_PATH="$T/units:" systemd-analyze verify --man=no "$T"/units/*.service "$T"/units/*.timer >"$T/out" 2>&1
	rc=$?
	sed 's/^/#   /' "$T/out" | head -10
	[ $rc -eq 0 ] && [ ! -s "$T/out" ]; ok $? "systemd-analyze verify passes every unit, with nothing to say"
fi

# ---- install-system for real, on a throwaway /etc and /var ------------------------------------------------
# In a private mount namespace: /etc under an overlay whose changes land in $T,
# /var/lib and /var/backups on tmpfs; gone with the namespace.
mkdir -p "$T/ov/upper" "$T/ov/work"
cat > "$T/ov/run.sh" <<EOF
set -e
mount -t overlay overlay -o lowerdir=/etc,upperdir=$T/ov/upper,workdir=$T/ov/work /etc
mount -t tmpfs tmpfs /var/lib
mount -t tmpfs tmpfs /var/backups
for i in 1 2; do "$ROOT/scripts/install-system" "$S/$U/share/scrvault/scrvault.cron" > "$T/ov/run\$i" 2>&1; done
getent passwd scrvault | cut -d: -f6,7
stat -c '%U %G %a' /var/lib/scrvault /var/lib/scrvault/vault /var/lib/scrvault/keys /var/backups/scrvault | sort -u
cmp /etc/cron.d/scrvault "$S/etc/cron.d/scrvault" && echo cron-installed
EOF
if ! command -v unshare >/dev/null || ! unshare -m sh -c "mount -t tmpfs tmpfs $T/ov/work" 2>/dev/null; then
	skip "install-system creates the account on a real (throwaway) root" "no private mount namespaces here"
elif [ -n "$BEFORE" ]; then
	skip "install-system creates the account on a real (throwaway) root" "this host has a scrvault account already"
else
	unshare -m sh "$T/ov/run.sh" >"$T/out" 2>"$T/err"
	ok $? "install-system as root, twice, on a throwaway /etc and /var"
	out_has "/var/lib/scrvault:/usr/sbin/nologin"
	[ "$(grep -c '^scrvault scrvault 700$' "$T/out")" -eq 1 ] && [ "$(grep -c ' ' "$T/out")" -eq 1 ]
	ok $? "...its directories are the account's, mode 0700"
	out_has "cron-installed"
	grep -q "created the system account 'scrvault'" "$T/ov/run1" && grep -q "account 'scrvault' exists (uid [0-9]*); kept" "$T/ov/run2"
	ok $? "...the first run creates the account, the second keeps it"
	! getent passwd scrvault >/dev/null; ok $? "...and outside the namespace it does not exist"
fi

dstop
[ "$(accounts)" = "$BEFORE" ]; ok $? "at the end, the host's accounts are as they were"
finish
