/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ns.c - a namespace's identity: the nsfs inode that /proc/<pid>/ns/<type> names. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

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
