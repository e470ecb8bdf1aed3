/* SPDX-License-Identifier: GPL-2.0-or-later */
/* handover.c - passing the FUSE connection on: to a re-executed daemon (reload), or through systemd's store (crash). */
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
 * was started from, same pid, same arguments, with the descriptors open.
 * The new image replays INIT and serves the queue: readers see a pause of
 * a few milliseconds, never an error. The same header, in a memfd kept in
 * systemd's store (fdstore.c), lets a daemon restarted after a crash take
 * the connection over.
 *
 * The state, text, header lines first:
 *
 *     proclens-handover 1
 *     fuse <fd>
 *     store <fd, or -1>
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

char *handover_header(int fuse_fd, int store_fd, const char *mountpoint, uint16_t epoch,
		      const struct session_init *init)
{
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);

	if (!out)
		return NULL;
	fprintf(out, HANDOVER_MAGIC "\nfuse %d\nstore %d\nepoch %u\ninit ", fuse_fd, store_fd,
		(unsigned)epoch);
	handover_hex(out, init->bytes, init->len);
	fputs("mount ", out);
	handover_hex(out, (const unsigned char *)mountpoint, strlen(mountpoint));
	if (fclose(out) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

/* The whole state, header and fs's, into the empty memfd fd, then back to its start. */
static int handover_write(int fd, const char *header, struct fs *fs)
{
	int copy = dup(fd), rc;
	FILE *out;

	if (copy < 0)
		return -errno;
	out = fdopen(copy, "w");
	if (!out) {
		close(copy);
		return -ENOMEM;
	}
	fputs(header, out);
	rc = fs_state_save(fs, out);
	if (fclose(out) != 0 && rc == 0)
		rc = -EIO;
	if (rc == 0 && lseek(fd, 0, SEEK_SET) < 0)
		rc = -errno;
	return rc;
}

int handover_exec(char **argv, int fuse_fd, int store_fd, const char *mountpoint,
		  uint16_t epoch, const struct session_init *init, struct fs *fs)
{
	int state_fd, fuse_flags, store_flags = 0, rc;
	char number[16], *header;

	if (!handover_exe[0])
		return -ENOENT;
	if (access(handover_exe, X_OK) < 0) {
		rc = -errno;
		log_error("reload: %s: %s", handover_exe, strerror(-rc));
		return rc;
	}
	header = handover_header(fuse_fd, store_fd, mountpoint, epoch, init);
	if (!header)
		return -ENOMEM;
	state_fd = memfd_create("proclens-handover", 0);
	rc = state_fd < 0 ? -errno : handover_write(state_fd, header, fs);
	free(header);
	if (rc < 0) {
		if (state_fd >= 0)
			close(state_fd);
		return rc;
	}
	fuse_flags = fcntl(fuse_fd, F_GETFD);
	if (store_fd >= 0)
		store_flags = fcntl(store_fd, F_GETFD);
	snprintf(number, sizeof(number), "%d", state_fd);
	if (fuse_flags < 0 || store_flags < 0 ||
	    fcntl(fuse_fd, F_SETFD, fuse_flags & ~FD_CLOEXEC) < 0 ||
	    (store_fd >= 0 && fcntl(store_fd, F_SETFD, store_flags & ~FD_CLOEXEC) < 0) ||
	    setenv(HANDOVER_ENV, number, 1) < 0) {
		rc = -errno;
		goto out_restore;
	}
	log_info("reload: handing the connection to %s", handover_exe);
	execv(handover_exe, argv);
	rc = -errno;
	log_error("reload: cannot execute %s: %s", handover_exe, strerror(-rc));
	unsetenv(HANDOVER_ENV);
out_restore:
	fcntl(fuse_fd, F_SETFD, fuse_flags);
	if (store_fd >= 0)
		fcntl(store_fd, F_SETFD, store_flags);
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

int handover_read(int fd, struct handover *h)
{
	char line[2 * PATH_MAX + 16];
	unsigned epoch;
	ssize_t len;

	if (lseek(fd, 0, SEEK_SET) < 0 ||
	    handover_line(fd, line, sizeof(line)) < 0 || strcmp(line, HANDOVER_MAGIC) != 0 ||
	    handover_line(fd, line, sizeof(line)) < 0 || sscanf(line, "fuse %d", &h->fuse_fd) != 1 ||
	    handover_line(fd, line, sizeof(line)) < 0 || sscanf(line, "store %d", &h->store_fd) != 1 ||
	    handover_line(fd, line, sizeof(line)) < 0 || sscanf(line, "epoch %u", &epoch) != 1 ||
	    epoch > UINT16_MAX ||
	    handover_line(fd, line, sizeof(line)) < 0 || strncmp(line, "init ", 5) != 0)
		return -EINVAL;
	len = handover_unhex(line + 5, h->init.bytes, sizeof(h->init.bytes));
	if (len < 0)
		return -EINVAL;
	h->init.len = (size_t)len;
	if (handover_line(fd, line, sizeof(line)) < 0 || strncmp(line, "mount ", 6) != 0)
		return -EINVAL;
	len = handover_unhex(line + 6, (unsigned char *)h->mountpoint, sizeof(h->mountpoint) - 1);
	/* An absolute path, no NUL inside. */
	if (len <= 0 || h->mountpoint[0] != '/' || memchr(h->mountpoint, '\0', (size_t)len))
		return -EINVAL;
	h->mountpoint[len] = '\0';
	h->epoch = (uint16_t)epoch;
	h->state_fd = fd;
	return 0;
}

int handover_take(struct handover *h)
{
	const char *value = getenv(HANDOVER_ENV);
	char *end;
	long fd;

	if (!value)
		return 0;
	fd = strtol(value, &end, 10);
	unsetenv(HANDOVER_ENV);
	if (*end || fd < 3 || fd > INT_MAX || fcntl((int)fd, F_SETFD, FD_CLOEXEC) < 0)
		return -EBADF;
	if (handover_read((int)fd, h) < 0 || fcntl(h->fuse_fd, F_SETFD, FD_CLOEXEC) < 0 ||
	    (h->store_fd >= 0 && fcntl(h->store_fd, F_SETFD, FD_CLOEXEC) < 0)) {
		close((int)fd);
		h->state_fd = -1;
		return -EINVAL;
	}
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
	h->state_fd = -1;
	return rc;
}
