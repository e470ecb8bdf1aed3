/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * benchread.c - load generator for proclens's benchmark: READERS processes,
 * each optionally placed in a cgroup first, open a file, read it to end of
 * file and close it, over and over, like monitoring agents polling
 * /proc/meminfo. Prints the median and 99th percentile latency of one
 * open+read+close and the total reads per second, on one line.
 *
 * Every run is bounded: by a total count of reads and by a time limit.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BENCH_MAX_READERS 1000
#define BENCH_MAX_COUNT 10000000L
#define BENCH_MAX_SECONDS 600
#define BENCH_MAX_GROUPS 1000
/* How long past its time limit a run may take before its readers are killed. */
#define BENCH_GRACE_SECONDS 30

struct bench_options {
	long readers;
	long count;
	long seconds;
	long warmup;
	size_t buffer_size;
	const char *expect;
	long rate;		/* reads per second per reader; 0: back to back */
	pid_t watch_pid;	/* a process whose CPU time the run reports; 0: none */
	const char *groups[BENCH_MAX_GROUPS];
	size_t group_count;
	const char *path;
};

/* What one reader reports back through memory shared with the parent. */
struct bench_slot {
	long done;
	long errors;
	int64_t end_ns;
	char failure[256];
};

struct bench_shared {
	int64_t start_ns;
	int64_t deadline_ns;
	struct bench_slot slots[];
};

static pid_t bench_children[BENCH_MAX_READERS];
static long bench_child_count;

static int64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: benchread [OPTIONS] PATH\n"
		"Read PATH from start to end of file in a loop, from concurrent processes.\n"
		"\n"
		"  -n READERS   concurrent reader processes (default 1, at most %d)\n"
		"  -c COUNT     timed reads in all, shared by the readers (default 100000)\n"
		"  -t SECONDS   stop timing after SECONDS even if COUNT is not reached\n"
		"               (default 10, at most %d)\n"
		"  -w WARMUP    untimed reads per reader before timing (default 50)\n"
		"  -g DIR       cgroup directory; reader i joins the (i mod G)-th -g given\n"
		"  -b BYTES     read buffer size (default 4096)\n"
		"  -e TEXT      the file must contain TEXT (checked during warm-up)\n"
		"  -r RATE      each reader reads RATE times a second, like a poller,\n"
		"               the readers spread over the period (default: back to back)\n"
		"  -p PID       also print the CPU time PID used while timing (cpu_ms=)\n"
		"\n"
		"Prints: readers= reads= errors= seconds= reads_per_s= median_us= p99_us=\n",
		BENCH_MAX_READERS, BENCH_MAX_SECONDS);
}

static int parse_long(const char *text, long min, long max, long *value)
{
	char *end;

	errno = 0;
	*value = strtol(text, &end, 10);
	if (errno || end == text || *end || *value < min || *value > max)
		return -1;
	return 0;
}

