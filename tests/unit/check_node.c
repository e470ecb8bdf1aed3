/* SPDX-License-Identifier: GPL-2.0-or-later */
/* check_node.c - inode numbers of entries that come and go: by key and path, counted. */
#include <check.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>

#include "node.h"

#define FIRST_INO (UINT64_C(1) << 32)

static const struct node_key shared_ns1 = { 0, NODE_MIRRORED, { 4, 4026531840u } };
static const struct node_key shared_ns2 = { 0, NODE_MIRRORED, { 4, 4026532001u } };
static const struct node_key process_ns1 = { 0, NODE_PROCESS, { 4, 4026531840u } };
static const struct node_key container_ns1 = { 7, NODE_MIRRORED, { 4, 4026531840u } };

START_TEST(test_same_entry_gets_same_inode)
{
	struct node_table *nodes = node_table_new(FIRST_INO);
	uint64_t a, b;

	ck_assert_int_eq(node_table_ref(nodes, &shared_ns1, "net/tcp", &a), 0);
	ck_assert_int_eq(node_table_ref(nodes, &shared_ns1, "net/tcp", &b), 0);
	ck_assert_uint_eq(a, FIRST_INO);
	ck_assert_uint_eq(b, FIRST_INO);
	ck_assert_uint_eq(node_table_count(nodes), 1);
	node_table_free(nodes);
}
END_TEST

START_TEST(test_other_namespace_or_scope_gets_other_inode)
{
	struct node_table *nodes = node_table_new(FIRST_INO);
	uint64_t a, b, c;

	ck_assert_int_eq(node_table_ref(nodes, &shared_ns1, "net/tcp", &a), 0);
	ck_assert_int_eq(node_table_ref(nodes, &shared_ns2, "net/tcp", &b), 0);
	ck_assert_int_eq(node_table_ref(nodes, &container_ns1, "net/tcp", &c), 0);
	ck_assert_uint_eq(a, FIRST_INO);
	ck_assert_uint_eq(b, FIRST_INO + 1);
	ck_assert_uint_eq(c, FIRST_INO + 2);
	node_table_free(nodes);
}
END_TEST

START_TEST(test_other_kind_gets_other_inode)
{
	struct node_table *nodes = node_table_new(FIRST_INO);
	uint64_t a, b;

	ck_assert_int_eq(node_table_ref(nodes, &shared_ns1, "1:100", &a), 0);
	ck_assert_int_eq(node_table_ref(nodes, &process_ns1, "1:100", &b), 0);
	ck_assert_uint_ne(a, b);
	node_table_free(nodes);
}
END_TEST

START_TEST(test_get_returns_key_and_path)
{
	struct node_table *nodes = node_table_new(FIRST_INO);
	struct node_key key;
	char path[PATH_MAX];
	uint64_t ino;

	ck_assert_int_eq(node_table_ref(nodes, &container_ns1, "net/stat/arp_cache", &ino), 0);
	ck_assert_int_eq(node_table_get(nodes, ino, &key, path, sizeof(path)), 0);
	ck_assert_str_eq(path, "net/stat/arp_cache");
	ck_assert_uint_eq(key.scope, 7);
	ck_assert_uint_eq(key.ns.ino, 4026531840u);
	ck_assert_int_eq(node_table_get(nodes, ino, &key, path, 5), -ENAMETOOLONG);
	node_table_free(nodes);
}
END_TEST

START_TEST(test_forget_of_every_lookup_drops_the_entry)
{
	struct node_table *nodes = node_table_new(FIRST_INO);
	struct node_key key;
	char path[PATH_MAX];
	uint64_t ino;

	ck_assert_int_eq(node_table_ref(nodes, &shared_ns1, "net/dev", &ino), 0);
	ck_assert_int_eq(node_table_ref(nodes, &shared_ns1, "net/dev", &ino), 0);
	node_table_forget(nodes, ino, 1);
	ck_assert_int_eq(node_table_get(nodes, ino, &key, path, sizeof(path)), 0);
	node_table_forget(nodes, ino, 1);
	ck_assert_int_eq(node_table_get(nodes, ino, &key, path, sizeof(path)), -ENOENT);
	ck_assert_uint_eq(node_table_count(nodes), 0);
	node_table_free(nodes);
}
END_TEST

START_TEST(test_forgotten_number_is_never_reused)
{
	struct node_table *nodes = node_table_new(FIRST_INO);
	uint64_t first, again;

	ck_assert_int_eq(node_table_ref(nodes, &shared_ns1, "net/dev", &first), 0);
	node_table_forget(nodes, first, 1);
	ck_assert_int_eq(node_table_ref(nodes, &shared_ns1, "net/dev", &again), 0);
	ck_assert_uint_eq(again, first + 1);
	node_table_free(nodes);
}
END_TEST

START_TEST(test_owns_only_its_range)
{
	struct node_table *nodes = node_table_new(FIRST_INO);

	ck_assert(node_table_owns(nodes, FIRST_INO));
	ck_assert(!node_table_owns(nodes, FIRST_INO - 1));
	node_table_free(nodes);
}
END_TEST

