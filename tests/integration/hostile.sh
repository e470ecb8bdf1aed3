#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# hostile.sh - hostile readers against a shared proclens (issue 10, item 5):
#   writes      every call that would change the mount, on every kind of
#               entry, as root and as another user: its errno, written out
#   rw          the same with the superblock remounted rw by root: the
#               daemon itself must still refuse (EROFS or EACCES)
#   paths       odd names (.., signs, leading zeros, overflow, long names)
#   killed      readers killed mid-request, over and over
#   cgroup      a reader's cgroup removed between its open and its read
#   dirs        one user opening directories until its budget runs out
#   containers  one container trying every path to another's values
# After each group the daemon must be alive and serving. Every loop is
# bounded; everything started here is stopped by pid, every cgroup made is
# beneath the test's own.
. "$TESTS_DIR/integration/lib.sh"

require_root
require_memcg
for tool in ip unshare nsenter timeout pgrep; do
	command -v "$tool" >/dev/null 2>&1 || skip "needs $tool"
done
HELPERS=$(dirname "$PROCLENS")/tests/integration
HOSTILEOP=${HOSTILEOP:-$HELPERS/hostileop}
SOCKMAKER=${SOCKMAKER:-$HELPERS/sockmaker}
TENANTLOAD=${TENANTLOAD:-$HELPERS/tenantload}
[ -x "$HOSTILEOP" ] && [ -x "$SOCKMAKER" ] && [ -x "$TENANTLOAD" ] ||
	skip "needs $HOSTILEOP, $SOCKMAKER and $TENANTLOAD (built by make check)"
HAVE_SETPRIV=no
command -v setpriv >/dev/null 2>&1 && HAVE_SETPRIV=yes
USER_A=65534
USER_B=65533
MiB=1048576

scratch=$(mktemp -d /tmp/proclens-hostile.XXXXXX)
CLEANUP_FILES="$scratch $CLEANUP_FILES"

# as_user UID COMMAND...
as_user() {
	local uid=$1
	shift
	setpriv --reuid "$uid" --regid "$uid" --clear-groups "$@"
}

daemon_fds() {
	ls "/proc/$DAEMON_PID/fd" | wc -l
}

reads_meminfo() {
	timeout 20 cat "$MNT/proc/meminfo" 2>/dev/null | grep -q '^MemTotal:'
}

# still_serving GROUP: the daemon lives and answers a read.
still_serving() {
	check_true "$1: the daemon is still running" kill -0 "$DAEMON_PID"
	check_true "$1: proc/meminfo is still served" reads_meminfo
}

# name_of LENGTH CHAR: a name of LENGTH bytes.
name_of() {
	awk -v n="$1" -v c="$2" 'BEGIN { while (n-- > 0) printf "%s", c }'
}

# A background job started through a shell function leaves the subshell in
# $!, and killing that leaves the command running: what runs in the
# background here is started by commands that exec, so $! is the command.

# cg_leaf_of DIR: where a process of cgroup DIR goes (cg_run's rule: on v2,
# the leaf if DIR has children).
cg_leaf_of() {
	local dir=$1
	if [ "$CG_VERSION" = 2 ] && [ -d "$dir/$CG_LEAF" ]; then
		dir=$dir/$CG_LEAF
	fi
	echo "$dir"
}
# sh -c "$IN_CGROUP" DIR COMMAND... &: COMMAND in cgroup DIR, and in $!.
# shellcheck disable=SC2016 # expanded by that sh
IN_CGROUP='echo $$ >"$0/cgroup.procs" && exec "$@"'

# errno_of PATH: stat(2)'s answer for PATH: dir, file, other or the errno's name.
errno_of() {
	"$HOSTILEOP" ops "$1" - stat | awk '{print $2}'
}

start_daemon || skip "the daemon does not start"
reads_meminfo || skip "the daemon does not serve proc/meminfo"
cg_test_root || skip "cannot make a cgroup beneath $(cg_self)"
top_cg=$CG_DIR

