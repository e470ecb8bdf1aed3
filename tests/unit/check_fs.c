/* SPDX-License-Identifier: GPL-2.0-or-later */
/* check_fs.c - the FUSE boundary: errno for readers, inode numbers that never move. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>

#include "fs.h"

/* proclens's numbers for these paths since they were first made from paths. */
#define PROC_MEMINFO_INO 4033
#define PROC_NET_SOCKSTAT_INO 766

START_TEST(test_meaningful_errors_pass_through)
{
	static const int kept[] = { ENOMEM, EACCES, EPERM, ENOENT, EROFS, ENOTDIR, EISDIR,
				    ENAMETOOLONG, EMFILE, ENFILE, ENOSPC };

	for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
		ck_assert_int_eq(fs_reply_errno(-kept[i]), kept[i]);
}
END_TEST

START_TEST(test_vanished_reader_is_enoent)
{
	ck_assert_int_eq(fs_reply_errno(-ESRCH), ENOENT);
}
END_TEST

START_TEST(test_bad_host_data_and_removed_cgroups_are_eio)
{
	ck_assert_int_eq(fs_reply_errno(-EBADMSG), EIO);
	ck_assert_int_eq(fs_reply_errno(-ENODEV), EIO);
	ck_assert_int_eq(fs_reply_errno(-EFBIG), EIO);
	ck_assert_int_eq(fs_reply_errno(-EINVAL), EIO);
}
END_TEST

START_TEST(test_static_inode_numbers_come_from_paths)
{
	/*
	 * Written out: a change of numbering (new rows, another order) must
	 * not move the numbers the kernel has cached for existing paths.
	 */
	ck_assert_uint_eq(fs_static_ino(""), FUSE_ROOT_ID);
	ck_assert_uint_eq(fs_static_ino("proc/meminfo"), PROC_MEMINFO_INO);
	ck_assert_uint_eq(fs_static_ino("proc/net/sockstat"), PROC_NET_SOCKSTAT_INO);
	ck_assert_uint_ne(fs_static_ino("proc"), fs_static_ino("proc/meminfo"));
}
END_TEST

static Suite *fs_suite(void)
{
	Suite *s = suite_create("fs");
	TCase *tc = tcase_create("reply_errno");

	tcase_add_test(tc, test_meaningful_errors_pass_through);
	tcase_add_test(tc, test_vanished_reader_is_enoent);
	tcase_add_test(tc, test_bad_host_data_and_removed_cgroups_are_eio);
	suite_add_tcase(s, tc);

	tc = tcase_create("inodes");
	tcase_add_test(tc, test_static_inode_numbers_come_from_paths);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(fs_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
