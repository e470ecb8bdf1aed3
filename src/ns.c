/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ns.c - a namespace's identity: the nsfs inode that /proc/<pid>/ns/<type> names. */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ns.h"

int ns_id_at(int dirfd, const char *path, struct ns_id *id)
{
	struct stat st;

	if (fstatat(dirfd, path, &st, 0) < 0)
		return -errno;
	id->dev = st.st_dev;
	id->ino = st.st_ino;
	return 0;
}

/* The device of nsfs, where every namespace's inode is: learned from the first link followed. */
static _Atomic(dev_t) ns_fs_dev;
static atomic_bool ns_fs_dev_known;

int ns_id_link_at(int dirfd, const char *path, struct ns_id *id)
{
	char text[64], *open_bracket, *end;
	unsigned long long ino;
	ssize_t len;
	int rc;

	if (atomic_load(&ns_fs_dev_known)) {
		/* "<type>:[<inode>]", as proc_ns_readlink() writes it. */
		len = readlinkat(dirfd, path, text, sizeof(text) - 1);
		if (len < 0)
			return -errno;
		text[len] = '\0';
		open_bracket = strchr(text, '[');
		if (open_bracket && open_bracket[1] >= '0' && open_bracket[1] <= '9') {
			errno = 0;
			ino = strtoull(open_bracket + 1, &end, 10);
			if (errno == 0 && end[0] == ']' && end[1] == '\0' && ino != 0) {
				id->dev = atomic_load(&ns_fs_dev);
				id->ino = (ino_t)ino;
				return 0;
			}
		}
	}
	rc = ns_id_at(dirfd, path, id);
	if (rc == 0 && !atomic_load(&ns_fs_dev_known)) {
		atomic_store(&ns_fs_dev, id->dev);
		atomic_store(&ns_fs_dev_known, true);
	}
	return rc;
}
