#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# crash.sh - a daemon killed with SIGKILL and restarted by its service
# manager costs readers nothing on Linux 6.9 and later: the connection waits
# in the manager's file descriptor store (fdstore.py plays systemd's part),
# readers' requests wait in the kernel, and the restarted daemon takes the
# connection over and has the kernel resend what the dead one had read.
# Readers of every kind loop through two crashes: no read fails or is wrong.
# On older kernels nothing is stored (a restart recovers mounts instead,
# recover.sh). A clean stop empties the store.
. "$TESTS_DIR/integration/lib.sh"
require_root
require_memcg
command -v python3 >/dev/null || skip "needs python3"
command -v unshare >/dev/null || skip "needs unshare"
[ -x "$(dirname "$PROCLENS")/tests/integration/loopread" ] ||
	skip "needs tests/integration/loopread (built by make check)"

MiB=1048576
MNT=$(mktemp -d /tmp/proclens-mnt.XXXXXX)
CLEANUP_MOUNTS="$MNT $CLEANUP_MOUNTS"
PIDFILE=$MNT.pid
STATUS=$MNT.store
CLEANUP_FILES="$PIDFILE $STATUS $STATUS.tmp $CLEANUP_FILES"
python3 "$TESTS_DIR/integration/fdstore.py" "$STATUS" -- "$PROCLENS" --pidfile "$PIDFILE" "$MNT" &
MANAGER=$!
CLEANUP_PIDS="$MANAGER $CLEANUP_PIDS"
wait_for 100 [ -s "$PIDFILE" ] || { check "the daemon starts under the store" yes no; finish; exit; }
DAEMON_PID=$(cat "$PIDFILE")
CLEANUP_PIDS="$DAEMON_PID $CLEANUP_PIDS"
stored() { cat "$STATUS" 2>/dev/null; }

major=$(uname -r | cut -d. -f1)
minor=$(uname -r | cut -d. -f2)
if [ "$major" -lt 6 ] || { [ "$major" = 6 ] && [ "$minor" -lt 9 ]; }; then
	# No FUSE_NOTIFY_RESEND: a kept connection would strand the requests
	# the dead daemon had read, so the daemon keeps nothing.
	sleep 0.5
	check "on Linux $(uname -r), nothing is kept in the store" "" "$(stored)"
	stop_pid "$DAEMON_PID"
	finish
	exit
fi
wait_for 50 [ "$(stored)" = "fuse state" ]
check "the daemon keeps its connection and state in the store" "fuse state" "$(stored)"

cg_test_root
cg_set_limit "$CG_DIR" $((256 * MiB))
CG=$CG_DIR
KB=$((256 * 1024))
DEV_BEFORE=$(stat -c %d "$MNT")

LOOP_CG=$CG
LOOP_SECONDS=6
loop_reader meminfo reopen "$MNT/proc/meminfo" "MemTotal=$KB"
loop_reader meminfo-kept keep "$MNT/proc/meminfo" "MemTotal=$KB"
loop_reader container reopen "$MNT/c/crash/proc/meminfo" "MemTotal=$KB"
loop_reader net-dev reopen "$MNT/proc/net/dev" "^Inter-|"
loop_reader net-dev-kept keep "$MNT/proc/net/dev" "^Inter-|"
loop_reader net-dir dir "$MNT/proc/net" "sockstat"
loop_reader sockstat reopen "$MNT/proc/net/sockstat" "^sockets: used"
loop_reader limits reopen "$MNT/proc/self/limits" "^Limit"
LOOP_BIND=box loop_reader bind-mount reopen /proc/meminfo "MemTotal=$KB"

# crash_and_restart: SIGKILL mid-read, a pause with no daemon at all, then
# the manager's restart (systemd's Restart=on-failure).
crash_and_restart() {
	local old=$DAEMON_PID
	kill -9 "$old"
	sleep 0.3
	rm -f "$PIDFILE"
	kill -USR1 "$MANAGER"
	wait_for 100 [ -s "$PIDFILE" ]
	DAEMON_PID=$(cat "$PIDFILE")
	CLEANUP_PIDS="$DAEMON_PID $CLEANUP_PIDS"
	check_true "a new daemon serves ($old, then $DAEMON_PID)" [ "$DAEMON_PID" != "$old" ]
}
sleep 1
crash_and_restart
sleep 1.5
crash_and_restart
loop_readers_check "2 crashes"
check "the mount is the one made before the crashes" "$DEV_BEFORE" "$(stat -c %d "$MNT")"
check "the restarted daemon keeps the connection in the store" "fuse state" "$(stored)"

# A clean stop unmounts and empties the store: nothing for a next start to take.
kill -TERM "$DAEMON_PID"
wait_for 50 eval '! kill -0 "$DAEMON_PID" 2>/dev/null'
check_true "SIGTERM stops the daemon" eval '! kill -0 "$DAEMON_PID" 2>/dev/null'
check "its mount is gone" 0 "$(grep -c " $MNT " /proc/self/mountinfo)"
wait_for 20 [ -z "$(stored)" ]
check "the store is empty" "" "$(stored)"
# A start now mounts afresh.
kill -USR1 "$MANAGER"
wait_for 100 [ -s "$PIDFILE" ]
DAEMON_PID=$(cat "$PIDFILE")
CLEANUP_PIDS="$DAEMON_PID $CLEANUP_PIDS"
check "a start after a clean stop mounts and serves" "$KB" \
	"$(cg_run "$CG" cat "$MNT/proc/meminfo" | meminfo_kb /dev/stdin MemTotal)"
stop_pid "$DAEMON_PID"
finish
