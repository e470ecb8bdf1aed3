#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tenants.sh - no tenant can deny service to another. Each attack runs as an
# unprivileged user (uid 65534) in its own user and network namespace, the
# way any container tenant could, while root and readers in other namespaces
# keep reading:
#   budget  files held open until the daemon refuses more (EMFILE at 1,024)
#   routes  40 opens of proc/net/route over 100,000 routes, one byte read
#           from each and held: the daemon's memory stays flat
#   flood   9,000 TCP pairs and 16 loops reading sockstat in one namespace
#   stall   a socket descriptor swapped for a file on a FUSE server that
#           never answers, while sockstat is read in that namespace
# and at the end the daemon still stops on SIGTERM within seconds. Only
# loopback carries traffic, in namespaces made here; every loop is bounded.
. "$TESTS_DIR/integration/lib.sh"

require_root
for tool in ip setpriv unshare nsenter timeout; do
	command -v "$tool" >/dev/null 2>&1 || skip "needs $tool"
done
HELPERS=$(dirname "$PROCLENS")/tests/integration
STALLFS=${STALLFS:-$HELPERS/stallfs}
TENANTLOAD=${TENANTLOAD:-$HELPERS/tenantload}
[ -x "$STALLFS" ] && [ -x "$TENANTLOAD" ] ||
	skip "needs $STALLFS and $TENANTLOAD (built by make check)"

TENANT_UID=65534
OTHER_UID=65533

# tenant COMMAND...: become the unprivileged tenant, root of its own user
# namespace, in its own network namespace and pid namespace. It execs, so
# run it in a subshell: `(tenant ...) &` leaves the unshare process in $!,
# and killing that kills everything the tenant started.
tenant() {
	exec setpriv --reuid "$TENANT_UID" --regid "$TENANT_UID" --clear-groups \
		unshare --user --map-root-user --net --pid --fork --kill-child "$@"
}

# tenant_in_host_pid_ns COMMAND...: the same in the host's pid namespace,
# as `unshare -U -r -n` starts it; `(tenant_in_host_pid_ns ...) &` leaves
# the command itself in $!.
tenant_in_host_pid_ns() {
	exec setpriv --reuid "$TENANT_UID" --regid "$TENANT_UID" --clear-groups \
		unshare --user --map-root-user --net "$@"
}

[ "$(cat /proc/sys/user/max_user_namespaces 2>/dev/null || echo 0)" -gt 0 ] ||
	skip "user.max_user_namespaces is 0: no unprivileged tenant can be made"
if [ -f /proc/sys/kernel/unprivileged_userns_clone ] &&
	[ "$(cat /proc/sys/kernel/unprivileged_userns_clone)" != 1 ]; then
	skip "kernel.unprivileged_userns_clone is off: no unprivileged tenant can be made"
fi
(tenant true) 2>/dev/null ||
	skip "uid $TENANT_UID cannot make its own user, network and pid namespaces here"

# new_output: an empty file for a background process's output, in OUT.
new_output() {
	OUT=$(mktemp /tmp/proclens-tenants.XXXXXX)
	CLEANUP_FILES="$OUT $CLEANUP_FILES"
}

# started PID: stop PID on exit if the test does not first.
started() {
	CLEANUP_PIDS="$1 $CLEANUP_PIDS"
}

# line_of FILE PREFIX: the first line of FILE starting with PREFIX.
line_of() {
	grep -m 1 "^$2" "$1"
}

daemon_fds() {
	ls "/proc/$DAEMON_PID/fd" | wc -l
}

daemon_rss_kb() {
	awk '$1 == "VmRSS:" {print $2}' "/proc/$DAEMON_PID/status"
}

# reads_meminfo [COMMAND...]: one read of MNT/proc/meminfo (as COMMAND's
# prefix gives, e.g. setpriv) answers with MemTotal. timeout only tells a
# hang from a slow read: it is no latency target.
reads_meminfo() {
	"$@" timeout 20 cat "$MNT/proc/meminfo" 2>/dev/null | grep -q '^MemTotal:'
}

