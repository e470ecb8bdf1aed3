#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# daemon.sh - the proclens command: options, start-up, refusals, read-only
# mount, shutdown, and serving on through killed readers and self-mounts.
. "$TESTS_DIR/integration/lib.sh"
require_root

# --- options ------------------------------------------------------------
check "--version prints the version" "proclens 0.1.0" "$("$PROCLENS" --version)"
"$PROCLENS" --help | grep -q '^Usage: proclens \[OPTIONS\] \[MOUNTPOINT\]'
check "--help prints the usage" 0 $?
"$PROCLENS" --no-such-option >/dev/null 2>&1
check "an unknown option exits 1" 1 $?

# --- start-up -----------------------------------------------------------
start_daemon
check "returns only once the mount serves" "MemTotal:" \
	"$(head -n1 "$MNT/proc/meminfo" | cut -d' ' -f1)"
check "mounted as fuse.proclens" "fuse.proclens" "$(findmnt -n -o FSTYPE "$MNT")"
check "mounted read-only with allow_other" "yes yes" \
	"$(findmnt -n -o OPTIONS "$MNT" | tr , '\n' | grep -cx ro | sed 's/1/yes/') $(findmnt -n -o OPTIONS "$MNT" | grep -q allow_other && echo yes)"
check "the pidfile names the daemon" "$DAEMON_PID" "$(pgrep -o -x proclens -P 1 >/dev/null; kill -0 "$DAEMON_PID" && echo "$DAEMON_PID")"
check "the tree has proc/meminfo" "meminfo" "$(ls "$MNT/proc" | grep -x meminfo)"

# --- refusals: one clear line, status 1, no hang --------------------------
out=$(timeout 10 "$PROCLENS" "$MNT" 2>&1)
check "a second mount on a proclens mount exits 1" 1 $?
check "... with one line saying so" "proclens: $MNT is already a proclens mount" "$out"

missing=/tmp/proclens-missing-$$/deeper
out=$(timeout 10 "$PROCLENS" "$missing" 2>&1)
check "a mount point with missing parents exits 1" 1 $?
check "... with one line saying so" \
	"proclens: cannot create mount point $missing: its parent directory does not exist" "$out"

busy=$(mktemp -d /tmp/proclens-busy.XXXXXX)
CLEANUP_MOUNTS="$busy $CLEANUP_MOUNTS"
mount -t tmpfs proclens-test "$busy"
out=$(timeout 10 "$PROCLENS" "$busy" 2>&1)
check "a busy mount point exits 1" 1 $?
check "... with one line saying so" "proclens: $busy is busy: a tmpfs file system is mounted there" "$out"

# --- read-only ------------------------------------------------------------
err=$( (echo x >"$MNT/proc/meminfo") 2>&1)
check "writing fails with EROFS" yes "$(echo "$err" | grep -q 'Read-only file system' && echo yes)"
err=$(truncate -s 0 "$MNT/proc/meminfo" 2>&1)
check "truncating fails with EROFS" yes "$(echo "$err" | grep -q 'Read-only file system' && echo yes)"
err=$(touch "$MNT/proc/newfile" 2>&1)
check "creating fails with EROFS" yes "$(echo "$err" | grep -q 'Read-only file system' && echo yes)"
err=$(mkdir "$MNT/proc/newdir" 2>&1)
check "mkdir fails with EROFS" yes "$(echo "$err" | grep -q 'Read-only file system' && echo yes)"
check "a missing file is ENOENT" yes \
	"$(cat "$MNT/proc/nothing" 2>&1 | grep -q 'No such file or directory' && echo yes)"

# --- readers killed mid-read leave the daemon serving ----------------------
for i in $(seq 20); do
	(for _ in $(seq 2000); do cat "$MNT/proc/meminfo" >/dev/null; done) &
	reader=$!
	sleep 0.0$((i % 9 + 1))
	kill -9 "$reader" 2>/dev/null
	wait "$reader" 2>/dev/null
done
check "the daemon lives through 20 killed readers" yes "$(kill -0 "$DAEMON_PID" && echo yes)"
check "... and still serves" "MemTotal:" "$(head -n1 "$MNT/proc/meminfo" | cut -d' ' -f1)"

# --- concurrent readers that close at once (a use-after-free once) ---------
cg_test_root
busy_cg=$CG_DIR
cg_set_limit "$busy_cg" 268435456
reads=$(scaled 1500)
check "4 concurrent readers x $reads reads all succeed" 0 \
	"$(parallel_failures 4 cg_run "$busy_cg" sh -c \
		'for i in $(seq "$1"); do cat "$0/proc/meminfo" >/dev/null || exit 1; done' "$MNT" "$reads")"
check "... and the daemon lives" yes "$(kill -0 "$DAEMON_PID" && echo yes)"

