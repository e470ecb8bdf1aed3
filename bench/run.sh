#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# run.sh - proclens's benchmark, run by `make bench` as root (docs/performance.md).
#
# Inside a memory cgroup limited to 256 MiB, created beneath the cgroup this
# script runs in, 1 and then 2 concurrent readers read four files in a loop:
# the kernel's /proc/meminfo, a trivial FUSE file of the same size (the floor
# for any FUSE daemon), proclens's proc/meminfo and lxcfs's proc/meminfo.
# One table compares them; then 100 readers in 100 cgroups do 100,000 reads
# and proclens's resident memory is printed.
#
# Environment: PROCLENS, TRIVIALFS, BENCHREAD name the programs (set by make);
# BENCH_SECONDS is the time limit of each measurement (default 6).
#
# Everything is bounded in time. The script creates cgroups only beneath its
# own, never moves a process outside it, stops only the daemons it started, by
# pid, and undoes all of it on exit, failed or not.

set -u

SECONDS_EACH=${BENCH_SECONDS:-6}
COUNT_EACH=2000000		# reads per measurement, at most (the time limit comes first)
LIMIT_BYTES=268435456		# 256 MiB
LIMIT_KB=262144
MEMCHECK_GROUPS=100
MEMCHECK_READS=100000
MEMCHECK_SECONDS=60
TARGET_VS_TRIVIAL=0.8
TARGET_VS_LXCFS=2.5
TARGET_RSS_KB=8192

BENCH_NAME=bench
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || skip "needs root (run 'make bench' as root)"
[ -c /dev/fuse ] || skip "needs /dev/fuse"
for program in "${PROCLENS:-}" "${TRIVIALFS:-}" "${BENCHREAD:-}"; do
	[ -n "$program" ] && [ -x "$program" ] ||
		fail "PROCLENS, TRIVIALFS and BENCHREAD must name the built programs (use 'make bench')"
done

# --- cgroups ----------------------------------------------------------------

if grep -qE '^[0-9]+:([^:]*,)?memory(,[^:]*)?:' /proc/self/cgroup; then
	CG_VERSION=1
	CG_SELF=/sys/fs/cgroup/memory$(awk -F: '$2 ~ /(^|,)memory(,|$)/ {print $3}' /proc/self/cgroup)
	CG_LIMIT_FILE=memory.limit_in_bytes
elif [ -f /sys/fs/cgroup/cgroup.controllers ] &&
	grep -qw memory /sys/fs/cgroup/cgroup.controllers; then
	CG_VERSION=2
	CG_SELF=/sys/fs/cgroup$(awk -F: '$1 == "0" {print $3}' /proc/self/cgroup)
	CG_LIMIT_FILE=memory.max
else
	skip "no memory cgroup controller"
fi
CG_SELF=${CG_SELF%/}

