/* SPDX-License-Identifier: GPL-2.0-or-later */
/* check_pid_limits.c - /proc/<pid>/limits: parse, lower, render, and gather from fixture trees. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "host.h"
#include "pid_limits.h"
#include "strutil.h"

#define HEADER "Limit                     Soft Limit           Hard Limit           Units     \n"

static struct buf out = BUF_INIT;

static void teardown(void)
{
	buf_free(&out);
}

/* A fixture file's bytes, NUL-terminated; its length in *len. */
static const char *fixture(const char *path, size_t *len)
{
	static char text[8192];
	ssize_t n = strutil_read_file(AT_FDCWD, path, text, sizeof(text));

	ck_assert_msg(n >= 0, "%s: %s", path, strerror((int)-n));
	if (len)
		*len = (size_t)n;
	return text;
}

static const char *limits_fixture(const char *tree, int pid, const char *file)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/limits/%s/proc/%d/%s", FIXTURES_DIR, tree, pid, file);
	return fixture(path, NULL);
}

static const struct pid_limits_row *row(const struct pid_limits *limits, const char *name)
{
	for (size_t i = 0; i < limits->count; i++)
		if (strcmp(limits->rows[i].name, name) == 0)
			return &limits->rows[i];
	ck_abort_msg("no row %s", name);
	return NULL;
}

/* The text of limits_fixture() with one piece replaced: malformed variants. */
static int parse_with(const char *from, const char *to)
{
	static struct pid_limits limits;
	char text[8192];
	const char *base = limits_fixture("v2", 200, "limits");
	const char *at = strstr(base, from);

	ck_assert_msg(at != NULL, "fixture lacks \"%s\"", from);
	snprintf(text, sizeof(text), "%.*s%s%s", (int)(at - base), base, to, at + strlen(from));
	return pid_limits_parse(text, &limits);
}

/* ---- parse ---- */

START_TEST(test_parse_reads_every_row_in_order)
{
	struct pid_limits limits;

	ck_assert_int_eq(pid_limits_parse(limits_fixture("v2", 200, "limits"), &limits), 0);
	ck_assert_uint_eq(limits.count, 16);
	ck_assert_str_eq(limits.rows[0].name, "Max cpu time");
	ck_assert_str_eq(limits.rows[0].unit, "seconds");
	ck_assert_str_eq(limits.rows[6].name, "Max processes");
	ck_assert_str_eq(limits.rows[15].name, "Max realtime timeout");
	ck_assert(!limits.changed);
}
END_TEST

START_TEST(test_parse_values_and_unlimited)
{
	struct pid_limits limits;

	ck_assert_int_eq(pid_limits_parse(limits_fixture("v2", 200, "limits"), &limits), 0);
	ck_assert_uint_eq(row(&limits, "Max stack size")->soft, 8388608);
	ck_assert_uint_eq(row(&limits, "Max stack size")->hard, PID_LIMITS_UNLIMITED);
	ck_assert_uint_eq(row(&limits, "Max open files")->soft, 1024);
	ck_assert_uint_eq(row(&limits, "Max open files")->hard, 524288);
	ck_assert_uint_eq(row(&limits, "Max core file size")->soft, 0);
	ck_assert_str_eq(row(&limits, "Max processes")->unit, "processes");
}
END_TEST

START_TEST(test_parse_rows_without_unit)
{
	struct pid_limits limits;

	ck_assert_int_eq(pid_limits_parse(limits_fixture("v2", 200, "limits"), &limits), 0);
	ck_assert_str_eq(row(&limits, "Max nice priority")->unit, "");
	ck_assert_str_eq(row(&limits, "Max realtime priority")->unit, "");
	ck_assert_uint_eq(row(&limits, "Max realtime priority")->hard, 0);
}
END_TEST

START_TEST(test_parse_empty_is_malformed)
{
	struct pid_limits limits;

	ck_assert_int_eq(pid_limits_parse("", &limits), -EBADMSG);
}
END_TEST

START_TEST(test_parse_header_only_is_malformed)
{
	struct pid_limits limits;

	ck_assert_int_eq(pid_limits_parse(HEADER, &limits), -EBADMSG);
}
END_TEST

START_TEST(test_parse_wrong_header_is_malformed)
{
	ck_assert_int_eq(parse_with("Soft Limit ", "Soft limit "), -EBADMSG);
}
END_TEST

START_TEST(test_parse_word_for_number_is_malformed)
{
	ck_assert_int_eq(parse_with("Max processes             63382 ",
				    "Max processes             lots  "), -EBADMSG);
}
END_TEST