# --- writes: every modifying call, on every kind of entry ---------------------
# The mount is read-only (superblock and mount): the kernel refuses before the
# daemon is asked. What each call gets, by the kind of entry it names:
#   EROFS   every call that would write, create, remove, rename or change
#           attributes or xattrs (mnt_want_write() or the superblock's check
#           in inode_permission())
#   EISDIR  an open for writing, or truncate(2), of a directory (may_open()
#           and vfs_truncate() ask "directory?" before "read-only?")
#   EBADF   write, pwrite, fallocate on a read-only descriptor; EINVAL for
#           ftruncate on one: the descriptor, not the mount, refuses
#   EEXIST  creating a valid name in c/: every valid container name exists
# The "new" name each creating call uses does not exist.
OPS_FILE="open-wronly EROFS
open-rdwr EROFS
open-trunc EROFS
open-append EROFS
open-creat EROFS
create EROFS
mkdir EROFS
mknod EROFS
mkfifo EROFS
mknod-chr EROFS
symlink EROFS
link EROFS
rename EROFS
rename-self EROFS
unlink EROFS
rmdir EROFS
truncate EROFS
chmod EROFS
chown EROFS
lchown EROFS
utimes-now EROFS
utimes EROFS
lutimes EROFS
setxattr EROFS
setxattr-trusted EROFS
lsetxattr EROFS
removexattr EROFS
lremovexattr EROFS
fd-write EBADF
fd-pwrite EBADF
fd-ftruncate EINVAL
fd-fallocate EBADF
fd-fchmod EROFS
fd-fchown EROFS
fd-futimens EROFS
fd-fsetxattr EROFS
fd-fremovexattr EROFS"
# A directory (and proc/self, which the path calls follow to proc/<pid>/).
OPS_DIR=$(echo "$OPS_FILE" | sed -e 's/^\(open-[a-z]*\) EROFS$/\1 EISDIR/' \
	-e 's/^truncate EROFS$/truncate EISDIR/')
# The mount's root: rename, unlink and rmdir of it name the mount point in
# its parent directory (another file system), so they are not asked here.
OPS_ROOT=$(echo "$OPS_DIR" | grep -vE '^(rename|rename-self|unlink|rmdir) ')

# check_ops WHO PATH NEW TABLE [COMMAND-PREFIX...]: each call of TABLE on
# PATH (NEW for the creating ones) gets the errno TABLE says.
check_ops() {
	local who=$1 path=$2 new=$3 table=$4 ops got op want
	shift 4
	ops=$(echo "$table" | awk '{print $1}' | tr '\n' ' ')
	# shellcheck disable=SC2086 # one word per op
	"$@" "$HOSTILEOP" ops "$path" "$new" $ops >"$scratch/ops" 2>&1
	# "OP WANT GOT" for each op of the table, in one pass (no process per op).
	echo "$table" | awk 'NR == FNR { got[$1] = $2; next }
		{ print $1, $2, ($1 in got) ? got[$1] : "missing" }' "$scratch/ops" - >"$scratch/ops.cmp"
	while read -r op want got; do
		check "writes, $who: $op ${path#"$MNT"/} is $want" "$want" "$got"
	done <"$scratch/ops.cmp"
}

self=$$
check_ops root "$MNT" "$MNT/hostile-new" "$OPS_ROOT"
for entry in proc proc/net proc/net/stat "proc/$self" proc/self c c/web-1 c/web-1/proc \
	c/web-1/proc/net "c/web-1/proc/$self" c/web-1/proc/self; do
	new=$MNT/$entry/hostile-new
	# In c/, the new name must be an invalid container name: valid ones all exist.
	[ "$entry" = c ] && new="$MNT/c/hostile:new"
	check_ops root "$MNT/$entry" "$new" "$OPS_DIR"
done
for entry in proc/meminfo proc/net/sockstat proc/net/sockstat6 proc/net/dev proc/net/tcp \
	proc/net/stat/arp_cache "proc/$self/limits" proc/self/limits c/web-1/proc/meminfo \
	c/web-1/proc/net/sockstat c/web-1/proc/net/dev "c/web-1/proc/$self/limits"; do
	if [ -e "/proc/net/${entry#proc/net/}" ] || [ "${entry#proc/net/}" = "$entry" ]; then
		check_ops root "$MNT/$entry" "$(dirname "$MNT/$entry")/hostile-new" "$OPS_FILE"
	fi
done
for op in create mkdir mknod symlink link; do
	check "writes, root: $op of a valid name in c/ is EEXIST (every valid name exists)" \
		"$op EEXIST" "$("$HOSTILEOP" ops "$MNT/c/web-1" "$MNT/c/hostile-valid" "$op")"
