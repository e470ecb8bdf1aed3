/* SPDX-License-Identifier: GPL-2.0-or-later */
/* check_access.c - reader credentials from /proc text, and the kernel's read permission rule. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "access.h"

#define CAP_DAC_OVERRIDE_BIT (UINT64_C(1) << 1)
#define CAP_DAC_READ_SEARCH_BIT (UINT64_C(1) << 2)

/* A /proc/<pid>/status as Linux 6.18 prints it, trimmed to what matters and around it. */
static const char status_nobody[] =
	"Name:\tcat\n"
	"Umask:\t0022\n"
	"State:\tR (running)\n"
	"Uid:\t65534\t65534\t65534\t65534\n"
	"Gid:\t65534\t65534\t65534\t65534\n"
	"FDSize:\t64\n"
	"Groups:\t\n"
	"CapInh:\t0000000000000000\n"
	"CapPrm:\t0000000000000000\n"
	"CapEff:\t0000000000000000\n"
	"CapBnd:\t000001ffffffffff\n";

static const char status_mixed[] =
	"Uid:\t1000\t1000\t1000\t2000\n"
	"Gid:\t100\t100\t100\t300\n"
	"Groups:\t4 24 27 \n"
	"CapEff:\t0000000000000004\n";

static struct stat file(uid_t uid, gid_t gid, mode_t mode)
{
	struct stat st;

	memset(&st, 0, sizeof(st));
	st.st_uid = uid;
	st.st_gid = gid;
	st.st_mode = S_IFREG | mode;
	return st;
}

static struct access_creds creds_of(const char *status, bool same_user_ns)
{
	struct access_creds creds;

	memset(&creds, 0, sizeof(creds));
	ck_assert_int_eq(access_parse_status(status, &creds), 0);
	creds.same_user_ns = same_user_ns;
	return creds;
}

START_TEST(test_status_gives_filesystem_ids_and_capabilities)
{
	struct access_creds creds = creds_of(status_mixed, true);

	ck_assert_uint_eq(creds.fsuid, 2000);
	ck_assert_uint_eq(creds.fsgid, 300);
	ck_assert_uint_eq(creds.group_count, 3);
	ck_assert_uint_eq(creds.groups[0], 4);
	ck_assert_uint_eq(creds.groups[2], 27);
	ck_assert_uint_eq(creds.cap_effective, CAP_DAC_READ_SEARCH_BIT);
}
END_TEST

START_TEST(test_status_with_no_groups_has_none)
{
	struct access_creds creds = creds_of(status_nobody, true);

	ck_assert_uint_eq(creds.fsuid, 65534);
	ck_assert_uint_eq(creds.group_count, 0);
	ck_assert_uint_eq(creds.cap_effective, 0);
}
END_TEST

START_TEST(test_status_without_capeff_is_ebadmsg)
{
	struct access_creds creds;

	ck_assert_int_eq(access_parse_status("Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n", &creds),
			 -EBADMSG);
}
END_TEST

START_TEST(test_status_with_short_uid_line_is_ebadmsg)
{
	struct access_creds creds;

	ck_assert_int_eq(access_parse_status("Uid:\t0\t0\nGid:\t0\t0\t0\t0\nCapEff:\t0\n", &creds),
			 -EBADMSG);
}
END_TEST

START_TEST(test_status_with_garbage_capability_is_ebadmsg)
{
	struct access_creds creds;

	ck_assert_int_eq(access_parse_status("Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n"
					     "CapEff:\t00000000zz000000\n", &creds), -EBADMSG);
}
END_TEST

START_TEST(test_id_map_gives_outside_ranges)
{
	struct access_range ranges[4];

	ck_assert_int_eq(access_parse_id_map("         0     100000      65536\n"
					     "     65536          5          1\n", ranges, 4), 2);
	ck_assert_uint_eq(ranges[0].first, 100000);
	ck_assert_uint_eq(ranges[0].count, 65536);
	ck_assert_uint_eq(ranges[1].first, 5);
	ck_assert_uint_eq(ranges[1].count, 1);
}
END_TEST

START_TEST(test_empty_id_map_has_no_ranges)
{
	struct access_range ranges[4];

	ck_assert_int_eq(access_parse_id_map("", ranges, 4), 0);
}
END_TEST

