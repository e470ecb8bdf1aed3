/* SPDX-License-Identifier: GPL-2.0-or-later */
/* check_budget.c - how many open files each user and pid namespace may hold. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>

#include "budget.h"

#define HOST_PID_NS 4026531836u

static struct budget *budget_of(unsigned per_user, unsigned per_pid_ns, unsigned total)
{
	struct budget_limits limits = { per_user, per_pid_ns, total, HOST_PID_NS };
	struct budget *budget = budget_new(&limits);

	ck_assert_ptr_nonnull(budget);
	return budget;
}

START_TEST(test_user_gets_emfile_past_its_share)
{
	struct budget *budget = budget_of(3, 100, 100);

	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(budget_take(budget, 65534, (uint64_t)i), 0);
	ck_assert_int_eq(budget_take(budget, 65534, 99), -EMFILE);
	budget_free(budget);
}
END_TEST

START_TEST(test_other_user_is_served_while_one_is_full)
{
	struct budget *budget = budget_of(2, 100, 100);

	ck_assert_int_eq(budget_take(budget, 1000, 1), 0);
	ck_assert_int_eq(budget_take(budget, 1000, 1), 0);
	ck_assert_int_eq(budget_take(budget, 1000, 1), -EMFILE);
	ck_assert_int_eq(budget_take(budget, 1001, 1), 0);
	budget_free(budget);
}
END_TEST

START_TEST(test_pid_namespace_share_bounds_root_too)
{
	struct budget *budget = budget_of(100, 2, 100);

	ck_assert_int_eq(budget_take(budget, 0, 7), 0);
	ck_assert_int_eq(budget_take(budget, 0, 7), 0);
	ck_assert_int_eq(budget_take(budget, 0, 7), -EMFILE);
	/* The host's namespace is another namespace. */
	ck_assert_int_eq(budget_take(budget, 0, 8), 0);
	budget_free(budget);
}
END_TEST

START_TEST(test_one_user_cannot_fill_the_host_namespace)
{
	/* uid 65534 holds its share in the host's pid namespace: root and others still open. */
	struct budget *budget = budget_of(2, 2, 100);

	ck_assert_int_eq(budget_take(budget, 65534, HOST_PID_NS), 0);
	ck_assert_int_eq(budget_take(budget, 65534, HOST_PID_NS), 0);
	ck_assert_int_eq(budget_take(budget, 65534, HOST_PID_NS), -EMFILE);
	ck_assert_int_eq(budget_take(budget, 0, HOST_PID_NS), 0);
	ck_assert_int_eq(budget_take(budget, 0, HOST_PID_NS), 0);
	ck_assert_int_eq(budget_take(budget, 0, HOST_PID_NS), 0);
	ck_assert_int_eq(budget_take(budget, 65533, HOST_PID_NS), 0);
	budget_give(budget, 0, HOST_PID_NS);
	budget_free(budget);
}
END_TEST

START_TEST(test_root_has_no_per_user_share)
{
	struct budget *budget = budget_of(1, 100, 100);

	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(budget_take(budget, 0, (uint64_t)i), 0);
	budget_free(budget);
}
END_TEST

START_TEST(test_total_gives_enfile)
{
	struct budget *budget = budget_of(100, 100, 2);

	ck_assert_int_eq(budget_take(budget, 1, 1), 0);
	ck_assert_int_eq(budget_take(budget, 2, 2), 0);
	ck_assert_int_eq(budget_take(budget, 3, 3), -ENFILE);
	budget_free(budget);
}
END_TEST

START_TEST(test_giving_back_makes_room_again)
{
	struct budget *budget = budget_of(1, 1, 100);

	ck_assert_int_eq(budget_take(budget, 5, 5), 0);
	ck_assert_int_eq(budget_take(budget, 5, 5), -EMFILE);
	budget_give(budget, 5, 5);
	ck_assert_int_eq(budget_take(budget, 5, 5), 0);
	budget_free(budget);
}
END_TEST

START_TEST(test_refusal_takes_nothing)
{
	/* A refused take must not count: the user's one file still fits after. */
	struct budget *budget = budget_of(1, 1, 100);

	ck_assert_int_eq(budget_take(budget, 5, 5), 0);
	ck_assert_int_eq(budget_take(budget, 6, 5), -EMFILE);
	budget_give(budget, 5, 5);
	ck_assert_int_eq(budget_take(budget, 6, 5), 0);
	budget_free(budget);
}
END_TEST

START_TEST(test_default_limits_follow_descriptor_limit)
{
	struct budget_limits limits;

	budget_default_limits(20000, &limits);
	ck_assert_uint_eq(limits.total, 5000);
	ck_assert_uint_eq(limits.per_user, 1024);
	ck_assert_uint_eq(limits.per_pid_ns, 1024);
	/* One tenant never holds more than a quarter of the total. */
	budget_default_limits(4096, &limits);
	ck_assert_uint_eq(limits.total, 1024);
	ck_assert_uint_eq(limits.per_user, 256);
	ck_assert_uint_eq(limits.per_pid_ns, 256);
	budget_default_limits(UINT64_C(1) << 40, &limits);
	ck_assert_uint_eq(limits.total, 65536);
}
END_TEST

static Suite *budget_suite(void)
{
	Suite *s = suite_create("budget");
	TCase *tc = tcase_create("take");

	tcase_add_test(tc, test_user_gets_emfile_past_its_share);
	tcase_add_test(tc, test_other_user_is_served_while_one_is_full);
	tcase_add_test(tc, test_pid_namespace_share_bounds_root_too);
	tcase_add_test(tc, test_one_user_cannot_fill_the_host_namespace);
	tcase_add_test(tc, test_root_has_no_per_user_share);
	tcase_add_test(tc, test_total_gives_enfile);
	tcase_add_test(tc, test_giving_back_makes_room_again);
	tcase_add_test(tc, test_refusal_takes_nothing);
	tcase_add_test(tc, test_default_limits_follow_descriptor_limit);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(budget_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