done
if [ "$HAVE_SETPRIV" = yes ]; then
	for entry in proc/meminfo proc/net/dev "proc/$self/limits" c/web-1/proc/meminfo \
		c/web-1/proc/net/sockstat; do
		check_ops "uid $USER_A" "$MNT/$entry" "$(dirname "$MNT/$entry")/hostile-new" \
			"$OPS_FILE" as_user "$USER_A"
	done
	for entry in proc proc/net c/web-1/proc/net; do
		check_ops "uid $USER_A" "$MNT/$entry" "$MNT/$entry/hostile-new" "$OPS_DIR" \
			as_user "$USER_A"
	done
else
	echo "# no setpriv: the writes of an unprivileged user are not checked"
fi
# Nothing was made anywhere.
check "writes: the mount's root still holds c and proc only" "c proc" \
	"$(ls "$MNT" | tr '\n' ' ' | sed 's/ $//')"
still_serving writes

# --- rw: the daemon's own answer once root makes the superblock writable ----------
# Only root can do this (a remount of the proclens superblock, in a mount
# namespace of its own: the superblock is shared, so every mount of it is
# writable as far as the superblock goes until it is made read-only again).
# Then the calls reach the daemon, which must refuse each: EROFS or EACCES.
# The kernel answers some itself whatever the daemon does, and those are
# not asked: rmdir of a file (ENOTDIR), or mkdir where the name exists.
RW_FILE_OPS="open-wronly open-rdwr open-trunc open-append open-creat truncate chmod chown
	utimes-now setxattr removexattr link rename unlink fd-fchmod fd-fchown fd-futimens
	fd-fsetxattr fd-fremovexattr"
# (rename of a directory to a name inside it is the kernel's EINVAL: not asked.)
RW_DIR_OPS="create mkdir mknod mkfifo symlink rmdir chmod setxattr"
# shellcheck disable=SC2016,SC2086 # expanded by that sh; one word per op
unshare -m --propagation private sh -c '
	op=$1 mnt=$2 file_ops=$3 dir_ops=$4
	mount -i -o remount,rw "$mnt" || { echo "remount failed"; exit 0; }
	for f in proc/meminfo proc/net/dev "c/web-1/proc/meminfo"; do
		"$op" ops "$mnt/$f" "$mnt/proc/hostile-new" $file_ops | sed "s|^|$f |"
	done
	for d in proc proc/net c/web-1/proc/net; do
		"$op" ops "$mnt/$d" "$mnt/$d/hostile-new" $dir_ops | sed "s|^|$d/ |"
	done
	mount -i -o remount,ro "$mnt"' sh "$HOSTILEOP" "$MNT" "$RW_FILE_OPS" "$RW_DIR_OPS" \
	>"$scratch/rw" 2>&1
if grep -q 'remount failed' "$scratch/rw"; then
	echo "# cannot remount the superblock rw here: the daemon's own refusals are not checked"
else
	# One check per entry: the calls that got anything else, with what they got.
	for entry in $(awk '{print $1}' "$scratch/rw" | uniq); do
		check "rw superblock: every call on $entry is refused (EROFS or EACCES)" "" \
			"$(awk -v e="$entry" '$1 == e && $3 != "EROFS" && $3 != "EACCES" {printf "%s%s %s", sep, $2, $3; sep = ", "}' "$scratch/rw")"
	done
fi
check "rw: the superblock is read-only again" ro \
	"$(awk -v m="$MNT" '$5 == m {print $NF}' /proc/self/mountinfo | tr ',' '\n' | grep -xE 'r[ow]')"
still_serving rw

