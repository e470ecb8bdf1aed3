/* SPDX-License-Identifier: GPL-2.0-or-later */
/* check_cgroup.c - finding a process's cgroup, the cache of cgroup nodes, reading their files. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "host.h"
#include "memcg.h"
#include "strutil.h"

static const struct cgroup_hierarchy memory_v1 = { "memory", CGROUP_V1, -1, NULL, 0 };
static const struct cgroup_hierarchy memory_v2 = { "memory", CGROUP_V2, -1, NULL, 0 };

START_TEST(test_parse_v1_controller_in_comma_list)
{
	char path[PATH_MAX] = "unchanged";

	ck_assert_int_eq(cgroup_parse_proc_cgroup("4:cpu,memory:/a/b\n", &memory_v1,
						  path, sizeof(path)), 0);
	ck_assert_str_eq(path, "a/b");
}
END_TEST

START_TEST(test_parse_v1_controller_first_in_list)
{
	char path[PATH_MAX];

	ck_assert_int_eq(cgroup_parse_proc_cgroup("4:memory,cpu:/a\n", &memory_v1,
						  path, sizeof(path)), 0);
	ck_assert_str_eq(path, "a");
}
END_TEST

START_TEST(test_parse_v1_controller_name_is_not_prefix_matched)
{
	char path[PATH_MAX];

	/* "memory_x" and "name=memory" are not the memory controller. */
	ck_assert_int_eq(cgroup_parse_proc_cgroup("5:memory_x:/wrong\n9:name=memory:/wrong\n",
						  &memory_v1, path, sizeof(path)), -ENOENT);
}
END_TEST

START_TEST(test_parse_v1_root_is_empty_path)
{
	char path[PATH_MAX] = "unchanged";

	ck_assert_int_eq(cgroup_parse_proc_cgroup("9:name=systemd:/\n4:memory:/\n0::/\n",
						  &memory_v1, path, sizeof(path)), 0);
	ck_assert_str_eq(path, "");
}
END_TEST

START_TEST(test_parse_v1_ignores_unified_line)
{
	char path[PATH_MAX];

	ck_assert_int_eq(cgroup_parse_proc_cgroup("0::/x\n", &memory_v1, path, sizeof(path)),
			 -ENOENT);
}
END_TEST

START_TEST(test_parse_v2_picks_unified_line)
{
	char path[PATH_MAX];

	ck_assert_int_eq(cgroup_parse_proc_cgroup("0::/x\n", &memory_v2, path, sizeof(path)), 0);
	ck_assert_str_eq(path, "x");
}
END_TEST

START_TEST(test_parse_v2_ignores_v1_memory_line)
{
	char path[PATH_MAX];

	ck_assert_int_eq(cgroup_parse_proc_cgroup("4:memory:/a\n", &memory_v2,
						  path, sizeof(path)), -ENOENT);
}
END_TEST

START_TEST(test_parse_v2_root_is_empty_path)
{
	char path[PATH_MAX] = "unchanged";

	ck_assert_int_eq(cgroup_parse_proc_cgroup("0::/\n", &memory_v2, path, sizeof(path)), 0);
	ck_assert_str_eq(path, "");
}
END_TEST

START_TEST(test_parse_v2_path_may_hold_colons)
{
	char path[PATH_MAX];

	ck_assert_int_eq(cgroup_parse_proc_cgroup("0::/system.slice/a:b.service\n", &memory_v2,
						  path, sizeof(path)), 0);
	ck_assert_str_eq(path, "system.slice/a:b.service");
}
END_TEST

START_TEST(test_parse_hybrid_picks_v1_memory_line)
{
	char path[PATH_MAX];

	ck_assert_int_eq(cgroup_parse_proc_cgroup("6:memory:/a\n1:name=systemd:/a\n0::/b\n",
						  &memory_v1, path, sizeof(path)), 0);
	ck_assert_str_eq(path, "a");
}
END_TEST

START_TEST(test_parse_hybrid_picks_v1_line_after_unified_line)
{
	char path[PATH_MAX];

	ck_assert_int_eq(cgroup_parse_proc_cgroup("0::/b\n6:memory:/a\n", &memory_v1,
						  path, sizeof(path)), 0);
	ck_assert_str_eq(path, "a");
}
END_TEST

START_TEST(test_parse_last_line_without_newline)
{
	char path[PATH_MAX];

	ck_assert_int_eq(cgroup_parse_proc_cgroup("1:cpu:/c\n4:memory:/m", &memory_v1,
						  path, sizeof(path)), 0);
	ck_assert_str_eq(path, "m");
}
END_TEST

START_TEST(test_parse_missing_controller_is_enoent)
{
	char path[PATH_MAX];

	ck_assert_int_eq(cgroup_parse_proc_cgroup("9:name=systemd:/a\n8:pids:/a\n",
						  &memory_v1, path, sizeof(path)), -ENOENT);
}
END_TEST

START_TEST(test_parse_empty_text_is_enoent)
{
	char path[PATH_MAX];

	ck_assert_int_eq(cgroup_parse_proc_cgroup("", &memory_v1, path, sizeof(path)), -ENOENT);
}
END_TEST

START_TEST(test_parse_line_without_path_is_einval)
{
	char path[PATH_MAX];

	ck_assert_int_eq(cgroup_parse_proc_cgroup("4:memory\n", &memory_v1,
						  path, sizeof(path)), -EINVAL);
}
END_TEST

START_TEST(test_parse_relative_path_is_einval)
{
	char path[PATH_MAX];

	ck_assert_int_eq(cgroup_parse_proc_cgroup("4:memory:a/b\n", &memory_v1,
						  path, sizeof(path)), -EINVAL);
}
END_TEST

START_TEST(test_parse_dotdot_path_is_einval)
{
	char path[PATH_MAX];

	/* What a reader in another cgroup namespace shows: outside our root. */
	ck_assert_int_eq(cgroup_parse_proc_cgroup("0::/../../x\n", &memory_v2,
						  path, sizeof(path)), -EINVAL);
}
END_TEST

START_TEST(test_parse_dotdot_at_end_is_einval)
{
	char path[PATH_MAX];

	ck_assert_int_eq(cgroup_parse_proc_cgroup("4:memory:/a/..\n", &memory_v1,
						  path, sizeof(path)), -EINVAL);
}
END_TEST