START_TEST(test_parse_negative_number_is_malformed)
{
	ck_assert_int_eq(parse_with("Max open files            1024 ",
				    "Max open files            -1   "), -EBADMSG);
}
END_TEST

START_TEST(test_parse_number_of_unlimited_is_malformed)
{
	/* RLIM_INFINITY is printed as "unlimited", never as its digits. */
	ck_assert_int_eq(parse_with("Max file locks            unlimited           ",
				    "Max file locks            18446744073709551615"), -EBADMSG);
}
END_TEST

START_TEST(test_parse_overflow_is_malformed)
{
	ck_assert_int_eq(parse_with("Max file locks            unlimited           ",
				    "Max file locks            99999999999999999999"), -EBADMSG);
}
END_TEST

START_TEST(test_parse_shifted_column_is_malformed)
{
	ck_assert_int_eq(parse_with("Max open files            1024 ",
				    "Max open files             1024"), -EBADMSG);
}
END_TEST

START_TEST(test_parse_missing_trailing_space_is_malformed)
{
	/* "Max nice priority" rows end in the space after the hard limit. */
	ck_assert_int_eq(parse_with("0                    \nMax realtime priority",
				    "0                   \nMax realtime priority"), -EBADMSG);
}
END_TEST

START_TEST(test_parse_unpadded_unit_is_malformed)
{
	ck_assert_int_eq(parse_with("files     \n", "files\n"), -EBADMSG);
}
END_TEST

START_TEST(test_parse_truncated_is_malformed)
{
	/* Cut in the last row: no newline. */
	ck_assert_int_eq(parse_with("us        \n", "us"), -EBADMSG);
}
END_TEST

START_TEST(test_parse_too_many_rows_is_malformed)
{
	struct pid_limits limits;
	struct buf text = BUF_INIT;

	ck_assert_int_eq(buf_append(&text, HEADER, strlen(HEADER)), 0);
	for (int i = 0; i <= PID_LIMITS_ROWS_MAX; i++)
		ck_assert_int_eq(buf_printf(&text, "%-25s %-20s %-20s %-10s\n", "Max file locks",
					    "unlimited", "unlimited", "locks"), 0);
	ck_assert_int_eq(pid_limits_parse(text.data, &limits), -EBADMSG);
	buf_free(&text);
}
END_TEST

/* ---- apply ---- */

static void parse_fixture(const char *tree, int pid, struct pid_limits *limits)
{
	ck_assert_int_eq(pid_limits_parse(limits_fixture(tree, pid, "limits"), limits), 0);
}

START_TEST(test_apply_no_ceilings_changes_nothing)
{
	struct pid_limits_ceilings none = { PID_LIMITS_UNLIMITED, PID_LIMITS_UNLIMITED };
	struct pid_limits limits;

	parse_fixture("v1", 400, &limits);
	pid_limits_apply(&limits, &none);
	ck_assert(!limits.changed);
	ck_assert_uint_eq(row(&limits, "Max processes")->soft, PID_LIMITS_UNLIMITED);
	ck_assert_uint_eq(row(&limits, "Max resident set")->soft, 104857600);
}
END_TEST

START_TEST(test_apply_lowers_processes_only_where_above)
{
	struct pid_limits_ceilings ceilings = { 100, PID_LIMITS_UNLIMITED };
	struct pid_limits limits;

	/* Soft 64, hard 4096. */
	parse_fixture("v1", 100, &limits);
	pid_limits_apply(&limits, &ceilings);
	ck_assert(limits.changed);
	ck_assert_uint_eq(row(&limits, "Max processes")->soft, 64);
	ck_assert_uint_eq(row(&limits, "Max processes")->hard, 100);
}
END_TEST

START_TEST(test_apply_lowers_resident_set_to_memory_limit)
{
	struct pid_limits_ceilings ceilings = { PID_LIMITS_UNLIMITED, 268435456 };
	struct pid_limits limits;

	/* Soft 100 MiB, hard unlimited. */
	parse_fixture("v1", 400, &limits);
	pid_limits_apply(&limits, &ceilings);
	ck_assert(limits.changed);
	ck_assert_uint_eq(row(&limits, "Max resident set")->soft, 104857600);
	ck_assert_uint_eq(row(&limits, "Max resident set")->hard, 268435456);
}
END_TEST

