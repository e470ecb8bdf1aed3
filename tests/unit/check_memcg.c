/* SPDX-License-Identifier: GPL-2.0-or-later */
/* check_memcg.c - limits, usage and memory.stat gathered from v1, v2 and hybrid fixture trees. */
#include <check.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup.h"
#include "memcg.h"

/* Read the memory cgroup at cgroup_path of the fixture hierarchy in dir. */
static int read_fixture(const char *dir, enum cgroup_version version,
			const char *cgroup_path, struct memcg_usage *out)
{
	struct cgroup_hierarchy h;
	char root[PATH_MAX];
	int rc;

	struct cgroup_node *node;

	snprintf(root, sizeof(root), "%s/%s", FIXTURES_DIR, dir);
	ck_assert_int_eq(cgroup_hierarchy_open_path(&h, "memory", root, version), 0);
	rc = cgroup_node_get(&h, cgroup_path, &node);
	if (rc == 0) {
		rc = memcg_read(&h, node, true, out);
		cgroup_node_put(node);
	}
	cgroup_hierarchy_close(&h);
	return rc;
}

#define V1 "v1/cgroup/memory", CGROUP_V1
#define V2 "v2/cgroup", CGROUP_V2
#define HYBRID "hybrid/cgroup/memory", CGROUP_V1

/* ---- cgroup v1 ---- */

START_TEST(test_v1_parent_lower_limit_wins)
{
	struct memcg_usage m;

	/* docker/web allows 256 MiB, its child docker/web/app 1 GiB. */
	ck_assert_int_eq(read_fixture(V1, "docker/web/app", &m), 0);
	ck_assert_uint_eq(m.limit, 268435456);
	ck_assert_str_eq(m.limit_path, "docker/web");
}
END_TEST

START_TEST(test_v1_usage_from_limiting_parent)
{
	struct memcg_usage m;

	ck_assert_int_eq(read_fixture(V1, "docker/web/app", &m), 0);
	ck_assert_uint_eq(m.usage, 104857600);
}
END_TEST

START_TEST(test_v1_stat_from_limiting_parent_total_keys)
{
	struct memcg_usage m;

	/* docker/web's total_* counters; its local ones are all 0. */
	ck_assert_int_eq(read_fixture(V1, "docker/web/app", &m), 0);
	ck_assert_uint_eq(m.stat[MEMCG_ANON], 52428800);
	ck_assert_uint_eq(m.stat[MEMCG_FILE], 41943040);
	ck_assert_uint_eq(m.stat[MEMCG_SHMEM], 4194304);
	ck_assert_uint_eq(m.stat[MEMCG_FILE_MAPPED], 8388608);
	ck_assert_uint_eq(m.stat[MEMCG_FILE_DIRTY], 135168);
	ck_assert_uint_eq(m.stat[MEMCG_INACTIVE_ANON], 50331648);
	ck_assert_uint_eq(m.stat[MEMCG_ACTIVE_ANON], 2097152);
	ck_assert_uint_eq(m.stat[MEMCG_INACTIVE_FILE], 16777216);
	ck_assert_uint_eq(m.stat[MEMCG_ACTIVE_FILE], 25165824);
	ck_assert(m.stat_found[MEMCG_ACTIVE_FILE]);
}
END_TEST

START_TEST(test_v1_stat_lacks_v2_only_counters)
{
	struct memcg_usage m;

	ck_assert_int_eq(read_fixture(V1, "docker/web/app", &m), 0);
	ck_assert(!m.stat_found[MEMCG_KERNEL_STACK]);
	ck_assert(!m.stat_found[MEMCG_SLAB_RECLAIMABLE]);
	ck_assert(!m.stat_found[MEMCG_SLAB_UNRECLAIMABLE]);
	ck_assert(!m.stat_found[MEMCG_ZSWAP]);
	ck_assert_uint_eq(m.stat[MEMCG_SLAB_RECLAIMABLE], 0);
}
END_TEST

START_TEST(test_v1_own_limit_when_lowest)
{
	struct memcg_usage m;

	ck_assert_int_eq(read_fixture(V1, "docker/web", &m), 0);
	ck_assert_uint_eq(m.limit, 268435456);
	ck_assert_str_eq(m.limit_path, "docker/web");
}
END_TEST

