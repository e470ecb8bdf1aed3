#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# readers.sh - proclens's files as real programs read them: read(2), 1-byte
# reads, pread, sendfile (busybox cat), splice, threads, descriptors that
# outlive their opener, top's seek back to 0, other users and namespaces; and
# the per-container tree c/<name>, whose files have a size so that sendfile
# and splice get the whole file on every kernel.
. "$TESTS_DIR/integration/lib.sh"
require_root
require_memcg
command -v ip >/dev/null || skip "needs iproute2"
command -v unshare >/dev/null || skip "needs unshare"
command -v nsenter >/dev/null || skip "needs nsenter"
BUILT=$(dirname "$PROCLENS")/tests/integration
READVIA=${READVIA:-$BUILT/readvia}
SOCKMAKER=${SOCKMAKER:-$BUILT/sockmaker}
[ -x "$READVIA" ] || skip "needs $READVIA (built by make check)"
[ -x "$SOCKMAKER" ] || skip "needs $SOCKMAKER (built by make check)"

MiB=1048576
start_daemon
cg_test_root
top_cg=$CG_DIR
cg_create "$top_cg" a
cg_a=$CG_DIR
cg_set_limit "$cg_a" $((256 * MiB))
cg_create "$top_cg" b
cg_b=$CG_DIR
cg_set_limit "$cg_b" $((128 * MiB))
scratch=$(mktemp -d /tmp/proclens-readers.XXXXXX)
CLEANUP_FILES="$scratch $CLEANUP_FILES"

# via DIR FILE MODE [ARGS]: readvia run by a process of cgroup DIR.
via() {
	local dir=$1
	shift
	cg_run "$dir" "$READVIA" "$@"
}

# "${OWN_PID[@]}" PIDFILE COMMAND...: COMMAND after writing its own pid to
# PIDFILE; it goes after cg_run or ns_exec. A background function's $! is a
# subshell's, and cleanup must stop the program itself.
# shellcheck disable=SC2016 # expanded by that sh
OWN_PID=(sh -c 'echo $$ >"$0" && exec "$@"')

# register_pid PIDFILE: once the program has written it, stop it on exit.
register_pid() {
	wait_for 50 test -s "$1" && CLEANUP_PIDS="$(cat "$1") $CLEANUP_PIDS"
}

# total: MemTotal (kB) of the meminfo text on stdin.
total() {
	awk '$1 == "MemTotal:" {print $2}'
}

# interfaces: the interface names of the proc/net/dev text on stdin.
interfaces() {
	awk -F: 'NR > 2 {gsub(/ /, "", $1); print $1}' | sort | tr '\n' ' '
}

# labels: each line of a sockstat text without its numbers.
labels() {
	awk '{ s = ""; for (i = 1; i <= NF; i++) if ($i !~ /^[0-9]+$/) s = s " " $i; print s }'
}

# field LABEL KEY: the value after KEY on the line labelled LABEL (stdin).
field() {
	awk -v l="$1:" -v k="$2" '$1 == l { for (i = 2; i < NF; i += 2) if ($i == k) print $(i + 1) }'
}

# own_or_nothing TEXT KB LINES: "yes" when TEXT is empty or a whole meminfo
# with MemTotal KB and LINES lines; otherwise what it was.
own_or_nothing() {
	local kb lines
	[ -z "$1" ] && { echo yes; return; }
	kb=$(printf '%s\n' "$1" | total)
	lines=$(printf '%s\n' "$1" | wc -l)
	if [ "$kb" = "$2" ] && [ "$lines" = "$3" ]; then
		echo yes
	else
		echo "no: MemTotal ${kb:-none}, $lines lines"
	fi
}

# --- every way of reading proc/meminfo, from a 256 MiB cgroup --------------
shared=$MNT/proc/meminfo
read_text=$(via "$cg_a" "$shared" read)
lines=$(printf '%s\n' "$read_text" | wc -l)
check "read(2): MemTotal is the 256 MiB limit" 262144 "$(printf '%s\n' "$read_text" | total)"
for mode in small pread thread thread-exit inherit "threads 8"; do
	# shellcheck disable=SC2086 # "threads 8" is a mode and its argument
	text=$(via "$cg_a" "$shared" $mode)
	check "$mode: MemTotal as read(2) gets it" 262144 "$(printf '%s\n' "$text" | total)"
	check "$mode: as many lines as read(2)" "$lines" "$(printf '%s\n' "$text" | wc -l)"