START_TEST(test_parse_dotdot_in_middle_is_einval)
{
	char path[PATH_MAX];

	ck_assert_int_eq(cgroup_parse_proc_cgroup("4:memory:/a/../b\n", &memory_v1,
						  path, sizeof(path)), -EINVAL);
}
END_TEST

START_TEST(test_parse_path_with_empty_component_is_einval)
{
	char path[PATH_MAX];

	/* "//c1" would give "/c1": an absolute path, outside the hierarchy. */
	ck_assert_int_eq(cgroup_parse_proc_cgroup("4:memory://c1\n", &memory_v1,
						  path, sizeof(path)), -EINVAL);
	ck_assert_int_eq(cgroup_parse_proc_cgroup("0::/a//b\n", &memory_v2,
						  path, sizeof(path)), -EINVAL);
}
END_TEST

START_TEST(test_parse_dots_inside_names_are_accepted)
{
	char path[PATH_MAX];

	ck_assert_int_eq(cgroup_parse_proc_cgroup("0::/a..b/..c/d..\n", &memory_v2,
						  path, sizeof(path)), 0);
	ck_assert_str_eq(path, "a..b/..c/d..");
}
END_TEST

START_TEST(test_parse_path_too_long_for_buffer_fails)
{
	char path[4];

	ck_assert_int_eq(cgroup_parse_proc_cgroup("0::/abcdef\n", &memory_v2,
						  path, sizeof(path)), -ENAMETOOLONG);
}
END_TEST

/* Parse a fixture file's text as /proc/<pid>/cgroup. */
static int parse_fixture(const char *file, const struct cgroup_hierarchy *h,
			 char *path, size_t size)
{
	char text[4096];

	ck_assert_int_ge(strutil_read_file(AT_FDCWD, file, text, sizeof(text)), 0);
	return cgroup_parse_proc_cgroup(text, h, path, size);
}

START_TEST(test_parse_fixture_malformed_is_einval)
{
	char path[PATH_MAX];

	ck_assert_int_eq(parse_fixture(FIXTURES_DIR "/bad/proc-cgroup/malformed", &memory_v1,
				       path, sizeof(path)), -EINVAL);
}
END_TEST

START_TEST(test_parse_fixture_dotdot_is_einval)
{
	char path[PATH_MAX];

	ck_assert_int_eq(parse_fixture(FIXTURES_DIR "/bad/proc-cgroup/dotdot", &memory_v1,
				       path, sizeof(path)), -EINVAL);
}
END_TEST

START_TEST(test_parse_fixture_no_memory_is_enoent)
{
	char path[PATH_MAX];

	ck_assert_int_eq(parse_fixture(FIXTURES_DIR "/bad/proc-cgroup/no-memory", &memory_v1,
				       path, sizeof(path)), -ENOENT);
}
END_TEST

/* Open a fixture tree: proc at <tree>/proc, the memory hierarchy at memory_dir. */
static void open_fixture(struct host *host, const char *tree, const char *memory_dir,
			 enum cgroup_version version)
{
	char proc[PATH_MAX], memory[PATH_MAX];

	snprintf(proc, sizeof(proc), "%s/%s/proc", FIXTURES_DIR, tree);
	snprintf(memory, sizeof(memory), "%s/%s/%s", FIXTURES_DIR, tree, memory_dir);
	ck_assert_int_eq(host_open_paths(host, proc, memory, version), 0);
}

START_TEST(test_pid_path_v1_fixture)
{
	struct host host;
	char path[PATH_MAX];

	open_fixture(&host, "v1", "cgroup/memory", CGROUP_V1);
	ck_assert_int_eq(cgroup_pid_path(host.proc_fd, 100, &host.memory, path, sizeof(path)), 0);
	ck_assert_str_eq(path, "docker/web/app");
	host_close(&host);
}
END_TEST

START_TEST(test_pid_path_v2_fixture)
{
	struct host host;
	char path[PATH_MAX];

	open_fixture(&host, "v2", "cgroup", CGROUP_V2);
	ck_assert_int_eq(cgroup_pid_path(host.proc_fd, 100, &host.memory, path, sizeof(path)), 0);
	ck_assert_str_eq(path, "system.slice/web.service");
	host_close(&host);
}
END_TEST

START_TEST(test_pid_path_hybrid_fixture_uses_v1_line)
{
	struct host host;
	char path[PATH_MAX];

	open_fixture(&host, "hybrid", "cgroup/memory", CGROUP_V1);
	ck_assert_int_eq(cgroup_pid_path(host.proc_fd, 100, &host.memory, path, sizeof(path)), 0);
	ck_assert_str_eq(path, "lxc/c1");
	ck_assert_int_eq(cgroup_pid_path(host.proc_fd, 200, &host.memory, path, sizeof(path)), 0);
	ck_assert_str_eq(path, "");
	host_close(&host);
}
END_TEST

START_TEST(test_pid_path_missing_pid_is_enoent)
{
	struct host host;
	char path[PATH_MAX];

	open_fixture(&host, "v2", "cgroup", CGROUP_V2);
	ck_assert_int_eq(cgroup_pid_path(host.proc_fd, 999, &host.memory, path, sizeof(path)),
			 -ENOENT);
	host_close(&host);
}
END_TEST

START_TEST(test_path_parent_of_nested)
{
	char path[] = "a/b/c";

	ck_assert(cgroup_path_parent(path));
	ck_assert_str_eq(path, "a/b");
}
END_TEST

START_TEST(test_path_parent_of_top_level_is_root)
{
	char path[] = "a";

	ck_assert(cgroup_path_parent(path));
	ck_assert_str_eq(path, "");
}
END_TEST

START_TEST(test_path_parent_of_root_is_false)
{
	char path[] = "";

	ck_assert(!cgroup_path_parent(path));
	ck_assert_str_eq(path, "");
}
END_TEST

static void open_hierarchy(struct cgroup_hierarchy *h, const char *dir,
			   enum cgroup_version version)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", FIXTURES_DIR, dir);
	ck_assert_int_eq(cgroup_hierarchy_open_path(h, "memory", path, version), 0);
}