# other_ns_sockstat_is_empty: a reader of a namespace with no sockets gets
# its own sockstat, with no TCP socket in it.
other_ns_sockstat_is_empty() {
	ns_exec "$OTHER_NS" timeout 20 cat "$MNT/proc/net/sockstat" 2>/dev/null |
		grep -qx 'TCP: inuse 0 orphan 0 tw 0 alloc 0 mem 0'
}

# host_reads_during PID COUNT: while PID lives, up to COUNT host reads of
# meminfo 0.05 s apart; sets HOST_OK and HOST_FAILED.
host_reads_during() {
	HOST_OK=0
	HOST_FAILED=0
	for _ in $(seq "$2"); do
		kill -0 "$1" 2>/dev/null || break
		if reads_meminfo; then
			HOST_OK=$((HOST_OK + 1))
		else
			HOST_FAILED=$((HOST_FAILED + 1))
		fi
		sleep 0.05
	done
}

start_daemon || skip "the daemon does not start"
netns_new
OTHER_NS=$NS
reads_meminfo || skip "the daemon does not serve proc/meminfo"
check_true "before: a reader in another network namespace gets its own sockstat" \
	other_ns_sockstat_is_empty
FD_BASELINE=$(daemon_fds)

# --- budget: no tenant holds more than 1,024 open files ----------------------
# The tenant's own pid namespace, as in a container: the host's users are
# in another and keep reading.
new_output
(tenant "$TENANTLOAD" -t 60 hold 1100 0 "$MNT/proc/meminfo") >"$OUT" 2>&1 &
HOLD_PID=$!
started "$HOLD_PID"
if wait_for 300 grep -q '^ready$' "$OUT"; then
	check "budget: the tenant's opens stop at 1,024" "opened 1024" "$(line_of "$OUT" opened)"
	check "budget: the next one fails with EMFILE" "error Too many open files" \
		"$(line_of "$OUT" error)"
	check_true "budget: root on the host still reads meminfo" reads_meminfo
	check_true "budget: another user on the host still reads meminfo" \
		reads_meminfo setpriv --reuid "$OTHER_UID" --regid "$OTHER_UID" --clear-groups
	# The tenant's unshare forks: the helper is its child, pid 1 inside.
	kill -USR1 "$(pgrep -P "$HOLD_PID" | head -n 1)" 2>/dev/null
	wait_for 100 grep -q '^reopen' "$OUT"
	check "budget: once it closed them, the tenant opens again" reopened \
		"$(line_of "$OUT" reopen)"
else
	check "budget: the tenant holds its files" ready "$(cat "$OUT")"
fi
stop_pid "$HOLD_PID"

# The same from the host's pid namespace (unshare -U -r -n): the tenant is
# refused at 1,024 as before, and root and the other host users, who share
# that pid namespace with it, must still be served.
new_output
(tenant_in_host_pid_ns "$TENANTLOAD" -t 60 hold 1100 0 "$MNT/proc/meminfo") >"$OUT" 2>&1 &
HOLD_PID=$!
started "$HOLD_PID"
if wait_for 300 grep -q '^ready$' "$OUT"; then
	check "budget, host pid namespace: the tenant's opens stop at 1,024" "opened 1024" \
		"$(line_of "$OUT" opened)"
	check_true "budget, host pid namespace: root still reads meminfo" reads_meminfo
	check_true "budget, host pid namespace: another user still reads meminfo" \
		reads_meminfo setpriv --reuid "$OTHER_UID" --regid "$OTHER_UID" --clear-groups
	check_true "budget, host pid namespace: a reader in another pid namespace still reads" \
		reads_meminfo unshare --pid --fork
	kill -USR1 "$HOLD_PID"
	wait_for 100 grep -q '^reopen' "$OUT"
	check "budget, host pid namespace: once it closed them, the tenant opens again" \
		reopened "$(line_of "$OUT" reopen)"
