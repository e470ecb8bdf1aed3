/* SPDX-License-Identifier: GPL-2.0-or-later */
/* check_meminfo.c - /proc/meminfo parsed, computed for a memory cgroup and rendered back. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "host.h"
#include "meminfo.h"
#include "memcg.h"
#include "reader.h"
#include "strutil.h"
#include "vfile.h"

static char host_text[16384];
static struct meminfo_values host;
static struct meminfo_values changes;
static struct buf out = BUF_INIT;

static void read_text(const char *path, char *text, size_t size)
{
	ck_assert_int_ge(strutil_read_file(AT_FDCWD, path, text, size), 0);
}

/* Load a host /proc/meminfo text into host_text and host. */
static void load_host(const char *path)
{
	read_text(path, host_text, sizeof(host_text));
	ck_assert_int_eq(meminfo_parse(host_text, &host), 0);
}

/* A 16 GiB host with 4 GiB of swap. */
static void load_v2_host(void)
{
	load_host(FIXTURES_DIR "/v2/proc/meminfo");
}

/* This machine as captured: 24 GiB, no swap. */
static void load_v1_host(void)
{
	load_host(FIXTURES_DIR "/v1/proc/meminfo");
}

static void set_stat(struct memcg_usage *m, enum memcg_stat_item item, uint64_t bytes)
{
	m->stat[item] = bytes;
	m->stat_found[item] = true;
}

/* Usage of the limiting cgroup, whose ancestors have more room than it. */
static void set_usage(struct memcg_usage *m, uint64_t bytes)
{
	m->usage = bytes;
	m->headroom = m->limit > bytes ? m->limit - bytes : 0;
}

/*
 * A v2 cgroup limited to 256 MiB using 100 MiB, in kB: anon 40960,
 * file 51200, active_anon 8192, inactive_anon 32768, active_file 20480,
 * inactive_file 30720, slab_reclaimable 4096, slab_unreclaimable 2048.
 */
static void memcg_v2_256m(struct memcg_usage *m)
{
	memset(m, 0, sizeof(*m));
	m->limit = 268435456;
	set_usage(m, 104857600);
	m->swap_limit = CGROUP_UNLIMITED;
	m->swap_usage = 0;
	m->swap_accounted = true;
	strcpy(m->limit_path, "system.slice/web.service");
	set_stat(m, MEMCG_ANON, 41943040);
	set_stat(m, MEMCG_FILE, 52428800);
	set_stat(m, MEMCG_KERNEL_STACK, 1048576);
	set_stat(m, MEMCG_PAGETABLES, 2097152);
	set_stat(m, MEMCG_SEC_PAGETABLES, 0);
	set_stat(m, MEMCG_PERCPU, 524288);
	set_stat(m, MEMCG_SHMEM, 4194304);
	set_stat(m, MEMCG_ZSWAP, 0);
	set_stat(m, MEMCG_ZSWAPPED, 0);
	set_stat(m, MEMCG_FILE_MAPPED, 16777216);
	set_stat(m, MEMCG_FILE_DIRTY, 409600);
	set_stat(m, MEMCG_FILE_WRITEBACK, 0);
	set_stat(m, MEMCG_SWAPCACHED, 0);
	set_stat(m, MEMCG_ANON_THP, 0);
	set_stat(m, MEMCG_FILE_THP, 0);
	set_stat(m, MEMCG_SHMEM_THP, 0);
	set_stat(m, MEMCG_INACTIVE_ANON, 33554432);
	set_stat(m, MEMCG_ACTIVE_ANON, 8388608);
	set_stat(m, MEMCG_INACTIVE_FILE, 31457280);
	set_stat(m, MEMCG_ACTIVE_FILE, 20971520);
	set_stat(m, MEMCG_UNEVICTABLE, 0);
	set_stat(m, MEMCG_SLAB_RECLAIMABLE, 4194304);
	set_stat(m, MEMCG_SLAB_UNRECLAIMABLE, 2097152);
}

/*
 * A v1 cgroup limited to 256 MiB using 50 MiB, with only the counters v1's
 * memory.stat has, in kB: anon 30720, file 20480, active_file 12288,
 * inactive_file 8192, unevictable 1024.
 */
static void memcg_v1_256m(struct memcg_usage *m)
{
	memset(m, 0, sizeof(*m));
	m->limit = 268435456;
	set_usage(m, 52428800);
	m->swap_limit = CGROUP_UNLIMITED;
	strcpy(m->limit_path, "docker/web");
	set_stat(m, MEMCG_ANON, 31457280);
	set_stat(m, MEMCG_FILE, 20971520);
	set_stat(m, MEMCG_SHMEM, 0);
	set_stat(m, MEMCG_FILE_MAPPED, 4194304);
	set_stat(m, MEMCG_FILE_DIRTY, 0);
	set_stat(m, MEMCG_FILE_WRITEBACK, 0);
	set_stat(m, MEMCG_SWAPCACHED, 0);
	set_stat(m, MEMCG_ANON_THP, 0);
	set_stat(m, MEMCG_INACTIVE_ANON, 29360128);
	set_stat(m, MEMCG_ACTIVE_ANON, 2097152);
	set_stat(m, MEMCG_INACTIVE_FILE, 8388608);
	set_stat(m, MEMCG_ACTIVE_FILE, 12582912);
	set_stat(m, MEMCG_UNEVICTABLE, 1048576);
	set_stat(m, MEMCG_SWAP, 0);
}

static void memcg_unlimited(struct memcg_usage *m)
{
	memset(m, 0, sizeof(*m));
	m->limit = CGROUP_UNLIMITED;
	m->headroom = CGROUP_UNLIMITED;
	m->swap_limit = CGROUP_UNLIMITED;
}

static void compute(const struct memcg_usage *m)
{
	meminfo_compute(&host, m, &changes);
}

