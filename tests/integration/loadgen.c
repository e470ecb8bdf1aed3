/* SPDX-License-Identifier: GPL-2.0-or-later */
/* loadgen.c - one group of the load test: readers that read every proclens file in a loop, checked and timed. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * Usage:
 *   loadgen run [-d SECONDS] [-r READERS] [-w PASSES] [-t SECONDS] [-x] -a WARMFILE -g GOFILE
 *               -s TCP4,UDP4,TCP6,UDP6 -m KB -p NPROC -l BYTES MOUNT NAME
 *   loadgen report FILE...
 *
 * run: the group's first process (pid 1 of its own pid namespace, in its own
 * network namespace and cgroup, as load.sh starts it) holds the given numbers
 * of TCP listeners and bound UDP sockets on loopback, forks READERS (default
 * 4) readers and prints "started PID" (its pid as the host numbers it). Once
 * WARMFILE exists, each reader reads every file of the table below, under
 * MOUNT and under MOUNT/c/NAME, PASSES times (default 20, untimed), and
 * "ready" is printed when all have; once GOFILE exists, each reads them all
 * in turn for SECONDS (default 30): open, read to end of file, close, timed.
 * Only the first process polls for the files; the readers wait on pipes, so
 * that idle readers cost nothing. Every read's content is checked against the
 * group's own values: MemTotal KB; TCP inuse TCP4, alloc TCP4 + TCP6, UDP
 * inuse UDP4; TCP6 inuse TCP6, UDP6 inuse UDP6; proc/net/tcp a header and
 * TCP4 sockets; Max processes NPROC and Max resident set BYTES in the limits
 * of proc/self and proc/1 (soft and hard). proc/self must name the reader.
 * When all readers have ended it prints the group's counts and latency
 * histograms ("span", "readers", "kind" and "hist" lines) and "done", then
 * holds its sockets (and so its namespaces) until SIGTERM or -t SECONDS
 * (default 600) after it started. Errors and wrong contents are described on
 * stderr, the first few of each reader.
 * With -x, every figure but UDP4 and TCP6 is expected one higher than it is,
 * so that every file reads wrong: the control that shows the checks can fail.
 *
 * report: merges the output of run of every group into one table: reads,
 * errors, wrong contents, p50, p99 and the slowest read per file, then a
 * "total" line with reads per second over the span of all groups.
 *
 * Exits 2 on bad usage or a failed setup, 1 if report read no group.
 */

#define LOADGEN_MAX_READERS 16
/* Larger than anything read here: proc/net/tcp is 150 bytes a socket. */
#define LOADGEN_MAX_BYTES (64 * 1024)
/* What each reader describes on stderr at most, of errors and of wrong contents. */
#define LOADGEN_MAX_SAID 3
/* Of each kind; proc/net/tcp of as many TCP sockets is 45 KiB. */
#define LOADGEN_MAX_SOCKETS 300

/*
 * Latency histogram: values under 64 ns exact, then 32 buckets per power of
 * two (3% apart), up to 2^40 ns (18 minutes).
 */
#define HIST_SUB_BITS 5
#define HIST_SUB (1u << HIST_SUB_BITS)
#define HIST_BUCKETS ((40 - HIST_SUB_BITS + 2) * HIST_SUB)

enum loadgen_file {
	FILE_MEMINFO,
	FILE_SOCKSTAT,
	FILE_SOCKSTAT6,
	FILE_NET_TCP,
	FILE_SELF_LIMITS,
	FILE_INIT_LIMITS,
	FILE_COUNT
};

enum loadgen_scope { SCOPE_TOP, SCOPE_CONTAINER, SCOPE_COUNT };

#define KIND_COUNT (FILE_COUNT * SCOPE_COUNT)

static const char *const file_paths[FILE_COUNT] = {
	"proc/meminfo", "proc/net/sockstat", "proc/net/sockstat6",
	"proc/net/tcp", "proc/self/limits",  "proc/1/limits",
};
static const char *const scope_names[SCOPE_COUNT] = { "top", "c" };

