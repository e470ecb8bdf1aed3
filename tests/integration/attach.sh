#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# attach.sh - proclens-attach gives a running "container" (its own mount, pid
# and network namespaces and a memory cgroup with a limit) proclens's meminfo,
# /proc/net and limits, takes them out again, and never fails for want of
# proclens.
. "$TESTS_DIR/integration/lib.sh"
require_root
require_memcg
for tool in unshare nsenter readlink; do
	command -v "$tool" >/dev/null || skip "needs $tool"
done
ATTACH=${PROCLENS_ATTACH:-$(dirname "$PROCLENS")/proclens-attach}
[ -x "$ATTACH" ] || skip "needs $ATTACH (built by make)"

MiB=1048576
start_daemon
cg_test_root
cg_set_limit "$CG_DIR" $((256 * MiB))
CG=$CG_DIR

# A container: private mount, pid and network namespaces, its own proc and
# a tmpfs on /run (so nothing the helper makes there reaches the host), a
# sleeping init, in the limited cgroup.
cg_run "$CG" unshare -m -p -n -f --mount-proc \
	sh -c 'mount -t tmpfs proclens-test /run && exec sleep 600' &
CLEANUP_PIDS="$! $CLEANUP_PIDS"
# Its init, as the host numbers it: the sleep in the container's cgroup.
container_pid() {
	local pid
	for pid in $(cat "$CG/cgroup.procs"); do
		[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = sleep ] && CPID=$pid && return 0
	done
	return 1
}
wait_for 100 container_pid || skip "cannot start a container with unshare -m -p -n"
CLEANUP_PIDS="$CPID $CLEANUP_PIDS"

# in_ctr COMMAND...: run a command in the container: its namespaces, its cgroup.
in_ctr() {
	cg_run "$CG" nsenter -t "$CPID" -m -p -n "$@"
}
# The container's own view, for comparing after --detach.
own_meminfo_total=$(in_ctr awk '$1 == "MemTotal:" {print $2}' /proc/meminfo)
host_net_link=$(readlink /proc/net)

out=$("$ATTACH" --mount "$MNT" --pid "$CPID" 2>&1)
check "attach exits 0" 0 $?
check "attach prints nothing when all is done" "" "$out"

check "MemTotal in the container is its 256 MiB limit" 262144 \
	"$(in_ctr awk '$1 == "MemTotal:" {print $2}' /proc/meminfo)"
if command -v busybox >/dev/null; then
	# busybox cat copies with sendfile(2): the per-container copy serves it whole.
	check "busybox cat /proc/meminfo prints the whole file" \
		"$(in_ctr cat /proc/meminfo | awk '{print $1}' | tr '\n' ' ')" \
		"$(in_ctr busybox cat /proc/meminfo | awk '{print $1}' | tr '\n' ' ')"
fi
check "/proc/net in the container points at its copy of proclens's proc/net" \
	/run/proclens/proc/net "$(in_ctr readlink /proc/net)"
check "/run/proclens in the container is its own copy of the tree" \
	"/c/pid-$CPID" "$(in_ctr awk '$5 == "/run/proclens" {print $4}' /proc/self/mountinfo)"
check "/proc/net/sockstat is proclens's: no host sockets in the container's namespace" 0 \
	"$(in_ctr awk '$1 == "TCP:" {print $11}' /proc/net/sockstat)"
check "/proc/net/dev still reads: the container's loopback alone" lo \
	"$(in_ctr awk -F: 'NR > 2 {print $1}' /proc/net/dev | tr -d ' ')"
check "/proc/net/snmp still reads" yes \
	"$(in_ctr grep -q '^Tcp: ' /proc/net/snmp && echo yes)"
check "/run/proclens/proc/self/limits reads Max processes" 1 \
	"$(in_ctr grep -c '^Max processes' /run/proclens/proc/self/limits)"
check "/run/proclens/proc/1/limits is the container's init's" 1 \
	"$(in_ctr grep -c '^Max processes' /run/proclens/proc/1/limits)"
check "/run/proclens/proc/1/limits caps Max resident set at the limit" $((256 * MiB)) \
	"$(in_ctr awk '/^Max resident set/ {print $4}' /run/proclens/proc/1/limits)"

check "the host's /proc/net is untouched" "$host_net_link" "$(readlink /proc/net)"
check "the host's /proc/meminfo is untouched" 0 \
	"$(awk '$5 == "/proc/meminfo" || $5 == "/proc/net"' /proc/self/mountinfo | wc -l)"
check "the host's /run has no proclens directory from the container" no \
	"$(awk '$5 == "/run/proclens"' /proc/self/mountinfo | grep -q . && echo yes || echo no)"

# Attaching again replaces, never stacks.
"$ATTACH" --mount "$MNT" --pid "$CPID"
check "a second attach exits 0" 0 $?
check "a second attach leaves one mount on /proc/meminfo" 1 \
	"$(in_ctr awk '$5 == "/proc/meminfo"' /proc/self/mountinfo | wc -l)"
check "a second attach leaves one mount on /proc/net" 1 \
	"$(in_ctr awk '$5 == "/proc/net"' /proc/self/mountinfo | wc -l)"

