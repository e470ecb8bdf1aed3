#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# run.sh - proclens's benchmark, run by `make bench` as root (docs/performance.md).
#
# Inside a memory cgroup limited to 256 MiB, created beneath the cgroup this
# script runs in, 1 and then 2 concurrent readers read four files in a loop:
# the kernel's /proc/meminfo, a trivial FUSE file of the same size (the floor
# for any FUSE daemon), proclens's proc/meminfo and lxcfs's proc/meminfo.
# One table compares them. Then: 1,000 readers polling from 1,000 cgroups
# against 1,000 from one cgroup; 50 and 200 pollers at 10 Hz in cgroups of
# their own, each daemon's CPU time per 1,000 reads; a reader at the bottom
# of 1,000 nested cgroups; and 100 readers in 100 cgroups doing 100,000
# reads, after which proclens's resident memory is printed. Every ratio is
# printed with its target beside it.
#
# Where a ratio between two measurements is a target, the two are taken in
# turn, in slices (A B B A ...), and each side's figure is all its slices
# together: a machine whose speed drifts during the run (other load, CPU
# frequency, a neighbour on the host) weighs on both sides alike instead of
# on whichever ran second.
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
TARGET_VS_TRIVIAL_1=0.9		# reads/s with 1 reader
TARGET_VS_TRIVIAL_2=1.0		# with 2 readers
TARGET_VS_LXCFS=2.5
TARGET_RSS_KB=8192
FLAT_READERS=1000		# readers (and cgroups) of the flat-scaling check
FLAT_RATE=2			# reads a second each
TARGET_FLAT=1.25		# 1,000 cgroups over 1 cgroup, latency and CPU per read
POLL_RATE=10			# the pollers' reads a second each
TARGET_CPU_VS_LXCFS=0.25	# daemon CPU per 1,000 reads, proclens over lxcfs
CHAIN_DEPTH=1000

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
TRIVIAL_PID=$!
CLEANUP_PIDS="$TRIVIAL_PID $CLEANUP_PIDS"
wait_for_file "$TRIVIAL_MNT/proc/meminfo" 100 || fail "trivialfs did not start at $TRIVIAL_MNT"

LXCFS_MNT=""
LXCFS_NOTE=""
if command -v lxcfs >/dev/null; then
	new_mount_dir lxcfs
	dir=$MOUNT_DIR
	CLEANUP_FILES="$dir.pid $dir.log $CLEANUP_FILES"
	lxcfs -f -p "$dir.pid" "$dir" >"$dir.log" 2>&1 &
	LXCFS_PID=$!
	CLEANUP_PIDS="$LXCFS_PID $CLEANUP_PIDS"
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
# Per column: reads, seconds, and the medians and p99s of its slices.
declare -A SUM_READS SUM_SECONDS SLICE_MEDIANS SLICE_P99S ROUND_RATIOS

PROCLENS_DIED=""

# proclens_alive: true while the daemon we started still runs.
proclens_alive() {
	kill -0 "$PROCLENS_PID" 2>/dev/null
}

# field NAME TEXT: the value of NAME= in benchread's output.
field() {
	echo "$2" | sed -n "s/.*\<$1=\([^ ]*\).*/\1/p"
}

# median_of NUMBERS...: the median (the mean of the middle two when even).
median_of() {
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) print "-";
		else if (NR % 2) print v[(NR + 1) / 2];
		else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# slice NAME READERS PATH SECONDS: one timed run of the readers on PATH