static void render(void)
{
	ck_assert_int_eq(meminfo_render(host_text, &changes, &out), 0);
}

/* The value of a changed field, failing the test when it is unchanged. */
static uint64_t changed(enum meminfo_field f)
{
	ck_assert_msg(changes.set[f], "%s was not changed", meminfo_field_name(f));
	return changes.kb[f];
}

/* Does the rendered text hold this exact line? */
static bool has_line(const char *line)
{
	size_t len = strlen(line);

	for (const char *p = out.data; p && (p = strstr(p, line)); p++)
		if ((p == out.data || p[-1] == '\n') && p[len] == '\n')
			return true;
	return false;
}

static void teardown(void)
{
	buf_free(&out);
}

/* ---- meminfo_parse ---- */

START_TEST(test_parse_fixture_values)
{
	load_v2_host();
	ck_assert_uint_eq(host.kb[MI_MEMTOTAL], 16305604);
	ck_assert_uint_eq(host.kb[MI_SWAPTOTAL], 4194300);
	ck_assert_uint_eq(host.kb[MI_VMALLOCTOTAL], UINT64_C(34359738367));
	ck_assert_uint_eq(host.kb[MI_HUGETLB], 0);
	ck_assert(host.set[MI_HUGETLB]);
	ck_assert(host.set[MI_HARDWARECORRUPTED]);
}
END_TEST

START_TEST(test_parse_absent_field_not_set)
{
	/* This 6.6 kernel prints no Unaccepted nor Balloon line. */
	load_v2_host();
	ck_assert(!host.set[MI_UNACCEPTED]);
	ck_assert(!host.set[MI_BALLOON]);
}
END_TEST

START_TEST(test_parse_empty_is_ebadmsg)
{
	ck_assert_int_eq(meminfo_parse("", &host), -EBADMSG);
}
END_TEST

START_TEST(test_parse_garbage_value_is_ebadmsg)
{
	read_text(FIXTURES_DIR "/bad/meminfo/garbage", host_text, sizeof(host_text));
	ck_assert_int_eq(meminfo_parse(host_text, &host), -EBADMSG);
}
END_TEST

START_TEST(test_parse_truncated_is_ebadmsg)
{
	/* Cut right after "Buffers:", before its value. */
	read_text(FIXTURES_DIR "/bad/meminfo/truncated", host_text, sizeof(host_text));
	ck_assert_int_eq(meminfo_parse(host_text, &host), -EBADMSG);
}
END_TEST

START_TEST(test_parse_without_memtotal_is_ebadmsg)
{
	read_text(FIXTURES_DIR "/bad/meminfo/no-memtotal", host_text, sizeof(host_text));
	ck_assert_int_eq(meminfo_parse(host_text, &host), -EBADMSG);
}
END_TEST

START_TEST(test_parse_skips_unknown_field)
{
	ck_assert_int_eq(meminfo_parse("MemTotal:       1000 kB\nFutureField:    lots\n"
				       "MemFree:         600 kB\n", &host), 0);
	ck_assert_uint_eq(host.kb[MI_MEMTOTAL], 1000);
	ck_assert_uint_eq(host.kb[MI_MEMFREE], 600);
}
END_TEST

START_TEST(test_field_names)
{
	ck_assert_str_eq(meminfo_field_name(MI_MEMTOTAL), "MemTotal");
	ck_assert_str_eq(meminfo_field_name(MI_ACTIVE_ANON), "Active(anon)");
	ck_assert_str_eq(meminfo_field_name(MI_HUGETLB), "Hugetlb");
	ck_assert_ptr_null(meminfo_field_name(MI_FIELD_COUNT));
}
END_TEST

/* ---- (a) rendering every field with its own value reproduces the text ---- */

/* Mark every field the host has as changed to its own value, render, compare. */
static void assert_identity_render(void)
{
	changes = host;
	render();
	ck_assert_uint_eq(out.len, strlen(host_text));
	ck_assert_str_eq(out.data, host_text);
}

START_TEST(test_render_identity_live_proc_meminfo)
{
	load_host("/proc/meminfo");
	assert_identity_render();
}
END_TEST

START_TEST(test_render_identity_captured_v1_host)
{
	load_v1_host();
	assert_identity_render();
}
END_TEST

START_TEST(test_render_identity_v2_host_with_hardware_corrupted)
{
	/* "HardwareCorrupted: %5lu kB": the one name too long for 16 columns. */
	load_v2_host();
	assert_identity_render();
}
END_TEST

START_TEST(test_render_hardware_corrupted_changed_value)
{
	load_v2_host();
	memset(&changes, 0, sizeof(changes));
	changes.kb[MI_HARDWARECORRUPTED] = 4;
	changes.set[MI_HARDWARECORRUPTED] = true;
	render();
	ck_assert(has_line("HardwareCorrupted:     4 kB"));
}
END_TEST

START_TEST(test_render_wide_number_overflows_its_column)
{
	/* Like the kernel's VmallocTotal: more than 8 digits push right. */
	load_v2_host();
	memset(&changes, 0, sizeof(changes));
	changes.kb[MI_MEMTOTAL] = UINT64_C(123456789012);
	changes.set[MI_MEMTOTAL] = true;
	render();
	ck_assert(has_line("MemTotal:       123456789012 kB"));
}
END_TEST

/* ---- (b) a 256 MiB limit ---- */

START_TEST(test_limit_256m_memtotal)
{
	struct memcg_usage m;

	load_v2_host();
	memcg_v2_256m(&m);
	compute(&m);
	ck_assert_uint_eq(changed(MI_MEMTOTAL), 262144);
}
END_TEST

START_TEST(test_limit_256m_memfree_is_limit_minus_usage)
{
	struct memcg_usage m;

	/* 262144 - 102400 */
	load_v2_host();
	memcg_v2_256m(&m);
	compute(&m);
	ck_assert_uint_eq(changed(MI_MEMFREE), 159744);
}
END_TEST

