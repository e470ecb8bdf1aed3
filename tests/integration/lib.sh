# SPDX-License-Identifier: GPL-2.0-or-later
# lib.sh - shared helpers of the integration tests; sourced, never run.
#
# The tests run as root against a real proclens mount and real cgroups, on
# the host's layout (cgroup v1 or hybrid here, pure v2 in the VM lane). They
# create cgroups only beneath the cgroup they run in, never move a process
# outside it, and undo everything they did on exit, failed or not.

set -u

: "${PROCLENS:?PROCLENS must name the proclens binary}"
TEST_NAME=$(basename "$0" .sh)
FAILURES=0
PASSES=0
CLEANUP_PIDS=""
CLEANUP_MOUNTS=""
CLEANUP_CGROUPS=""
CLEANUP_FILES=""
CLEANUP_NETNS=""

skip() {
	echo "SKIP: $TEST_NAME: $*"
	exit 77
}

require_root() {
	[ "$(id -u)" = 0 ] || skip "needs root"
	[ -c /dev/fuse ] || skip "needs /dev/fuse"
}

# check NAME EXPECTED ACTUAL: one assertion, reported on its own line.
check() {
	if [ "$2" = "$3" ]; then
		PASSES=$((PASSES + 1))
		echo "ok - $1"
	else
		FAILURES=$((FAILURES + 1))
		echo "not ok - $1: expected '$2', got '$3'"
	fi
}

# check_true NAME COMMAND...: an assertion that a command succeeds.
check_true() {
	local name=$1
	shift
	if "$@"; then
		check "$name" yes yes
	else
		check "$name" yes no
	fi
}

finish() {
	echo "$TEST_NAME: $PASSES passed, $FAILURES failed"
	[ "$FAILURES" = 0 ]
}