START_TEST(test_v1_swap_limit_is_memsw_minus_memory)
{
	struct memcg_usage m;

	/* docker/web: memsw 512 MiB - memory 256 MiB = 256 MiB of swap. */
	ck_assert_int_eq(read_fixture(V1, "docker/web/app", &m), 0);
	ck_assert(m.swap_accounted);
	ck_assert_uint_eq(m.swap_limit, 268435456);
}
END_TEST

START_TEST(test_v1_swap_usage_is_total_swap_of_limiting_cgroup)
{
	struct memcg_usage m;

	/* docker/web's total_swap; docker/web/app's own is 4194304. */
	ck_assert_int_eq(read_fixture(V1, "docker/web/app", &m), 0);
	ck_assert_uint_eq(m.swap_usage, 12582912);
}
END_TEST

START_TEST(test_v1_unset_limit_is_unlimited)
{
	struct memcg_usage m;

	/* memory.limit_in_bytes reads 9223372036854771712 there. */
	ck_assert_int_eq(read_fixture(V1, "unlimited", &m), 0);
	ck_assert_uint_eq(m.limit, UINT64_MAX);
	ck_assert_str_eq(m.limit_path, "");
}
END_TEST

START_TEST(test_v1_unset_memsw_is_unlimited_swap)
{
	struct memcg_usage m;

	ck_assert_int_eq(read_fixture(V1, "unlimited", &m), 0);
	ck_assert_uint_eq(m.swap_limit, UINT64_MAX);
}
END_TEST

START_TEST(test_v1_no_limit_leaves_usage_zero)
{
	struct memcg_usage m;

	ck_assert_int_eq(read_fixture(V1, "unlimited", &m), 0);
	ck_assert_uint_eq(m.usage, 0);
	ck_assert_uint_eq(m.swap_usage, 0);
	ck_assert_uint_eq(m.stat[MEMCG_ANON], 0);
	ck_assert(!m.stat_found[MEMCG_ANON]);
}
END_TEST

START_TEST(test_v1_root_is_unlimited)
{
	struct memcg_usage m;

	ck_assert_int_eq(read_fixture(V1, "", &m), 0);
	ck_assert_uint_eq(m.limit, UINT64_MAX);
	ck_assert_uint_eq(m.usage, 0);
}
END_TEST

START_TEST(test_v1_without_swap_accounting)
{
	struct memcg_usage m;

	/* noswap has no memory.memsw.* files (swapaccount=0). */
	ck_assert_int_eq(read_fixture(V1, "noswap", &m), 0);
	ck_assert_uint_eq(m.limit, 536870912);
	ck_assert_uint_eq(m.usage, 73400320);
	ck_assert(!m.swap_accounted);
	ck_assert_uint_eq(m.swap_limit, UINT64_MAX);
	ck_assert_uint_eq(m.swap_usage, 0);
}
END_TEST

START_TEST(test_v1_garbage_stat_is_ebadmsg)
{
	struct memcg_usage m;

	/* total_rss -52428800 */
	ck_assert_int_eq(read_fixture("bad/cgroup-v1", CGROUP_V1, "garbage-stat", &m), -EBADMSG);
}
END_TEST

/* ---- cgroup v1 memory.use_hierarchy and the kernel's hierarchical limits ---- */

START_TEST(test_v1_parent_without_use_hierarchy_imposes_no_limit)
{
	struct memcg_usage m;

	/* flat (128 MiB) has use_hierarchy 0; its child job has no limit. */
	ck_assert_int_eq(read_fixture(V1, "flat/job", &m), 0);
	ck_assert_uint_eq(m.limit, UINT64_MAX);
	ck_assert_str_eq(m.limit_path, "");
}
END_TEST

START_TEST(test_v1_parent_without_use_hierarchy_imposes_no_swap_limit)
{
	struct memcg_usage m;

	/* flat's memsw limit of 256 MiB does not bind job either. */
	ck_assert_int_eq(read_fixture(V1, "flat/job", &m), 0);
	ck_assert_uint_eq(m.swap_limit, UINT64_MAX);
}
END_TEST

