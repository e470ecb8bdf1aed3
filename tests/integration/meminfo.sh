#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# meminfo.sh - proc/meminfo as procps sees it from inside memory-limited
# cgroups: limits, nesting, freshness, usage, and the host's own view.
. "$TESTS_DIR/integration/lib.sh"
require_root
require_memcg

MiB=1048576
start_daemon
cg_test_root
top_cg=$CG_DIR
cg_create "$top_cg" limited
limited=$CG_DIR
cg_set_limit "$limited" $((256 * MiB))

# meminfo_in DIR FIELD: a field of proclens's meminfo as a reader in DIR sees it.
meminfo_in() {
	cg_run "$1" awk -v f="$2:" '$1 == f {print $2}' "$MNT/proc/meminfo"
}

# --- procps inside a 256 MiB cgroup with the file over /proc/meminfo ---------
check "free -b reports the limit as total" 268435456 \
	"$(in_container "$limited" free -b | awk '$1 == "Mem:" {print $2}')"
check "top -bn1 reports the limit as total" "256.0" \
	"$(in_container "$limited" top -bn1 | awk '/^MiB Mem/ {print $4}')"
check "vmstat -s reports the limit as total memory" 262144 \
	"$(in_container "$limited" vmstat -s | awk '/total memory/ {print $1}')"