# stop_pid PID: SIGTERM, a bounded wait (5 s), then SIGKILL.
stop_pid() {
	kill "$1" 2>/dev/null || return 0
	for _ in $(seq 50); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

cleanup() {
	local pid mnt cg file ns
	for pid in $CLEANUP_PIDS; do
		kill "$pid" 2>/dev/null
	done
	for pid in $CLEANUP_PIDS; do
		stop_pid "$pid"
	done
	for ns in $CLEANUP_NETNS; do
		ip netns del "$ns" 2>/dev/null
	done
	for mnt in $CLEANUP_MOUNTS; do
		# Not mountpoint(1): it stats, which fails on a dead FUSE mount.
		grep -q " $mnt " /proc/self/mountinfo && umount -l "$mnt"
		rmdir "$mnt" 2>/dev/null
	done
	# Deepest first; a cgroup empties once its processes (ours) are gone.
	for cg in $CLEANUP_CGROUPS; do
		for _ in $(seq 50); do
			rmdir "$cg" 2>/dev/null && break
			[ -d "$cg" ] || break
			sleep 0.1
		done
	done
	for file in $CLEANUP_FILES; do
		rm -rf "$file"
	done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- cgroups --------------------------------------------------------------

# The memory controller's layout: v1 (also on hybrid hosts) or v2.
cg_version() {
	if grep -qE '^[0-9]+:([^:]*,)?memory(,[^:]*)?:' /proc/self/cgroup; then
		echo 1
	elif [ -f /sys/fs/cgroup/cgroup.controllers ] &&
		grep -qw memory /sys/fs/cgroup/cgroup.controllers; then
		echo 2
	else
		echo 0
	fi
}
CG_VERSION=$(cg_version)

# The directory of the memory cgroup this shell is in.
cg_self() {
	if [ "$CG_VERSION" = 1 ]; then
		echo "/sys/fs/cgroup/memory$(awk -F: '$2 ~ /(^|,)memory(,|$)/ {print $3}' /proc/self/cgroup)"
	else
		echo "/sys/fs/cgroup$(awk -F: '$1 == "0" {print $3}' /proc/self/cgroup)"
	fi | sed 's:/$::'
}

require_memcg() {
	[ "$CG_VERSION" != 0 ] || skip "no memory controller"
}

# The child cgroup that stands for its parent on v2 once the parent has
# children: v2 lets no process into a cgroup that enables controllers for
# its children, and a child without limits of its own has its parent's.
CG_LEAF=proclens-leaf

# cg_create PARENT_DIR NAME: make a child cgroup (memory enabled on v2) and
# set CG_DIR to it (not printed: cleanup must be registered in this shell).
# On v2 the parent also gets its leaf, for cg_run. Removed on exit.
cg_create() {
	local dir="$1/$2"
	if [ "$CG_VERSION" = 2 ]; then
		grep -qw memory "$1/cgroup.subtree_control" ||
			echo +memory >"$1/cgroup.subtree_control" ||
			skip "cannot enable the memory controller below $1"
		if [ "$1" != "$(cg_self)" ] && [ ! -d "$1/$CG_LEAF" ]; then
			mkdir "$1/$CG_LEAF" || return 1
			CLEANUP_CGROUPS="$1/$CG_LEAF $CLEANUP_CGROUPS"
		fi
	fi
	mkdir "$dir" || return 1
	CLEANUP_CGROUPS="$dir $CLEANUP_CGROUPS"
	CG_DIR=$dir
}

# cg_set_limit DIR BYTES|max
cg_set_limit() {
	local value=$2
	if [ "$CG_VERSION" = 1 ]; then
		[ "$value" = max ] && value=-1
		echo "$value" >"$1/memory.limit_in_bytes"
	else
		echo "$value" >"$1/memory.max"
	fi
}

# cg_set_swap_limit DIR BYTES|max: swap alone (v1: memsw = memory + swap).
cg_set_swap_limit() {
	if [ "$CG_VERSION" = 1 ]; then
		local mem
		mem=$(cat "$1/memory.limit_in_bytes")
		echo $((mem + $2)) >"$1/memory.memsw.limit_in_bytes"
	else
		echo "$2" >"$1/memory.swap.max"
	fi
}

# cg_run DIR COMMAND...: run a command inside the cgroup (on v2, in its
# leaf if it has children).
cg_run() {
	local dir=$1
	shift
	if [ "$CG_VERSION" = 2 ] && [ -d "$dir/$CG_LEAF" ]; then
		dir=$dir/$CG_LEAF
	fi
	sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$dir" "$@"
}

# cg_test_root: a fresh cgroup for this test beneath our own, in CG_DIR.
CG_TEST_ROOTS=0
cg_test_root() {
	CG_TEST_ROOTS=$((CG_TEST_ROOTS + 1))
	cg_create "$(cg_self)" "proclens-test-$TEST_NAME-$$-$CG_TEST_ROOTS"
}

# --- network namespaces ---------------------------------------------------

NETNS_SEQ=0
# netns_new: a fresh namespace with loopback up, named in NS; removed on exit.
netns_new() {
	NETNS_SEQ=$((NETNS_SEQ + 1))
	NS="proclens-$TEST_NAME-$$-$NETNS_SEQ"
	ip netns add "$NS" || return 1
	CLEANUP_NETNS="$NS $CLEANUP_NETNS"
	ip -n "$NS" link set lo up
}

# ns_exec NS COMMAND...: run in NS. nsenter rather than ip netns exec: ip's
# own netlink sockets, freed after it execs, would still count in "used".
ns_exec() {
	local ns=$1
	shift
	nsenter --net="/run/netns/$ns" "$@"
}

# --- the daemon -----------------------------------------------------------

# start_daemon: mount proclens at a fresh directory; sets MNT and DAEMON_PID.
start_daemon() {
	MNT=$(mktemp -d /tmp/proclens-mnt.XXXXXX)
	CLEANUP_MOUNTS="$MNT $CLEANUP_MOUNTS"
	local pidfile="$MNT.pid"
	CLEANUP_FILES="$pidfile $CLEANUP_FILES"
	"$PROCLENS" --pidfile "$pidfile" "$MNT" || return 1
	DAEMON_PID=$(cat "$pidfile")
	CLEANUP_PIDS="$DAEMON_PID $CLEANUP_PIDS"
}

# in_container DIR COMMAND...: run a command in cgroup DIR, in a private
# mount namespace where proclens's meminfo is bind-mounted over /proc/meminfo.
in_container() {
	local dir=$1
	shift
	cg_run "$dir" unshare -m --propagation private sh -c \
		'mount --bind "$0/proc/meminfo" /proc/meminfo && exec "$@"' "$MNT" "$@"
}

# meminfo_kb FILE FIELD: a field's value in kB.
meminfo_kb() {
	awk -v f="$2:" '$1 == f {print $2}' "$1"
}

# scaled COUNT: a loop count for this lane. The VM lane emulates its CPUs
# (qemu TCG), where starting a process costs ~10 ms: a tenth there.
scaled() {
	if [ "${PROCLENS_VM:-0}" = 1 ]; then
		echo $(($1 / 10))
	else
		echo "$1"
	fi
}

# parallel_failures COUNT COMMAND...: run COUNT copies of a command at once
# and print how many of them failed.
parallel_failures() {
	local count=$1 pids="" pid failed=0
	shift
	for _ in $(seq "$count"); do
		"$@" &
		pids="$pids $!"
	done
	for pid in $pids; do
		wait "$pid" || failed=$((failed + 1))
	done
	echo "$failed"
}

# wait_for COUNT COMMAND...: retry a command up to COUNT times, 0.1 s apart.
wait_for() {
	local n=$1
	shift
	for _ in $(seq "$n"); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

# --- readers that loop while the daemon is disturbed ------------------------
# loop_reader NAME MODE PATH EXPECT: loopread (MODE reopen, keep or dir; see
# loopread.c) in cgroup $LOOP_CG for $LOOP_SECONDS, in the background. With
# LOOP_BIND set, it reads /proc/meminfo in a mount namespace of its own with
# $MNT/c/$LOOP_BIND/proc/meminfo bound over it, as a container does.
# loop_readers_check WHAT: wait for every reader started, then check that none
# failed a read, none read wrong content, and each read throughout.
LOOP_NAMES=""
LOOP_PIDS=""
LOOP_OUT=""
loop_reader() {
	local loopread
	loopread=$(dirname "$PROCLENS")/tests/integration/loopread
	if [ -z "$LOOP_OUT" ]; then
		LOOP_OUT=$(mktemp -d /tmp/proclens-loop.XXXXXX)
		CLEANUP_FILES="$LOOP_OUT $CLEANUP_FILES"
	fi
	if [ -n "${LOOP_BIND:-}" ]; then
		cg_run "$LOOP_CG" unshare -m --propagation private sh -c \
			'mount --bind "$0/c/$1/proc/meminfo" /proc/meminfo && shift && exec "$@"' \
			"$MNT" "$LOOP_BIND" "$loopread" "$2" "$3" "$LOOP_SECONDS" "$4" \
			>"$LOOP_OUT/$1" 2>"$LOOP_OUT/$1.err" &
	else
		cg_run "$LOOP_CG" "$loopread" "$2" "$3" "$LOOP_SECONDS" "$4" \
			>"$LOOP_OUT/$1" 2>"$LOOP_OUT/$1.err" &
	fi
	LOOP_PIDS="$LOOP_PIDS $!"
	CLEANUP_PIDS="$! $CLEANUP_PIDS"
	LOOP_NAMES="$LOOP_NAMES $1"
}

loop_readers_check() {
	local pid name result reads
	for pid in $LOOP_PIDS; do
		wait "$pid"
	done
	for name in $LOOP_NAMES; do
		result=$(cat "$LOOP_OUT/$name")
		echo "# $name: $result"
		sed 's/^/# /' "$LOOP_OUT/$name.err"
		check "$name: no read failed through $1" 0 \
			"$(echo "$result" | sed -n 's/.*failed=\([0-9]*\).*/\1/p')"
		check "$name: no read was wrong through $1" 0 \
			"$(echo "$result" | sed -n 's/.*wrong=\([0-9]*\).*/\1/p')"
		reads=$(echo "$result" | sed -n 's/.*reads=\([0-9]*\).*/\1/p')
		check_true "$name: read throughout ($reads reads)" [ "${reads:-0}" -ge 20 ]
	done
	LOOP_PIDS=""
	LOOP_NAMES=""
}
