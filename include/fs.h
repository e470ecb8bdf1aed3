/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fs.h - the FUSE side: the tree of virtual files and the low-level operations. */
#ifndef PROCLENS_FS_H
#define PROCLENS_FS_H

#define FUSE_USE_VERSION 312
#include <fuse_lowlevel.h>

#include "host.h"

#include <stdint.h>
#include <stdio.h>

struct fs;

/*
 * Build the tree from vfile_table; NULL on allocation failure. Open files'
 * numbers carry epoch: a daemon taking over a connection picks another one
 * than the daemon before it (see handle.h).
 */
struct fs *fs_create(struct host *host, uint16_t epoch);
void fs_destroy(struct fs *fs);

/* A session serving fs; args as for fuse_session_new(). */
struct fuse_session *fs_session_new(struct fs *fs, struct fuse_args *args);

/* fs_state.c: the inode numbers the kernel holds, written out and read back (a live upgrade). */
int fs_state_save(struct fs *fs, FILE *out);
int fs_state_load(struct fs *fs, FILE *in);

/*
 * Keep fd (a memfd in systemd's store) as the journal: header, then the
 * state now, then a line for each number given from now on, rewritten
 * whole when it has grown well past what is alive. 0 or -errno.
 */
int fs_journal_start(struct fs *fs, int fd, const char *header);
/* Stop journaling (a clean stop); the descriptor stays the caller's. */
void fs_journal_stop(struct fs *fs);

/*
 * The inode number of the table's node at path ("proc/meminfo"; "" is the
 * root): made from the path alone, so that it never changes when rows are
 * added to the tables.
 */
fuse_ino_t fs_static_ino(const char *path);

/* Map an internal -errno to what a reader should see (positive errno). */
int fs_reply_errno(int rc);

#endif
