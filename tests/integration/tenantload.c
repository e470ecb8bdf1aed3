/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tenantload.c - what a hostile tenant does to a shared proclens: hold files open, hold sockets, swap descriptors. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/*
 * Usage: tenantload [-t SECONDS] MODE ARGS
 *
 *   hold COUNT BYTES PATH  open PATH COUNT times (stopping at the first
 *                          failure), read BYTES from each, keep them open;
 *                          prints "opened N", then "error MESSAGE" if an open
 *                          failed, then "ready". On SIGUSR1 closes them all,
 *                          opens and reads PATH once more, prints "reopened"
 *                          or "reopen error MESSAGE", and exits.
 *   pairs COUNT            COUNT established TCP pairs on 127.0.0.1 through
 *                          one listener; prints "ready" and holds them.
 *   swap COUNT FILE        COUNT never-bound TCP sockets, each on its own
 *                          descriptor number that is swapped, over and over
 *                          (dup2), between the socket and an O_PATH
 *                          descriptor of FILE; prints "ready" once started
 *                          and "swapped N" when it stops.
 *
 * Every mode ends on SIGTERM or SIGINT or after SECONDS (default 60), so a
 * failed test never leaves it behind. Raises its own soft open-file limit
 * to the hard one when COUNT needs more.
 */

static volatile sig_atomic_t tenant_stop, tenant_release;

static void tenant_on_stop(int sig)
{
	(void)sig;
	tenant_stop = 1;
}

static void tenant_on_release(int sig)
{
	(void)sig;
	tenant_release = 1;
}

static void die(const char *what)
{
	fprintf(stderr, "tenantload: %s: %s\n", what, strerror(errno));
	exit(2);
}

static long parse_count(const char *text, long max)
{
	char *end;
	long value;

	errno = 0;
	value = strtol(text, &end, 10);
	if (errno || end == text || *end || value < 0 || value > max) {
		fprintf(stderr, "tenantload: bad count '%s' (0 to %ld)\n", text, max);
		exit(2);
	}
	return value;
}

/* Room for need more descriptors, raised up to the hard limit if needed. */
static void raise_fd_limit(long need)
{
	struct rlimit limit;

	if (getrlimit(RLIMIT_NOFILE, &limit) < 0)
		die("getrlimit");
	if (limit.rlim_cur != RLIM_INFINITY && (rlim_t)need + 64 > limit.rlim_cur) {
		limit.rlim_cur = limit.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &limit) < 0)
			die("setrlimit");
	}
	if (limit.rlim_cur != RLIM_INFINITY && (rlim_t)need + 64 > limit.rlim_cur) {
		fprintf(stderr, "tenantload: needs %ld descriptors, the hard limit is %llu\n",
			need + 64, (unsigned long long)limit.rlim_max);
		exit(3);
	}
}

static void say(const char *text)
{
	printf("%s\n", text);
	fflush(stdout);
}

/* Sleep until a signal says stop (or release); polled, so no signal is missed. */
static void wait_until_stopped(void)
{
	const struct timespec tick = { 0, 50 * 1000 * 1000 };

	while (!tenant_stop && !tenant_release)
		nanosleep(&tick, NULL);
}

/* Open and read bytes of path; 0 or -errno. */
static int open_and_read(const char *path, long bytes, int *fd_out)
{
	char buffer[4096];
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while (bytes > 0) {
		ssize_t n = read(fd, buffer, bytes < (long)sizeof(buffer) ? (size_t)bytes : sizeof(buffer));

		if (n < 0) {
			int rc = -errno;

			close(fd);
			return rc;
		}
		if (n == 0)
			break;
		bytes -= n;
	}
	*fd_out = fd;
	return 0;
}