static int parse_options(int argc, char **argv, struct bench_options *opts)
{
	long value;
	int c;

	memset(opts, 0, sizeof(*opts));
	opts->readers = 1;
	opts->count = 100000;
	opts->seconds = 10;
	opts->warmup = 50;
	opts->buffer_size = 4096;
	while ((c = getopt(argc, argv, "n:c:t:w:g:b:e:r:p:h")) != -1) {
		switch (c) {
		case 'n':
			if (parse_long(optarg, 1, BENCH_MAX_READERS, &opts->readers) < 0)
				goto bad_value;
			break;
		case 'c':
			if (parse_long(optarg, 1, BENCH_MAX_COUNT, &opts->count) < 0)
				goto bad_value;
			break;
		case 't':
			if (parse_long(optarg, 1, BENCH_MAX_SECONDS, &opts->seconds) < 0)
				goto bad_value;
			break;
		case 'w':
			if (parse_long(optarg, 0, 1000000, &opts->warmup) < 0)
				goto bad_value;
			break;
		case 'b':
			if (parse_long(optarg, 1, 1 << 20, &value) < 0)
				goto bad_value;
			opts->buffer_size = (size_t)value;
			break;
		case 'g':
			if (opts->group_count == BENCH_MAX_GROUPS) {
				fprintf(stderr, "benchread: at most %d -g\n", BENCH_MAX_GROUPS);
				return -1;
			}
			opts->groups[opts->group_count++] = optarg;
			break;
		case 'e':
			opts->expect = optarg;
			break;
		case 'r':
			if (parse_long(optarg, 0, 1000, &opts->rate) < 0)
				goto bad_value;
			break;
		case 'p':
			if (parse_long(optarg, 1, 1 << 30, &value) < 0)
				goto bad_value;
			opts->watch_pid = (pid_t)value;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return -1;
	}
	opts->path = argv[optind];
	return 0;
bad_value:
	fprintf(stderr, "benchread: -%c %s: out of range\n", c, optarg);
	return -1;
}

static int bench_join_cgroup(const char *dir, struct bench_slot *slot)
{
	char path[4096], pid[32];
	int fd, len;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	len = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(slot->failure, sizeof(slot->failure), "%.200s: %s", path,
			 strerror(errno));
		return -1;
	}
	n = write(fd, pid, (size_t)len);
	if (n != len) {
		snprintf(slot->failure, sizeof(slot->failure), "%.200s: %s", path,
			 n < 0 ? strerror(errno) : "short write");
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* One pass: open, read until end of file, close. Returns bytes read or -errno. */
static ssize_t bench_read_once(const char *path, char *buffer, size_t size)
{
	ssize_t n, total = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while ((n = read(fd, buffer, size)) > 0)
		total += n;
	if (n < 0)
		total = -errno;
	close(fd);
	return total;
}

/* The first size bytes of the file, NUL-terminated, to check what it says. */
static ssize_t bench_read_head(const char *path, char *buffer, size_t size)
{
	size_t filled = 0;
	ssize_t n = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while (filled < size && (n = read(fd, buffer + filled, size - filled)) > 0)
		filled += (size_t)n;
	buffer[filled] = '\0';
	if (n < 0)
		n = -errno;
	close(fd);
	return n < 0 ? n : (ssize_t)filled;
}

static int bench_ready_fd = -1;

/* A reader that cannot start tells the parent (byte 0) and leaves. */
static void bench_reader_fail(void)
{
	char byte = 0;

	if (write(bench_ready_fd, &byte, 1) != 1)
		_exit(1);
	_exit(1);
}

/* A reader process: join its cgroup, warm up, wait for the start, then time reads. */
static void bench_reader(const struct bench_options *opts, long index, long quota,
			 struct bench_shared *shared, int64_t *latencies, int go_fd)
{
	struct bench_slot *slot = &shared->slots[index];
	char *buffer = malloc(opts->buffer_size + 1);
	char byte = 1;
	ssize_t n;

	if (!buffer) {
		snprintf(slot->failure, sizeof(slot->failure), "out of memory");
		bench_reader_fail();
	}
	if (opts->group_count &&
	    bench_join_cgroup(opts->groups[(size_t)index % opts->group_count], slot) < 0)
		bench_reader_fail();
	if (opts->expect) {
		n = bench_read_head(opts->path, buffer, opts->buffer_size);
		if (n >= 0 && !strstr(buffer, opts->expect)) {
			snprintf(slot->failure, sizeof(slot->failure),
				 "%.150s: no \"%.50s\" in its first %zd bytes", opts->path,
				 opts->expect, n);
			bench_reader_fail();
		}
	}
	for (long i = 0; i < opts->warmup; i++) {
		n = bench_read_once(opts->path, buffer, opts->buffer_size);
		if (n <= 0) {
			snprintf(slot->failure, sizeof(slot->failure), "%.200s: %s",
				 opts->path, n == 0 ? "empty" : strerror((int)-n));
			bench_reader_fail();
		}
	}
	if (write(bench_ready_fd, &byte, 1) != 1)
		_exit(1);
	/* The parent closes the other end to start everyone at once. */
	if (read(go_fd, &byte, 1) != 0)
		_exit(1);

	for (long i = 0; i < quota; i++) {
		int64_t start;

		if (opts->rate) {
			/* Reader index's tick i of a period shared by all readers. */
			int64_t period = 1000000000 / opts->rate;
			int64_t due = shared->start_ns + i * period + period * index / opts->readers;
			struct timespec ts = { (time_t)(due / 1000000000), (long)(due % 1000000000) };

			if (due >= shared->deadline_ns)
				break;
			while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
				;
		}
		start = bench_now_ns();
		if (start >= shared->deadline_ns)
			break;
		n = bench_read_once(opts->path, buffer, opts->buffer_size);
		latencies[i] = bench_now_ns() - start;
		if (n <= 0)
			slot->errors++;
		slot->done++;
	}
	slot->end_ns = bench_now_ns();
	_exit(0);
}

/* utime + stime of pid in clock ticks, from /proc/<pid>/stat; -1 if unknown. */
static long bench_cpu_ticks(pid_t pid)
{
	char path[64], text[1024], *p;
	unsigned long utime, stime;
	ssize_t n;
	int fd;

	if (pid <= 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	text[n] = '\0';
	/* Fields after the command name, which may hold blanks: state is field 3. */
	p = strrchr(text, ')');
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
			 &utime, &stime) != 2)
		return -1;
	return (long)(utime + stime);
}

static void bench_kill_readers(int sig)
{
	for (long i = 0; i < bench_child_count; i++)
		kill(bench_children[i], SIGKILL);
	_exit(1);
}

static int compare_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	struct bench_options opts;
	struct bench_shared *shared;
	int64_t *latencies, start_ns, end_ns = 0;
	size_t shared_size, latencies_size;
	long total = 0, errors = 0, failed = 0, offset = 0;
	int ready_pipe[2], go_pipe[2];
	long cpu_start, cpu_end;
	double seconds;
	char byte;

	if (parse_options(argc, argv, &opts) < 0)
		return 2;
	shared_size = sizeof(*shared) + (size_t)opts.readers * sizeof(struct bench_slot);
	latencies_size = (size_t)opts.count * sizeof(int64_t);
	shared = mmap(NULL, shared_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		      -1, 0);
	latencies = mmap(NULL, latencies_size, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED || latencies == MAP_FAILED) {
		perror("benchread: mmap");
		return 1;
	}
	if (pipe2(ready_pipe, O_CLOEXEC) < 0 || pipe2(go_pipe, O_CLOEXEC) < 0) {
		perror("benchread: pipe");
		return 1;
	}
	/* A reader stuck in a hung file system must not hang the benchmark. */
	signal(SIGALRM, bench_kill_readers);
	alarm((unsigned)(opts.seconds + BENCH_GRACE_SECONDS));

	for (long i = 0; i < opts.readers; i++) {
		long quota = opts.count / opts.readers + (i < opts.count % opts.readers);
		pid_t pid = fork();

		if (pid < 0) {
			perror("benchread: fork");
			bench_kill_readers(0);
		}
		if (pid == 0) {
			close(ready_pipe[0]);
			close(go_pipe[1]);
			bench_ready_fd = ready_pipe[1];
			bench_reader(&opts, i, quota, shared, latencies + offset, go_pipe[0]);
		}
		bench_children[bench_child_count++] = pid;
		offset += quota;
	}
	close(ready_pipe[1]);
	close(go_pipe[0]);
	/* Each reader writes 1 once warm, or 0 if it cannot start: then nobody times. */
	start_ns = bench_now_ns();
	shared->deadline_ns = start_ns + (int64_t)opts.seconds * 1000000000;
	for (long ready = 0; ready < opts.readers; ready++) {
		if (read(ready_pipe[0], &byte, 1) != 1 || byte != 1) {
			shared->deadline_ns = 0;
			break;
		}
	}
	if (shared->deadline_ns) {
		start_ns = bench_now_ns();
		shared->start_ns = start_ns;
		shared->deadline_ns = start_ns + (int64_t)opts.seconds * 1000000000;
	}
	cpu_start = bench_cpu_ticks(opts.watch_pid);
	close(go_pipe[1]);

	for (long i = 0; i < bench_child_count; i++) {
		int status;

		while (waitpid(bench_children[i], &status, 0) < 0 && errno == EINTR)
			;
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			failed++;
	}
	cpu_end = bench_cpu_ticks(opts.watch_pid);
	alarm(0);
	if (failed) {
		for (long i = 0; i < opts.readers; i++)
			if (shared->slots[i].failure[0]) {
				fprintf(stderr, "benchread: reader %ld: %s\n", i,
					shared->slots[i].failure);
				break;
			}
		fprintf(stderr, "benchread: %ld of %ld readers failed\n", failed, opts.readers);
		return 1;
	}

	/* Gather every reader's timed latencies into one sorted run. */
	offset = 0;
	for (long i = 0; i < opts.readers; i++) {
		long quota = opts.count / opts.readers + (i < opts.count % opts.readers);
		const struct bench_slot *slot = &shared->slots[i];

		memmove(latencies + total, latencies + offset,
			(size_t)slot->done * sizeof(int64_t));
		total += slot->done;
		errors += slot->errors;
		offset += quota;
		if (slot->end_ns > end_ns)
			end_ns = slot->end_ns;
	}
	if (total == 0) {
		fprintf(stderr, "benchread: no reads were timed\n");
		return 1;
	}
	qsort(latencies, (size_t)total, sizeof(int64_t), compare_i64);
	seconds = (double)(end_ns - start_ns) / 1e9;
	printf("readers=%ld reads=%ld errors=%ld seconds=%.3f reads_per_s=%.0f "
	       "median_us=%.1f p99_us=%.1f\n",
	       opts.readers, total, errors, seconds, (double)total / seconds,
	       (double)latencies[total / 2] / 1e3,
	       (double)latencies[(total * 99 + 99) / 100 - 1] / 1e3);
	if (opts.watch_pid) {
		if (cpu_start < 0 || cpu_end < 0)
			printf("cpu_ms=- cpu_ms_per_1000=-\n");
		else
			printf("cpu_ms=%.0f cpu_ms_per_1000=%.1f\n",
			       (double)(cpu_end - cpu_start) * 1000.0 / (double)sysconf(_SC_CLK_TCK),
			       (double)(cpu_end - cpu_start) * 1000.0 / (double)sysconf(_SC_CLK_TCK) *
				       1000.0 / (double)total);
	}
	return errors ? 1 : 0;
}