START_TEST(test_restored_entries_keep_their_numbers)
{
	/* A daemon taking the connection over: the kernel's numbers stay valid. */
	struct node_table *nodes = node_table_new(FIRST_INO);
	struct node_key key;
	char path[64];
	uint64_t ino;

	ck_assert_int_eq(node_table_restore(nodes, FIRST_INO + 41, &shared_ns1, "net/dev", 3), 0);
	ck_assert_int_eq(node_table_get(nodes, FIRST_INO + 41, &key, path, sizeof(path)), 0);
	ck_assert_str_eq(path, "net/dev");
	/* A lookup finds the restored number; a new entry is numbered past it. */
	ck_assert_int_eq(node_table_ref(nodes, &shared_ns1, "net/dev", &ino), 0);
	ck_assert_uint_eq(ino, FIRST_INO + 41);
	ck_assert_int_eq(node_table_ref(nodes, &shared_ns1, "net/tcp", &ino), 0);
	ck_assert_uint_eq(ino, FIRST_INO + 42);
	/* Restored with 3 lookups, one more since: 4 forgets drop it. */
	node_table_forget(nodes, FIRST_INO + 41, 3);
	ck_assert_int_eq(node_table_get(nodes, FIRST_INO + 41, &key, path, sizeof(path)), 0);
	node_table_forget(nodes, FIRST_INO + 41, 1);
	ck_assert_int_eq(node_table_get(nodes, FIRST_INO + 41, &key, path, sizeof(path)), -ENOENT);
	node_table_free(nodes);
}
END_TEST

START_TEST(test_restore_keeps_the_later_number_of_an_entry)
{
	/* A journal lists an entry forgotten and numbered again: the later number wins. */
	struct node_table *nodes = node_table_new(FIRST_INO);
	struct node_key key;
	char path[64];
	uint64_t ino;

	ck_assert_int_eq(node_table_restore(nodes, FIRST_INO + 5, &shared_ns1, "net/dev", 1), 0);
	ck_assert_int_eq(node_table_restore(nodes, FIRST_INO + 9, &shared_ns1, "net/dev", 1), 0);
	ck_assert_int_eq(node_table_get(nodes, FIRST_INO + 5, &key, path, sizeof(path)), -ENOENT);
	ck_assert_int_eq(node_table_ref(nodes, &shared_ns1, "net/dev", &ino), 0);
	ck_assert_uint_eq(ino, FIRST_INO + 9);
	ck_assert_uint_eq(node_table_count(nodes), 1);
	/* A number taken, or outside the table, is refused. */
	ck_assert_int_eq(node_table_restore(nodes, FIRST_INO + 9, &shared_ns2, "net/tcp", 1), -EEXIST);
	ck_assert_int_eq(node_table_restore(nodes, FIRST_INO - 1, &shared_ns2, "net/tcp", 1), -EINVAL);
	node_table_free(nodes);
}
END_TEST

static unsigned journaled;
static uint64_t journaled_ino;

static void count_journal(void *arg, uint64_t ino, const struct node_key *key, const char *path)
{
	journaled++;
	journaled_ino = ino;
	ck_assert_str_eq(path, (const char *)arg);
}

START_TEST(test_journal_is_told_of_new_entries_only)
{
	static char expected[] = "net/dev";
	struct node_table *nodes = node_table_new(FIRST_INO);
	uint64_t ino;

	journaled = 0;
	node_table_set_journal(nodes, count_journal, expected);
	ck_assert_int_eq(node_table_ref(nodes, &shared_ns1, "net/dev", &ino), 0);
	ck_assert_int_eq(node_table_ref(nodes, &shared_ns1, "net/dev", &ino), 0);
	ck_assert_uint_eq(journaled, 1);
	ck_assert_uint_eq(journaled_ino, ino);
	/* Restoring is not giving a number: nothing to journal. */
	ck_assert_int_eq(node_table_restore(nodes, FIRST_INO + 100, &shared_ns2, "net/dev", 1), 0);
	ck_assert_uint_eq(journaled, 1);
	node_table_free(nodes);
}
END_TEST

static Suite *node_suite(void)
{
	Suite *s = suite_create("node");
	TCase *tc = tcase_create("nodes");

	tcase_add_test(tc, test_same_entry_gets_same_inode);
	tcase_add_test(tc, test_other_namespace_or_scope_gets_other_inode);
	tcase_add_test(tc, test_other_kind_gets_other_inode);
	tcase_add_test(tc, test_get_returns_key_and_path);
	tcase_add_test(tc, test_forget_of_every_lookup_drops_the_entry);
	tcase_add_test(tc, test_forgotten_number_is_never_reused);
	tcase_add_test(tc, test_owns_only_its_range);
	tcase_add_test(tc, test_restored_entries_keep_their_numbers);
	tcase_add_test(tc, test_restore_keeps_the_later_number_of_an_entry);
	tcase_add_test(tc, test_journal_is_told_of_new_entries_only);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(node_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
