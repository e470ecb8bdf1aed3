/* SPDX-License-Identifier: GPL-2.0-or-later */
/* access.h - whether a reader may open a /proc file, decided the way the kernel decides. */
#ifndef PROCLENS_ACCESS_H
#define PROCLENS_ACCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "ns.h"

#define ACCESS_MAX_GROUPS 256
#define ACCESS_MAX_RANGES 32

struct access_range {
	uint32_t first;		/* the first ID as the daemon sees it */
	uint32_t count;
};

/*
 * A reader's credentials as the daemon sees them: IDs are the kernel's (the
 * daemon runs in the initial user namespace), capabilities are the reader's
 * in its own user namespace, and a reader outside the daemon's user
 * namespace holds them only over IDs its namespace maps.
 */
struct access_creds {
	uid_t fsuid;
	gid_t fsgid;
	gid_t groups[ACCESS_MAX_GROUPS];
	size_t group_count;
	uint64_t cap_effective;
	bool same_user_ns;	/* the reader's user namespace is the daemon's */
	struct access_range uids[ACCESS_MAX_RANGES], gids[ACCESS_MAX_RANGES];
	size_t uid_count, gid_count;
};

/*
 * Fill creds from /proc/<pid>/status (Uid, Gid, Groups, CapEff) and, for a
 * reader in another user namespace than daemon_user_ns, its uid_map and
 * gid_map. 0, -ESRCH if the process is gone, -EBADMSG for unreadable text.
 */
int access_creds_read(int proc_fd, pid_t pid, const struct ns_id *daemon_user_ns,
		      struct access_creds *creds);

/* The status part of access_creds_read (pure). */
int access_parse_status(const char *text, struct access_creds *creds);

/* One uid_map or gid_map text into ranges (pure); the count, or -EBADMSG. */
int access_parse_id_map(const char *text, struct access_range *ranges, size_t max);

/*
 * Whether creds may open a file of attributes st for reading (a directory:
 * for listing), by the kernel's generic_permission(): owner, group or other
 * bits, then CAP_DAC_OVERRIDE or CAP_DAC_READ_SEARCH over IDs the reader's
 * namespace maps (pure).
 */
bool access_may_read(const struct access_creds *creds, const struct stat *st);

#endif
