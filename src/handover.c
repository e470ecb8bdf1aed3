/* SPDX-License-Identifier: GPL-2.0-or-later */
/* handover.c - a live upgrade: the running daemon re-executes the installed one on its own connection. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "handover.h"
#include "log.h"

/*
 * The FUSE connection is a descriptor: the kernel keeps the mount, every
 * bind mount of it in containers and every open file alive as long as one
 * process holds it. A reload (SIGHUP, `systemctl reload`, the package's
 * postinst) drains the workers (session_drain(): each answers the request
 * it holds, the rest wait in the kernel), writes what the kernel holds
 * numbers of to a memfd, and execs the daemon now installed at the path it
 * was started from, same pid, same arguments, with both descriptors open.
 * The new image replays INIT and serves the queue: readers see a pause of
 * a few milliseconds, never an error.
 *
 * The state, text, first lines fixed:
 *
 *     proclens-handover 1
 *     fuse <fd>
 *     epoch <n>
 *     init <hex bytes of the kernel's INIT request>
 *     mount <hex bytes of the mount point's path>
 *     <fs_state_save() lines>
 */
#define HANDOVER_MAGIC "proclens-handover 1"

static char handover_exe[PATH_MAX];

int handover_remember_exe(void)
{
	ssize_t len = readlink("/proc/self/exe", handover_exe, sizeof(handover_exe) - 1);
	static const char deleted[] = " (deleted)";

	if (len < 0)
		return -errno;
	handover_exe[len] = '\0';
	/* Started from a file replaced since (an upgrade before this start): its path. */
	if ((size_t)len > sizeof(deleted) - 1 &&
	    strcmp(handover_exe + len - (sizeof(deleted) - 1), deleted) == 0)
		handover_exe[len - (sizeof(deleted) - 1)] = '\0';
	return 0;
}

static void handover_hex(FILE *out, const unsigned char *bytes, size_t len)
{
	for (size_t i = 0; i < len; i++)
		fprintf(out, "%02x", bytes[i]);
	fputc('\n', out);
}

static int handover_write(FILE *out, int fuse_fd, const char *mountpoint, uint16_t epoch,
			  const struct session_init *init, struct fs *fs)
{
	fprintf(out, HANDOVER_MAGIC "\nfuse %d\nepoch %u\ninit ", fuse_fd, (unsigned)epoch);
	handover_hex(out, init->bytes, init->len);
	fputs("mount ", out);
	handover_hex(out, (const unsigned char *)mountpoint, strlen(mountpoint));
	if (fs_state_save(fs, out) < 0 || fflush(out) != 0)
		return -EIO;
	return 0;
}

int handover_exec(char **argv, int fuse_fd, const char *mountpoint, uint16_t epoch,
		  const struct session_init *init, struct fs *fs)
{
	char number[16];
	int state_fd, flags, rc;
	FILE *out;

	if (!handover_exe[0])
		return -ENOENT;
	if (access(handover_exe, X_OK) < 0) {
		rc = -errno;
		log_error("reload: %s: %s", handover_exe, strerror(-rc));
		return rc;
	}
	state_fd = memfd_create("proclens-handover", 0);
	if (state_fd < 0)
		return -errno;
	out = fdopen(dup(state_fd), "w");
	if (!out) {
		close(state_fd);
		return -ENOMEM;
	}
	rc = handover_write(out, fuse_fd, mountpoint, epoch, init, fs);
	fclose(out);
	if (rc < 0 || lseek(state_fd, 0, SEEK_SET) < 0) {
		close(state_fd);
		return rc < 0 ? rc : -errno;
	}
	flags = fcntl(fuse_fd, F_GETFD);
	snprintf(number, sizeof(number), "%d", state_fd);
	if (flags < 0 || fcntl(fuse_fd, F_SETFD, flags & ~FD_CLOEXEC) < 0 ||
	    setenv(HANDOVER_ENV, number, 1) < 0) {
		close(state_fd);
		return -errno;
	}
	log_info("reload: handing the connection to %s", handover_exe);
	execv(handover_exe, argv);
	rc = -errno;
	log_error("reload: cannot execute %s: %s", handover_exe, strerror(-rc));
	unsetenv(HANDOVER_ENV);
	fcntl(fuse_fd, F_SETFD, flags);
	close(state_fd);
	return rc;
}

/* Hex to bytes; their count, or -EINVAL. */
static ssize_t handover_unhex(const char *hex, unsigned char *out, size_t size)
{
	size_t len = strlen(hex);

	if (len % 2 || len / 2 > size)
		return -EINVAL;
	for (size_t i = 0; i < len / 2; i++) {
		unsigned byte;

		if (sscanf(hex + 2 * i, "%2x", &byte) != 1)
			return -EINVAL;
		out[i] = (unsigned char)byte;
	}
	return (ssize_t)(len / 2);
}

/* One line of the state descriptor, read byte by byte so that the rest stays for fdopen(). */
static int handover_line(int fd, char *line, size_t size)
{
	size_t len = 0;

	while (len + 1 < size) {
		ssize_t n = read(fd, line + len, 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -EINVAL;
		if (line[len] == '\n')
			break;
		len++;
	}
	line[len] = '\0';
	return 0;
}

int handover_take(struct handover *h)
{
	const char *value = getenv(HANDOVER_ENV);
	char line[2 * PATH_MAX + 16], *end;
	ssize_t len;
	unsigned epoch;
	long fd;

	if (!value)
		return 0;
	fd = strtol(value, &end, 10);
	unsetenv(HANDOVER_ENV);
	if (*end || fd < 3 || fd > INT_MAX || fcntl((int)fd, F_SETFD, FD_CLOEXEC) < 0)
		return -EBADF;
	h->state_fd = (int)fd;
	if (handover_line(h->state_fd, line, sizeof(line)) < 0 || strcmp(line, HANDOVER_MAGIC) != 0 ||
	    handover_line(h->state_fd, line, sizeof(line)) < 0 ||
	    sscanf(line, "fuse %d", &h->fuse_fd) != 1 ||
	    handover_line(h->state_fd, line, sizeof(line)) < 0 ||
	    sscanf(line, "epoch %u", &epoch) != 1 || epoch > UINT16_MAX ||
	    handover_line(h->state_fd, line, sizeof(line)) < 0 || strncmp(line, "init ", 5) != 0 ||
	    (len = handover_unhex(line + 5, h->init.bytes, sizeof(h->init.bytes))) < 0 ||
	    (h->init.len = (size_t)len, handover_line(h->state_fd, line, sizeof(line))) < 0 ||
	    strncmp(line, "mount ", 6) != 0 ||
	    (len = handover_unhex(line + 6, (unsigned char *)h->mountpoint,
				  sizeof(h->mountpoint) - 1)) <= 0 ||
	    fcntl(h->fuse_fd, F_SETFD, FD_CLOEXEC) < 0) {
		close(h->state_fd);
		return -EINVAL;
	}
	h->mountpoint[len] = '\0';
	h->epoch = (uint16_t)epoch;
	return 1;
}

int handover_load(struct handover *h, struct fs *fs)
{
	FILE *in = fdopen(h->state_fd, "r");
	int rc;

	if (!in) {
		close(h->state_fd);
		return -ENOMEM;
	}
	rc = fs_state_load(fs, in);
	fclose(in);
	return rc;
}