# inside the limited cgroup, added to NAME's totals; false if it failed.
slice() {
	local out
	if [ "$1" = proclens ] && [ -n "$PROCLENS_DIED" ]; then
		return 1
	fi
	if ! out=$("$BENCHREAD" -n "$2" -c "$COUNT_EACH" -t "$4" -w 50 \
		-g "$BENCH_CG" -e MemTotal: "$3" 2>&1); then
		say "$1 with $2 reader(s): $out" >&2
		SUM_READS[$1,$2]=failed
		# A crashing daemon takes a moment to disappear.
		[ "$1" = proclens ] && sleep 0.5
		if [ "$1" = proclens ] && ! proclens_alive; then
			PROCLENS_DIED="with $2 reader(s)"
		fi
		return 1
	fi
	[ "${SUM_READS[$1,$2]:-0}" = failed ] && return 1
	SUM_READS[$1,$2]=$(( ${SUM_READS[$1,$2]:-0} + $(field reads "$out") ))
	SUM_SECONDS[$1,$2]=$(awk -v a="${SUM_SECONDS[$1,$2]:-0}" -v b="$(field seconds "$out")" \
		'BEGIN {printf "%.3f", a + b}')
	SLICE_MEDIANS[$1,$2]="${SLICE_MEDIANS[$1,$2]:-} $(field median_us "$out")"
	SLICE_P99S[$1,$2]="${SLICE_P99S[$1,$2]:-} $(field p99_us "$out")"
	LAST_RATE=$(field reads_per_s "$out")
}

# summarize NAME READERS: the table's figures from NAME's slices.
summarize() {
	local word
	case ${SUM_READS[$1,$2]:-} in
	'') word=- ;;
	failed) word=failed ;;
	*) word= ;;
	esac
	[ "$1" = proclens ] && [ -n "$PROCLENS_DIED" ] && word=died
	if [ -n "$word" ]; then
		MEDIAN[$1,$2]=$word P99[$1,$2]=$word RATE[$1,$2]=$word
		return
	fi
	# shellcheck disable=SC2086 # the lists are words
	MEDIAN[$1,$2]=$(median_of ${SLICE_MEDIANS[$1,$2]})
	# shellcheck disable=SC2086
	P99[$1,$2]=$(median_of ${SLICE_P99S[$1,$2]})
	RATE[$1,$2]=$(awk -v r="${SUM_READS[$1,$2]}" -v s="${SUM_SECONDS[$1,$2]}" \
		'BEGIN {printf "%.0f", r / s}')
}

# The kernel's file and lxcfs's are measured once each. trivialfs and
# proclens, whose ratio is a target, alternate in FLOOR_ROUNDS slices
# (trivialfs first, then proclens first, and so on): a machine that drifts
# during the run weighs on both alike. Each gets FLOOR_ROUNDS x FLOOR_SLICE s.
FLOOR_ROUNDS=4
FLOOR_SLICE=$(( (SECONDS_EACH + 2) / 3 ))
COLUMNS_MEASURED="kernel trivialfs proclens lxcfs"
for readers in 1 2; do
	slice kernel "$readers" /proc/meminfo "$SECONDS_EACH"
	for round in $(seq "$FLOOR_ROUNDS"); do
		order="trivialfs proclens"
		[ $((round % 2)) = 1 ] || order="proclens trivialfs"
		declare -A round_rate=()
		for column in $order; do
			case $column in
			trivialfs) path=$TRIVIAL_MNT/proc/meminfo ;;
			proclens) path=$PROCLENS_MNT/proc/meminfo ;;
			esac
			slice "$column" "$readers" "$path" "$FLOOR_SLICE" &&
				round_rate[$column]=$LAST_RATE
		done
		ROUND_RATIOS[$readers]="${ROUND_RATIOS[$readers]:-} $(ratio \
			"${round_rate[proclens]:--}" "${round_rate[trivialfs]:--}")"
		unset round_rate
	done
	[ -z "$LXCFS_MNT" ] || slice lxcfs "$readers" "$LXCFS_MNT/proc/meminfo" "$SECONDS_EACH"
	for column in $COLUMNS_MEASURED; do
		summarize "$column" "$readers"
	done
done