START_TEST(test_read_u64_number)
{
	struct cgroup_hierarchy h;
	uint64_t value = 0;

	open_hierarchy(&h, "v2/cgroup", CGROUP_V2);
	ck_assert_int_eq(cgroup_read_u64(&h, "system.slice/web.service", "memory.max", &value), 0);
	ck_assert_uint_eq(value, 268435456);
	cgroup_hierarchy_close(&h);
}
END_TEST

START_TEST(test_read_u64_max_is_unlimited)
{
	struct cgroup_hierarchy h;
	uint64_t value = 0;

	open_hierarchy(&h, "v2/cgroup", CGROUP_V2);
	ck_assert_int_eq(cgroup_read_u64(&h, "system.slice", "memory.max", &value), 0);
	ck_assert_uint_eq(value, UINT64_MAX);
	ck_assert_uint_eq(value, CGROUP_UNLIMITED);
	cgroup_hierarchy_close(&h);
}
END_TEST

START_TEST(test_read_u64_v1_unset_limit_is_read_as_number)
{
	struct cgroup_hierarchy h;
	uint64_t value = 0;

	open_hierarchy(&h, "v1/cgroup/memory", CGROUP_V1);
	ck_assert_int_eq(cgroup_read_u64(&h, "unlimited", "memory.limit_in_bytes", &value), 0);
	ck_assert_uint_eq(value, UINT64_C(9223372036854771712));
	cgroup_hierarchy_close(&h);
}
END_TEST

START_TEST(test_read_u64_root_cgroup_file)
{
	struct cgroup_hierarchy h;
	uint64_t value = 0;

	open_hierarchy(&h, "v1/cgroup/memory", CGROUP_V1);
	ck_assert_int_eq(cgroup_read_u64(&h, "", "memory.usage_in_bytes", &value), 0);
	ck_assert_uint_eq(value, 1073741824);
	cgroup_hierarchy_close(&h);
}
END_TEST

START_TEST(test_read_u64_empty_file_is_ebadmsg)
{
	struct cgroup_hierarchy h;
	uint64_t value = 5;

	open_hierarchy(&h, "bad/cgroup-v2", CGROUP_V2);
	ck_assert_int_eq(cgroup_read_u64(&h, "empty-limit", "memory.max", &value), -EBADMSG);
	ck_assert_uint_eq(value, 5);
	cgroup_hierarchy_close(&h);
}
END_TEST

START_TEST(test_read_u64_garbage_is_ebadmsg)
{
	struct cgroup_hierarchy h;
	uint64_t value = 5;

	open_hierarchy(&h, "bad/cgroup-v2", CGROUP_V2);
	ck_assert_int_eq(cgroup_read_u64(&h, "garbage-limit", "memory.max", &value), -EBADMSG);
	ck_assert_uint_eq(value, 5);
	cgroup_hierarchy_close(&h);
}
END_TEST

START_TEST(test_read_u64_file_too_big_is_ebadmsg)
{
	struct cgroup_hierarchy h;
	uint64_t value = 5;

	/* A memory.stat is far longer than any one-number file. */
	open_hierarchy(&h, "v2/cgroup", CGROUP_V2);
	ck_assert_int_eq(cgroup_read_u64(&h, "system.slice", "memory.stat", &value), -EBADMSG);
	cgroup_hierarchy_close(&h);
}
END_TEST

START_TEST(test_read_u64_missing_file_is_enoent)
{
	struct cgroup_hierarchy h;
	uint64_t value = 5;

	/* The memory controller is not enabled in nomem.slice/job. */
	open_hierarchy(&h, "v2/cgroup", CGROUP_V2);
	ck_assert_int_eq(cgroup_read_u64(&h, "nomem.slice/job", "memory.max", &value), -ENOENT);
	cgroup_hierarchy_close(&h);
}
END_TEST

START_TEST(test_read_u64_closed_hierarchy_is_enoent)
{
	struct cgroup_hierarchy h = { "memory", CGROUP_NONE, -1, NULL, 0 };
	uint64_t value = 5;

	ck_assert_int_eq(cgroup_read_u64(&h, "", "memory.max", &value), -ENOENT);
}
END_TEST

/* ---- nodes: cgroups known by identity, over fixtures and a scratch tree ---- */

START_TEST(test_node_same_path_gives_same_node)
{
	struct cgroup_hierarchy h;
	struct cgroup_node *a, *b;

	open_hierarchy(&h, "v1/cgroup/memory", CGROUP_V1);
	ck_assert_int_eq(cgroup_node_get(&h, "docker/web", &a), 0);
	ck_assert_int_eq(cgroup_node_get(&h, "docker/web", &b), 0);
	ck_assert_ptr_eq(a, b);
	ck_assert_uint_eq(cgroup_hierarchy_cached(&h), 1);
	cgroup_node_put(a);
	cgroup_node_put(b);
	cgroup_hierarchy_close(&h);
}
END_TEST

START_TEST(test_node_parent_is_node_of_parent_path)
{
	struct cgroup_hierarchy h;
	struct cgroup_node *app, *web, *parent;

	open_hierarchy(&h, "v1/cgroup/memory", CGROUP_V1);
	ck_assert_int_eq(cgroup_node_get(&h, "docker/web/app", &app), 0);
	ck_assert_int_eq(cgroup_node_parent(app, &parent), 0);
	ck_assert_int_eq(cgroup_node_get(&h, "docker/web", &web), 0);
	ck_assert_ptr_eq(parent, web);
	ck_assert_str_eq(cgroup_node_path(parent), "docker/web");
	cgroup_node_put(web);
	cgroup_node_put(app);
	cgroup_hierarchy_close(&h);
}
END_TEST

START_TEST(test_node_walk_ends_at_root)
{
	struct cgroup_hierarchy h;
	struct cgroup_node *app, *node;
	const char *seen[4];
	int levels = 0;

	open_hierarchy(&h, "v1/cgroup/memory", CGROUP_V1);
	ck_assert_int_eq(cgroup_node_get(&h, "docker/web/app", &app), 0);
	for (node = app; node && levels < 4; levels++) {
		seen[levels] = cgroup_node_path(node);
		ck_assert_int_eq(cgroup_node_parent(node, &node), 0);
	}
	ck_assert_ptr_null(node);
	ck_assert_int_eq(levels, 4);
	ck_assert_str_eq(seen[2], "docker");
	ck_assert_str_eq(seen[3], "");
	cgroup_node_put(app);
	cgroup_hierarchy_close(&h);
}
END_TEST

