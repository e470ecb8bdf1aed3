#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# run.sh - the VM lane: boot Debian 12's own kernel under qemu with pure
# cgroup v2 and run proclens's integration tests there (tests/vm/README.md).
#
# Usage: run.sh PROCLENS_BINARY SOURCE_TESTS_DIR WORK_DIR [BUILT_FILE...]
# BUILT_FILEs are the tests' helpers (check_DATA), relative to the directory
# of PROCLENS_BINARY; the guest finds them at the same place beside proclens.
# The host side creates no cgroups and mounts nothing: it fetches and unpacks
# the kernel package into WORK_DIR, packs an initramfs, boots it and reads
# the results off the serial console log.

set -eu -o pipefail
export PATH="$PATH:/usr/sbin:/sbin"

if [ $# -lt 3 ]; then
	echo "usage: $0 PROCLENS_BINARY SOURCE_TESTS_DIR WORK_DIR [BUILT_FILE...]" >&2
	exit 2
fi
proclens=$(realpath -e "$1")
tests_src=$(realpath -e "$2")
work=$3
shift 3
built_files=("$@")
# "PASSED FAILED" for tests/run-all.sh's closing count; a lane that stops
# before any test reports counts as one failure.
summary_file=${PROCLENS_VM_SUMMARY:-}
summary_passed=0
summary_failed=1
write_summary() {
	[ -n "$summary_file" ] || return 0
	mkdir -p "$(dirname "$summary_file")"
	echo "$summary_passed $summary_failed" >"$summary_file"
}
[ -z "$summary_file" ] || rm -f "$summary_file"
trap write_summary EXIT
# Bounds: each test, all tests (guest uptime), the whole qemu run.
test_timeout=${PROCLENS_VM_TEST_TIMEOUT:-120}
test_budget=${PROCLENS_VM_BUDGET:-900}
vm_timeout=${PROCLENS_VM_TIMEOUT:-1080}
kernel_meta=linux-image-amd64
# fuse for the mount; the socket diagnostics for the files built on
# netlink sock_diag. Their dependencies come from modules.dep.
vm_modules="fuse inet_diag tcp_diag udp_diag raw_diag"

# Clients the tests run inside the guest. Busybox supplies everything else.
required_clients="bash sh mawk awk sed grep free top vmstat ps kill ip ss getconf
	pgrep pkill unshare nsenter mountpoint findmnt mount umount
	mktemp seq id timeout sleep cat env head tail wc cut tr sort uniq
	basename dirname readlink realpath stat rm rmdir mkdir ln cp mv touch
	chmod tee true false printf nproc date dd od expr yes find xargs diff cmp"
optional_clients="fusermount3 setpriv setsid flock prlimit lsns"
# Loaded with dlopen(), so ldd cannot list it: glibc's pthread_cancel()
# (libfuse's worker threads at shutdown) aborts without it.
dlopened_libraries="libgcc_s.so.1"

log() {
	echo "vm: $*"
}

die() {
	echo "vm: error: $*" >&2
	exit 1
}

# --- host tools -------------------------------------------------------------

# The Debian package that ships each command the lane needs on the host or
# copies into the guest.
package_of() {
	case $1 in
	qemu-system-x86_64) echo qemu-system-x86 ;;
	busybox) echo busybox-static ;;
	cpio) echo cpio ;;
	free | top | vmstat | ps | kill | pgrep | pkill) echo procps ;;
	unshare | nsenter | mountpoint | findmnt | setpriv | setsid | flock | prlimit | lsns)
		echo util-linux ;;
	find | xargs) echo findutils ;;
	diff | cmp) echo diffutils ;;
	mount | umount) echo mount ;;
	ip | ss) echo iproute2 ;;
	mawk | awk) echo mawk ;;
	bash) echo bash ;;
	sh) echo dash ;;
	sed) echo sed ;;
	grep) echo grep ;;
	ldd | getconf) echo libc-bin ;;
	fusermount3) echo fuse3 ;;
	*) echo coreutils ;;
	esac
}

# Install, once, whatever a fresh machine lacks.
install_missing_tools() {
	local cmd missing=""

	for cmd in qemu-system-x86_64 busybox cpio ldd $required_clients; do
		type -P "$cmd" >/dev/null || missing="$missing $(package_of "$cmd")"
	done
	[ -n "$missing" ] || return 0
	missing=$(echo $missing | tr ' ' '\n' | sort -u | tr '\n' ' ')
	[ "$(id -u)" = 0 ] || die "missing packages: $missing(install them or run as root)"
	log "installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y --no-install-recommends $missing >/dev/null ||
		{ apt-get update >/dev/null && apt-get install -y --no-install-recommends $missing >/dev/null; } ||
		die "cannot install$missing"
}