echo
say "median us and p99 us: the median of each column's slices; reads/s: all its reads over all its time"
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
	target=$TARGET_VS_TRIVIAL_1
	[ "$readers" = 1 ] || target=$TARGET_VS_TRIVIAL_2
	vs_trivial=$(ratio "${RATE[proclens,$readers]}" "${RATE[trivialfs,$readers]}")
	vs_lxcfs=$(ratio "${RATE[proclens,$readers]}" "${RATE[lxcfs,$readers]}")
	printf '%s reader(s): proclens/trivialfs reads/s %s (target >= %s: %s; rounds:%s), ' \
		"$readers" "$vs_trivial" "$target" "$(verdict "$vs_trivial" ">=" "$target")" \
		"${ROUND_RATIOS[$readers]}"
	printf 'proclens/lxcfs reads/s %s (target >= %s: %s)\n' \
		"$vs_lxcfs" "$TARGET_VS_LXCFS" "$(verdict "$vs_lxcfs" ">=" "$TARGET_VS_LXCFS")"
done
[ -z "$LXCFS_NOTE" ] || say "note: $LXCFS_NOTE"
if [ -n "$PROCLENS_DIED" ] || ! proclens_alive; then
	fail "proclens (pid $PROCLENS_PID) died during the run ${PROCLENS_DIED:-}; the kernel log may say why (dmesg | grep proclens)"
fi

rss_kb() {
	awk '$1 == "VmRSS:" {print $2}' "/proc/$PROCLENS_PID/status"
}
rss_before=$(rss_kb)

# --- flat from 1 to 1,000 containers ---------------------------------------------------

# The same polling load from FLAT_READERS cgroups of their own and from one:
# latency and proclens's CPU per read must not grow with the cgroups.
echo
flat_groups=()
for i in $(seq -w "$FLAT_READERS"); do
	cg_make "$BENCH_CG/f$i" || fail "cannot create cgroup $BENCH_CG/f$i"
	flat_groups+=(-g "$BENCH_CG/f$i")
done
flat_seconds=$((SECONDS_EACH + 4))
declare -A FLAT_MEDIAN FLAT_CPU POLL_READS POLL_CPU_MS POLL_MEDIANS

# poll_slice KEY PID PATH SECONDS READERS RATE GROUP_ARGS...: one timed run of
# READERS polling PATH at RATE Hz, PID's CPU time measured, added to KEY's totals.
poll_slice() {
	local key=$1 pid=$2 path=$3 seconds=$4 readers=$5 rate=$6 out
	shift 6
	[ "${POLL_READS[$key]:-0}" = failed ] && return 1
	if ! out=$("$BENCHREAD" -n "$readers" -r "$rate" -c 1000000 -t "$seconds" \
		-w 1 -p "$pid" "$@" "$path" 2>&1); then
		say "$key: $out" >&2
		POLL_READS[$key]=failed
		return 1
	fi
	POLL_READS[$key]=$(( ${POLL_READS[$key]:-0} + $(field reads "$out") ))
	POLL_CPU_MS[$key]=$(( ${POLL_CPU_MS[$key]:-0} + $(field cpu_ms "$out") ))
	POLL_MEDIANS[$key]="${POLL_MEDIANS[$key]:-} $(field median_us "$out")"
}

# poll_cpu KEY: KEY's daemon CPU ms per 1,000 reads over all its slices.
poll_cpu() {
	case ${POLL_READS[$1]:-} in
	'' | failed | 0) echo - ;;
	*) awk -v c="${POLL_CPU_MS[$1]}" -v r="${POLL_READS[$1]}" \
		'BEGIN {printf "%.1f\n", c * 1000 / r}' ;;
	esac
}