else
	check "budget, host pid namespace: the tenant holds its files" ready "$(cat "$OUT")"
fi
stop_pid "$HOLD_PID"

# Mirrored files hold a descriptor each in the daemon: the budget bounds
# them too, and closing gives every one of them back.
new_output
(tenant "$TENANTLOAD" -t 60 hold 1100 1 "$MNT/proc/net/dev") >"$OUT" 2>&1 &
HOLD_PID=$!
started "$HOLD_PID"
if wait_for 300 grep -q '^ready$' "$OUT"; then
	check "budget: mirrored opens stop at 1,024" "opened 1024" "$(line_of "$OUT" opened)"
	HELD_FDS=$(daemon_fds)
	# About one each: the baseline may hold a descriptor or two that come
	# and go (a namespace's socket, a pid namespace's proc instance).
	check_true "budget: the daemon holds a descriptor per mirrored open ($HELD_FDS, baseline $FD_BASELINE)" \
		[ "$HELD_FDS" -ge $((FD_BASELINE + 1024 - 8)) ]
else
	check "budget: the tenant holds mirrored files" ready "$(cat "$OUT")"
fi
stop_pid "$HOLD_PID"
fds_at_baseline() {
	[ "$(daemon_fds)" -le "$FD_BASELINE" ]
}
check_true "budget: the daemon's descriptors are back to $FD_BASELINE once the tenant is gone" \
	wait_for 100 fds_at_baseline
echo "info: daemon descriptors: $FD_BASELINE at rest, ${HELD_FDS:-?} with 1,024 mirrored files held, $(daemon_fds) after"

# --- routes: held opens of a huge mirrored file cost the daemon nothing -------
ROUTES=$(scaled 100000)
RSS_BOUND_KB=16384
if [ "${PROCLENS_VM:-0}" = 1 ]; then
	echo "SKIP: routes: 100,000 routes and 40 held opens are too heavy for the VM lane's budget"
