/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fs.h - the FUSE side: the tree of virtual files and the low-level operations. */
#ifndef PROCLENS_FS_H
#define PROCLENS_FS_H

#define FUSE_USE_VERSION 312
#include <fuse_lowlevel.h>

#include "host.h"

struct fs;

/* Build the tree from vfile_table; NULL on allocation failure. */
struct fs *fs_create(struct host *host);
void fs_destroy(struct fs *fs);

/* A session serving fs; args as for fuse_session_new(). */
struct fuse_session *fs_session_new(struct fs *fs, struct fuse_args *args);

/*
 * The inode number of the table's node at path ("proc/meminfo"; "" is the
 * root): made from the path alone, so that it never changes when rows are
 * added to the tables.
 */
fuse_ino_t fs_static_ino(const char *path);

/* Map an internal -errno to what a reader should see (positive errno). */
int fs_reply_errno(int rc);

#endif
