#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# limits.sh - proc/<pid>/limits and proc/self: the kernel's bytes for a
# process without ceilings, fresh after prlimit, pids.max and the memory limit
# as ceilings, the reader's own pid namespace deciding which pids exist (child,
# sibling and nested namespaces), threads, concurrent readers, exiting pids.
. "$TESTS_DIR/integration/lib.sh"
require_root
require_memcg
for tool in unshare nsenter prlimit pgrep; do
	command -v "$tool" >/dev/null || skip "needs $tool"
done
BUILT=$(dirname "$PROCLENS")/tests/integration
PIDPROBE=${PIDPROBE:-$BUILT/pidprobe}
READVIA=${READVIA:-$BUILT/readvia}
[ -x "$PIDPROBE" ] || skip "needs $PIDPROBE (built by make check)"
[ -x "$READVIA" ] || skip "needs $READVIA (built by make check)"

MiB=1048576
start_daemon
scratch=$(mktemp -d /tmp/proclens-limits.XXXXXX)
CLEANUP_FILES="$scratch $CLEANUP_FILES"

# limit NAME: "SOFT HARD" of the line NAME ("Max open files") of the limits
# text on stdin. The kernel's format is "%-25s %-20s %-20s %-10s".
limit() {
	awk -v n="$1" 'substr($0, 1, length(n) + 1) == n " " {
		split(substr($0, 27), f, " "); print f[1], f[2] }'
}

# read_result COMMAND...: "data" when the command (readvia) read the file,
# else the errno name it failed with.
read_result() {
	local out
	if out=$("$@" 2>&1); then
		echo data
	else
		echo "$out" | sed -n 's/^readvia: [^:]*: \(E[A-Z0-9]*\) .*/\1/p' | head -n 1
	fi
}

# --- the pids controller, which lib.sh does not handle ----------------------

if grep -qE '^[0-9]+:([^:]*,)?pids(,[^:]*)?:' /proc/self/cgroup; then
	PIDS_VERSION=1
elif [ -f /sys/fs/cgroup/cgroup.controllers ] &&
	grep -qw pids /sys/fs/cgroup/cgroup.controllers; then
	PIDS_VERSION=2
else
	skip "no pids controller"
fi

# The directory of the pids cgroup this shell is in.
pids_self() {
	if [ "$PIDS_VERSION" = 1 ]; then
		echo "/sys/fs/cgroup/pids$(awk -F: '$2 ~ /(^|,)pids(,|$)/ {print $3}' /proc/self/cgroup)"
	else
		echo "/sys/fs/cgroup$(awk -F: '$1 == "0" {print $3}' /proc/self/cgroup)"
	fi | sed 's:/$::'
}

# pids_create PARENT NAME: a child pids cgroup in PIDS_DIR (on v2 with pids
# enabled in PARENT's subtree_control). Removed on exit.
pids_create() {
	if [ "$PIDS_VERSION" = 2 ]; then
		grep -qw pids "$1/cgroup.subtree_control" ||
			echo +pids >"$1/cgroup.subtree_control" ||
			skip "cannot enable the pids controller below $1"
	fi
	mkdir "$1/$2" || return 1
	CLEANUP_CGROUPS="$1/$2 $CLEANUP_CGROUPS"
	PIDS_DIR=$1/$2
}

# start_sleeper [CGROUP_DIR...]: a `sleep 300` in each given cgroup (on v1 a
# memory and a pids one; a memory cgroup's leaf on v2 if it has children),
# its pid in SLEEPER, stopped on exit. Not in a function's subshell, so that
# $! is the sleep itself.
start_sleeper() {
	local dir dirs=()
	for dir; do
		[ "$CG_VERSION" = 2 ] && [ -d "$dir/$CG_LEAF" ] && dir=$dir/$CG_LEAF
		dirs+=("$dir")
	done
	# shellcheck disable=SC2016 # expanded by that sh
	sh -c 'for dir; do echo $$ >"$dir/cgroup.procs" || exit 1; done; exec sleep 300' \
		sh "${dirs[@]}" </dev/null >/dev/null 2>&1 &
	SLEEPER=$!
	CLEANUP_PIDS="$SLEEPER $CLEANUP_PIDS"
	wait_for 50 grep -qx sleep "/proc/$SLEEPER/comm"
}