START_TEST(test_limit_256m_memavailable_adds_file_lru_and_reclaimable_slab)
{
	struct memcg_usage m;

	/* 159744 free + 20480 active_file + 30720 inactive_file + 4096 slab_reclaimable */
	load_v2_host();
	memcg_v2_256m(&m);
	compute(&m);
	ck_assert_uint_eq(changed(MI_MEMAVAILABLE), 215040);
}
END_TEST

START_TEST(test_limit_256m_memavailable_capped_at_memtotal)
{
	struct memcg_usage m;

	/*
	 * memory.stat flushed after usage dropped: 10 MiB used, yet 50 MiB on
	 * the file LRU; 252160 + 20480 + 30720 + 4096 > 262144.
	 */
	load_v2_host();
	memcg_v2_256m(&m);
	set_usage(&m, 10485760);
	compute(&m);
	ck_assert_uint_eq(changed(MI_MEMFREE), 251904);
	ck_assert_uint_eq(changed(MI_MEMAVAILABLE), 262144);
}
END_TEST

START_TEST(test_limit_256m_buffers_zero)
{
	struct memcg_usage m;

	load_v2_host();
	memcg_v2_256m(&m);
	compute(&m);
	ck_assert_uint_eq(changed(MI_BUFFERS), 0);
}
END_TEST

START_TEST(test_limit_256m_cached_is_file)
{
	struct memcg_usage m;

	load_v2_host();
	memcg_v2_256m(&m);
	compute(&m);
	ck_assert_uint_eq(changed(MI_CACHED), 51200);
}
END_TEST

START_TEST(test_limit_256m_lru_lists)
{
	struct memcg_usage m;

	load_v2_host();
	memcg_v2_256m(&m);
	compute(&m);
	ck_assert_uint_eq(changed(MI_ACTIVE_ANON), 8192);
	ck_assert_uint_eq(changed(MI_INACTIVE_ANON), 32768);
	ck_assert_uint_eq(changed(MI_ACTIVE_FILE), 20480);
	ck_assert_uint_eq(changed(MI_INACTIVE_FILE), 30720);
	ck_assert_uint_eq(changed(MI_ACTIVE), 28672);
	ck_assert_uint_eq(changed(MI_INACTIVE), 63488);
}
END_TEST

START_TEST(test_limit_256m_anon_shmem_mapped_dirty)
{
	struct memcg_usage m;

	load_v2_host();
	memcg_v2_256m(&m);
	compute(&m);
	ck_assert_uint_eq(changed(MI_ANONPAGES), 40960);
	ck_assert_uint_eq(changed(MI_SHMEM), 4096);
	ck_assert_uint_eq(changed(MI_MAPPED), 16384);
	ck_assert_uint_eq(changed(MI_DIRTY), 400);
	ck_assert_uint_eq(changed(MI_WRITEBACK), 0);
}
END_TEST

START_TEST(test_limit_256m_slab_from_v2_counters)
{
	struct memcg_usage m;

	load_v2_host();
	memcg_v2_256m(&m);
	compute(&m);
	ck_assert_uint_eq(changed(MI_SRECLAIMABLE), 4096);
	ck_assert_uint_eq(changed(MI_SUNRECLAIM), 2048);
	ck_assert_uint_eq(changed(MI_SLAB), 6144);
	ck_assert_uint_eq(changed(MI_KRECLAIMABLE), 4096);
}
END_TEST

START_TEST(test_limit_256m_kernel_counters_from_v2)
{
	struct memcg_usage m;

	load_v2_host();
	memcg_v2_256m(&m);
	compute(&m);
	ck_assert_uint_eq(changed(MI_KERNELSTACK), 1024);
	ck_assert_uint_eq(changed(MI_PAGETABLES), 2048);
	ck_assert_uint_eq(changed(MI_PERCPU), 512);
}
END_TEST

START_TEST(test_limit_256m_mlocked_not_above_unevictable)
{
	struct memcg_usage m;

	/* Host Mlocked 19072 kB; the cgroup has no unevictable pages. */
	load_v2_host();
	memcg_v2_256m(&m);
	compute(&m);
	ck_assert_uint_eq(changed(MI_UNEVICTABLE), 0);
	ck_assert_uint_eq(changed(MI_MLOCKED), 0);
}
END_TEST

START_TEST(test_limit_256m_rendered_lines)
{
	struct memcg_usage m;

	load_v2_host();
	memcg_v2_256m(&m);
	compute(&m);
	render();
	ck_assert(has_line("MemTotal:         262144 kB"));
	ck_assert(has_line("MemFree:          159744 kB"));
	ck_assert(has_line("MemAvailable:     215040 kB"));
	ck_assert(has_line("Buffers:               0 kB"));
	ck_assert(has_line("Active(anon):       8192 kB"));
	ck_assert(has_line("Inactive(file):    30720 kB"));
}
END_TEST

START_TEST(test_v1_memavailable_without_slab_counters)
{
	struct memcg_usage m;

	/* 210944 free + 12288 active_file + 8192 inactive_file; v1 has no slab counters. */
	load_v1_host();
	memcg_v1_256m(&m);
	compute(&m);
	ck_assert_uint_eq(changed(MI_MEMFREE), 210944);
	ck_assert_uint_eq(changed(MI_MEMAVAILABLE), 231424);
}
END_TEST

START_TEST(test_v1_mlocked_capped_by_unevictable)
{
	struct memcg_usage m;

	/* Host Mlocked 14764 kB, cgroup unevictable 1024 kB. */
	load_v1_host();
	memcg_v1_256m(&m);
	compute(&m);
	ck_assert_uint_eq(changed(MI_MLOCKED), 1024);
}
END_TEST

