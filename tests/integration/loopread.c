/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * loopread.c - read one path over and over for a while, checking every read,
 * the way a monitoring agent polls: each round either opens, reads to the
 * end and closes ("reopen"), reads again from 0 through one descriptor kept
 * open, as top does ("keep"), or lists a directory kept open ("dir").
 *
 *     loopread MODE PATH SECONDS EXPECT
 *
 * EXPECT is KEY=NUMBER (the first number on the line that starts with KEY
 * equals NUMBER), ^TEXT (the content starts with TEXT) or, for "dir", an
 * entry name that must be listed. Prints
 *
 *     reads=N failed=F wrong=W slowest_ms=S
 *
 * and the first few failures; exits 0 if every read was right.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Read fd from offset 0 to the end into buf; the length or -errno. */
static ssize_t read_all(int fd, char *buf, size_t size)
{
	size_t len = 0;

	for (;;) {
		ssize_t n = pread(fd, buf + len, size - 1 - len, (off_t)len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0 || len + (size_t)n >= size - 1) {
			len += (size_t)(n > 0 ? n : 0);
			break;
		}
		len += (size_t)n;
	}
	buf[len] = '\0';
	return (ssize_t)len;
}

static bool content_right(const char *content, const char *expect)
{
	const char *eq = strchr(expect, '=');
	size_t key_len;
	const char *line;

	if (expect[0] == '^')
		return strncmp(content, expect + 1, strlen(expect + 1)) == 0;
	if (!eq)
		return strstr(content, expect) != NULL;
	key_len = (size_t)(eq - expect);
	for (line = content; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		if (strncmp(line, expect, key_len) == 0) {
			const char *p = line + key_len;

			while (*p && (*p < '0' || *p > '9'))
				p++;
			return strtoull(p, NULL, 10) == strtoull(eq + 1, NULL, 10);
		}
	}
	return false;
}

static bool dir_lists(DIR *dir, const char *name)
{
	struct dirent *de;

	rewinddir(dir);
	errno = 0;
	while ((de = readdir(dir)))
		if (strcmp(de->d_name, name) == 0)
			return true;
	return false;
}

int main(int argc, char **argv)
{
	static char buf[1 << 20];
	unsigned long reads = 0, failed = 0, wrong = 0, reported = 0;
	double end, slowest = 0;
	const char *mode, *path, *expect;
	DIR *dir = NULL;
	int fd = -1;

	if (argc != 5) {
		fprintf(stderr, "usage: loopread reopen|keep|dir PATH SECONDS EXPECT\n");
		return 2;
	}
	mode = argv[1];
	path = argv[2];
	expect = argv[4];
	end = now_ms() + atof(argv[3]) * 1e3;
	if (strcmp(mode, "keep") == 0 && (fd = open(path, O_RDONLY)) < 0) {
		perror(path);
		return 1;
	}
	if (strcmp(mode, "dir") == 0 && !(dir = opendir(path))) {
		perror(path);
		return 1;
	}
	while (now_ms() < end) {
		double start = now_ms(), took;
		const char *error = NULL;
		ssize_t len;
		bool right;

		if (dir) {
			right = dir_lists(dir, expect);
			if (!right && errno)
				error = strerror(errno);
		} else {
			int rfd = fd >= 0 ? fd : open(path, O_RDONLY);

			if (rfd < 0) {
				error = strerror(errno);
				right = false;
			} else {
				len = read_all(rfd, buf, sizeof(buf));
				if (len < 0)
					error = strerror((int)-len);
				right = len >= 0 && content_right(buf, expect);
				if (rfd != fd)
					close(rfd);
			}
		}
		took = now_ms() - start;
		if (took > slowest)
			slowest = took;
		reads++;
		if (error)
			failed++;
		else if (!right)
			wrong++;
		if ((error || !right) && reported++ < 5)
			fprintf(stderr, "loopread %s %s: read %lu: %s\n", mode, path, reads,
				error ? error : "content not as expected");
	}
	if (dir)
		closedir(dir);
	if (fd >= 0)
		close(fd);
	printf("reads=%lu failed=%lu wrong=%lu slowest_ms=%.0f\n", reads, failed, wrong, slowest);
	fflush(stdout);
	return failed || wrong ? 1 : 0;
}
