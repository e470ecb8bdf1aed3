/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pid_limits.h - /proc/<pid>/limits with the rows a cgroup bounds lowered to the bound. */
#ifndef PROCLENS_PID_LIMITS_H
#define PROCLENS_PID_LIMITS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "buf.h"

struct host;

/* RLIM_INFINITY, printed "unlimited"; also "no ceiling" in the ceilings. */
#define PID_LIMITS_UNLIMITED UINT64_MAX

/* The kernel prints 16 rows (RLIM_NLIMITS since 2.6.25); room for new ones. */
#define PID_LIMITS_ROWS_MAX 32
/* The kernel's columns: "%-25s %-20s %-20s %-10s" (fs/proc/base.c). */
#define PID_LIMITS_NAME_WIDTH 25
#define PID_LIMITS_VALUE_WIDTH 20
#define PID_LIMITS_UNIT_WIDTH 10

/* The rows pid_limits_apply() lowers, as lnames[] in fs/proc/base.c names them. */
#define PID_LIMITS_PROCESSES "Max processes"
#define PID_LIMITS_RESIDENT "Max resident set"

struct pid_limits_row {
	char name[PID_LIMITS_NAME_WIDTH + 1];	/* "Max processes" */
	uint64_t soft, hard;			/* PID_LIMITS_UNLIMITED for "unlimited" */
	char unit[PID_LIMITS_UNIT_WIDTH + 1];	/* "processes", or "" (nice, rtprio) */
};

struct pid_limits {
	struct pid_limits_row rows[PID_LIMITS_ROWS_MAX];
	size_t count;
	bool changed;		/* pid_limits_apply() lowered a value */
};

/* What the target's cgroups allow at most; PID_LIMITS_UNLIMITED for none. */
struct pid_limits_ceilings {
	uint64_t processes;	/* smallest pids.max over its pids cgroup and ancestors */
	uint64_t resident_bytes; /* its effective memory limit (memcg_read) */
};

/*
 * Read the kernel's /proc/<pid>/limits text into rows (pure). Strict: the
 * header and every row must be exactly as the kernel prints them, so that
 * pid_limits_render() of the result gives the same bytes back; anything else
 * (empty or truncated text, a number that is not one, shifted columns, more
 * than PID_LIMITS_ROWS_MAX rows) gives -EBADMSG.
 */
int pid_limits_parse(const char *text, struct pid_limits *out);

/*
 * Lower soft and hard of "Max processes" to ceilings->processes and of "Max
 * resident set" to ceilings->resident_bytes where they are above (pure). Never
 * raises a value; sets limits->changed when one was lowered.
 */
void pid_limits_apply(struct pid_limits *limits, const struct pid_limits_ceilings *ceilings);

/* Print the rows in the kernel's format, byte for byte, into out (emptied first). */
int pid_limits_render(const struct pid_limits *limits, struct buf *out);

/*
 * The file for the process that proc_dirfd (a proc instance) names pid:
 * its "<pid>/limits" with the ceilings of its pids and memory cgroups (paths
 * from "<pid>/cgroup", relative to the daemon's cgroup namespace) applied, into
 * out (emptied first). A process without ceilings below its limits gets the
 * kernel's bytes. -ESRCH when the process is gone, -EBADMSG for malformed
 * content, -ENODEV when its cgroup was removed under it twice.
 */
int pid_limits_read(const struct host *host, int proc_dirfd, pid_t pid, struct buf *out);

#endif