START_TEST(test_v1_slab_bounded_by_kernel_memory)
{
	struct memcg_usage m;

	/*
	 * Host Slab 108836 kB. The cgroup uses 55296 kB: 30720 anon, 20480
	 * file, so 4096 kB of kernel memory bound its slab, none reclaimable.
	 */
	load_v1_host();
	memcg_v1_256m(&m);
	set_usage(&m, 56623104);
	compute(&m);
	ck_assert_uint_eq(changed(MI_SLAB), 4096);
	ck_assert_uint_eq(changed(MI_SUNRECLAIM), 4096);
	ck_assert_uint_eq(changed(MI_SRECLAIMABLE), 0);
	ck_assert_uint_eq(changed(MI_KRECLAIMABLE), 0);
}
END_TEST

START_TEST(test_v1_host_only_counter_below_kernel_memory_passes_through)
{
	struct memcg_usage m;

	/* Host KernelStack 1544 kB is below the cgroup's 4096 kB of kernel memory. */
	load_v1_host();
	memcg_v1_256m(&m);
	set_usage(&m, 56623104);
	compute(&m);
	render();
	ck_assert(!changes.set[MI_KERNELSTACK]);
	ck_assert(has_line("KernelStack:        1544 kB"));
}
END_TEST

START_TEST(test_v1_host_only_counter_above_kernel_memory_capped)
{
	struct memcg_usage m;

	/* Host PageTables 2024 kB; usage is all anon and file: no kernel memory. */
	load_v1_host();
	memcg_v1_256m(&m);
	compute(&m);
	ck_assert_uint_eq(changed(MI_PAGETABLES), 0);
	ck_assert_uint_eq(changed(MI_KERNELSTACK), 0);
}
END_TEST

/* ---- a fuller ancestor: less free than the limiting cgroup's own room ---- */

START_TEST(test_fuller_ancestor_memfree_is_its_headroom)
{
	struct memcg_usage m;

	/* 256 MiB, 100 MiB used, but an ancestor has only 40 MiB left. */
	load_v2_host();
	memcg_v2_256m(&m);
	m.headroom = 41943040;
	compute(&m);
	ck_assert_uint_eq(changed(MI_MEMTOTAL), 262144);
	ck_assert_uint_eq(changed(MI_MEMFREE), 40960);
}
END_TEST

START_TEST(test_fuller_ancestor_memavailable_follows_memfree)
{
	struct memcg_usage m;

	/* 40960 free + 20480 active_file + 30720 inactive_file + 4096 slab_reclaimable */
	load_v2_host();
	memcg_v2_256m(&m);
	m.headroom = 41943040;
	compute(&m);
	ck_assert_uint_eq(changed(MI_MEMAVAILABLE), 96256);
}
END_TEST

START_TEST(test_full_ancestor_memfree_zero)
{
	struct memcg_usage m;

	/* An ancestor at its limit: nothing free, only the reclaimable part available. */
	load_v2_host();
	memcg_v2_256m(&m);
	m.headroom = 0;
	compute(&m);
	ck_assert_uint_eq(changed(MI_MEMFREE), 0);
	ck_assert_uint_eq(changed(MI_MEMAVAILABLE), 55296);
}
END_TEST

START_TEST(test_headroom_never_raises_memfree_above_own_room)
{
	struct memcg_usage m;

	/* MemFree stays MemTotal - used: 262144 - 102400. */
	load_v2_host();
	memcg_v2_256m(&m);
	m.headroom = 536870912;
	compute(&m);
	ck_assert_uint_eq(changed(MI_MEMFREE), 159744);
}
END_TEST

START_TEST(test_fuller_ancestor_leaves_used_counters_alone)
{
	struct memcg_usage m;

	/* Only MemFree and MemAvailable follow the ancestor; Cached and AnonPages are the cgroup's. */
	load_v2_host();
	memcg_v2_256m(&m);
	m.headroom = 41943040;
	compute(&m);
	ck_assert_uint_eq(changed(MI_CACHED), 51200);
	ck_assert_uint_eq(changed(MI_ANONPAGES), 40960);
}
END_TEST

/* ---- (c) usage above the limit ---- */

START_TEST(test_usage_above_limit_memfree_zero)
{
	struct memcg_usage m;

	/* 288 MiB used under a 256 MiB limit. */
	load_v2_host();
	memcg_v2_256m(&m);
	set_usage(&m, 301989888);
	compute(&m);
	ck_assert_uint_eq(changed(MI_MEMTOTAL), 262144);
	ck_assert_uint_eq(changed(MI_MEMFREE), 0);
}
END_TEST

START_TEST(test_usage_above_limit_memavailable_is_reclaimable_only)
{
	struct memcg_usage m;

	/* 0 free + 20480 + 30720 + 4096 */
	load_v2_host();
	memcg_v2_256m(&m);
	set_usage(&m, 301989888);
	compute(&m);
	ck_assert_uint_eq(changed(MI_MEMAVAILABLE), 55296);
}
END_TEST

START_TEST(test_usage_above_limit_rendered_without_wrap)
{
	struct memcg_usage m;

	load_v2_host();
	memcg_v2_256m(&m);
	set_usage(&m, 301989888);
	compute(&m);
	render();
	ck_assert(has_line("MemFree:               0 kB"));
	ck_assert_ptr_null(strstr(out.data, "18446744073709"));
}
END_TEST

START_TEST(test_counters_above_limit_capped_at_memtotal)
{
	struct memcg_usage m;

	/* A stat flush reporting 300 MiB of anon under a 256 MiB limit. */
	load_v2_host();
	memcg_v2_256m(&m);
	set_usage(&m, 301989888);
	set_stat(&m, MEMCG_ANON, 314572800);
	set_stat(&m, MEMCG_INACTIVE_ANON, 314572800);
	compute(&m);
	ck_assert_uint_eq(changed(MI_ANONPAGES), 262144);
	ck_assert_uint_eq(changed(MI_INACTIVE_ANON), 262144);
	ck_assert_uint_eq(changed(MI_INACTIVE), 262144);
}
END_TEST