done
# The shared file has size 0. On kernels 6.5+ without the upstream fix, FUSE
# serves splice reads of direct-io files from the page cache, which stops at
# i_size: sendfile and splice get nothing. They must never get another's.
# The 128 MiB reader goes first, so a copy left in the page cache would show.
for mode in sendfile splice; do
	text_b=$(via "$cg_b" "$shared" $mode)
	text_a=$(via "$cg_a" "$shared" $mode)
	check "$mode of the shared file: the 128 MiB reader's own or nothing" yes \
		"$(own_or_nothing "$text_b" 131072 "$lines")"
	check "$mode of the shared file: the 256 MiB reader's own or nothing" yes \
		"$(own_or_nothing "$text_a" 262144 "$lines")"
	echo "# $mode of the shared file on $(uname -r): $([ -n "$text_a" ] && echo "the whole file" || echo "empty")"
done

# --- the per-container tree: c/<name>/ has sizes, so sendfile works ---------
box=$MNT/c/box
check "c/box/proc/meminfo reports a size" yes \
	"$(size=$(stat -c %s "$box/proc/meminfo" 2>&1) && [ "$size" -gt 0 ] && echo yes || echo "no: $size")"
for mode in sendfile splice; do
	text=$(via "$cg_a" "$box/proc/meminfo" $mode 2>&1)
	check "$mode of c/box/proc/meminfo: MemTotal" 262144 "$(printf '%s\n' "$text" | total)"
	check "$mode of c/box/proc/meminfo: the whole file" "$lines" "$(printf '%s\n' "$text" | wc -l)"
done
if command -v busybox >/dev/null; then
	# busybox cat copies with sendfile.
	text=$(cg_run "$cg_a" busybox cat "$box/proc/meminfo" 2>&1)
	check "busybox cat of c/box/proc/meminfo: MemTotal" 262144 "$(printf '%s\n' "$text" | total)"
	check "busybox cat of c/box/proc/meminfo: the whole file" "$lines" "$(printf '%s\n' "$text" | wc -l)"
else
	echo "# no busybox here: busybox cat not checked"
fi
check "sendfile of c/box/proc/net/dev: every interface" \
	"$("$READVIA" "$MNT/proc/net/dev" read | interfaces)" \
	"$("$READVIA" "$box/proc/net/dev" sendfile 2>&1 | interfaces)"
check "sendfile of c/box/proc/net/sockstat: every line" \
	"$(labels </proc/net/sockstat)" "$("$READVIA" "$box/proc/net/sockstat" sendfile 2>&1 | labels)"
name64=$(printf 'n%.0s' $(seq 64))
check "a 64-character name is a container" 262144 \
	"$(via "$cg_a" "$MNT/c/$name64/proc/meminfo" read 2>&1 | total)"
check "a 65-character name fails (ENOENT or ENAMETOOLONG)" yes \
	"$("$READVIA" "$MNT/c/${name64}n/proc/meminfo" read 2>&1 | grep -qE 'ENOENT|ENAMETOOLONG' && echo yes)"
check "a name with a bad character fails with ENOENT" yes \
	"$("$READVIA" "$MNT/c/bad:name/proc/meminfo" read 2>&1 | grep -q ENOENT && echo yes)"
stat -c %i "$MNT/c/A/proc/meminfo" "$MNT/c/B/proc/meminfo" >"$scratch/inodes" 2>&1
check "each name's inodes are its own" 2 "$(sort -u "$scratch/inodes" | grep -c '^[0-9]*$')"

# --- sendfile stress: two readers at once, in cgroups of 256 and 128 MiB ----
rounds=$(scaled 3000)
# stress_pair FILE_A FILE_B: both at once; their counts in $scratch/stress.a and .b.
stress_pair() {
	local pid_a pid_b
	cg_run "$cg_a" "${OWN_PID[@]}" "$scratch/stress.a.pid" "$READVIA" "$1" stress "$rounds" 262144 \
		>"$scratch/stress.a" &
	pid_a=$!
	cg_run "$cg_b" "${OWN_PID[@]}" "$scratch/stress.b.pid" "$READVIA" "$2" stress "$rounds" 131072 \
		>"$scratch/stress.b" &
	pid_b=$!
	register_pid "$scratch/stress.a.pid"
	register_pid "$scratch/stress.b.pid"
	wait "$pid_a" "$pid_b"
	rm -f "$scratch"/stress.?.pid
}
count() {
	tr ' ' '\n' <"$scratch/stress.$1" | awk -F= -v k="$2" '$1 == k {print $2}'
}
stress_pair "$shared" "$shared"
echo "# sendfile stress, shared proc/meminfo, $rounds rounds each: 256 MiB reader $(cat "$scratch/stress.a"); 128 MiB reader $(cat "$scratch/stress.b")"
for r in a b; do
	check "stress on the shared file ($r): no other reader's MemTotal" 0 "$(count $r wrong)"
	check "stress on the shared file ($r): no errors" 0 "$(count $r errors)"
	check "stress on the shared file ($r): every round done" "$rounds" "$(count $r rounds)"
