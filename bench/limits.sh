#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# limits.sh - proclens's proc/<pid>/limits benchmark, run as root by `make
# bench-limits` (part of `make bench`; docs/performance.md, "proc/<pid>/limits").
#
# 1. One open+read+close of proclens's proc/self/limits, next to the kernel's
#    /proc/self/limits, proclens's proc/<pid>/limits of a sleep in the same
#    cgroups (no self to resolve) and proclens's own proc/meminfo (the FUSE
#    round trip) in the same run: by a reader in no limited cgroup, then by
#    one in a cgroup with a 256 MiB memory limit and pids.max 1000 (the two
#    lowered rows).
# 2. Listing proc/ with 5,000 processes alive (sleeps in a pid namespace made
#    here, in a pids cgroup that caps it): readdir loops and `ls`, from the
#    host and from inside that namespace, next to the kernel's /proc.
#
# Environment: PROCLENS, BENCHREAD, PIDPROBE name the programs (set by make);
# BENCH_SECONDS is the time limit of each read measurement (default 4). Every
# wait and loop is bounded; on exit, failed or not, the script stops what it
# started (by pid; the namespace dies with its init), unmounts and removes its
# cgroups, which it makes only beneath its own.

set -u

SECONDS_EACH=${BENCH_SECONDS:-4}
COUNT_EACH=200000		# reads per measurement at most; the time limit comes first
PROCESSES=5000
LIST_ROUNDS=20			# readdir passes per listing measurement
LS_ROUNDS=10			# `ls` runs per listing measurement
LIMIT_BYTES=268435456		# 256 MiB
PIDS_MAX=1000
TARGET_RATIO=1.2		# proc/self/limits median / proc/meminfo median
TARGET_LIST_MS=50

BENCH_NAME=bench-limits
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || skip "needs root (run 'make bench-limits' as root)"
[ -c /dev/fuse ] || skip "needs /dev/fuse"
for tool in unshare nsenter pgrep; do
	command -v "$tool" >/dev/null 2>&1 || skip "needs $tool"
done
for program in "${PROCLENS:-}" "${BENCHREAD:-}" "${PIDPROBE:-}"; do
	[ -n "$program" ] && [ -x "$program" ] ||
		fail "PROCLENS, BENCHREAD and PIDPROBE must name the built programs (use 'make bench-limits')"
done

# --- cgroups: memory and pids, v1 or v2 --------------------------------------------

# controller_dir NAME: "VERSION DIR" of this shell's cgroup of controller NAME.
controller_dir() {
	if grep -qE "^[0-9]+:([^:]*,)?$1(,[^:]*)?:" /proc/self/cgroup; then
		echo "1 /sys/fs/cgroup/$1$(awk -F: -v c="$1" '$2 ~ "(^|,)" c "(,|$)" {print $3}' /proc/self/cgroup)"
	elif [ -f /sys/fs/cgroup/cgroup.controllers ] &&
		grep -qw "$1" /sys/fs/cgroup/cgroup.controllers; then
		echo "2 /sys/fs/cgroup$(awk -F: '$1 == "0" {print $3}' /proc/self/cgroup)"
	fi
}
read -r MEM_VERSION MEM_SELF <<<"$(controller_dir memory)"
read -r PIDS_VERSION PIDS_SELF <<<"$(controller_dir pids)"
[ -n "${MEM_VERSION:-}" ] || skip "no memory cgroup controller"
[ -n "${PIDS_VERSION:-}" ] || skip "no pids cgroup controller"
MEM_SELF=${MEM_SELF%/}
PIDS_SELF=${PIDS_SELF%/}

