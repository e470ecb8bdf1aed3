#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# chain.sh - a reader at the bottom of 1,000 nested cgroups: proc/meminfo
# shows the smallest limit anywhere on the chain, a limit changed far above
# the levels the daemon keeps open shows on the next read, the daemon holds
# no more descriptors for the chain than for a shallow cgroup, and a reader
# in another cgroup reads its own figures meanwhile.
. "$TESTS_DIR/integration/lib.sh"
require_root
require_memcg

MiB=1048576
# 1,000 levels; 200 in the VM lane, where making and removing each level
# costs a process start under emulation (1,000 of them outlast its timeout).
# Either way the tightest limit sits far above the levels the daemon keeps.
DEPTH=1000
[ "${PROCLENS_VM:-0}" = 1 ] && DEPTH=200
TIGHT=$((DEPTH * 3 / 10))
start_daemon
cg_test_root
top=$CG_DIR
cg_create "$top" other
other=$CG_DIR
cg_set_limit "$other" $((128 * MiB))

# The chain: DEPTH levels named "d" below $top/chain, registered for removal
# deepest first. On v2 each level but the last enables memory for its child.
cg_create "$top" chain
chain=$CG_DIR
dir=$chain
levels=()
for i in $(seq "$DEPTH"); do
	if [ "$CG_VERSION" = 2 ]; then
		echo +memory >"$dir/cgroup.subtree_control" || break
	fi
	dir=$dir/d
	mkdir "$dir" || break
	levels[i]=$dir
	CLEANUP_CGROUPS="$dir $CLEANUP_CGROUPS"
done
check "$DEPTH nested cgroups made" "$DEPTH" "${#levels[@]}"
bottom=${levels[$DEPTH]}

# Limits at level 1 (512 MiB), 10 (384 MiB) and TIGHT (256 MiB): the bottom
# is 700 (140) levels below the tightest, far above the levels kept open.
cg_set_limit "${levels[1]}" $((512 * MiB))
cg_set_limit "${levels[10]}" $((384 * MiB))
cg_set_limit "${levels[$TIGHT]}" $((256 * MiB))

memtotal_in() {
	cg_run "$1" awk '$1 == "MemTotal:" {print $2}' "$MNT/proc/meminfo"
}

fds_before=$(ls "/proc/$DAEMON_PID/fd" | wc -l)
check "the bottom of the chain sees the smallest limit on it" 262144 "$(memtotal_in "$bottom")"
fds_chain=$(ls "/proc/$DAEMON_PID/fd" | wc -l)
check_true "the chain holds at most 200 more of the daemon's descriptors ($fds_before, then $fds_chain)" \
	[ "$fds_chain" -le $((fds_before + 200)) ]

cg_set_limit "${levels[$TIGHT]}" $((200 * MiB))
check "a limit lowered $((DEPTH - TIGHT)) levels up shows on the next read" 204800 \
	"$(memtotal_in "$bottom")"
cg_set_limit "${levels[$TIGHT]}" max
check "... and raised, the next smallest" 393216 "$(memtotal_in "$bottom")"

# Another cgroup's reader while the bottom reads in a loop.
chain_reads=$(scaled 200)
other_reads=$(scaled 50)
cg_run "$bottom" sh -c 'for _ in $(seq "$1"); do cat "$0/proc/meminfo" >/dev/null || exit 1; done' \
	"$MNT" "$chain_reads" &
loop=$!
wrong=0
for _ in $(seq "$other_reads"); do
	[ "$(memtotal_in "$other")" = 131072 ] || wrong=$((wrong + 1))
done
wait "$loop"
check "the chain's reader finished its $chain_reads reads" 0 "$?"
check "a reader in another cgroup saw its own 128 MiB in $other_reads reads meanwhile" 0 "$wrong"
check "the daemon is alive" yes "$(kill -0 "$DAEMON_PID" && echo yes)"

finish