/* ---- (d) swap ---- */

START_TEST(test_swap_limited_on_host_with_swap)
{
	struct memcg_usage m;

	/* swap.max 128 MiB, swap.current 16 MiB: 131072 - 16384 */
	load_v2_host();
	memcg_v2_256m(&m);
	m.swap_limit = 134217728;
	m.swap_usage = 16777216;
	compute(&m);
	ck_assert_uint_eq(changed(MI_SWAPTOTAL), 131072);
	ck_assert_uint_eq(changed(MI_SWAPFREE), 114688);
}
END_TEST

START_TEST(test_swap_unlimited_keeps_host_swap_total)
{
	struct memcg_usage m;

	/* SwapFree: min(4194300 - 16384, host SwapFree 4100860) */
	load_v2_host();
	memcg_v2_256m(&m);
	m.swap_usage = 16777216;
	compute(&m);
	ck_assert_uint_eq(changed(MI_SWAPTOTAL), 4194300);
	ck_assert_uint_eq(changed(MI_SWAPFREE), 4100860);
}
END_TEST

START_TEST(test_swap_free_not_above_host_swap_free)
{
	struct memcg_usage m;

	/* Other cgroups filled the host's swap: only 10000 kB are left. */
	load_v2_host();
	host.kb[MI_SWAPFREE] = 10000;
	memcg_v2_256m(&m);
	m.swap_limit = 134217728;
	m.swap_usage = 16777216;
	compute(&m);
	ck_assert_uint_eq(changed(MI_SWAPFREE), 10000);
}
END_TEST

START_TEST(test_swap_usage_above_swap_limit_swapfree_zero)
{
	struct memcg_usage m;

	/* swap.max lowered to 16 MiB below 32 MiB already swapped. */
	load_v2_host();
	memcg_v2_256m(&m);
	m.swap_limit = 16777216;
	m.swap_usage = 33554432;
	compute(&m);
	render();
	ck_assert_uint_eq(changed(MI_SWAPTOTAL), 16384);
	ck_assert_uint_eq(changed(MI_SWAPFREE), 0);
	ck_assert(has_line("SwapFree:              0 kB"));
}
END_TEST

START_TEST(test_swap_limit_zero)
{
	struct memcg_usage m;

	load_v2_host();
	memcg_v2_256m(&m);
	m.swap_limit = 0;
	compute(&m);
	ck_assert_uint_eq(changed(MI_SWAPTOTAL), 0);
	ck_assert_uint_eq(changed(MI_SWAPFREE), 0);
}
END_TEST

START_TEST(test_swap_off_on_host)
{
	struct memcg_usage m;

	/* This machine has no swap; a swap limit cannot create any. */
	load_v1_host();
	memcg_v1_256m(&m);
	m.swap_limit = 268435456;
	compute(&m);
	ck_assert_uint_eq(changed(MI_SWAPTOTAL), 0);
	ck_assert_uint_eq(changed(MI_SWAPFREE), 0);
}
END_TEST

START_TEST(test_swap_limited_memory_unlimited)
{
	struct memcg_usage m;

	load_v2_host();
	memcg_unlimited(&m);
	m.swap_limit = 134217728;
	m.swap_usage = 16777216;
	compute(&m);
	ck_assert(!changes.set[MI_MEMTOTAL]);
	ck_assert(!changes.set[MI_MEMFREE]);
	ck_assert_uint_eq(changed(MI_SWAPTOTAL), 131072);
	ck_assert_uint_eq(changed(MI_SWAPFREE), 114688);
}
END_TEST

START_TEST(test_swapcached_not_above_swap_total)
{
	struct memcg_usage m;

	/* 8192 kB in the swap cache, 4096 kB of swap allowed. */
	load_v2_host();
	memcg_v2_256m(&m);
	set_stat(&m, MEMCG_SWAPCACHED, 8388608);
	m.swap_limit = 4194304;
	compute(&m);
	ck_assert_uint_eq(changed(MI_SWAPCACHED), 4096);
}
END_TEST

/* ---- (e) no limit, (f) a limit above the host's memory ---- */

START_TEST(test_no_limit_changes_nothing)
{
	struct memcg_usage m;

	load_v2_host();
	memcg_unlimited(&m);
	compute(&m);
	for (int f = 0; f < MI_FIELD_COUNT; f++)
		ck_assert_msg(!changes.set[f], "%s changed", meminfo_field_name(f));
}
END_TEST

START_TEST(test_no_limit_renders_host_text)
{
	struct memcg_usage m;

	load_v2_host();
	memcg_unlimited(&m);
	compute(&m);
	render();
	ck_assert_str_eq(out.data, host_text);
}
END_TEST

START_TEST(test_limit_above_host_renders_host_text)
{
	struct memcg_usage m;

	/* 32 GiB on a 16 GiB host. */
	load_v2_host();
	memcg_v2_256m(&m);
	m.limit = UINT64_C(34359738368);
	compute(&m);
	render();
	ck_assert_str_eq(out.data, host_text);
}
END_TEST

START_TEST(test_limit_equal_to_host_renders_host_text)
{
	struct memcg_usage m;

	/* 16305604 kB exactly. */
	load_v2_host();
	memcg_v2_256m(&m);
	m.limit = UINT64_C(16696938496);
	compute(&m);
	render();
	ck_assert_str_eq(out.data, host_text);
}
END_TEST

/* ---- (g) no amount of memory above MemTotal ---- */

