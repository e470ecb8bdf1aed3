#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# quickstart.sh - install the build dependencies, build proclens, start it at
# /var/lib/proclens, and show free(1) inside a 256 MiB memory cgroup next to
# the host's. Run as root from the source tree; proclens stays running.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=$top/build
mnt=/var/lib/proclens

bash "$top/tests/install-deps.sh" --build-only
(cd "$top" && autoreconf -fi)
mkdir -p "$build"
(cd "$build" && "$top/configure" >/dev/null && make -j"$(nproc)" >/dev/null)

if findmnt -n -t fuse.proclens "$mnt" >/dev/null; then
	echo "proclens already serves $mnt"
else
	"$build/proclens" "$mnt"
	echo "proclens serves $mnt (stop it with: umount $mnt, or kill its pid)"
fi

# A container in miniature: a 256 MiB memory cgroup and a private mount
# namespace with proclens's file over /proc/meminfo.
show_free='mount --bind /var/lib/proclens/proc/meminfo /proc/meminfo && free -m'
echo
echo "== the host =="
free -m
echo
echo "== inside a 256 MiB cgroup =="
if command -v systemd-run >/dev/null && systemd-run --quiet --scope true 2>/dev/null; then
	systemd-run --quiet --scope -p MemoryMax=256M \
		unshare -m --propagation private sh -c "$show_free"
else
	PROCLENS=$build/proclens TESTS_DIR=$top/tests
	. "$top/tests/integration/lib.sh"
	[ "$CG_VERSION" != 0 ] || { echo "no memory controller"; exit 1; }
	cg_create "$(cg_self)" "proclens-quickstart-$$"
	cg_set_limit "$CG_DIR" $((256 * 1024 * 1024))
	cg_run "$CG_DIR" unshare -m --propagation private sh -c "$show_free"
fi
