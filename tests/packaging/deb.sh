#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# deb.sh - make deb builds a package that lintian accepts, that installs the
# daemon, the helper, the man pages, the unit and the docs, whose installed
# daemon serves a limited cgroup its limit and whose installed LXC and OCI
# hooks and proclens-attach give a running container proclens's files and take
# them out; purging it leaves nothing.
# Run by make check-packages (tests/packaging/run.sh) as root; it installs
# the package on this machine and purges it again, so it refuses to run where
# proclens is installed already.
. "$TESTS_DIR/integration/lib.sh"
require_root
for tool in dpkg dpkg-buildpackage apt-get; do
	command -v "$tool" >/dev/null || skip "no $tool here: the Debian package needs a Debian host"
done
[ -f "${BUILD_DIR:-}/Makefile" ] || skip "needs BUILD_DIR, a configured build tree"
dpkg-query -W -f='${Status}' proclens 2>/dev/null | grep -q installed &&
	skip "the proclens package is installed on this machine: not replacing it"
[ -e /usr/sbin/proclens ] && skip "/usr/sbin/proclens exists: not replacing it"

mkdir -p "$BUILD_DIR/tests/packaging"
MiB=1048576
version=$(dpkg-parsechangelog -l "$TESTS_DIR/../packaging/debian/changelog" -SVersion)
deb=$BUILD_DIR/proclens_${version}_$(dpkg --print-architecture).deb
# Files the package must install, each checked in dpkg -L and on disk.
expected="/usr/sbin/proclens /usr/sbin/proclens-attach
/usr/share/man/man8/proclens.8.gz /usr/share/man/man8/proclens-attach.8.gz
/lib/systemd/system/proclens.service /usr/share/doc/proclens/copyright
/usr/share/doc/proclens/README.md.gz /usr/share/doc/proclens/deployment.md.gz
/usr/share/doc/proclens/kubernetes.md.gz /usr/share/doc/proclens/examples/daemonset.yaml
/usr/share/proclens/lxc/proclens-lxc-hook /usr/share/proclens/lxc/proclens.conf
/usr/libexec/proclens/proclens-oci-hook /usr/share/containers/oci/hooks.d/proclens.json
/usr/share/doc/proclens/docker.md.gz"
var_lib_existed=no
[ -e /var/lib/proclens ] && var_lib_existed=yes

# apt-get rather than dpkg -i: it installs the dependencies (fuse3) in the
# same step, and waits for a dpkg lock another install on this machine holds
# instead of failing.
apt_get() {
	DEBIAN_FRONTEND=noninteractive apt-get -y -q -o DPkg::Lock::Timeout=600 "$@"
}
installed=no
purge_if_installed() {
	[ "$installed" = yes ] && apt_get purge proclens >/dev/null 2>&1
	installed=no
}
trap 'cleanup; purge_if_installed' EXIT

start=$SECONDS
make -C "$BUILD_DIR" deb >"$BUILD_DIR/tests/packaging/make-deb.log" 2>&1
check "make deb succeeds" 0 $?
echo "# make deb took $((SECONDS - start)) s"
check "make deb leaves proclens_<version>_<arch>.deb in the build directory" yes \
	"$([ -f "$deb" ] && echo yes || echo no)"
[ -f "$deb" ] || { finish; exit; }

if command -v lintian >/dev/null; then
	lintian_out=$(lintian "$deb" 2>&1)
	echo "$lintian_out" | sed 's/^/# lintian: /'
	check "lintian reports no errors" "" "$(echo "$lintian_out" | grep '^E:')"
else
	check "lintian is installed (tests/install-deps.sh)" yes no
fi

contents=$(dpkg-deb -c "$deb" | awk '{print substr($6, 2)}')
for file in $expected; do
	check "the .deb holds $file" yes "$(echo "$contents" | grep -qxF "$file" && echo yes || echo no)"
done

apt_get install --no-install-recommends "$deb" >"$BUILD_DIR/tests/packaging/apt-install.log" 2>&1
check "the .deb installs with its dependencies" 0 $?
installed=yes
check "dpkg reports the package installed" "install ok installed" \
	"$(dpkg-query -W -f='${Status}' proclens 2>/dev/null)"