# --- paths: odd names resolve as the kernel's /proc would ---------------------------
long255=$(name_of 255 a)
long1000=$(name_of 1000 n)
long4100=$(name_of 4100 z)
digits255=$(name_of 255 1)
name64=$(name_of 64 x)
name65=$(name_of 65 x)
# check_path WHAT PATH EXPECTED
check_path() {
	check "paths: $1" "$3" "$(errno_of "$MNT/$2")"
}
check_path "proc/../meminfo is the root's meminfo: none" proc/../meminfo ENOENT
check_path "proc/-1 (a sign)" proc/-1 ENOENT
check_path "proc/+1 (a sign)" proc/+1 ENOENT
check_path "proc/00001 (leading zeros, as /proc)" proc/00001 ENOENT
check_path "proc/99999999999999999999 (overflows 64 bits)" proc/99999999999999999999 ENOENT
check_path "proc/2147483648 (above pid_t)" proc/2147483648 ENOENT
check_path "proc/1abc (trailing junk)" proc/1abc ENOENT
check_path "proc/0" proc/0 ENOENT
check_path "proc/' 1' (a space)" "proc/ 1" ENOENT
check_path "proc/<255 digits>" "proc/$digits255" ENOENT
check_path "proc/1/limits/x (a file is no directory)" proc/1/limits/x ENOTDIR
check_path "proc/meminfo/x" proc/meminfo/x ENOTDIR
check_path "proc/1/nothing" proc/1/nothing ENOENT
# The same names in the kernel's own /proc get the same answers.
for name in -1 00001 99999999999999999999 1abc 0 "$digits255"; do
	check "paths: proc/${name%"${name#?????????????}"} as the kernel's /proc" \
		"$(errno_of "/proc/$name")" "$(errno_of "$MNT/proc/$name")"
done
check_path "c/<64 chars> is a container" "c/$name64" dir
check_path "c/<65 chars> is too long (the daemon's limit)" "c/$name65" ENAMETOOLONG
check_path "c/a..b is a valid name" c/a..b dir
check_path "c/. is c itself" c/. dir
check_path "c/.. is the root" c/.. dir
check_path "c/with/slash: no slash in c/with" c/with/slash ENOENT
check_path "c/'a b' (a space)" "c/a b" ENOENT
check_path "c/a:b (a colon)" c/a:b ENOENT
check_path "proc/net/../../c is c" proc/net/../../c dir
check_path "proc/self/../meminfo is proc/meminfo" proc/self/../meminfo file
check_path "c/web-1/proc/../../../c: .. leaves c/web-1" c/web-1/proc/../../../c dir
# Names the kernel lets through (NAME_MAX 255 is allowed; FUSE passes up to
# 1,024 bytes on every kernel, more since 6.14): the daemon answers.
check_path "proc/<255 bytes>" "proc/$long255" ENOENT
check_path "proc/net/<255 bytes>" "proc/net/$long255" ENOENT
check_path "c/<255 bytes> (the daemon's 64)" "c/$long255" ENAMETOOLONG
check_path "proc/<1000 bytes>" "proc/$long1000" ENOENT
check_path "proc/net/<1000 bytes>" "proc/net/$long1000" ENOENT
check_path "c/<1000 bytes>" "c/$long1000" ENAMETOOLONG
check_path "c/web-1/proc/net/<1000 bytes>" "c/web-1/proc/net/$long1000" ENOENT
# A path longer than PATH_MAX: the kernel refuses it before any lookup.
check_path "proc/<4100 bytes> (the kernel's PATH_MAX)" "proc/$long4100" ENAMETOOLONG
check_path "c/<4100 bytes>" "c/$long4100" ENAMETOOLONG
check_path "proc/net/<4100 bytes>" "proc/net/$long4100" ENAMETOOLONG
still_serving paths

# --- killed: readers killed mid-request, over and over ------------------------------
# A namespace with 1,500 TCP pairs (3,001 sockets; a tenth in the VM lane): each sockstat read walks
# them, so the readers are killed while their reads are parked or rendering.
PAIRS=$(scaled 1500)
ROUNDS=$(scaled 30)
[ "$ROUNDS" -ge 3 ] || ROUNDS=3
netns_new
KILL_NS=$NS
nsenter --net="/run/netns/$KILL_NS" "$TENANTLOAD" -t 120 pairs "$PAIRS" >"$scratch/pairs" 2>&1 &
PAIRS_PID=$!
CLEANUP_PIDS="$PAIRS_PID $CLEANUP_PIDS"
if wait_for 300 grep -q '^ready$' "$scratch/pairs"; then
	want="TCP: inuse $((2 * PAIRS + 1)) "
	sockstat_right() {
		ns_exec "$KILL_NS" timeout 20 cat "$MNT/proc/net/sockstat" 2>/dev/null | grep -q "^$want"
	}
	check_true "killed: before, sockstat in the namespace counts $((2 * PAIRS + 1)) sockets" \
		sockstat_right
	# The namespace's socket and files are now held: this is the resting count.
	FD_BASELINE=$(daemon_fds)
	for _ in $(seq "$ROUNDS"); do
		pids=""
		for file in sockstat sockstat sockstat tcp; do
			nsenter --net="/run/netns/$KILL_NS" "$HOSTILEOP" -t 20 readloop "$MNT/proc/net/$file" &
			pids="$pids $!"
		done
		sleep 0.2
		# shellcheck disable=SC2086 # one word per pid
		kill -9 $pids 2>/dev/null
		for pid in $pids; do
			wait "$pid" 2>/dev/null
		done
	done
	fds_at_baseline() {
		[ "$(daemon_fds)" -le "$FD_BASELINE" ]
	}
	KILLED_AT=$(date +%s)
	echo "info: killed: daemon descriptors $FD_BASELINE before, $(daemon_fds) once the last reader died"
	# The renders the killed readers asked for still run: meanwhile a reader
	# of another namespace must be served.
	netns_new
	other_ns_sockstat() {
		ns_exec "$NS" timeout 10 cat "$MNT/proc/net/sockstat" 2>/dev/null |
			grep -qx 'TCP: inuse 0 orphan 0 tw 0 alloc 0 mem 0'
	}
	check_true "killed: meanwhile a reader of another namespace gets its own sockstat within 10 s" \
		other_ns_sockstat
	check_true "killed: after $ROUNDS rounds of 4 readers killed mid-read, the daemon's descriptors are back to $FD_BASELINE within 60 s" \
		wait_for 600 fds_at_baseline
	echo "info: killed: descriptors $(daemon_fds) after $(($(date +%s) - KILLED_AT)) s"
	check_true "killed: sockstat in the namespace still counts $((2 * PAIRS + 1)) sockets" \
		sockstat_right
else
	check "killed: the namespace holds its pairs" ready "$(cat "$scratch/pairs")"
fi
stop_pid "$PAIRS_PID"
still_serving killed

# --- cgroup: removed between a reader's open and its read ---------------------------
# The reader opens meminfo in its cgroup, reads its limit, moves to a
# sibling with another limit; the cgroup is removed (and in the second case
# made again under its name with a third limit); the reader reads again from
# offset 0 on the same descriptor. It must get an error (EIO: the daemon's
# answer for a removed cgroup; ENOENT would do), never the figures of the
# sibling (196608 kB), of the new cgroup (131072 kB) or of the host.
cg_create "$top_cg" away
away=$CG_DIR
cg_set_limit "$away" $((192 * MiB))
case_no=0
for file in proc/meminfo c/web-1/proc/meminfo; do
	case_no=$((case_no + 1))
	cg_create "$top_cg" "vanishing$case_no"
	vanishing=$CG_DIR
	cg_set_limit "$vanishing" $((256 * MiB))
	sync_dir=$scratch/sync$case_no
	mkdir "$sync_dir"
	sh -c "$IN_CGROUP" "$(cg_leaf_of "$vanishing")" "$HOSTILEOP" -t 30 heldread "$MNT/$file" "$away" "$sync_dir" \
		>"$sync_dir/out" 2>&1 &
	reader=$!
	CLEANUP_PIDS="$reader $CLEANUP_PIDS"
	wait_for 100 test -e "$sync_dir/moved"
	removed=no
	wait_for 50 rmdir "$vanishing" && removed=yes
	check "cgroup: $file: the reader's cgroup is removed under its open file" yes "$removed"
	if [ "$case_no" = 2 ]; then
		mkdir "$vanishing" && cg_set_limit "$vanishing" $((128 * MiB))
	fi
	touch "$sync_dir/go"
	wait "$reader"
	check "cgroup: $file: the open file first reads its cgroup's 256 MiB" \
		"first MemTotal 262144" "$(sed -n 1p "$sync_dir/out")"
	second=$(sed -n 2p "$sync_dir/out")
	case $second in
	"second error ENOENT") want=$second ;;
	*) want="second error EIO" ;;
	esac
	check "cgroup: $file: read again after the removal: EIO (or ENOENT), no other cgroup's figures" \
		"$want" "$second"
