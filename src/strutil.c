/* SPDX-License-Identifier: GPL-2.0-or-later */
/* strutil.c - strict number parsing and small-file reading shared by every module. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "buf.h"
#include "strutil.h"

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

int strutil_parse_u64(const char *s, size_t len, uint64_t *out)
{
	uint64_t value = 0;
	size_t i = 0;

	while (i < len && is_blank(s[i]))
		i++;
	while (len > i && (is_blank(s[len - 1]) || s[len - 1] == '\n'))
		len--;
	if (i == len)
		return -EINVAL;
	for (; i < len; i++) {
		unsigned digit;

		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		digit = (unsigned)(s[i] - '0');
		if (value > (UINT64_MAX - digit) / 10)
			return -ERANGE;
		value = value * 10 + digit;
	}
	*out = value;
	return 0;
}

ssize_t strutil_pread_file(int fd, char *buf, size_t size)
{
	size_t len = 0;

	if (size == 0)
		return -EFBIG;
	/*
	 * Read until pread(2) returns 0: seq_file (proc, cgroup files) returns
	 * at most a page or one record per call, so a short read is not the end
	 * of a file such as mountinfo or /proc/net/tcp.
	 */
	while (len < size - 1) {
		ssize_t n = pread(fd, buf + len, size - 1 - len, (off_t)len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len == size - 1) {
		char probe;

		if (pread(fd, &probe, 1, (off_t)len) > 0)
			return -EFBIG;
	}
	buf[len] = '\0';
	return (ssize_t)len;
}

ssize_t strutil_pread_single(int fd, char *buf, size_t size)
{
	ssize_t n;

	if (size == 0)
		return -EFBIG;
	do
		n = pread(fd, buf, size - 1, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	/* Filled to the brim: the file may go on; read it the long way. */
	if ((size_t)n == size - 1)
		return strutil_pread_file(fd, buf, size);
	buf[n] = '\0';
	return n;
}

ssize_t strutil_pread_buf(int fd, struct buf *out)
{
	buf_reset(out);
	for (;;) {
		ssize_t n;
		int rc;

		/* At least a page of room per call: seq_file's usual size. */
		rc = buf_reserve(out, 4096);
		if (rc < 0)
			return rc;
		n = pread(fd, out->data + out->len, out->cap - out->len - 1, (off_t)out->len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		out->len += (size_t)n;
	}
	out->data[out->len] = '\0';
	return (ssize_t)out->len;
}

ssize_t strutil_read_file(int dirfd, const char *path, char *buf, size_t size)
{
	ssize_t len;
	int fd;

	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	len = strutil_pread_file(fd, buf, size);
	close(fd);
	return len;
}

/*
 * The key a line names. Most lines of memory.stat are keys nobody asked
 * for, so the first character is compared inline before any string call.
 */
static struct strutil_key *find_key(struct strutil_key *keys, size_t nkeys,
				    const char *name, size_t name_len)
{
	if (name_len == 0)
		return NULL;
	for (size_t i = 0; i < nkeys; i++)
		if (keys[i].name[0] == name[0] && strncmp(keys[i].name, name, name_len) == 0 &&
		    keys[i].name[name_len] == '\0')
			return &keys[i];
	return NULL;
}

int strutil_parse_keys(const char *text, char sep, bool kb_unit,
		       struct strutil_key *keys, size_t nkeys, unsigned *bad_line)
{
	unsigned line_no = 0;
	const char *line = text;

	for (size_t i = 0; i < nkeys; i++)
		keys[i].found = false;

	while (*line) {
		const char *end = strchr(line, '\n');
		const char *key_end, *value;
		size_t line_len = end ? (size_t)(end - line) : strlen(line);
		struct strutil_key *key;

		line_no++;
		key_end = memchr(line, sep, line_len);
		if (key_end && (key = find_key(keys, nkeys, line, (size_t)(key_end - line)))) {
			size_t value_len;

			value = key_end + 1;
			value_len = line_len - (size_t)(value - line);
			if (kb_unit && value_len >= 3 &&
			    memcmp(value + value_len - 3, " kB", 3) == 0)
				value_len -= 3;
			if (strutil_parse_u64(value, value_len, &key->value) < 0) {
				if (bad_line)
					*bad_line = line_no;
				return -EBADMSG;
			}
			key->found = true;
		}
		if (!end)
			break;
		line = end + 1;
	}
	return 0;
}

uint64_t strutil_key_or(const struct strutil_key *keys, size_t i, uint64_t fallback)
{
	return keys[i].found ? keys[i].value : fallback;
}

uint32_t strutil_hash(const char *s)
{
	uint32_t hash = 2166136261u;

	for (; *s; s++)
		hash = (hash ^ (unsigned char)*s) * 16777619u;
	return hash;
}
