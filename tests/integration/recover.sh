#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# recover.sh - after kill -9 of the daemon and a restart, containers that
# held its files (one by its own bind mount, one by proclens-attach) read
# their values again within 2 s through the same paths, with no action
# inside them; the host's mount table is untouched.
. "$TESTS_DIR/integration/lib.sh"
require_root
require_memcg
for tool in unshare nsenter; do
	command -v "$tool" >/dev/null || skip "needs $tool"
done
ATTACH=${PROCLENS_ATTACH:-$(dirname "$PROCLENS")/proclens-attach}
[ -x "$ATTACH" ] || skip "needs $ATTACH (built by make)"

MiB=1048576
# Another daemon that stays alive: its mounts in a container are never touched.
start_daemon
OTHER_MNT=$MNT
start_daemon

# sleep_in CG: the pid of the sleeping process in cgroup CG, in SLEEP_PID.
sleep_in() {
	local pid
	for pid in $(cat "$1/cgroup.procs" 2>/dev/null); do
		[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = sleep ] && SLEEP_PID=$pid && return 0
	done
	return 1
}

# "box": its own mount namespace, MNT/c/box/proc/meminfo bound over
# /proc/meminfo, and the other daemon's proc/meminfo over /proc/swaps.
cg_test_root
cg_set_limit "$CG_DIR" $((256 * MiB))
BOX_CG=$CG_DIR
cg_run "$BOX_CG" unshare -m --propagation private sh -c \
	'mount --bind "$0/c/box/proc/meminfo" /proc/meminfo &&
	 mount --bind "$1/proc/meminfo" /proc/swaps && exec sleep 600' "$MNT" "$OTHER_MNT" &
CLEANUP_PIDS="$! $CLEANUP_PIDS"
wait_for 100 sleep_in "$BOX_CG" || skip "cannot start a container with unshare -m"
BOX_PID=$SLEEP_PID
CLEANUP_PIDS="$BOX_PID $CLEANUP_PIDS"

# "attached": mount, pid and network namespaces, a tmpfs /run, proclens-attach --pid.
cg_test_root
cg_set_limit "$CG_DIR" $((192 * MiB))
ATT_CG=$CG_DIR
cg_run "$ATT_CG" unshare -m -p -n -f --mount-proc \
	sh -c 'mount -t tmpfs proclens-test /run && exec sleep 600' &
CLEANUP_PIDS="$! $CLEANUP_PIDS"
wait_for 100 sleep_in "$ATT_CG" || skip "cannot start a container with unshare -m -p -n"
ATT_PID=$SLEEP_PID
CLEANUP_PIDS="$ATT_PID $CLEANUP_PIDS"
"$ATTACH" --mount "$MNT" --pid "$ATT_PID"
check "proclens-attach exits 0" 0 $?

# memtotal CG PID: MemTotal as a reader in cgroup CG and PID's mount namespace sees it.
memtotal() {
	cg_run "$1" nsenter -t "$2" -m awk '$1 == "MemTotal:" {print $2}' /proc/meminfo 2>&1
}
# sockstat_tcp_inuse: the attached container's TCP sockets, through its /proc/net link.
sockstat_tcp_inuse() {
	cg_run "$ATT_CG" nsenter -t "$ATT_PID" -m -n awk '$1 == "TCP:" {print $3}' \
		/proc/net/sockstat 2>&1
}
check "box reads its 256 MiB limit" 262144 "$(memtotal "$BOX_CG" "$BOX_PID")"
check "the attached container reads its 192 MiB limit" 196608 "$(memtotal "$ATT_CG" "$ATT_PID")"
check "the attached container reads proclens's sockstat through /proc/net" 0 "$(sockstat_tcp_inuse)"
# mount_field PID POINT FIELD: a field of the mount at POINT in PID's namespace.
mount_field() {
	awk -v p="$2" -v f="$3" '$5 == p {print $f}' "/proc/$1/mountinfo"
}
other_mount_id=$(mount_field "$BOX_PID" /proc/swaps 1)

