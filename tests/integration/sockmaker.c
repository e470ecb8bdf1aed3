/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sockmaker.c - make loopback sockets of given kinds, say "ready", hold them until signalled. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/*
 * Usage: sockmaker [-t SECONDS] KIND...
 * KIND is one of listen, pair, timewait, orphan, neverbound, bound, udp, raw,
 * followed by 4 or 6 (e.g. pair6). Holds the sockets until SIGTERM, SIGINT or
 * SECONDS (default 120) have passed, so a failed test never leaves it behind.
 */

static void die(const char *what)
{
	fprintf(stderr, "sockmaker: %s: %s\n", what, strerror(errno));
	exit(2);
}

static int family_of(char digit)
{
	return digit == '6' ? AF_INET6 : AF_INET;
}

/* The loopback address of family, port 0 unless given. */
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

static int make_socket(int family, int type, int protocol)
{
	int fd = socket(family, type, protocol);

	if (fd < 0)
		die("socket");
	return fd;
}

static void bind_loopback(int fd, int family)
{
	struct sockaddr_storage ss;
	socklen_t len = loopback(family, &ss, 0);

	if (bind(fd, (struct sockaddr *)&ss, len) < 0)
		die("bind");
}

/* A listening socket; rcvbuf > 0 sets the receive buffer its children get. */
static int make_listener(int family, int rcvbuf)
{
	int fd = make_socket(family, SOCK_STREAM, 0);

	if (rcvbuf > 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) < 0)
		die("SO_RCVBUF");
	bind_loopback(fd, family);
	if (listen(fd, 16) < 0)
		die("listen");
	return fd;
}

/* Connect a new socket to listener; the accepted end goes to *accepted. */
static int connect_to(int listener, int family, int *accepted)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int fd = make_socket(family, SOCK_STREAM, 0);

	if (getsockname(listener, (struct sockaddr *)&ss, &len) < 0)
		die("getsockname");
	if (connect(fd, (struct sockaddr *)&ss, len) < 0)
		die("connect");
	*accepted = accept(listener, NULL, NULL);
	if (*accepted < 0)
		die("accept");
	return fd;
}

/* Client closes first, then the server: the client's end waits in TIME_WAIT. */
static void make_timewait(int family)
{
	int listener = make_listener(family, 0);
	int server, client = connect_to(listener, family, &server);
	char byte;

	close(client);
	/* The server sees the FIN as end of file, then closes its side. */
	if (read(server, &byte, 1) != 0)
		die("read");
	close(server);
	close(listener);
}

/*
 * The peer never reads and its window is full: closing the sender leaves its
 * unsent data queued, and the socket stays, orphaned, in FIN_WAIT1.
 */
static void make_orphan(int family)
{
	int listener = make_listener(family, 4096);
	int receiver, sender = connect_to(listener, family, &receiver);
	static char chunk[65536];

	close(listener);
	if (fcntl(sender, F_SETFL, O_NONBLOCK) < 0)
		die("fcntl");
	for (int i = 0; i < 4096; i++) {
		if (write(sender, chunk, sizeof(chunk)) < 0) {
			if (errno == EAGAIN)
				break;
			die("write");
		}
	}
	close(sender);
	(void)receiver;	/* held open, never read */
}

/* A bound UDP socket with one datagram waiting in its receive queue. */
static void make_udp(int family)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int fd = make_socket(family, SOCK_DGRAM, 0);

	bind_loopback(fd, family);
	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		die("getsockname");
	if (sendto(fd, "proclens", 8, 0, (struct sockaddr *)&ss, len) != 8)
		die("sendto");
}

static void make_kind(const char *kind)
{
	size_t len = strlen(kind);
	int family, fd, other;

	if (len < 2 || (kind[len - 1] != '4' && kind[len - 1] != '6')) {
		fprintf(stderr, "sockmaker: unknown kind '%s'\n", kind);
		exit(2);
	}
	family = family_of(kind[len - 1]);
	len--;
	if (strncmp(kind, "listen", len) == 0 && len == 6) {
		make_listener(family, 0);
	} else if (strncmp(kind, "pair", len) == 0 && len == 4) {
		connect_to(make_listener(family, 0), family, &other);
	} else if (strncmp(kind, "timewait", len) == 0 && len == 8) {
		make_timewait(family);
	} else if (strncmp(kind, "orphan", len) == 0 && len == 6) {
		make_orphan(family);
	} else if (strncmp(kind, "neverbound", len) == 0 && len == 10) {
		make_socket(family, SOCK_STREAM, 0);
	} else if (strncmp(kind, "bound", len) == 0 && len == 5) {
		fd = make_socket(family, SOCK_STREAM, 0);
		bind_loopback(fd, family);
	} else if (strncmp(kind, "udp", len) == 0 && len == 3) {
		make_udp(family);
	} else if (strncmp(kind, "raw", len) == 0 && len == 3) {
		make_socket(family, SOCK_RAW, family == AF_INET6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP);
	} else {
		fprintf(stderr, "sockmaker: unknown kind '%s'\n", kind);
		exit(2);
	}
}

static void on_signal(int sig)
{
	(void)sig;
	_exit(0);
}

int main(int argc, char **argv)
{
	unsigned seconds = 120;
	int i = 1;

	if (argc > 2 && strcmp(argv[1], "-t") == 0) {
		seconds = (unsigned)atoi(argv[2]);
		i = 3;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGALRM, on_signal);
	for (; i < argc; i++)
		make_kind(argv[i]);
	/* Let loopback finish the handshakes and closes started above. */
	usleep(200000);
	printf("ready\n");
	fflush(stdout);
	alarm(seconds);
	for (;;)
		pause();
}