START_TEST(test_v1_walk_stops_below_parent_without_use_hierarchy)
{
	struct memcg_usage m;

	/* leaf -> tree (256 MiB, use_hierarchy 1) -> flat (128 MiB, use_hierarchy 0). */
	ck_assert_int_eq(read_fixture(V1, "flat/tree/leaf", &m), 0);
	ck_assert_uint_eq(m.limit, 268435456);
	ck_assert_str_eq(m.limit_path, "flat/tree");
	ck_assert_uint_eq(m.usage, 62914560);
}
END_TEST

START_TEST(test_v1_own_limit_binds_without_use_hierarchy)
{
	struct memcg_usage m;

	/* use_hierarchy 0 concerns flat's children, not flat itself. */
	ck_assert_int_eq(read_fixture(V1, "flat", &m), 0);
	ck_assert_uint_eq(m.limit, 134217728);
	ck_assert_uint_eq(m.usage, 104857600);
}
END_TEST

START_TEST(test_v1_kernel_hierarchical_limit_lowers_walk)
{
	struct memcg_usage m;

	/* capped: limit 1 GiB, but memory.stat says hierarchical_memory_limit 384 MiB. */
	ck_assert_int_eq(read_fixture(V1, "capped", &m), 0);
	ck_assert_uint_eq(m.limit, 402653184);
	ck_assert_str_eq(m.limit_path, "capped");
}
END_TEST

START_TEST(test_v1_kernel_hierarchical_memsw_limit_lowers_walk)
{
	struct memcg_usage m;

	/* hierarchical_memsw_limit 512 MiB - 384 MiB of memory = 128 MiB of swap. */
	ck_assert_int_eq(read_fixture(V1, "capped", &m), 0);
	ck_assert_uint_eq(m.swap_limit, 134217728);
}
END_TEST

START_TEST(test_v1_kernel_hierarchical_limit_above_walk_changes_nothing)
{
	struct memcg_usage m;

	/* docker/web: hierarchical_memory_limit equals its 256 MiB limit. */
	ck_assert_int_eq(read_fixture(V1, "docker/web/app", &m), 0);
	ck_assert_uint_eq(m.limit, 268435456);
	ck_assert_uint_eq(m.swap_limit, 268435456);
}
END_TEST

START_TEST(test_parse_stat_v1_hierarchical_limits)
{
	struct memcg_usage m;

	ck_assert_int_eq(memcg_parse_stat("hierarchical_memory_limit 268435456\n"
					  "hierarchical_memsw_limit 536870912\n"
					  "total_cache 1\ntotal_rss 2\n", CGROUP_V1, &m, NULL), 0);
	ck_assert_uint_eq(m.stat[MEMCG_HIERARCHICAL_MEMORY_LIMIT], 268435456);
	ck_assert_uint_eq(m.stat[MEMCG_HIERARCHICAL_MEMSW_LIMIT], 536870912);
}
END_TEST

/* ---- cgroup v2 ---- */

START_TEST(test_v2_own_limit)
{
	struct memcg_usage m;

	/* system.slice says "max", web.service 256 MiB. */
	ck_assert_int_eq(read_fixture(V2, "system.slice/web.service", &m), 0);
	ck_assert_uint_eq(m.limit, 268435456);
	ck_assert_str_eq(m.limit_path, "system.slice/web.service");
	ck_assert_uint_eq(m.usage, 157286400);
}
END_TEST