/* Fields that are amounts of the reader's memory; swap and commit figures are not. */
static const enum meminfo_field memory_amounts[] = {
	MI_MEMFREE, MI_MEMAVAILABLE, MI_BUFFERS, MI_CACHED, MI_SWAPCACHED, MI_ACTIVE,
	MI_INACTIVE, MI_ACTIVE_ANON, MI_INACTIVE_ANON, MI_ACTIVE_FILE, MI_INACTIVE_FILE,
	MI_UNEVICTABLE, MI_MLOCKED, MI_ZSWAP, MI_DIRTY, MI_WRITEBACK, MI_ANONPAGES,
	MI_MAPPED, MI_SHMEM, MI_KRECLAIMABLE, MI_SLAB, MI_SRECLAIMABLE, MI_SUNRECLAIM,
	MI_KERNELSTACK, MI_PAGETABLES, MI_SECPAGETABLES, MI_NFS_UNSTABLE, MI_BOUNCE,
	MI_WRITEBACKTMP, MI_PERCPU, MI_HARDWARECORRUPTED, MI_ANONHUGEPAGES,
	MI_SHMEMHUGEPAGES, MI_SHMEMPMDMAPPED, MI_FILEHUGEPAGES, MI_FILEPMDMAPPED,
	MI_CMATOTAL, MI_CMAFREE, MI_UNACCEPTED, MI_BALLOON, MI_HUGETLB,
};

/* Render, parse the result back, and check every amount against MemTotal. */
static void assert_amounts_within(uint64_t memtotal_kb)
{
	struct meminfo_values rendered;

	render();
	ck_assert_int_eq(meminfo_parse(out.data, &rendered), 0);
	ck_assert_uint_eq(rendered.kb[MI_MEMTOTAL], memtotal_kb);
	for (size_t i = 0; i < sizeof(memory_amounts) / sizeof(memory_amounts[0]); i++) {
		enum meminfo_field f = memory_amounts[i];

		ck_assert_msg(rendered.kb[f] <= memtotal_kb, "%s: %llu kB above MemTotal",
			      meminfo_field_name(f), (unsigned long long)rendered.kb[f]);
	}
}

START_TEST(test_amounts_within_memtotal_v2)
{
	struct memcg_usage m;

	load_v2_host();
	memcg_v2_256m(&m);
	compute(&m);
	assert_amounts_within(262144);
}
END_TEST

START_TEST(test_amounts_within_memtotal_v1_host_counters)
{
	struct memcg_usage m;

	/* v1: host-only counters (Slab, KernelStack...) pass through capped. */
	load_v1_host();
	memcg_v1_256m(&m);
	m.limit = 16777216;
	set_usage(&m, 16777216);
	compute(&m);
	assert_amounts_within(16384);
}
END_TEST

START_TEST(test_amounts_within_memtotal_usage_above_limit)
{
	struct memcg_usage m;

	load_v2_host();
	memcg_v2_256m(&m);
	set_usage(&m, 301989888);
	compute(&m);
	assert_amounts_within(262144);
}
END_TEST

/* ---- (h) order and names, (i) unknown fields ---- */

/* The field name of each line, in order, joined by '|'. */
static void line_names(const char *text, char *names, size_t size)
{
	size_t n = 0;

	for (const char *line = text; *line; ) {
		const char *end = strchr(line, '\n');
		size_t len = strcspn(line, ":\n");

		ck_assert_uint_lt(n + len + 1, size);
		memcpy(names + n, line, len);
		n += len;
		names[n++] = '|';
		if (!end)
			break;
		line = end + 1;
	}
	names[n] = '\0';
}

START_TEST(test_render_keeps_field_order_and_names)
{
	static char before[8192], after[8192];
	struct memcg_usage m;

	load_v2_host();
	memcg_v2_256m(&m);
	m.swap_limit = 134217728;
	compute(&m);
	render();
	line_names(host_text, before, sizeof(before));
	line_names(out.data, after, sizeof(after));
	ck_assert_str_eq(after, before);
}
END_TEST

START_TEST(test_render_keeps_unknown_and_unchanged_lines)
{
	struct memcg_usage m;

	load_v2_host();
	memcg_v2_256m(&m);
	compute(&m);
	render();
	ck_assert(has_line("HugePages_Total:       0"));
	ck_assert(has_line("Hugepagesize:       2048 kB"));
	ck_assert(has_line("DirectMap1G:     6291456 kB"));
	ck_assert(has_line("VmallocTotal:   34359738367 kB"));
	ck_assert(has_line("CommitLimit:    12347102 kB"));
}
END_TEST

START_TEST(test_render_passes_future_field_verbatim)
{
	static const char text[] =
		"MemTotal:       16305604 kB\n"
		"MemFree:         9876544 kB\n"
		"MemAvailable:   13702112 kB\n"
		"FutureField:    12345678 kB\n"
		"Buffers:          215660 kB\n"
		"Cached:          3768432 kB\n";
	struct memcg_usage m;

	strcpy(host_text, text);
	ck_assert_int_eq(meminfo_parse(host_text, &host), 0);
	memcg_v2_256m(&m);
	compute(&m);
	render();
	ck_assert_str_eq(out.data,
		"MemTotal:         262144 kB\n"
		"MemFree:          159744 kB\n"
		"MemAvailable:     215040 kB\n"
		"FutureField:    12345678 kB\n"
		"Buffers:               0 kB\n"
		"Cached:            51200 kB\n");
}
END_TEST

START_TEST(test_render_passes_future_field_at_end)
{
	static const char text[] =
		"MemTotal:       16305604 kB\n"
		"MemFree:         9876544 kB\n"
		"Newest:               17\n";
	struct memcg_usage m;

	strcpy(host_text, text);
	ck_assert_int_eq(meminfo_parse(host_text, &host), 0);
	memcg_v2_256m(&m);
	compute(&m);
	render();
	ck_assert_str_eq(out.data,
		"MemTotal:         262144 kB\n"
		"MemFree:          159744 kB\n"
		"Newest:               17\n");
}
END_TEST