kill -9 "$DAEMON_PID"
wait_for 50 sh -c "! kill -0 $DAEMON_PID 2>/dev/null"
# The kernel aborts the connection once the last holder of its /dev/fuse
# descriptor is gone, which a loaded machine may take a moment to finish.
not_connected() {
	memtotal "$1" "$2" | grep -q 'not connected'
}
check "with the daemon killed, box's /proc/meminfo is not connected" yes \
	"$(wait_for 50 not_connected "$BOX_CG" "$BOX_PID" && echo yes)"
check "with the daemon killed, the attached container's /proc/meminfo is not connected" yes \
	"$(wait_for 50 not_connected "$ATT_CG" "$ATT_PID" && echo yes)"

# What the unit's ExecStopPost does, then a new daemon at the same mount point.
umount -l "$MNT"
uptime_ms() {
	awk '{printf "%d\n", $1 * 1000}' /proc/uptime
}
both_read() {
	[ "$(memtotal "$BOX_CG" "$BOX_PID")" = 262144 ] &&
		[ "$(memtotal "$ATT_CG" "$ATT_PID")" = 196608 ]
}
started=$(uptime_ms)
# --recover: at a mount point other than /var/lib/proclens a daemon leaves
# dead mounts alone unless told (other tests' daemons run meanwhile).
"$PROCLENS" --recover --pidfile "$MNT.pid" "$MNT"
check "the new daemon starts at the same mount point" 0 $?
DAEMON_PID=$(cat "$MNT.pid")
CLEANUP_PIDS="$DAEMON_PID $CLEANUP_PIDS"
# Bounded by time, not tries: starting a process costs ~10 ms in the VM lane.
recovered=1
while [ $(($(uptime_ms) - started)) -le 2000 ]; do
	both_read && recovered=0 && break
	sleep 0.05
done
elapsed=$(($(uptime_ms) - started))
echo "# recovery took $elapsed ms from the new daemon's start"
check "both containers read again after the restart" 0 "$recovered"
check "recovery within 2 s" yes "$([ "$elapsed" -le 2000 ] && echo yes || echo no)"
check "box reads its 256 MiB limit again" 262144 "$(memtotal "$BOX_CG" "$BOX_PID")"
check "the attached container reads its 192 MiB limit again" 196608 \
	"$(memtotal "$ATT_CG" "$ATT_PID")"
check "the attached container reads proclens's sockstat through /proc/net again" 0 \
	"$(sockstat_tcp_inuse)"
check "box has one mount on /proc/meminfo: replaced, not stacked" 1 \
	"$(mount_field "$BOX_PID" /proc/meminfo 1 | wc -l)"
check "box's /proc/meminfo is the new daemon's c/box" /c/box/proc/meminfo \
	"$(mount_field "$BOX_PID" /proc/meminfo 4)"
check "the attached container has one mount on /run/proclens" 1 \
	"$(mount_field "$ATT_PID" /run/proclens 1 | wc -l)"
check "the live daemon's mount in box is the same mount as before" "$other_mount_id" \
	"$(mount_field "$BOX_PID" /proc/swaps 1)"
check "the live daemon's mount in box still reads" yes \
	"$(nsenter -t "$BOX_PID" -m grep -q '^MemTotal:' /proc/swaps && echo yes)"
# Other tests mount and unmount on the host meanwhile: check only that the
# new daemon's file system is mounted nowhere on the host but at MNT.
new_dev=$(awk -v p="$MNT" '$5 == p {print $3}' /proc/self/mountinfo | tail -n 1)
check "the host holds the new daemon's file system at MNT only" 1 \
	"$(awk -v d="$new_dev" '$3 == d' /proc/self/mountinfo | wc -l)"
check "the host has no mount on /proc/meminfo" 0 \
	"$(awk '$5 == "/proc/meminfo"' /proc/self/mountinfo | wc -l)"

finish
