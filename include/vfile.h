/* vfile.h - the table of virtual files: each is one source file and one row. */
#ifndef PROCLENS_VFILE_H
#define PROCLENS_VFILE_H

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
};

extern const struct vfile proc_meminfo_vfile;
extern const struct vfile proc_net_sockstat_vfile;
extern const struct vfile proc_net_sockstat6_vfile;

extern const struct vfile *const vfile_table[];
extern const size_t vfile_count;

#endif