cg_test_root
top_cg=$CG_DIR
if [ "$PIDS_VERSION" = 2 ] && [ "$CG_VERSION" = 2 ]; then
	pids_top=$top_cg
else
	pids_create "$(pids_self)" "proclens-test-$TEST_NAME-$$"
	pids_top=$PIDS_DIR
fi

# --- a process without ceilings: the kernel's file, byte for byte ------------
start_sleeper
plain=$SLEEPER
check "proc/<pid>/limits of a sleep in no limited cgroup is /proc/<pid>/limits byte for byte" \
	same "$("$PIDPROBE" same "/proc/$plain/limits" "$MNT/proc/$plain/limits")"
check "its header is the kernel's" \
	"Limit                     Soft Limit           Hard Limit           Units     " \
	"$(head -n 1 "$MNT/proc/$plain/limits")"
check "its 16 limits in the kernel's order" \
	"$(cut -c1-25 "/proc/$plain/limits" | tr -s ' ' | tr '\n' ',')" \
	"$(cut -c1-25 "$MNT/proc/$plain/limits" | tr -s ' ' | tr '\n' ',')"
check "proc/self/limits is /proc/self/limits, both read by one process" same \
	"$("$PIDPROBE" same /proc/self/limits "$MNT/proc/self/limits")"
check "proc/self is a symbolic link" "symbolic link" "$(stat -c %F "$MNT/proc/self")"
check "proc/self names the reader's pid, as /proc/self does" yes \
	"$(read -r pid kernel ours <<<"$("$PIDPROBE" self "$MNT/proc")" &&
		[ "$kernel" = "$pid" ] && [ "$ours" = "$pid" ] && echo yes || echo "no: $pid $kernel $ours")"
check "proc/ lists meminfo, net and self besides the pids" "meminfo net self " \
	"$(for f in "$MNT"/proc/*; do
		case ${f##*/} in *[!0-9]*) printf '%s ' "${f##*/}" ;; esac
	done)"
check "proc/ lists pid 1, the test shell and its sleep" "$(printf '%s\n' 1 $$ "$plain" | sort -n | tr '\n' ' ' | sed 's/ $//')" \
	"$("$PIDPROBE" pids "$MNT/proc" | tr ' ' '\n' | grep -xE "1|$$|$plain" | tr '\n' ' ' | sed 's/ $//')"
check "c/box/proc/self/limits is /proc/self/limits" same \
	"$("$PIDPROBE" same /proc/self/limits "$MNT/c/box/proc/self/limits")"
check "c/box/proc/<pid>/limits is /proc/<pid>/limits" same \
	"$("$PIDPROBE" same "/proc/$plain/limits" "$MNT/c/box/proc/$plain/limits")"
check "a pid that exists nowhere: ENOENT" ENOENT \
	"$(read_result "$READVIA" "$MNT/proc/999999999/limits" read)"

# --- prlimit: the next read has the new limits --------------------------------
prlimit --pid "$plain" --nofile=123:456
check "prlimit --nofile=123:456: Max open files on the next read" "123 456" \
	"$(limit "Max open files" <"$MNT/proc/$plain/limits")"
prlimit --pid "$plain" --core=1000:2000 --stack=4096000:unlimited
check "prlimit --core=1000:2000: Max core file size" "1000 2000" \
	"$(limit "Max core file size" <"$MNT/proc/$plain/limits")"
check "prlimit --stack=4096000:unlimited: Max stack size" "4096000 unlimited" \
	"$(limit "Max stack size" <"$MNT/proc/$plain/limits")"
check "after prlimit, still /proc/<pid>/limits byte for byte" same \
	"$("$PIDPROBE" same "/proc/$plain/limits" "$MNT/proc/$plain/limits")"
# top's way: the file kept open, read again from offset 0.
"$READVIA" "$MNT/proc/$plain/limits" refresh "$scratch/go" >"$scratch/refresh" 2>&1 &
refresher=$!
wait_for 100 grep -q 'Max open files' "$scratch/refresh"
prlimit --pid "$plain" --nofile=111:222
touch "$scratch/go"
wait "$refresher"
check "kept open and read again from 0: the new limit" "123 456,111 222," \
	"$(limit "Max open files" <"$scratch/refresh" | tr '\n' ',')"

