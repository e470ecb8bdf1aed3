/* SPDX-License-Identifier: GPL-2.0-or-later */
/* memcg.c - what a reader's memory cgroup allows and uses, read from v1 or v2 files. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

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

/*
 * One level of the walk up from a reader's cgroup: a kept node for the
 * first CGROUP_KEPT_DEPTH levels, a directory opened for this walk only
 * above them (cgroup.h).
 */
struct memcg_level {
	struct cgroup_node *node;	/* or NULL */
	int dirfd;			/* O_PATH, when node is NULL; -1 */
	unsigned above;			/* a directory's levels below the root */
};

/*
 * A note on the highest kept node of a walk: every level above it reads
 * use_hierarchy 1. An ancestor of a live cgroup has children, so its value
 * cannot change (and since Linux 5.11 it is always 1): later walks from the
 * node skip reading it level by level.
 */
#define MEMCG_NOTE_ABOVE_HIERARCHICAL 1u

/* What a walk above the kept levels saw: from which node, and any use_hierarchy 0. */
struct memcg_deep {
	struct cgroup_node *top;	/* the highest kept level, once passed */
	bool skip_use_hierarchy;	/* its note says every level above reads 1 */
	bool saw_non_hierarchical;
};

static const char *level_path(const struct memcg_level *level)
{
	return level->node ? cgroup_node_path(level->node) : "(a deep ancestor)";
}

static int level_read_u64(const struct memcg_level *level, const char *file, uint64_t *value)
{
	return level->node ? cgroup_node_read_u64(level->node, file, value)
			   : cgroup_dir_read_u64(level->dirfd, file, value);
}

/*
 * Read a limit file; a file the cgroup does not have counts as no limit. A
 * kept node's is read again only after a write to it (cgroup_watch_sync()
 * ran at the walk's start); a level above the kept ones is always read.
 */
static int read_limit(const struct cgroup_hierarchy *h, const struct memcg_level *level,
		      const char *file, uint64_t *value, bool *present)
{
	int rc = level->node ? cgroup_node_read_u64_watched(level->node, file, value)
			     : level_read_u64(level, file, value);

	*present = rc == 0;
	if (rc == -ENOENT) {
		*value = CGROUP_UNLIMITED;
		return 0;
	}
	if (rc == -EBADMSG)
		log_error("%s/%s: malformed limit", level_path(level), file);
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
	const struct memcg_level *level;
	struct memcg_usage *scratch;
};

static int parse_stat(const char *text, void *out, void *arg)
{
	struct memcg_stat_parse *p = arg;
	struct memcg_stat_copy *copy = out;
	unsigned bad_line = 0;
	int rc = memcg_parse_stat(text, p->h->version, p->scratch, &bad_line);

	if (rc == -EBADMSG && bad_line)
		log_error("%s/memory.stat: line %u: malformed value", level_path(p->level),
			  bad_line);
	else if (rc == -EBADMSG)
		log_error("%s/memory.stat: required counters missing", level_path(p->level));
	if (rc < 0)
		return rc;
	memcpy(copy->stat, p->scratch->stat, sizeof(copy->stat));
	memcpy(copy->stat_found, p->scratch->stat_found, sizeof(copy->stat_found));
	return 0;
}

/*
 * memory.stat of the cgroup into out: read, or shared with the cgroup's
 * other readers for at most max_age_ns (the counters; never a limit). A
 * level above the kept ones is always read.
 */
static int read_stat(const struct cgroup_hierarchy *h, const struct memcg_level *level,
		     int64_t max_age_ns, struct memcg_usage *out)
{
	struct memcg_stat_parse p = { h, level, out };
	struct memcg_stat_copy copy;
	char text[16384];
	ssize_t len;
	int rc;

	if (level->node) {
		rc = cgroup_node_read_shared(level->node, "memory.stat", max_age_ns, parse_stat,
					     &p, &copy, sizeof(copy));
	} else {
		len = cgroup_dir_read_file(level->dirfd, "memory.stat", text, sizeof(text));
		rc = len < 0 ? (int)len : parse_stat(text, &copy, &p);
	}
	if (rc < 0)
		return rc;
	memcpy(out->stat, copy.stat, sizeof(out->stat));
	memcpy(out->stat_found, copy.stat_found, sizeof(out->stat_found));
	return 0;
}

