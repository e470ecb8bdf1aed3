/* SPDX-License-Identifier: GPL-2.0-or-later */
/* proc_meminfo.c - /proc/meminfo computed for a reader's memory cgroup. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "meminfo.h"
#include "reader.h"
#include "strutil.h"
#include "vfile.h"

/* Fields that are amounts of memory the kernel never reports above MemTotal. */
#define BOUNDED true

static const struct {
	const char *name;
	bool bounded;
} meminfo_fields[MI_FIELD_COUNT] = {
	[MI_MEMTOTAL]		= { "MemTotal", BOUNDED },
	[MI_MEMFREE]		= { "MemFree", BOUNDED },
	[MI_MEMAVAILABLE]	= { "MemAvailable", BOUNDED },
	[MI_BUFFERS]		= { "Buffers", BOUNDED },
	[MI_CACHED]		= { "Cached", BOUNDED },
	[MI_SWAPCACHED]		= { "SwapCached", BOUNDED },
	[MI_ACTIVE]		= { "Active", BOUNDED },
	[MI_INACTIVE]		= { "Inactive", BOUNDED },
	[MI_ACTIVE_ANON]	= { "Active(anon)", BOUNDED },
	[MI_INACTIVE_ANON]	= { "Inactive(anon)", BOUNDED },
	[MI_ACTIVE_FILE]	= { "Active(file)", BOUNDED },
	[MI_INACTIVE_FILE]	= { "Inactive(file)", BOUNDED },
	[MI_UNEVICTABLE]	= { "Unevictable", BOUNDED },
	[MI_MLOCKED]		= { "Mlocked", BOUNDED },
	[MI_SWAPTOTAL]		= { "SwapTotal", false },
	[MI_SWAPFREE]		= { "SwapFree", false },
	[MI_ZSWAP]		= { "Zswap", BOUNDED },
	[MI_ZSWAPPED]		= { "Zswapped", false },
	[MI_DIRTY]		= { "Dirty", BOUNDED },
	[MI_WRITEBACK]		= { "Writeback", BOUNDED },
	[MI_ANONPAGES]		= { "AnonPages", BOUNDED },
	[MI_MAPPED]		= { "Mapped", BOUNDED },
	[MI_SHMEM]		= { "Shmem", BOUNDED },
	[MI_KRECLAIMABLE]	= { "KReclaimable", BOUNDED },
	[MI_SLAB]		= { "Slab", BOUNDED },
	[MI_SRECLAIMABLE]	= { "SReclaimable", BOUNDED },
	[MI_SUNRECLAIM]		= { "SUnreclaim", BOUNDED },
	[MI_KERNELSTACK]	= { "KernelStack", BOUNDED },
	[MI_PAGETABLES]		= { "PageTables", BOUNDED },
	[MI_SECPAGETABLES]	= { "SecPageTables", BOUNDED },
	[MI_NFS_UNSTABLE]	= { "NFS_Unstable", BOUNDED },
	[MI_BOUNCE]		= { "Bounce", BOUNDED },
	[MI_WRITEBACKTMP]	= { "WritebackTmp", BOUNDED },
	[MI_COMMITLIMIT]	= { "CommitLimit", false },
	[MI_COMMITTED_AS]	= { "Committed_AS", false },
	[MI_VMALLOCTOTAL]	= { "VmallocTotal", false },
	[MI_VMALLOCUSED]	= { "VmallocUsed", false },
	[MI_VMALLOCCHUNK]	= { "VmallocChunk", false },
	[MI_PERCPU]		= { "Percpu", BOUNDED },
	[MI_HARDWARECORRUPTED]	= { "HardwareCorrupted", BOUNDED },
	[MI_ANONHUGEPAGES]	= { "AnonHugePages", BOUNDED },
	[MI_SHMEMHUGEPAGES]	= { "ShmemHugePages", BOUNDED },
	[MI_SHMEMPMDMAPPED]	= { "ShmemPmdMapped", BOUNDED },
	[MI_FILEHUGEPAGES]	= { "FileHugePages", BOUNDED },
	[MI_FILEPMDMAPPED]	= { "FilePmdMapped", BOUNDED },
	[MI_CMATOTAL]		= { "CmaTotal", BOUNDED },
	[MI_CMAFREE]		= { "CmaFree", BOUNDED },
	[MI_UNACCEPTED]		= { "Unaccepted", BOUNDED },
	[MI_BALLOON]		= { "Balloon", BOUNDED },
	[MI_HUGETLB]		= { "Hugetlb", BOUNDED },
};

