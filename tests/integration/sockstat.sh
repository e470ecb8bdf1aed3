#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# sockstat.sh - proc/net/sockstat and sockstat6 describe the reader's network
# namespace alone: sockets made in test namespaces (loopback only) are counted
# in theirs and nowhere else, the host's namespace reads the host's file, and
# 1,000 namespaces read and gone leave no descriptor or memory behind.
. "$TESTS_DIR/integration/lib.sh"

require_root
command -v ip >/dev/null 2>&1 || skip "needs ip (iproute2)"
command -v unshare >/dev/null 2>&1 || skip "needs unshare"
command -v nsenter >/dev/null 2>&1 || skip "needs nsenter"
SOCKMAKER=${SOCKMAKER:-$(dirname "$PROCLENS")/tests/integration/sockmaker}
[ -x "$SOCKMAKER" ] || skip "needs $SOCKMAKER (built by make check)"
PAGE_SIZE=$(getconf PAGESIZE)

# maker_start NS KIND...: hold sockets of these kinds in NS until the test ends.
maker_start() {
	local ns=$1 out
	shift
	out=$(mktemp /tmp/proclens-sockmaker.XXXXXX)
	CLEANUP_FILES="$out $CLEANUP_FILES"
	ip netns exec "$ns" "$SOCKMAKER" -t 300 "$@" >"$out" 2>&1 &
	CLEANUP_PIDS="$! $CLEANUP_PIDS"
	wait_for 100 grep -q '^ready$' "$out" || { cat "$out"; return 1; }
}

# field TEXT LABEL KEY: the value after KEY on the line labelled LABEL.
field() {
	printf '%s\n' "$1" | awk -v l="$2:" -v k="$3" \
		'$1 == l { for (i = 2; i < NF; i += 2) if ($i == k) print $(i + 1) }'
}


# in_ns NS FILE: the virtual file as a process of NS reads it.
in_ns() {
	ns_exec "$1" cat "$MNT/proc/net/$2"
}

# ss_tcp_pages NS: TCP pages charged in NS, from ss's per-socket skmem.
ss_tcp_pages() {
	ip netns exec "$1" ss -tanmH | awk -v page="$PAGE_SIZE" '
		/skmem:/ {
			match($0, /skmem:\([^)]*\)/)
			n = split(substr($0, RSTART + 7, RLENGTH - 8), f, ",")
			r = 0; fw = 0; w = 0
			for (i = 1; i <= n; i++) {
				v = substr(f[i], 2) + 0
				if (f[i] ~ /^r[0-9]/) r = v
				else if (f[i] ~ /^f[0-9]/) fw = v
				else if (f[i] ~ /^w[0-9]/) w = v
			}
			t = r + fw + w
			if (t > 0) pages += int((t + page - 1) / page)
		}
		END { print pages + 0 }'
}

# check_tcp NAME TEXT INUSE ORPHAN TW ALLOC: the TCP line's counts.
check_tcp() {
	check "$1: TCP inuse" "$3" "$(field "$2" TCP inuse)"
	check "$1: TCP orphan" "$4" "$(field "$2" TCP orphan)"
	check "$1: TCP tw" "$5" "$(field "$2" TCP tw)"
	check "$1: TCP alloc" "$6" "$(field "$2" TCP alloc)"
}

start_daemon || skip "the daemon does not start"

# --- a new namespace: nothing of the host's shows ------------------------------
netns_new
EMPTY_NS=$NS
TEXT=$(in_ns "$EMPTY_NS" sockstat)
check_tcp "new namespace" "$TEXT" 0 0 0 0
check "new namespace: TCP mem" 0 "$(field "$TEXT" TCP mem)"
check "new namespace: UDP mem" 0 "$(field "$TEXT" UDP mem)"
# The kernel's count less proclens's diagnostic socket. The sockets ip left
# behind are freed after it exits (RCU), so compare until they are gone.
used_without_proclens() {
	local kernel=$(field "$(ns_exec "$EMPTY_NS" cat /proc/net/sockstat)" sockets used)
	[ "$(field "$(in_ns "$EMPTY_NS" sockstat)" sockets used)" = $((kernel - 1)) ]
}
check_true "new namespace: sockets used (proclens's own socket left out)" \
	wait_for 20 used_without_proclens