START_TEST(test_v2_stat_keys)
{
	struct memcg_usage m;

	ck_assert_int_eq(read_fixture(V2, "system.slice/web.service", &m), 0);
	ck_assert_uint_eq(m.stat[MEMCG_ANON], 41943040);
	ck_assert_uint_eq(m.stat[MEMCG_FILE], 52428800);
	ck_assert_uint_eq(m.stat[MEMCG_KERNEL_STACK], 1048576);
	ck_assert_uint_eq(m.stat[MEMCG_PAGETABLES], 2097152);
	ck_assert_uint_eq(m.stat[MEMCG_PERCPU], 524288);
	ck_assert_uint_eq(m.stat[MEMCG_SHMEM], 4194304);
	ck_assert_uint_eq(m.stat[MEMCG_FILE_MAPPED], 16777216);
	ck_assert_uint_eq(m.stat[MEMCG_FILE_DIRTY], 409600);
	ck_assert_uint_eq(m.stat[MEMCG_INACTIVE_ANON], 33554432);
	ck_assert_uint_eq(m.stat[MEMCG_ACTIVE_ANON], 8388608);
	ck_assert_uint_eq(m.stat[MEMCG_INACTIVE_FILE], 31457280);
	ck_assert_uint_eq(m.stat[MEMCG_ACTIVE_FILE], 20971520);
	ck_assert_uint_eq(m.stat[MEMCG_SLAB_RECLAIMABLE], 4194304);
	ck_assert_uint_eq(m.stat[MEMCG_SLAB_UNRECLAIMABLE], 2097152);
	ck_assert(m.stat_found[MEMCG_SEC_PAGETABLES]);
	ck_assert(m.stat_found[MEMCG_ZSWAPPED]);
}
END_TEST

START_TEST(test_v2_stat_has_no_v1_swap_counter)
{
	struct memcg_usage m;

	ck_assert_int_eq(read_fixture(V2, "system.slice/web.service", &m), 0);
	ck_assert(!m.stat_found[MEMCG_SWAP]);
}
END_TEST

START_TEST(test_v2_parent_lower_limit_wins)
{
	struct memcg_usage m;

	/* kubepods.slice allows 512 MiB, its child pod1 1 GiB. */
	ck_assert_int_eq(read_fixture(V2, "kubepods.slice/pod1", &m), 0);
	ck_assert_uint_eq(m.limit, 536870912);
	ck_assert_str_eq(m.limit_path, "kubepods.slice");
}
END_TEST

START_TEST(test_v2_usage_and_stat_from_limiting_parent)
{
	struct memcg_usage m;

	/* kubepods.slice's figures, not pod1's (104857600, anon 52428800). */
	ck_assert_int_eq(read_fixture(V2, "kubepods.slice/pod1", &m), 0);
	ck_assert_uint_eq(m.usage, 209715200);
	ck_assert_uint_eq(m.stat[MEMCG_ANON], 104857600);
	ck_assert_uint_eq(m.stat[MEMCG_FILE], 83886080);
}
END_TEST

START_TEST(test_v2_swap_limit_from_swap_max)
{
	struct memcg_usage m;

	ck_assert_int_eq(read_fixture(V2, "system.slice/web.service", &m), 0);
	ck_assert(m.swap_accounted);
	ck_assert_uint_eq(m.swap_limit, 134217728);
}
END_TEST

START_TEST(test_v2_smallest_swap_limit_from_parent)
{
	struct memcg_usage m;

	/* kubepods.slice: memory.swap.max 0; pod1: max. */
	ck_assert_int_eq(read_fixture(V2, "kubepods.slice/pod1", &m), 0);
	ck_assert_uint_eq(m.swap_limit, 0);
}
END_TEST

START_TEST(test_v2_without_swap_wanted_swap_files_are_not_read)
{
	struct cgroup_hierarchy h;
	struct cgroup_node *node;
	struct memcg_usage m;
	char root[PATH_MAX];

	/* web.service limits swap to 128 MiB and uses 16 MiB of it. */
	snprintf(root, sizeof(root), "%s/%s", FIXTURES_DIR, "v2/cgroup");
	ck_assert_int_eq(cgroup_hierarchy_open_path(&h, "memory", root, CGROUP_V2), 0);
	ck_assert_int_eq(cgroup_node_get(&h, "system.slice/web.service", &node), 0);
	ck_assert_int_eq(memcg_read(&h, node, false, &m), 0);
	cgroup_node_put(node);
	cgroup_hierarchy_close(&h);
	ck_assert(!m.swap_accounted);
	ck_assert_uint_eq(m.swap_limit, CGROUP_UNLIMITED);
	ck_assert_uint_eq(m.swap_usage, 0);
	ck_assert_uint_eq(m.limit, 268435456);
}
END_TEST

START_TEST(test_v2_swap_usage_of_limiting_cgroup)
{
	struct memcg_usage m;

	/* web.service's memory.swap.current; system.slice's is 20971520. */
	ck_assert_int_eq(read_fixture(V2, "system.slice/web.service", &m), 0);
	ck_assert_uint_eq(m.swap_usage, 16777216);
}
END_TEST