const char *meminfo_field_name(enum meminfo_field field)
{
	return field < MI_FIELD_COUNT ? meminfo_fields[field].name : NULL;
}

/*
 * The field a line names, or MI_FIELD_COUNT. Lines come in the kernel's
 * order, so the field after the previous match is tried first.
 */
static enum meminfo_field find_field(const char *name, size_t len, size_t *cursor)
{
	for (size_t tried = 0; tried < MI_FIELD_COUNT; tried++) {
		size_t i = (*cursor + tried) % MI_FIELD_COUNT;
		const char *candidate = meminfo_fields[i].name;

		if (strncmp(candidate, name, len) == 0 && candidate[len] == '\0') {
			*cursor = i + 1;
			return (enum meminfo_field)i;
		}
	}
	return MI_FIELD_COUNT;
}

int meminfo_parse(const char *text, struct meminfo_values *out)
{
	const char *line = text;
	size_t cursor = 0;

	memset(out, 0, sizeof(*out));
	while (*line) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		const char *colon = memchr(line, ':', len);

		if (colon) {
			enum meminfo_field f = find_field(line, (size_t)(colon - line), &cursor);
			const char *value = colon + 1;
			size_t value_len = len - (size_t)(value - line);

			if (value_len >= 3 && memcmp(value + value_len - 3, " kB", 3) == 0)
				value_len -= 3;
			if (f != MI_FIELD_COUNT) {
				if (strutil_parse_u64(value, value_len, &out->kb[f]) < 0)
					return -EBADMSG;
				out->set[f] = true;
			}
		}
		if (!end)
			break;
		line = end + 1;
	}
	return out->set[MI_MEMTOTAL] ? 0 : -EBADMSG;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static void change(struct meminfo_values *changes, enum meminfo_field f, uint64_t kb)
{
	changes->kb[f] = kb;
	changes->set[f] = true;
}

/* A memory.stat counter in kB, never above the reader's MemTotal. */
static uint64_t stat_kb(const struct memcg_usage *memcg, enum memcg_stat_item item,
			uint64_t total_kb)
{
	return min_u64(memcg->stat[item] >> 10, total_kb);
}

/* Fields that v2's memory.stat carries and v1's does not. */
static void change_if_found(struct meminfo_values *changes, enum meminfo_field f,
			    const struct memcg_usage *memcg, enum memcg_stat_item item,
			    uint64_t total_kb)
{
	if (memcg->stat_found[item])
		change(changes, f, stat_kb(memcg, item, total_kb));
}

static void compute_memory(const struct meminfo_values *host,
			   const struct memcg_usage *memcg, uint64_t total,
			   struct meminfo_values *changes)
{
	uint64_t used = min_u64(memcg->usage >> 10, total);
	/* No more than the fullest limited level on the path leaves free. */
	uint64_t free_kb = min_u64(total - used, memcg->headroom >> 10);
	uint64_t active_file = stat_kb(memcg, MEMCG_ACTIVE_FILE, total);
	uint64_t inactive_file = stat_kb(memcg, MEMCG_INACTIVE_FILE, total);
	uint64_t active_anon = stat_kb(memcg, MEMCG_ACTIVE_ANON, total);
	uint64_t inactive_anon = stat_kb(memcg, MEMCG_INACTIVE_ANON, total);
	uint64_t sreclaimable = stat_kb(memcg, MEMCG_SLAB_RECLAIMABLE, total);
	uint64_t anon_file = (memcg->stat[MEMCG_ANON] + memcg->stat[MEMCG_FILE]) >> 10;
	uint64_t kernel_kb = used > anon_file ? used - anon_file : 0;

