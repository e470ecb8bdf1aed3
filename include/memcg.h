/* SPDX-License-Identifier: GPL-2.0-or-later */
/* memcg.h - what a reader's memory cgroup allows and uses, read from v1 or v2 files. */
#ifndef PROCLENS_MEMCG_H
#define PROCLENS_MEMCG_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "cgroup.h"

/* memory.stat counters proclens uses, named after their v2 keys. */
enum memcg_stat_item {
	MEMCG_ANON,
	MEMCG_FILE,
	MEMCG_KERNEL_STACK,
	MEMCG_PAGETABLES,
	MEMCG_SEC_PAGETABLES,
	MEMCG_PERCPU,
	MEMCG_SHMEM,
	MEMCG_ZSWAP,
	MEMCG_ZSWAPPED,
	MEMCG_FILE_MAPPED,
	MEMCG_FILE_DIRTY,
	MEMCG_FILE_WRITEBACK,
	MEMCG_SWAPCACHED,
	MEMCG_ANON_THP,
	MEMCG_FILE_THP,
	MEMCG_SHMEM_THP,
	MEMCG_INACTIVE_ANON,
	MEMCG_ACTIVE_ANON,
	MEMCG_INACTIVE_FILE,
	MEMCG_ACTIVE_FILE,
	MEMCG_UNEVICTABLE,
	MEMCG_SLAB_RECLAIMABLE,
	MEMCG_SLAB_UNRECLAIMABLE,
	MEMCG_SWAP,		/* v1 only: total_swap; v2 uses memory.swap.current */
	/* v1 only: the kernel's smallest limits over the cgroup's hierarchy. */
	MEMCG_HIERARCHICAL_MEMORY_LIMIT,
	MEMCG_HIERARCHICAL_MEMSW_LIMIT,
	MEMCG_STAT_COUNT
};

/* The figures of one reader, all in bytes. */
struct memcg_usage {
	uint64_t limit;		/* smallest memory limit on the path to the root */
	uint64_t usage;		/* usage of the cgroup that sets that limit */
	/*
	 * The smallest limit - usage (0 at least) over every limited cgroup on
	 * the path: what can still be allocated, which a fuller ancestor may
	 * make less than limit - usage. CGROUP_UNLIMITED without a limit.
	 */
	uint64_t headroom;
	uint64_t swap_limit;	/* smallest swap limit, CGROUP_UNLIMITED if none */
	uint64_t swap_usage;	/* swap used by the limiting cgroup */
	bool swap_accounted;	/* the kernel accounts swap per cgroup */
	uint64_t stat[MEMCG_STAT_COUNT];
	bool stat_found[MEMCG_STAT_COUNT];
	char limit_path[PATH_MAX];	/* the cgroup that sets the limit, for messages */
};

/*
 * Walk from the cgroup up to the root of h (on v1, no further than a parent
 * with memory.use_hierarchy 0), find the smallest memory and swap limits,
 * read usage at every level that has a memory limit, and memory.stat of the
 * cgroup that sets the smallest. Without any limit, limit and headroom are
 * CGROUP_UNLIMITED and the usage fields are left zero. Without want_swap (a host with no swap), swap files
 * are not read and swap counts as unlimited and unused. -EBADMSG when a
 * file's content is malformed, -ENODEV when a cgroup on the way was removed.
 */
int memcg_read(const struct cgroup_hierarchy *h, struct cgroup_node *cgroup,
	       bool want_swap, struct memcg_usage *out);

/* Parse memory.stat text of the given version into out->stat (pure). */
int memcg_parse_stat(const char *text, enum cgroup_version version,
		     struct memcg_usage *out, unsigned *bad_line);

#endif