listed=$(dpkg -L proclens 2>/dev/null)
for file in $expected; do
	check "dpkg -L lists $file, and it is there" yes \
		"$(echo "$listed" | grep -qxF "$file" && [ -e "$file" ] && echo yes || echo no)"
done
if command -v systemd-analyze >/dev/null; then
	check "systemd-analyze verify accepts the installed unit" "" \
		"$(systemd-analyze verify /lib/systemd/system/proclens.service 2>&1)"
fi
check "installing enabled the unit for multi-user.target" yes \
	"$([ -L /etc/systemd/system/multi-user.target.wants/proclens.service ] && echo yes || echo no)"

# The installed daemon, started by hand at a mount point of its own: this
# test must not need systemd as pid 1, nor take /var/lib/proclens.
PROCLENS=/usr/sbin/proclens
start_daemon
check "the installed daemon serves proc/meminfo" 1 "$(grep -c '^MemTotal:' "$MNT/proc/meminfo")"
if [ "$CG_VERSION" != 0 ]; then
	cg_test_root
	cg_set_limit "$CG_DIR" $((256 * MiB))
	CG=$CG_DIR
	check "a reader in a 256 MiB cgroup reads MemTotal 262144 kB" 262144 \
		"$(cg_run "$CG" awk '$1 == "MemTotal:" {print $2}' "$MNT/proc/meminfo")"

	# A container as in attach.sh: its own mount, pid and network namespaces,
	# a tmpfs on /run, in the limited cgroup.
	cg_run "$CG" unshare -m -p -n -f --mount-proc \
		sh -c 'mount -t tmpfs proclens-test /run && exec sleep 600' &
	CLEANUP_PIDS="$! $CLEANUP_PIDS"
	container_pid() {
		local pid
		for pid in $(cat "$CG/cgroup.procs"); do
			[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = sleep ] && CPID=$pid && return 0
		done
		return 1
	}
	if wait_for 100 container_pid; then
		CLEANUP_PIDS="$CPID $CLEANUP_PIDS"
		# in_ctr_meminfo_total: MemTotal as the container reads it.
		in_ctr_meminfo_total() {
			cg_run "$CG" nsenter -t "$CPID" -m -p awk '$1 == "MemTotal:" {print $2}' /proc/meminfo
		}
		# The installed LXC hook, run as lxc.hook.mount runs it: in the
		# container's mount namespace, its root at LXC_ROOTFS_MOUNT.
		out=$(nsenter -t "$CPID" -m -p env LXC_NAME=pkgtest LXC_ROOTFS_MOUNT=/ LXC_HOOK_TYPE=mount \
			/usr/share/proclens/lxc/proclens-lxc-hook --mount "$MNT" 2>&1)
		check "the installed LXC hook attaches the container" "0 " "$? $out"
		check "MemTotal in the container attached by the hook is its 256 MiB limit" 262144 \
			"$(in_ctr_meminfo_total)"
		check "the hook names the container's copy of the tree after it" /c/pkgtest \
			"$(nsenter -t "$CPID" -m -p awk '$5 == "/run/proclens" {print $4}' /proc/self/mountinfo)"
		nsenter -t "$CPID" -m -p /usr/sbin/proclens-attach --mount "$MNT" --rootfs / --name pkgtest --detach
		check "the installed proclens-attach --detach takes it out" self/net \
			"$(nsenter -t "$CPID" -m -p readlink /proc/net)"

		# The installed OCI hook, run as a runtime runs a createContainer hook:
		# the container's state on standard input, from the host's namespaces.
		out=$(printf '{"ociVersion": "1.0.2", "id": "pkgtest-oci", "status": "creating", "pid": %s, "bundle": "/nonexistent"}\n' \
			"$CPID" | /usr/libexec/proclens/proclens-oci-hook --mount "$MNT" 2>&1)
		check "the installed OCI hook attaches the container" "0 " "$? $out"
		check "MemTotal in the container attached by the OCI hook is its 256 MiB limit" 262144 \
			"$(in_ctr_meminfo_total)"
		check "the OCI hook names the container's copy of the tree after its id" /c/pkgtest-oci \
			"$(nsenter -t "$CPID" -m -p awk '$5 == "/run/proclens" {print $4}' /proc/self/mountinfo)"
		check "/proc/net in the attached container is proclens's" /run/proclens/proc/net \
			"$(nsenter -t "$CPID" -m -p readlink /proc/net)"
		/usr/sbin/proclens-attach --mount "$MNT" --pid "$CPID" --detach
		check "the installed proclens-attach --pid --detach takes it out" 0 $?
	else
		echo "# cannot start a container with unshare -m -p -n: attach not tested"
	fi