	change(changes, MI_MEMTOTAL, total);
	change(changes, MI_MEMFREE, free_kb);
	/* Free memory plus what reclaim can take back: the file LRU and reclaimable slab. */
	change(changes, MI_MEMAVAILABLE,
	       min_u64(total, free_kb + active_file + inactive_file + sreclaimable));
	/* Buffer pages are part of the cgroup's file pages, counted under Cached. */
	change(changes, MI_BUFFERS, 0);
	change(changes, MI_CACHED, stat_kb(memcg, MEMCG_FILE, total));
	change(changes, MI_SWAPCACHED, stat_kb(memcg, MEMCG_SWAPCACHED, total));
	change(changes, MI_ACTIVE, min_u64(total, active_anon + active_file));
	change(changes, MI_INACTIVE, min_u64(total, inactive_anon + inactive_file));
	change(changes, MI_ACTIVE_ANON, active_anon);
	change(changes, MI_INACTIVE_ANON, inactive_anon);
	change(changes, MI_ACTIVE_FILE, active_file);
	change(changes, MI_INACTIVE_FILE, inactive_file);
	change(changes, MI_UNEVICTABLE, stat_kb(memcg, MEMCG_UNEVICTABLE, total));
	/* No cgroup counts mlocked pages; they are a part of the unevictable ones. */
	change(changes, MI_MLOCKED, min_u64(host->kb[MI_MLOCKED], changes->kb[MI_UNEVICTABLE]));
	change(changes, MI_DIRTY, stat_kb(memcg, MEMCG_FILE_DIRTY, total));
	change(changes, MI_WRITEBACK, stat_kb(memcg, MEMCG_FILE_WRITEBACK, total));
	change(changes, MI_ANONPAGES, stat_kb(memcg, MEMCG_ANON, total));
	change(changes, MI_MAPPED, stat_kb(memcg, MEMCG_FILE_MAPPED, total));
	change(changes, MI_SHMEM, stat_kb(memcg, MEMCG_SHMEM, total));
	change(changes, MI_ANONHUGEPAGES, stat_kb(memcg, MEMCG_ANON_THP, total));
	change_if_found(changes, MI_ZSWAP, memcg, MEMCG_ZSWAP, total);
	if (memcg->stat_found[MEMCG_ZSWAPPED])
		change(changes, MI_ZSWAPPED, memcg->stat[MEMCG_ZSWAPPED] >> 10);
	change_if_found(changes, MI_KERNELSTACK, memcg, MEMCG_KERNEL_STACK, total);
	change_if_found(changes, MI_PAGETABLES, memcg, MEMCG_PAGETABLES, total);
	change_if_found(changes, MI_SECPAGETABLES, memcg, MEMCG_SEC_PAGETABLES, total);
	change_if_found(changes, MI_PERCPU, memcg, MEMCG_PERCPU, total);
	change_if_found(changes, MI_SHMEMHUGEPAGES, memcg, MEMCG_SHMEM_THP, total);
	change_if_found(changes, MI_FILEHUGEPAGES, memcg, MEMCG_FILE_THP, total);
	if (memcg->stat_found[MEMCG_SLAB_RECLAIMABLE] &&
	    memcg->stat_found[MEMCG_SLAB_UNRECLAIMABLE]) {
		uint64_t sunreclaim = stat_kb(memcg, MEMCG_SLAB_UNRECLAIMABLE, total);

		change(changes, MI_SRECLAIMABLE, sreclaimable);
		change(changes, MI_SUNRECLAIM, sunreclaim);
		change(changes, MI_SLAB, min_u64(total, sreclaimable + sunreclaim));
		change(changes, MI_KRECLAIMABLE, sreclaimable);
	} else {
		/*
		 * v1 has no slab counters. Slab lives in the cgroup's kernel
		 * memory, so bound it by that and call none of it reclaimable:
		 * free(1) adds SReclaimable to buff/cache, which must stay
		 * within what the cgroup uses.
		 */
		change(changes, MI_SRECLAIMABLE, 0);
		change(changes, MI_KRECLAIMABLE, 0);
		change(changes, MI_SLAB, min_u64(host->kb[MI_SLAB], kernel_kb));
		change(changes, MI_SUNRECLAIM, changes->kb[MI_SLAB]);
	}

