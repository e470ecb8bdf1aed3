#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# oci.sh - OCI runtimes give containers proclens's files: runc with
# packaging/oci's hook in config.json, Docker with the plain bind mount and
# proclens-attach after start (docs/docker.md), Podman with the hooks.d
# JSON. Each a busybox rootfs made here, a 256 MiB limit, no network but
# loopback. A runtime that is not installed is left out with a line; the
# test skips only if none is.
. "$TESTS_DIR/integration/lib.sh"
require_root
require_memcg
command -v busybox >/dev/null || skip "needs busybox (busybox-static)"
have_runc=no have_docker=no have_podman=no
command -v runc >/dev/null && have_runc=yes
[ -x /usr/bin/docker ] && command -v dockerd >/dev/null && have_docker=yes
command -v podman >/dev/null && have_podman=yes
[ "$have_runc$have_docker$have_podman" != nonono ] ||
	skip "needs runc, docker.io or podman (tests/install-deps.sh installs them)"
ATTACH=${PROCLENS_ATTACH:-$(dirname "$PROCLENS")/proclens-attach}
[ -x "$ATTACH" ] || skip "needs $ATTACH (built by make)"
HOOK=$TESTS_DIR/../packaging/oci/proclens-oci-hook
HOOKS_JSON=$TESTS_DIR/../packaging/oci/proclens.json

MiB=1048576
start_daemon
WORK=$(mktemp -d /tmp/proclens-oci.XXXXXX)
CLEANUP_FILES="$WORK $CLEANUP_FILES"
# Undone in reverse on exit: containers, daemons, images.
OCI_CLEANUP=""
trap 'eval "$OCI_CLEANUP"; cleanup' EXIT

# A busybox root file system: /bin/busybox and its applets as links.
mkdir -p "$WORK/rootfs/bin" "$WORK/rootfs/proc" "$WORK/rootfs/sys" \
	"$WORK/rootfs/dev" "$WORK/rootfs/run" "$WORK/rootfs/tmp" "$WORK/rootfs/etc"
cp "$(command -v busybox)" "$WORK/rootfs/bin/busybox"
for applet in $("$WORK/rootfs/bin/busybox" --list); do
	[ "$applet" = busybox ] || ln -s busybox "$WORK/rootfs/bin/$applet"
done
tar -C "$WORK/rootfs" -cf "$WORK/busybox.tar" .

# expect_proclens RUNTIME EXEC...: the checks every runtime must pass, with
# EXEC... running a command in the container.
expect_proclens() {
	local rt=$1
	shift
	check "$rt: MemTotal in the container is its 256 MiB limit" 262144 \
		"$("$@" awk '$1 == "MemTotal:" {print $2}' /proc/meminfo)"
	check "$rt: busybox cat /proc/meminfo prints the whole file" \
		"$(awk 'END {print NR, $1}' /proc/meminfo)" \
		"$("$@" busybox cat /proc/meminfo | awk 'END {print NR, $1}')"
	check "$rt: /proc/net points at proclens's proc/net" /run/proclens/proc/net \
		"$("$@" readlink /proc/net)"
	check "$rt: /proc/net/sockstat: no TCP sockets in the container's namespace" \
		"TCP: inuse 0 orphan 0 tw 0 alloc 0" \
		"$("$@" awk '$1 == "TCP:" {print $1, $2, $3, $4, $5, $6, $7, $8, $9}' /proc/net/sockstat)"
	"$@" busybox httpd -p 0.0.0.0:47111 -h /tmp
	check "$rt: /proc/net/sockstat counts the container's own listener" 1 \
		"$("$@" awk '$1 == "TCP:" {print $3}' /proc/net/sockstat)"
	check "$rt: /proc/net/tcp lists it (port 47111 is B807)" 1 \
		"$("$@" awk '$2 ~ /:B807$/ && $4 == "0A"' /proc/net/tcp | wc -l)"
	check "$rt: /proc/net/dev reads: loopback alone" lo \
		"$("$@" awk -F: 'NR > 2 {print $1}' /proc/net/dev | tr -d ' ')"
	check "$rt: /run/proclens/proc/1/limits caps Max resident set at the limit" $((256 * MiB)) \
		"$("$@" awk '/^Max resident set/ {print $4}' /run/proclens/proc/1/limits)"
}

host_untouched() {
	check "$1: the host's /proc/net is untouched" self/net "$(readlink /proc/net)"
	check "$1: nothing is mounted on the host's /proc/meminfo, /proc/net or /run/proclens" 0 \
		"$(awk '$5 == "/proc/meminfo" || $5 == "/proc/net" || $5 == "/run/proclens"' \
			/proc/self/mountinfo | wc -l)"
}

