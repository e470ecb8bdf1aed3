/* host.h - the host files proclens reads: a private /proc and the cgroup hierarchies. */
#ifndef PROCLENS_HOST_H
#define PROCLENS_HOST_H

#include "cgroup.h"

struct host {
	int proc_fd;			/* a /proc of the daemon's pid namespace */
	struct cgroup_hierarchy memory;
};

/*
 * Open a private proc instance (fsopen(2)), detached from every mount
 * namespace, so that a mount over /proc/meminfo made later, even of
 * proclens's own file, can never send proclens back to itself; and find the
 * memory controller. Start-up only.
 */
int host_open(struct host *host);

/* The same from given directories: test fixtures. */
int host_open_paths(struct host *host, const char *proc_path,
		    const char *memory_path, enum cgroup_version memory_version);

void host_close(struct host *host);

#endif