START_TEST(test_v2_swap_usage_above_swap_limit_reported_as_is)
{
	struct memcg_usage m;

	ck_assert_int_eq(read_fixture(V2, "swapover.slice", &m), 0);
	ck_assert_uint_eq(m.swap_limit, 16777216);
	ck_assert_uint_eq(m.swap_usage, 33554432);
}
END_TEST

START_TEST(test_v2_usage_above_limit_reported_as_is)
{
	struct memcg_usage m;

	ck_assert_int_eq(read_fixture(V2, "over.slice", &m), 0);
	ck_assert_uint_eq(m.limit, 268435456);
	ck_assert_uint_eq(m.usage, 301989888);
}
END_TEST

START_TEST(test_v2_max_everywhere_is_unlimited)
{
	struct memcg_usage m;

	ck_assert_int_eq(read_fixture(V2, "system.slice/cron.service", &m), 0);
	ck_assert_uint_eq(m.limit, UINT64_MAX);
	ck_assert_uint_eq(m.swap_limit, UINT64_MAX);
	ck_assert_str_eq(m.limit_path, "");
	ck_assert_uint_eq(m.usage, 0);
	ck_assert_uint_eq(m.swap_usage, 0);
}
END_TEST

START_TEST(test_v2_root_is_unlimited)
{
	struct memcg_usage m;

	ck_assert_int_eq(read_fixture(V2, "", &m), 0);
	ck_assert_uint_eq(m.limit, UINT64_MAX);
	ck_assert_uint_eq(m.usage, 0);
}
END_TEST

START_TEST(test_v2_controller_not_enabled_uses_parent_limit)
{
	struct memcg_usage m;

	/* nomem.slice/job has no memory.* files; nomem.slice allows 384 MiB. */
	ck_assert_int_eq(read_fixture(V2, "nomem.slice/job", &m), 0);
	ck_assert_uint_eq(m.limit, 402653184);
	ck_assert_str_eq(m.limit_path, "nomem.slice");
	ck_assert_uint_eq(m.usage, 94371840);
	ck_assert_uint_eq(m.stat[MEMCG_ANON], 41943040);
}
END_TEST

START_TEST(test_v2_controller_not_enabled_swap_usage_from_parent)
{
	struct memcg_usage m;

	ck_assert_int_eq(read_fixture(V2, "nomem.slice/job", &m), 0);
	ck_assert(m.swap_accounted);
	ck_assert_uint_eq(m.swap_limit, UINT64_MAX);
	ck_assert_uint_eq(m.swap_usage, 4194304);
}
END_TEST

START_TEST(test_v2_missing_cgroup_is_enoent)
{
	struct memcg_usage m;

	/* A cgroup that is not there has no node to read. */
	ck_assert_int_eq(read_fixture(V2, "gone.slice", &m), -ENOENT);
}
END_TEST

START_TEST(test_v2_garbage_stat_is_ebadmsg)
{
	struct memcg_usage m;

	ck_assert_int_eq(read_fixture("bad/cgroup-v2", CGROUP_V2, "garbage-stat", &m), -EBADMSG);
}
END_TEST

START_TEST(test_v2_truncated_stat_is_ebadmsg)
{
	struct memcg_usage m;

	ck_assert_int_eq(read_fixture("bad/cgroup-v2", CGROUP_V2, "truncated-stat", &m),
			 -EBADMSG);
}
END_TEST

START_TEST(test_v2_stat_missing_required_keys_is_ebadmsg)
{
	struct memcg_usage m;

	ck_assert_int_eq(read_fixture("bad/cgroup-v2", CGROUP_V2, "missing-keys", &m), -EBADMSG);
}
END_TEST

START_TEST(test_v2_empty_stat_is_ebadmsg)
{
	struct memcg_usage m;

	ck_assert_int_eq(read_fixture("bad/cgroup-v2", CGROUP_V2, "empty-stat", &m), -EBADMSG);
}
END_TEST

START_TEST(test_v2_empty_limit_is_ebadmsg)
{
	struct memcg_usage m;

	ck_assert_int_eq(read_fixture("bad/cgroup-v2", CGROUP_V2, "empty-limit", &m), -EBADMSG);
}
END_TEST