# --- the kernel -------------------------------------------------------------

# The versioned package linux-image-amd64 points at today.
kernel_package() {
	apt-cache depends "$kernel_meta" 2>/dev/null |
		awk '$1 == "Depends:" && $2 ~ /^linux-image-/ && !found++ {print $2}'
}

# The one release under an unpacked package's lib/modules.
kernel_release_of() {
	local dirs=("$1"/lib/modules/*)

	[ "${#dirs[@]}" = 1 ] && [ -d "${dirs[0]}" ] || die "expected one kernel in $1/lib/modules"
	basename "${dirs[0]}"
}

# Fetch and unpack the kernel package into the work tree, once per version.
# Sets kernel_dir, kernel_release and vmlinuz.
prepare_kernel() {
	local package tmp deb

	package=$(kernel_package)
	if [ -z "$package" ]; then
		apt-get update >/dev/null 2>&1 || true
		package=$(kernel_package)
	fi
	if [ -z "$package" ]; then
		# Offline: the newest kernel already unpacked will do.
		package=$(ls -1 "$work/kernel" 2>/dev/null | grep '^linux-image-' | sort -V | tail -n 1)
		[ -n "$package" ] || die "cannot resolve $kernel_meta with apt-cache depends"
		log "apt-cache cannot resolve $kernel_meta; reusing $package"
	fi
	kernel_dir=$work/kernel/$package
	if [ ! -f "$kernel_dir/.unpacked" ]; then
		log "fetching $package"
		tmp=$work/kernel/.tmp-$package
		rm -rf "$tmp" "$kernel_dir"
		mkdir -p "$tmp/deb"
		(cd "$tmp/deb" && apt-get download -o APT::Sandbox::User=root "$package" >/dev/null) ||
			die "apt-get download $package failed"
		deb=$(ls "$tmp"/deb/*.deb)
		dpkg-deb -x "$deb" "$tmp/root"
		rm -rf "$tmp/deb"
		mv "$tmp/root" "$kernel_dir"
		rmdir "$tmp"
		kernel_release=$(kernel_release_of "$kernel_dir")
		# The package ships no modules.dep (depmod runs at install time).
		if [ ! -f "$kernel_dir/lib/modules/$kernel_release/modules.dep" ]; then
			busybox depmod -b "$kernel_dir" "$kernel_release" ||
				die "depmod failed on $package"
		fi
		touch "$kernel_dir/.unpacked"
	fi
	kernel_release=$(kernel_release_of "$kernel_dir")
	vmlinuz=$kernel_dir/boot/vmlinuz-$kernel_release
	[ -f "$vmlinuz" ] || die "no $vmlinuz in $package"
}

# Print the modules to load, dependencies first, as modules.dep paths.
module_load_order() {
	local dep=$kernel_dir/lib/modules/$kernel_release/modules.dep

	awk -v wanted="$vm_modules" '
		BEGIN { n = split(wanted, w, " ") }
		{
			path = $1
			sub(/:$/, "", path)
			name = path
			sub(/.*\//, "", name)
			sub(/\.ko(\.(xz|zst|gz))?$/, "", name)
			name_of_path[path] = name
			deps[name] = ""
			for (i = 2; i <= NF; i++)
				deps[name] = deps[name] " " $i
			path_of[name] = path
		}
		function load(name,    list, k, i, d) {
			if (done[name]++)
				return
			k = split(deps[name], list, " ")
			# modules.dep lists the deepest dependency last.
			for (i = k; i >= 1; i--) {
				d = list[i]
				load(name_of_path[d])
			}
			print path_of[name]
		}
		END {
			for (i = 1; i <= n; i++) {
				if (!(w[i] in path_of)) {
					print "missing module " w[i] > "/dev/stderr"
					exit 1
				}
				load(w[i])
			}
		}' "$dep"
}

# --- the initramfs ----------------------------------------------------------

# copy_file HOST_PATH [GUEST_PATH]: a regular-file copy, never written
# through a symlink (a link in the tree could point into the host).
copy_file() {
	local src=$1 dest=$root${2:-$1}

	mkdir -p "$(dirname "$dest")"
	cp -L --remove-destination "$src" "$dest"
}

# copy_program PATH: a program and the shared libraries ldd lists for it.
copy_program() {
	local lib

	copy_file "$1"
	# Static programs make ldd fail; they need nothing more.
	for lib in $(ldd "$1" 2>/dev/null | grep -o '/[^ ]*' || true); do
		[ -e "$root$lib" ] || copy_file "$lib"
	done
}

build_initramfs() {
	local cmd path module lib

	root=$work/root
	rm -rf "$root"
	mkdir -p "$root"/usr/bin "$root"/usr/sbin "$root"/usr/lib "$root"/usr/lib64
	# Debian's merged /usr, with relative links that stay inside the tree.
	ln -s usr/bin "$root/bin"
	ln -s usr/sbin "$root/sbin"
	ln -s usr/lib "$root/lib"
	ln -s usr/lib64 "$root/lib64"
	mkdir -p "$root"/dev "$root"/proc "$root"/sys "$root"/tmp "$root"/run \
		"$root"/root "$root"/etc/proclens-vm "$root"/proclens/build

	copy_program "$(command -v busybox)"
	if [ "$(command -v busybox)" != /bin/busybox ]; then
		copy_file "$(command -v busybox)" /bin/busybox
	fi
	for cmd in $required_clients; do
		path=$(type -P "$cmd") || die "$cmd not found on the host"
		copy_program "$path"
	done
	for cmd in $optional_clients; do
		path=$(type -P "$cmd") || continue
		copy_program "$path"
	done
	for lib in $dlopened_libraries; do
		path=$(ldconfig -p | awk -v lib="$lib" '$1 == lib && /x86-64/ && !found++ {print $NF}')
		[ -n "$path" ] || die "$lib not found on the host"
		copy_file "$path"
	done
	copy_program "$proclens"
	copy_file "$proclens" /proclens/build/proclens
	for path in ${built_files[@]+"${built_files[@]}"}; do
		[ -f "$(dirname "$proclens")/$path" ] || die "$path not built"
		copy_program "$(dirname "$proclens")/$path"
		copy_file "$(dirname "$proclens")/$path" "/proclens/build/$path"
		chmod --reference="$(dirname "$proclens")/$path" "$root/proclens/build/$path"
	done
	for path in /lib/terminfo/d/dumb /lib/terminfo/l/linux \
		/lib/terminfo/v/vt100 /lib/terminfo/x/xterm; do
		[ -f "$path" ] && copy_file "$path"
	done

	echo "root:x:0:0:root:/root:/bin/sh" >"$root/etc/passwd"
	echo "root:x:0:" >"$root/etc/group"
	ln -s ../proc/self/mounts "$root/etc/mtab"

	mkdir -p "$root/proclens/tests"
	cp -R "$tests_src/integration" "$root/proclens/tests/"
	[ -d "$tests_src/fixtures" ] && cp -R "$tests_src/fixtures" "$root/proclens/tests/"
	mkdir -p "$root/proclens/tests/vm"
	cp "$tests_src/vm/smoke.sh" "$root/proclens/tests/vm/"

	: >"$root/etc/proclens-vm/modules"
	for module in $(module_load_order); do
		path=$kernel_dir/lib/modules/$kernel_release/$module
		mkdir -p "$root/lib/modules/$kernel_release/$(dirname "$module")"
		# Busybox insmod may lack decompression: unpack on the host.
		case $module in
		*.ko.xz) busybox xz -dc "$path" ;;
		*.ko.gz) busybox gzip -dc "$path" ;;
		*.ko.zst) zstd -dcq "$path" ;;
		*) cat "$path" ;;
		esac >"$root/lib/modules/$kernel_release/${module%.ko*}.ko"
		echo "${module%.ko*}.ko" >>"$root/etc/proclens-vm/modules"
	done

	cat >"$root/etc/proclens-vm/env" <<-EOF
		PROCLENS_VM_BINARY=/proclens/build/proclens
		PROCLENS_VM_TESTS=/proclens/tests
		PROCLENS_VM_TEST_TIMEOUT=$test_timeout
		PROCLENS_VM_BUDGET=$test_budget
	EOF
	cp "$tests_src/vm/init" "$root/init"
	chmod 755 "$root/init"

	(cd "$root" && find . -print0 | cpio --null -o -H newc -R 0:0 --quiet) \
		>"$work/initramfs.cpio"
}

# --- boot and report --------------------------------------------------------

boot() {
	console_raw=$work/console.raw
	console=$work/console.log
	rm -f "$console_raw" "$console"
	# TCG: KVM is not usable on the machines this lane runs on.
	# cgroup_no_v1=all leaves cgroup2 the only way to reach any controller.
	set +e
	timeout -k 10 "$vm_timeout" qemu-system-x86_64 \
		-accel tcg -m 1024 -smp 2 \
		-nodefaults -no-user-config -nographic -no-reboot -nic none \
		-serial "file:$console_raw" -monitor none \
		-kernel "$vmlinuz" -initrd "$work/initramfs.cpio" \
		-append "console=ttyS0 panic=-1 quiet loglevel=3 cgroup_no_v1=all" \
		</dev/null >"$work/qemu.log" 2>&1
	qemu_status=$?
	set -e
	# Terminal escape sequences (busybox, top) and carriage returns would
	# hide markers from the line matching below.
	sed -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\x1b[()][0-9A-Za-z]//g' \
		-e 's/\x1b[=>78c]//g' -e 's/\r//g' "$console_raw" >"$console" 2>/dev/null || : >"$console"
}

# The console lines of one test, between its markers.
test_output() {
	awk -v name="$1" '
		$0 ~ "PROCLENS-VM-BEGIN " name "$" { on = 1; next }
		$0 ~ "PROCLENS-VM-RESULT " name " " { on = 0 }
		on' "$console"
}

report() {
	local passed=0 failed=0 skipped=0 name result line lane_ok=1

	while read -r name result; do
		case $result in
		PASS) passed=$((passed + 1)) ;;
		SKIP) skipped=$((skipped + 1)) ;;
		*)
			failed=$((failed + 1))
			echo "--- FAIL: $name (guest output follows)"
			test_output "$name" | sed 's/^/    /'
			;;
		esac
		echo "$result: $name ($(awk -v name="$name" '$1 == "PROCLENS-VM-TIME" && $2 == name {print $3 "s"}' "$console"))"
	done < <(grep -o 'PROCLENS-VM-RESULT [^ ]* [A-Z]*' "$console" | cut -d' ' -f2-)

	line=$(grep -m 1 -o 'PROCLENS-VM-SETUP-FAILED.*' "$console" || true)
	if [ -n "$line" ]; then
		echo "vm: guest setup failed: ${line#PROCLENS-VM-SETUP-FAILED }"
		lane_ok=0
	fi
	if ! grep -q 'PROCLENS-VM-DONE' "$console"; then
		lane_ok=0
		if [ "$qemu_status" = 124 ] || [ "$qemu_status" = 137 ]; then
			echo "vm: the guest did not finish within ${vm_timeout}s"
		else
			echo "vm: the guest stopped without reporting (qemu exit status $qemu_status)"
		fi
		# A test that began and never reported.
		name=$(grep -o 'PROCLENS-VM-BEGIN [^ ]*' "$console" | tail -n 1 | cut -d' ' -f2 || true)
		if [ -n "$name" ] && ! grep -q "PROCLENS-VM-RESULT $name " "$console"; then
			failed=$((failed + 1))
			echo "--- FAIL: $name (unfinished; guest output follows)"
			awk -v name="$name" '$0 ~ "PROCLENS-VM-BEGIN " name "$" { on = 1; next } on' \
				"$console" | sed 's/^/    /'
		fi
		if ! grep -q 'PROCLENS-VM-BOOTED' "$console"; then
			echo "vm: no sign of the guest's init; console and qemu output follow"
			tail -n 40 "$console" | sed 's/^/    /'
			tail -n 20 "$work/qemu.log" | sed 's/^/    /'
		fi
	elif [ $((passed + failed + skipped)) = 0 ]; then
		echo "vm: the guest ran no tests"
		lane_ok=0
	fi
	echo "vm: full console log: $console"
	echo "vm: $passed passed, $failed failed, $skipped skipped"
	summary_passed=$passed
	summary_failed=$failed
	[ "$lane_ok" = 1 ] && [ "$failed" = 0 ] && return 0
	[ "$failed" != 0 ] || summary_failed=1
	return 1
}

main() {
	local start=$SECONDS

	mkdir -p "$work"
	install_missing_tools
	prepare_kernel
	build_initramfs
	log "booting $kernel_release with $(du -h "$work/initramfs.cpio" | cut -f1) of initramfs"
	boot
	log "the lane took $((SECONDS - start))s"
	report
}

main