# cg_make DIR: create a cgroup (beneath ours) and register it for removal.
cg_make() {
	local parent=${1%/*}
	if [ "$CG_VERSION" = 2 ] && ! grep -qw memory "$parent/cgroup.subtree_control"; then
		echo +memory >"$parent/cgroup.subtree_control" 2>/dev/null ||
			return 1
	fi
	mkdir "$1" || return 1
	CLEANUP_CGROUPS="$1 $CLEANUP_CGROUPS"
}

BENCH_CG=$CG_SELF/proclens-bench-$$
cg_make "$BENCH_CG" ||
	skip "cannot create a memory cgroup beneath $CG_SELF (cgroup v$CG_VERSION)"
echo "$LIMIT_BYTES" >"$BENCH_CG/$CG_LIMIT_FILE" ||
	fail "cannot set $BENCH_CG/$CG_LIMIT_FILE"

# in_cgroup DIR COMMAND...: run COMMAND inside cgroup DIR.
in_cgroup() {
	local dir=$1
	shift
	sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$dir" "$@"
}

# --- the file systems ---------------------------------------------------------

# new_mount_dir NAME: a fresh empty directory in MOUNT_DIR, removed on exit.
new_mount_dir() {
	MOUNT_DIR=$(mktemp -d "/tmp/proclens-bench-$1.XXXXXX") || fail "mktemp"
	CLEANUP_MOUNTS="$MOUNT_DIR $CLEANUP_MOUNTS"
}

# wait_for_file FILE TENTHS: bounded wait for a mount to serve FILE.
wait_for_file() {
	for _ in $(seq "$2"); do
		[ -e "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

new_mount_dir proclens
PROCLENS_MNT=$MOUNT_DIR
CLEANUP_FILES="$PROCLENS_MNT.pid $CLEANUP_FILES"
"$PROCLENS" --pidfile "$PROCLENS_MNT.pid" "$PROCLENS_MNT" ||
	fail "proclens did not start at $PROCLENS_MNT"
PROCLENS_PID=$(cat "$PROCLENS_MNT.pid")
CLEANUP_PIDS="$PROCLENS_PID $CLEANUP_PIDS"

new_mount_dir trivialfs
TRIVIAL_MNT=$MOUNT_DIR
"$TRIVIALFS" "$TRIVIAL_MNT" &
CLEANUP_PIDS="$! $CLEANUP_PIDS"
wait_for_file "$TRIVIAL_MNT/proc/meminfo" 100 || fail "trivialfs did not start at $TRIVIAL_MNT"

LXCFS_MNT=""
LXCFS_NOTE=""
if command -v lxcfs >/dev/null; then
	new_mount_dir lxcfs
	dir=$MOUNT_DIR
	CLEANUP_FILES="$dir.pid $dir.log $CLEANUP_FILES"
	lxcfs -f -p "$dir.pid" "$dir" >"$dir.log" 2>&1 &
	CLEANUP_PIDS="$! $CLEANUP_PIDS"
	if wait_for_file "$dir/proc/meminfo" 100; then
		LXCFS_MNT=$dir
	else
		LXCFS_NOTE="lxcfs did not serve $dir/proc/meminfo within 10 s: $(tail -n 1 "$dir.log")"
	fi
else
	LXCFS_NOTE="lxcfs is not installed"
fi

# --- sanity: what a reader in the limited cgroup sees ---------------------------------

memtotal_in_cgroup() {
	in_cgroup "$BENCH_CG" awk '$1 == "MemTotal:" {print $2}' "$1"
}

seen=$(memtotal_in_cgroup "$PROCLENS_MNT/proc/meminfo")
[ "$seen" = "$LIMIT_KB" ] ||
	fail "proclens shows MemTotal '$seen' kB inside a cgroup limited to $LIMIT_KB kB; not timing it"
if [ -n "$LXCFS_MNT" ]; then
	seen=$(memtotal_in_cgroup "$LXCFS_MNT/proc/meminfo")
	[ "$seen" = "$LIMIT_KB" ] ||
		LXCFS_NOTE="lxcfs shows MemTotal $seen kB inside the limited cgroup (expected $LIMIT_KB)"
fi

# --- timing -------------------------------------------------------------------

say "cgroup v$CG_VERSION, limited cgroup $BENCH_CG ($LIMIT_KB kB)"
say "$(nproc) CPUs, kernel $(uname -r); each measurement at most ${SECONDS_EACH} s"

declare -A MEDIAN P99 RATE

PROCLENS_DIED=""

# proclens_alive: true while the daemon we started still runs.
proclens_alive() {
	kill -0 "$PROCLENS_PID" 2>/dev/null
}

# measure NAME READERS PATH: time the readers on PATH inside the limited cgroup.
measure() {
	local out
	if [ "$1" = proclens ] && [ -n "$PROCLENS_DIED" ]; then
		MEDIAN[$1,$2]=died P99[$1,$2]=died RATE[$1,$2]=died
		return
	fi
	if ! out=$("$BENCHREAD" -n "$2" -c "$COUNT_EACH" -t "$SECONDS_EACH" -w 50 \
		-g "$BENCH_CG" -e MemTotal: "$3" 2>&1); then
		say "$1 with $2 reader(s): $out" >&2
		MEDIAN[$1,$2]=failed P99[$1,$2]=failed RATE[$1,$2]=failed
		# A crashing daemon takes a moment to disappear.
		[ "$1" = proclens ] && sleep 0.5
		if [ "$1" = proclens ] && ! proclens_alive; then
			PROCLENS_DIED="with $2 reader(s)"
			MEDIAN[$1,$2]=died P99[$1,$2]=died RATE[$1,$2]=died
		fi
		return
	fi
	MEDIAN[$1,$2]=$(echo "$out" | sed -n 's/.* median_us=\([^ ]*\).*/\1/p')
	P99[$1,$2]=$(echo "$out" | sed -n 's/.* p99_us=\([^ ]*\).*/\1/p')
	RATE[$1,$2]=$(echo "$out" | sed -n 's/.* reads_per_s=\([^ ]*\).*/\1/p')
}

COLUMNS_MEASURED="kernel trivialfs proclens lxcfs"
for readers in 1 2; do
	measure kernel "$readers" /proc/meminfo
	measure trivialfs "$readers" "$TRIVIAL_MNT/proc/meminfo"
	measure proclens "$readers" "$PROCLENS_MNT/proc/meminfo"
	if [ -n "$LXCFS_MNT" ]; then
		measure lxcfs "$readers" "$LXCFS_MNT/proc/meminfo"
	else
		MEDIAN[lxcfs,$readers]=- P99[lxcfs,$readers]=- RATE[lxcfs,$readers]=-
	fi
done

echo
printf '%-22s %12s %12s %12s %12s\n' "" "kernel" "trivialfs" "proclens" "lxcfs"
for readers in 1 2; do
	label="$readers reader"
	[ "$readers" = 1 ] || label="${label}s"
	for metric in "median us" "p99 us" "reads/s"; do
		printf '%-22s' "$label, $metric"
		for column in $COLUMNS_MEASURED; do
			case $metric in
			median*) value=${MEDIAN[$column,$readers]} ;;
			p99*) value=${P99[$column,$readers]} ;;
			*) value=${RATE[$column,$readers]} ;;
			esac
			printf ' %12s' "$value"
		done
		echo
	done