out=$("$ATTACH" --mount "$MNT" --pid "$CPID" --detach 2>&1)
check "detach exits 0" 0 $?
check "detach prints nothing" "" "$out"
check "after detach, the container's MemTotal is the kernel's again" "$own_meminfo_total" \
	"$(in_ctr awk '$1 == "MemTotal:" {print $2}' /proc/meminfo)"
check "after detach, /proc/net is the kernel's symlink again" self/net \
	"$(in_ctr readlink /proc/net)"
check "after detach, nothing is mounted on /proc/meminfo, /proc/net or /run/proclens" 0 \
	"$(in_ctr awk '$5 == "/proc/meminfo" || $5 == "/proc/net" || $5 == "/run/proclens"' \
		/proc/self/mountinfo | wc -l)"
check "after detach, /run/proclens is gone" no \
	"$(in_ctr test -e /run/proclens && echo yes || echo no)"
check "after detach, the container's sockstat reads" yes \
	"$(in_ctr grep -q '^TCP: ' /proc/net/sockstat && echo yes)"

# --rootfs: a hook already in the container's mount namespace.
in_ctr "$ATTACH" --mount "$MNT" --rootfs / --name attach-rootfs
check "attach --rootfs exits 0" 0 $?
check "attach --rootfs: MemTotal is the limit" 262144 \
	"$(in_ctr awk '$1 == "MemTotal:" {print $2}' /proc/meminfo)"
check "attach --rootfs: /run/proclens is c/attach-rootfs" /c/attach-rootfs \
	"$(in_ctr awk '$5 == "/run/proclens" {print $4}' /proc/self/mountinfo)"
check "attach --rootfs: sockstat is proclens's" 0 \
	"$(in_ctr awk '$1 == "TCP:" {print $11}' /proc/net/sockstat)"
in_ctr "$ATTACH" --rootfs / --detach
check "detach --rootfs exits 0" 0 $?
check "detach --rootfs: /proc/net is the kernel's again" self/net "$(in_ctr readlink /proc/net)"

# Argument errors: status 2 and a usage line.
usage_status() {
	local out status
	out=$("$ATTACH" "$@" 2>&1)
	status=$?
	echo "$status $(echo "$out" | grep -c '^Usage: proclens-attach')"
}
check "no --pid nor --rootfs: status 2 and usage" "2 1" "$(usage_status --mount "$MNT")"
check "both --pid and --rootfs: status 2 and usage" "2 1" "$(usage_status --pid "$CPID" --rootfs /)"
check "a pid that is not a number: status 2 and usage" "2 1" "$(usage_status --pid 12x)"
check "a name with a slash: status 2 and usage" "2 1" "$(usage_status --pid "$CPID" --name a/b)"
check "--rootfs without --name: status 2 and usage" "2 1" "$(usage_status --rootfs /)"
check "an unknown option: status 2 and usage" "2 1" "$(usage_status --pid "$CPID" --bogus)"
"$ATTACH" --pid "$$" --mount "$MNT" 2>/dev/null
check "its own mount namespace is refused: status 1" 1 $?

# No proclens at --mount: do nothing, say so for each of the three, exit 0.
plain=$(mktemp -d /tmp/proclens-attach-plain.XXXXXX)
CLEANUP_FILES="$plain $CLEANUP_FILES"
out=$("$ATTACH" --mount "$plain" --pid "$CPID" 2>&1)
check "attach to a plain directory exits 0" 0 $?
check "attach to a plain directory: one line per thing skipped" 3 \
	"$(echo "$out" | grep -c "skipped: proclens is not running: $plain is not a proclens mount")"
check "attach to a plain directory changes nothing" self/net "$(in_ctr readlink /proc/net)"

# A dead daemon: its mounts in the container fail; attach removes them,
# says why it mounts nothing, and exits 0; so does detach.
"$ATTACH" --mount "$MNT" --pid "$CPID"
kill -9 "$DAEMON_PID"
wait_for 50 sh -c "! kill -0 $DAEMON_PID 2>/dev/null"
check "with the daemon dead, the container's /proc/meminfo fails" yes \
	"$(in_ctr cat /proc/meminfo 2>&1 | grep -q 'not connected' && echo yes)"
out=$("$ATTACH" --mount "$MNT" --pid "$CPID" 2>&1)
check "attach with a dead daemon exits 0" 0 $?
check "attach with a dead daemon: one line per thing skipped" 3 \
	"$(echo "$out" | grep -c "skipped: proclens is not running: its mount at $MNT is dead")"
check "attach with a dead daemon removes its dead mounts: /proc/meminfo reads" "$own_meminfo_total" \
	"$(in_ctr awk '$1 == "MemTotal:" {print $2}' /proc/meminfo)"
check "attach with a dead daemon: /proc/net is the kernel's" self/net "$(in_ctr readlink /proc/net)"
"$ATTACH" --mount "$MNT" --pid "$CPID" --detach
check "detach with a dead daemon exits 0" 0 $?

# No daemon at all: the mount point is an empty directory again.
umount -l "$MNT"
out=$("$ATTACH" --mount "$MNT" --pid "$CPID" 2>&1)
check "attach with no daemon exits 0" 0 $?
check "attach with no daemon: one line per thing skipped" 3 \
	"$(echo "$out" | grep -c "skipped: proclens is not running")"

finish