/* ---- gather and render: the virtual file over fixture trees ---- */

/* Render proc/meminfo for a reader in cgroup_path of a fixture tree. */
static int render_vfile(const char *tree, const char *memory_dir,
			enum cgroup_version version, const char *cgroup_path)
{
	struct host h;
	struct reader reader;
	struct vfile_ctx ctx;
	char proc[PATH_MAX], memory[PATH_MAX];
	int rc;

	reader_init(&reader, 100);
	snprintf(proc, sizeof(proc), "%s/%s/proc", FIXTURES_DIR, tree);
	if (memory_dir)
		snprintf(memory, sizeof(memory), "%s/%s", FIXTURES_DIR, memory_dir);
	ck_assert_int_eq(host_open_paths(&h, proc, memory_dir ? memory : NULL, version), 0);
	if (memory_dir)
		ck_assert_int_eq(cgroup_node_get(&h.memory, cgroup_path, &reader.memory_cgroup), 0);
	ctx = (struct vfile_ctx){ .host = &h, .reader = &reader, .target_dirfd = -1 };
	rc = proc_meminfo_vfile.render(&ctx, &out);
	reader_release(&reader);
	host_close(&h);
	return rc;
}

START_TEST(test_vfile_v2_limited_reader)
{
	/*
	 * web.service: 256 MiB, 150 MiB used, so MemFree 262144 - 153600 and
	 * MemAvailable 108544 + 20480 + 30720 + 4096; swap 128 MiB, 16 MiB used.
	 */
	ck_assert_int_eq(render_vfile("v2", "v2/cgroup", CGROUP_V2, "system.slice/web.service"), 0);
	ck_assert(has_line("MemTotal:         262144 kB"));
	ck_assert(has_line("MemFree:          108544 kB"));
	ck_assert(has_line("MemAvailable:     163840 kB"));
	ck_assert(has_line("SwapTotal:        131072 kB"));
	ck_assert(has_line("SwapFree:         114688 kB"));
}
END_TEST

START_TEST(test_vfile_v2_nested_reader_sees_parent_limit)
{
	/* kubepods.slice: 512 MiB, 200 MiB used, no swap allowed. */
	ck_assert_int_eq(render_vfile("v2", "v2/cgroup", CGROUP_V2, "kubepods.slice/pod1"), 0);
	ck_assert(has_line("MemTotal:         524288 kB"));
	ck_assert(has_line("MemFree:          319488 kB"));
	ck_assert(has_line("SwapTotal:             0 kB"));
}
END_TEST

START_TEST(test_vfile_v2_unlimited_reader_sees_host)
{
	char expected[16384];

	read_text(FIXTURES_DIR "/v2/proc/meminfo", expected, sizeof(expected));
	ck_assert_int_eq(render_vfile("v2", "v2/cgroup", CGROUP_V2, "system.slice/cron.service"), 0);
	ck_assert_str_eq(out.data, expected);
}
END_TEST

START_TEST(test_vfile_v1_nested_reader)
{
	/*
	 * docker/web: 256 MiB, 100 MiB used; MemAvailable
	 * 159744 + 24576 active_file + 16384 inactive_file. No swap on the host.
	 */
	ck_assert_int_eq(render_vfile("v1", "v1/cgroup/memory", CGROUP_V1, "docker/web/app"), 0);
	ck_assert(has_line("MemTotal:         262144 kB"));
	ck_assert(has_line("MemFree:          159744 kB"));
	ck_assert(has_line("MemAvailable:     200704 kB"));
	ck_assert(has_line("SwapTotal:             0 kB"));
}
END_TEST

START_TEST(test_vfile_v1_fuller_parent)
{
	/*
	 * shared/child: 192 MiB, 16 MiB used; shared: 256 MiB, 216 MiB used
	 * (200 MiB by a sibling), so 40 MiB free; MemAvailable 40960 +
	 * 4096 active_file + 2048 inactive_file of shared/child.
	 */
	ck_assert_int_eq(render_vfile("v1", "v1/cgroup/memory", CGROUP_V1, "shared/child/task"), 0);
	ck_assert(has_line("MemTotal:         196608 kB"));
	ck_assert(has_line("MemFree:           40960 kB"));
	ck_assert(has_line("MemAvailable:      47104 kB"));
}
END_TEST

START_TEST(test_vfile_v2_fuller_parent)
{
	/* The same on v2, with 512 kB of reclaimable slab: 40960 + 4096 + 2048 + 512. */
	ck_assert_int_eq(render_vfile("v2", "v2/cgroup", CGROUP_V2, "shared.slice/child.scope"), 0);
	ck_assert(has_line("MemTotal:         196608 kB"));
	ck_assert(has_line("MemFree:           40960 kB"));
	ck_assert(has_line("MemAvailable:      47616 kB"));
}
END_TEST

START_TEST(test_vfile_hybrid_reader)
{
	/* lxc/c1: 512 MiB, 80 MiB used. */
	ck_assert_int_eq(render_vfile("hybrid", "hybrid/cgroup/memory", CGROUP_V1, "lxc/c1"), 0);
	ck_assert(has_line("MemTotal:         524288 kB"));
	ck_assert(has_line("MemFree:          442368 kB"));
}
END_TEST

START_TEST(test_vfile_without_memory_controller_sees_host)
{
	char expected[16384];

	read_text(FIXTURES_DIR "/v2/proc/meminfo", expected, sizeof(expected));
	ck_assert_int_eq(render_vfile("v2", NULL, CGROUP_NONE, "system.slice/web.service"), 0);
	ck_assert_str_eq(out.data, expected);
}
END_TEST

START_TEST(test_vfile_malformed_stat_is_ebadmsg)
{
	ck_assert_int_eq(render_vfile("v2", "bad/cgroup-v2", CGROUP_V2, "garbage-stat"), -EBADMSG);
}
END_TEST

