/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vfile.h - the table of virtual files: each is one source file and one row. */
#ifndef PROCLENS_VFILE_H
#define PROCLENS_VFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "buf.h"
#include "host.h"
#include "reader.h"

/* Whom, and for per-process files what, a render is for. */
struct vfile_ctx {
	const struct host *host;
	const struct reader *reader;
	/*
	 * Per-process files: the process is target_pid in the proc instance
	 * at target_dirfd (its pid namespace's, so that it names the process
	 * as the reader does). -1 and 0 for other files.
	 */
	int target_dirfd;
	pid_t target_pid;
};

struct vfile {
	const char *path;	/* below the mount point, e.g. "proc/meminfo" */
	mode_t mode;		/* permission bits */
	unsigned needs;		/* enum reader_needs */
	/* Write the reader's copy into an empty out; 0 or -errno. */
	int (*render)(const struct vfile_ctx *ctx, struct buf *out);
	/*
	 * A slow render (it may take long, and is the same for every reader of
	 * a network namespace): reads wait for it without holding a worker.
	 */
	bool slow;
	/*
	 * Optional, for a slow file: a cheap upper bound of its length for the
	 * reader, the size a container's copy reports; -errno on failure.
	 */
	ssize_t (*size_bound)(const struct vfile_ctx *ctx);
};

extern const struct vfile proc_meminfo_vfile;
extern const struct vfile proc_net_sockstat_vfile;
extern const struct vfile proc_net_sockstat6_vfile;
/* A file of proc/<pid>/: path is its name there. */
extern const struct vfile proc_pid_limits_vfile;

extern const struct vfile *const vfile_table[];
extern const size_t vfile_count;

#endif
