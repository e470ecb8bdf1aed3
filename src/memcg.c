/* SPDX-License-Identifier: GPL-2.0-or-later */
/* memcg.c - what a reader's memory cgroup allows and uses, read from v1 or v2 files. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "memcg.h"
#include "strutil.h"

/*
 * v1 limits that were never set read as PAGE_COUNTER_MAX pages
 * (9223372036854771712 on x86_64); anything this large means no limit.
 */
#define MEMCG_V1_NO_LIMIT (UINT64_C(1) << 62)

struct memcg_stat_key {
	const char *v1;		/* hierarchical total_* key, NULL if v1 has none */
	const char *v2;		/* NULL if v2 has none */
	bool required;		/* a memory.stat without it is malformed */
};

static const struct memcg_stat_key memcg_stat_keys[MEMCG_STAT_COUNT] = {
	[MEMCG_ANON]			= { "total_rss", "anon", true },
	[MEMCG_FILE]			= { "total_cache", "file", true },
	[MEMCG_KERNEL_STACK]		= { NULL, "kernel_stack", false },
	[MEMCG_PAGETABLES]		= { NULL, "pagetables", false },
	[MEMCG_SEC_PAGETABLES]		= { NULL, "sec_pagetables", false },
	[MEMCG_PERCPU]			= { NULL, "percpu", false },
	[MEMCG_SHMEM]			= { "total_shmem", "shmem", false },
	[MEMCG_ZSWAP]			= { NULL, "zswap", false },
	[MEMCG_ZSWAPPED]		= { NULL, "zswapped", false },
	[MEMCG_FILE_MAPPED]		= { "total_mapped_file", "file_mapped", false },
	[MEMCG_FILE_DIRTY]		= { "total_dirty", "file_dirty", false },
	[MEMCG_FILE_WRITEBACK]		= { "total_writeback", "file_writeback", false },
	[MEMCG_SWAPCACHED]		= { "total_swapcached", "swapcached", false },
	[MEMCG_ANON_THP]		= { "total_rss_huge", "anon_thp", false },
	[MEMCG_FILE_THP]		= { NULL, "file_thp", false },
	[MEMCG_SHMEM_THP]		= { NULL, "shmem_thp", false },
	[MEMCG_INACTIVE_ANON]		= { "total_inactive_anon", "inactive_anon", false },
	[MEMCG_ACTIVE_ANON]		= { "total_active_anon", "active_anon", false },
	[MEMCG_INACTIVE_FILE]		= { "total_inactive_file", "inactive_file", false },
	[MEMCG_ACTIVE_FILE]		= { "total_active_file", "active_file", false },
	[MEMCG_UNEVICTABLE]		= { "total_unevictable", "unevictable", false },
	[MEMCG_SLAB_RECLAIMABLE]	= { NULL, "slab_reclaimable", false },
	[MEMCG_SLAB_UNRECLAIMABLE]	= { NULL, "slab_unreclaimable", false },
	[MEMCG_SWAP]			= { "total_swap", NULL, false },
	[MEMCG_HIERARCHICAL_MEMORY_LIMIT] = { "hierarchical_memory_limit", NULL, false },
	[MEMCG_HIERARCHICAL_MEMSW_LIMIT] = { "hierarchical_memsw_limit", NULL, false },
};

int memcg_parse_stat(const char *text, enum cgroup_version version,
		     struct memcg_usage *out, unsigned *bad_line)
{
	struct strutil_key keys[MEMCG_STAT_COUNT];
	size_t item_of[MEMCG_STAT_COUNT];
	size_t nkeys = 0;
	int rc;

