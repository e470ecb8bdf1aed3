#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# load.sh - 64 readers in 16 groups against one daemon for LOAD_SECONDS (30;
# 10 in the VM lane). Each group is a container of its own: a memory and a
# pids cgroup with limits no other group has, a network namespace holding
# sockets in numbers no other group has, a pid namespace; one group's readers
# run as uid 65534. Every reader reads every file in turn (open, read to end
# of file, close): proc/meminfo, proc/net/sockstat, proc/net/sockstat6, the
# mirrored proc/net/tcp, proc/self/limits, proc/1/limits and the same under
# c/<group>/. Asserted: no read fails, every read shows its own group's
# figures, and the daemon's descriptors, threads and resident memory are
# where they were after the warm-up. Prints p50 and p99 per file and reads/s.
. "$TESTS_DIR/integration/lib.sh"
require_root
require_memcg
for tool in unshare ip; do
	command -v "$tool" >/dev/null 2>&1 || skip "needs $tool"
done
LOADGEN=${LOADGEN:-$(dirname "$PROCLENS")/tests/integration/loadgen}
[ -x "$LOADGEN" ] || skip "needs $LOADGEN (built by make check)"

MiB=1048576
GROUPS_COUNT=16
READERS=4
if [ "${PROCLENS_VM:-0}" = 1 ]; then
	# 120 s for the whole test there, under an emulated CPU.
	LOAD_SECONDS=${LOAD_SECONDS:-10}
	WARMUP_PASSES=1
else
	LOAD_SECONDS=${LOAD_SECONDS:-30}
	WARMUP_PASSES=5
fi
UNPRIVILEGED_GROUP=16
UNPRIVILEGED_UID=65534
# Allowed growth of the daemon's VmRSS over the load: the warm-up has made
# every worker thread, its malloc arena and each group's cgroup nodes,
# namespace socket and proc instance; what the load allocates is per open
# file and freed at release, so what may stay is allocator slack. 1 MiB is
# 256 pages: less than a leak of 100 bytes a read (the load does tens of
# thousands here, a few thousand in the VM lane), far more than the few
# hundred kB the heap moves between runs.
RSS_SLACK_KB=1024

# group_limit_mib G: group G's memory limit; group_pids_max G: its pids.max.
group_limit_mib() { echo $((64 + 4 * $1)); }
group_pids_max() { echo $((100 + $1)); }
# group_sockets G: TCP listeners and bound UDP sockets, IPv4 then IPv6.
group_sockets() { echo "$1,$((2 * $1)),$((3 * $1)),$((4 * $1))"; }

scratch=$(mktemp -d /tmp/proclens-load.XXXXXX)
CLEANUP_FILES="$scratch $CLEANUP_FILES"
# The unprivileged group waits for the warm-up's and the load's files in it.
chmod 755 "$scratch"
WARM=$scratch/warm
GO=$scratch/go

# --- the pids controller (as limits.sh) ----------------------------------------
if grep -qE '^[0-9]+:([^:]*,)?pids(,[^:]*)?:' /proc/self/cgroup; then
	PIDS_VERSION=1
elif [ -f /sys/fs/cgroup/cgroup.controllers ] &&
	grep -qw pids /sys/fs/cgroup/cgroup.controllers; then
	PIDS_VERSION=2
else
	skip "no pids controller"
fi
pids_self() {
	echo "/sys/fs/cgroup/pids$(awk -F: '$2 ~ /(^|,)pids(,|$)/ {print $3}' /proc/self/cgroup)" |
		sed 's:/$::'
}
[ "$(ulimit -u)" = unlimited ] || [ "$(ulimit -u)" -gt 200 ] ||
	skip "RLIMIT_NPROC $(ulimit -u) is below the groups' pids.max"
[ "$(ulimit -Hu)" = unlimited ] || [ "$(ulimit -Hu)" -gt 200 ] ||
	skip "the hard RLIMIT_NPROC $(ulimit -Hu) is below the groups' pids.max"

start_daemon || skip "the daemon does not start"
own_kb=$(meminfo_kb "$MNT/proc/meminfo" MemTotal)
[ "${own_kb:-0}" -gt $(($(group_limit_mib "$GROUPS_COUNT") * 1024)) ] ||
	skip "this cgroup allows $own_kb kB, less than the groups' limits"