# --- ceilings: pids.max and the memory limit -------------------------------------
pids_create "$pids_top" hundred
hundred=$PIDS_DIR
echo 100 >"$hundred/pids.max"
pids_create "$pids_top" nested
nested=$PIDS_DIR
echo 100 >"$nested/pids.max"
pids_create "$nested" child
nested_child=$PIDS_DIR
pids_create "$nested" tighter
tighter=$PIDS_DIR
echo 50 >"$tighter/pids.max"
pids_create "$nested" looser
looser=$PIDS_DIR
echo 1000 >"$looser/pids.max"
pids_create "$pids_top" soft
soft=$PIDS_DIR
echo 100 >"$soft/pids.max"
cg_create "$top_cg" mem256
mem256=$CG_DIR
cg_set_limit "$mem256" $((256 * MiB))
cg_create "$mem256" unlimited-child
mem_child=$CG_DIR
cg_create "$top_cg" both
both=$CG_DIR
cg_set_limit "$both" $((256 * MiB))
if [ "$PIDS_VERSION" = 2 ] && [ "$CG_VERSION" = 2 ]; then
	both_dirs=("$both")
	echo 100 >"$both/pids.max"
else
	pids_create "$pids_top" both
	both_dirs=("$both" "$PIDS_DIR")
	echo 100 >"$PIDS_DIR/pids.max"
fi

# Sleeps in each, started here: a background process started inside $(...)
# would hold its output open, and cleanup would not know its pid.
start_sleeper "$hundred"
in_hundred=$SLEEPER
start_sleeper "$nested_child"
in_nested_child=$SLEEPER
start_sleeper "$tighter"
in_tighter=$SLEEPER
start_sleeper "$looser"
in_looser=$SLEEPER
start_sleeper "$soft"
in_soft=$SLEEPER
start_sleeper "$mem256"
in_mem256=$SLEEPER
start_sleeper "$mem_child"
in_mem_child=$SLEEPER
start_sleeper "${both_dirs[@]}"
in_both=$SLEEPER

# nproc PID: Max processes of proc/PID/limits.
nproc() {
	limit "Max processes" <"$MNT/proc/$1/limits"
}
# rss PID: Max resident set of proc/PID/limits.
rss() {
	limit "Max resident set" <"$MNT/proc/$1/limits"
}
check "pids.max 100: Max processes" "100 100" "$(nproc "$in_hundred")"
check "a child without pids.max of a pids.max 100 cgroup: Max processes" "100 100" \
	"$(nproc "$in_nested_child")"
check "a child with pids.max 50 below 100: Max processes" "50 50" "$(nproc "$in_tighter")"
check "a child with pids.max 1000 below 100: Max processes" "100 100" "$(nproc "$in_looser")"
prlimit --pid "$in_soft" --nproc=10:200
check "soft limit 10 under pids.max 100 stays, hard 200 is lowered" "10 100" "$(nproc "$in_soft")"
check "... and the other lines are the kernel's" \
	"$(grep -v '^Max processes ' "/proc/$in_soft/limits")" \
	"$(grep -v '^Max processes ' "$MNT/proc/$in_soft/limits")"
check "memory limit 256 MiB: Max resident set" "268435456 268435456" "$(rss "$in_mem256")"
check "... and the other lines are the kernel's" \
	"$(grep -v '^Max resident set ' "/proc/$in_mem256/limits")" \
	"$(grep -v '^Max resident set ' "$MNT/proc/$in_mem256/limits")"
check "a child without a limit of a 256 MiB cgroup: Max resident set" "268435456 268435456" \
	"$(rss "$in_mem_child")"
check "256 MiB and pids.max 100: Max resident set" "268435456 268435456" "$(rss "$in_both")"
check "256 MiB and pids.max 100: Max processes" "100 100" "$(nproc "$in_both")"
check "the same under c/box/proc" "268435456 268435456,100 100," \
	"$(limit "Max resident set" <"$MNT/c/box/proc/$in_both/limits" | tr '\n' ','
		limit "Max processes" <"$MNT/c/box/proc/$in_both/limits" | tr '\n' ',')"
