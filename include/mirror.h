/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mirror.h - directories that show each reader its own /proc/<pid>/<source> entries. */
#ifndef PROCLENS_MIRROR_H
#define PROCLENS_MIRROR_H

#include <stddef.h>

/*
 * proc/net mirrors "net": a reader listing it sees its own /proc/<pid>/net,
 * whose entries belong to its network namespace, with the virtual files of
 * the same names (sockstat, sockstat6) in their place.
 */
struct mirror_dir {
	const char *path;	/* below the mount point */
	const char *source;	/* below /proc/<pid> */
};

extern const struct mirror_dir mirror_table[];
extern const size_t mirror_count;

#endif