static int mode_hold(long count, long bytes, const char *path)
{
	int *fds = calloc((size_t)count + 1, sizeof(*fds));
	long opened = 0;
	int rc = 0, fd;

	if (!fds)
		die("calloc");
	raise_fd_limit(count);
	while (opened < count) {
		rc = open_and_read(path, bytes, &fds[opened]);
		if (rc < 0)
			break;
		opened++;
	}
	printf("opened %ld\n", opened);
	if (rc < 0)
		printf("error %s\n", strerror(-rc));
	say("ready");
	wait_until_stopped();
	if (!tenant_release)
		return 0;
	for (long i = 0; i < opened; i++)
		close(fds[i]);
	free(fds);
	rc = open_and_read(path, bytes ? bytes : 1, &fd);
	if (rc < 0) {
		printf("reopen error %s\n", strerror(-rc));
		return 1;
	}
	close(fd);
	say("reopened");
	return 0;
}

static int mode_pairs(long count)
{
	struct sockaddr_in addr;
	socklen_t len = sizeof(addr);
	int listener;

	raise_fd_limit(2 * count + 1);
	listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (listener < 0)
		die("socket");
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(listener, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    listen(listener, 4096) < 0 || getsockname(listener, (struct sockaddr *)&addr, &len) < 0)
		die("listener on 127.0.0.1");
	for (long i = 0; i < count && !tenant_stop; i++) {
		int client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (client < 0)
			die("socket");
		if (connect(client, (struct sockaddr *)&addr, len) < 0)
			die("connect");
		if (accept4(listener, NULL, NULL, SOCK_CLOEXEC) < 0)
			die("accept");
	}
	say("ready");
	wait_until_stopped();
	return 0;
}

/* The first descriptor number the swapped ones take: above anything else held. */
#define TENANT_SWAP_FIRST_FD 200

static int mode_swap(long count, const char *file)
{
	int *sockets = calloc((size_t)count + 1, sizeof(*sockets));
	unsigned long long swaps = 0;
	int pinned;

	if (!sockets)
		die("calloc");
	raise_fd_limit(TENANT_SWAP_FIRST_FD + 3 * count);
	/* O_PATH: the file system is asked nothing, so the stalled one lets us have it. */
	pinned = open(file, O_PATH | O_CLOEXEC);
	if (pinned < 0)
		die(file);
	for (long i = 0; i < count; i++) {
		/* Never bound: only the walk of the fds finds such a TCP socket. */
		int fd = socket(i % 2 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

		/*
		 * Kept above the swapped numbers: a walk of /proc/<pid>/fd goes
		 * up from 0 and looks at each socket once, so it must meet the
		 * socket first where it is swapped.
		 */
		sockets[i] = TENANT_SWAP_FIRST_FD + 2 * (int)count + (int)i;
		if (fd < 0 || dup2(fd, sockets[i]) < 0)
			die("socket");
		close(fd);
	}
	say("ready");
	/* All sockets in, then all files: each number is a socket half the time. */
	while (!tenant_stop) {
		for (long i = 0; i < count; i++)
			if (dup2(sockets[i], TENANT_SWAP_FIRST_FD + (int)i) < 0)
				die("dup2");
		for (long i = 0; i < count; i++)
			if (dup2(pinned, TENANT_SWAP_FIRST_FD + (int)i) < 0)
				die("dup2");
		swaps += (unsigned long long)count;
	}
	printf("swapped %llu\n", swaps);
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned seconds = 60;
	int i = 1;

	if (argc > 2 && strcmp(argv[1], "-t") == 0) {
		seconds = (unsigned)parse_count(argv[2], 3600);
		i = 3;
	}
	signal(SIGTERM, tenant_on_stop);
	signal(SIGINT, tenant_on_stop);
	signal(SIGALRM, tenant_on_stop);
	signal(SIGUSR1, tenant_on_release);
	alarm(seconds ? seconds : 1);
	if (argc - i == 4 && strcmp(argv[i], "hold") == 0)
		return mode_hold(parse_count(argv[i + 1], 1000000), parse_count(argv[i + 2], 1 << 20),
				 argv[i + 3]);
	if (argc - i == 2 && strcmp(argv[i], "pairs") == 0)
		return mode_pairs(parse_count(argv[i + 1], 100000));
	if (argc - i == 3 && strcmp(argv[i], "swap") == 0)
		return mode_swap(parse_count(argv[i + 1], 10000), argv[i + 2]);
	fprintf(stderr, "usage: tenantload [-t SECONDS] hold COUNT BYTES PATH | pairs COUNT | swap COUNT FILE\n");
	return 2;
}