# --- runc: the hook in config.json --------------------------------------
runc_test() {
	local bundle=$WORK/bundle root=$WORK/runc-root id=proclens-test-$$
	mkdir -p "$bundle" && cp -a "$WORK/rootfs" "$bundle/rootfs" || return 1
	(cd "$bundle" && runc spec) || return 1
	# config.json: sleep as init, 256 MiB, a tmpfs on /run, the hook with
	# this test's mount and helper.
	awk -v hook="$HOOK" -v mnt="$MNT" -v attach="$ATTACH" -v limit=$((256 * MiB)) '
		/"terminal": true/ { sub(/true/, "false") }
		/"sh"$/ { sub(/"sh"/, "\"sleep\", \"600\"") }
		/^\t"hooks"|^  "hooks"/ { hooks_seen = 1 }
		/"resources": \{/ {
			print; print "\t\t\t\"memory\": { \"limit\": " limit " },"; next
		}
		/"mounts": \[/ {
			print
			print "\t\t{ \"destination\": \"/run\", \"type\": \"tmpfs\", \"source\": \"tmpfs\","
			print "\t\t  \"options\": [\"nosuid\", \"nodev\", \"mode=755\"] },"
			next
		}
		/^\t"linux": \{/ {
			print "\t\"hooks\": { \"createContainer\": [ { \"path\": \"" hook "\","
			print "\t\t\"args\": [\"proclens-oci-hook\", \"--mount\", \"" mnt "\", \"--attach\", \"" attach "\"] } ] },"
		}
		{ print }' "$bundle/config.json" >"$bundle/config.new" &&
		mv "$bundle/config.new" "$bundle/config.json" || return 1
	OCI_CLEANUP="timeout 20 runc --root $root delete -f $id >/dev/null 2>&1; $OCI_CLEANUP"
	timeout 30 runc --root "$root" run -d --bundle "$bundle" "$id" \
		</dev/null >"$WORK/runc.out" 2>&1
	check "runc: run -d with the hook succeeds" 0 $?
	check "runc: the hook printed nothing" "" "$(cat "$WORK/runc.out")"
	runc_exec() {
		timeout 20 runc --root "$WORK/runc-root" exec "proclens-test-$$" "$@"
	}
	expect_proclens runc runc_exec
	host_untouched runc
	timeout 20 runc --root "$root" delete -f "$id"
	check "runc: delete -f removes the container" "" \
		"$(runc --root "$root" list -q 2>/dev/null)"
}

# --- Docker: the plain bind mount, then proclens-attach after start ----
docker_test() {
	local dir id=proclens-test-$$ pid status
	dir=$(mktemp -d /tmp/proclens-dk.XXXXXX) || return 1
	CLEANUP_FILES="$dir $CLEANUP_FILES"
	# Debian's client, by path: /usr/local/bin/docker may be another.
	docker_cmd() {
		timeout 60 /usr/bin/docker -H "unix://$DOCKER_DIR/docker.sock" "$@"
	}
	DOCKER_DIR=$dir
	DOCKER_CGROUPS_BEFORE=$(ls -d /sys/fs/cgroup/*/docker /sys/fs/cgroup/docker 2>/dev/null)
	dockerd --iptables=false --ip6tables=false --bridge=none --storage-driver=vfs \
		--data-root "$dir/data" --exec-root "$dir/exec" --pidfile "$dir/dockerd.pid" \
		-H "unix://$dir/docker.sock" >"$dir/dockerd.log" 2>&1 &
	DOCKERD_PID=$!
	OCI_CLEANUP="stop_dockerd; $OCI_CLEANUP"
	if ! wait_for 300 docker_cmd version >/dev/null 2>&1; then
		tail -n 20 "$dir/dockerd.log"
		echo "# docker: dockerd does not start here, left out"
		return 0
	fi
	docker_cmd import "$WORK/busybox.tar" proclens-test-busybox >/dev/null
	check "docker: import of the busybox tarball succeeds" 0 $?
	docker_cmd run -d --network none -m 256m --name "$id" \
		-v "$MNT/c/$id/proc/meminfo:/proc/meminfo:ro" \
		proclens-test-busybox sleep 600 >/dev/null
	check "docker: run with the meminfo bind mount succeeds" 0 $?
	docker_exec() {
		docker_cmd exec "proclens-test-$$" "$@"
	}
	check "docker: with the bind mount alone, MemTotal is the 256 MiB limit" 262144 \
		"$(docker_exec awk '$1 == "MemTotal:" {print $2}' /proc/meminfo)"
	check "docker: with the bind mount alone, busybox cat prints the whole file" \
		"$(awk 'END {print NR}' /proc/meminfo)" \
		"$(docker_exec busybox cat /proc/meminfo | awk 'END {print NR}')"
	pid=$(docker_cmd inspect -f '{{.State.Pid}}' "$id")
	"$ATTACH" --mount "$MNT" --pid "$pid" --name "$id"
	check "docker: proclens-attach --pid \$(docker inspect ...) exits 0" 0 $?
	expect_proclens docker docker_exec
	host_untouched docker
	docker_cmd rm -f "$id" >/dev/null
	check "docker: rm -f removes the container" "" "$(docker_cmd ps -aq)"
	docker_cmd rmi proclens-test-busybox >/dev/null
	check "docker: rmi removes the image" "" "$(docker_cmd images -q)"
}
stop_dockerd() {
	[ -n "${DOCKERD_PID:-}" ] || return 0
	timeout 30 /usr/bin/docker -H "unix://$DOCKER_DIR/docker.sock" rm -f "proclens-test-$$" >/dev/null 2>&1
	stop_pid "$DOCKERD_PID"
	# dockerd's own containerd and the container shims it leaves, by pid file.
	local pidfile
	for pidfile in "$DOCKER_DIR"/exec/containerd/containerd.pid; do
		[ -f "$pidfile" ] && stop_pid "$(cat "$pidfile")"
	done
	# The cgroup parent dockerd makes in each hierarchy, if this test made it.
	local cg
	for cg in /sys/fs/cgroup/*/docker /sys/fs/cgroup/docker; do
		[ -d "$cg" ] && ! echo "$DOCKER_CGROUPS_BEFORE" | grep -qx "$cg" && rmdir "$cg" 2>/dev/null
	done
	grep -o " $DOCKER_DIR/[^ ]*" /proc/self/mountinfo | sort -r | while read -r mnt; do
		umount -l "$mnt"
	done
}

# --- Podman: the hooks.d JSON ---------------------------------------------
podman_test() {
	local dir id=proclens-test-$$
	dir=$(mktemp -d /tmp/proclens-pm.XXXXXX) || return 1
	CLEANUP_FILES="$dir $CLEANUP_FILES"
	PODMAN_DIR=$dir
	mkdir -p "$dir/hooks.d"
	# The shipped JSON, its hook path pointed at this tree with this test's
	# mount and helper as arguments.
	sed "s|\"path\": \"/usr/libexec/proclens/proclens-oci-hook\"|\"path\": \"$HOOK\", \"args\": [\"proclens-oci-hook\", \"--mount\", \"$MNT\", \"--attach\", \"$ATTACH\"]|" \
		"$HOOKS_JSON" >"$dir/hooks.d/proclens.json"
	check "podman: the test's hooks.d JSON names this tree's hook" 1 \
		"$(grep -c "\"path\": \"$HOOK\"" "$dir/hooks.d/proclens.json")"
	PODMAN_CGROUPS_BEFORE=$(ls -d /sys/fs/cgroup/*/libpod_parent /sys/fs/cgroup/libpod_parent 2>/dev/null)
	OCI_CLEANUP="stop_podman; $OCI_CLEANUP"
	podman_cmd import "$WORK/busybox.tar" proclens-test-busybox >/dev/null 2>&1
	check "podman: import of the busybox tarball succeeds" 0 $?
	# Root here may lack CAP_SYS_RESOURCE: ulimits no higher than ours.
	podman_cmd run -d --network none -m 256m --name "$id" \
		--ulimit nofile=1024:1024 --ulimit nproc=4096:4096 \
		proclens-test-busybox sleep 600 >"$dir/run.out" 2>&1
	status=$?
	check "podman: run with the hooks.d hook succeeds" 0 $status
	[ "$status" = 0 ] || { cat "$dir/run.out"; return 1; }
	podman_exec() {
		podman_cmd exec "proclens-test-$$" "$@"
	}
	expect_proclens podman podman_exec
	host_untouched podman
	podman_cmd rm -f -t 0 "$id" >/dev/null
	check "podman: rm -f removes the container" "" "$(podman_cmd ps -aq)"
	podman_cmd rmi proclens-test-busybox >/dev/null
	check "podman: rmi removes the image" "" "$(podman_cmd images -q)"
}
podman_cmd() {
	timeout 60 podman --root "$PODMAN_DIR/root" --runroot "$PODMAN_DIR/runroot" \
		--storage-driver vfs --cgroup-manager cgroupfs --events-backend file \
		--hooks-dir "$PODMAN_DIR/hooks.d" --tmpdir "$PODMAN_DIR/tmp" "$@"
}
stop_podman() {
	[ -n "${PODMAN_DIR:-}" ] || return 0
	podman_cmd rm -f -t 0 "proclens-test-$$" >/dev/null 2>&1
	podman_cmd rmi -f proclens-test-busybox >/dev/null 2>&1
	# The cgroup parent podman makes (conmon's beneath it), if this test made it.
	local cg dir
	for cg in /sys/fs/cgroup/*/libpod_parent /sys/fs/cgroup/libpod_parent; do
		[ -d "$cg" ] && ! echo "$PODMAN_CGROUPS_BEFORE" | grep -qx "$cg" || continue
		for dir in $(find "$cg" -depth -type d); do
			rmdir "$dir" 2>/dev/null
		done
	done
	grep -o " $PODMAN_DIR/[^ ]*" /proc/self/mountinfo | sort -r | while read -r mnt; do
		umount -l "$mnt"
	done
}

if [ "$have_runc" = yes ]; then runc_test; else echo "# runc: not installed, left out"; fi
if [ "$have_docker" = yes ]; then docker_test; else echo "# docker: not installed, left out"; fi
if [ "$have_podman" = yes ]; then podman_test; else echo "# podman: not installed, left out"; fi

finish
