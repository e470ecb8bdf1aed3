/* vfile.h - the table of virtual files: each is one source file and one row. */
#ifndef PROCLENS_VFILE_H
#define PROCLENS_VFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "buf.h"
#include "host.h"
#include "reader.h"

struct vfile {
	const char *path;	/* below the mount point, e.g. "proc/meminfo" */
	mode_t mode;		/* permission bits */
	unsigned needs;		/* enum reader_needs */
	/* Write the reader's copy into an empty out; 0 or -errno. */
	int (*render)(const struct host *host, const struct reader *reader,
		      struct buf *out);
	/*
	 * A slow render (it may take long, and is the same for every reader of
	 * a network namespace): reads wait for it without holding a worker.
	 */
	bool slow;
	/*
	 * Optional, for a slow file: a cheap upper bound of its length for the
	 * reader, the size a container's copy reports; -errno on failure.
	 */
	ssize_t (*size_bound)(const struct host *host, const struct reader *reader);
};

extern const struct vfile proc_meminfo_vfile;
extern const struct vfile proc_net_sockstat_vfile;
extern const struct vfile proc_net_sockstat6_vfile;

extern const struct vfile *const vfile_table[];
extern const size_t vfile_count;

#endif