START_TEST(test_v2_garbage_limit_is_ebadmsg)
{
	struct memcg_usage m;

	ck_assert_int_eq(read_fixture("bad/cgroup-v2", CGROUP_V2, "garbage-limit", &m), -EBADMSG);
}
END_TEST

/* ---- headroom: limit - usage at every limited level ---- */

START_TEST(test_v1_fuller_parent_sets_headroom)
{
	struct memcg_usage m;

	/* shared/child: 192 - 16 MiB; shared: 256 - 216 MiB = 40 MiB. */
	ck_assert_int_eq(read_fixture(V1, "shared/child/task", &m), 0);
	ck_assert_uint_eq(m.limit, 201326592);
	ck_assert_str_eq(m.limit_path, "shared/child");
	ck_assert_uint_eq(m.usage, 16777216);
	ck_assert_uint_eq(m.headroom, 41943040);
}
END_TEST

START_TEST(test_v1_usage_not_read_at_unlimited_level)
{
	struct memcg_usage m;

	/* shared/child/task has no memory.usage_in_bytes; reading it would fail. */
	ck_assert_int_eq(read_fixture(V1, "shared/child/task", &m), 0);
}
END_TEST

START_TEST(test_v1_headroom_of_limiting_cgroup_when_parents_have_room)
{
	struct memcg_usage m;

	/* docker/web/app: 1 GiB - 50 MiB; docker/web: 256 - 100 MiB. */
	ck_assert_int_eq(read_fixture(V1, "docker/web/app", &m), 0);
	ck_assert_uint_eq(m.headroom, 163577856);
}
END_TEST

START_TEST(test_v1_headroom_follows_kernel_hierarchical_limit)
{
	struct memcg_usage m;

	/* capped: hierarchical_memory_limit 384 MiB - 100 MiB used. */
	ck_assert_int_eq(read_fixture(V1, "capped", &m), 0);
	ck_assert_uint_eq(m.headroom, 297795584);
}
END_TEST

START_TEST(test_v2_fuller_parent_sets_headroom)
{
	struct memcg_usage m;

	/* shared.slice: 256 MiB, 216 MiB used, 200 MiB of it by sibling.scope. */
	ck_assert_int_eq(read_fixture(V2, "shared.slice/child.scope", &m), 0);
	ck_assert_uint_eq(m.limit, 201326592);
	ck_assert_str_eq(m.limit_path, "shared.slice/child.scope");
	ck_assert_uint_eq(m.headroom, 41943040);
}
END_TEST

START_TEST(test_v2_headroom_when_parent_unlimited)
{
	struct memcg_usage m;

	/* system.slice says max: only web.service's 256 - 150 MiB counts. */
	ck_assert_int_eq(read_fixture(V2, "system.slice/web.service", &m), 0);
	ck_assert_uint_eq(m.headroom, 111149056);
}
END_TEST

START_TEST(test_v2_headroom_zero_above_limit)
{
	struct memcg_usage m;

	/* over.slice: 288 MiB used under 256 MiB. */
	ck_assert_int_eq(read_fixture(V2, "over.slice", &m), 0);
	ck_assert_uint_eq(m.headroom, 0);
}
END_TEST

START_TEST(test_v2_no_limit_headroom_unlimited)
{
	struct memcg_usage m;

	ck_assert_int_eq(read_fixture(V2, "system.slice/cron.service", &m), 0);
	ck_assert_uint_eq(m.headroom, UINT64_MAX);
}
END_TEST

/* ---- hybrid: memory on v1, an empty unified hierarchy beside it ---- */

START_TEST(test_hybrid_limit_and_usage)
{
	struct memcg_usage m;

	ck_assert_int_eq(read_fixture(HYBRID, "lxc/c1", &m), 0);
	ck_assert_uint_eq(m.limit, 536870912);
	ck_assert_str_eq(m.limit_path, "lxc/c1");
	ck_assert_uint_eq(m.usage, 83886080);
	ck_assert_uint_eq(m.stat[MEMCG_ANON], 8388608);
	ck_assert_uint_eq(m.stat[MEMCG_FILE], 10485760);
}
END_TEST

