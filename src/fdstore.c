/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fdstore.c - the FUSE connection kept by systemd across a crash (sd_notify FDSTORE=1). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "fdstore.h"

/* The first descriptor a service manager passes (sd_listen_fds(3)). */
#define FDSTORE_LISTEN_START 3

bool fdstore_available(void)
{
	const char *path = getenv("NOTIFY_SOCKET");

	return path && (path[0] == '/' || path[0] == '@');
}

/* One datagram to $NOTIFY_SOCKET, with fd attached if fd >= 0 (sd_notify(3)'s protocol). */
static int fdstore_notify(const char *message, int fd)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	union {
		struct cmsghdr header;
		char space[CMSG_SPACE(sizeof(int))];
	} control;
	struct iovec iov = { .iov_base = (void *)message, .iov_len = strlen(message) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	socklen_t len;
	int sock, rc = 0;

	if (!path || strlen(path) >= sizeof(addr.sun_path) || (path[0] != '/' && path[0] != '@'))
		return -ENOENT;
	memcpy(addr.sun_path, path, strlen(path));
	/* An abstract socket: '@' stands for the leading NUL. */
	if (path[0] == '@')
		addr.sun_path[0] = '\0';
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path));
	msg.msg_name = &addr;
	msg.msg_namelen = len;
	if (fd >= 0) {
		struct cmsghdr *cmsg;

		memset(&control, 0, sizeof(control));
		msg.msg_control = control.space;
		msg.msg_controllen = sizeof(control.space);
		cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	}
	sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return -errno;
	if (sendmsg(sock, &msg, MSG_NOSIGNAL) < 0)
		rc = -errno;
	close(sock);
	return rc;
}

int fdstore_add(int fd, const char *name)
{
	char message[128];

	snprintf(message, sizeof(message), "FDSTORE=1\nFDNAME=%s\n", name);
	return fdstore_notify(message, fd);
}

int fdstore_remove(const char *name)
{
	char message[128];

	snprintf(message, sizeof(message), "FDSTOREREMOVE=1\nFDNAME=%s\n", name);
	return fdstore_notify(message, -1);
}

int fdstore_take(int *fuse_fd, int *state_fd)
{
	const char *pid = getenv("LISTEN_PID"), *count = getenv("LISTEN_FDS");
	const char *names = getenv("LISTEN_FDNAMES");
	long n = 0;
	char *end;

	*fuse_fd = *state_fd = -1;
	if (!pid || !count || strtol(pid, &end, 10) != (long)getpid() || *end)
		return 0;
	n = strtol(count, &end, 10);
	if (*end || n < 0 || n > 64)
		n = 0;
	for (long i = 0; i < n; i++) {
		int fd = FDSTORE_LISTEN_START + (int)i;
		size_t len = names ? strcspn(names, ":") : 0;

		if (len == 4 && strncmp(names, "fuse", 4) == 0 && *fuse_fd < 0)
			*fuse_fd = fd;
		else if (len == 5 && strncmp(names, "state", 5) == 0 && *state_fd < 0)
			*state_fd = fd;
		else
			close(fd);
		if (names)
			names = names[len] ? names + len + 1 : names + len;
	}
	if (*fuse_fd >= 0)
		fcntl(*fuse_fd, F_SETFD, FD_CLOEXEC);
	if (*state_fd >= 0)
		fcntl(*state_fd, F_SETFD, FD_CLOEXEC);
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	return *fuse_fd >= 0 && *state_fd >= 0;
}