done
still_serving cgroup

# --- dirs: one user opens directories until its budget runs out ----------------------
if [ "$HAVE_SETPRIV" = yes ]; then
	DIR_BASELINE=$(daemon_fds)
	# setpriv itself, not as_user: $! must be the holder (setpriv execs it).
	setpriv --reuid "$USER_A" --regid "$USER_A" --clear-groups \
		"$HOSTILEOP" -t 60 holddirs 1100 "$MNT/proc/net" "$MNT/proc" >"$scratch/dirs" 2>&1 &
	HOLD_PID=$!
	CLEANUP_PIDS="$HOLD_PID $CLEANUP_PIDS"
	if wait_for 300 grep -q '^ready$' "$scratch/dirs"; then
		check "dirs: uid $USER_A's opendirs of proc/net and proc/ stop at 1,024" "opened 1024" \
			"$(grep '^opened' "$scratch/dirs")"
		check "dirs: the next one fails with EMFILE" "error EMFILE" \
			"$(grep '^error' "$scratch/dirs")"
		HELD=$(daemon_fds)
		check_true "dirs: the daemon holds about a descriptor per open directory ($HELD, baseline $DIR_BASELINE)" \
			[ "$HELD" -ge $((DIR_BASELINE + 1024 - 8)) ]
		check_true "dirs: root still reads meminfo" reads_meminfo
		check "dirs: root still lists proc/net (its dev is there)" dev \
			"$(ls "$MNT/proc/net" 2>&1 | grep -x dev)"
		check "dirs: uid $USER_B still opens 10 directories" "opened 10" \
			"$(as_user "$USER_B" "$HOSTILEOP" -t 1 holddirs 10 "$MNT/proc/net" "$MNT/proc" |
				grep '^opened')"
		check "dirs: uid $USER_B still lists proc/ (meminfo is there)" meminfo \
			"$(as_user "$USER_B" ls "$MNT/proc" 2>&1 | grep -x meminfo)"
		kill -USR1 "$HOLD_PID"
		wait_for 100 grep -q '^reopen' "$scratch/dirs"
		check "dirs: once it closed them, uid $USER_A lists both again" reopened \
			"$(grep '^reopen' "$scratch/dirs")"
	else
		check "dirs: uid $USER_A holds its directories" ready "$(cat "$scratch/dirs")"
	fi
	stop_pid "$HOLD_PID"
	dirs_at_baseline() {
		[ "$(daemon_fds)" -le "$DIR_BASELINE" ]
	}
	check_true "dirs: the daemon's descriptors are back to $DIR_BASELINE" wait_for 100 dirs_at_baseline