START_TEST(test_hybrid_swap_limit_is_memsw_minus_memory)
{
	struct memcg_usage m;

	/* 768 MiB memsw - 512 MiB memory = 256 MiB. */
	ck_assert_int_eq(read_fixture(HYBRID, "lxc/c1", &m), 0);
	ck_assert_uint_eq(m.swap_limit, 268435456);
}
END_TEST

START_TEST(test_hybrid_root_is_unlimited)
{
	struct memcg_usage m;

	ck_assert_int_eq(read_fixture(HYBRID, "", &m), 0);
	ck_assert_uint_eq(m.limit, UINT64_MAX);
}
END_TEST

/* ---- memcg_parse_stat (pure) ---- */

START_TEST(test_parse_stat_garbage_line_number)
{
	struct memcg_usage m;
	unsigned bad_line = 0;

	ck_assert_int_eq(memcg_parse_stat("anon 1\nfile 2\nfile_dirty 0x1000\n", CGROUP_V2,
					  &m, &bad_line), -EBADMSG);
	ck_assert_uint_eq(bad_line, 3);
}
END_TEST

START_TEST(test_parse_stat_missing_required_sets_line_zero)
{
	struct memcg_usage m;
	unsigned bad_line = 9;

	ck_assert_int_eq(memcg_parse_stat("anon 1\nshmem 2\n", CGROUP_V2, &m, &bad_line),
			 -EBADMSG);
	ck_assert_uint_eq(bad_line, 0);
}
END_TEST

START_TEST(test_parse_stat_v1_reads_total_not_local)
{
	struct memcg_usage m;

	ck_assert_int_eq(memcg_parse_stat("rss 1\ncache 2\ntotal_cache 4096\ntotal_rss 8192\n",
					  CGROUP_V1, &m, NULL), 0);
	ck_assert_uint_eq(m.stat[MEMCG_ANON], 8192);
	ck_assert_uint_eq(m.stat[MEMCG_FILE], 4096);
}
END_TEST

START_TEST(test_parse_stat_v1_ignores_v2_keys)
{
	struct memcg_usage m;

	/* A v2 text read as v1 lacks total_rss and total_cache. */
	ck_assert_int_eq(memcg_parse_stat("anon 1\nfile 2\n", CGROUP_V1, &m, NULL), -EBADMSG);
}
END_TEST

START_TEST(test_parse_stat_clears_previous_values)
{
	struct memcg_usage m;

	memset(&m, 0xff, sizeof(m));
	ck_assert_int_eq(memcg_parse_stat("anon 1\nfile 2\n", CGROUP_V2, &m, NULL), 0);
	ck_assert_uint_eq(m.stat[MEMCG_SHMEM], 0);
	ck_assert(!m.stat_found[MEMCG_SHMEM]);
}
END_TEST