# cg_make DIR CONTROLLER VERSION: a cgroup beneath ours, removed on exit.
cg_make() {
	local parent=${1%/*}
	if [ "$3" = 2 ] && ! grep -qw "$2" "$parent/cgroup.subtree_control"; then
		echo "+$2" >"$parent/cgroup.subtree_control" 2>/dev/null || return 1
	fi
	[ -d "$1" ] || mkdir "$1" || return 1
	case " $CLEANUP_CGROUPS " in *" $1 "*) ;; *) CLEANUP_CGROUPS="$1 $CLEANUP_CGROUPS" ;; esac
}

# in_cgroups DIR... -- COMMAND...: run COMMAND in each DIR (one per hierarchy).
in_cgroups() {
	local dirs=()
	while [ "$1" != -- ]; do
		dirs+=("$1")
		shift
	done
	shift
	# shellcheck disable=SC2016 # expanded by that sh
	sh -c 'n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ >"$1/cgroup.procs" || exit 1
		shift; n=$((n - 1)); done; exec "$@"' sh "${#dirs[@]}" "${dirs[@]}" "$@"
}

TAG=proclens-bench-limits-$$
# The limited reader's cgroups: one directory when both controllers are on v2.
LIMITED_MEM=$MEM_SELF/$TAG-limited
cg_make "$LIMITED_MEM" memory "$MEM_VERSION" || skip "cannot create a memory cgroup beneath $MEM_SELF"
if [ "$MEM_VERSION" = 2 ]; then
	echo "$LIMIT_BYTES" >"$LIMITED_MEM/memory.max"
else
	echo "$LIMIT_BYTES" >"$LIMITED_MEM/memory.limit_in_bytes"
fi || fail "cannot set the memory limit of $LIMITED_MEM"
LIMITED_DIRS=("$LIMITED_MEM")
LIMITED_PIDS=$LIMITED_MEM
if [ "$PIDS_VERSION" != 2 ] || [ "$MEM_VERSION" != 2 ] || [ "$PIDS_SELF" != "$MEM_SELF" ]; then
	LIMITED_PIDS=$PIDS_SELF/$TAG-limited
	LIMITED_DIRS+=("$LIMITED_PIDS")
fi
cg_make "$LIMITED_PIDS" pids "$PIDS_VERSION" || skip "cannot create a pids cgroup beneath $PIDS_SELF"
echo "$PIDS_MAX" >"$LIMITED_PIDS/pids.max" || fail "cannot set $LIMITED_PIDS/pids.max"
# The 5,000 sleeps' cgroup: pids.max caps them, whatever goes wrong.
CROWD_PIDS=$PIDS_SELF/$TAG-crowd
cg_make "$CROWD_PIDS" pids "$PIDS_VERSION" || skip "cannot create a pids cgroup beneath $PIDS_SELF"
echo $((PROCESSES + 50)) >"$CROWD_PIDS/pids.max" || fail "cannot set $CROWD_PIDS/pids.max"

# --- the daemon ------------------------------------------------------------------------

MNT=$(mktemp -d /tmp/proclens-bench-limits.XXXXXX) || fail "mktemp"
CLEANUP_MOUNTS="$MNT $CLEANUP_MOUNTS"
CLEANUP_FILES="$MNT.pid $CLEANUP_FILES"
"$PROCLENS" --pidfile "$MNT.pid" "$MNT" || fail "proclens did not start at $MNT"
PROCLENS_PID=$(cat "$MNT.pid")
CLEANUP_PIDS="$PROCLENS_PID $CLEANUP_PIDS"
[ -e "$MNT/proc/self/limits" ] || fail "this proclens has no proc/self/limits"

# Before timing: the limited reader sees both ceilings.
# shellcheck disable=SC2016 # expanded by that sh
seen=$(in_cgroups "${LIMITED_DIRS[@]}" -- sh -c 'exec 3<"$0/proc/self/limits" && exec cat <&3' "$MNT" |
	awk '/^Max (resident set|processes) / {split(substr($0, 27), f, " "); printf "%s %s,", f[1], f[2]}')
[ "$seen" = "$LIMIT_BYTES $LIMIT_BYTES,$PIDS_MAX $PIDS_MAX," ] ||
	fail "a reader in the limited cgroups sees '$seen' in proc/self/limits; not timing it"

# --- reads --------------------------------------------------------------------------------

declare -A MEDIAN P99

# measure KEY WHERE PATH TEXT: one reader (in the limited cgroups when WHERE is
# "limited") times PATH, which must contain TEXT.
measure() {
	local out runner=()
	[ "$2" = limited ] && runner=(in_cgroups "${LIMITED_DIRS[@]}" --)
	if ! out=$("${runner[@]}" "$BENCHREAD" -n 1 -c "$COUNT_EACH" -t "$SECONDS_EACH" -w 50 \
		-e "$4" "$3" 2>&1); then
		say "$1: $out" >&2
		MEDIAN[$1]=failed P99[$1]=failed
		return
	fi
	MEDIAN[$1]=$(echo "$out" | sed -n 's/.* median_us=\([^ ]*\).*/\1/p')
	P99[$1]=$(echo "$out" | sed -n 's/.* p99_us=\([^ ]*\).*/\1/p')
}

# A sleep in each place, whose proc/<pid>/limits a reader there reads: the
# same render as proc/self/limits without resolving self. Started by sh, not
# by a function, so that $! is the sleep.
declare -A TARGET
sleep 600 >/dev/null 2>&1 &
TARGET[unlimited]=$!
CLEANUP_PIDS="$! $CLEANUP_PIDS"
# shellcheck disable=SC2016 # expanded by that sh
sh -c 'for d; do echo $$ >"$d/cgroup.procs" || exit 1; done; exec sleep 600' sh \
	"${LIMITED_DIRS[@]}" </dev/null >/dev/null 2>&1 &
TARGET[limited]=$!
CLEANUP_PIDS="$! $CLEANUP_PIDS"

say "$(nproc) CPUs, kernel $(uname -r), memory cgroup v$MEM_VERSION, pids cgroup v$PIDS_VERSION; each read measurement at most ${SECONDS_EACH} s"
for where in unlimited limited; do
	measure "$where,kernel" "$where" /proc/self/limits "Max open files"
	measure "$where,limits" "$where" "$MNT/proc/self/limits" "Max open files"
	measure "$where,pid" "$where" "$MNT/proc/${TARGET[$where]}/limits" "Max open files"
	measure "$where,meminfo" "$where" "$MNT/proc/meminfo" "MemTotal:"
done
kill -0 "$PROCLENS_PID" 2>/dev/null || fail "proclens (pid $PROCLENS_PID) died during the reads"

echo
printf '%-30s %9s %11s %11s %10s %11s %9s\n' "reader" "kernel us" "self/limits" \
	"<pid>/limits" "meminfo us" "self p99 us" "x meminfo"
for where in unlimited limited; do
	label="in no limited cgroup"
	[ "$where" = limited ] && label="in 256 MiB, pids.max $PIDS_MAX"
	printf '%-30s %9s %11s %11s %10s %11s %9s\n' "$label" "${MEDIAN[$where,kernel]}" \
		"${MEDIAN[$where,limits]}" "${MEDIAN[$where,pid]}" "${MEDIAN[$where,meminfo]}" \
		"${P99[$where,limits]}" "$(ratio "${MEDIAN[$where,limits]}" "${MEDIAN[$where,meminfo]}")"
done
echo "medians (us) of one open+read+close by 1 reader: the kernel's /proc/self/limits, proclens's"
echo "proc/self/limits, proc/<pid>/limits of a sleep beside the reader, proc/meminfo"
for where in unlimited limited; do
	r=$(ratio "${MEDIAN[$where,limits]}" "${MEDIAN[$where,meminfo]}")
	printf 'target: proc/self/limits <= %sx proc/meminfo, reader %s: %s (%sx)\n' "$TARGET_RATIO" \
		"$where" "$(verdict "$r" "<=" "$TARGET_RATIO")" "$r"
done

# --- listing proc/ with 5,000 processes ----------------------------------------------------

ready=$(mktemp /tmp/proclens-bench-limits-ready.XXXXXX) || fail "mktemp"
CLEANUP_FILES="$ready $CLEANUP_FILES"
# The namespace's init starts the sleeps (a bounded loop), says so, and waits;
# SIGTERM ends it, and the kernel kills the rest of its namespace with it
# (--kill-child: also when unshare itself is stopped). Started by sh, not by
# a function, so that $! is unshare's pid (a function's would be a subshell's).
# shellcheck disable=SC2016 # expanded by that sh
sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$CROWD_PIDS" \
	unshare -p -f --mount-proc --kill-child sh -c '
	trap "exit 0" TERM
	i=0
	while [ "$i" -lt "$1" ]; do sleep 600 & i=$((i + 1)); done
	echo "$i" >"$0"
	wait' "$ready" "$PROCESSES" </dev/null >/dev/null 2>&1 &
launcher=$!
CLEANUP_PIDS="$launcher $CLEANUP_PIDS"
started=$(date +%s)
for _ in $(seq 1200); do
	[ -s "$ready" ] && break
	kill -0 "$launcher" 2>/dev/null || break
	sleep 0.1
done
[ -s "$ready" ] || fail "the $PROCESSES sleeps did not start within 120 s ($(cat "$CROWD_PIDS/pids.current" 2>/dev/null || echo ?) tasks)"
crowd_init=$(pgrep -P "$launcher")
[ -n "$crowd_init" ] || fail "no init found for the namespace of the sleeps"
CLEANUP_PIDS="$crowd_init $CLEANUP_PIDS"
say "$PROCESSES sleeps started in a pid namespace in $(($(date +%s) - started)) s"

declare -A LIST_MEDIAN LIST_P99 LIST_ENTRIES LS_MS

# list_measure KEY DIR [RUNNER...]: readdir passes over DIR, and `ls DIR` runs,
# from the process RUNNER makes (nsenter into the namespace, or nothing).
list_measure() {
	local key=$1 dir=$2 out times
	shift 2
	if ! out=$("$@" "$PIDPROBE" list-time "$dir" "$LIST_ROUNDS" 2>&1); then
		say "$key: $out" >&2
		LIST_MEDIAN[$key]=failed LIST_P99[$key]=failed LIST_ENTRIES[$key]=failed
	else
		LIST_MEDIAN[$key]=$(echo "$out" | sed -n 's/.*median_us=\([^ ]*\).*/\1/p')
		LIST_P99[$key]=$(echo "$out" | sed -n 's/.*p99_us=\([^ ]*\).*/\1/p')
		LIST_ENTRIES[$key]=$(echo "$out" | sed -n 's/.*entries=\([^ ]*\).*/\1/p')
	fi
	# Each run timed by the shell that starts ls, inside the same namespace:
	# the time includes starting ls (about 1 ms here), not nsenter.
	# shellcheck disable=SC2016 # expanded by that sh
	times=$("$@" sh -c 'i=0; while [ "$i" -lt "$1" ]; do
		t0=$(date +%s%N); ls "$0" >/dev/null; t1=$(date +%s%N)
		echo $(((t1 - t0) / 1000)); i=$((i + 1)); done' "$dir" "$LS_ROUNDS")
	LS_MS[$key]=$(echo "$times" | sort -n | awk '{ t[NR] = $1 } END {
		if (NR) printf "%.1f\n", t[int((NR + 1) / 2)] / 1000; else print "failed" }')
}

list_measure host,kernel /proc
list_measure host,proclens "$MNT/proc"
list_measure ns,kernel /proc nsenter -t "$crowd_init" -p -m
list_measure ns,proclens "$MNT/proc" nsenter -t "$crowd_init" -p -m
kill -0 "$PROCLENS_PID" 2>/dev/null || fail "proclens (pid $PROCLENS_PID) died while listing"

echo
printf '%-30s %9s %12s %12s %10s\n' "listing" "entries" "readdir ms" "readdir p99" "ls ms"
for key in host,kernel host,proclens ns,kernel ns,proclens; do
	case $key in
	host,kernel) label="/proc from the host" ;;
	host,proclens) label="proclens proc/ from the host" ;;
	ns,kernel) label="/proc in the namespace" ;;
	ns,proclens) label="proclens proc/ in the namespace" ;;
	esac
	printf '%-30s %9s %12s %12s %10s\n' "$label" "${LIST_ENTRIES[$key]}" \
		"$(awk -v u="${LIST_MEDIAN[$key]}" 'BEGIN { if (u ~ /^[0-9.]+$/) printf "%.1f", u / 1000; else print u }')" \
		"$(awk -v u="${LIST_P99[$key]}" 'BEGIN { if (u ~ /^[0-9.]+$/) printf "%.1f", u / 1000; else print u }')" \
		"${LS_MS[$key]}"
done
echo "readdir: median and p99 of $LIST_ROUNDS opendir+readdir+closedir passes; ls: median of $LS_ROUNDS runs, starting ls included"
for key in host,proclens ns,proclens; do
	printf 'target: ls of proc/ with %s processes %s under %s ms: %s (%s ms)\n' "$PROCESSES" \
		"$([ "$key" = host,proclens ] && echo "from the host" || echo "in their namespace")" \
		"$TARGET_LIST_MS" "$(verdict "${LS_MS[$key]}" "<=" "$TARGET_LIST_MS")" "${LS_MS[$key]}"
done
exit 0