else
	echo "# no setpriv: the directory budget of an unprivileged user is not checked"
fi
still_serving dirs

# --- containers: one trying every path to another's values ---------------------------
# Two containers: each its own pid, network and mount namespaces (its own
# /proc) in a memory cgroup of its own. B (128 MiB) holds listening sockets
# and runs with "Max open files" 777; A (256 MiB) probes.
cg_create "$top_cg" ctr-a
ctr_a=$CG_DIR
cg_set_limit "$ctr_a" $((256 * MiB))
cg_create "$top_cg" ctr-b
ctr_b=$CG_DIR
cg_set_limit "$ctr_b" $((128 * MiB))
# shellcheck disable=SC2016 # expanded by that sh
sh -c "$IN_CGROUP" "$(cg_leaf_of "$ctr_b")" \
	unshare -p -n -m -f --mount-proc --kill-child sh -c '
	ip link set lo up
	ulimit -n 777
	exec "$0" -t 60 listen4 listen4 listen6 udp4' "$SOCKMAKER" >"$scratch/ctr-b" 2>&1 &
B_LAUNCHER=$!
CLEANUP_PIDS="$B_LAUNCHER $CLEANUP_PIDS"
if wait_for 100 grep -q '^ready$' "$scratch/ctr-b"; then
	# unshare's child, the namespace's init: sockmaker, as the host numbers it.
	B_PID=$(pgrep -P "$B_LAUNCHER" | head -n 1)
	CLEANUP_PIDS="$B_PID $CLEANUP_PIDS"
	check "containers: B's own sockstat (through proclens) counts its 2 IPv4 listeners" \
		"TCP: inuse 2" \
		"$(nsenter -t "$B_PID" -n -p -m cat "$MNT/proc/net/sockstat" | grep '^TCP:' | cut -d' ' -f1-3)"
	# shellcheck disable=SC2016 # expanded by that sh
	cg_run "$ctr_a" unshare -p -n -m -f --mount-proc --kill-child sh -c '
		op=$1 mnt=$2 b=$3
		echo "proc-b $("$op" ops "$mnt/proc/$b" - stat)"
		echo "proc-b-limits $("$op" ops "$mnt/proc/$b/limits" - stat)"
		echo "c-b-proc-b-limits $("$op" ops "$mnt/c/ctr-b/proc/$b/limits" - stat)"
		echo "meminfo $(awk "\$1 == \"MemTotal:\" {print \$2}" "$mnt/proc/meminfo")"
		echo "c-b-meminfo $(awk "\$1 == \"MemTotal:\" {print \$2}" "$mnt/c/ctr-b/proc/meminfo")"
		echo "sockstat $(grep "^TCP:" "$mnt/proc/net/sockstat" | cut -d" " -f1-3)"
		echo "c-b-sockstat $(grep "^TCP:" "$mnt/c/ctr-b/proc/net/sockstat" | cut -d" " -f1-3)"
		echo "tcp-lines $(wc -l <"$mnt/proc/net/tcp")"
		echo "c-b-tcp6-lines $(wc -l <"$mnt/c/ctr-b/proc/net/tcp6")"
		echo "dev-ifaces $(tail -n +3 "$mnt/proc/net/dev" | wc -l)"
		# Every process A can name, through proc/ and through c/ctr-b/proc/.
		for l in "$mnt"/proc/[0-9]*/limits "$mnt"/c/ctr-b/proc/[0-9]*/limits; do
			cat "$l" 2>/dev/null
		done >"$4"
		echo "limits-files $(grep -c "^Limit" "$4")"
		echo "nofile-777 $(grep -c "^Max open files  *777 " "$4")"
		echo "rss-b $(grep -c "^Max resident set  *134217728 " "$4")"
		echo "rss-a $(grep -c "^Max resident set  *268435456 " "$4")"
		echo "init-nofile-777 $(grep -c "^Max open files  *777 " "$mnt/proc/1/limits")"
		echo "self-is-a $(readlink "$mnt/proc/self" | grep -c "^[0-9]*$")"
		echo "pids-listed $(ls "$mnt/proc" | grep -c "^[0-9]*$")"
		echo "pids-above-100 $(ls "$mnt/proc" | awk "/^[0-9]+\$/ && \$1 > 100" | wc -l)"
	' sh "$HOSTILEOP" "$MNT" "$B_PID" "$scratch/a-limits" >"$scratch/ctr-a" 2>&1
	answer() {
		awk -v k="$1" '$1 == k {$1 = ""; sub(/^ /, ""); print}' "$scratch/ctr-a"
	}
	check "containers: A stats proc/<B's pid>: ENOENT" "stat ENOENT" "$(answer proc-b)"
	check "containers: A stats proc/<B's pid>/limits: ENOENT" "stat ENOENT" "$(answer proc-b-limits)"
	check "containers: A stats c/ctr-b/proc/<B's pid>/limits: ENOENT" "stat ENOENT" \
		"$(answer c-b-proc-b-limits)"
	check "containers: A's proc/meminfo: its own 256 MiB" 262144 "$(answer meminfo)"
	check "containers: A's c/ctr-b/proc/meminfo: still A's own 256 MiB, not B's 128" 262144 \
		"$(answer c-b-meminfo)"
	check "containers: A's proc/net/sockstat: its own, no socket" "TCP: inuse 0" "$(answer sockstat)"
	check "containers: A's c/ctr-b/proc/net/sockstat: its own, no socket" "TCP: inuse 0" \
		"$(answer c-b-sockstat)"
	check "containers: A's proc/net/tcp: a header, none of B's listeners" 1 "$(answer tcp-lines)"
	check "containers: A's c/ctr-b/proc/net/tcp6: a header, none of B's listeners" 1 \
		"$(answer c-b-tcp6-lines)"
	check "containers: A's proc/net/dev: loopback only" 1 "$(answer dev-ifaces)"
	check_true "containers: A read the limits of its own processes ($(answer limits-files) files' headers)" \
		[ "$(answer limits-files)" -ge 2 ]
	check "containers: none of them has B's 777 open files" 0 "$(answer nofile-777)"
	check "containers: none of them has B's 128 MiB resident set" 0 "$(answer rss-b)"
	check "containers: every one has A's 256 MiB resident set" "$(answer limits-files)" "$(answer rss-a)"
	check "containers: A's proc/1/limits is its own init's" 0 "$(answer init-nofile-777)"
	check "containers: A's proc/self is a pid of A" 1 "$(answer self-is-a)"
	listed=$(answer pids-listed)
	check_true "containers: A lists a few pids of its own ($listed)" \
		[ "${listed:-0}" -ge 1 -a "${listed:-0}" -le 10 ]
	check "containers: A lists none of the host's or B's host pids" 0 "$(answer pids-above-100)"
else
	check "containers: B starts" ready "$(cat "$scratch/ctr-b")"
fi
stop_pid "$B_LAUNCHER"
still_serving containers

finish