/* What one group's readers should see. */
struct expected {
	long long memtotal_kb;
	long long tcp4, udp4, tcp6, udp6;
	long long nproc;
	long long rss_bytes;
};

/* One reader's counts, in memory shared with the group's first process. */
struct reader_stats {
	uint64_t reads[KIND_COUNT];
	uint64_t errors[KIND_COUNT];
	uint64_t wrong[KIND_COUNT];
	uint64_t start_ns, end_ns;
	int warmed;
	uint32_t hist[KIND_COUNT][HIST_BUCKETS];
};

static struct expected want;
static char paths[KIND_COUNT][PATH_MAX];
static char self_link[SCOPE_COUNT][PATH_MAX];
static int errors_said, wrong_said;

static void die(const char *what)
{
	fprintf(stderr, "loadgen: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void on_stop(int sig)
{
	(void)sig;
	_exit(3);
}

static long long parse_number(const char *text, long long max)
{
	char *end;
	long long value;

	errno = 0;
	value = strtoll(text, &end, 10);
	if (errno || end == text || *end || value < 0 || value > max) {
		fprintf(stderr, "loadgen: bad number '%s' (0 to %lld)\n", text, max);
		exit(2);
	}
	return value;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static unsigned hist_bucket(uint64_t ns)
{
	unsigned msb;

	if (ns < 2 * HIST_SUB)
		return (unsigned)ns;
	msb = 63 - (unsigned)__builtin_clzll(ns);
	if (msb > 40)
		return HIST_BUCKETS - 1;
	return (msb - HIST_SUB_BITS + 1) * HIST_SUB + (unsigned)((ns >> (msb - HIST_SUB_BITS)) & (HIST_SUB - 1));
}

/* The middle of a bucket, in ns. */
static double hist_value(unsigned bucket)
{
	unsigned msb, shift;

	if (bucket < 2 * HIST_SUB)
		return bucket;
	msb = bucket / HIST_SUB + HIST_SUB_BITS - 1;
	shift = msb - HIST_SUB_BITS;
	return (double)((uint64_t)(HIST_SUB + bucket % HIST_SUB) << shift) + (double)(1ull << shift) / 2;
}

/* The start of the line of text that begins with prefix, or NULL. */
static const char *line_starting(const char *text, const char *prefix)
{
	size_t len = strlen(prefix);

	const char *line = text;

	while (*line) {
		if (strncmp(line, prefix, len) == 0)
			return line;
		line = strchr(line, '\n');
		if (!line)
			break;
		line++;
	}
	return NULL;
}

/* The number after key on the line labelled label ("TCP:" "inuse"), or -1. */
static long long labelled_value(const char *text, const char *label, const char *key)
{
	const char *line = line_starting(text, label);
	char name[32];
	long long value;
	int used;

	if (!line)
		return -1;
	line += strlen(label);
	while (sscanf(line, "%31s %lld%n", name, &value, &used) == 2) {
		if (strcmp(name, key) == 0)
			return value;
		line += used;
	}
	return -1;
}

/* Soft and hard of the limits line named name: "%-25s %-20s %-20s %-10s". */
static bool limit_values(const char *text, const char *name, char *soft, char *hard)
{
	char prefix[32];
	const char *line;

	snprintf(prefix, sizeof(prefix), "%s ", name);
	line = line_starting(text, prefix);
	return line && strlen(line) > 26 && sscanf(line + 26, "%20s %20s", soft, hard) == 2;
}

/* NULL if text is what file should read for this group, else why not (in why). */
static const char *content_wrong(enum loadgen_file file, const char *text, char *why, size_t size)
{
	long long got, expect;
	char soft[24], hard[24], number[24];
	const char *field = "", *line;

	switch (file) {
	case FILE_MEMINFO:
		/* "MemTotal:  262144 kB": the value has no key before it. */
		line = line_starting(text, "MemTotal:");
		if (!line || sscanf(line + strlen("MemTotal:"), "%lld", &got) != 1)
			got = -1;
		expect = want.memtotal_kb;
		field = "MemTotal kB";
		break;
	case FILE_SOCKSTAT:
		if ((got = labelled_value(text, "TCP:", "inuse")) != (expect = want.tcp4)) {
			field = "TCP inuse";
		} else if ((got = labelled_value(text, "TCP:", "alloc")) != (expect = want.tcp4 + want.tcp6)) {
			field = "TCP alloc";
		} else {
			got = labelled_value(text, "UDP:", "inuse");
			expect = want.udp4;
			field = "UDP inuse";
		}
		break;
	case FILE_SOCKSTAT6:
		if ((got = labelled_value(text, "TCP6:", "inuse")) != (expect = want.tcp6)) {
			field = "TCP6 inuse";
		} else {
			got = labelled_value(text, "UDP6:", "inuse");
			expect = want.udp6;
			field = "UDP6 inuse";
		}
		break;
	case FILE_NET_TCP:
		got = 0;
		for (const char *c = text; *c; c++)
			got += *c == '\n';
		expect = want.tcp4 + 1;
		field = "lines";
		break;
	case FILE_SELF_LIMITS:
	case FILE_INIT_LIMITS:
		snprintf(number, sizeof(number), "%lld", want.nproc);
		if (!limit_values(text, "Max processes", soft, hard) || strcmp(soft, number) || strcmp(hard, number)) {
			snprintf(why, size, "Max processes not %s %s", number, number);
			return why;
		}
		snprintf(number, sizeof(number), "%lld", want.rss_bytes);
		if (!limit_values(text, "Max resident set", soft, hard) || strcmp(soft, number) ||
		    strcmp(hard, number)) {
			snprintf(why, size, "Max resident set not %s %s", number, number);
			return why;
		}
		return NULL;
	default:
		return "unknown file";
	}
	if (got == expect)
		return NULL;
	snprintf(why, size, "%s %lld, expected %lld", field, got, expect);
	return why;
}

/* Open, read to end of file, close: 0 or -errno, the content in buffer. */
static int read_whole(const char *path, char *buffer, size_t size, const char **step)
{
	size_t len = 0;
	ssize_t n;
	int fd, err;

	*step = "open";
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	*step = "read";
	while ((n = read(fd, buffer + len, size - 1 - len)) > 0) {
		len += (size_t)n;
		if (len == size - 1) {
			close(fd);
			*step = "read (too long)";
			return -EFBIG;
		}
	}
	if (n < 0) {
		err = errno;
		close(fd);
		return -err;
	}
	buffer[len] = '\0';
	*step = "close";
	return close(fd) < 0 ? -errno : 0;
}

/* One checked read of one kind; timed into the histogram when timed. */
static void read_kind(struct reader_stats *stats, int kind, bool timed)
{
	static char buffer[LOADGEN_MAX_BYTES];
	char why[160];
	const char *step, *wrong;
	uint64_t start = now_ns();
	int rc = read_whole(paths[kind], buffer, sizeof(buffer), &step);
	uint64_t took = now_ns() - start;

	if (rc < 0) {
		stats->errors[kind]++;
		if (errors_said++ < LOADGEN_MAX_SAID)
			fprintf(stderr, "loadgen: error: pid %d: %s: %s: %s\n", (int)getpid(), paths[kind], step,
				strerror(-rc));
		return;
	}
	wrong = content_wrong((enum loadgen_file)(kind % FILE_COUNT), buffer, why, sizeof(why));
	if (wrong) {
		stats->wrong[kind]++;
		if (wrong_said++ < LOADGEN_MAX_SAID)
			fprintf(stderr, "loadgen: wrong: pid %d: %s: %s; read:\n%s\n", (int)getpid(), paths[kind],
				wrong, buffer);
	}
	if (timed) {
		stats->reads[kind]++;
		stats->hist[kind][hist_bucket(took)]++;
	}
}

/* proc/self is the reader's own pid in its namespace: wrong content of self/limits if not. */
static void check_self_link(struct reader_stats *stats)
{
	char target[64], expect[24];

	snprintf(expect, sizeof(expect), "%d", (int)getpid());
	for (int scope = 0; scope < SCOPE_COUNT; scope++) {
		ssize_t n = readlink(self_link[scope], target, sizeof(target) - 1);
		int kind = scope * FILE_COUNT + FILE_SELF_LIMITS;

		if (n < 0) {
			stats->errors[kind]++;
			fprintf(stderr, "loadgen: error: pid %d: readlink %s: %s\n", (int)getpid(), self_link[scope],
				strerror(errno));
			continue;
		}
		target[n] = '\0';
		if (strcmp(target, expect) != 0) {
			stats->wrong[kind]++;
			fprintf(stderr, "loadgen: wrong: %s is %s, expected %s\n", self_link[scope], target, expect);
		}
	}
}

/* Block until the first process closes the pipe's other end. */
static void wait_for_close(int fd)
{
	char byte;

	while (read(fd, &byte, 1) < 0 && errno == EINTR)
		;
	close(fd);
}

static void reader_run(struct reader_stats *stats, long passes, long seconds, int warm_fd, int go_fd)
{
	uint64_t deadline;

	wait_for_close(warm_fd);
	check_self_link(stats);
	for (long pass = 0; pass < passes; pass++)
		for (int kind = 0; kind < KIND_COUNT; kind++)
			read_kind(stats, kind, false);
	__atomic_store_n(&stats->warmed, 1, __ATOMIC_RELEASE);
	wait_for_close(go_fd);
	stats->start_ns = now_ns();
	deadline = stats->start_ns + (uint64_t)seconds * 1000000000u;
	/* Every file once a pass, so all are read as often, until the time is up. */
	do {
		for (int kind = 0; kind < KIND_COUNT; kind++)
			read_kind(stats, kind, true);
	} while (now_ns() < deadline);
	stats->end_ns = now_ns();
	_exit(0);
}

/* Sockets of the group's namespace on loopback, held by the first process. */
static int open_sockets(int family, int type, long long count, int *fds, int held)
{
	struct sockaddr_in v4 = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr_in6 v6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };

	for (long long i = 0; i < count; i++) {
		int fd = socket(family, type | SOCK_CLOEXEC, 0);

		if (fd < 0)
			die("socket");
		if (family == AF_INET ? bind(fd, (struct sockaddr *)&v4, sizeof(v4))
				      : bind(fd, (struct sockaddr *)&v6, sizeof(v6)))
			die("bind to loopback (is lo up?)");
		if (type == SOCK_STREAM && listen(fd, 4) < 0)
			die("listen");
		fds[held++] = fd;
	}
	return held;
}

/* Poll for a file the test makes: one process polls, the readers block on a pipe. */
static void wait_for_file(const char *path)
{
	const struct timespec tick = { 0, 10 * 1000 * 1000 };
	struct stat st;

	while (stat(path, &st) < 0)
		nanosleep(&tick, NULL);
}

static int usage(void)
{
	fprintf(stderr, "usage: loadgen run [-d SECONDS] [-r READERS] [-w PASSES] [-t SECONDS] [-x] -a WARMFILE -g GOFILE\n"
			"                   -s TCP4,UDP4,TCP6,UDP6 -m KB -p NPROC -l BYTES MOUNT NAME\n"
			"       loadgen report FILE...\n");
	return 2;
}

static int mode_run(int argc, char **argv)
{
	long seconds = 30, readers = 4, passes = 20, timeout = 600;
	const char *go_file = NULL, *warm_file = NULL, *sockets = NULL;
	int warm_pipe[2], go_pipe[2];
	char self[32];
	ssize_t self_len;
	static int held[4 * LOADGEN_MAX_SOCKETS];
	struct reader_stats *stats;
	pid_t pids[LOADGEN_MAX_READERS];
	int opt, nheld = 0, ok = 0;
	bool off_by_one = false;
	uint64_t start = UINT64_MAX, end = 0;

	want.memtotal_kb = want.nproc = want.rss_bytes = -1;
	while ((opt = getopt(argc, argv, "d:r:w:t:a:g:s:m:p:l:x")) != -1) {
		switch (opt) {
		case 'd': seconds = (long)parse_number(optarg, 3600); break;
		case 'r': readers = (long)parse_number(optarg, LOADGEN_MAX_READERS); break;
		case 'w': passes = (long)parse_number(optarg, 100000); break;
		case 't': timeout = (long)parse_number(optarg, 36000); break;
		case 'a': warm_file = optarg; break;
		case 'g': go_file = optarg; break;
		case 's': sockets = optarg; break;
		case 'm': want.memtotal_kb = parse_number(optarg, LLONG_MAX - 1); break;
		case 'p': want.nproc = parse_number(optarg, LLONG_MAX - 1); break;
		case 'l': want.rss_bytes = parse_number(optarg, LLONG_MAX - 1); break;
		case 'x': off_by_one = true; break;
		default: return usage();
		}
	}
	if (argc - optind != 2 || !warm_file || !go_file || !sockets || want.memtotal_kb < 0 || want.nproc < 0 ||
	    want.rss_bytes < 0 || readers < 1)
		return usage();
	if (sscanf(sockets, "%lld,%lld,%lld,%lld", &want.tcp4, &want.udp4, &want.tcp6, &want.udp6) != 4 ||
	    want.tcp4 < 0 || want.udp4 < 0 || want.tcp6 < 0 || want.udp6 < 0 || want.tcp4 > LOADGEN_MAX_SOCKETS ||
	    want.udp4 > LOADGEN_MAX_SOCKETS || want.tcp6 > LOADGEN_MAX_SOCKETS || want.udp6 > LOADGEN_MAX_SOCKETS)
		return usage();
	if (strlen(argv[optind]) + strlen(argv[optind + 1]) > PATH_MAX / 4)
		return usage();
	for (int scope = 0; scope < SCOPE_COUNT; scope++) {
		char base[PATH_MAX / 2];

		if (scope == SCOPE_TOP)
			snprintf(base, sizeof(base), "%s", argv[optind]);
		else
			snprintf(base, sizeof(base), "%s/c/%s", argv[optind], argv[optind + 1]);
		snprintf(self_link[scope], sizeof(self_link[scope]), "%s/proc/self", base);
		for (int file = 0; file < FILE_COUNT; file++)
			snprintf(paths[scope * FILE_COUNT + file], PATH_MAX, "%s/%s", base, file_paths[file]);
	}

	signal(SIGTERM, on_stop);
	signal(SIGINT, on_stop);
	signal(SIGALRM, on_stop);
	alarm((unsigned)timeout);
	nheld = open_sockets(AF_INET, SOCK_STREAM, want.tcp4, held, nheld);
	nheld = open_sockets(AF_INET, SOCK_DGRAM, want.udp4, held, nheld);
	nheld = open_sockets(AF_INET6, SOCK_STREAM, want.tcp6, held, nheld);
	nheld = open_sockets(AF_INET6, SOCK_DGRAM, want.udp6, held, nheld);
	if (off_by_one) {
		/* The control: a checker that cannot fail would pass this. */
		want.memtotal_kb++;
		want.tcp4++;
		want.udp6++;
		want.nproc++;
		want.rss_bytes++;
	}

	stats = mmap(NULL, sizeof(*stats) * (size_t)readers, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (stats == MAP_FAILED)
		die("mmap");
	if (pipe2(warm_pipe, O_CLOEXEC) < 0 || pipe2(go_pipe, O_CLOEXEC) < 0)
		die("pipe");
	fflush(NULL);
	for (long i = 0; i < readers; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			die("fork");
		if (pids[i] == 0) {
			/* A reader holds no socket: the namespace's are the first process's. */
			for (int s = 0; s < nheld; s++)
				close(held[s]);
			close(warm_pipe[1]);
			close(go_pipe[1]);
			signal(SIGTERM, SIG_DFL);
			signal(SIGINT, SIG_DFL);
			reader_run(&stats[i], passes, seconds, warm_pipe[0], go_pipe[0]);
		}
	}
	close(warm_pipe[0]);
	close(go_pipe[0]);
	/* Our pid as the host numbers it: /proc here is the host's. */
	self_len = readlink("/proc/self", self, sizeof(self) - 1);
	self[self_len > 0 ? self_len : 0] = '\0';
	printf("started %s\n", self);
	fflush(stdout);
	wait_for_file(warm_file);
	close(warm_pipe[1]);
	for (long i = 0; i < readers; i++) {
		const struct timespec tick = { 0, 10 * 1000 * 1000 };
		int status;

		/* A reader that dies in its warm-up must not leave us waiting for it. */
		while (!__atomic_load_n(&stats[i].warmed, __ATOMIC_ACQUIRE) && waitpid(pids[i], &status, WNOHANG) == 0)
			nanosleep(&tick, NULL);
	}
	printf("ready\n");
	fflush(stdout);
	wait_for_file(go_file);
	close(go_pipe[1]);
	for (long i = 0; i < readers; i++) {
		int status;

		while (waitpid(pids[i], &status, 0) < 0 && errno == EINTR)
			;
		ok += WIFEXITED(status) && WEXITSTATUS(status) == 0;
	}

	for (long i = 0; i < readers; i++) {
		if (stats[i].start_ns && stats[i].start_ns < start)
			start = stats[i].start_ns;
		if (stats[i].end_ns > end)
			end = stats[i].end_ns;
	}
	printf("span %llu %llu\n", (unsigned long long)(start == UINT64_MAX ? 0 : start), (unsigned long long)end);
	printf("readers %ld ok %d\n", readers, ok);
	for (int kind = 0; kind < KIND_COUNT; kind++) {
		uint64_t reads = 0, errors = 0, wrong = 0;
		const char *scope = scope_names[kind / FILE_COUNT], *file = file_paths[kind % FILE_COUNT];

		for (long i = 0; i < readers; i++) {
			reads += stats[i].reads[kind];
			errors += stats[i].errors[kind];
			wrong += stats[i].wrong[kind];
		}
		printf("kind %s %s reads %llu errors %llu wrong %llu\n", scope, file, (unsigned long long)reads,
		       (unsigned long long)errors, (unsigned long long)wrong);
		for (unsigned b = 0; b < HIST_BUCKETS; b++) {
			uint64_t count = 0;

			for (long i = 0; i < readers; i++)
				count += stats[i].hist[kind][b];
			if (count)
				printf("hist %s %s %u %llu\n", scope, file, b, (unsigned long long)count);
		}
	}
	printf("done\n");
	fflush(stdout);
	/* Hold the sockets, and so the namespaces, until told to stop. */
	for (;;)
		pause();
}

/* The value below which a fraction of the counts lie, in microseconds. */
static double percentile_us(const uint64_t *hist, uint64_t total, double fraction)
{
	uint64_t rank = (uint64_t)((double)total * fraction), seen = 0;

	if (rank >= total)
		rank = total - 1;
	for (unsigned b = 0; b < HIST_BUCKETS; b++) {
		seen += hist[b];
		if (seen > rank)
			return hist_value(b) / 1000.0;
	}
	return 0;
}

static int mode_report(int argc, char **argv)
{
	static uint64_t hist[KIND_COUNT][HIST_BUCKETS];
	uint64_t reads[KIND_COUNT] = { 0 }, errors[KIND_COUNT] = { 0 }, wrong[KIND_COUNT] = { 0 };
	uint64_t start = UINT64_MAX, end = 0, total = 0, total_errors = 0, total_wrong = 0;
	long groups = 0, readers = 0, readers_ok = 0;
	char line[512];

	for (int i = 1; i < argc; i++) {
		FILE *in = fopen(argv[i], "r");

		if (!in)
			die(argv[i]);
		while (fgets(line, sizeof(line), in)) {
			char scope[8], file[64];
			unsigned long long a, b, c;
			long r, ok;

			if (sscanf(line, "span %llu %llu", &a, &b) == 2) {
				groups++;
				if (a && a < start)
					start = a;
				if (b > end)
					end = b;
			} else if (sscanf(line, "readers %ld ok %ld", &r, &ok) == 2) {
				readers += r;
				readers_ok += ok;
			} else if (sscanf(line, "kind %7s %63s reads %llu errors %llu wrong %llu", scope, file, &a, &b,
					  &c) == 5 ||
				   sscanf(line, "hist %7s %63s %llu %llu", scope, file, &a, &b) == 4) {
				int kind = -1;

				for (int k = 0; k < KIND_COUNT; k++)
					if (strcmp(scope, scope_names[k / FILE_COUNT]) == 0 &&
					    strcmp(file, file_paths[k % FILE_COUNT]) == 0)
						kind = k;
				if (kind < 0)
					continue;
				if (line[0] == 'k') {
					reads[kind] += a;
					errors[kind] += b;
					wrong[kind] += c;
				} else if (a < HIST_BUCKETS) {
					hist[kind][a] += b;
				}
			}
		}
		fclose(in);
	}
	if (!groups) {
		fprintf(stderr, "loadgen: report: no group's results\n");
		return 1;
	}
	printf("%-26s %9s %6s %6s %9s %9s %9s\n", "file", "reads", "errors", "wrong", "p50 us", "p99 us", "max us");
	for (int kind = 0; kind < KIND_COUNT; kind++) {
		char name[64];
		double max = 0;

		for (unsigned b = 0; b < HIST_BUCKETS; b++)
			if (hist[kind][b])
				max = hist_value(b) / 1000.0;
		snprintf(name, sizeof(name), "%s%s", kind / FILE_COUNT == SCOPE_TOP ? "" : "c/<group>/",
			 file_paths[kind % FILE_COUNT]);
		if (reads[kind])
			printf("%-26s %9llu %6llu %6llu %9.0f %9.0f %9.0f\n", name, (unsigned long long)reads[kind],
			       (unsigned long long)errors[kind], (unsigned long long)wrong[kind],
			       percentile_us(hist[kind], reads[kind], 0.50), percentile_us(hist[kind], reads[kind], 0.99),
			       max);
		else
			printf("%-26s %9d %6llu %6llu %9s %9s %9s\n", name, 0, (unsigned long long)errors[kind],
			       (unsigned long long)wrong[kind], "-", "-", "-");
		total += reads[kind];
		total_errors += errors[kind];
		total_wrong += wrong[kind];
	}
	printf("groups %ld readers %ld ok %ld\n", groups, readers, readers_ok);
	printf("total reads %llu errors %llu wrong %llu seconds %.1f reads/s %.0f\n", (unsigned long long)total,
	       (unsigned long long)total_errors, (unsigned long long)total_wrong,
	       end > start ? (double)(end - start) / 1e9 : 0.0,
	       end > start ? (double)total * 1e9 / (double)(end - start) : 0.0);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "run") == 0)
		return mode_run(argc - 1, argv + 1);
	if (argc >= 3 && strcmp(argv[1], "report") == 0)
		return mode_report(argc - 1, argv + 1);
	return usage();
}