static Suite *meminfo_suite(void)
{
	Suite *s = suite_create("meminfo");
	TCase *tc;

	tc = tcase_create("parse");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_parse_fixture_values);
	tcase_add_test(tc, test_parse_absent_field_not_set);
	tcase_add_test(tc, test_parse_empty_is_ebadmsg);
	tcase_add_test(tc, test_parse_garbage_value_is_ebadmsg);
	tcase_add_test(tc, test_parse_truncated_is_ebadmsg);
	tcase_add_test(tc, test_parse_without_memtotal_is_ebadmsg);
	tcase_add_test(tc, test_parse_skips_unknown_field);
	tcase_add_test(tc, test_field_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("render_identity");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_render_identity_live_proc_meminfo);
	tcase_add_test(tc, test_render_identity_captured_v1_host);
	tcase_add_test(tc, test_render_identity_v2_host_with_hardware_corrupted);
	tcase_add_test(tc, test_render_hardware_corrupted_changed_value);
	tcase_add_test(tc, test_render_wide_number_overflows_its_column);
	suite_add_tcase(s, tc);

	tc = tcase_create("limit");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_limit_256m_memtotal);
	tcase_add_test(tc, test_limit_256m_memfree_is_limit_minus_usage);
	tcase_add_test(tc, test_limit_256m_memavailable_adds_file_lru_and_reclaimable_slab);
	tcase_add_test(tc, test_limit_256m_memavailable_capped_at_memtotal);
	tcase_add_test(tc, test_limit_256m_buffers_zero);
	tcase_add_test(tc, test_limit_256m_cached_is_file);
	tcase_add_test(tc, test_limit_256m_lru_lists);
	tcase_add_test(tc, test_limit_256m_anon_shmem_mapped_dirty);
	tcase_add_test(tc, test_limit_256m_slab_from_v2_counters);
	tcase_add_test(tc, test_limit_256m_kernel_counters_from_v2);
	tcase_add_test(tc, test_limit_256m_mlocked_not_above_unevictable);
	tcase_add_test(tc, test_limit_256m_rendered_lines);
	tcase_add_test(tc, test_v1_memavailable_without_slab_counters);
	tcase_add_test(tc, test_v1_mlocked_capped_by_unevictable);
	tcase_add_test(tc, test_v1_slab_bounded_by_kernel_memory);
	tcase_add_test(tc, test_v1_host_only_counter_below_kernel_memory_passes_through);
	tcase_add_test(tc, test_v1_host_only_counter_above_kernel_memory_capped);
	suite_add_tcase(s, tc);

	tc = tcase_create("fuller_ancestor");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_fuller_ancestor_memfree_is_its_headroom);
	tcase_add_test(tc, test_fuller_ancestor_memavailable_follows_memfree);
	tcase_add_test(tc, test_full_ancestor_memfree_zero);
	tcase_add_test(tc, test_headroom_never_raises_memfree_above_own_room);
	tcase_add_test(tc, test_fuller_ancestor_leaves_used_counters_alone);
	suite_add_tcase(s, tc);

	tc = tcase_create("over_limit");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_usage_above_limit_memfree_zero);
	tcase_add_test(tc, test_usage_above_limit_memavailable_is_reclaimable_only);
	tcase_add_test(tc, test_usage_above_limit_rendered_without_wrap);
	tcase_add_test(tc, test_counters_above_limit_capped_at_memtotal);
	suite_add_tcase(s, tc);

	tc = tcase_create("swap");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_swap_limited_on_host_with_swap);
	tcase_add_test(tc, test_swap_unlimited_keeps_host_swap_total);
	tcase_add_test(tc, test_swap_free_not_above_host_swap_free);
	tcase_add_test(tc, test_swap_usage_above_swap_limit_swapfree_zero);
	tcase_add_test(tc, test_swap_limit_zero);
	tcase_add_test(tc, test_swap_off_on_host);
	tcase_add_test(tc, test_swap_limited_memory_unlimited);
	tcase_add_test(tc, test_swapcached_not_above_swap_total);
	suite_add_tcase(s, tc);

	tc = tcase_create("unchanged");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_no_limit_changes_nothing);
	tcase_add_test(tc, test_no_limit_renders_host_text);
	tcase_add_test(tc, test_limit_above_host_renders_host_text);
	tcase_add_test(tc, test_limit_equal_to_host_renders_host_text);
	suite_add_tcase(s, tc);

	tc = tcase_create("bounds");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_amounts_within_memtotal_v2);
	tcase_add_test(tc, test_amounts_within_memtotal_v1_host_counters);
	tcase_add_test(tc, test_amounts_within_memtotal_usage_above_limit);
	suite_add_tcase(s, tc);

	tc = tcase_create("layout");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_render_keeps_field_order_and_names);
	tcase_add_test(tc, test_render_keeps_unknown_and_unchanged_lines);
	tcase_add_test(tc, test_render_passes_future_field_verbatim);
	tcase_add_test(tc, test_render_passes_future_field_at_end);
	suite_add_tcase(s, tc);

	tc = tcase_create("vfile");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_vfile_v2_limited_reader);
	tcase_add_test(tc, test_vfile_v2_nested_reader_sees_parent_limit);
	tcase_add_test(tc, test_vfile_v2_unlimited_reader_sees_host);
	tcase_add_test(tc, test_vfile_v1_nested_reader);
	tcase_add_test(tc, test_vfile_v1_fuller_parent);
	tcase_add_test(tc, test_vfile_v2_fuller_parent);
	tcase_add_test(tc, test_vfile_hybrid_reader);
	tcase_add_test(tc, test_vfile_without_memory_controller_sees_host);
	tcase_add_test(tc, test_vfile_malformed_stat_is_ebadmsg);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(meminfo_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
