/* SPDX-License-Identifier: GPL-2.0-or-later */
/* access.c - whether a reader may open a /proc file, decided the way the kernel decides. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "strutil.h"

#define ACCESS_CAP_DAC_OVERRIDE 1
#define ACCESS_CAP_DAC_READ_SEARCH 2

/* The value part of the status line "Name:\t...", or NULL. */
static const char *status_field(const char *text, const char *name, size_t *len)
{
	size_t name_len = strlen(name);
	const char *line = text;

	while (line && *line) {
		const char *end = strchr(line, '\n');

		if (strncmp(line, name, name_len) == 0 && line[name_len] == ':') {
			const char *value = line + name_len + 1;

			*len = end ? (size_t)(end - value) : strlen(value);
			return value;
		}
		line = end ? end + 1 : NULL;
	}
	return NULL;
}

/* The index-th blank-separated number of a field (0-based); 0 or -EBADMSG. */
static int field_number(const char *value, size_t len, size_t index, uint64_t *out)
{
	size_t i = 0, n = 0;

	for (;;) {
		size_t start;

		while (i < len && (value[i] == ' ' || value[i] == '\t'))
			i++;
		if (i == len)
			return -EBADMSG;
		start = i;
		while (i < len && value[i] != ' ' && value[i] != '\t')
			i++;
		if (n++ == index)
			return strutil_parse_u64(value + start, i - start, out) < 0 ? -EBADMSG : 0;
	}
}

static int parse_hex_u64(const char *value, size_t len, uint64_t *out)
{
	uint64_t result = 0;
	size_t i = 0, digits = 0;

	while (i < len && (value[i] == ' ' || value[i] == '\t'))
		i++;
	for (; i < len; i++, digits++) {
		char c = value[i];
		unsigned digit;

		if (c >= '0' && c <= '9')
			digit = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			digit = (unsigned)(c - 'a' + 10);
		else
			return -EBADMSG;
		if (digits >= 16)
			return -EBADMSG;
		result = result << 4 | digit;
	}
	if (digits == 0)
		return -EBADMSG;
	*out = result;
	return 0;
}

int access_parse_status(const char *text, struct access_creds *creds)
{
	const char *uid, *gid, *groups, *cap;
	size_t uid_len, gid_len, groups_len = 0, cap_len;
	uint64_t fsuid, fsgid;

	uid = status_field(text, "Uid", &uid_len);
	gid = status_field(text, "Gid", &gid_len);
	groups = status_field(text, "Groups", &groups_len);
	cap = status_field(text, "CapEff", &cap_len);
	/* "Uid: real effective saved filesystem": access checks use the last. */
	if (!uid || !gid || !cap || field_number(uid, uid_len, 3, &fsuid) < 0 ||
	    field_number(gid, gid_len, 3, &fsgid) < 0 ||
	    parse_hex_u64(cap, cap_len, &creds->cap_effective) < 0 ||
	    fsuid > UINT32_MAX || fsgid > UINT32_MAX)
		return -EBADMSG;
	creds->fsuid = (uid_t)fsuid;
	creds->fsgid = (gid_t)fsgid;
	creds->group_count = 0;
	for (size_t i = 0; groups && creds->group_count < ACCESS_MAX_GROUPS; i++) {
		uint64_t group;

		if (field_number(groups, groups_len, i, &group) < 0 || group > UINT32_MAX)
			break;
		creds->groups[creds->group_count++] = (gid_t)group;
	}
	return 0;
}

int access_parse_id_map(const char *text, struct access_range *ranges, size_t max)
{
	const char *line = text;
	size_t count = 0;

	/* "inside outside count" per line; outside is in the daemon's namespace. */
	while (*line) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		uint64_t outside, length;

		if (len > 0) {
			if (count == max || field_number(line, len, 1, &outside) < 0 ||
			    field_number(line, len, 2, &length) < 0 ||
			    outside > UINT32_MAX || length > UINT32_MAX)
				return -EBADMSG;
			ranges[count].first = (uint32_t)outside;
			ranges[count].count = (uint32_t)length;
			count++;
		}
		if (!end)
			break;
		line = end + 1;
	}
	return (int)count;
}

static bool id_mapped(const struct access_range *ranges, size_t count, uint32_t id)
{
	for (size_t i = 0; i < count; i++)
		if (id >= ranges[i].first && id - ranges[i].first < ranges[i].count)
			return true;
	return false;
}

static bool in_group(const struct access_creds *creds, gid_t gid)
{
	if (creds->fsgid == gid)
		return true;
	for (size_t i = 0; i < creds->group_count; i++)
		if (creds->groups[i] == gid)
			return true;
	return false;
}

bool access_may_read(const struct access_creds *creds, const struct stat *st)
{
	mode_t bits;
	bool mapped;

	if (creds->fsuid == st->st_uid)
		bits = (st->st_mode >> 6) & 7;
	else if (in_group(creds, st->st_gid))
		bits = (st->st_mode >> 3) & 7;
	else
		bits = st->st_mode & 7;
	if (bits & 4)
		return true;
	/* capable_wrt_inode_uidgid(): the capability counts over mapped IDs only. */
	mapped = creds->same_user_ns ||
		 (id_mapped(creds->uids, creds->uid_count, (uint32_t)st->st_uid) &&
		  id_mapped(creds->gids, creds->gid_count, (uint32_t)st->st_gid));
	return mapped && (creds->cap_effective & ((UINT64_C(1) << ACCESS_CAP_DAC_OVERRIDE) |
						  (UINT64_C(1) << ACCESS_CAP_DAC_READ_SEARCH)));
}

static int read_id_map(int proc_fd, pid_t pid, const char *name, struct access_range *ranges,
		       size_t *count)
{
	char path[64], text[4096];
	ssize_t len;
	int rc;

	snprintf(path, sizeof(path), "%d/%s", (int)pid, name);
	len = strutil_read_file(proc_fd, path, text, sizeof(text));
	if (len < 0)
		return len == -ENOENT ? -ESRCH : (int)len;
	rc = access_parse_id_map(text, ranges, ACCESS_MAX_RANGES);
	if (rc < 0)
		return rc;
	*count = (size_t)rc;
	return 0;
}

int access_creds_read(int proc_fd, pid_t pid, const struct ns_id *daemon_user_ns,
		      struct access_creds *creds)
{
	char path[64], text[4096];
	struct ns_id user_ns;
	ssize_t len;
	int rc;

	memset(creds, 0, sizeof(*creds));
	snprintf(path, sizeof(path), "%d/status", (int)pid);
	len = strutil_read_file(proc_fd, path, text, sizeof(text));
	if (len == -ENOENT)
		return -ESRCH;
	if (len < 0)
		return (int)len;
	rc = access_parse_status(text, creds);
	if (rc < 0)
		return rc;
	snprintf(path, sizeof(path), "%d/ns/user", (int)pid);
	rc = ns_id_at(proc_fd, path, &user_ns);
	if (rc < 0)
		return rc == -ENOENT ? -ESRCH : rc;
	creds->same_user_ns = ns_id_equal(&user_ns, daemon_user_ns);
	if (creds->same_user_ns)
		return 0;
	rc = read_id_map(proc_fd, pid, "uid_map", creds->uids, &creds->uid_count);
	if (rc == 0)
		rc = read_id_map(proc_fd, pid, "gid_map", creds->gids, &creds->gid_count);
	return rc;
}