START_TEST(test_node_root_is_root)
{
	struct cgroup_hierarchy h;
	struct cgroup_node *root, *parent = (struct cgroup_node *)&h;

	open_hierarchy(&h, "v2/cgroup", CGROUP_V2);
	ck_assert_int_eq(cgroup_node_get(&h, "", &root), 0);
	ck_assert(cgroup_node_is_root(root));
	ck_assert_int_eq(cgroup_node_parent(root, &parent), 0);
	ck_assert_ptr_null(parent);
	cgroup_node_put(root);
	cgroup_hierarchy_close(&h);
}
END_TEST

START_TEST(test_node_missing_cgroup_is_enoent)
{
	struct cgroup_hierarchy h;
	struct cgroup_node *node;

	open_hierarchy(&h, "v2/cgroup", CGROUP_V2);
	ck_assert_int_eq(cgroup_node_get(&h, "gone.slice", &node), -ENOENT);
	ck_assert_uint_eq(cgroup_hierarchy_cached(&h), 0);
	cgroup_hierarchy_close(&h);
}
END_TEST

START_TEST(test_node_file_is_not_a_cgroup)
{
	struct cgroup_hierarchy h;
	struct cgroup_node *node;

	open_hierarchy(&h, "v2/cgroup", CGROUP_V2);
	ck_assert_int_eq(cgroup_node_get(&h, "memory.stat", &node), -ENOTDIR);
	cgroup_hierarchy_close(&h);
}
END_TEST

