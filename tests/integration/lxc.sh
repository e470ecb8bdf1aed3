#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lxc.sh - an LXC container (Debian's lxc, the busybox template, a 256 MiB
# memory limit, no network device but loopback) with packaging/lxc's hook
# and config snippet gets proclens's meminfo, /proc/net and limits.
# Everything lives in a private lxcpath; nothing touches /var/lib/lxc.
. "$TESTS_DIR/integration/lib.sh"
require_root
require_memcg
for tool in lxc-create lxc-start lxc-attach lxc-stop lxc-destroy busybox; do
	command -v "$tool" >/dev/null || skip "needs $tool (tests/install-deps.sh installs lxc and busybox-static)"
done
ATTACH=${PROCLENS_ATTACH:-$(dirname "$PROCLENS")/proclens-attach}
[ -x "$ATTACH" ] || skip "needs $ATTACH (built by make)"
HOOK=$TESTS_DIR/../packaging/lxc/proclens-lxc-hook
SNIPPET=$TESTS_DIR/../packaging/lxc/proclens.conf

MiB=1048576
NAME=proclens-test-$$
start_daemon
LXCPATH=$(mktemp -d /tmp/proclens-lxc.XXXXXX)
CLEANUP_FILES="$LXCPATH $CLEANUP_FILES"
# LXC makes lxc.pivot in each hierarchy's root and leaves it: remove the
# ones this test made, once empty.
pivots_before=$(ls -d /sys/fs/cgroup/*/lxc.pivot /sys/fs/cgroup/lxc.pivot 2>/dev/null)

lxc_stop_and_destroy() {
	timeout 30 lxc-stop -P "$LXCPATH" -n "$NAME" -k >/dev/null 2>&1
	timeout 30 lxc-destroy -P "$LXCPATH" -n "$NAME" >/dev/null 2>&1
	local pivot dir
	# lxc.cgroup.dir's directories, which LXC leaves behind; deepest first.
	for dir in $(find /sys/fs/cgroup -maxdepth 8 -depth -type d -path "*/proclens-test-lxc-$$*" 2>/dev/null); do
		rmdir "$dir" 2>/dev/null
	done
	for pivot in /sys/fs/cgroup/*/lxc.pivot /sys/fs/cgroup/lxc.pivot; do
		[ -d "$pivot" ] || continue
		echo "$pivots_before" | grep -qx "$pivot" || rmdir "$pivot" 2>/dev/null
	done
}
trap 'lxc_stop_and_destroy; cleanup' EXIT

# The shipped snippet, its hook path pointed at this tree and given this
# test's mount point and helper; the rest of it as shipped.
sed "s|^lxc.hook.mount = /usr/share/proclens/lxc/proclens-lxc-hook|lxc.hook.mount = $HOOK --mount $MNT --attach $ATTACH|" \
	"$SNIPPET" >"$LXCPATH/proclens.conf"
check "the shipped snippet sets lxc.hook.mount to the installed hook" 1 \
	"$(grep -c '^lxc.hook.mount = /usr/share/proclens/lxc/proclens-lxc-hook$' "$SNIPPET")"
if [ "$CG_VERSION" = 1 ]; then
	limit_line="lxc.cgroup.memory.limit_in_bytes = $((256 * MiB))"
else
	limit_line="lxc.cgroup2.memory.max = $((256 * MiB))"
fi
# lxc.cgroup.relative: the container's cgroups beneath this test's own.
cat >"$LXCPATH/base.conf" <<CONF
lxc.net.0.type = empty
lxc.cgroup.relative = 1
lxc.cgroup.dir = proclens-test-lxc-$$
$limit_line
lxc.include = $LXCPATH/proclens.conf
CONF

timeout 60 lxc-create -P "$LXCPATH" -n "$NAME" -t busybox -f "$LXCPATH/base.conf" \
	>"$LXCPATH/create.log" 2>&1 ||
	{ cat "$LXCPATH/create.log"; skip "lxc-create -t busybox fails here"; }
timeout 60 lxc-start -P "$LXCPATH" -n "$NAME" -d -l INFO -o "$LXCPATH/start.log"
status=$?
running() {
	lxc-info -P "$LXCPATH" -n "$NAME" -s 2>/dev/null | grep -q RUNNING
}
if [ "$status" != 0 ] || ! wait_for 100 running; then
	tail -n 20 "$LXCPATH/start.log"
	skip "lxc-start cannot start a busybox container here"
fi

# in_ctr COMMAND...: run a command in the container.
in_ctr() {
	timeout 20 lxc-attach -P "$LXCPATH" -n "$NAME" -- "$@"
}
check "the hook ran as the mount hook" 1 \
	"$(grep -c "Executing script \"$HOOK --mount $MNT" "$LXCPATH/start.log")"
check "the hook printed nothing: every mount made" 0 \
	"$(grep -c 'proclens-lxc-hook:' "$LXCPATH/start.log")"
check "MemTotal in the container is its 256 MiB limit" 262144 \
	"$(in_ctr awk '$1 == "MemTotal:" {print $2}' /proc/meminfo)"
check "busybox cat /proc/meminfo prints the whole file" \
	"$(in_ctr awk '{print $1}' /proc/meminfo | tr '\n' ' ')" \
	"$(in_ctr busybox cat /proc/meminfo | awk '{print $1}' | tr '\n' ' ')"
check "busybox cat /proc/meminfo ends with the last field the kernel has" \
	"$(awk 'END {print $1}' /proc/meminfo)" \
	"$(in_ctr busybox cat /proc/meminfo | awk 'END {print $1}')"
check "/proc/net in the container points at proclens's proc/net" \
	/run/proclens/proc/net "$(in_ctr readlink /proc/net)"
check "/run/proclens is the container's own copy of the tree, c/$NAME" "/c/$NAME" \
	"$(in_ctr awk '$5 == "/run/proclens" {print $4}' /proc/self/mountinfo)"
check "/proc/net/sockstat: no TCP sockets in the container's namespace" "TCP: inuse 0 orphan 0 tw 0 alloc 0" \
	"$(in_ctr awk '$1 == "TCP:" {print $1, $2, $3, $4, $5, $6, $7, $8, $9}' /proc/net/sockstat)"
# A listener of the container's own (IPv4: busybox binds IPv6 unless told),
# which sockstat counts and the host's does not.
in_ctr busybox httpd -p 0.0.0.0:47111 -h /tmp
tcp_inuse() {
	in_ctr awk '$1 == "TCP:" {print $3}' /proc/net/sockstat
}
listening() {
	[ "$(tcp_inuse)" = 1 ]
}
wait_for 50 listening
check "/proc/net/sockstat counts the container's own listener" 1 "$(tcp_inuse)"
check "/proc/net/tcp lists that listener on port 47111 (B807)" 1 \
	"$(in_ctr awk '$2 ~ /:B807$/ && $4 == "0A"' /proc/net/tcp | wc -l)"
check "/proc/net/dev reads: loopback alone" lo \
	"$(in_ctr awk -F: 'NR > 2 {print $1}' /proc/net/dev | tr -d ' ')"
check "/proc/net/snmp still reads" yes \
	"$(in_ctr grep -q '^Tcp: ' /proc/net/snmp && echo yes)"
check "/run/proclens/proc/1/limits caps Max resident set at the limit" $((256 * MiB)) \
	"$(in_ctr awk '/^Max resident set/ {print $4}' /run/proclens/proc/1/limits)"
check "/run/proclens/proc/self/limits reads Max processes" 1 \
	"$(in_ctr grep -c '^Max processes' /run/proclens/proc/self/limits)"
check "the host's /proc/net is untouched" self/net "$(readlink /proc/net)"
check "nothing is mounted on the host's /proc/meminfo, /proc/net or /run/proclens" 0 \
	"$(awk '$5 == "/proc/meminfo" || $5 == "/proc/net" || $5 == "/run/proclens"' /proc/self/mountinfo | wc -l)"

# No proclens at the hook's mount point: the container still starts.
umount -l "$MNT"
timeout 30 lxc-stop -P "$LXCPATH" -n "$NAME" -k >/dev/null 2>&1
timeout 60 lxc-start -P "$LXCPATH" -n "$NAME" -d -l DEBUG -o "$LXCPATH/start2.log"
check "without proclens, lxc-start still succeeds" 0 $?
check "without proclens, the container runs" yes "$(wait_for 100 running && echo yes)"
# What the hook printed: LXC logs it in the pieces it read ("... produced
# output: <piece>"), which may split a line anywhere; join them back.
hook_output() {
	sed -n 's/.* produced output: //p' "$LXCPATH/start2.log" | tr -d '\n'
}
hook_said_why() {
	hook_output | grep -q 'skipped: proclens is not running'
}
check "without proclens, the hook says why, in LXC's log (at DEBUG)" yes \
	"$(wait_for 50 hook_said_why && echo yes)"
echo "# what the hook said: $(hook_output | cut -c 1-400)"
check "without proclens, the container's /proc/net is the kernel's" self/net \
	"$(in_ctr readlink /proc/net)"

finish