	for (size_t i = 0; i < MEMCG_STAT_COUNT; i++) {
		const char *name = version == CGROUP_V1 ? memcg_stat_keys[i].v1
							: memcg_stat_keys[i].v2;

		out->stat[i] = 0;
		out->stat_found[i] = false;
		if (!name)
			continue;
		/* strutil_parse_keys() leaves the value of a key it does not find. */
		keys[nkeys] = (struct strutil_key){ .name = name };
		item_of[nkeys++] = i;
	}
	rc = strutil_parse_keys(text, ' ', false, keys, nkeys, bad_line);
	if (rc < 0)
		return rc;
	for (size_t k = 0; k < nkeys; k++) {
		size_t i = item_of[k];

		if (!keys[k].found && memcg_stat_keys[i].required) {
			if (bad_line)
				*bad_line = 0;
			return -EBADMSG;
		}
		out->stat[i] = keys[k].value;
		out->stat_found[i] = keys[k].found;
	}
	return 0;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* What a limit leaves to allocate: limit - usage, never below 0. */
static uint64_t headroom_of(uint64_t limit, uint64_t usage)
{
	return limit > usage ? limit - usage : 0;
}

static uint64_t normalize_limit(const struct cgroup_hierarchy *h, uint64_t value)
{
	if (h->version == CGROUP_V1 && value >= MEMCG_V1_NO_LIMIT)
		return CGROUP_UNLIMITED;
	return value;
}

/* Read a limit file; a file the cgroup does not have counts as no limit. */
static int read_limit(const struct cgroup_hierarchy *h, struct cgroup_node *node,
		      const char *file, uint64_t *value, bool *present)
{
	int rc = cgroup_node_read_u64(node, file, value);

	*present = rc == 0;
	if (rc == -ENOENT) {
		*value = CGROUP_UNLIMITED;
		return 0;
	}
	if (rc == -EBADMSG)
		log_error("%s/%s: malformed limit", cgroup_node_path(node), file);
	if (rc == 0)
		*value = normalize_limit(h, *value);
	return rc;
}

/* What memory.stat says, as readers of a cgroup share it. */
struct memcg_stat_copy {
	uint64_t stat[MEMCG_STAT_COUNT];
	bool stat_found[MEMCG_STAT_COUNT];
};

struct memcg_stat_parse {
	const struct cgroup_hierarchy *h;
	struct cgroup_node *node;
	struct memcg_usage *scratch;
};

static int parse_stat(const char *text, void *out, void *arg)
{
	struct memcg_stat_parse *p = arg;
	struct memcg_stat_copy *copy = out;
	unsigned bad_line = 0;
	int rc = memcg_parse_stat(text, p->h->version, p->scratch, &bad_line);

	if (rc == -EBADMSG && bad_line)
		log_error("%s/memory.stat: line %u: malformed value", cgroup_node_path(p->node),
			  bad_line);
	else if (rc == -EBADMSG)
		log_error("%s/memory.stat: required counters missing", cgroup_node_path(p->node));
	if (rc < 0)
		return rc;
	memcpy(copy->stat, p->scratch->stat, sizeof(copy->stat));
	memcpy(copy->stat_found, p->scratch->stat_found, sizeof(copy->stat_found));
	return 0;
}

/*
 * memory.stat of the cgroup into out: read, or shared with the cgroup's
 * other readers for at most max_age_ns (the counters; never a limit).
 */
static int read_stat(const struct cgroup_hierarchy *h, struct cgroup_node *node,
		     int64_t max_age_ns, struct memcg_usage *out)
{
	struct memcg_stat_parse p = { h, node, out };
	struct memcg_stat_copy copy;
	int rc;

	rc = cgroup_node_read_shared(node, "memory.stat", max_age_ns, parse_stat, &p,
				     &copy, sizeof(copy));
	if (rc < 0)
		return rc;
	memcpy(out->stat, copy.stat, sizeof(out->stat));
	memcpy(out->stat_found, copy.stat_found, sizeof(out->stat_found));
	return 0;
}

/*
 * The next cgroup up whose limits bind the walk's cgroups, or NULL. On v1 a
 * parent with memory.use_hierarchy 0 charges nothing of its children, so
 * neither its limit nor any above it applies to them (older kernels honour
 * 0; newer ones, 6.18 among them, always read 1). The value cannot change
 * once the parent has children, as it has now, so it is read once per cgroup.
 */
static int memcg_next_level(const struct cgroup_hierarchy *h, struct cgroup_node **node)
{
	struct cgroup_node *parent;
	uint64_t use_hierarchy = 1;
	int rc = cgroup_node_parent(*node, &parent);

	if (rc < 0)
		return rc;
	if (h->version == CGROUP_V1 && parent && !cgroup_node_is_root(parent)) {
		rc = cgroup_node_read_u64_once(parent, "memory.use_hierarchy", &use_hierarchy);
		if (rc == -EBADMSG)
			log_error("%s/memory.use_hierarchy: malformed", cgroup_node_path(parent));
		if (rc < 0 && rc != -ENOENT)
			return rc;
		if (use_hierarchy == 0)
			parent = NULL;
	}
	*node = parent;
	return 0;
}

/*
 * v1's memory.stat says what the kernel takes as the cgroup's limits over
 * its hierarchy; the walk's figures never exceed them.
 */
static void memcg_apply_hierarchical(const struct cgroup_hierarchy *h,
				     struct memcg_usage *out, uint64_t *memsw_min)
{
	uint64_t memory = normalize_limit(h, out->stat[MEMCG_HIERARCHICAL_MEMORY_LIMIT]);
	uint64_t memsw = normalize_limit(h, out->stat[MEMCG_HIERARCHICAL_MEMSW_LIMIT]);