# --- signals that must not stop it, and SIGQUIT, which stops it cleanly -----
for sig in HUP USR1 USR2 ALRM USR1; do
	kill -"$sig" "$DAEMON_PID"
done
sleep 0.5
check "SIGHUP (a reload), SIGUSR1, SIGUSR2 and SIGALRM leave the daemon running" yes \
	"$(kill -0 "$DAEMON_PID" && echo yes)"
check "... and serving" "MemTotal:" "$(head -n1 "$MNT/proc/meminfo" | cut -d' ' -f1)"

quit_dir=$(mktemp -d /tmp/proclens-quit.XXXXXX)
CLEANUP_MOUNTS="$quit_dir/mnt $CLEANUP_MOUNTS"
CLEANUP_FILES="$quit_dir $CLEANUP_FILES"
mkdir "$quit_dir/mnt"
# A relative pid file, though the daemon changes to / when it detaches.
(cd "$quit_dir" && "$PROCLENS" --pidfile quit.pid mnt)
check "a relative pid file is written where proclens was started" yes \
	"$([ -s "$quit_dir/quit.pid" ] && echo yes)"
quit_pid=$(cat "$quit_dir/quit.pid" 2>/dev/null)
CLEANUP_PIDS="${quit_pid:-} $CLEANUP_PIDS"
[ -n "$quit_pid" ] && kill -QUIT "$quit_pid"
wait_for 50 sh -c "! kill -0 ${quit_pid:-0} 2>/dev/null"
check "SIGQUIT stops the daemon" yes "$(kill -0 "${quit_pid:-0}" 2>/dev/null || echo yes)"
check "SIGQUIT unmounts" no "$(grep -q " $quit_dir/mnt " /proc/self/mountinfo && echo yes || echo no)"
check "SIGQUIT removes the relative pid file" no "$([ -e "$quit_dir/quit.pid" ] && echo yes || echo no)"

# --- SIGTERM unmounts and removes the pidfile ------------------------------
kill -TERM "$DAEMON_PID"
wait_for 50 sh -c "! kill -0 $DAEMON_PID 2>/dev/null"
check "SIGTERM stops the daemon" yes "$(kill -0 "$DAEMON_PID" 2>/dev/null || echo yes)"
check "SIGTERM unmounts" no "$(mountpoint -q "$MNT" && echo yes || echo no)"
check "SIGTERM removes the pidfile" no "$([ -e "$MNT.pid" ] && echo yes || echo no)"

# --- a missing mount point is created; the foreground mode stops on SIGINT --
fresh=$(mktemp -d /tmp/proclens-fresh.XXXXXX)
CLEANUP_MOUNTS="$fresh/mnt $CLEANUP_MOUNTS"
CLEANUP_FILES="$fresh $CLEANUP_FILES"
"$PROCLENS" -f "$fresh/mnt" &
fg_pid=$!
CLEANUP_PIDS="$fg_pid $CLEANUP_PIDS"
wait_for 100 mountpoint -q "$fresh/mnt"
check "-f mounts a mount point it created" yes "$(mountpoint -q "$fresh/mnt" && echo yes)"
kill -INT "$fg_pid"
wait "$fg_pid"
check "-f exits 0 on SIGINT" 0 $?
check "-f unmounts on SIGINT" no "$(mountpoint -q "$fresh/mnt" && echo yes || echo no)"

# --- our own file bind-mounted over /proc/meminfo in the daemon's namespace --
# proclens reads the host through a private proc instance: no loop, no hang.
self=$(mktemp -d /tmp/proclens-self.XXXXXX)
CLEANUP_FILES="$self $CLEANUP_FILES"
cg_test_root
limited=$CG_DIR
cg_set_limit "$limited" 268435456
out=$(timeout 20 unshare -m --propagation private sh -c '
	mkdir -p "$1/mnt" && "$2" --pidfile "$1/pid" "$1/mnt" || exit 1
	mount --bind "$1/mnt/proc/meminfo" /proc/meminfo || exit 1
	a=$(timeout 5 head -n1 /proc/meminfo)
	b=$(timeout 5 sh -c "echo \$\$ > $3/cgroup.procs && head -n1 /proc/meminfo")
	kill -TERM $(cat "$1/pid")
	echo "$a|$b"' sh "$self" "$PROCLENS" "$limited")
check "a self-mount over /proc/meminfo neither hangs nor loops" \
	"$(head -n1 /proc/meminfo)|MemTotal:         262144 kB" "$out"

# --- a mount whose daemon died is named as such ------------------------------
start_daemon
kill -9 "$DAEMON_PID"
wait_for 50 sh -c "! kill -0 $DAEMON_PID 2>/dev/null"
out=$(timeout 10 "$PROCLENS" "$MNT" 2>&1)
check "a dead proclens mount exits 1" 1 $?
check "... with one line saying how to clear it" \
	"proclens: $MNT is a proclens mount whose daemon is gone; unmount it first (umount -l $MNT)" "$out"

finish
