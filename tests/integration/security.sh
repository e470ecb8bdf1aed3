#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# security.sh - once serving, the daemon holds CAP_DAC_READ_SEARCH,
# CAP_SYS_PTRACE and CAP_SYS_ADMIN only, in every thread, with
# no_new_privs; it still serves readers of other namespaces and unmounts at
# exit; kernel pointers in the /proc/net files it reads for readers are
# hidden as from any process without CAP_SYSLOG (docs/security.md).
. "$TESTS_DIR/integration/lib.sh"

require_root
command -v ip >/dev/null 2>&1 || skip "needs ip (iproute2)"
command -v nsenter >/dev/null 2>&1 || skip "needs nsenter"

# CAP_DAC_READ_SEARCH (2) | CAP_SYS_PTRACE (19) | CAP_SYS_ADMIN (21)
KEPT=0000000000280004
NONE=0000000000000000
CAP_SETPCAP=8

# status_field FILE FIELD: a field of a /proc/<pid>/status file.
status_field() {
	awk -v f="$2:" '$1 == f {print $2}' "$1"
}

# The kernel gives a process no capability its starter lacks.
own_eff=$(status_field /proc/self/status CapEff)
[ $((0x$own_eff & 0x$KEPT)) = $((0x$KEPT)) ] ||
	skip "this shell lacks one of the kept capabilities (CapEff $own_eff)"

# check_caps NAME STATUS_FILE EFF PRM INH BND AMB NNP
check_caps() {
	local name=$1 file=$2
	check "$name: CapEff" "$3" "$(status_field "$file" CapEff)"
	check "$name: CapPrm" "$4" "$(status_field "$file" CapPrm)"
	check "$name: CapInh" "$5" "$(status_field "$file" CapInh)"
	check "$name: CapBnd" "$6" "$(status_field "$file" CapBnd)"
	check "$name: CapAmb" "$7" "$(status_field "$file" CapAmb)"
	check "$name: NoNewPrivs" "$8" "$(status_field "$file" NoNewPrivs)"
}

# hex16 NUMBER: as /proc/<pid>/status writes a capability set.
hex16() {
	printf '%016x' "$1"
}

start_daemon || skip "the daemon does not start"

# --- the process, once serving -------------------------------------------
check_caps "daemon" "/proc/$DAEMON_PID/status" "$KEPT" "$KEPT" "$NONE" "$KEPT" "$NONE" 1

# --- serving on without the rest -------------------------------------------
netns_new
check "a new namespace reads proc/meminfo" "MemTotal:" \
	"$(ns_exec "$NS" head -n1 "$MNT/proc/meminfo" | cut -d' ' -f1)"
check "a new namespace reads its own proc/net/sockstat" "TCP: inuse 0 orphan 0 tw 0 alloc 0 mem 0" \
	"$(ns_exec "$NS" grep '^TCP:' "$MNT/proc/net/sockstat")"
check "a new namespace reads its own proc/net/dev" "$(ns_exec "$NS" cut -d: -f1 /proc/net/dev)" \
	"$(ns_exec "$NS" cut -d: -f1 "$MNT/proc/net/dev")"
# Concurrent readers, so libfuse starts more workers than the first.
check "4 concurrent readers in a new namespace all succeed" 0 \
	"$(parallel_failures 4 ns_exec "$NS" sh -c \
		'for i in $(seq "$1"); do cat "$0/proc/net/sockstat" "$0/proc/meminfo" >/dev/null || exit 1; done' \
		"$MNT" "$(scaled 200)")"