# The same lines, labels and keys as the running kernel's own file.
KERNEL=$(ns_exec "$EMPTY_NS" cat /proc/net/sockstat)
check "format: the kernel's lines and keys" \
	"$(printf '%s\n' "$KERNEL" | sed 's/[0-9][0-9]*/N/g')" \
	"$(printf '%s\n' "$TEXT" | sed 's/[0-9][0-9]*/N/g')"
check "sockstat6: the kernel's own file" \
	"$(ns_exec "$EMPTY_NS" cat /proc/net/sockstat6)" "$(in_ns "$EMPTY_NS" sockstat6)"

# --- listening sockets -----------------------------------------------------------
netns_new
maker_start "$NS" listen4 listen6
TEXT=$(in_ns "$NS" sockstat)
check_tcp "listening" "$TEXT" 1 0 0 2
check "listening: TCP6 inuse" 1 "$(field "$(in_ns "$NS" sockstat6)" TCP6 inuse)"
check "listening: sockets used" 2 "$(field "$TEXT" sockets used)"

# --- established loopback pairs (listener, client, accepted end) ------------------
netns_new
PAIR_NS=$NS
maker_start "$NS" pair4 pair6
TEXT=$(in_ns "$NS" sockstat)
check_tcp "established" "$TEXT" 3 0 0 6
check "established: TCP6 inuse" 3 "$(field "$(in_ns "$NS" sockstat6)" TCP6 inuse)"
# Another namespace's reader sees none of them.
TEXT=$(in_ns "$EMPTY_NS" sockstat)
check_tcp "another namespace" "$TEXT" 0 0 0 0
check "another namespace: TCP mem" 0 "$(field "$TEXT" TCP mem)"

# --- never bound, and bound but neither listening nor connected --------------------
netns_new
maker_start "$NS" neverbound4 neverbound6 bound4 bound6
check_tcp "never bound and bound" "$(in_ns "$NS" sockstat)" 0 0 0 4

# --- TIME_WAIT: not sockets of TCP any more, counted in tw only ---------------------
netns_new
maker_start "$NS" timewait4 timewait6
check_tcp "time-wait" "$(in_ns "$NS" sockstat)" 0 0 2 0

# --- orphaned: closed with unsent data, the peer holding its window shut --------------
netns_new
ORPHAN_NS=$NS
maker_start "$NS" orphan4 orphan6
TEXT=$(in_ns "$NS" sockstat)
# Each: the receiver that never reads, and the orphaned sender in FIN_WAIT1.
check_tcp "orphaned" "$TEXT" 2 2 0 4
MEM=$(field "$TEXT" TCP mem)
check_true "orphaned: TCP mem counts the unsent data" [ "${MEM:-0}" -gt 0 ]
# The pages the sockets' own memory figures add up to, as ss reports them.
same_mem() {
	[ "$(field "$(in_ns "$ORPHAN_NS" sockstat)" TCP mem)" = "$(ss_tcp_pages "$ORPHAN_NS")" ]
}
check_true "orphaned: TCP mem is what ss's skmem adds up to" wait_for 20 same_mem
# ss -s pointed at the virtual files reports the namespace's own totals.
SS=$(ip netns exec "$ORPHAN_NS" env PROC_NET_SOCKSTAT="$MNT/proc/net/sockstat" \
	PROC_NET_SOCKSTAT6="$MNT/proc/net/sockstat6" ss -s)
check "ss -s: TCP total" 4 "$(printf '%s\n' "$SS" | awk '$1 == "TCP:" {print $2; exit}')"
check "ss -s: orphaned" 2 \
	"$(printf '%s\n' "$SS" | sed -n 's/^TCP:.*orphaned \([0-9]*\).*/\1/p')"