START_TEST(test_id_map_with_more_lines_than_room_is_ebadmsg)
{
	struct access_range ranges[1];

	ck_assert_int_eq(access_parse_id_map("0 1 1\n1 2 1\n", ranges, 1), -EBADMSG);
}
END_TEST

START_TEST(test_world_readable_file_is_readable_by_anyone)
{
	struct access_creds creds = creds_of(status_nobody, true);
	struct stat st = file(0, 0, 0444);

	ck_assert(access_may_read(&creds, &st));
}
END_TEST

START_TEST(test_root_only_file_is_refused_to_nobody)
{
	/* /proc/net/ip_tables_names: 0440 root:root. */
	struct access_creds creds = creds_of(status_nobody, true);
	struct stat st = file(0, 0, 0440);

	ck_assert(!access_may_read(&creds, &st));
}
END_TEST

START_TEST(test_owner_bits_apply_to_the_owner_only)
{
	/* The owner bits refuse even when the other bits would allow. */
	struct access_creds creds = creds_of(status_mixed, true);
	struct stat mine = file(2000, 0, 0044);
	struct stat theirs = file(2001, 0, 0404);

	creds.cap_effective = 0;
	ck_assert(!access_may_read(&creds, &mine));
	ck_assert(access_may_read(&creds, &theirs));
}
END_TEST

START_TEST(test_group_bits_apply_to_supplementary_groups)
{
	struct access_creds creds = creds_of(status_mixed, true);
	struct stat st = file(0, 27, 0440);

	creds.cap_effective = 0;
	ck_assert(access_may_read(&creds, &st));
}
END_TEST

START_TEST(test_dac_capability_reads_anything_in_own_namespace)
{
	struct access_creds creds = creds_of(status_nobody, true);
	struct stat st = file(0, 0, 0400);

	creds.cap_effective = CAP_DAC_OVERRIDE_BIT;
	ck_assert(access_may_read(&creds, &st));
	creds.cap_effective = CAP_DAC_READ_SEARCH_BIT;
	ck_assert(access_may_read(&creds, &st));
}
END_TEST

START_TEST(test_capability_in_user_namespace_covers_mapped_ids_only)
{
	/* Root of a user namespace mapping 100000..165535: full capabilities there. */
	struct access_creds creds = creds_of(status_nobody, false);
	struct stat host_root = file(0, 0, 0440);
	struct stat ns_root = file(100000, 100000, 0440);

	creds.fsuid = 100000;
	creds.fsgid = 100000;
	creds.cap_effective = UINT64_C(0x1ffffffffff);
	creds.uids[0] = (struct access_range){ 100000, 65536 };
	creds.gids[0] = (struct access_range){ 100000, 65536 };
	creds.uid_count = creds.gid_count = 1;
	ck_assert(!access_may_read(&creds, &host_root));
	ck_assert(access_may_read(&creds, &ns_root));
	ns_root.st_uid = 100001;
	ck_assert(access_may_read(&creds, &ns_root));
}
END_TEST

static Suite *access_suite(void)
{
	Suite *s = suite_create("access");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, test_status_gives_filesystem_ids_and_capabilities);
	tcase_add_test(tc, test_status_with_no_groups_has_none);
	tcase_add_test(tc, test_status_without_capeff_is_ebadmsg);
	tcase_add_test(tc, test_status_with_short_uid_line_is_ebadmsg);
	tcase_add_test(tc, test_status_with_garbage_capability_is_ebadmsg);
	tcase_add_test(tc, test_id_map_gives_outside_ranges);
	tcase_add_test(tc, test_empty_id_map_has_no_ranges);
	tcase_add_test(tc, test_id_map_with_more_lines_than_room_is_ebadmsg);
	suite_add_tcase(s, tc);

	tc = tcase_create("may_read");
	tcase_add_test(tc, test_world_readable_file_is_readable_by_anyone);
	tcase_add_test(tc, test_root_only_file_is_refused_to_nobody);
	tcase_add_test(tc, test_owner_bits_apply_to_the_owner_only);
	tcase_add_test(tc, test_group_bits_apply_to_supplementary_groups);
	tcase_add_test(tc, test_dac_capability_reads_anything_in_own_namespace);
	tcase_add_test(tc, test_capability_in_user_namespace_covers_mapped_ids_only);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(access_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
