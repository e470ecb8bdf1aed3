#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# run.sh TESTS_DIR BUILD_DIR - the package lane (make check-packages): every
# tests/packaging/*.sh but this one, each against the configured build tree
# BUILD_DIR, where the package tests run make deb and make rpm themselves.
# A test exits 0 (pass), 77 (skip) or anything else (fail), as under
# automake; its output goes to BUILD_DIR/tests/packaging/NAME.log. Writes
# "PASSED FAILED" to $PROCLENS_PACKAGE_SUMMARY for tests/run-all.sh.
set -u
tests=$1
build=$2
logs=$build/tests/packaging
mkdir -p "$logs" || exit 1
passed=0 failed=0 skipped=0

for test in "$tests"/packaging/*.sh; do
	name=$(basename "$test" .sh)
	[ "$name" = run ] && continue
	start=$SECONDS
	TESTS_DIR=$tests BUILD_DIR=$build PROCLENS=$build/proclens \
		bash "$test" >"$logs/$name.log" 2>&1
	status=$?
	case $status in
	0) result=PASS passed=$((passed + 1)) ;;
	77) result=SKIP skipped=$((skipped + 1)) ;;
	*) result=FAIL failed=$((failed + 1)) ;;
	esac
	echo "$result: $name ($((SECONDS - start)) s)"
	grep -E '^(not ok|SKIP:)' "$logs/$name.log"
	[ "$result" = FAIL ] && tail -n 20 "$logs/$name.log"
done

echo "packages: $passed passed, $failed failed, $skipped skipped"
[ -n "${PROCLENS_PACKAGE_SUMMARY:-}" ] && echo "$passed $failed" >"$PROCLENS_PACKAGE_SUMMARY"
[ "$failed" = 0 ]