START_TEST(test_apply_never_raises)
{
	struct pid_limits_ceilings ceilings = { 50000, 8589934592ULL };
	struct pid_limits limits;

	/* Processes 4096/8192, resident set 1 GiB/4 GiB: all below. */
	parse_fixture("v1", 300, &limits);
	pid_limits_apply(&limits, &ceilings);
	ck_assert(!limits.changed);
	ck_assert_uint_eq(row(&limits, "Max processes")->hard, 8192);
	ck_assert_uint_eq(row(&limits, "Max resident set")->hard, 4294967296ULL);
}
END_TEST

START_TEST(test_apply_leaves_other_rows)
{
	struct pid_limits_ceilings ceilings = { 10, 4096 };
	struct pid_limits limits;

	/* Max pending signals and Max locked memory are above both ceilings. */
	parse_fixture("v2", 200, &limits);
	pid_limits_apply(&limits, &ceilings);
	ck_assert_uint_eq(row(&limits, "Max pending signals")->soft, 63382);
	ck_assert_uint_eq(row(&limits, "Max locked memory")->soft, 8388608);
	ck_assert_uint_eq(row(&limits, "Max open files")->soft, 1024);
	ck_assert_uint_eq(row(&limits, "Max address space")->soft, PID_LIMITS_UNLIMITED);
}
END_TEST

START_TEST(test_apply_zero_ceiling)
{
	struct pid_limits_ceilings ceilings = { 0, PID_LIMITS_UNLIMITED };
	struct pid_limits limits;

	/* pids.max 0: no fork succeeds. */
	parse_fixture("v2", 200, &limits);
	pid_limits_apply(&limits, &ceilings);
	ck_assert_uint_eq(row(&limits, "Max processes")->soft, 0);
	ck_assert_uint_eq(row(&limits, "Max processes")->hard, 0);
}
END_TEST

/* ---- render ---- */

START_TEST(test_render_host_file_byte_for_byte)
{
	struct pid_limits limits;
	char text[8192];
	ssize_t len = strutil_read_file(AT_FDCWD, "/proc/self/limits", text, sizeof(text));

	ck_assert_int_gt(len, 0);
	ck_assert_int_eq(pid_limits_parse(text, &limits), 0);
	ck_assert_int_eq(pid_limits_render(&limits, &out), 0);
	ck_assert_uint_eq(out.len, (size_t)len);
	ck_assert(memcmp(out.data, text, (size_t)len) == 0);
}
END_TEST

START_TEST(test_render_fixture_byte_for_byte)
{
	struct pid_limits limits;
	size_t len;
	char path[PATH_MAX];
	const char *text;

	snprintf(path, sizeof(path), "%s/limits/v1/proc/200/limits", FIXTURES_DIR);
	text = fixture(path, &len);
	ck_assert_int_eq(pid_limits_parse(text, &limits), 0);
	ck_assert_int_eq(pid_limits_render(&limits, &out), 0);
	ck_assert_uint_eq(out.len, len);
	ck_assert(memcmp(out.data, text, len) == 0);
}
END_TEST

START_TEST(test_render_changed_rows_in_kernel_columns)
{
	struct pid_limits_ceilings ceilings = { 100, 268435456 };
	struct pid_limits limits;

	parse_fixture("v1", 400, &limits);
	pid_limits_apply(&limits, &ceilings);
	ck_assert_int_eq(pid_limits_render(&limits, &out), 0);
	ck_assert_int_eq(buf_append(&out, "", 1), 0);
	ck_assert_ptr_nonnull(strstr(out.data,
		"\nMax resident set          104857600            268435456            bytes     \n"
		"Max processes             100                  100                  processes \n"));
	ck_assert_ptr_nonnull(strstr(out.data,
		"\nMax nice priority         0                    0                    \n"));
	ck_assert(strncmp(out.data, HEADER, strlen(HEADER)) == 0);
}
END_TEST

/* ---- gather: pid_limits_read over fixture trees ---- */

/* pid_limits_read for pid of tree ("v1", "v2"), with the given controllers. */
static int read_fixture(const char *tree, int pid, bool with_pids, bool with_memory)
{
	char proc[PATH_MAX], memory[PATH_MAX], pids[PATH_MAX];
	bool v1 = strcmp(tree, "v1") == 0;
	enum cgroup_version version = v1 ? CGROUP_V1 : CGROUP_V2;
	struct host h;
	int rc;

	snprintf(proc, sizeof(proc), "%s/limits/%s/proc", FIXTURES_DIR, tree);
	snprintf(memory, sizeof(memory), "%s/limits/%s/cgroup%s", FIXTURES_DIR, tree,
		 v1 ? "/memory" : "");
	snprintf(pids, sizeof(pids), "%s/limits/%s/cgroup%s", FIXTURES_DIR, tree,
		 v1 ? "/pids" : "");
	ck_assert_int_eq(host_open_paths(&h, proc, with_memory ? memory : NULL, version), 0);
	ck_assert_int_eq(h.pids.version, CGROUP_NONE);
	if (with_pids)
		ck_assert_int_eq(host_open_pids_path(&h, pids, version), 0);
	rc = pid_limits_read(&h, h.proc_fd, pid, &out);
	host_close(&h);
	return rc;
}

