/* reader.h - who is reading: the requesting pid and the cgroups it belongs to. */
#ifndef PROCLENS_READER_H
#define PROCLENS_READER_H

#include <limits.h>
#include <sys/types.h>

#include "host.h"

/* What a virtual file needs to know about its reader. */
enum reader_needs {
	READER_MEMORY_CGROUP = 1 << 0,
};

struct reader {
	pid_t pid;
	/* The memory cgroup, relative to the hierarchy root ("" is the root). */
	char memory_cgroup[PATH_MAX];
};

/*
 * Resolve what `needs` asks for about pid, at open time while the opener is
 * blocked in open(2): the identity cannot be a recycled pid's. -ESRCH if the
 * process is gone.
 */
int reader_identify(const struct host *host, pid_t pid, unsigned needs,
		    struct reader *reader);

/* Release what reader_identify() took; accepts a reader it never filled. */
void reader_release(struct reader *reader);

#endif
