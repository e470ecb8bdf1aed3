#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# sockstat.sh - proclens's sockstat benchmark, run as root (docs/sockstat.md,
# "Performance"): the latency of one open+read+close of proc/net/sockstat
# through proclens, next to the kernel's own /proc/net/sockstat read from the
# same network namespace in the same run, and next to proclens's proc/meminfo
# (the cost of a FUSE round trip, the floor for any file proclens serves).
#
# Cases, each in network namespaces made here (loopback only):
#   10       the reader's namespace holds 10 sockets
#   10000    the reader's namespace holds 10,000 sockets
#   10+10k   10 sockets in the reader's namespace, 10,000 in another one
#   10 own   10 sockets in a namespace with its own TCP and UDP hash tables
#            (net.ipv4.tcp_child_ehash_entries and udp_child_hash_entries set
#            in a parent namespace made here, never in the host's)
#
# Environment: PROCLENS, BENCHREAD, SOCKLOAD name the programs (set by make);
# BENCH_SECONDS is the time limit of each measurement (default 4). Every
# wait and loop is bounded; on exit, failed or not, the script stops the
# processes it started (by pid), unmounts and deletes its namespaces.

set -u

SECONDS_EACH=${BENCH_SECONDS:-4}
COUNT_EACH=200000		# reads per measurement at most; the time limit comes first
SMALL=10
LARGE=10000
TARGET_VS_MEMINFO=3		# sockstat at 10 sockets <= 3x proclens's meminfo
TARGET_OTHERS=1.25		# 10 sockets with 10,000 in another namespace, over 10 alone
OWN_HASH_BUCKETS=1024

BENCH_NAME=bench-sockstat
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || skip "needs root (run 'make bench-sockstat' as root)"
[ -c /dev/fuse ] || skip "needs /dev/fuse"
command -v ip >/dev/null 2>&1 || skip "needs ip (iproute2)"
command -v nsenter >/dev/null 2>&1 || skip "needs nsenter"
for program in "${PROCLENS:-}" "${BENCHREAD:-}" "${SOCKLOAD:-}"; do
	[ -n "$program" ] && [ -x "$program" ] ||
		fail "PROCLENS, BENCHREAD and SOCKLOAD must name the built programs (use 'make bench-sockstat')"
done

# --- namespaces and their sockets ------------------------------------------------

# netns_new NAME [PARENT]: a namespace with loopback up, made from PARENT's
# namespace if given (so PARENT's *_child_*hash_entries apply to it).
netns_new() {
	if [ -n "${2:-}" ]; then
		nsenter --net="/run/netns/$2" ip netns add "$1" || return 1
	else
		ip netns add "$1" || return 1
	fi
	CLEANUP_NETNS="$1 $CLEANUP_NETNS"
	ip -n "$1" link set lo up
}

# load_start NS COUNT: COUNT sockets held in NS until the script ends.
load_start() {
	local out
	out=$(mktemp /tmp/proclens-sockload.XXXXXX) || fail "mktemp"
	CLEANUP_FILES="$out $CLEANUP_FILES"
	nsenter --net="/run/netns/$1" "$SOCKLOAD" -n "$2" -t 600 >"$out" 2>&1 &
	CLEANUP_PIDS="$! $CLEANUP_PIDS"
	for _ in $(seq 300); do
		grep -q '^ready' "$out" && return 0
		kill -0 "$!" 2>/dev/null || break
		sleep 0.1
	done
	fail "sockload in $1: $(cat "$out")"
}

# expected_alloc COUNT: the TCP sockets sockload makes for COUNT (see sockload.c).
expected_alloc() {
	local listeners=$(($1 / 100)) udp pairs
	[ "$listeners" -gt 0 ] || listeners=1
	udp=$(($1 / 4))
	pairs=$((($1 - listeners - udp) / 2))
	echo $((listeners + 2 * pairs))
}

TAG=proclens-bench-$$
netns_new "$TAG-small" || fail "cannot create network namespaces"
netns_new "$TAG-large" || fail "cannot create network namespaces"
OWN_HASH=""
if netns_new "$TAG-parent" &&
	ip netns exec "$TAG-parent" sysctl -qw \
		net.ipv4.tcp_child_ehash_entries=$OWN_HASH_BUCKETS 2>/dev/null &&
	netns_new "$TAG-own" "$TAG-parent"; then
	# UDP's own table came with Linux 6.2; without it only TCP's is the namespace's.
	ip netns exec "$TAG-parent" sysctl -qw \
		net.ipv4.udp_child_hash_entries=$OWN_HASH_BUCKETS 2>/dev/null
	OWN_HASH=$TAG-own
fi

# --- the daemon ----------------------------------------------------------------------