else
	echo "# no memory controller: the limit and attach not tested"
fi
stop_pid "$DAEMON_PID"
check "the installed daemon unmounts on SIGTERM" no \
	"$(grep -q " $MNT " /proc/self/mountinfo && echo yes || echo no)"

# Upgrading the package reloads the running daemon (postinst): the daemon the
# host's pid file names re-executes the file just unpacked, same pid, while a
# reader loops. Not with a host daemon of our own on this machine.
if [ -e /run/proclens.pid ]; then
	echo "# /run/proclens.pid exists: the upgrade reload not tested"
else
	UPGRADE_MNT=$(mktemp -d /tmp/proclens-mnt.XXXXXX)
	CLEANUP_MOUNTS="$UPGRADE_MNT $CLEANUP_MOUNTS"
	CLEANUP_FILES="/run/proclens.pid $CLEANUP_FILES"
	/usr/sbin/proclens --pidfile /run/proclens.pid "$UPGRADE_MNT"
	UPGRADE_PID=$(cat /run/proclens.pid)
	CLEANUP_PIDS="$UPGRADE_PID $CLEANUP_PIDS"
	exe_before=$(stat -L -c %i "/proc/$UPGRADE_PID/exe")
	sh -c 'failed=0; end=$(($(date +%s) + 6)); n=0
		while [ "$(date +%s)" -lt "$end" ]; do
			grep -q "^MemTotal:" "$0/proc/meminfo" || failed=$((failed + 1)); n=$((n + 1))
		done; echo "$n $failed"' "$UPGRADE_MNT" >"$BUILD_DIR/tests/packaging/upgrade-reads" &
	loop=$!
	sleep 1
	DEBIAN_FRONTEND=noninteractive dpkg -i "$deb" >"$BUILD_DIR/tests/packaging/dpkg-reinstall.log" 2>&1
	check "reinstalling the package (an upgrade) succeeds" 0 $?
	wait "$loop"
	read -r reads failed <"$BUILD_DIR/tests/packaging/upgrade-reads"
	echo "# $reads reads through the upgrade"
	check "no read failed through the upgrade" 0 "$failed"
	check_true "reads went on throughout ($reads)" [ "${reads:-0}" -ge 20 ]
	check "the daemon kept its pid" "$UPGRADE_PID" "$(cat /run/proclens.pid)"
	check "the daemon runs the file the upgrade unpacked" "$(stat -c %i /usr/sbin/proclens)" \
		"$(stat -L -c %i "/proc/$UPGRADE_PID/exe")"
	check_true "which is another file than before" [ "$exe_before" != "$(stat -c %i /usr/sbin/proclens)" ]
	stop_pid "$UPGRADE_PID"
	rm -f /run/proclens.pid
fi

apt_get purge proclens >"$BUILD_DIR/tests/packaging/apt-purge.log" 2>&1
check "the package purges" 0 $?
installed=no
dpkg -L proclens >/dev/null 2>&1
check "after purge, dpkg -L proclens fails" 1 $?
check "after purge, dpkg knows no proclens" "" \
	"$(dpkg-query -W -f='${Status}' proclens 2>/dev/null | grep -v not-installed)"
for file in $expected /usr/share/doc/proclens; do
	check "after purge, $file is gone" no "$([ -e "$file" ] && echo yes || echo no)"
done
check "after purge, no unit links are left in /etc/systemd/system" "" \
	"$(find /etc/systemd/system -name proclens.service 2>/dev/null)"
[ "$var_lib_existed" = no ] &&
	check "after purge, /var/lib/proclens does not exist" no \
		"$([ -e /var/lib/proclens ] && echo yes || echo no)"
finish
