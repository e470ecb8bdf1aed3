# lib.sh - helpers shared by the benchmark scripts; sourced, never run.
# BENCH_NAME prefixes every message.

say() {
	echo "$BENCH_NAME: $*"
}

# skip: a benchmark that cannot run here is not a failure of make bench.
skip() {
	say "skipped: $*"
	exit 0
}

fail() {
	say "FAILED: $*" >&2
	exit 1
}

# stop_pid PID: SIGTERM, a bounded wait (5 s), then SIGKILL.
stop_pid() {
	kill "$1" 2>/dev/null || return 0
	for _ in $(seq 50); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}
