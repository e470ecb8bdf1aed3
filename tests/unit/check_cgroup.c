/* check_cgroup.c - finding a process's cgroup and reading one-number cgroup files. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup.h"
#include "host.h"
#include "strutil.h"

static const struct cgroup_hierarchy memory_v1 = { "memory", CGROUP_V1, -1, NULL };
static const struct cgroup_hierarchy memory_v2 = { "memory", CGROUP_V2, -1, NULL };

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
	struct cgroup_hierarchy h = { "memory", CGROUP_NONE, -1, NULL };
	uint64_t value = 5;

	ck_assert_int_eq(cgroup_read_u64(&h, "", "memory.max", &value), -ENOENT);
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