# A shell that joins the cgroups opens proc/self/limits itself; cat reads its fd.
both_join=("${both_dirs[@]}")
[ "$CG_VERSION" = 2 ] && [ -d "$both/$CG_LEAF" ] && both_join[0]=$both/$CG_LEAF
# shellcheck disable=SC2016 # expanded by that sh
sh -c 'for d in "$@"; do echo $$ >"$d/cgroup.procs" || exit 1; done
	exec 3<"$0/proc/self/limits" && exec cat <&3' "$MNT" "${both_join[@]}" >"$scratch/inside"
check "a reader in the 256 MiB, pids.max 100 cgroups: its own proc/self/limits" \
	"268435456 268435456,100 100," \
	"$(limit "Max resident set" <"$scratch/inside" | tr '\n' ','
		limit "Max processes" <"$scratch/inside" | tr '\n' ',')"

# --- pid namespaces ----------------------------------------------------------------

# pidns_start NAME SOFT HARD CHILDREN [PARENT_INIT]: a new pid namespace with
# its own /proc (made inside PARENT_INIT's namespace if given). Its init starts
# CHILDREN sleeps holding nofile HARD:HARD, then holds SOFT:HARD itself.
# Sets NS_INIT to the init's pid as the host numbers it; stopped on exit
# (SIGTERM, which it traps; --kill-child takes it down with unshare too).
pidns_start() {
	local name=$1 ready=$scratch/$1.ready enter=() launcher
	[ -n "${5:-}" ] && enter=(nsenter -t "$5" -p -m)
	# shellcheck disable=SC2016 # expanded by that sh
	"${enter[@]}" unshare -p -f --mount-proc --kill-child sh -c '
		trap "exit 0" TERM
		ulimit -n "$2" || exit 1
		i=0
		while [ "$i" -lt "$3" ]; do sleep 300 & i=$((i + 1)); done
		ulimit -S -n "$1" || exit 1
		echo ready >"$0"
		wait' "$ready" "$2" "$3" "$4" </dev/null >/dev/null 2>&1 &
	launcher=$!
	CLEANUP_PIDS="$launcher $CLEANUP_PIDS"
	wait_for 100 test -s "$ready" || return 1
	# nsenter's child is unshare, unshare's child the namespace's init.
	NS_INIT=$launcher
	[ -n "${5:-}" ] && NS_INIT=$(pgrep -P "$NS_INIT")
	NS_INIT=$(pgrep -P "$NS_INIT")
	CLEANUP_PIDS="$NS_INIT $CLEANUP_PIDS"
	eval "${name}_INIT=\$NS_INIT"
}

# in_ns INIT COMMAND...: run COMMAND in INIT's pid and mount namespaces.
in_ns() {
	local init=$1
	shift
	nsenter -t "$init" -p -m "$@"
}

# ns_pid HOST_PID LEVEL: the pid of HOST_PID in the namespace LEVEL below the host's.
ns_pid() {
	awk -v l="$2" '$1 == "NSpid:" {print $(l + 2)}' "/proc/$1/status"
}

# shellcheck disable=SC2016 # expanded by that sh
check "a fresh namespace lists its init and the lister, meminfo, net and self" \
	"1 2 meminfo net self" \
	"$(unshare -p -f --mount-proc sh -c 'ls "$0/proc"; true' "$MNT" | tr '\n' ' ' | sed 's/ $//')"

pidns_start A 700 888 20 || check "namespace A starts" yes no
pidns_start A2 555 666 3 "$A_INIT" || check "namespace A2 starts in A" yes no
pidns_start B 333 444 3 || check "namespace B starts" yes no
a2_in_a=$(ns_pid "$A2_INIT" 1)

check "in A: proclens lists A's pids, the kernel's /proc in A, each with its limits" same \
	"$(in_ns "$A_INIT" "$PIDPROBE" all /proc "$MNT/proc" 2>/dev/null)"
check "in A: proc/1/limits is A's init's, byte for byte" same \
	"$(in_ns "$A_INIT" "$PIDPROBE" same /proc/1/limits "$MNT/proc/1/limits")"