	if (out->stat_found[MEMCG_HIERARCHICAL_MEMORY_LIMIT] && memory < out->limit) {
		out->limit = memory;
		out->headroom = min_u64(out->headroom, headroom_of(memory, out->usage));
	}
	if (out->stat_found[MEMCG_HIERARCHICAL_MEMSW_LIMIT] && memsw < *memsw_min)
		*memsw_min = memsw;
}

/* Would v1's hierarchical limits in out change the walk's figures? */
static bool memcg_hierarchical_binds(const struct cgroup_hierarchy *h,
				     const struct memcg_usage *out, bool want_swap,
				     uint64_t memsw_min)
{
	uint64_t memory = normalize_limit(h, out->stat[MEMCG_HIERARCHICAL_MEMORY_LIMIT]);
	uint64_t memsw = normalize_limit(h, out->stat[MEMCG_HIERARCHICAL_MEMSW_LIMIT]);

	return (out->stat_found[MEMCG_HIERARCHICAL_MEMORY_LIMIT] && memory < out->limit) ||
	       (want_swap && out->stat_found[MEMCG_HIERARCHICAL_MEMSW_LIMIT] &&
		memsw < memsw_min);
}

int memcg_read(const struct cgroup_hierarchy *h, struct cgroup_node *cgroup,
	       bool want_swap, struct memcg_usage *out)
{
	bool v1 = h->version == CGROUP_V1;
	const char *limit_file = v1 ? "memory.limit_in_bytes" : "memory.max";
	const char *usage_file = v1 ? "memory.usage_in_bytes" : "memory.current";
	const char *swap_file = v1 ? "memory.memsw.limit_in_bytes" : "memory.swap.max";
	struct cgroup_node *node, *limiting = NULL, *swap_limiting = NULL;
	uint64_t swap_min = CGROUP_UNLIMITED;
	int rc;

	memset(out, 0, sizeof(*out));
	out->limit = CGROUP_UNLIMITED;
	out->headroom = CGROUP_UNLIMITED;
	out->swap_limit = CGROUP_UNLIMITED;

	/* The root cgroup cannot be limited: stop below it. */
	for (node = cgroup; node && !cgroup_node_is_root(node);) {
		uint64_t limit, usage, swap;
		bool present;

		rc = read_limit(h, node, limit_file, &limit, &present);
		if (rc < 0)
			return rc;
		/* Usage only where there is a limit: a fuller ancestor leaves less room. */
		if (limit != CGROUP_UNLIMITED) {
			rc = cgroup_node_read_u64(node, usage_file, &usage);
			if (rc < 0)
				return rc;
			out->headroom = min_u64(out->headroom, headroom_of(limit, usage));
			if (limit < out->limit) {
				out->limit = limit;
				out->usage = usage;
				limiting = node;
			}
		}
		if (want_swap) {
			rc = read_limit(h, node, swap_file, &swap, &present);
			if (rc < 0)
				return rc;
			out->swap_accounted |= present;
			if (swap < swap_min) {
				swap_min = swap;
				swap_limiting = node;
			}
		}
		rc = memcg_next_level(h, &node);
		if (rc < 0)
			return rc;
	}

	if (limiting) {
		const char *path = cgroup_node_path(limiting);
		size_t path_len = strnlen(path, sizeof(out->limit_path) - 1);

		memcpy(out->limit_path, path, path_len);
		out->limit_path[path_len] = '\0';
		rc = read_stat(h, limiting, h->shared_max_age_ns, out);
		if (rc < 0)
			return rc;
		/*
		 * v1's hierarchical limits come with the shared counters: one
		 * that would lower the walk's must be today's, so read afresh.
		 */
		if (v1 && h->shared_max_age_ns > 0 && memcg_hierarchical_binds(h, out, want_swap, swap_min)) {
			rc = read_stat(h, limiting, 0, out);
			if (rc < 0)
				return rc;
		}
		if (v1)
			memcg_apply_hierarchical(h, out, &swap_min);
	}

	if (!want_swap)
		return 0;
	if (v1) {
		/* memsw limits memory plus swap; the swap share is what exceeds memory. */
		if (swap_min != CGROUP_UNLIMITED)
			out->swap_limit = swap_min > out->limit ? swap_min - out->limit : 0;
		out->swap_usage = out->stat[MEMCG_SWAP];
	} else {
		/* Swap used where swap is limited, else where memory is. */
		struct cgroup_node *usage_node = swap_limiting ? swap_limiting : limiting;

		out->swap_limit = swap_min;
		if (out->swap_accounted && usage_node) {
			rc = cgroup_node_read_u64(usage_node, "memory.swap.current",
						  &out->swap_usage);
			if (rc < 0 && rc != -ENOENT)
				return rc;
		}
	}
	return 0;
}
