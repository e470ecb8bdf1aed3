#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# rpm.sh - make rpm builds packaging/rpm/proclens.spec from make dist's
# tarball and the .rpm holds the daemon, the helper, the man pages, the unit
# and the docs. On Debian, rpmbuild runs with --nodeps: the build
# dependencies are installed, but by dpkg, and rpm's own database, which
# BuildRequires: is checked against, is empty.
. "$TESTS_DIR/integration/lib.sh"
command -v rpmbuild >/dev/null || skip "needs rpmbuild (Debian package rpm)"
[ -f "${BUILD_DIR:-}/Makefile" ] || skip "needs BUILD_DIR, a configured build tree"
spec=$TESTS_DIR/../packaging/rpm/proclens.spec

mkdir -p "$BUILD_DIR/tests/packaging"
nodeps=
[ "$(rpm -qa 2>/dev/null | wc -l)" = 0 ] && nodeps=--nodeps
start=$SECONDS
make -C "$BUILD_DIR" rpm RPMBUILD_FLAGS="$nodeps" >"$BUILD_DIR/tests/packaging/make-rpm.log" 2>&1
check "make rpm${nodeps:+ RPMBUILD_FLAGS=$nodeps} succeeds" 0 $?
echo "# make rpm took $((SECONDS - start)) s"
nvr=$(rpmspec -q --srpm --qf '%{name}-%{version}-%{release}' "$spec" 2>/dev/null)
rpm_file=$(ls "$BUILD_DIR/$nvr".*.rpm 2>/dev/null | head -n 1)
check "make rpm leaves $nvr.<arch>.rpm in the build directory" yes \
	"$([ -n "$rpm_file" ] && [ -f "$rpm_file" ] && echo yes || echo no)"
[ -n "$rpm_file" ] || { finish; exit; }

files=$(rpm -qlp "$rpm_file" 2>/dev/null)
echo "$files" | sed 's/^/# /'
# Patterns: Fedora's rpm macros compress man pages and name the doc and
# licence directories after the package; a plain rpm (Debian's) does neither
# and adds the version.
doc='/usr/share/doc/proclens(-[0-9.]+)?'
for file in /usr/sbin/proclens /usr/sbin/proclens-attach \
	'/usr/share/man/man8/proclens\.8(\.gz)?' '/usr/share/man/man8/proclens-attach\.8(\.gz)?' \
	/usr/lib/systemd/system/proclens.service '/usr/share/licenses/proclens(-[0-9.]+)?/COPYING' \
	"$doc/README.md" "$doc/deployment.md" "$doc/kubernetes.md" "$doc/kubernetes/daemonset.yaml" \
	/usr/share/proclens/lxc/proclens-lxc-hook /usr/share/proclens/lxc/proclens.conf \
	/usr/libexec/proclens/proclens-oci-hook /usr/share/containers/oci/hooks.d/proclens.json \
	"$doc/docker.md"; do
	check "the .rpm holds $file" yes "$(echo "$files" | grep -qxE "$file" && echo yes || echo no)"
done
check "the .rpm's daemon is an executable" yes \
	"$(rpm -qp --qf '[%{FILENAMES} %{FILEMODES:perms}\n]' "$rpm_file" 2>/dev/null |
		grep -q '^/usr/sbin/proclens -rwxr-xr-x$' && echo yes || echo no)"
# Its scriptlets were expanded: no macro is left for the shell to stumble on.
check "the .rpm's scriptlets hold no unexpanded macro" "" \
	"$(rpm -qp --scripts "$rpm_file" 2>/dev/null | grep '%')"
check "the .rpm requires fuse3" yes \
	"$(rpm -qp --requires "$rpm_file" 2>/dev/null | grep -qx 'fuse3' && echo yes || echo no)"
finish