done
stress_pair "$MNT/c/A/proc/meminfo" "$MNT/c/B/proc/meminfo"
echo "# sendfile stress, c/A and c/B proc/meminfo, $rounds rounds each: 256 MiB reader $(cat "$scratch/stress.a"); 128 MiB reader $(cat "$scratch/stress.b")"
for r in a b; do
	check "stress on c/${r^^} ($r): every round whole and right" "$rounds" "$(count $r ok)"
	check "stress on c/${r^^} ($r): no other reader's MemTotal" 0 "$(count $r wrong)"
	check "stress on c/${r^^} ($r): none empty" 0 "$(count $r empty)"
done

# --- top's refresh: keep the file open, seek back to 0 after a new limit ----
cg_create "$top_cg" refresh
cg_r=$CG_DIR
cg_set_limit "$cg_r" $((200 * MiB))
cg_run "$cg_r" "${OWN_PID[@]}" "$scratch/refresh.shared.pid" \
	"$READVIA" "$shared" refresh "$scratch/go" >"$scratch/refresh.shared" 2>&1 &
pid_shared=$!
cg_run "$cg_r" "${OWN_PID[@]}" "$scratch/refresh.box.pid" \
	"$READVIA" "$box/proc/meminfo" refresh "$scratch/go" >"$scratch/refresh.box" 2>&1 &
pid_box=$!
register_pid "$scratch/refresh.shared.pid"
register_pid "$scratch/refresh.box.pid"
# first_pass_done FILE PID: the reader printed its first read, or has failed.
first_pass_done() {
	grep -q MemTotal "$1" || ! kill -0 "$2" 2>/dev/null
}
wait_for 100 first_pass_done "$scratch/refresh.shared" "$pid_shared"
wait_for 100 first_pass_done "$scratch/refresh.box" "$pid_box"
cg_set_limit "$cg_r" $((160 * MiB))
touch "$scratch/go"
wait "$pid_shared" "$pid_box"
for f in shared box; do
	check "refresh ($f): the first read has the 200 MiB limit" 204800 \
		"$(total <"$scratch/refresh.$f" | head -n 1)"
	check "refresh ($f): the read after seeking back has the new 160 MiB" "204800 163840" \
		"$(total <"$scratch/refresh.$f" | tr '\n' ' ' | sed 's/ $//')"
done

# --- descriptors whose opener is gone, and threads --------------------------
netns_new
ns=$NS
maker_out=$scratch/sockmaker
ns_exec "$ns" "${OWN_PID[@]}" "$maker_out.pid" "$SOCKMAKER" -t 60 listen4 listen6 \
	>"$maker_out" 2>&1 &
register_pid "$maker_out.pid"
wait_for 100 grep -q '^ready$' "$maker_out"
own_sockstat=$(ns_exec "$ns" cat /proc/net/sockstat)
own_sockstat6=$(ns_exec "$ns" cat /proc/net/sockstat6)
for mode in inherit thread-exit; do
	text=$(ns_exec "$ns" "$READVIA" "$MNT/proc/net/sockstat" $mode 2>&1)
	check "$mode: proc/net/sockstat has the namespace's lines" \
		"$(printf '%s\n' "$own_sockstat" | labels)" "$(printf '%s\n' "$text" | labels)"
	check "$mode: proc/net/sockstat counts the namespace's listener" 1 \
		"$(printf '%s\n' "$text" | field TCP inuse)"
	text=$(ns_exec "$ns" "$READVIA" "$MNT/proc/net/sockstat6" $mode 2>&1)
	check "$mode: proc/net/sockstat6 has the namespace's lines" \
		"$(printf '%s\n' "$own_sockstat6" | labels)" "$(printf '%s\n' "$text" | labels)"
	check "$mode: proc/net/sockstat6 counts the namespace's listener" 1 \
		"$(printf '%s\n' "$text" | field TCP6 inuse)"
	check "$mode: proc/net/dev lists only the namespace's lo" "lo " \
		"$(ns_exec "$ns" "$READVIA" "$MNT/proc/net/dev" $mode 2>&1 | interfaces)"