# The kernel's file and the trivial one under the same load: what 1,000
# cgroups cost any reader (memcg charging, scheduling), not proclens alone.
# Each column runs one cgroup, then 1,000, then 1,000, then one, half the
# time each: a drift of the machine weighs on both layouts alike.
flat_half=$(( (flat_seconds + 1) / 2 ))
for column in kernel trivialfs proclens; do
	case $column in
	kernel) path=/proc/meminfo pid=$PROCLENS_PID ;;
	trivialfs) path=$TRIVIAL_MNT/proc/meminfo pid=$TRIVIAL_PID ;;
	proclens) path=$PROCLENS_MNT/proc/meminfo pid=$PROCLENS_PID ;;
	esac
	for layout in one many many one; do
		if [ "$layout" = one ]; then
			groups=(-g "$BENCH_CG")
		else
			groups=("${flat_groups[@]}")
		fi
		poll_slice "flat,$column,$layout" "$pid" "$path" "$flat_half" \
			"$FLAT_READERS" "$FLAT_RATE" "${groups[@]}"
	done
	for layout in one many; do
		# shellcheck disable=SC2086 # a list of words
		[ -n "${POLL_MEDIANS[flat,$column,$layout]:-}" ] &&
			FLAT_MEDIAN[$column,$layout]=$(median_of ${POLL_MEDIANS[flat,$column,$layout]})
		FLAT_CPU[$column,$layout]=$(poll_cpu "flat,$column,$layout")
	done
done
say "flat: $FLAT_READERS readers at $FLAT_RATE Hz, 2 x $flat_half s per layout; median us of one open+read+close, and the daemon's CPU ms per 1,000 reads"
printf '%-12s %10s %12s %8s %14s %14s %8s\n' "" "1 cgroup" "$FLAT_READERS cgroups" "ratio" \
	"CPU, 1 cgroup" "CPU, $FLAT_READERS" "ratio"
for column in kernel trivialfs proclens; do
	cpu_one=${FLAT_CPU[$column,one]:--} cpu_many=${FLAT_CPU[$column,many]:--}
	[ "$column" = kernel ] && cpu_one=- cpu_many=-
	printf '%-12s %10s %12s %8s %14s %14s %8s\n' "$column" "${FLAT_MEDIAN[$column,one]:--}" \
		"${FLAT_MEDIAN[$column,many]:--}" \
		"$(ratio "${FLAT_MEDIAN[$column,many]:--}" "${FLAT_MEDIAN[$column,one]:--}")" \
		"$cpu_one" "$cpu_many" "$(ratio "$cpu_many" "$cpu_one")"
done
r_latency=$(ratio "${FLAT_MEDIAN[proclens,many]:--}" "${FLAT_MEDIAN[proclens,one]:--}")
r_cpu=$(ratio "${FLAT_CPU[proclens,many]:--}" "${FLAT_CPU[proclens,one]:--}")
printf 'proclens, %s cgroups / 1 cgroup: median latency %s (target <= %s: %s), CPU per read %s (target <= %s: %s)\n' \
	"$FLAT_READERS" "$r_latency" "$TARGET_FLAT" "$(verdict "$r_latency" "<=" "$TARGET_FLAT")" \
	"$r_cpu" "$TARGET_FLAT" "$(verdict "$r_cpu" "<=" "$TARGET_FLAT")"
say "proclens holds $(ls "/proc/$PROCLENS_PID/fd" | wc -l) descriptors after it"

# --- CPU: pollers at 10 Hz ----------------------------------------------------------------

echo
declare -A POLL_CPU
poll_seconds=$((SECONDS_EACH + 4))
poll_half=$(( (poll_seconds + 1) / 2 ))
POLL_ROUNDS=4
# trivialfs once; proclens and lxcfs, whose ratio is the target, in turn
# (proclens, lxcfs, then lxcfs, proclens, ...), POLL_ROUNDS slices of half
# the time each: a few thousand reads a slice, on a machine mostly idle
# between them, move with the host more than any other figure here.
poll_order="trivialfs"
for round in $(seq "$POLL_ROUNDS"); do
	if [ $((round % 2)) = 1 ]; then
		poll_order="$poll_order proclens lxcfs"
	else
		poll_order="$poll_order lxcfs proclens"
	fi
