/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mountns.c - reading a mount namespace's mount table, and making a symlink to mount. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "mountns.h"

void mountns_unescape(char *s)
{
	char *out = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' &&
		    s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*out++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*out++ = *s;
		}
	}
	*out = '\0';
}

int mountns_find(FILE *mountinfo, const char *point, struct mountns_entry *entry)
{
	/* Sized for the fields' buffers: a line longer than this is skipped whole. */
	char line[2 * PATH_MAX + 512];
	struct mountns_entry candidate;
	bool found = false, partial = false;

	/* "id parent dev root mountpoint options [optional...] - fstype source superopts" */
	while (fgets(line, sizeof(line), mountinfo)) {
		bool whole = strchr(line, '\n') != NULL || feof(mountinfo);
		const char *dash;

		if (partial || !whole) {
			partial = !whole;
			continue;
		}
		dash = strstr(line, " - ");
		if (!dash || sscanf(line, "%*s %*s %*s %*s %4095s", candidate.point) != 1 ||
		    sscanf(dash + 3, "%255s %4095s", candidate.fstype, candidate.source) != 2)
			continue;
		mountns_unescape(candidate.point);
		if (strcmp(candidate.point, point) != 0)
			continue;
		mountns_unescape(candidate.source);
		*entry = candidate;
		found = true;
	}
	return found ? 1 : 0;
}

int mountns_is_symlink_to(int dirfd, const char *name, const char *target)
{
	char link[PATH_MAX];
	ssize_t len = readlinkat(dirfd, name, link, sizeof(link) - 1);

	if (len < 0)
		return 0;
	link[len] = '\0';
	return strcmp(link, target) == 0;
}

int mountns_symlink_tree(int dirfd, const char *name, const char *target)
{
	int tree_fd;

	if (!mountns_is_symlink_to(dirfd, name, target) && symlinkat(target, dirfd, name) < 0)
		return -errno;
	/* Clone the link itself, not what it points at. */
	tree_fd = open_tree(dirfd, name, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_SYMLINK_NOFOLLOW);
	return tree_fd >= 0 ? tree_fd : -errno;
}