# --- every thread, including those started after the drop -----------------
threads=0
for task in /proc/"$DAEMON_PID"/task/*; do
	threads=$((threads + 1))
	check "thread $(basename "$task"): CapEff CapPrm CapInh CapBnd CapAmb NoNewPrivs" \
		"$KEPT $KEPT $NONE $KEPT $NONE 1" \
		"$(awk '$1 ~ /^(Cap(Eff|Prm|Inh|Bnd|Amb)|NoNewPrivs):$/ {v[$1] = $2}
			END {print v["CapEff:"], v["CapPrm:"], v["CapInh:"], v["CapBnd:"], v["CapAmb:"], v["NoNewPrivs:"]}' "$task/status")"
done
check_true "more than one thread checked ($threads)" [ "$threads" -gt 1 ]

# --- kernel pointers ---------------------------------------------------------
# %pK (the "sk" column of /proc/net/netlink, the first of /proc/net/unix)
# shows the pointer only to a reader with CAP_SYSLOG, decided at read(2)
# time from the reading thread's credentials: proclens's. With
# kptr_restrict 0 every reader sees hashed pointers, with 2 none sees any;
# only 1 tells. The VM lane's guest is thrown away: set it there.
kptr_restrict=$(cat /proc/sys/kernel/kptr_restrict)
if [ "$kptr_restrict" != 1 ] && [ "${PROCLENS_VM:-0}" = 1 ] &&
	echo 1 >/proc/sys/kernel/kptr_restrict; then
	trap 'echo "$kptr_restrict" >/proc/sys/kernel/kptr_restrict; cleanup' EXIT
	kptr_restrict=1
fi
if [ "$kptr_restrict" = 1 ]; then
	# First column of the data lines; the kernel's file for root shows them.
	check_true "root reads real pointers in the kernel's /proc/net/netlink" \
		sh -c "tail -n +2 /proc/net/netlink | cut -d' ' -f1 | grep -qv '^0*$'"
	check "proc/net/netlink: no kernel pointer" "" \
		"$(tail -n +2 "$MNT/proc/net/netlink" | cut -d' ' -f1 | grep -v '^0000000000000000$')"
	check_true "proc/net/netlink: sockets listed" \
		sh -c "tail -n +2 '$MNT/proc/net/netlink' | grep -q ."
	# The VM lane's guest may have no unix socket at all.
	if [ -n "$(tail -n +2 /proc/net/unix)" ]; then
		check "proc/net/unix: no kernel pointer" "" \
			"$(tail -n +2 "$MNT/proc/net/unix" | cut -d: -f1 | grep -v '^0000000000000000$')"
		check_true "proc/net/unix: sockets listed" \
			sh -c "tail -n +2 '$MNT/proc/net/unix' | grep -q ."
	else
		echo "# no unix socket here: proc/net/unix not checked"
	fi
else
	echo "# kptr_restrict is $kptr_restrict, not 1: every reader sees the same" \
		"pointers, so the kernel pointer checks are skipped"
fi

# --- started with less: the kept capabilities it has, nothing more ---------
if command -v setpriv >/dev/null 2>&1; then
	real_proclens=$PROCLENS
	wrapper=$(mktemp /tmp/proclens-setpriv.XXXXXX)
	CLEANUP_FILES="$wrapper $CLEANUP_FILES"
	chmod 755 "$wrapper"

	# Without CAP_SYS_PTRACE (a unit that leaves it out): it keeps the
	# other two, and serves readers the kernel lets it inspect without:
	# its own uid, holding no capability it lacks (a root shell holds more).
	printf '#!/bin/sh\nexec setpriv --bounding-set -sys_ptrace %s "$@"\n' "$real_proclens" >"$wrapper"
	PROCLENS=$wrapper start_daemon
	expected=$(hex16 $((0x$KEPT & ~(1 << 19))))
	check_caps "started without CAP_SYS_PTRACE" "/proc/$DAEMON_PID/status" \
		"$expected" "$expected" "$NONE" "$expected" "$NONE" 1
	check "started without CAP_SYS_PTRACE: serves a root reader without capabilities" "MemTotal:" \
		"$(setpriv --bounding-set -all head -n1 "$MNT/proc/meminfo" | cut -d' ' -f1)"

	# Without CAP_SETPCAP the bounding set cannot shrink: the rest stays
	# there, unreachable under no_new_privs, and the daemon serves.
	printf '#!/bin/sh\nexec setpriv --bounding-set -setpcap %s "$@"\n' "$real_proclens" >"$wrapper"
	PROCLENS=$wrapper start_daemon
	own_bnd=$(status_field /proc/self/status CapBnd)
	check_caps "started without CAP_SETPCAP" "/proc/$DAEMON_PID/status" \
		"$KEPT" "$KEPT" "$NONE" "$(hex16 $((0x$own_bnd & ~(1 << CAP_SETPCAP))))" "$NONE" 1
	check "started without CAP_SETPCAP: serves proc/meminfo" "MemTotal:" \
		"$(head -n1 "$MNT/proc/meminfo" | cut -d' ' -f1)"
else
	echo "# no setpriv: the restricted start-ups are not tested"
fi

# --- the unmount at exit still works ---------------------------------------
stop_pid "$DAEMON_PID"
check "SIGTERM unmounts after the drop" "" "$(grep " $MNT " /proc/self/mountinfo)"

finish