daemon_fds() { ls "/proc/$DAEMON_PID/fd" | wc -l; }
daemon_threads() { awk '$1 == "Threads:" {print $2}' "/proc/$DAEMON_PID/status"; }
daemon_rss_kb() { awk '$1 == "VmRSS:" {print $2}' "/proc/$DAEMON_PID/status"; }
# daemon_cpu_ticks: user and system time, in clock ticks (after the comm field).
daemon_cpu_ticks() { sed 's/.*) //' "/proc/$DAEMON_PID/stat" | awk '{print $12 + $13}'; }
FDS_REST=$(daemon_fds)
THREADS_REST=$(daemon_threads)
RSS_REST=$(daemon_rss_kb)

# --- the groups' cgroups --------------------------------------------------------
cg_test_root
mem_top=$CG_DIR
if [ "$PIDS_VERSION" = 2 ] && [ "$CG_VERSION" = 2 ]; then
	pids_top=$mem_top
	grep -qw pids "$mem_top/cgroup.subtree_control" ||
		echo +pids >"$mem_top/cgroup.subtree_control" ||
		skip "cannot enable the pids controller below $mem_top"
else
	pids_top=$(pids_self)/proclens-test-$TEST_NAME-$$
	if [ "$PIDS_VERSION" = 2 ]; then
		grep -qw pids "$(pids_self)/cgroup.subtree_control" ||
			echo +pids >"$(pids_self)/cgroup.subtree_control" ||
			skip "cannot enable the pids controller below $(pids_self)"
	fi
	mkdir "$pids_top" || skip "cannot make $pids_top"
	CLEANUP_CGROUPS="$pids_top $CLEANUP_CGROUPS"
fi
declare -a JOIN
for g in $(seq "$GROUPS_COUNT"); do
	cg_create "$mem_top" "group$g" || skip "cannot make the memory cgroup of group $g"
	cg_set_limit "$CG_DIR" $(($(group_limit_mib "$g") * MiB))
	JOIN[g]=$CG_DIR
	if [ "$pids_top" != "$mem_top" ]; then
		mkdir "$pids_top/group$g" || skip "cannot make the pids cgroup of group $g"
		CLEANUP_CGROUPS="$pids_top/group$g $CLEANUP_CGROUPS"
		JOIN[g]="${JOIN[g]} $pids_top/group$g"
	fi
	group_pids_max "$g" >"$pids_top/group$g/pids.max"
done

# --- the groups ------------------------------------------------------------------
HAVE_SETPRIV=no
command -v setpriv >/dev/null 2>&1 && HAVE_SETPRIV=yes
declare -A UNSHARE_PID LEADER_PID

# group_start G NAME [LOADGEN OPTION...]: G's loadgen, pid 1 of a new pid
# namespace in a new network namespace (loopback up) in G's cgroups, its
# readers' files read under NAME below c/; output in $scratch/NAME.out and
# .err. UNSHARE_PID[NAME] is the unshare; group_leader finds its child.
group_start() {
	local g=$1 name=$2 as=()
	shift 2
	if [ "$g" = "$UNPRIVILEGED_GROUP" ] && [ "$HAVE_SETPRIV" = yes ]; then
		as=(setpriv --reuid "$UNPRIVILEGED_UID" --regid "$UNPRIVILEGED_UID" --clear-groups)
	fi
	# shellcheck disable=SC2016,SC2086 # expanded by that sh; JOIN is a list
	sh -c 'while [ "$1" != -- ]; do echo $$ >"$1/cgroup.procs" || exit 1; shift; done
		shift; exec "$@"' sh ${JOIN[g]} -- \
		unshare --net --pid --fork --kill-child sh -c 'ip link set lo up && exec "$@"' sh \
		"${as[@]}" "$LOADGEN" run -r "$READERS" -t $((LOAD_SECONDS + 300)) -a "$WARM" -g "$GO" \
		-s "$(group_sockets "$g")" -m $(($(group_limit_mib "$g") * 1024)) \
		-p "$(group_pids_max "$g")" -l $(($(group_limit_mib "$g") * MiB)) "$@" "$MNT" "$name" \
		</dev/null >"$scratch/$name.out" 2>"$scratch/$name.err" &
	UNSHARE_PID[$name]=$!
	CLEANUP_PIDS="$! $CLEANUP_PIDS"
}

