#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# attack.sh - what one hostile tenant costs every other reader of proclens
# (issue 7: no tenant can deny service to another), run by `make bench` as
# root. The tenant is uid 65534 in its own user, network and pid namespaces,
# as any container could be. From one run, side by side:
#   - a host reader's proc/meminfo latency (one open+read+close), quiet and
#     while the tenant holds 9,000 TCP pairs and 16 processes read its
#     proc/net/sockstat in a loop (each render walks 18,000 sockets);
#   - a reader in another network namespace reading its own sockstat, quiet
#     and under the same flood, and the tenant's own sockstat latency;
#   - the daemon's VmRSS before and while the tenant holds 40 opens of
#     proc/net/route over 100,000 routes, one byte read from each.
# tests/integration/tenants.sh asserts the same attacks leave others served;
# this prints what they cost.
#
# Environment: PROCLENS, BENCHREAD, TENANTLOAD name the programs (set by
# make); BENCH_SECONDS is the time limit of each measurement (default 4).
# Only loopback carries traffic, in namespaces made here. Every wait and
# loop is bounded; on exit, failed or not, the script stops what it started
# (by pid), unmounts and deletes its namespaces.

set -u

SECONDS_EACH=${BENCH_SECONDS:-4}
COUNT_EACH=200000		# reads per measurement at most; the time limit comes first
PAIRS=9000
FLOOD_READERS=16
ROUTES=100000
ROUTE_OPENS=40
TENANT_UID=65534

BENCH_NAME=bench-attack
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || skip "needs root (run 'make bench-attack' as root)"
[ -c /dev/fuse ] || skip "needs /dev/fuse"
for tool in ip nsenter setpriv unshare; do
	command -v "$tool" >/dev/null 2>&1 || skip "needs $tool"
done
for program in "${PROCLENS:-}" "${BENCHREAD:-}" "${TENANTLOAD:-}"; do
	[ -n "$program" ] && [ -x "$program" ] ||
		fail "PROCLENS, BENCHREAD and TENANTLOAD must name the built programs (use 'make bench-attack')"
done

# tenant COMMAND...: become the unprivileged tenant (execs: run it in a
# subshell; killing the unshare process left in $! kills all it started).
tenant() {
	exec setpriv --reuid "$TENANT_UID" --regid "$TENANT_UID" --clear-groups \
		unshare --user --map-root-user --net --pid --fork --kill-child "$@"
}
(tenant true) 2>/dev/null ||
	skip "uid $TENANT_UID cannot make its own user, network and pid namespaces (user.max_user_namespaces, kernel.unprivileged_userns_clone)"

# wait_for_line FILE TEXT TENTHS: bounded wait for a line starting with TEXT.
wait_for_line() {
	for _ in $(seq "$3"); do
		grep -q "^$2" "$1" && return 0
		sleep 0.1
	done
	return 1
}

new_output() {
	OUT=$(mktemp /tmp/proclens-bench-attack.XXXXXX) || fail "mktemp"
	CLEANUP_FILES="$OUT $CLEANUP_FILES"
}

# --- the daemon and a bystander namespace -----------------------------------------

MNT=$(mktemp -d /tmp/proclens-bench-attack.XXXXXX) || fail "mktemp"
CLEANUP_MOUNTS="$MNT $CLEANUP_MOUNTS"
CLEANUP_FILES="$MNT.pid $CLEANUP_FILES"
"$PROCLENS" --pidfile "$MNT.pid" "$MNT" || fail "proclens did not start at $MNT"
PROCLENS_PID=$(cat "$MNT.pid")
CLEANUP_PIDS="$PROCLENS_PID $CLEANUP_PIDS"

OTHER_NS=proclens-bench-attack-$$
ip netns add "$OTHER_NS" || fail "cannot create a network namespace"
CLEANUP_NETNS="$OTHER_NS $CLEANUP_NETNS"
ip -n "$OTHER_NS" link set lo up

rss_kb() {
	awk '$1 == "VmRSS:" {print $2}' "/proc/$PROCLENS_PID/status"
}

declare -A MEDIAN P99 RATE

# measure KEY COMMAND...: one benchread run (its options and path follow).
measure() {
	local key=$1 out
	shift
	if ! out=$("$@" 2>&1); then
		say "$key: $out" >&2
		MEDIAN[$key]=failed P99[$key]=failed RATE[$key]=failed
		return
	fi
	MEDIAN[$key]=$(echo "$out" | sed -n 's/.* median_us=\([^ ]*\).*/\1/p')
	P99[$key]=$(echo "$out" | sed -n 's/.* p99_us=\([^ ]*\).*/\1/p')
	RATE[$key]=$(echo "$out" | sed -n 's/.* reads_per_s=\([^ ]*\).*/\1/p')
}

host_meminfo() {
	measure "$1,meminfo" "$BENCHREAD" -n 1 -c "$COUNT_EACH" -t "$SECONDS_EACH" -w 50 \
		-e MemTotal: "$MNT/proc/meminfo"
}

other_sockstat() {
	measure "$1,other" nsenter --net="/run/netns/$OTHER_NS" "$BENCHREAD" -n 1 \
		-c "$COUNT_EACH" -t "$SECONDS_EACH" -w 20 -e "alloc 0 mem" "$MNT/proc/net/sockstat"
}

say "$(nproc) CPUs, kernel $(uname -r); each measurement at most ${SECONDS_EACH} s"
declare -a RSS
RSS[0]=$(rss_kb)

# --- quiet ------------------------------------------------------------------------------

host_meminfo quiet
other_sockstat quiet

