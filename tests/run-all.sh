#!/bin/bash
# run-all.sh - install the dependencies, build proclens with warnings as
# errors, and run every test: the Check suites and the integration tests
# (make check), the distribution check (make distcheck), and the cgroup v2
# lane in a VM (make check-vm). Run as root from the source tree.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$top/build}

bash "$top/tests/install-deps.sh" || exit 1

cd "$top" && autoreconf -fi || exit 1
mkdir -p "$build" && cd "$build" || exit 1
"$top/configure" --enable-werror || exit 1
make -j"$(nproc)" || exit 1

status=0
make -j"$(nproc)" check || status=1
cat tests/unit/*.log tests/integration/*.log 2>/dev/null | grep -E '^(not ok|FAIL|[0-9]+%: Checks)' || true

make -j"$(nproc)" distcheck DISTCHECK_CONFIGURE_FLAGS=--enable-werror >distcheck.log 2>&1 ||
	{ status=1; tail -n 40 distcheck.log; }
grep -E '^(# (PASS|FAIL|SKIP|ERROR)|proclens-.*archives ready)' distcheck.log || true

make check-vm || status=1

# One closing line counting both lanes' tests.
passed=$(awk '/^# PASS:/ {print $3}' test-suite.log 2>/dev/null || echo 0)
passed=$(grep -E '^# PASS:' test-suite.log | awk '{print $3}')
failed=$(grep -E '^# (FAIL|ERROR):' test-suite.log | awk '{s += $3} END {print s + 0}')
if [ -f tests/vm/summary ]; then
	read -r vm_passed vm_failed <tests/vm/summary
	passed=$((passed + vm_passed))
	failed=$((failed + vm_failed))
fi
[ "$status" = 0 ] || [ "$failed" != 0 ] || failed=1
echo "all: ${passed:-0} passed, ${failed} failed"
exit "$status"