else
	new_output
	BATCH=$OUT
	# 10.0.0.0/24, 10.0.1.0/24, ... on loopback: never used for traffic.
	awk -v n="$ROUTES" 'BEGIN { for (i = 0; i < n; i++)
		printf "route add %d.%d.%d.0/24 dev lo\n", 10 + int(i / 65536), int(i / 256) % 256, i % 256 }' >"$BATCH"
	chmod 644 "$BATCH"
	RSS_BEFORE=$(daemon_rss_kb)
	new_output
	(tenant sh -c 'ip link set lo up && ip -batch "$1" &&
		echo "routes $(($(wc -l </proc/net/route) - 1))" &&
		exec "$2" -t 60 hold 40 1 "$3"' sh "$BATCH" "$TENANTLOAD" "$MNT/proc/net/route") \
		>"$OUT" 2>&1 &
	HOLD_PID=$!
	started "$HOLD_PID"
	if wait_for 600 grep -q '^ready$' "$OUT"; then
		check "routes: the tenant's namespace holds $ROUTES routes" "routes $ROUTES" \
			"$(line_of "$OUT" routes)"
		check "routes: 40 opens, one byte read from each" "opened 40" "$(line_of "$OUT" opened)"
		RSS_AFTER=$(daemon_rss_kb)
		GROWTH=$((RSS_AFTER - RSS_BEFORE))
		echo "info: daemon VmRSS ${RSS_BEFORE} kB before, ${RSS_AFTER} kB with 40 route files held: +${GROWTH} kB"
		check_true "routes: the daemon's VmRSS grew less than $RSS_BOUND_KB kB (+$GROWTH kB)" \
			[ "$GROWTH" -lt "$RSS_BOUND_KB" ]
		check_true "routes: root still reads meminfo" reads_meminfo
	else
		check "routes: the tenant holds its route files" ready "$(cat "$OUT")"
	fi
	stop_pid "$HOLD_PID"
fi

# --- flood: one namespace's sockstat readers leave the others served ----------
PAIRS=$(scaled 9000)
FLOOD_READERS=16
FLOOD_SECONDS=10
if [ "${PROCLENS_VM:-0}" = 1 ]; then
	echo "SKIP: flood: 9,000 TCP pairs and 16 sockstat loops are too heavy for the VM lane's budget"
else
	new_output
	# The pairs need 18,000 descriptors: root raises the limit the tenant inherits.
	(
		ulimit -n $((2 * PAIRS + 1000)) 2>/dev/null
		tenant sh -c '
			load=$1 mnt=$2 pairs=$3 readers=$4 seconds=$5
			ip link set lo up || exit 1
			"$load" -t 60 pairs "$pairs" >/dev/null &
			# Ready when the namespace holds them all (and the listener).
			want="TCP: inuse $((2 * pairs + 1)) "
			for _ in $(seq 300); do
				grep -q "^$want" /proc/net/sockstat && break
				sleep 0.1
			done
			echo "proclens $(grep "^TCP:" "$mnt/proc/net/sockstat")"
			end=$(($(date +%s) + seconds))
			pids=""
			for _ in $(seq "$readers"); do
				(
					n=0
					while [ "$n" -lt 1000 ] && [ "$(date +%s)" -lt "$end" ]; do
						cat "$mnt/proc/net/sockstat" >/dev/null || echo "read failed"
						n=$((n + 1))
					done
					echo "reads $n"
				) &
				pids="$pids $!"
			done
			echo attacking
			# The readers only: the pairs stay until the tenant is stopped.
			wait $pids
			echo "attack over"' sh "$TENANTLOAD" "$MNT" "$PAIRS" "$FLOOD_READERS" "$FLOOD_SECONDS"
	) >"$OUT" 2>&1 &
	FLOOD_PID=$!
	started "$FLOOD_PID"
	if wait_for 600 grep -q '^attacking$' "$OUT"; then
		check "flood: the tenant's own sockstat counts its $PAIRS pairs" \
			"proclens TCP: inuse $((2 * PAIRS + 1))" \
			"$(line_of "$OUT" proclens | awk '{print $1, $2, $3, $4}')"
		# The tenant's 16 loops keep both CPUs busy, so how many reads this
		# loop makes depends on the machine, not on proclens: what is checked
		# is that none fails and that they go on all through the attack (no
		# gap between two of them longer than FLOOD_GAP_MS), and another
		# namespace's sockstat is read about once a second.
		FLOOD_GAP_MS=3000
		OTHER_OK=0
		WORST_MS=0
		HOST_OK=0
		HOST_FAILED=0
		LONGEST_GAP_MS=0
		last_ok=$(date +%s%N)
		last_other=0
		for _ in $(seq 400); do
			grep -q '^attack over$' "$OUT" && break
			start=$(date +%s%N)
			if reads_meminfo; then
				HOST_OK=$((HOST_OK + 1))
				now=$(date +%s%N)
				gap=$(((now - last_ok) / 1000000))
				[ "$gap" -gt "$LONGEST_GAP_MS" ] && LONGEST_GAP_MS=$gap
				last_ok=$now
			else
				HOST_FAILED=$((HOST_FAILED + 1))
			fi
			ms=$((($(date +%s%N) - start) / 1000000))
			[ "$ms" -gt "$WORST_MS" ] && WORST_MS=$ms
			if [ $((start - last_other)) -ge 1000000000 ]; then
				last_other=$start
				other_ns_sockstat_is_empty && OTHER_OK=$((OTHER_OK + 1))
			fi
			sleep 0.05
		done
		echo "info: flood: $HOST_OK host meminfo reads, slowest $WORST_MS ms, longest gap $LONGEST_GAP_MS ms (bench/attack.sh measures latency)"
		check "flood: no host meminfo read failed or hung" 0 "$HOST_FAILED"
		flood_reads_went_on() {
			[ "$HOST_OK" -ge 5 ] && [ "$LONGEST_GAP_MS" -le "$FLOOD_GAP_MS" ]
		}
		check_true "flood: host meminfo reads went on all through the attack ($HOST_OK reads, longest gap $LONGEST_GAP_MS ms)" \
			flood_reads_went_on
		check_true "flood: another namespace's reader got its own sockstat ($OTHER_OK times)" \
			[ "$OTHER_OK" -ge 1 ]
		check_true "flood: the attack ran to its end" wait_for 300 grep -q '^attack over$' "$OUT"
		check "flood: every one of the tenant's own reads succeeded" 0 \
			"$(grep -c '^read failed' "$OUT")"
		echo "info: flood: the tenant's readers did $(awk '$1 == "reads" {n += $2} END {print n + 0}' "$OUT") sockstat reads"
	else
		check "flood: the tenant's attack starts" attacking "$(cat "$OUT")"
	fi
	stop_pid "$FLOOD_PID"
fi

# --- stall: a socket swapped for a file that never answers ---------------------
STALL_READS=$(scaled 200)
STALL_DIR=$(mktemp -d /tmp/proclens-stallfs.XXXXXX)
CLEANUP_MOUNTS="$STALL_DIR $CLEANUP_MOUNTS"
new_output
# Its own time limit is a last resort: the test kills it by pid first.
"$STALLFS" -t 120 "$STALL_DIR" >"$OUT" 2>&1 &
STALL_PID=$!
started "$STALL_PID"
if ! wait_for 100 grep -q '^ready$' "$OUT"; then
	check "stall: the stalling file system mounts" ready "$(cat "$OUT")"
else
	new_output
	(tenant sh -c '
		load=$1 file=$2 mnt=$3 reads=$4
		ip link set lo up || exit 1
		"$load" -t 90 swap 32 "$file" &
		sleep 0.5
		ok=0 failed=0
		for _ in $(seq "$reads"); do
			if cat "$mnt/proc/net/sockstat" >/dev/null 2>&1; then
				ok=$((ok + 1))
			else
				failed=$((failed + 1))
			fi
		done
		echo "sockstat ok $ok failed $failed"' \
		sh "$TENANTLOAD" "$STALL_DIR/stall" "$MNT" "$STALL_READS") >"$OUT" 2>&1 &
	SWAP_PID=$!
	started "$SWAP_PID"
	host_reads_during "$SWAP_PID" "$STALL_READS"
	OTHER_OK=no
	other_ns_sockstat_is_empty && OTHER_OK=yes
	check "stall: no host meminfo read failed or hung during the swaps" 0 "$HOST_FAILED"
	check_true "stall: host meminfo reads went on ($HOST_OK)" [ "$HOST_OK" -ge 1 ]
	check "stall: another namespace's reader got its own sockstat" yes "$OTHER_OK"
	# A read the daemon never answers cannot even be killed: the bound is here.
	check_true "stall: the tenant's $STALL_READS sockstat reads finished (none parked on its server)" \
		wait_for 300 grep -q '^sockstat ' "$OUT"
	check "stall: every sockstat read in the tenant's namespace succeeded" \
		"sockstat ok $STALL_READS failed 0" "$(line_of "$OUT" sockstat)"
fi
# Gone, then unmounted: whatever still waited on the server is let go.
stop_pid "${SWAP_PID:-}"
stop_pid "$STALL_PID"
umount -l "$STALL_DIR" 2>/dev/null
check_true "stall: meminfo is served once the attacker and its server are gone" reads_meminfo

# --- the daemon still stops ------------------------------------------------------
daemon_gone() {
	! kill -0 "$DAEMON_PID" 2>/dev/null ||
		grep -q '^State:.*Z' "/proc/$DAEMON_PID/status" 2>/dev/null
}
kill -TERM "$DAEMON_PID"
check_true "the daemon stops within 5 s of SIGTERM" wait_for 50 daemon_gone
check "the daemon unmounted on its way out" no \
	"$(grep -q " $MNT " /proc/self/mountinfo && echo yes || echo no)"

finish
