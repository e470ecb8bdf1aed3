/* SPDX-License-Identifier: GPL-2.0-or-later */
/* meminfo.h - /proc/meminfo computed for a reader's memory cgroup. */
#ifndef PROCLENS_MEMINFO_H
#define PROCLENS_MEMINFO_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "memcg.h"

/* The /proc/meminfo fields proclens knows, in the kernel's order. */
enum meminfo_field {
	MI_MEMTOTAL, MI_MEMFREE, MI_MEMAVAILABLE, MI_BUFFERS, MI_CACHED,
	MI_SWAPCACHED, MI_ACTIVE, MI_INACTIVE, MI_ACTIVE_ANON, MI_INACTIVE_ANON,
	MI_ACTIVE_FILE, MI_INACTIVE_FILE, MI_UNEVICTABLE, MI_MLOCKED,
	MI_SWAPTOTAL, MI_SWAPFREE, MI_ZSWAP, MI_ZSWAPPED, MI_DIRTY, MI_WRITEBACK,
	MI_ANONPAGES, MI_MAPPED, MI_SHMEM, MI_KRECLAIMABLE, MI_SLAB,
	MI_SRECLAIMABLE, MI_SUNRECLAIM, MI_KERNELSTACK, MI_PAGETABLES,
	MI_SECPAGETABLES, MI_NFS_UNSTABLE, MI_BOUNCE, MI_WRITEBACKTMP,
	MI_COMMITLIMIT, MI_COMMITTED_AS, MI_VMALLOCTOTAL, MI_VMALLOCUSED,
	MI_VMALLOCCHUNK, MI_PERCPU, MI_HARDWARECORRUPTED, MI_ANONHUGEPAGES,
	MI_SHMEMHUGEPAGES, MI_SHMEMPMDMAPPED, MI_FILEHUGEPAGES,
	MI_FILEPMDMAPPED, MI_CMATOTAL, MI_CMAFREE, MI_UNACCEPTED, MI_BALLOON,
	MI_HUGETLB,
	MI_FIELD_COUNT
};

/* Values in kB, one per field, with whether each is set. */
struct meminfo_values {
	uint64_t kb[MI_FIELD_COUNT];
	bool set[MI_FIELD_COUNT];
};

const char *meminfo_field_name(enum meminfo_field field);

/* Read the known fields' values out of a /proc/meminfo text (pure). */
int meminfo_parse(const char *text, struct meminfo_values *out);

/*
 * Decide which fields change for a reader with the given cgroup figures
 * (pure). With no memory or swap limit below the host's, nothing changes.
 */
void meminfo_compute(const struct meminfo_values *host,
		     const struct memcg_usage *memcg,
		     struct meminfo_values *changes);

/*
 * Write host_text with the changed fields' values put in, keeping the
 * kernel's layout: the name padded to 16 columns, the number right-aligned
 * in 8, then the unit (pure).
 */
int meminfo_render(const char *host_text, const struct meminfo_values *changes,
		   struct buf *out);

#endif