done
echo
for readers in 1 2; do
	vs_trivial=$(ratio "${RATE[proclens,$readers]}" "${RATE[trivialfs,$readers]}")
	vs_lxcfs=$(ratio "${RATE[proclens,$readers]}" "${RATE[lxcfs,$readers]}")
	printf '%s reader(s): proclens/trivialfs reads/s %s (target >= %s: %s), ' \
		"$readers" "$vs_trivial" "$TARGET_VS_TRIVIAL" "$(verdict "$vs_trivial" ">=" "$TARGET_VS_TRIVIAL")"
	printf 'proclens/lxcfs reads/s %s (target >= %s: %s)\n' \
		"$vs_lxcfs" "$TARGET_VS_LXCFS" "$(verdict "$vs_lxcfs" ">=" "$TARGET_VS_LXCFS")"
done
[ -z "$LXCFS_NOTE" ] || say "note: $LXCFS_NOTE"
if [ -n "$PROCLENS_DIED" ] || ! proclens_alive; then
	fail "proclens (pid $PROCLENS_PID) died during the run ${PROCLENS_DIED:-}; the kernel log may say why (dmesg | grep proclens)"
fi

# --- memory: many readers in many cgroups -------------------------------------------

rss_kb() {
	awk '$1 == "VmRSS:" {print $2}' "/proc/$PROCLENS_PID/status"
}

echo
rss_before=$(rss_kb)
groups=()
for i in $(seq -w "$MEMCHECK_GROUPS"); do
	cg_make "$BENCH_CG/m$i" || fail "cannot create cgroup $BENCH_CG/m$i"
	groups+=(-g "$BENCH_CG/m$i")
done
if ! out=$("$BENCHREAD" -n "$MEMCHECK_GROUPS" -c "$MEMCHECK_READS" -t "$MEMCHECK_SECONDS" \
	-w 1 "${groups[@]}" "$PROCLENS_MNT/proc/meminfo" 2>&1); then
	fail "memory check readers: $out"
fi
proclens_alive || fail "proclens (pid $PROCLENS_PID) died during the memory check"
reads=$(echo "$out" | sed -n 's/.* reads=\([^ ]*\).*/\1/p')
rss_after=$(rss_kb)
hwm=$(awk '$1 == "VmHWM:" {print $2}' "/proc/$PROCLENS_PID/status")
say "memory: $MEMCHECK_GROUPS readers in $MEMCHECK_GROUPS cgroups, $reads reads of proclens"
printf 'proclens VmRSS: %s kB before, %s kB after (%s MiB; peak VmHWM %s kB); target <= %s kB: %s\n' \
	"$rss_before" "$rss_after" "$(awk -v k="$rss_after" 'BEGIN {printf "%.1f", k / 1024}')" \
	"$hwm" "$TARGET_RSS_KB" "$( [ "$rss_after" -le "$TARGET_RSS_KB" ] && echo met || echo MISSED)"
[ "$reads" = "$MEMCHECK_READS" ] ||
	say "note: only $reads of $MEMCHECK_READS reads finished within $MEMCHECK_SECONDS s"
exit 0
