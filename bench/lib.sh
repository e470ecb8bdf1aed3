# SPDX-License-Identifier: GPL-2.0-or-later
# lib.sh - helpers shared by the benchmark scripts; sourced, never run.
# BENCH_NAME prefixes every message. What a script registers in the
# CLEANUP_* lists is undone on exit, failed or not.

say() {
	echo "$BENCH_NAME: $*"
}

# skip: a benchmark that cannot run here is not a failure of make bench.
skip() {
	say "skipped: $*"
	exit 0
}

fail() {
	say "FAILED: $*" >&2
	exit 1
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

CLEANUP_PIDS=""
CLEANUP_NETNS=""
CLEANUP_MOUNTS=""
CLEANUP_CGROUPS=""
CLEANUP_FILES=""

cleanup() {
	local pid ns mnt cg file IFS=$' \t\n'
	for pid in $CLEANUP_PIDS; do
		stop_pid "$pid"
	done
	# Children before the parent namespace they were made from.
	for ns in $CLEANUP_NETNS; do
		ip netns del "$ns" 2>/dev/null
	done
	for mnt in $CLEANUP_MOUNTS; do
		grep -q " $mnt " /proc/self/mountinfo && umount -l "$mnt"
		rmdir "$mnt" 2>/dev/null
	done
	# Deepest first; a cgroup empties as soon as its readers have exited.
	for cg in $CLEANUP_CGROUPS; do
		for _ in $(seq 50); do
			[ -d "$cg" ] || break
			rmdir "$cg" 2>/dev/null && break
			sleep 0.1
		done
		[ -d "$cg" ] && say "warning: cannot remove cgroup $cg" >&2
	done
	for file in $CLEANUP_FILES; do
		rm -f "$file"
	done
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# ratio A B [DECIMALS]: A / B (two decimals unless said), or "-" when either
# is not a number.
ratio() {
	awk -v a="$1" -v b="$2" -v d="${3:-2}" 'BEGIN {
		if (a !~ /^[0-9.]+$/ || b !~ /^[0-9.]+$/ || b == 0) print "-";
		else printf "%.*f\n", d, a / b }'
}

# verdict VALUE OP TARGET: "met" when VALUE OP TARGET holds (OP ">=" or
# "<="), "MISSED" when not, "not measured" without a number.
verdict() {
	awk -v v="$1" -v op="$2" -v t="$3" 'BEGIN {
		if (v !~ /^[0-9.]+$/) print "not measured";
		else if ((op == ">=" && v + 0 >= t + 0) || (op == "<=" && v + 0 <= t + 0)) print "met";
		else print "MISSED" }'
}