# --- the sockstat flood ---------------------------------------------------------------------

new_output
FLOOD_OUT=$OUT
FLOOD_SECONDS=$((2 * SECONDS_EACH + 6))
(
	# 18,000 descriptors for the pairs: root raises the limit the tenant inherits.
	ulimit -n $((2 * PAIRS + 1000))
	tenant bash -c '
		load=$1 bench=$2 mnt=$3 pairs=$4 readers=$5 seconds=$6
		ip link set lo up || exit 1
		"$load" -t $((seconds + 60)) pairs "$pairs" >/dev/null &
		for _ in $(seq 600); do
			grep -q "^TCP: inuse $((2 * pairs + 1)) " /proc/net/sockstat && break
			sleep 0.1
		done
		echo "pairs $(awk "\$1 == \"TCP:\" {print \$3}" /proc/net/sockstat)"
		echo attacking
		"$bench" -n "$readers" -c 10000000 -t "$seconds" -w 1 -e "TCP: inuse" \
			"$mnt/proc/net/sockstat"
		echo "attack over"' bash "$TENANTLOAD" "$BENCHREAD" "$MNT" "$PAIRS" \
		"$FLOOD_READERS" "$FLOOD_SECONDS"
) >"$FLOOD_OUT" 2>&1 &
FLOOD_PID=$!
CLEANUP_PIDS="$FLOOD_PID $CLEANUP_PIDS"
wait_for_line "$FLOOD_OUT" attacking 900 || fail "the flood did not start: $(cat "$FLOOD_OUT")"
say "flood: the tenant holds $(sed -n 's/^pairs //p' "$FLOOD_OUT") TCP sockets; $FLOOD_READERS readers of its sockstat for ${FLOOD_SECONDS} s"
sleep 1
host_meminfo flood
other_sockstat flood
wait_for_line "$FLOOD_OUT" "attack over" $((10 * FLOOD_SECONDS + 600)) ||
	say "the tenant's readers did not finish in time" >&2
TENANT_LINE=$(grep '^readers=' "$FLOOD_OUT")
MEDIAN[flood,tenant]=$(echo "$TENANT_LINE" | sed -n 's/.* median_us=\([^ ]*\).*/\1/p')
P99[flood,tenant]=$(echo "$TENANT_LINE" | sed -n 's/.* p99_us=\([^ ]*\).*/\1/p')
RATE[flood,tenant]=$(echo "$TENANT_LINE" | sed -n 's/.* reads_per_s=\([^ ]*\).*/\1/p')
stop_pid "$FLOOD_PID"
RSS[1]=$(rss_kb)

# --- 40 route files held open over 100,000 routes --------------------------------------------

new_output
BATCH=$OUT
awk -v n="$ROUTES" 'BEGIN { for (i = 0; i < n; i++)
	printf "route add %d.%d.%d.0/24 dev lo\n", 10 + int(i / 65536), int(i / 256) % 256, i % 256 }' >"$BATCH"
chmod 644 "$BATCH"
new_output
ROUTES_OUT=$OUT
(tenant bash -c 'ip link set lo up && ip -batch "$1" &&
	echo "routes $(($(wc -l </proc/net/route) - 1))" &&
	exec "$2" -t 120 hold "$3" 1 "$4"' bash "$BATCH" "$TENANTLOAD" "$ROUTE_OPENS" \
	"$MNT/proc/net/route") >"$ROUTES_OUT" 2>&1 &
ROUTES_PID=$!
CLEANUP_PIDS="$ROUTES_PID $CLEANUP_PIDS"
wait_for_line "$ROUTES_OUT" ready 600 || fail "the route tenant did not start: $(cat "$ROUTES_OUT")"
sleep 0.5
RSS[2]=$(rss_kb)
host_meminfo routes
say "routes: the tenant's namespace holds $(sed -n 's/^routes //p' "$ROUTES_OUT") routes; $(sed -n 's/^opened //p' "$ROUTES_OUT") route files held"
stop_pid "$ROUTES_PID"
kill -0 "$PROCLENS_PID" 2>/dev/null || fail "proclens (pid $PROCLENS_PID) died during the run"

# --- the table ----------------------------------------------------------------------------------

row() {
	printf '%-44s %11s %11s %9s %9s\n' "$1" "${MEDIAN[$2]:--}" "${P99[$2]:--}" \
		"${RATE[$2]:--}" "$(ratio "${MEDIAN[$2]:--}" "${MEDIAN[$3]:--}" 1)"
}

echo
printf '%-44s %11s %11s %9s %9s\n' "one open+read+close, 1 reader" "median us" "p99 us" \
	"reads/s" "x quiet"
row "host proc/meminfo, quiet" quiet,meminfo quiet,meminfo
row "host proc/meminfo, sockstat flood" flood,meminfo quiet,meminfo
row "host proc/meminfo, 40 route files held" routes,meminfo quiet,meminfo
row "other namespace's sockstat, quiet" quiet,other quiet,other
row "other namespace's sockstat, sockstat flood" flood,other quiet,other
row "tenant's own sockstat ($FLOOD_READERS readers), flood" flood,tenant quiet,other
echo
printf 'proclens VmRSS: %s kB at start, %s kB after the flood, %s kB with %s route files held (%s routes): +%s kB\n' \
	"${RSS[0]}" "${RSS[1]}" "${RSS[2]}" "$ROUTE_OPENS" "$ROUTES" "$((RSS[2] - RSS[1]))"
printf 'the flood: %s TCP pairs and %s readers in one unprivileged namespace; figures from one run\n' \
	"$PAIRS" "$FLOOD_READERS"
exit 0