check "in A: proc/1/limits has A's init's nofile 700:888" "700 888" \
	"$(in_ns "$A_INIT" cat "$MNT/proc/1/limits" | limit "Max open files")"
check "in A: c/box/proc/1/limits is A's init's too" "700 888" \
	"$(in_ns "$A_INIT" cat "$MNT/c/box/proc/1/limits" | limit "Max open files")"
check "in A: proc/self is the reader's pid in A, as A's /proc/self" yes \
	"$(read -r pid kernel ours <<<"$(in_ns "$A_INIT" "$PIDPROBE" self "$MNT/proc")" &&
		[ "$kernel" = "$pid" ] && [ "$ours" = "$pid" ] && [ "$pid" -lt 100 ] &&
		echo yes || echo "no: $pid $kernel $ours")"
check "in A: the host's pid of the test shell ($$) is not there" no \
	"$(in_ns "$A_INIT" test -e "/proc/$$" && echo yes || echo no)"
check "in A: proc/$$/limits (a host pid) is ENOENT" ENOENT \
	"$(read_result in_ns "$A_INIT" "$READVIA" "$MNT/proc/$$/limits" read)"
check "in A: c/box/proc/$$/limits is ENOENT" ENOENT \
	"$(read_result in_ns "$A_INIT" "$READVIA" "$MNT/c/box/proc/$$/limits" read)"
check "in A: proc/$$ is not there" no \
	"$(in_ns "$A_INIT" stat "$MNT/proc/$$" >/dev/null 2>&1 && echo yes || echo no)"
check "in A: A2's init is listed with A's number ($a2_in_a)" "$a2_in_a" \
	"$(in_ns "$A_INIT" "$PIDPROBE" pids "$MNT/proc" | tr ' ' '\n' | grep -x "$a2_in_a")"
check "in A: proc/$a2_in_a/limits is A2's init's nofile 555:666" "555 666" \
	"$(in_ns "$A_INIT" cat "$MNT/proc/$a2_in_a/limits" | limit "Max open files")"
check "the host: proc/<A's init>/limits has nofile 700:888" "700 888" \
	"$(limit "Max open files" <"$MNT/proc/$A_INIT/limits")"
check "the host: proc/1/limits is the host's init's" \
	"$(limit "Max open files" </proc/1/limits)" "$(limit "Max open files" <"$MNT/proc/1/limits")"

check "in A2: proclens lists A2's pids, the kernel's /proc in A2, each with its limits" same \
	"$(in_ns "$A2_INIT" "$PIDPROBE" all /proc "$MNT/proc" 2>/dev/null)"
check "in A2: proc/1/limits is A2's init's nofile 555:666" "555 666" \
	"$(in_ns "$A2_INIT" cat "$MNT/proc/1/limits" | limit "Max open files")"
# A's highest pid but the lister's own: an A2 sleep as A numbers it, above
# every pid A2 and B have.
a_high=$(in_ns "$A_INIT" "$PIDPROBE" pids /proc | tr ' ' '\n' | tail -n 2 | head -n 1)
check "in A: proc/$a_high/limits reads" data \
	"$(read_result in_ns "$A_INIT" "$READVIA" "$MNT/proc/$a_high/limits" read)"
check "in A2: the kernel has no pid $a_high" no \
	"$(in_ns "$A2_INIT" test -e "/proc/$a_high" && echo yes || echo no)"
check "in A2: proc/$a_high/limits (a pid of A only) is ENOENT" ENOENT \
	"$(read_result in_ns "$A2_INIT" "$READVIA" "$MNT/proc/$a_high/limits" read)"
# shellcheck disable=SC2016 # expanded by that sh
check "in A2: no listed pid has A's init's nofile 700:888" "" \
	"$(in_ns "$A2_INIT" sh -c 'for p in $("$1" pids "$0/proc"); do
		cat "$0/proc/$p/limits"; done' "$MNT" "$PIDPROBE" 2>/dev/null |
		limit "Max open files" | grep -x '700 888')"

check "in B: proclens lists B's pids, the kernel's /proc in B, each with its limits" same \
	"$(in_ns "$B_INIT" "$PIDPROBE" all /proc "$MNT/proc" 2>/dev/null)"