MNT=$(mktemp -d /tmp/proclens-bench-sockstat.XXXXXX) || fail "mktemp"
CLEANUP_MOUNTS="$MNT $CLEANUP_MOUNTS"
CLEANUP_FILES="$MNT.pid $CLEANUP_FILES"
"$PROCLENS" --pidfile "$MNT.pid" "$MNT" || fail "proclens did not start at $MNT"
PROCLENS_PID=$(cat "$MNT.pid")
CLEANUP_PIDS="$PROCLENS_PID $CLEANUP_PIDS"

# --- timing ----------------------------------------------------------------------------

declare -A MEDIAN P99

# measure KEY NS PATH [TEXT]: one reader in NS times PATH (which must contain TEXT).
measure() {
	local out
	if ! out=$(nsenter --net="/run/netns/$2" "$BENCHREAD" -n 1 -c "$COUNT_EACH" \
		-t "$SECONDS_EACH" -w 50 ${4:+-e "$4"} "$3" 2>&1); then
		say "$1: $out" >&2
		MEDIAN[$1]=failed P99[$1]=failed
		return
	fi
	MEDIAN[$1]=$(echo "$out" | sed -n 's/.* median_us=\([^ ]*\).*/\1/p')
	P99[$1]=$(echo "$out" | sed -n 's/.* p99_us=\([^ ]*\).*/\1/p')
}

# measure_case CASE NS COUNT: the kernel's file, proclens's, proclens's meminfo.
measure_case() {
	measure "$1,kernel" "$2" /proc/net/sockstat "TCP:"
	measure "$1,proclens" "$2" "$MNT/proc/net/sockstat" "alloc $(expected_alloc "$3") mem"
	measure "$1,meminfo" "$2" "$MNT/proc/meminfo" "MemTotal:"
}

say "$(nproc) CPUs, kernel $(uname -r), net.ipv4.tcp_ehash_entries $(sysctl -n net.ipv4.tcp_ehash_entries 2>/dev/null || echo ?); each measurement at most ${SECONDS_EACH} s"
CASES="$SMALL"
load_start "$TAG-small" "$SMALL"
measure_case "$SMALL" "$TAG-small" "$SMALL"
if [ -n "$OWN_HASH" ]; then
	load_start "$OWN_HASH" "$SMALL"
	measure_case "$SMALL own" "$OWN_HASH" "$SMALL"
	CASES="$CASES,$SMALL own"
fi
load_start "$TAG-large" "$LARGE"
measure_case "$LARGE" "$TAG-large" "$LARGE"
measure_case "$SMALL+10k" "$TAG-small" "$SMALL"
CASES="$CASES,$LARGE,$SMALL+10k"
kill -0 "$PROCLENS_PID" 2>/dev/null || fail "proclens (pid $PROCLENS_PID) died during the run"

echo
printf '%-10s %11s %11s %11s %9s %11s %9s\n' "sockets" "kernel us" "proclens us" \
	"meminfo us" "x kernel" "p99 us" "x meminfo"
# CASES is comma-separated (a case's name has a space); IFS stays as it is,
# since cleanup splits its lists on spaces.
while IFS= read -r c; do
	printf '%-10s %11s %11s %11s %9s %11s %9s\n' "$c" "${MEDIAN[$c,kernel]:--}" \
		"${MEDIAN[$c,proclens]:--}" "${MEDIAN[$c,meminfo]:--}" \
		"$(ratio "${MEDIAN[$c,proclens]:--}" "${MEDIAN[$c,kernel]:--}" 1)" \
		"${P99[$c,proclens]:--}" \
		"$(ratio "${MEDIAN[$c,proclens]:--}" "${MEDIAN[$c,meminfo]:--}" 1)"
done < <(printf '%s\n' "$CASES" | tr , '\n')
echo
printf 'medians of one open+read+close by 1 reader; "10 own": %s\n' \
	"$([ -n "$OWN_HASH" ] && echo "namespace with its own ${OWN_HASH_BUCKETS}-bucket hash tables" || echo "not measured (no tcp_child_ehash_entries)")"
r=$(ratio "${MEDIAN[$SMALL,proclens]:--}" "${MEDIAN[$SMALL,meminfo]:--}")
printf 'sockstat at %s sockets / proclens meminfo, same run: %s (target <= %s: %s)\n' "$SMALL" \
	"$r" "$TARGET_VS_MEMINFO" "$(verdict "$r" "<=" "$TARGET_VS_MEMINFO")"
r=$(ratio "${MEDIAN[$SMALL+10k,proclens]:--}" "${MEDIAN[$SMALL,proclens]:--}")
printf 'sockstat at %s sockets with %s in another namespace / alone: %s (target <= %s: %s)\n' \
	"$SMALL" "$LARGE" "$r" "$TARGET_OTHERS" "$(verdict "$r" "<=" "$TARGET_OTHERS")"
exit 0