	/*
	 * What the cgroup does not count passes through from the host, but never
	 * above the cgroup's memory that is neither anon nor file pages: its
	 * kernel memory, where such counters (KernelStack, PageTables on v1) live.
	 */
	for (size_t f = 0; f < MI_FIELD_COUNT; f++)
		if (meminfo_fields[f].bounded && host->set[f] && !changes->set[f] &&
		    host->kb[f] > kernel_kb)
			change(changes, (enum meminfo_field)f, kernel_kb);
}

static void compute_swap(const struct meminfo_values *host,
			 const struct memcg_usage *memcg, uint64_t swap_limit_kb,
			 struct meminfo_values *changes)
{
	uint64_t swap_total = min_u64(host->kb[MI_SWAPTOTAL], swap_limit_kb);
	uint64_t swap_used = min_u64(memcg->swap_usage >> 10, swap_total);

	change(changes, MI_SWAPTOTAL, swap_total);
	/* The host's free swap is shared: the reader never has more than it. */
	change(changes, MI_SWAPFREE, min_u64(swap_total - swap_used, host->kb[MI_SWAPFREE]));
	if (changes->set[MI_SWAPCACHED])
		change(changes, MI_SWAPCACHED, min_u64(changes->kb[MI_SWAPCACHED], swap_total));
}

void meminfo_compute(const struct meminfo_values *host,
		     const struct memcg_usage *memcg,
		     struct meminfo_values *changes)
{
	uint64_t limit_kb = memcg->limit == CGROUP_UNLIMITED ? UINT64_MAX : memcg->limit >> 10;
	uint64_t swap_limit_kb = memcg->swap_limit == CGROUP_UNLIMITED ? UINT64_MAX
									  : memcg->swap_limit >> 10;
	bool memory_limited = limit_kb < host->kb[MI_MEMTOTAL];
	bool swap_limited = swap_limit_kb < host->kb[MI_SWAPTOTAL];

	memset(changes, 0, sizeof(*changes));
	if (memory_limited)
		compute_memory(host, memcg, limit_kb, changes);
	if (memory_limited || swap_limited)
		compute_swap(host, memcg, swap_limit_kb, changes);
}

/*
 * One changed line in the kernel's show_val_kb() format: "%-16s%8lu kB",
 * or, for a name too long for 16 columns, "HardwareCorrupted: %5lu kB".
 * name is the line up to its colon, included. Written by hand: this runs
 * for some thirty lines of every render, and printf's parsing of its
 * format cost more than the rest of the render.
 */
static int render_line(struct buf *out, const char *name, size_t name_len, uint64_t value,
		       bool kb)
{
	char digits[20];
	size_t ndigits = 0, width = name_len < 16 ? 8 : 5, pad;
	char *p;
	int rc;

	do
		digits[ndigits++] = (char)('0' + value % 10);
	while ((value /= 10) != 0);
	pad = ndigits < width ? width - ndigits : 0;
	/* name, padding to 16 columns or one blank, number, " kB", newline */
	rc = buf_reserve(out, 16 + 1 + name_len + pad + ndigits + 4);
	if (rc < 0)
		return rc;
	p = out->data + out->len;
	memcpy(p, name, name_len);
	p += name_len;
	if (name_len < 16) {
		memset(p, ' ', 16 - name_len);
		p += 16 - name_len;
	} else {
		*p++ = ' ';
	}
	memset(p, ' ', pad);
	p += pad;
	while (ndigits)
		*p++ = digits[--ndigits];
	if (kb) {
		memcpy(p, " kB", 3);
		p += 3;
	}
	*p++ = '\n';
	*p = '\0';
	out->len = (size_t)(p - out->data);
	return 0;
}