# says NAME WORD: NAME's output has a line starting with WORD; the rest of
# that line in SAID. Shell builtins only: while readers run, the VM lane's
# guest takes seconds to start a process.
says() {
	local word rest
	[ -f "$scratch/$1.out" ] || return 1
	while read -r word rest; do
		[ "$word" = "$2" ] && SAID=$rest && return 0
	done <"$scratch/$1.out"
	return 1
}

# all_say WORD: every group's output has a line WORD.
all_say() {
	local g
	for ((g = 1; g <= GROUPS_COUNT; g++)); do
		says "group$g" "$1" || return 1
	done
}

# group_leader NAME: LEADER_PID[NAME], the group's pid 1 as the host numbers
# it, once started. unshare ignores SIGTERM while its child lives; the
# loadgen stops on it, and its namespace with it.
group_leader() {
	wait_for 300 says "$1" started || return 1
	LEADER_PID[$1]=$SAID
	CLEANUP_PIDS="$SAID $CLEANUP_PIDS"
}

# group_stop NAME: the loadgen, then the unshare that waits for it.
group_stop() {
	[ -n "${LEADER_PID[$1]:-}" ] && stop_pid "${LEADER_PID[$1]}"
	stop_pid "${UNSHARE_PID[$1]}"
}

# settled: the daemon's descriptor count is the same twice, 2 s apart (what
# the warm-up's last releases and lookups held is given back, and the kept
# /proc/<tid>/cgroup of readers now waiting, idle for 1 s, closed).
settled() {
	local before
	before=$(daemon_fds)
	sleep 2
	[ "$(daemon_fds)" = "$before" ]
}

# not_all WORD CHECK: name the groups that never said WORD, fail CHECK, stop.
not_all() {
	local g
	for g in $(seq "$GROUPS_COUNT"); do
		says "group$g" "$1" || echo "# group $g did not say $1: $(head -c 2000 "$scratch/group$g.err")"
	done
	check "$2" yes no
	finish
	exit
}

# Started all at once, warmed up once all have started (a new network
# namespace takes a second in the VM lane's guest, and there a process
# started while readers run takes several).
rm -f "$WARM" "$GO"
START=$SECONDS
for g in $(seq "$GROUPS_COUNT"); do
	group_start "$g" "group$g" -d "$LOAD_SECONDS" -w "$WARMUP_PASSES"
done
for g in $(seq "$GROUPS_COUNT"); do
	group_leader "group$g"
done
all_say started || not_all started "all $GROUPS_COUNT groups started"
echo "# groups started in $((SECONDS - START)) s"
START=$SECONDS
touch "$WARM"
wait_for 1200 all_say ready || not_all ready "all $GROUPS_COUNT groups warmed up"
echo "# warmed up in $((SECONDS - START)) s"
if [ "$HAVE_SETPRIV" = yes ]; then
	check "group $UNPRIVILEGED_GROUP's readers run as uid $UNPRIVILEGED_UID" "$UNPRIVILEGED_UID" \
		"$(awk '$1 == "Uid:" {print $2}' "/proc/${LEADER_PID[group$UNPRIVILEGED_GROUP]}/status")"
else
	echo "# no setpriv: every group reads as root"
fi
check "group 1's loadgen is pid 1 of its own pid namespace" 1 \
	"$(awk '$1 == "NSpid:" {print $NF}' "/proc/${LEADER_PID[group1]}/status")"
check "group 1's loadgen is in its own network namespace" yes \
	"$([ "$(readlink "/proc/${LEADER_PID[group1]}/ns/net")" != "$(readlink /proc/self/ns/net)" ] && echo yes)"

wait_for 10 settled
FDS_BEFORE=$(daemon_fds)
THREADS_BEFORE=$(daemon_threads)
RSS_BEFORE=$(daemon_rss_kb)
echo "# daemon after the warm-up: $FDS_BEFORE descriptors, $THREADS_BEFORE threads, VmRSS $RSS_BEFORE kB" \
	"(at rest before the groups: $FDS_REST, $THREADS_REST, $RSS_REST kB)"

