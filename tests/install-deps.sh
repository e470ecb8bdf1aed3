#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# install-deps.sh - install what building and testing proclens needs on
# Debian 12 (as root). Installs only what is missing. With --build-only,
# just what building and running proclens needs.
set -eu

packages=(
	build-essential autoconf automake pkg-config
	libfuse3-dev fuse3 libcgroup-dev libnl-3-dev libnl-idiag-3-dev
	procps util-linux
)
if [ "${1:-}" != --build-only ]; then
	packages+=(
		# the unit tests
		check
		# the integration tests' clients
		iproute2 psmisc
		# the VM lane (tests/vm): Debian 12's kernel under qemu, busybox inside
		qemu-system-x86 busybox-static cpio xz-utils zstd
		# the benchmark's peer
		lxcfs
		# the runtime hook tests (lxc.sh, oci.sh): real runtimes
		lxc runc docker.io podman
		# the package lane (tests/packaging): make deb and lintian, make rpm,
		# the unit's systemd-analyze verify (its man page check runs man),
		# the Kubernetes manifests' parser
		dpkg-dev debhelper lintian rpm systemd man-db python3 python3-yaml
	)
fi

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
	echo "installing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