/* A scratch tree of cgroup-like directories, made and removed per test. */
static char scratch[64];

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void scratch_setup(void)
{
	snprintf(scratch, sizeof(scratch), "/tmp/check_cgroup.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(scratch));
}

static void scratch_teardown(void)
{
	nftw(scratch, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void scratch_write(const char *cgroup, const char *file, const char *text)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s/%s", scratch, cgroup, file);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* A cgroup-like directory: cgroup.procs and a memory.max of limit. */
static void scratch_cgroup(const char *cgroup, const char *limit)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", scratch, cgroup);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	scratch_write(cgroup, "cgroup.procs", "");
	scratch_write(cgroup, "memory.max", limit);
}

/* Remove a scratch cgroup as the kernel does: its files go with it. */
static void scratch_remove(const char *cgroup)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", scratch, cgroup);
	ck_assert_int_eq(nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
}

static void scratch_rename(const char *from, const char *to)
{
	char old_path[PATH_MAX], new_path[PATH_MAX];

	snprintf(old_path, sizeof(old_path), "%s/%s", scratch, from);
	snprintf(new_path, sizeof(new_path), "%s/%s", scratch, to);
	ck_assert_int_eq(rename(old_path, new_path), 0);
}

static uint64_t node_u64(struct cgroup_node *node, const char *file)
{
	uint64_t value = 0;

	ck_assert_int_eq(cgroup_node_read_u64(node, file, &value), 0);
	return value;
}

/* A parse for cgroup_node_read_shared(): the file's first number. */
static int parse_first_number(const char *text, void *out, void *arg)
{
	(void)arg;
	return strutil_parse_u64(text, strcspn(text, "\n"), out) < 0 ? -EBADMSG : 0;
}

static uint64_t node_shared(struct cgroup_node *node, int64_t max_age_ns)
{
	uint64_t value = 0;

	ck_assert_int_eq(cgroup_node_read_shared(node, "memory.max", max_age_ns,
						 parse_first_number, NULL, &value, sizeof(value)),
			 0);
	return value;
}

START_TEST(test_shared_read_within_age_serves_what_was_parsed)
{
	struct cgroup_hierarchy h;
	struct cgroup_node *a;

	scratch_cgroup("a", "100\n");
	ck_assert_int_eq(cgroup_hierarchy_open_path(&h, "memory", scratch, CGROUP_V2), 0);
	ck_assert_int_eq(cgroup_node_get(&h, "a", &a), 0);
	ck_assert_uint_eq(node_shared(a, 60 * 1000000000LL), 100);
	scratch_write("a", "memory.max", "200\n");
	ck_assert_uint_eq(node_shared(a, 60 * 1000000000LL), 100);
	/* Age 0: always read. */
	ck_assert_uint_eq(node_shared(a, 0), 200);
	cgroup_node_put(a);
	cgroup_hierarchy_close(&h);
}
END_TEST

START_TEST(test_shared_read_past_age_reads_again)
{
	struct cgroup_hierarchy h;
	struct cgroup_node *a;

	scratch_cgroup("a", "100\n");
	ck_assert_int_eq(cgroup_hierarchy_open_path(&h, "memory", scratch, CGROUP_V2), 0);
	ck_assert_int_eq(cgroup_node_get(&h, "a", &a), 0);
	ck_assert_uint_eq(node_shared(a, 1000000), 100);
	scratch_write("a", "memory.max", "200\n");
	usleep(2000);
	/* 2 ms later, with an age of 1 ms. */
	ck_assert_uint_eq(node_shared(a, 1000000), 200);
	cgroup_node_put(a);
	cgroup_hierarchy_close(&h);
}
END_TEST

/* A chain of depth cgroups "d/d/..." below scratch; its path in path. */
static void scratch_chain(int depth, char *path, size_t size)
{
	path[0] = '\0';
	for (int i = 0; i < depth; i++) {
		size_t len = strlen(path);

		snprintf(path + len, size - len, "%sd", i ? "/" : "");
		scratch_cgroup(path, "max\n");
		scratch_write(path, "memory.current", "1000\n");
	}
}

START_TEST(test_deep_chain_reads_limit_above_kept_levels)
{
	char path[PATH_MAX], level[PATH_MAX];
	struct cgroup_hierarchy h;
	struct cgroup_node *bottom;
	struct memcg_usage usage;

	/*
	 * 100 levels; level 5 from the top (95 above the bottom, far beyond
	 * the 32 kept) limits to 4096 and level 90 to 8192: the smallest wins.
	 */
	scratch_chain(100, path, sizeof(path));
	snprintf(level, sizeof(level), "%.*s", 5 * 2 - 1, path);
	scratch_write(level, "memory.max", "4096\n");
	scratch_write(level, "memory.stat", "anon 7\nfile 9\n");
	snprintf(level, sizeof(level), "%.*s", 90 * 2 - 1, path);
	scratch_write(level, "memory.max", "8192\n");
	scratch_write(level, "memory.stat", "anon 5\nfile 3\n");
	ck_assert_int_eq(cgroup_hierarchy_open_path(&h, "memory", scratch, CGROUP_V2), 0);
	ck_assert_int_eq(cgroup_node_get(&h, path, &bottom), 0);
	ck_assert_int_eq(memcg_read(&h, bottom, false, &usage), 0);
	ck_assert_uint_eq(usage.limit, 4096);
	ck_assert_uint_eq(usage.headroom, 4096 - 1000);
	ck_assert_uint_eq(usage.stat[MEMCG_ANON], 7);
	/* The bottom and the 32 levels above it stay; the rest is closed again. */
	ck_assert_uint_eq(cgroup_hierarchy_cached(&h), 1 + CGROUP_KEPT_DEPTH);
	/* The limit far above lifted: the next read has level 90's. */
	snprintf(level, sizeof(level), "%.*s", 5 * 2 - 1, path);
	scratch_write(level, "memory.max", "max\n");
	ck_assert_int_eq(memcg_read(&h, bottom, false, &usage), 0);
	ck_assert_uint_eq(usage.limit, 8192);
	cgroup_node_put(bottom);
	cgroup_hierarchy_close(&h);
}
END_TEST

START_TEST(test_node_renamed_cgroup_keeps_its_figures)
{
	struct cgroup_hierarchy h;
	struct cgroup_node *old_a, *new_a, *b;

	/* mv a b; mkdir a: the node met as "a" is b now, and a is another. */
	scratch_cgroup("a", "100\n");
	ck_assert_int_eq(cgroup_hierarchy_open_path(&h, "memory", scratch, CGROUP_V2), 0);
	ck_assert_int_eq(cgroup_node_get(&h, "a", &old_a), 0);
	ck_assert_uint_eq(node_u64(old_a, "memory.max"), 100);
	scratch_rename("a", "b");
	scratch_cgroup("a", "200\n");
	ck_assert_uint_eq(node_u64(old_a, "memory.max"), 100);
	ck_assert_int_eq(cgroup_node_get(&h, "a", &new_a), 0);
	ck_assert_ptr_ne(new_a, old_a);
	ck_assert_uint_eq(node_u64(new_a, "memory.max"), 200);
	ck_assert_int_eq(cgroup_node_get(&h, "b", &b), 0);
	ck_assert_ptr_eq(b, old_a);
	cgroup_node_put(b);
	cgroup_node_put(new_a);
	cgroup_node_put(old_a);
	cgroup_hierarchy_close(&h);
}
END_TEST

START_TEST(test_node_removed_cgroup_reads_enodev)
{
	struct cgroup_hierarchy h;
	struct cgroup_node *node;

	/* A removed cgroup has no files: not even cgroup.procs. */
	scratch_cgroup("a", "100\n");
	ck_assert_int_eq(cgroup_hierarchy_open_path(&h, "memory", scratch, CGROUP_V2), 0);
	ck_assert_int_eq(cgroup_node_get(&h, "a", &node), 0);
	scratch_remove("a");
	ck_assert_int_eq(cgroup_node_read_u64(node, "memory.max", &(uint64_t){ 0 }), -ENODEV);
	cgroup_node_put(node);
	cgroup_hierarchy_close(&h);
}
END_TEST

START_TEST(test_node_dead_cgroup_never_reads_again)
{
	struct cgroup_hierarchy h;
	struct cgroup_node *node;
	char text[64];

	/* memory.max stays open, but once a read finds the cgroup gone, no file is read. */
	scratch_cgroup("a", "100\n");
	scratch_write("a", "memory.current", "5\n");
	ck_assert_int_eq(cgroup_hierarchy_open_path(&h, "memory", scratch, CGROUP_V2), 0);
	ck_assert_int_eq(cgroup_node_get(&h, "a", &node), 0);
	ck_assert_uint_eq(node_u64(node, "memory.max"), 100);
	scratch_remove("a");
	ck_assert_int_eq(cgroup_node_read_file(node, "memory.current", text, sizeof(text)),
			 -ENODEV);
	ck_assert_int_eq(cgroup_node_read_file(node, "memory.max", text, sizeof(text)), -ENODEV);
	cgroup_node_put(node);
	cgroup_hierarchy_close(&h);
}
END_TEST

START_TEST(test_node_remade_cgroup_is_a_new_node)
{
	struct cgroup_hierarchy h;
	struct cgroup_node *old_node, *new_node;

	/* rmdir a; mkdir a: a lookup by path finds the new cgroup, not the dead one. */
	scratch_cgroup("a", "100\n");
	ck_assert_int_eq(cgroup_hierarchy_open_path(&h, "memory", scratch, CGROUP_V2), 0);
	ck_assert_int_eq(cgroup_node_get(&h, "a", &old_node), 0);
	scratch_remove("a");
	ck_assert_int_eq(cgroup_node_read_u64(old_node, "memory.max", &(uint64_t){ 0 }), -ENODEV);
	scratch_cgroup("a", "300\n");
	ck_assert_int_eq(cgroup_node_get(&h, "a", &new_node), 0);
	ck_assert_ptr_ne(new_node, old_node);
	ck_assert_uint_eq(node_u64(new_node, "memory.max"), 300);
	ck_assert_uint_eq(cgroup_hierarchy_cached(&h), 1);
	cgroup_node_put(old_node);
	cgroup_node_put(new_node);
	cgroup_hierarchy_close(&h);
}
END_TEST

START_TEST(test_node_missing_file_of_live_cgroup_is_enoent)
{
	struct cgroup_hierarchy h;
	struct cgroup_node *node;
	char text[64];

	scratch_cgroup("a", "100\n");
	ck_assert_int_eq(cgroup_hierarchy_open_path(&h, "memory", scratch, CGROUP_V2), 0);
	ck_assert_int_eq(cgroup_node_get(&h, "a", &node), 0);
	ck_assert_int_eq(cgroup_node_read_file(node, "memory.swap.max", text, sizeof(text)),
			 -ENOENT);
	ck_assert_uint_eq(node_u64(node, "memory.max"), 100);
	cgroup_node_put(node);
	cgroup_hierarchy_close(&h);
}
END_TEST

START_TEST(test_node_read_once_keeps_first_value)
{
	struct cgroup_hierarchy h;
	struct cgroup_node *node;
	uint64_t value = 0;

	scratch_cgroup("a", "100\n");
	scratch_write("a", "memory.use_hierarchy", "1\n");
	ck_assert_int_eq(cgroup_hierarchy_open_path(&h, "memory", scratch, CGROUP_V1), 0);
	ck_assert_int_eq(cgroup_node_get(&h, "a", &node), 0);
	ck_assert_int_eq(cgroup_node_read_u64_once(node, "memory.use_hierarchy", &value), 0);
	ck_assert_uint_eq(value, 1);
	scratch_write("a", "memory.use_hierarchy", "0\n");
	ck_assert_int_eq(cgroup_node_read_u64_once(node, "memory.use_hierarchy", &value), 0);
	ck_assert_uint_eq(value, 1);
	cgroup_node_put(node);
	cgroup_hierarchy_close(&h);
}
END_TEST

static uint64_t watched_u64(struct cgroup_hierarchy *h, struct cgroup_node *node,
			    const char *file)
{
	uint64_t value = 0;

	cgroup_watch_sync(h);
	ck_assert_int_eq(cgroup_node_read_u64_watched(node, file, &value), 0);
	return value;
}

/* Every write to a watched limit shows in the next read after a sync, through any path. */
START_TEST(test_watched_limit_follows_each_write)
{
	struct cgroup_hierarchy h;
	struct cgroup_node *node;
	uint64_t value;

	scratch_cgroup("a", "100\n");
	ck_assert_int_eq(cgroup_hierarchy_open_path(&h, "memory", scratch, CGROUP_V2), 0);
	ck_assert_int_eq(cgroup_node_get(&h, "a", &node), 0);
	ck_assert_uint_eq(watched_u64(&h, node, "memory.max"), 100);
	ck_assert_uint_eq(watched_u64(&h, node, "memory.max"), 100);
	for (int i = 1; i <= 50; i++) {
		char text[32];

		snprintf(text, sizeof(text), "%d\n", 100 + i);
		scratch_write("a", "memory.max", text);
		ck_assert_uint_eq(watched_u64(&h, node, "memory.max"), (uint64_t)(100 + i));
	}
	scratch_write("a", "memory.max", "max\n");
	ck_assert_uint_eq(watched_u64(&h, node, "memory.max"), CGROUP_UNLIMITED);
	/* A file the cgroup does not have is ENOENT, as for a plain read. */
	ck_assert_int_eq(cgroup_node_read_u64_watched(node, "memory.swap.max", &value), -ENOENT);
	cgroup_node_put(node);
	cgroup_hierarchy_close(&h);
}
END_TEST

/* Descriptors this process holds now. */
static int open_fds(void)
{
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *entry;
	int count = 0;

	ck_assert_ptr_nonnull(dir);
	while ((entry = readdir(dir)))
		if (entry->d_name[0] != '.')
			count++;
	closedir(dir);
	/* Less the one opendir() holds. */
	return count - 1;
}

/*
 * A watched limit and a value read once hold no descriptor (each is opened
 * for its read and closed): 1,000 containers' cgroups fit the table's
 * budget with their usage files kept open. A file read every time keeps one.
 */
START_TEST(test_watched_and_once_files_hold_no_descriptor)
{
	struct cgroup_hierarchy h;
	struct cgroup_node *node;
	uint64_t value;
	int before;

	scratch_cgroup("a", "100\n");
	scratch_write("a", "memory.use_hierarchy", "1\n");
	scratch_write("a", "memory.usage_in_bytes", "4096\n");
	ck_assert_int_eq(cgroup_hierarchy_open_path(&h, "memory", scratch, CGROUP_V1), 0);
	ck_assert_int_eq(cgroup_node_get(&h, "a", &node), 0);
	before = open_fds();
	ck_assert_uint_eq(watched_u64(&h, node, "memory.max"), 100);
	ck_assert_int_eq(cgroup_node_read_u64_once(node, "memory.use_hierarchy", &value), 0);
	ck_assert_uint_eq(value, 1);
	ck_assert_int_eq(open_fds(), before);
	/* After a write, the watched value is read again, and still no descriptor stays. */
	scratch_write("a", "memory.max", "200\n");
	ck_assert_uint_eq(watched_u64(&h, node, "memory.max"), 200);
	ck_assert_int_eq(open_fds(), before);
	ck_assert_uint_eq(node_u64(node, "memory.usage_in_bytes"), 4096);
	ck_assert_int_eq(open_fds(), before + 1);
	cgroup_node_put(node);
	cgroup_hierarchy_close(&h);
}
END_TEST

/*
 * Between writes the value is served without reading the file: a change
 * made through a shared mapping (which notifies nothing) is not seen until
 * a write is.
 */
START_TEST(test_watched_limit_is_not_read_again_without_a_write)
{
	struct cgroup_hierarchy h;
	struct cgroup_node *node;
	char path[PATH_MAX], *map;
	int fd;

	scratch_cgroup("a", "100\n");
	ck_assert_int_eq(cgroup_hierarchy_open_path(&h, "memory", scratch, CGROUP_V2), 0);
	ck_assert_int_eq(cgroup_node_get(&h, "a", &node), 0);
	ck_assert_uint_eq(watched_u64(&h, node, "memory.max"), 100);
	snprintf(path, sizeof(path), "%s/a/memory.max", scratch);
	fd = open(path, O_RDWR | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	map = mmap(NULL, 4, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ck_assert_ptr_ne(map, MAP_FAILED);
	map[0] = '3';
	ck_assert_int_eq(msync(map, 4, MS_SYNC), 0);
	ck_assert_uint_eq(node_u64(node, "memory.max"), 300);
	ck_assert_uint_eq(watched_u64(&h, node, "memory.max"), 100);
	ck_assert_int_eq(pwrite(fd, "4", 1, 0), 1);
	ck_assert_uint_eq(watched_u64(&h, node, "memory.max"), 400);
	munmap(map, 4);
	close(fd);
	cgroup_node_put(node);
	cgroup_hierarchy_close(&h);
}
END_TEST

/* Meet cgroups c0 .. c<count - 1> once each: look up, read, put back. */
static void use_scratch_cgroups(struct cgroup_hierarchy *h, int count)
{
	char name[32];

	for (int i = 0; i < count; i++) {
		struct cgroup_node *node;

		snprintf(name, sizeof(name), "c%d", i);
		ck_assert_int_eq(cgroup_node_get(h, name, &node), 0);
		ck_assert_uint_eq(node_u64(node, "memory.max"), 4096);
		cgroup_node_put(node);
	}
}

static void make_scratch_cgroups(int count)
{
	char name[32];

	for (int i = 0; i < count; i++) {
		snprintf(name, sizeof(name), "c%d", i);
		scratch_cgroup(name, "4096\n");
	}
}

START_TEST(test_node_idle_cgroups_beyond_budget_are_closed)
{
	struct cgroup_hierarchy h;

	/*
	 * 1,030 cgroups met once, each a directory and memory.max: within
	 * 2,048 descriptors, the 1,024 most recent stay open.
	 */
	make_scratch_cgroups(1030);
	ck_assert_int_eq(cgroup_hierarchy_open_path(&h, "memory", scratch, CGROUP_V2), 0);
	cgroup_hierarchy_set_fd_budget(&h, 2048);
	use_scratch_cgroups(&h, 1030);
	ck_assert_uint_eq(cgroup_hierarchy_cached(&h), 1024);
	cgroup_hierarchy_close(&h);
}
END_TEST

START_TEST(test_node_working_set_within_budget_stays_open)
{
	struct cgroup_hierarchy h;
	struct cgroup_node *first, *again;

	/* 500 cgroups read in turn, three times over, in 1,024 descriptors. */
	make_scratch_cgroups(500);
	ck_assert_int_eq(cgroup_hierarchy_open_path(&h, "memory", scratch, CGROUP_V2), 0);
	cgroup_hierarchy_set_fd_budget(&h, 1024);
	ck_assert_int_eq(cgroup_node_get(&h, "c0", &first), 0);
	cgroup_node_put(first);
	for (int round = 0; round < 3; round++)
		use_scratch_cgroups(&h, 500);
	ck_assert_uint_eq(cgroup_hierarchy_cached(&h), 500);
	ck_assert_int_eq(cgroup_node_get(&h, "c0", &again), 0);
	ck_assert_ptr_eq(again, first);
	cgroup_node_put(again);
	cgroup_hierarchy_close(&h);
}
END_TEST

START_TEST(test_node_in_use_is_never_closed)
{
	struct cgroup_hierarchy h;
	struct cgroup_node *held, *again;

	/* "held" is "a", used by a reader while 1,030 others come and go. */
	scratch_cgroup("a", "100\n");
	make_scratch_cgroups(1030);
	ck_assert_int_eq(cgroup_hierarchy_open_path(&h, "memory", scratch, CGROUP_V2), 0);
	cgroup_hierarchy_set_fd_budget(&h, 2048);
	ck_assert_int_eq(cgroup_node_get(&h, "a", &held), 0);
	use_scratch_cgroups(&h, 1030);
	/* "a" and its memory.max, then the 1,023 most recent others. */
	ck_assert_uint_eq(cgroup_hierarchy_cached(&h), 1024);
	ck_assert_int_eq(cgroup_node_get(&h, "a", &again), 0);
	ck_assert_ptr_eq(again, held);
	ck_assert_uint_eq(node_u64(held, "memory.max"), 100);
	cgroup_node_put(again);
	cgroup_node_put(held);
	cgroup_hierarchy_close(&h);
}
END_TEST

START_TEST(test_node_out_of_descriptors_gives_back_idle_cgroup)
{
	struct cgroup_hierarchy h;
	struct rlimit limit;
	uint64_t value = 0;
	int lowest_free;

	make_scratch_cgroups(3);
	ck_assert_int_eq(cgroup_hierarchy_open_path(&h, "memory", scratch, CGROUP_V2), 0);
	use_scratch_cgroups(&h, 2);
	ck_assert_uint_eq(cgroup_hierarchy_cached(&h), 2);
	/* No descriptor left: c2 can open only what c0, the oldest idle, gives back. */
	lowest_free = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(lowest_free, 0);
	close(lowest_free);
	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &limit), 0);
	limit.rlim_cur = (rlim_t)lowest_free;
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &limit), 0);
	ck_assert_int_eq(cgroup_read_u64(&h, "c2", "memory.max", &value), 0);
	ck_assert_uint_eq(value, 4096);
	ck_assert_uint_eq(cgroup_hierarchy_cached(&h), 2);
	cgroup_hierarchy_close(&h);
}
END_TEST