static Suite *memcg_suite(void)
{
	Suite *s = suite_create("memcg");
	TCase *tc;

	tc = tcase_create("v1");
	tcase_add_test(tc, test_v1_parent_lower_limit_wins);
	tcase_add_test(tc, test_v1_usage_from_limiting_parent);
	tcase_add_test(tc, test_v1_stat_from_limiting_parent_total_keys);
	tcase_add_test(tc, test_v1_stat_lacks_v2_only_counters);
	tcase_add_test(tc, test_v1_own_limit_when_lowest);
	tcase_add_test(tc, test_v1_swap_limit_is_memsw_minus_memory);
	tcase_add_test(tc, test_v1_swap_usage_is_total_swap_of_limiting_cgroup);
	tcase_add_test(tc, test_v1_unset_limit_is_unlimited);
	tcase_add_test(tc, test_v1_unset_memsw_is_unlimited_swap);
	tcase_add_test(tc, test_v1_no_limit_leaves_usage_zero);
	tcase_add_test(tc, test_v1_root_is_unlimited);
	tcase_add_test(tc, test_v1_without_swap_accounting);
	tcase_add_test(tc, test_v1_garbage_stat_is_ebadmsg);
	suite_add_tcase(s, tc);

	tc = tcase_create("v1_hierarchy");
	tcase_add_test(tc, test_v1_parent_without_use_hierarchy_imposes_no_limit);
	tcase_add_test(tc, test_v1_parent_without_use_hierarchy_imposes_no_swap_limit);
	tcase_add_test(tc, test_v1_walk_stops_below_parent_without_use_hierarchy);
	tcase_add_test(tc, test_v1_own_limit_binds_without_use_hierarchy);
	tcase_add_test(tc, test_v1_kernel_hierarchical_limit_lowers_walk);
	tcase_add_test(tc, test_v1_kernel_hierarchical_memsw_limit_lowers_walk);
	tcase_add_test(tc, test_v1_kernel_hierarchical_limit_above_walk_changes_nothing);
	suite_add_tcase(s, tc);

	tc = tcase_create("v2");
	tcase_add_test(tc, test_v2_own_limit);
	tcase_add_test(tc, test_v2_stat_keys);
	tcase_add_test(tc, test_v2_stat_has_no_v1_swap_counter);
	tcase_add_test(tc, test_v2_parent_lower_limit_wins);
	tcase_add_test(tc, test_v2_usage_and_stat_from_limiting_parent);
	tcase_add_test(tc, test_v2_swap_limit_from_swap_max);
	tcase_add_test(tc, test_v2_smallest_swap_limit_from_parent);
	tcase_add_test(tc, test_v2_without_swap_wanted_swap_files_are_not_read);
	tcase_add_test(tc, test_v2_swap_usage_of_limiting_cgroup);
	tcase_add_test(tc, test_v2_swap_usage_above_swap_limit_reported_as_is);
	tcase_add_test(tc, test_v2_usage_above_limit_reported_as_is);
	tcase_add_test(tc, test_v2_max_everywhere_is_unlimited);
	tcase_add_test(tc, test_v2_root_is_unlimited);
	tcase_add_test(tc, test_v2_controller_not_enabled_uses_parent_limit);
	tcase_add_test(tc, test_v2_controller_not_enabled_swap_usage_from_parent);
	tcase_add_test(tc, test_v2_missing_cgroup_is_enoent);
	tcase_add_test(tc, test_v2_garbage_stat_is_ebadmsg);
	tcase_add_test(tc, test_v2_truncated_stat_is_ebadmsg);
	tcase_add_test(tc, test_v2_stat_missing_required_keys_is_ebadmsg);
	tcase_add_test(tc, test_v2_empty_stat_is_ebadmsg);
	tcase_add_test(tc, test_v2_empty_limit_is_ebadmsg);
	tcase_add_test(tc, test_v2_garbage_limit_is_ebadmsg);
	suite_add_tcase(s, tc);

	tc = tcase_create("headroom");
	tcase_add_test(tc, test_v1_fuller_parent_sets_headroom);
	tcase_add_test(tc, test_v1_usage_not_read_at_unlimited_level);
	tcase_add_test(tc, test_v1_headroom_of_limiting_cgroup_when_parents_have_room);
	tcase_add_test(tc, test_v1_headroom_follows_kernel_hierarchical_limit);
	tcase_add_test(tc, test_v2_fuller_parent_sets_headroom);
	tcase_add_test(tc, test_v2_headroom_when_parent_unlimited);
	tcase_add_test(tc, test_v2_headroom_zero_above_limit);
	tcase_add_test(tc, test_v2_no_limit_headroom_unlimited);
	suite_add_tcase(s, tc);

	tc = tcase_create("hybrid");
	tcase_add_test(tc, test_hybrid_limit_and_usage);
	tcase_add_test(tc, test_hybrid_swap_limit_is_memsw_minus_memory);
	tcase_add_test(tc, test_hybrid_root_is_unlimited);
	suite_add_tcase(s, tc);

	tc = tcase_create("parse_stat");
	tcase_add_test(tc, test_parse_stat_garbage_line_number);
	tcase_add_test(tc, test_parse_stat_missing_required_sets_line_zero);
	tcase_add_test(tc, test_parse_stat_v1_reads_total_not_local);
	tcase_add_test(tc, test_parse_stat_v1_ignores_v2_keys);
	tcase_add_test(tc, test_parse_stat_clears_previous_values);
	tcase_add_test(tc, test_parse_stat_v1_hierarchical_limits);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(memcg_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
