/* SPDX-License-Identifier: GPL-2.0-or-later */
/* host.h - the host files proclens reads: a private /proc, the cgroup hierarchies, namespaces. */
#ifndef PROCLENS_HOST_H
#define PROCLENS_HOST_H

#include <stdbool.h>
#include <sys/types.h>

#include "cgroup.h"
#include "ns.h"
#include "shared.h"

struct netns_cache;

struct host {
	int proc_fd;			/* a /proc of the daemon's pid namespace */
	int meminfo_fd;			/* its meminfo kept open for pread(2), or -1 */
	/*
	 * Its text and values, shared by readers for shared_max_age_ns
	 * (proc_meminfo.c); NULL: read for each render.
	 */
	struct shared_snapshot *meminfo_shared;
	int64_t shared_max_age_ns;	/* SHARED_MAX_AGE_NS; 0 for fixtures */
	struct cgroup_hierarchy memory;
	/* The pids controller (Max processes in limits); CGROUP_NONE without one. */
	struct cgroup_hierarchy pids;
	/* The host's network namespace (pid 1's); ino 0 if unknown (fixtures). */
	struct ns_id net_ns;
	/* Socket-diagnostic sockets per reader network namespace (netns.h). */
	struct netns_cache *netns;
};

/*
 * Open a private proc instance (fsopen(2)), detached from every mount
 * namespace, so that a mount over /proc/meminfo made later, even of
 * proclens's own file, can never send proclens back to itself; and find the
 * memory controller and the host's network namespace. Start-up only.
 */
int host_open(struct host *host);

/* The same from given directories: test fixtures. */
int host_open_paths(struct host *host, const char *proc_path,
		    const char *memory_path, enum cgroup_version memory_version);

/* The pids hierarchy from a given directory, after host_open_paths(): test fixtures. */
int host_open_pids_path(struct host *host, const char *pids_path,
			enum cgroup_version pids_version);

void host_close(struct host *host);

#endif