/* Readers on 8 threads at once, as libfuse's workers. */
struct parallel_run {
	struct cgroup_hierarchy *h;
	int wrong;
};

static void *parallel_reader(void *arg)
{
	struct parallel_run *run = arg;

	for (int i = 0; i < 2000; i++) {
		struct cgroup_node *node, *parent;
		uint64_t value = 0;

		if (cgroup_node_get(run->h, "docker/web/app", &node) < 0) {
			run->wrong++;
			continue;
		}
		if (cgroup_node_parent(node, &parent) < 0 || !parent ||
		    cgroup_node_read_u64(parent, "memory.limit_in_bytes", &value) < 0 ||
		    value != 268435456)
			run->wrong++;
		cgroup_node_put(node);
	}
	return NULL;
}

START_TEST(test_node_parallel_readers_agree)
{
	struct cgroup_hierarchy h;
	struct parallel_run runs[8];
	pthread_t threads[8];

	open_hierarchy(&h, "v1/cgroup/memory", CGROUP_V1);
	for (int i = 0; i < 8; i++) {
		runs[i] = (struct parallel_run){ &h, 0 };
		ck_assert_int_eq(pthread_create(&threads[i], NULL, parallel_reader, &runs[i]), 0);
	}
	for (int i = 0; i < 8; i++) {
		pthread_join(threads[i], NULL);
		ck_assert_int_eq(runs[i].wrong, 0);
	}
	/* docker/web/app and docker/web, whatever the interleaving. */
	ck_assert_uint_eq(cgroup_hierarchy_cached(&h), 2);
	cgroup_hierarchy_close(&h);
}
END_TEST

