#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# upgrade.sh - a live upgrade costs readers nothing: while readers loop
# through every kind of file (opened each time, kept open as top keeps
# /proc/meminfo, a directory kept open, a container's bind mount), the
# daemon is reloaded with SIGHUP three times, once after its file was
# replaced the way a package upgrade replaces it. Not one read fails or is
# wrong; the pid stays, the new file runs, nothing grows; a reload that
# cannot execute the file serves on; SIGTERM still unmounts cleanly.
. "$TESTS_DIR/integration/lib.sh"
require_root
require_memcg
command -v unshare >/dev/null || skip "needs unshare"
[ -x "$(dirname "$PROCLENS")/tests/integration/loopread" ] ||
	skip "needs tests/integration/loopread (built by make check)"

MiB=1048576
SECONDS_READING=$(scaled 60)
[ "$SECONDS_READING" -lt 6 ] && SECONDS_READING=6
SECONDS_READING=$((SECONDS_READING / 10 + 4))

# The daemon runs from its own copy: the "installed" file the upgrade replaces.
INSTALL=$(mktemp -d /tmp/proclens-upgrade.XXXXXX)
CLEANUP_FILES="$INSTALL $CLEANUP_FILES"
cp "$PROCLENS" "$INSTALL/proclens"
PROCLENS=$INSTALL/proclens start_daemon
PIDFILE=$MNT.pid
threads() { awk '$1 == "Threads:" {print $2}' "/proc/$DAEMON_PID/status"; }
fds() { ls "/proc/$DAEMON_PID/fd" | wc -l; }

cg_test_root
cg_set_limit "$CG_DIR" $((256 * MiB))
CG=$CG_DIR
KB=$((256 * 1024))

# Warm up (every kind of file once), then take the daemon's measure.
cg_run "$CG" cat "$MNT/proc/meminfo" "$MNT/c/upgrade/proc/meminfo" "$MNT/proc/net/dev" \
	"$MNT/proc/net/sockstat" "$MNT/proc/self/limits" >/dev/null
ls "$MNT/proc/net" >/dev/null
FDS_BEFORE=$(fds)
THREADS_BEFORE=$(threads)

LOOP_CG=$CG
LOOP_SECONDS=$SECONDS_READING
loop_reader meminfo reopen "$MNT/proc/meminfo" "MemTotal=$KB"
loop_reader meminfo-kept keep "$MNT/proc/meminfo" "MemTotal=$KB"
loop_reader container reopen "$MNT/c/upgrade/proc/meminfo" "MemTotal=$KB"
loop_reader container-kept keep "$MNT/c/upgrade/proc/meminfo" "MemTotal=$KB"
loop_reader net-dev reopen "$MNT/proc/net/dev" "^Inter-|"
loop_reader net-dev-kept keep "$MNT/proc/net/dev" "^Inter-|"
loop_reader net-dir dir "$MNT/proc/net" "sockstat"
loop_reader net-subdir dir "$MNT/proc/net/stat" "arp_cache"
loop_reader sockstat reopen "$MNT/proc/net/sockstat" "^sockets: used"
loop_reader limits reopen "$MNT/proc/self/limits" "^Limit"
LOOP_BIND=box loop_reader bind-mount reopen /proc/meminfo "MemTotal=$KB"

sleep 1
kill -HUP "$DAEMON_PID"
sleep 1
# What a package upgrade does: the new file is written aside and renamed over.
cp "$PROCLENS" "$INSTALL/proclens.new"
mv "$INSTALL/proclens.new" "$INSTALL/proclens"
kill -HUP "$DAEMON_PID"
sleep 1
kill -HUP "$DAEMON_PID"
loop_readers_check "3 reloads"

check "the pid file names the same daemon" "$DAEMON_PID" "$(cat "$PIDFILE")"
check_true "the daemon is alive" kill -0 "$DAEMON_PID"
check "it runs the file installed now" "$(stat -c %i "$INSTALL/proclens")" \
	"$(stat -L -c %i "/proc/$DAEMON_PID/exe")"
check "its threads" "$THREADS_BEFORE" "$(threads)"
wait_for 30 [ "$(fds)" -le "$FDS_BEFORE" ]
check_true "its descriptors did not grow ($FDS_BEFORE before, $(fds) after)" \
	[ "$(fds)" -le "$FDS_BEFORE" ]
check "a bind mount made before the reloads reads its container's value" "$KB" \
	"$(cg_run "$CG" unshare -m --propagation private sh -c \
		'mount --bind "$0/c/box/proc/meminfo" /proc/meminfo && cat /proc/meminfo' "$MNT" |
		meminfo_kb /dev/stdin MemTotal)"

# A reload that cannot execute the installed file serves on.
chmod a-x "$INSTALL/proclens"
kill -HUP "$DAEMON_PID"
sleep 0.5
chmod a+x "$INSTALL/proclens"
check_true "a failed reload leaves the daemon alive" kill -0 "$DAEMON_PID"
check "and serving" "$KB" "$(cg_run "$CG" cat "$MNT/proc/meminfo" | meminfo_kb /dev/stdin MemTotal)"

# SIGTERM after reloads: a clean stop, mount and pid file gone.
kill -TERM "$DAEMON_PID"
wait_for 50 eval '! kill -0 "$DAEMON_PID" 2>/dev/null'
check_true "SIGTERM stops the reloaded daemon" eval '! kill -0 "$DAEMON_PID" 2>/dev/null'
check "its mount is gone" 0 "$(grep -c " $MNT " /proc/self/mountinfo)"
check_true "its pid file is gone" [ ! -e "$PIDFILE" ]
finish
