/* SPDX-License-Identifier: GPL-2.0-or-later */
/* reader.h - who is reading: the requesting pid, its cgroups and its network namespace. */
#ifndef PROCLENS_READER_H
#define PROCLENS_READER_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#include "host.h"

/* What a virtual file needs to know about its reader. */
enum reader_needs {
	READER_MEMORY_CGROUP = 1 << 0,
	READER_NET_NAMESPACE = 1 << 1,
};

struct reader {
	pid_t pid;
	/*
	 * With READER_MEMORY_CGROUP: a reference to the reader's memory cgroup
	 * as it was at open time. Every read of the open file uses that cgroup,
	 * whatever is renamed or made under its name meanwhile. NULL without a
	 * memory controller.
	 */
	struct cgroup_node *memory_cgroup;
	/*
	 * With READER_NET_NAMESPACE: the reader's network namespace, open
	 * (/proc/<pid>/ns/net) so that it stays the one the opener had, and its
	 * identity. A zeroed reader holds nothing (has_net_ns false).
	 */
	bool has_net_ns;
	int net_ns_fd;
	struct ns_id net_ns;
	/*
	 * With READER_NET_NAMESPACE: the reader's own /proc/<pid>/net/sockstat
	 * and sockstat6, opened at open time. An open proc_net file holds its
	 * namespace, so they keep serving once the opener has exited (a
	 * descriptor inherited by a child, a thread pool). sockstat6_fd is -1
	 * on a kernel without IPv6.
	 */
	int sockstat_fd;
	int sockstat6_fd;
};

/* A reader that holds nothing yet, for pid; reader_release() accepts it. */
void reader_init(struct reader *reader, pid_t pid);

/*
 * Resolve what `needs` asks for about pid, at open time while the opener is
 * blocked in open(2): the identity cannot be a recycled pid's. -ESRCH if the
 * process is gone.
 */
int reader_identify(const struct host *host, pid_t pid, unsigned needs,
		    struct reader *reader);

/*
 * The same, given the text of /proc/<pid>/cgroup read a moment ago (by
 * tasks_read_cgroup()); NULL reads it here.
 */
int reader_identify_from(const struct host *host, pid_t pid, unsigned needs,
			 const char *cgroup_text, struct reader *reader);

/* Release what reader_identify() took; accepts a reader from reader_init(). */
void reader_release(struct reader *reader);


#endif