# --- the figures: every amount within MemTotal, none wrapped ----------------
fields=$(cg_run "$limited" cat "$MNT/proc/meminfo")
bad=$(echo "$fields" | awk '
	$1 == "MemTotal:" { total = $2 }
	$3 == "kB" && $1 ~ /^(MemFree|MemAvailable|Buffers|Cached|SwapCached|Active|Inactive|Active\(anon\)|Inactive\(anon\)|Active\(file\)|Inactive\(file\)|Unevictable|Mlocked|Dirty|Writeback|AnonPages|Mapped|Shmem|KReclaimable|Slab|SReclaimable|SUnreclaim|KernelStack|PageTables):$/ {
		if ($2 > total) print $1 }')
check "no amount exceeds MemTotal" "" "$bad"
check "the same field names in the same order as the host's" \
	"$(cut -d: -f1 /proc/meminfo | tr '\n' ' ')" "$(echo "$fields" | cut -d: -f1 | tr '\n' ' ')"
check "each line keeps the kernel's layout" "" \
	"$(echo "$fields" | grep -vE '^[A-Za-z0-9_()]+: +[0-9]+( kB)?$')"

# --- usage: 64 MiB of tmpfs pages written inside the cgroup -----------------
# A read just before the write shares memory.stat's counters for up to
# 100 ms (docs/meminfo.md): MemFree, from usage, changes on the very next
# read; Shmem, from the shared counters, by a read 110 ms later.
scratch=$(mktemp -d /tmp/proclens-scratch.XXXXXX)
CLEANUP_FILES="$scratch $CLEANUP_FILES"
out=$(cg_run "$limited" unshare -m --propagation private sh -c '
	mount -t tmpfs scratch "$1" && cat "$2/proc/meminfo" >/dev/null &&
	dd if=/dev/zero of="$1/fill" bs=1M count=64 2>/dev/null &&
	awk "\$1 == \"MemFree:\" {print \$2}" "$2/proc/meminfo" && sleep 0.11 &&
	awk "\$1 == \"Shmem:\" {print \$2}" "$2/proc/meminfo"' \
	sh "$scratch" "$MNT" | tr '\n' ' ')
free_kb=${out%% *}
shmem=$(echo "$out" | awk '{print $2}')
check "64 MiB of tmpfs leave MemFree at most 192 MiB on the next read" yes \
	"$([ "$free_kb" -le 196608 ] && echo yes || echo "no ($free_kb)")"
check "... and show as Shmem 110 ms later, past the shared counters' age" yes \
	"$([ "${shmem:-0}" -ge 65536 ] && echo yes || echo "no ($shmem)")"

# --- nesting: the smallest limit on the path to the root wins ---------------
cg_create "$limited" looser
looser=$CG_DIR
cg_set_limit "$looser" $((512 * MiB))
check "a child with a higher limit sees its parent's" 262144 "$(meminfo_in "$looser" MemTotal)"
cg_create "$limited" tighter
tighter=$CG_DIR
cg_set_limit "$tighter" $((128 * MiB))
check "a child with a lower limit sees its own" 131072 "$(meminfo_in "$tighter" MemTotal)"
cg_create "$limited" unlimited-child
check "a child without a limit sees its parent's" 262144 "$(meminfo_in "$CG_DIR" MemTotal)"

# --- a fuller parent: what a sibling uses is not free for the child ----------
# 256 MiB parent, 160 MiB of tmpfs pages written by a process in one child
# (charged to it while the file exists), a 192 MiB limit on the other child.
cg_create "$top_cg" family
family=$CG_DIR
cg_set_limit "$family" $((256 * MiB))
cg_create "$family" sibling
sibling=$CG_DIR
cg_create "$family" child
child=$CG_DIR
cg_set_limit "$child" $((192 * MiB))
fill=$(mktemp -d /tmp/proclens-fill.XXXXXX)
CLEANUP_MOUNTS="$fill $CLEANUP_MOUNTS"
mount -t tmpfs proclens-fill "$fill"
cg_run "$sibling" dd if=/dev/zero of="$fill/160M" bs=1M count=160 2>/dev/null
out=$(cg_run "$child" awk '$1 ~ /^(MemTotal|MemFree|MemAvailable):$/ {printf "%s ", $2}' \
	"$MNT/proc/meminfo")
read -r total free_kb available <<<"$out"
check "a child under a fuller parent keeps its own limit as MemTotal" 196608 "$total"
check "... but MemFree is at most the parent's 96 MiB of room" yes \
	"$([ "$free_kb" -le 98304 ] && [ "$free_kb" -gt 0 ] && echo yes || echo "no ($free_kb)")"
check "... and MemAvailable follows it, not the child's own 192 MiB" yes \
	"$([ "$available" -ge "$free_kb" ] && [ "$available" -lt 102400 ] && echo yes ||
		echo "no ($available)")"
umount "$fill"

# --- freshness: a new limit shows in the next read --------------------------
cg_set_limit "$limited" $((300 * MiB))
check "a raised limit shows in the next read" 307200 "$(meminfo_in "$limited" MemTotal)"
cg_set_limit "$limited" max
check "limit 'max' gives the host's MemTotal" "$(meminfo_kb /proc/meminfo MemTotal)" \
	"$(meminfo_in "$limited" MemTotal)"
cg_set_limit "$limited" $((256 * MiB))

# top keeps the file open and seeks back to 0 on each refresh.
top_out=$(mktemp /tmp/proclens-top.XXXXXX)
CLEANUP_FILES="$top_out $CLEANUP_FILES"
in_container "$limited" top -b -d 0.5 -n 8 >"$top_out" &
top_pid=$!
CLEANUP_PIDS="$top_pid $CLEANUP_PIDS"
wait_for 50 grep -q '^MiB Mem' "$top_out"
cg_set_limit "$limited" $((320 * MiB))
wait "$top_pid"
check "a running top first sees 256 MiB" "256.0" "$(awk '/^MiB Mem/ {print $4; exit}' "$top_out")"
check "... then the new 320 MiB" "320.0" "$(awk '/^MiB Mem/ {v = $4} END {print v}' "$top_out")"

# --- a cgroup removed and made again under the same name ---------------------
# proclens keeps cgroup files open between reads; the new cgroup's must be read.
cg_create "$top_cg" reborn
reborn=$CG_DIR
cg_set_limit "$reborn" $((256 * MiB))
check "before: the first cgroup's limit" 262144 "$(meminfo_in "$reborn" MemTotal)"
wait_for 50 rmdir "$reborn"
mkdir "$reborn"
cg_set_limit "$reborn" $((128 * MiB))
check "after: the new cgroup's limit, not the removed one's" 131072 "$(meminfo_in "$reborn" MemTotal)"

# --- a cgroup renamed, and another made under its old name -------------------
# Only v1 renames cgroups (cgroup2 has no rename operation: mv gets EPERM).
if [ "$CG_VERSION" = 1 ]; then
	cg_create "$top_cg" renamed
	renamed=$CG_DIR
	cg_set_limit "$renamed" $((256 * MiB))
	check "before the rename: its limit" 262144 "$(meminfo_in "$renamed" MemTotal)"
	mv "$renamed" "$top_cg/renamed-away"
	CLEANUP_CGROUPS="$top_cg/renamed-away $CLEANUP_CGROUPS"
	mkdir "$renamed"
	cg_set_limit "$renamed" $((128 * MiB))
	check "a reader in the new cgroup of that name sees the new limit" 131072 \
		"$(meminfo_in "$renamed" MemTotal)"
	check "a reader in the renamed cgroup still sees its own limit" 262144 \
		"$(meminfo_in "$top_cg/renamed-away" MemTotal)"
else
	echo "# cgroup v2 cannot rename cgroups: the rename case is v1's only"
fi

# --- an open file whose cgroup is removed and made again ---------------------
# The reader opens in the cgroup, moves out, and reads again from offset 0
# after the cgroup was removed and made again with another limit: it must get
# an error, never the new cgroup's figures.
if command -v perl >/dev/null; then
	cg_create "$top_cg" vanishing
	vanishing=$CG_DIR
	cg_set_limit "$vanishing" $((256 * MiB))
	sync_dir=$(mktemp -d /tmp/proclens-sync.XXXXXX)
	CLEANUP_FILES="$sync_dir $CLEANUP_FILES"
	# shellcheck disable=SC2016
	cg_run "$vanishing" perl -e '
		my ($file, $away, $sync) = @ARGV;
		sub total { my $t = shift; $t =~ /^MemTotal:\s+(\d+)/m ? $1 : "none" }
		open(my $f, "<", $file) or die "open: $!";
		sysread($f, my $text, 65536);
		print "first ", total($text), "\n";
		open(my $p, ">", "$away/cgroup.procs") or die; print $p "$$\n"; close($p);
		open(my $r, ">", "$sync/moved"); close($r);
		select(undef, undef, undef, 0.1) until -e "$sync/go";
		sysseek($f, 0, 0);
		my $n = sysread($f, $text, 65536);
		print defined($n) ? "second " . total($text) . "\n" : "second error $!\n";
	' "$MNT/proc/meminfo" "$(cg_self)" "$sync_dir" >"$sync_dir/out" &
	reader_pid=$!
	CLEANUP_PIDS="$reader_pid $CLEANUP_PIDS"
	wait_for 50 test -e "$sync_dir/moved"
	wait_for 50 rmdir "$vanishing"
	mkdir "$vanishing"
	cg_set_limit "$vanishing" $((128 * MiB))
	touch "$sync_dir/go"
	wait "$reader_pid"
	check "an open file first reads its cgroup's limit" "first 262144" "$(sed -n 1p "$sync_dir/out")"
	check "... and after the cgroup is removed and made again, an I/O error" \
		"second error Input/output error" "$(sed -n 2p "$sync_dir/out")"
else
	echo "# no perl: the open file across a removed cgroup is not checked"
fi

# --- the host's own view ----------------------------------------------------
check "a reader without a limit gets the host's MemTotal" \
	"$(meminfo_kb /proc/meminfo MemTotal)" "$(meminfo_in "$top_cg" MemTotal)"
check "a reader in the host's cgroup gets the host's MemTotal" \
	"$(meminfo_kb /proc/meminfo MemTotal)" "$(meminfo_kb "$MNT/proc/meminfo" MemTotal)"
check "a reader in the host's cgroup gets the host's SwapTotal" \
	"$(meminfo_kb /proc/meminfo SwapTotal)" "$(meminfo_kb "$MNT/proc/meminfo" SwapTotal)"

# --- swap: never above the host's, never wrapped ---------------------------
host_swap=$(meminfo_kb /proc/meminfo SwapTotal)
if cg_set_swap_limit "$limited" $((64 * MiB)) 2>/dev/null; then
	expected=$((host_swap < 65536 ? host_swap : 65536))
	check "SwapTotal is the swap limit within the host's swap" "$expected" \
		"$(meminfo_in "$limited" SwapTotal)"
	swap_free=$(meminfo_in "$limited" SwapFree)
	check "SwapFree is within SwapTotal" yes "$([ "$swap_free" -le "$expected" ] && echo yes)"
else
	echo "# no per-cgroup swap accounting here: swap limit not checked"
fi

finish
