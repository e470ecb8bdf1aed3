#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# run-all.sh - install the dependencies, build proclens with warnings as
# errors, and run every test: the Check suites and the integration tests
# (make check), the same again built with AddressSanitizer and with
# UndefinedBehaviorSanitizer (the sanitizer lane), the Debian and RPM packages
# and the systemd unit and Kubernetes manifests (the package lane, make
# check-packages), the distribution check
# (make distcheck), and the cgroup v2 lane in a VM (make check-vm). Run as
# root from the source tree. With --sanitizers-only, the sanitizer lane alone.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$top/build}
# Inside the main build tree, which git ignores: sanitizer-asan, sanitizer-ubsan.
sanitizer_build=${SANITIZER_BUILD_DIR:-$build/sanitizer}
sanitizers_only=no
[ "${1:-}" = --sanitizers-only ] && sanitizers_only=yes

bash "$top/tests/install-deps.sh" || exit 1

cd "$top" && autoreconf -fi || exit 1

# suite_counts LOG: "PASSED FAILED" from an automake test-suite.log.
suite_counts() {
	awk '/^# PASS:/ {p = $3} /^# (FAIL|ERROR):/ {f += $3} END {print p + 0, f + 0}' "$1" 2>/dev/null ||
		echo "0 0"
}

# The sanitizer lane: make check on an ASan build and on a UBSan build.
# The daemon runs detached with its standard error on /dev/null and its
# exit status unread, so the sanitizers write their reports to files, and
# any file there fails the lane. Two builds, not one with both: GCC 12's
# UBSan, loaded beside ASan, ignores log_path and writes to standard error
# only. UBSan stops at the first finding (-fno-sanitize-recover, from
# configure); LeakSanitizer runs at each clean exit.
sanitizer_passed=0
sanitizer_failed=0

# sanitizer_run NAME CONFIGURE_OPTION [VARIABLE=VALUE...]: build in
# sanitizer-NAME with the option and run make check there, the variables
# set for the tests; adds to sanitizer_passed and sanitizer_failed.
sanitizer_run() {
	local name=$1 option=$2 dir=$sanitizer_build-$1 start=$SECONDS
	local reports=$sanitizer_build-$1/sanitizer-reports run_status=0 passed failed report
	shift 2

	echo "sanitizer lane: $name: building in $dir"
	mkdir -p "$dir" && cd "$dir" || return 1
	if ! "$top/configure" --enable-werror "$option" >configure.out 2>&1 ||
		! make -j"$(nproc)" >make.out 2>&1; then
		tail -n 40 configure.out make.out 2>/dev/null
		sanitizer_failed=$((sanitizer_failed + 1))
		return 1
	fi
	rm -rf "$reports" && mkdir -p "$reports" || return 1
	# Each process writes <prefix>.<pid>.
	env "$@" make -j"$(nproc)" check || run_status=1
	cat tests/unit/*.log tests/integration/*.log 2>/dev/null |
		grep -E '^(not ok|FAIL|[0-9]+%: Checks|# PROCLENS_SANITIZER)' || true
	read -r passed failed < <(suite_counts test-suite.log)
	for report in "$reports"/*; do
		[ -f "$report" ] || continue
		echo "sanitizer lane: $name: report $report:"
		cat "$report"
		run_status=1
	done
	# A report fails the lane even where every test passed.
	[ "$run_status" = 0 ] || [ "$failed" != 0 ] || failed=1
	sanitizer_passed=$((sanitizer_passed + passed))
	sanitizer_failed=$((sanitizer_failed + failed))
	echo "sanitizer lane: $name: $passed passed, $failed failed, $((SECONDS - start)) s"
	return "$run_status"
}

sanitizer_lane() {
	local lane_status=0 reports=sanitizer-reports/report

	# PROCLENS_SANITIZER=1: tests skip what an ASan build cannot meet
	# (the daemon's RSS, which shadow memory and quarantine inflate).
	sanitizer_run asan --enable-asan \
		ASAN_OPTIONS="log_path=$sanitizer_build-asan/$reports:detect_leaks=1:exitcode=23" \
		PROCLENS_SANITIZER=1 || lane_status=1
	sanitizer_run ubsan --enable-ubsan \
		UBSAN_OPTIONS="log_path=$sanitizer_build-ubsan/$reports:print_stacktrace=1:halt_on_error=1" ||
		lane_status=1
	return "$lane_status"
}

status=0
if [ "$sanitizers_only" = yes ]; then
	sanitizer_lane || status=1
	echo "all: ${sanitizer_passed} passed, ${sanitizer_failed} failed"
	exit "$status"
fi

mkdir -p "$build" && cd "$build" || exit 1
"$top/configure" --enable-werror || exit 1
make -j"$(nproc)" || exit 1

make -j"$(nproc)" check || status=1
cat tests/unit/*.log tests/integration/*.log 2>/dev/null | grep -E '^(not ok|FAIL|[0-9]+%: Checks)' || true
read -r passed failed < <(suite_counts test-suite.log)

# The package lane: make deb, installed, run and purged; make rpm, listed;
# the systemd unit verified; the Kubernetes manifests parsed (tests/packaging).
rm -f tests/packaging/summary
make check-packages || status=1
package_passed=0 package_failed=1
[ -f tests/packaging/summary ] && read -r package_passed package_failed <tests/packaging/summary

sanitizer_lane || status=1
cd "$build" || exit 1

make -j"$(nproc)" distcheck DISTCHECK_CONFIGURE_FLAGS=--enable-werror >distcheck.log 2>&1 ||
	{ status=1; tail -n 40 distcheck.log; }
grep -E '^(# (PASS|FAIL|SKIP|ERROR)|proclens-.*archives ready)' distcheck.log || true

make check-vm || status=1

# One closing line counting every lane's tests.
passed=$((passed + ${sanitizer_passed:-0} + package_passed))
failed=$((failed + sanitizer_failed + package_failed))
if [ -f tests/vm/summary ]; then
	read -r vm_passed vm_failed <tests/vm/summary
	passed=$((passed + vm_passed))
	failed=$((failed + vm_failed))
fi
[ "$status" = 0 ] || [ "$failed" != 0 ] || failed=1
echo "all: ${passed:-0} passed, ${failed} failed (packages: $package_passed passed, $package_failed failed)"
exit "$status"