static void assert_out_is(const char *tree, int pid, const char *file)
{
	char path[PATH_MAX];
	size_t len;
	const char *expected;

	snprintf(path, sizeof(path), "%s/limits/%s/proc/%d/%s", FIXTURES_DIR, tree, pid, file);
	expected = fixture(path, &len);
	ck_assert_uint_eq(out.len, len);
	ck_assert_msg(memcmp(out.data, expected, len) == 0, "%.*s\n differs from %s",
		      (int)out.len, out.data, path);
}

START_TEST(test_read_v1_root_cgroup_gets_kernel_bytes)
{
	/* pid 200 is in / of both hierarchies: a copy of a real file comes back. */
	ck_assert_int_eq(read_fixture("v1", 200, true, true), 0);
	assert_out_is("v1", 200, "limits");
}
END_TEST

START_TEST(test_read_v1_ceilings_not_below_get_kernel_bytes)
{
	/* batch: pids.max 50000 over 4096/8192, 8 GiB over 1 GiB/4 GiB. */
	ck_assert_int_eq(read_fixture("v1", 300, true, true), 0);
	assert_out_is("v1", 300, "limits");
}
END_TEST

START_TEST(test_read_v1_parent_pids_max_lowers_hard_only)
{
	/* docker/web pids.max 100, docker/web/app 500; soft 64 stays; 256 MiB. */
	ck_assert_int_eq(read_fixture("v1", 100, true, true), 0);
	assert_out_is("v1", 100, "expected");
}
END_TEST

START_TEST(test_read_v1_unlimited_processes_lowered_both)
{
	ck_assert_int_eq(read_fixture("v1", 400, true, true), 0);
	assert_out_is("v1", 400, "expected");
	ck_assert_int_eq(buf_append(&out, "", 1), 0);
	ck_assert_ptr_nonnull(strstr(out.data, "\nMax processes             100                  100                  processes \n"));
}
END_TEST

START_TEST(test_read_v1_without_pids_controller_lowers_memory_only)
{
	ck_assert_int_eq(read_fixture("v1", 400, false, true), 0);
	ck_assert_int_eq(buf_append(&out, "", 1), 0);
	ck_assert_ptr_nonnull(strstr(out.data, "\nMax resident set          104857600            268435456            bytes     \n"));
	ck_assert_ptr_nonnull(strstr(out.data, "\nMax processes             unlimited            unlimited            processes \n"));
}
END_TEST

START_TEST(test_read_without_controllers_gets_kernel_bytes)
{
	ck_assert_int_eq(read_fixture("v1", 400, false, false), 0);
	assert_out_is("v1", 400, "limits");
}
END_TEST

START_TEST(test_read_v2_pids_and_memory_of_parent)
{
	/* kubepods.slice/pod1: pids.max 100, memory.max 256 MiB; ctr: max, max. */
	ck_assert_int_eq(read_fixture("v2", 100, true, true), 0);
	assert_out_is("v2", 100, "expected");
}
END_TEST

START_TEST(test_read_v2_cgroup_without_pids_files_uses_parent)
{
	/* nopids.slice/job has no pids.max (the parent does not enable pids). */
	ck_assert_int_eq(read_fixture("v2", 300, true, true), 0);
	assert_out_is("v2", 300, "expected");
}
END_TEST

START_TEST(test_read_v2_root_gets_kernel_bytes)
{
	ck_assert_int_eq(read_fixture("v2", 200, true, true), 0);
	assert_out_is("v2", 200, "limits");
}
END_TEST

START_TEST(test_read_missing_pid_is_esrch)
{
	ck_assert_int_eq(read_fixture("v1", 999, true, true), -ESRCH);
}
END_TEST

START_TEST(test_read_missing_cgroup_file_is_esrch)
{
	/* 500 has limits but no cgroup: it went between the two reads. */
	ck_assert_int_eq(read_fixture("v1", 500, true, true), -ESRCH);
}
END_TEST

