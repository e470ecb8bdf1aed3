/* SPDX-License-Identifier: GPL-2.0-or-later */
/* check_handle.c - open files' numbers: slot, generation and epoch, never a pointer. */
#include <check.h>
#include <stdlib.h>

#include "handle.h"

static int object_a, object_b;

START_TEST(test_added_object_is_found_by_its_number)
{
	struct handle_table *table = handle_table_new(7);
	uint64_t fh;

	ck_assert_int_eq(handle_table_add(table, &object_a, &fh), 0);
	ck_assert_ptr_eq(handle_table_get(table, fh), &object_a);
	handle_table_free(table);
}
END_TEST

START_TEST(test_zero_and_unknown_numbers_find_nothing)
{
	struct handle_table *table = handle_table_new(7);
	uint64_t fh;

	ck_assert_int_eq(handle_table_add(table, &object_a, &fh), 0);
	ck_assert_ptr_null(handle_table_get(table, 0));
	ck_assert_ptr_null(handle_table_get(table, fh + 1));
	ck_assert_ptr_null(handle_table_get(table, UINT64_C(0x0007ffff00000005)));
	handle_table_free(table);
}
END_TEST

START_TEST(test_removed_number_finds_nothing)
{
	struct handle_table *table = handle_table_new(7);
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
	struct handle_table *table = handle_table_new(7);
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
	struct handle_table *table = handle_table_new(7);
	static int objects[1000];
	uint64_t fh[1000];

	for (int i = 0; i < 1000; i++)
		ck_assert_int_eq(handle_table_add(table, &objects[i], &fh[i]), 0);
	for (int i = 0; i < 1000; i++)
		ck_assert_ptr_eq(handle_table_get(table, fh[i]), &objects[i]);
	handle_table_free(table);
}
END_TEST

START_TEST(test_numbers_carry_the_epoch)
{
	struct handle_table *table = handle_table_new(7);
	uint64_t fh;

	ck_assert_int_eq(handle_table_add(table, &object_a, &fh), 0);
	ck_assert_uint_eq(fh >> 48, 7);
	ck_assert(!handle_table_foreign(table, fh));
	ck_assert(!handle_table_foreign(table, 0));
	handle_table_free(table);
}
END_TEST

START_TEST(test_an_earlier_epochs_number_is_adopted)
{
	/* A daemon re-executed on a live connection: the kernel still holds the old numbers. */
	struct handle_table *before = handle_table_new(7), *after = handle_table_new(8);
	uint64_t old_fh, new_fh;

	ck_assert_int_eq(handle_table_add(before, &object_a, &old_fh), 0);
	ck_assert_int_eq(handle_table_add(after, &object_b, &new_fh), 0);
	/* Same slot and generation, another epoch: never the new table's object. */
	ck_assert_uint_eq((uint32_t)old_fh, (uint32_t)new_fh);
	ck_assert(handle_table_foreign(after, old_fh));
	ck_assert_ptr_null(handle_table_get(after, old_fh));
	ck_assert_ptr_eq(handle_table_adopt(after, old_fh, &object_a), &object_a);
	ck_assert_ptr_eq(handle_table_get(after, old_fh), &object_a);
	ck_assert_ptr_eq(handle_table_get(after, new_fh), &object_b);
	ck_assert_uint_eq(handle_table_count(after), 2);
	handle_table_remove(after, old_fh);
	ck_assert_ptr_null(handle_table_get(after, old_fh));
	ck_assert_ptr_eq(handle_table_get(after, new_fh), &object_b);
	ck_assert_uint_eq(handle_table_count(after), 1);
	handle_table_free(before);
	handle_table_free(after);
}
END_TEST

START_TEST(test_second_adoption_gets_the_first_object)
{
	/* Two reads of one old number racing: both must use one object. */
	struct handle_table *table = handle_table_new(8);
	uint64_t old_fh = UINT64_C(7) << 48 | UINT64_C(1) << 32 | 3;

	ck_assert_ptr_eq(handle_table_adopt(table, old_fh, &object_a), &object_a);
	ck_assert_ptr_eq(handle_table_adopt(table, old_fh, &object_b), &object_a);
	ck_assert_uint_eq(handle_table_count(table), 1);
	handle_table_free(table);
}
END_TEST

START_TEST(test_own_numbers_are_never_adopted)
{
	struct handle_table *table = handle_table_new(8);
	uint64_t own = UINT64_C(8) << 48 | UINT64_C(1) << 32 | 3;

	ck_assert_ptr_null(handle_table_adopt(table, own, &object_a));
	ck_assert_ptr_null(handle_table_get(table, own));
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
	tcase_add_test(tc, test_numbers_carry_the_epoch);
	tcase_add_test(tc, test_an_earlier_epochs_number_is_adopted);
	tcase_add_test(tc, test_second_adoption_gets_the_first_object);
	tcase_add_test(tc, test_own_numbers_are_never_adopted);
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