# --- UDP with a datagram waiting: one page each --------------------------------------
netns_new
maker_start "$NS" udp4 udp6
TEXT=$(in_ns "$NS" sockstat)
check "udp: UDP inuse" 1 "$(field "$TEXT" UDP inuse)"
check "udp: UDP6 inuse" 1 "$(field "$(in_ns "$NS" sockstat6)" UDP6 inuse)"
check "udp: UDP mem" 2 "$(field "$TEXT" UDP mem)"
check "udp: no TCP" 0 "$(field "$TEXT" TCP alloc)"

# --- raw ----------------------------------------------------------------------------
netns_new
maker_start "$NS" raw4 raw6
check "raw: RAW inuse" 1 "$(field "$(in_ns "$NS" sockstat)" RAW inuse)"
check "raw: RAW6 inuse" 1 "$(field "$(in_ns "$NS" sockstat6)" RAW6 inuse)"

# --- the host's namespace reads the host's own file -----------------------------------
same_as_host() {
	[ "$(cat "$MNT/proc/net/sockstat")" = "$(cat /proc/net/sockstat)" ]
}
check_true "host namespace: the host's sockstat" wait_for 20 same_as_host
check "host namespace: the host's sockstat6" "$(cat /proc/net/sockstat6)" \
	"$(cat "$MNT/proc/net/sockstat6")"

# --- 1,000 namespaces created, read and gone: nothing left behind ---------------------
daemon_fds() { ls "/proc/$DAEMON_PID/fd" | wc -l; }
daemon_rss_kb() { awk '$1 == "VmRSS:" {print $2}' "/proc/$DAEMON_PID/status"; }
# read_in_new_namespaces COUNT: each read by a process in a namespace of its own.
read_in_new_namespaces() {
	local i=0 start=$(date +%s)
	while [ "$i" -lt "$1" ] && [ $(($(date +%s) - start)) -lt 120 ]; do
		unshare -n cat "$MNT/proc/net/sockstat" >/dev/null || return 1
		i=$((i + 1))
	done
	[ "$i" = "$1" ]
}
# Once only the test's long-lived namespaces remain cached.
fds_back_to() { [ "$(daemon_fds)" -le "$1" ]; }
FDS_START=$(daemon_fds)
# The warm-up is not scaled down in the VM lane: it must start every worker
# thread and allocator arena the measured reads will use.
check_true "namespaces: 100 warm-up reads" read_in_new_namespaces 100
wait_for 100 fds_back_to "$FDS_START"
FDS_BEFORE=$(daemon_fds)
RSS_BEFORE=$(daemon_rss_kb)
THREADS_BEFORE=$(awk '$1 == "Threads:" {print $2}' "/proc/$DAEMON_PID/status")
check_true "namespaces: $(scaled 1000) reads" read_in_new_namespaces "$(scaled 1000)"
check_true "namespaces: sockets released once the namespaces are gone" \
	wait_for 100 fds_back_to "$FDS_BEFORE"
echo "# daemon descriptors: $FDS_START at start, $FDS_BEFORE before, $(daemon_fds) after"
RSS_AFTER=$(daemon_rss_kb)
echo "# daemon RSS: $RSS_BEFORE kB before, $RSS_AFTER kB after;" \
	"threads: $THREADS_BEFORE before, $(awk '$1 == "Threads:" {print $2}' "/proc/$DAEMON_PID/status") after"
# ASan's quarantine holds freed memory back by design (tests/run-all.sh's
# sanitizer lane sets PROCLENS_SANITIZER=1).
if [ "${PROCLENS_SANITIZER:-0}" = 1 ]; then
	echo "# PROCLENS_SANITIZER=1: ASan build, memory growth not checked"
else
	check_true "namespaces: memory grew by less than 1 MiB" \
		[ $((RSS_AFTER - RSS_BEFORE)) -lt 1024 ]
fi

finish