int meminfo_render(const char *host_text, const struct meminfo_values *changes,
		   struct buf *out)
{
	const char *line = host_text;
	size_t cursor = 0;
	int rc = 0;

	buf_reset(out);
	while (*line && rc == 0) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		const char *colon = memchr(line, ':', len);
		enum meminfo_field f = MI_FIELD_COUNT;

		if (colon)
			f = find_field(line, (size_t)(colon - line), &cursor);
		if (f != MI_FIELD_COUNT && changes->set[f]) {
			bool kb = len >= 3 && memcmp(line + len - 3, " kB", 3) == 0;

			rc = render_line(out, line, (size_t)(colon - line + 1), changes->kb[f], kb);
		} else {
			rc = buf_append(out, line, end ? len + 1 : len);
		}
		if (!end)
			break;
		line = end + 1;
	}
	return rc;
}

/* The host's /proc/meminfo as readers share it: its values, then its text. */
struct meminfo_host_copy {
	struct meminfo_values values;
	size_t len;
	char text[8192];
};

/*
 * The host's text and values, read afresh unless a snapshot at most
 * host->shared_max_age_ns old is there: one pread and one parse serve every
 * reader of that moment. Only the used part of text is copied.
 */
static int meminfo_host_read(const struct host *host, struct meminfo_host_copy *copy)
{
	size_t head = offsetof(struct meminfo_host_copy, text);
	int64_t now = 0;
	ssize_t len;
	int rc;

	if (host->meminfo_shared && host->shared_max_age_ns > 0) {
		now = shared_now_ns();
		if (shared_snapshot_get(host->meminfo_shared, now, host->shared_max_age_ns,
					copy, sizeof(*copy)) > 0)
			return 0;
	}
	if (host->meminfo_fd >= 0)
		len = strutil_pread_single(host->meminfo_fd, copy->text, sizeof(copy->text));
	else
		len = strutil_read_file(host->proc_fd, "meminfo", copy->text, sizeof(copy->text));
	if (len < 0)
		return (int)len;
	copy->len = (size_t)len;
	rc = meminfo_parse(copy->text, &copy->values);
	if (rc < 0) {
		log_error("/proc/meminfo: unreadable content");
		return rc;
	}
	if (now)
		shared_snapshot_put(host->meminfo_shared, now, copy, head + copy->len + 1);
	return 0;
}

/* The reader's file: gather the host's and the cgroup's figures, then render. */
static int meminfo_vfile_render(const struct vfile_ctx *ctx, struct buf *out)
{
	const struct host *host = ctx->host;
	const struct reader *reader = ctx->reader;
	struct meminfo_host_copy host_copy;
	struct meminfo_values changes;
	struct memcg_usage memcg;
	int rc;

	rc = meminfo_host_read(host, &host_copy);
	if (rc < 0)
		return rc;
	if (host->memory.version == CGROUP_NONE || !reader->memory_cgroup)
		return buf_append(out, host_copy.text, host_copy.len);
	/* A host without swap shows none to anyone: no swap files to read. */
	rc = memcg_read(&host->memory, reader->memory_cgroup,
			host_copy.values.kb[MI_SWAPTOTAL] > 0, &memcg);
	if (rc < 0)
		return rc;
	meminfo_compute(&host_copy.values, &memcg, &changes);
	return meminfo_render(host_copy.text, &changes, out);
}

const struct vfile proc_meminfo_vfile = {
	.path = "proc/meminfo",
	.mode = 0444,
	.needs = READER_MEMORY_CGROUP,
	.render = meminfo_vfile_render,
};
