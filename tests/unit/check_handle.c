/* SPDX-License-Identifier: GPL-2.0-or-later */
/* check_handle.c - open files' numbers: a slot and a generation, never a pointer. */
#include <check.h>
#include <stdlib.h>

#include "handle.h"

static int object_a, object_b;

START_TEST(test_added_object_is_found_by_its_number)
{
	struct handle_table *table = handle_table_new();
	uint64_t fh;

	ck_assert_int_eq(handle_table_add(table, &object_a, &fh), 0);
	ck_assert_ptr_eq(handle_table_get(table, fh), &object_a);
	handle_table_free(table);
}
END_TEST

START_TEST(test_zero_and_unknown_numbers_find_nothing)
{
	struct handle_table *table = handle_table_new();
	uint64_t fh;

	ck_assert_int_eq(handle_table_add(table, &object_a, &fh), 0);
	ck_assert_ptr_null(handle_table_get(table, 0));
	ck_assert_ptr_null(handle_table_get(table, fh + 1));
	ck_assert_ptr_null(handle_table_get(table, UINT64_C(0xffffffff00000005)));
	handle_table_free(table);
}
END_TEST

START_TEST(test_removed_number_finds_nothing)
{
	struct handle_table *table = handle_table_new();
	uint64_t fh;

	ck_assert_int_eq(handle_table_add(table, &object_a, &fh), 0);
	handle_table_remove(table, fh);
	ck_assert_ptr_null(handle_table_get(table, fh));
	handle_table_free(table);
}
END_TEST

START_TEST(test_reused_slot_gets_another_number)
{
	/* A stale number of a closed file never reaches the file now in its slot. */
	struct handle_table *table = handle_table_new();
	uint64_t first, second;

	ck_assert_int_eq(handle_table_add(table, &object_a, &first), 0);
	handle_table_remove(table, first);
	ck_assert_int_eq(handle_table_add(table, &object_b, &second), 0);
	ck_assert_uint_eq((uint32_t)first, (uint32_t)second);
	ck_assert_uint_ne(first, second);
	ck_assert_ptr_null(handle_table_get(table, first));
	ck_assert_ptr_eq(handle_table_get(table, second), &object_b);
	handle_table_free(table);
}
END_TEST

START_TEST(test_many_objects_grow_the_table)
{
	struct handle_table *table = handle_table_new();
	static int objects[1000];
	uint64_t fh[1000];

	for (int i = 0; i < 1000; i++)
		ck_assert_int_eq(handle_table_add(table, &objects[i], &fh[i]), 0);
	for (int i = 0; i < 1000; i++)
		ck_assert_ptr_eq(handle_table_get(table, fh[i]), &objects[i]);
	handle_table_free(table);
}
END_TEST

static Suite *handle_suite(void)
{
	Suite *s = suite_create("handle");
	TCase *tc = tcase_create("table");

	tcase_add_test(tc, test_added_object_is_found_by_its_number);
	tcase_add_test(tc, test_zero_and_unknown_numbers_find_nothing);
	tcase_add_test(tc, test_removed_number_finds_nothing);
	tcase_add_test(tc, test_reused_slot_gets_another_number);
	tcase_add_test(tc, test_many_objects_grow_the_table);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(handle_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