check "in B: proc/1/limits is B's own init's 333:444, never A's" "333 444" \
	"$(in_ns "$B_INIT" cat "$MNT/proc/1/limits" | limit "Max open files")"
check "in B: the kernel has no pid $a_high" no \
	"$(in_ns "$B_INIT" test -e "/proc/$a_high" && echo yes || echo no)"
check "in B: A's pid $a_high, which B has not, is ENOENT" ENOENT \
	"$(read_result in_ns "$B_INIT" "$READVIA" "$MNT/proc/$a_high/limits" read)"
check "in B: A's init's host pid ($A_INIT) is ENOENT" ENOENT \
	"$(read_result in_ns "$B_INIT" "$READVIA" "$MNT/proc/$A_INIT/limits" read)"
check "in B: c/box/proc/$a_high/limits is ENOENT" ENOENT \
	"$(read_result in_ns "$B_INIT" "$READVIA" "$MNT/c/box/proc/$a_high/limits" read)"
# shellcheck disable=SC2016 # expanded by that sh
check "in B: no listed pid has A's or A2's nofile" "" \
	"$(in_ns "$B_INIT" sh -c 'for p in $("$1" pids "$0/proc"); do
		cat "$0/proc/$p/limits"; done' "$MNT" "$PIDPROBE" 2>/dev/null |
		limit "Max open files" | grep -xE '700 888|888 888|555 666|666 666')"

# --- proc/self for concurrent and threaded readers --------------------------------
# self_right: proc/self is this process's pid, and proc/self/limits its own
# limits, made its own with a nofile no other reader has.
self_right() {
	local out pid kernel ours n=$((BASHPID % 900 + 100))
	out=$(prlimit --nofile=$n:$((n + 1)) "$PIDPROBE" self "$MNT/proc") || return 1
	read -r pid kernel ours <<<"$out"
	[ "$kernel" = "$pid" ] && [ "$ours" = "$pid" ] || return 1
	prlimit --nofile=$n:$((n + 1)) "$PIDPROBE" same /proc/self/limits "$MNT/proc/self/limits" \
		>/dev/null
}
check "20 concurrent readers: proc/self and proc/self/limits are each one's own" 0 \
	"$(parallel_failures 20 self_right)"
check "a second thread: proc/self is the process id, not the thread's" yes \
	"$(read -r pid tid kernel ours <<<"$("$PIDPROBE" self-thread "$MNT/proc")" &&
		[ "$tid" != "$pid" ] && [ "$kernel" = "$pid" ] && [ "$ours" = "$pid" ] &&
		echo yes || echo "no: pid $pid tid $tid kernel $kernel proclens $ours")"
check "a second thread: proc/self/limits is /proc/self/limits" same \
	"$(prlimit --nofile=321:654 "$PIDPROBE" same-thread /proc/self/limits "$MNT/proc/self/limits")"
for mode in thread thread-exit "threads 8"; do
	# shellcheck disable=SC2086 # "threads 8" is a mode and its argument
	check "readvia $mode: proc/self/limits has the reader's nofile 321:654" "321 654" \
		"$(prlimit --nofile=321:654 "$READVIA" "$MNT/proc/self/limits" $mode | limit "Max open files")"
done

# --- a pid that exits between lookup and read ------------------------------------------
rounds=$(scaled 200)
"$PIDPROBE" exit-race "$MNT/proc" "$rounds" >"$scratch/race"
echo "# exit between lookup and read, $rounds rounds each: $(tr '\n' ';' <"$scratch/race")"
for way in open lookup dirfd; do
	check "$way, then exit: ENOENT or ESRCH every round, never data" "$rounds data=0 other=0 refused=0" \
		"$(awk -v w="$way:" '$1 == w {
			for (i = 2; i <= NF; i++) { split($i, kv, "="); c[kv[1]] = kv[2] }
			print c["ENOENT"] + c["ESRCH"], "data=" c["data"], "other=" c["other"], "refused=" c["refused-alive"] }' \
			"$scratch/race")"
done
check "after the races, proc/self/limits still reads right" same \
	"$("$PIDPROBE" same /proc/self/limits "$MNT/proc/self/limits")"
check "the daemon is still serving" yes "$(kill -0 "$DAEMON_PID" && echo yes)"
finish