done
check "c/box/proc/net in a namespace lists the namespace's own /proc/net" \
	"$(ns_exec "$ns" ls /proc/net/ | tr '\n' ' ')" "$(ns_exec "$ns" ls "$box/proc/net" | tr '\n' ' ')"
check "thread: proc/net/dev in a namespace lists only its lo" "lo " \
	"$(ns_exec "$ns" "$READVIA" "$MNT/proc/net/dev" thread 2>&1 | interfaces)"

# --- other users: uid 65534 --------------------------------------------------
# access_list [RUNNER...]: "REL OWN PROCLENS" for each regular file below
# /proc/net, OWN and PROCLENS being ok or the errno name of reading it there
# and under proc/net, as the process RUNNER makes.
access_list() {
	"$@" "$READVIA" /proc/net/ access "$MNT/proc/net" | sort
}
# not_alike FILE: the files read differently in FILE's list.
not_alike() {
	awk '$2 != $3 {printf "%s(%s,%s) ", $1, $2, $3}' "$1"
}
NOBODY=(setpriv --reuid 65534 --regid 65534 --clear-groups)
if command -v setpriv >/dev/null; then
	check "uid 65534 in a 256 MiB cgroup reads its limit" 262144 \
		"$(cg_run "$cg_a" "${NOBODY[@]}" "$READVIA" "$shared" read 2>&1 | total)"
	access_list "${NOBODY[@]}" >"$scratch/nobody"
	check "uid 65534: every /proc/net file it reads, it reads through proclens" "" \
		"$(awk '$2 == "ok" && $3 != "ok" {printf "%s(%s) ", $1, $3}' "$scratch/nobody")"
	check "uid 65534: what /proc/net refuses it, proclens refuses alike (EACCES)" "" \
		"$(awk '$2 != "ok" && $3 != $2 {printf "%s(%s,%s) ", $1, $2, $3}' "$scratch/nobody")"
	echo "# uid 65534 cannot read $(awk '$2 != "ok"' "$scratch/nobody" | wc -l) of $(wc -l <"$scratch/nobody") files of /proc/net"
else
	echo "# no setpriv here: readers as uid 65534 not checked"
fi

# --- pid and user namespaces -------------------------------------------------
check "a reader in a child pid namespace gets its cgroup's limit" 262144 \
	"$(cg_run "$cg_a" unshare -p -f --mount-proc "$READVIA" "$shared" read 2>&1 | total)"
check "a reader in a user namespace gets its cgroup's limit" 262144 \
	"$(cg_run "$cg_a" unshare -U -r "$READVIA" "$shared" read 2>&1 | total)"
# Root of a user namespace that owns its network namespace: its /proc/net is
# its own, and proclens must allow and refuse exactly what it does.
if unshare -U -r -n true 2>/dev/null; then
	access_list unshare -U -r -n >"$scratch/userns"
	check "root of a user and network namespace: proclens reads as its /proc/net does" "" \
		"$(not_alike "$scratch/userns")"
else
	echo "# unshare -U -r -n fails here: user namespace readers not checked"
fi
if command -v setpriv >/dev/null && "${NOBODY[@]}" unshare -U -r -n true 2>/dev/null; then
	access_list "${NOBODY[@]}" unshare -U -r -n >"$scratch/userns-nobody"
	check "uid 65534 as root of its own user and network namespace: the same files read" "" \
		"$(not_alike "$scratch/userns-nobody")"
else
	echo "# uid 65534 cannot make a user namespace here: not checked"
fi

# --- a network namespace with IPv6 disabled ---------------------------------
netns_new
ns6=$NS
ns_exec "$ns6" sh -c 'echo 1 >/proc/sys/net/ipv6/conf/all/disable_ipv6'
check "IPv6 is disabled in the namespace" 1 "$(ns_exec "$ns6" cat /proc/sys/net/ipv6/conf/all/disable_ipv6)"
for f in sockstat sockstat6; do
	check "IPv6 disabled: proc/net/$f has the namespace's own lines" \
		"$(ns_exec "$ns6" cat "/proc/net/$f" | labels)" \
		"$(ns_exec "$ns6" "$READVIA" "$MNT/proc/net/$f" read 2>&1 | labels)"
done

check "the daemon is still serving" yes "$(kill -0 "$DAEMON_PID" && echo yes)"
finish