/* v1's memory.use_hierarchy of a level that is not the root; 1 without the file. */
static int read_use_hierarchy(const struct memcg_level *level, uint64_t *value)
{
	int rc = level->node ? cgroup_node_read_u64_once(level->node, "memory.use_hierarchy",
							  value)
			     : cgroup_dir_read_u64(level->dirfd, "memory.use_hierarchy", value);

	if (rc == -EBADMSG)
		log_error("%s/memory.use_hierarchy: malformed", level_path(level));
	if (rc == -ENOENT) {
		*value = 1;
		rc = 0;
	}
	return rc;
}

/*
 * Move level to the next cgroup up whose limits bind the walk's cgroups;
 * past the last, both fields are empty. depth is the new level's distance
 * from the reader's cgroup: up to CGROUP_KEPT_DEPTH it is a kept node, above
 * that a directory opened for this walk (the one below is closed). On v1 a
 * parent with memory.use_hierarchy 0 charges nothing of its children, so
 * neither its limit nor any above it applies to them (older kernels honour
 * 0; newer ones, 6.18 among them, always read 1). The value cannot change
 * once the parent has children, so a kept node reads it once.
 */
static int memcg_next_level(const struct cgroup_hierarchy *h, struct memcg_level *level,
			    unsigned depth, struct memcg_deep *deep)
{
	struct memcg_level parent = { NULL, -1, 0 };
	uint64_t use_hierarchy = 1;
	bool is_root = false;
	int rc;

	if (level->node && depth <= CGROUP_KEPT_DEPTH) {
		rc = cgroup_node_parent(level->node, &parent.node);
		is_root = !parent.node || cgroup_node_is_root(parent.node);
	} else if (level->node) {
		deep->top = level->node;
		deep->skip_use_hierarchy = cgroup_node_notes(level->node) &
					   MEMCG_NOTE_ABOVE_HIERARCHICAL;
		rc = cgroup_node_parent_fd(level->node, &parent.dirfd, &parent.above);
		is_root = parent.above == 0;
	} else {
		rc = cgroup_dir_parent_fd(level->dirfd, &parent.dirfd);
		parent.above = level->above ? level->above - 1 : 0;
		is_root = level->above <= 1;
	}
	if (rc < 0)
		return rc;
	if (h->version == CGROUP_V1 && !is_root && !(parent.dirfd >= 0 && deep->skip_use_hierarchy)) {
		rc = read_use_hierarchy(&parent, &use_hierarchy);
		if (rc < 0) {
			if (parent.dirfd >= 0)
				close(parent.dirfd);
			return rc;
		}
		if (parent.dirfd >= 0 && use_hierarchy == 0)
			deep->saw_non_hierarchical = true;
	}
	if (level->dirfd >= 0)
		close(level->dirfd);
	/* The root cannot be limited: the walk ends below it, as at a use_hierarchy 0. */
	if (is_root || use_hierarchy == 0) {
		if (parent.dirfd >= 0)
			close(parent.dirfd);
		parent.node = NULL;
		parent.dirfd = -1;
	}
	*level = parent;
	return 0;
}

/* Remember level as where a limit was found: a directory is kept for the walk's end. */
static int level_remember(struct memcg_level *kept, const struct memcg_level *level)
{
	if (kept->dirfd >= 0)
		close(kept->dirfd);
	kept->node = level->node;
	kept->dirfd = -1;
	if (!level->node) {
		kept->dirfd = fcntl(level->dirfd, F_DUPFD_CLOEXEC, 0);
		if (kept->dirfd < 0)
			return -errno;
	}
	return 0;
}

static void level_forget(struct memcg_level *kept)
{
	if (kept->dirfd >= 0)
		close(kept->dirfd);
	kept->node = NULL;
	kept->dirfd = -1;
}