echo "# $((GROUPS_COUNT * READERS)) readers in $GROUPS_COUNT groups, $LOAD_SECONDS s"
START=$SECONDS
CPU_BEFORE=$(daemon_cpu_ticks)
touch "$GO"
if ! wait_for $(((LOAD_SECONDS + 60) * 10)) all_say "done"; then
	check "every group's readers finished within $((LOAD_SECONDS + 60)) s" yes no
fi
echo "# the load ended after $((SECONDS - START)) s; the daemon's CPU time in it:" \
	"$(awk -v t="$(($(daemon_cpu_ticks) - CPU_BEFORE))" -v hz="$(getconf CLK_TCK)" \
		'BEGIN { printf "%.1f", t / hz }') s"
for g in $(seq "$GROUPS_COUNT"); do
	[ -s "$scratch/group$g.err" ] && echo "# group $g said: $(head -c 2000 "$scratch/group$g.err")"
done

# --- what the readers saw ------------------------------------------------------------
"$LOADGEN" report "$scratch"/group*.out >"$scratch/report"
sed 's/^/# /' "$scratch/report"
total() { awk -v k="$1" '$1 == "total" { for (i = 2; i < NF; i++) if ($i == k) print $(i + 1) }' \
	"$scratch/report"; }
check "every group's $READERS readers ran to the end" \
	"$GROUPS_COUNT groups, $((GROUPS_COUNT * READERS)) ok" \
	"$(awk '$1 == "groups" {print $2 " groups, " $6 " ok"}' "$scratch/report")"
check "every group read each of the 12 files in the load" $((GROUPS_COUNT * 12)) \
	"$(cat "$scratch"/group*.out | awk '$1 == "kind" && $5 > 0' | wc -l)"
check "no read failed (open, read or close)" 0 "$(total errors)"
check "every read had its own group's figures" 0 "$(total wrong)"
echo "# $(total reads) reads in $(total seconds) s: $(total reads/s) reads/s"

# --- the daemon: nothing held or grown -------------------------------------------------
fds_back() { [ "$(daemon_fds)" = "$FDS_BEFORE" ]; }
wait_for 200 fds_back
FDS_AFTER=$(daemon_fds)
THREADS_AFTER=$(daemon_threads)
RSS_AFTER=$(daemon_rss_kb)
echo "# daemon after the load: $FDS_AFTER descriptors, $THREADS_AFTER threads, VmRSS $RSS_AFTER kB" \
	"(+$((RSS_AFTER - RSS_BEFORE)) kB)"
check "the daemon's descriptors: as many as before the load" "$FDS_BEFORE" "$FDS_AFTER"
check "the daemon's threads: as many as before the load" "$THREADS_BEFORE" "$THREADS_AFTER"
# ASan's quarantine holds freed memory back by design (run-all.sh's
# sanitizer lane sets PROCLENS_SANITIZER=1).
if [ "${PROCLENS_SANITIZER:-0}" = 1 ]; then
	echo "# PROCLENS_SANITIZER=1: ASan build, memory growth not checked"
else
	check_true "the daemon's VmRSS grew by at most $RSS_SLACK_KB kB ($RSS_BEFORE -> $RSS_AFTER kB)" \
		[ $((RSS_AFTER - RSS_BEFORE)) -le "$RSS_SLACK_KB" ]
fi

# --- the checks can fail: group 1's figures, each expected one higher -------------------
group_start 1 control -d 0 -w 0 -r 1 -x
group_leader control
if wait_for 300 says control "done"; then
	check "control: with every figure expected one higher, all 12 files read wrong" \
		"12 wrong of 12, 0 errors" \
		"$(awk '$1 == "kind" { n++; if ($5 == 1 && $9 == 1) w++; e += $7 }
			END { print w + 0 " wrong of " n + 0 ", " e + 0 " errors" }' "$scratch/control.out")"
else
	check "control: the group with wrong expectations ran" done "$(cat "$scratch/control.err")"
fi
group_stop control

for g in $(seq "$GROUPS_COUNT"); do
	group_stop "group$g"
done
check_true "the daemon still serves proc/meminfo" grep -q '^MemTotal:' "$MNT/proc/meminfo"
echo "# daemon with every group gone: $(daemon_fds) descriptors, $(daemon_threads) threads," \
	"VmRSS $(daemon_rss_kb) kB"

finish
