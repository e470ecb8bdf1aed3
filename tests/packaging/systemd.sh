#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# systemd.sh - packaging/systemd/proclens.service passes systemd-analyze
# verify against the files make install puts in place, starts before every
# container runtime and is pulled in by each of them.
# systemd-analyze verify checks that ExecStart='s binary and the man page in
# Documentation= exist: it runs on a temporary root holding make install's
# files at the packages' paths (/usr/sbin, /usr/share/man), the unit where
# the packages put it, and the host's own units for the targets it names, so
# it needs neither an installed proclens nor systemd running.
. "$TESTS_DIR/integration/lib.sh"
command -v systemd-analyze >/dev/null || skip "needs systemd-analyze (package systemd)"
command -v systemctl >/dev/null || skip "needs systemctl (package systemd)"
[ -f "${BUILD_DIR:-}/Makefile" ] || skip "needs BUILD_DIR, a configured build tree"
unit=$TESTS_DIR/../packaging/systemd/proclens.service
[ -d /lib/systemd/system ] || skip "no /lib/systemd/system to take the standard targets from"

root=$(mktemp -d /tmp/proclens-systemd-root.XXXXXX)
CLEANUP_FILES="$root $CLEANUP_FILES"
make -C "$BUILD_DIR" install DESTDIR="$root" prefix=/usr >"$root.log" 2>&1
check "make install DESTDIR=... prefix=/usr succeeds" 0 $?
CLEANUP_FILES="$root.log $CLEANUP_FILES"
mkdir -p "$root/lib/systemd/system" "$root/usr/bin" "$root/etc/systemd/system"
cp -R /lib/systemd/system/. "$root/lib/systemd/system/"
cp "$unit" "$root/lib/systemd/system/proclens.service"
# ExecStopPost= runs /bin/sh and ExecReload= /bin/kill: verify looks for them
# inside the root too.
cp /bin/sh "$root/usr/bin/sh" && cp /bin/kill "$root/usr/bin/kill" && ln -s usr/bin "$root/bin"

# verify_root: systemd-analyze verify on the root, its output.
verify_root() {
	MANPATH=$root/usr/share/man SYSTEMD_LOG_COLOR=0 \
		systemd-analyze verify --root="$root" /lib/systemd/system/proclens.service 2>&1
}
check "systemd-analyze verify reports nothing" "" "$(verify_root)"

# The checks above can fail: without the binary, verify refuses the unit.
mv "$root/usr/sbin/proclens" "$root/proclens.moved"
check "systemd-analyze verify refuses the unit without /usr/sbin/proclens" yes \
	"$(verify_root | grep -q 'usr/sbin/proclens' && echo yes || echo no)"
mv "$root/proclens.moved" "$root/usr/sbin/proclens"

# unit_values KEY: every value of KEY= in the unit, one a line.
unit_values() {
	sed -n "s/^$1=//p" "$unit" | tr ' ' '\n' | sed '/^$/d'
}
for runtime in lxc docker containerd crio kubelet; do
	check "the unit starts before $runtime.service" yes \
		"$(unit_values Before | grep -qxF "$runtime.service" && echo yes || echo no)"
done
check "a reload sends SIGHUP to the daemon (a live upgrade)" '/bin/kill -HUP $MAINPID' \
	"$(sed -n 's/^ExecReload=//p' "$unit")"
check "the unit keeps the FUSE connection in the descriptor store" "2 all" \
	"$(sed -n 's/^FileDescriptorStoreMax=//p' "$unit") $(sed -n 's/^NotifyAccess=//p' "$unit")"
# ExecStopPost='s script, as systemd passes it to sh ($$ is a literal $), parses.
stop_post=$(sed -n "s/^ExecStopPost=-\/bin\/sh -c '\(.*\)'$/\1/p" "$unit" | sed 's/\$\$/$/g')
check_true "ExecStopPost='s script is valid sh" sh -n -c "$stop_post"
check_true "... and never unmounts a mount whose read only waits (timeout's 124)" \
	eval 'echo "$stop_post" | grep -q "0|124) exit 0"'
check "the capability bounding set is the daemon's three and the recovery helper's chroot" \
	"CAP_SYS_ADMIN CAP_SYS_PTRACE CAP_DAC_READ_SEARCH CAP_SYS_CHROOT" \
	"$(sed -n 's/^CapabilityBoundingSet=//p' "$unit")"

# systemctl enable, as the packages do it, links the unit into each wants.
systemctl --root="$root" enable proclens.service >/dev/null 2>&1
check "systemctl --root enable succeeds" 0 $?
for target in multi-user.target lxc.service docker.service containerd.service crio.service kubelet.service; do
	check "enabling links the unit into $target.wants" yes \
		"$([ -L "$root/etc/systemd/system/$target.wants/proclens.service" ] && echo yes || echo no)"
done
finish
