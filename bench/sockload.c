/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sockload.c - socket load for proclens's sockstat benchmark: in the network
 * namespace it runs in, make COUNT loopback sockets of the kinds a server
 * holds (listeners, established pairs, bound UDP sockets), print "ready" and
 * hold them until signalled or until its time limit passes.
 *
 * Usage: sockload [-n COUNT] [-t SECONDS]
 * COUNT (default 10, at most 100000) is split: 1 listener per 100 sockets (at
 * least 1), a quarter UDP sockets, the rest established loopback pairs (the
 * connecting end and the accepted end); an odd socket left over is a UDP one.
 * IPv4 and IPv6 alternate.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define SOCKLOAD_MAX_COUNT 100000L
#define SOCKLOAD_MAX_SECONDS 3600L
#define SOCKLOAD_BACKLOG 4096

static volatile sig_atomic_t sockload_stop;

static void sockload_on_signal(int sig)
{
	(void)sig;
	sockload_stop = 1;
}

static void die(const char *what)
{
	fprintf(stderr, "sockload: %s: %s\n", what, strerror(errno));
	exit(2);
}

static socklen_t loopback(int family, struct sockaddr_storage *ss, in_port_t port)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = in6addr_loopback;
		sin6->sin6_port = port;
		return sizeof(*sin6);
	}
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;

	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin->sin_port = port;
	return sizeof(*sin);
}

/* A socket bound to the loopback address of family, any port. */
static int bound_socket(int family, int type)
{
	struct sockaddr_storage ss;
	socklen_t len = loopback(family, &ss, 0);
	int fd = socket(family, type | SOCK_CLOEXEC, 0);

	if (fd < 0)
		die("socket");
	if (bind(fd, (struct sockaddr *)&ss, len) < 0)
		die("bind");
	return fd;
}

static in_port_t port_of(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		die("getsockname");
	return ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
					: ((struct sockaddr_in *)&ss)->sin_port;
}

static long parse_long(const char *text, long max)
{
	char *end;
	long value;

	errno = 0;
	value = strtol(text, &end, 10);
	if (errno || end == text || *end || value < 1 || value > max) {
		fprintf(stderr, "sockload: %s: expected 1 to %ld\n", text, max);
		exit(2);
	}
	return value;
}

int main(int argc, char **argv)
{
	long count = 10, seconds = 120, listeners, udp, pairs, made = 0;
	int listener[2] = { -1, -1 };
	struct rlimit nofile;
	struct sigaction sa;
	int opt;

	while ((opt = getopt(argc, argv, "n:t:")) != -1) {
		if (opt == 'n')
			count = parse_long(optarg, SOCKLOAD_MAX_COUNT);
		else if (opt == 't')
			seconds = parse_long(optarg, SOCKLOAD_MAX_SECONDS);
		else
			return 2;
	}
	nofile.rlim_cur = nofile.rlim_max = (rlim_t)count + 64;
	if (setrlimit(RLIMIT_NOFILE, &nofile) < 0 &&
	    (getrlimit(RLIMIT_NOFILE, &nofile) < 0 || nofile.rlim_cur < (rlim_t)count + 64))
		die("setrlimit");

	listeners = count / 100 > 0 ? count / 100 : 1;
	udp = count / 4;
	pairs = (count - listeners - udp) / 2;
	udp = count - listeners - 2 * pairs;

	for (long i = 0; i < listeners; i++) {
		int fd = bound_socket(i % 2 ? AF_INET6 : AF_INET, SOCK_STREAM);

		if (listen(fd, SOCKLOAD_BACKLOG) < 0)
			die("listen");
		if (i < 2)
			listener[i] = fd;
		made++;
	}
	/* Connect, then accept, a batch at a time so no backlog overflows. */
	for (long i = 0; i < pairs; i++) {
		int family = listener[1] >= 0 && i % 2 ? AF_INET6 : AF_INET;
		int server = listener[family == AF_INET6 ? 1 : 0];
		struct sockaddr_storage ss;
		socklen_t len = loopback(family, &ss, port_of(server));
		int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (fd < 0)
			die("socket");
		if (connect(fd, (struct sockaddr *)&ss, len) < 0)
			die("connect");
		if (accept4(server, NULL, NULL, SOCK_CLOEXEC) < 0)
			die("accept");
		made += 2;
	}
	for (long i = 0; i < udp; i++) {
		bound_socket(i % 2 ? AF_INET6 : AF_INET, SOCK_DGRAM);
		made++;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = sockload_on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
	alarm((unsigned)seconds);
	printf("ready %ld sockets: %ld listening, %ld established pairs, %ld udp\n", made,
	       listeners, pairs, udp);
	fflush(stdout);
	while (!sockload_stop)
		pause();
	return 0;
}