static bool level_found(const struct memcg_level *level)
{
	return level->node || level->dirfd >= 0;
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

/* The walk up from the reader's cgroup: limits, usage where limited, swap limits. */
static int memcg_walk(const struct cgroup_hierarchy *h, struct cgroup_node *cgroup,
		      bool want_swap, struct memcg_usage *out, uint64_t *swap_min,
		      struct memcg_level *limiting, struct memcg_level *swap_limiting)
{
	bool v1 = h->version == CGROUP_V1;
	const char *limit_file = v1 ? "memory.limit_in_bytes" : "memory.max";
	const char *usage_file = v1 ? "memory.usage_in_bytes" : "memory.current";
	const char *swap_file = v1 ? "memory.memsw.limit_in_bytes" : "memory.swap.max";
	struct memcg_level level = { cgroup, -1, 0 };
	struct memcg_deep deep = { NULL, false, false };
	int rc = 0;

	/* The root cgroup cannot be limited: stop below it. */
	if (cgroup_node_is_root(cgroup))
		return 0;
	/* Every write to a limit made before this render counts in it. */
	cgroup_watch_sync(h);
	/* Bounded: each step goes one directory up, and the root ends the walk. */
	for (unsigned depth = 1; level_found(&level); depth++) {
		uint64_t limit, usage, swap;
		bool present, have_usage = false;

		/*
		 * The reader's own usage is read on every render, limited or not:
		 * removing a cgroup notifies no watch, and an ancestor cannot go
		 * before it, so this read's ENODEV is what tells a removed chain.
		 */
		if (depth == 1) {
			rc = level_read_u64(&level, usage_file, &usage);
			if (rc < 0 && rc != -ENOENT)
				break;
			have_usage = rc == 0;
		}
		rc = read_limit(h, &level, limit_file, &limit, &present);
		if (rc < 0)
			break;
		/* Usage only where there is a limit: a fuller ancestor leaves less room. */
		if (limit != CGROUP_UNLIMITED) {
			if (!have_usage)
				rc = level_read_u64(&level, usage_file, &usage);
			if (rc < 0)
				break;
			out->headroom = min_u64(out->headroom, headroom_of(limit, usage));
			if (limit < out->limit) {
				out->limit = limit;
				out->usage = usage;
				rc = level_remember(limiting, &level);
				if (rc < 0)
					break;
			}
		}
		if (want_swap) {
			rc = read_limit(h, &level, swap_file, &swap, &present);
			if (rc < 0)
				break;
			out->swap_accounted |= present;
			if (swap < *swap_min) {
				*swap_min = swap;
				rc = level_remember(swap_limiting, &level);
				if (rc < 0)
					break;
			}
		}
		rc = memcg_next_level(h, &level, depth, &deep);
		if (rc < 0)
			break;
	}
	if (level.dirfd >= 0)
		close(level.dirfd);
	if (rc == 0 && v1 && deep.top && !deep.skip_use_hierarchy && !deep.saw_non_hierarchical)
		cgroup_node_add_notes(deep.top, MEMCG_NOTE_ABOVE_HIERARCHICAL);
	return rc;
}

/* The limiting cgroup's memory.stat and swap usage, once the walk found it. */
static int memcg_read_usage(const struct cgroup_hierarchy *h, bool want_swap,
			    struct memcg_usage *out, uint64_t swap_min,
			    const struct memcg_level *limiting,
			    const struct memcg_level *swap_limiting)
{
	bool v1 = h->version == CGROUP_V1;
	int rc;

	if (level_found(limiting)) {
		const char *path = level_path(limiting);
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
		if (v1 && h->shared_max_age_ns > 0 &&
		    memcg_hierarchical_binds(h, out, want_swap, swap_min)) {
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
		const struct memcg_level *usage_level = level_found(swap_limiting) ? swap_limiting
										    : limiting;

		out->swap_limit = swap_min;
		if (out->swap_accounted && level_found(usage_level)) {
			rc = level_read_u64(usage_level, "memory.swap.current", &out->swap_usage);
			if (rc < 0 && rc != -ENOENT)
				return rc;
		}
	}
	return 0;
}

int memcg_read(const struct cgroup_hierarchy *h, struct cgroup_node *cgroup,
	       bool want_swap, struct memcg_usage *out)
{
	struct memcg_level limiting = { NULL, -1, 0 }, swap_limiting = { NULL, -1, 0 };
	uint64_t swap_min = CGROUP_UNLIMITED;
	int rc;

	memset(out, 0, sizeof(*out));
	out->limit = CGROUP_UNLIMITED;
	out->headroom = CGROUP_UNLIMITED;
	out->swap_limit = CGROUP_UNLIMITED;

	rc = memcg_walk(h, cgroup, want_swap, out, &swap_min, &limiting, &swap_limiting);
	if (rc == 0)
		rc = memcg_read_usage(h, want_swap, out, swap_min, &limiting, &swap_limiting);
	level_forget(&limiting);
	level_forget(&swap_limiting);
	return rc;
}