static Suite *cgroup_suite(void)
{
	Suite *s = suite_create("cgroup");
	TCase *tc;

	tc = tcase_create("parse_proc_cgroup");
	tcase_add_test(tc, test_parse_v1_controller_in_comma_list);
	tcase_add_test(tc, test_parse_v1_controller_first_in_list);
	tcase_add_test(tc, test_parse_v1_controller_name_is_not_prefix_matched);
	tcase_add_test(tc, test_parse_v1_root_is_empty_path);
	tcase_add_test(tc, test_parse_v1_ignores_unified_line);
	tcase_add_test(tc, test_parse_v2_picks_unified_line);
	tcase_add_test(tc, test_parse_v2_ignores_v1_memory_line);
	tcase_add_test(tc, test_parse_v2_root_is_empty_path);
	tcase_add_test(tc, test_parse_v2_path_may_hold_colons);
	tcase_add_test(tc, test_parse_hybrid_picks_v1_memory_line);
	tcase_add_test(tc, test_parse_hybrid_picks_v1_line_after_unified_line);
	tcase_add_test(tc, test_parse_last_line_without_newline);
	tcase_add_test(tc, test_parse_missing_controller_is_enoent);
	tcase_add_test(tc, test_parse_empty_text_is_enoent);
	tcase_add_test(tc, test_parse_line_without_path_is_einval);
	tcase_add_test(tc, test_parse_relative_path_is_einval);
	tcase_add_test(tc, test_parse_dotdot_path_is_einval);
	tcase_add_test(tc, test_parse_dotdot_at_end_is_einval);
	tcase_add_test(tc, test_parse_dotdot_in_middle_is_einval);
	tcase_add_test(tc, test_parse_path_with_empty_component_is_einval);
	tcase_add_test(tc, test_parse_dots_inside_names_are_accepted);
	tcase_add_test(tc, test_parse_path_too_long_for_buffer_fails);
	suite_add_tcase(s, tc);

	tc = tcase_create("pid_path");
	tcase_add_test(tc, test_parse_fixture_malformed_is_einval);
	tcase_add_test(tc, test_parse_fixture_dotdot_is_einval);
	tcase_add_test(tc, test_parse_fixture_no_memory_is_enoent);
	tcase_add_test(tc, test_pid_path_v1_fixture);
	tcase_add_test(tc, test_pid_path_v2_fixture);
	tcase_add_test(tc, test_pid_path_hybrid_fixture_uses_v1_line);
	tcase_add_test(tc, test_pid_path_missing_pid_is_enoent);
	suite_add_tcase(s, tc);

	tc = tcase_create("path_parent");
	tcase_add_test(tc, test_path_parent_of_nested);
	tcase_add_test(tc, test_path_parent_of_top_level_is_root);
	tcase_add_test(tc, test_path_parent_of_root_is_false);
	suite_add_tcase(s, tc);

	tc = tcase_create("read_u64");
	tcase_add_test(tc, test_read_u64_number);
	tcase_add_test(tc, test_read_u64_max_is_unlimited);
	tcase_add_test(tc, test_read_u64_v1_unset_limit_is_read_as_number);
	tcase_add_test(tc, test_read_u64_root_cgroup_file);
	tcase_add_test(tc, test_read_u64_empty_file_is_ebadmsg);
	tcase_add_test(tc, test_read_u64_garbage_is_ebadmsg);
	tcase_add_test(tc, test_read_u64_file_too_big_is_ebadmsg);
	tcase_add_test(tc, test_read_u64_missing_file_is_enoent);
	tcase_add_test(tc, test_read_u64_closed_hierarchy_is_enoent);
	suite_add_tcase(s, tc);

	tc = tcase_create("node");
	tcase_add_test(tc, test_node_same_path_gives_same_node);
	tcase_add_test(tc, test_node_parent_is_node_of_parent_path);
	tcase_add_test(tc, test_node_walk_ends_at_root);
	tcase_add_test(tc, test_node_root_is_root);
	tcase_add_test(tc, test_node_missing_cgroup_is_enoent);
	tcase_add_test(tc, test_node_file_is_not_a_cgroup);
	tcase_add_test(tc, test_node_parallel_readers_agree);
	suite_add_tcase(s, tc);

	tc = tcase_create("node_scratch");
	tcase_add_checked_fixture(tc, scratch_setup, scratch_teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_node_renamed_cgroup_keeps_its_figures);
	tcase_add_test(tc, test_node_removed_cgroup_reads_enodev);
	tcase_add_test(tc, test_node_dead_cgroup_never_reads_again);
	tcase_add_test(tc, test_node_remade_cgroup_is_a_new_node);
	tcase_add_test(tc, test_node_missing_file_of_live_cgroup_is_enoent);
	tcase_add_test(tc, test_node_read_once_keeps_first_value);
	tcase_add_test(tc, test_watched_limit_follows_each_write);
	tcase_add_test(tc, test_watched_limit_is_not_read_again_without_a_write);
	tcase_add_test(tc, test_watched_and_once_files_hold_no_descriptor);
	tcase_add_test(tc, test_node_idle_cgroups_beyond_budget_are_closed);
	tcase_add_test(tc, test_node_working_set_within_budget_stays_open);
	tcase_add_test(tc, test_node_in_use_is_never_closed);
	tcase_add_test(tc, test_node_out_of_descriptors_gives_back_idle_cgroup);
	tcase_add_test(tc, test_shared_read_within_age_serves_what_was_parsed);
	tcase_add_test(tc, test_shared_read_past_age_reads_again);
	tcase_add_test(tc, test_deep_chain_reads_limit_above_kept_levels);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(cgroup_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