done
for pollers in 50 200; do
	groups=("${flat_groups[@]:0:$((pollers * 2))}")
	for column in $poll_order; do
		case $column in
		trivialfs) pid=$TRIVIAL_PID path=$TRIVIAL_MNT/proc/meminfo ;;
		proclens) pid=$PROCLENS_PID path=$PROCLENS_MNT/proc/meminfo ;;
		lxcfs) pid=${LXCFS_PID:-} path=${LXCFS_MNT:+$LXCFS_MNT/proc/meminfo} ;;
		esac
		[ -n "$pid" ] && [ -n "$path" ] || continue
		seconds=$poll_half
		[ "$column" != trivialfs ] || seconds=$poll_seconds
		poll_slice "poll,$column,$pollers" "$pid" "$path" "$seconds" \
			"$pollers" "$POLL_RATE" "${groups[@]}"
	done
	for column in trivialfs proclens lxcfs; do
		POLL_CPU[$column,$pollers]=$(poll_cpu "poll,$column,$pollers")
	done
done
say "pollers at $POLL_RATE Hz, each in a cgroup of its own: trivialfs $poll_seconds s, proclens and lxcfs in turn, $POLL_ROUNDS x $poll_half s each; daemon CPU ms per 1,000 reads"
printf '%-22s %12s %12s %12s %22s\n' "" "trivialfs" "proclens" "lxcfs" "proclens/lxcfs"
for pollers in 50 200; do
	r=$(ratio "${POLL_CPU[proclens,$pollers]}" "${POLL_CPU[lxcfs,$pollers]}")
	printf '%-22s %12s %12s %12s %8s (<= %s: %s)\n' "$pollers pollers" \
		"${POLL_CPU[trivialfs,$pollers]}" "${POLL_CPU[proclens,$pollers]}" \
		"${POLL_CPU[lxcfs,$pollers]}" "$r" "$TARGET_CPU_VS_LXCFS" \
		"$(verdict "$r" "<=" "$TARGET_CPU_VS_LXCFS")"
done
rss=$(rss_kb)
printf 'proclens VmRSS after the pollers: %s kB; target <= %s kB: %s\n' "$rss" "$TARGET_RSS_KB" \
	"$( [ "$rss" -le "$TARGET_RSS_KB" ] && echo met || echo MISSED)"

# --- a reader at the bottom of 1,000 nested cgroups ----------------------------------------

echo
chain=$BENCH_CG/chain
cg_make "$chain" || fail "cannot create cgroup $chain"
dir=$chain
for _ in $(seq "$CHAIN_DEPTH"); do
	if [ "$CG_VERSION" = 2 ]; then
		echo +memory >"$dir/cgroup.subtree_control" || break
	fi
	dir=$dir/d
	mkdir "$dir" || break
	CLEANUP_CGROUPS="$dir $CLEANUP_CGROUPS"
done
declare -A CHAIN_MEDIAN
for where in flat chain; do
	group=$BENCH_CG
	[ "$where" = flat ] || group=$dir
	if out=$("$BENCHREAD" -n 1 -c "$COUNT_EACH" -t "$SECONDS_EACH" -w 20 -g "$group" \
		-e "$(printf '%-16s%8s kB' MemTotal: "$LIMIT_KB")" "$PROCLENS_MNT/proc/meminfo" 2>&1); then
		CHAIN_MEDIAN[$where]=$(field median_us "$out")
	else
		CHAIN_MEDIAN[$where]=failed
		say "chain, $where: $out" >&2
	fi
done
printf 'proc/meminfo at the bottom of %s nested cgroups: median %s us, against %s us in the limited cgroup (%sx); MemTotal the chain'"'"'s smallest limit\n' \
	"$CHAIN_DEPTH" "${CHAIN_MEDIAN[chain]}" "${CHAIN_MEDIAN[flat]}" \
	"$(ratio "${CHAIN_MEDIAN[chain]}" "${CHAIN_MEDIAN[flat]}" 1)"
proclens_alive || fail "proclens (pid $PROCLENS_PID) died during the scaling checks"

# --- memory: many readers in many cgroups -------------------------------------------

echo
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