START_TEST(test_read_empty_limits_is_esrch)
{
	/* An exiting task prints no limits at all. */
	ck_assert_int_eq(read_fixture("v1", 700, true, true), -ESRCH);
}
END_TEST

START_TEST(test_read_malformed_limits_is_ebadmsg)
{
	ck_assert_int_eq(read_fixture("v1", 600, true, true), -EBADMSG);
}
END_TEST

START_TEST(test_read_live_self_without_ceilings_is_kernel_bytes)
{
	struct host h;
	char text[8192], pid[32];
	ssize_t len;
	int proc_fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);

	ck_assert_int_ge(proc_fd, 0);
	ck_assert_int_eq(host_open_paths(&h, "/proc", NULL, CGROUP_NONE), 0);
	ck_assert_int_eq(pid_limits_read(&h, proc_fd, getpid(), &out), 0);
	snprintf(pid, sizeof(pid), "%d/limits", (int)getpid());
	len = strutil_read_file(proc_fd, pid, text, sizeof(text));
	ck_assert_uint_eq(out.len, (size_t)len);
	ck_assert(memcmp(out.data, text, (size_t)len) == 0);
	host_close(&h);
	close(proc_fd);
}
END_TEST

static Suite *pid_limits_suite(void)
{
	Suite *s = suite_create("pid_limits");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, test_parse_reads_every_row_in_order);
	tcase_add_test(tc, test_parse_values_and_unlimited);
	tcase_add_test(tc, test_parse_rows_without_unit);
	tcase_add_test(tc, test_parse_empty_is_malformed);
	tcase_add_test(tc, test_parse_header_only_is_malformed);
	tcase_add_test(tc, test_parse_wrong_header_is_malformed);
	tcase_add_test(tc, test_parse_word_for_number_is_malformed);
	tcase_add_test(tc, test_parse_negative_number_is_malformed);
	tcase_add_test(tc, test_parse_number_of_unlimited_is_malformed);
	tcase_add_test(tc, test_parse_overflow_is_malformed);
	tcase_add_test(tc, test_parse_shifted_column_is_malformed);
	tcase_add_test(tc, test_parse_missing_trailing_space_is_malformed);
	tcase_add_test(tc, test_parse_unpadded_unit_is_malformed);
	tcase_add_test(tc, test_parse_truncated_is_malformed);
	tcase_add_test(tc, test_parse_too_many_rows_is_malformed);
	suite_add_tcase(s, tc);

	tc = tcase_create("apply");
	tcase_add_test(tc, test_apply_no_ceilings_changes_nothing);
	tcase_add_test(tc, test_apply_lowers_processes_only_where_above);
	tcase_add_test(tc, test_apply_lowers_resident_set_to_memory_limit);
	tcase_add_test(tc, test_apply_never_raises);
	tcase_add_test(tc, test_apply_leaves_other_rows);
	tcase_add_test(tc, test_apply_zero_ceiling);
	suite_add_tcase(s, tc);

	tc = tcase_create("render");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_render_host_file_byte_for_byte);
	tcase_add_test(tc, test_render_fixture_byte_for_byte);
	tcase_add_test(tc, test_render_changed_rows_in_kernel_columns);
	suite_add_tcase(s, tc);

	tc = tcase_create("read");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_read_v1_root_cgroup_gets_kernel_bytes);
	tcase_add_test(tc, test_read_v1_ceilings_not_below_get_kernel_bytes);
	tcase_add_test(tc, test_read_v1_parent_pids_max_lowers_hard_only);
	tcase_add_test(tc, test_read_v1_unlimited_processes_lowered_both);
	tcase_add_test(tc, test_read_v1_without_pids_controller_lowers_memory_only);
	tcase_add_test(tc, test_read_without_controllers_gets_kernel_bytes);
	tcase_add_test(tc, test_read_v2_pids_and_memory_of_parent);
	tcase_add_test(tc, test_read_v2_cgroup_without_pids_files_uses_parent);
	tcase_add_test(tc, test_read_v2_root_gets_kernel_bytes);
	tcase_add_test(tc, test_read_missing_pid_is_esrch);
	tcase_add_test(tc, test_read_missing_cgroup_file_is_esrch);
	tcase_add_test(tc, test_read_empty_limits_is_esrch);
	tcase_add_test(tc, test_read_malformed_limits_is_ebadmsg);
	tcase_add_test(tc, test_read_live_self_without_ceilings_is_kernel_bytes);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(pid_limits_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
