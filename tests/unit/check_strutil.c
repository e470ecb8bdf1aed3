/* SPDX-License-Identifier: GPL-2.0-or-later */
/* check_strutil.c - strict number parsing, whole-file reading and key lookup. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "buf.h"
#include "strutil.h"

/* Parse a NUL-terminated string with strutil_parse_u64. */
static int parse(const char *s, uint64_t *out)
{
	return strutil_parse_u64(s, strlen(s), out);
}

START_TEST(test_parse_u64_accepts_zero)
{
	uint64_t v = 99;

	ck_assert_int_eq(parse("0", &v), 0);
	ck_assert_uint_eq(v, 0);
}
END_TEST

START_TEST(test_parse_u64_accepts_uint64_max)
{
	uint64_t v = 0;

	ck_assert_int_eq(parse("18446744073709551615", &v), 0);
	ck_assert_uint_eq(v, UINT64_C(18446744073709551615));
}
END_TEST

START_TEST(test_parse_u64_accepts_surrounding_blanks)
{
	uint64_t v = 0;

	ck_assert_int_eq(parse(" \t 268435456 \t", &v), 0);
	ck_assert_uint_eq(v, 268435456);
}
END_TEST

START_TEST(test_parse_u64_accepts_trailing_newline)
{
	uint64_t v = 0;

	ck_assert_int_eq(parse("104857600\n", &v), 0);
	ck_assert_uint_eq(v, 104857600);
}
END_TEST

START_TEST(test_parse_u64_stops_at_len)
{
	uint64_t v = 0;

	/* Only "123" is the field: the "456" after len is not read. */
	ck_assert_int_eq(strutil_parse_u64("123456", 3, &v), 0);
	ck_assert_uint_eq(v, 123);
}
END_TEST

START_TEST(test_parse_u64_rejects_empty)
{
	uint64_t v = 7;

	ck_assert_int_eq(parse("", &v), -EINVAL);
	ck_assert_uint_eq(v, 7);
}
END_TEST

START_TEST(test_parse_u64_rejects_blanks_only)
{
	uint64_t v = 7;

	ck_assert_int_eq(parse("  \n", &v), -EINVAL);
	ck_assert_uint_eq(v, 7);
}
END_TEST

START_TEST(test_parse_u64_rejects_minus_sign)
{
	uint64_t v = 7;

	ck_assert_int_eq(parse("-1", &v), -EINVAL);
	ck_assert_uint_eq(v, 7);
}
END_TEST

START_TEST(test_parse_u64_rejects_plus_sign)
{
	uint64_t v = 7;

	ck_assert_int_eq(parse("+1", &v), -EINVAL);
}
END_TEST

START_TEST(test_parse_u64_rejects_trailing_junk)
{
	uint64_t v = 7;

	ck_assert_int_eq(parse("12a", &v), -EINVAL);
	ck_assert_uint_eq(v, 7);
}
END_TEST

START_TEST(test_parse_u64_rejects_inner_blank)
{
	uint64_t v = 7;

	ck_assert_int_eq(parse("1 2", &v), -EINVAL);
}
END_TEST

START_TEST(test_parse_u64_rejects_hex)
{
	uint64_t v = 7;

	ck_assert_int_eq(parse("0x10", &v), -EINVAL);
}
END_TEST

START_TEST(test_parse_u64_rejects_overflow_with_erange)
{
	uint64_t v = 7;

	ck_assert_int_eq(parse("18446744073709551616", &v), -ERANGE);
	ck_assert_uint_eq(v, 7);
}
END_TEST

START_TEST(test_parse_u64_rejects_long_overflow_with_erange)
{
	uint64_t v = 7;

	ck_assert_int_eq(parse("99999999999999999999999", &v), -ERANGE);
}
END_TEST

START_TEST(test_read_file_reads_fixture)
{
	char buf[64];

	/* memory.max of web.service holds "268435456\n": 10 bytes. */
	ck_assert_int_eq(strutil_read_file(AT_FDCWD,
		FIXTURES_DIR "/v2/cgroup/system.slice/web.service/memory.max",
		buf, sizeof(buf)), 10);
	ck_assert_str_eq(buf, "268435456\n");
}
END_TEST

START_TEST(test_read_file_relative_to_dirfd)
{
	char buf[64];
	int dirfd = open(FIXTURES_DIR "/v2/cgroup", O_PATH | O_DIRECTORY | O_CLOEXEC);

	ck_assert_int_ge(dirfd, 0);
	ck_assert_int_eq(strutil_read_file(dirfd, "kubepods.slice/memory.max",
					   buf, sizeof(buf)), 10);
	ck_assert_str_eq(buf, "536870912\n");
	close(dirfd);
}
END_TEST

START_TEST(test_read_file_exact_fit_succeeds)
{
	char buf[11];

	/* 10 bytes and the NUL fill an 11-byte buffer exactly. */
	ck_assert_int_eq(strutil_read_file(AT_FDCWD,
		FIXTURES_DIR "/v2/cgroup/system.slice/web.service/memory.max",
		buf, sizeof(buf)), 10);
	ck_assert_str_eq(buf, "268435456\n");
}
END_TEST

START_TEST(test_read_file_too_big_is_efbig)
{
	char buf[10];

	ck_assert_int_eq(strutil_read_file(AT_FDCWD,
		FIXTURES_DIR "/v2/cgroup/system.slice/web.service/memory.max",
		buf, sizeof(buf)), -EFBIG);
}
END_TEST

START_TEST(test_read_file_missing_is_enoent)
{
	char buf[64];

	ck_assert_int_eq(strutil_read_file(AT_FDCWD, FIXTURES_DIR "/v2/no-such-file",
					   buf, sizeof(buf)), -ENOENT);
}
END_TEST

START_TEST(test_read_file_empty_gives_empty_string)
{
	char buf[64];

	buf[0] = 'x';
	ck_assert_int_eq(strutil_read_file(AT_FDCWD, FIXTURES_DIR "/bad/meminfo/empty",
					   buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "");
}
END_TEST

/* 1000 lines "line 0001\n" to "line 1000\n": 10,000 bytes, more than a page. */
#define LINES_FIXTURE FIXTURES_DIR "/text/1000-lines"

START_TEST(test_pread_file_reads_more_than_a_page)
{
	static char buf[16384];
	int fd = open(LINES_FIXTURE, O_RDONLY | O_CLOEXEC);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(strutil_pread_file(fd, buf, sizeof(buf)), 10000);
	ck_assert_int_eq(strncmp(buf, "line 0001\n", 10), 0);
	ck_assert_str_eq(buf + 9990, "line 1000\n");
	close(fd);
}
END_TEST

/* Make /proc/self/maps several pages long: 600 mappings that cannot merge. */
static void *map_many(size_t pages)
{
	char *area = mmap(NULL, pages * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ck_assert_ptr_ne(area, MAP_FAILED);
	for (size_t i = 0; i < pages; i += 2)
		ck_assert_int_eq(mprotect(area + i * 4096, 4096, PROT_READ), 0);
	return area;
}

/* The reference: read(2) until it returns 0. */
static size_t read_to_eof(const char *path, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	ck_assert_int_ge(fd, 0);
	while ((n = read(fd, buf + len, size - 1 - len)) > 0)
		len += (size_t)n;
	ck_assert_int_eq(n, 0);
	buf[len] = '\0';
	close(fd);
	return len;
}

START_TEST(test_pread_file_reads_seq_file_past_short_reads)
{
	/* Static: no allocation may add a mapping between the two reads. */
	static char expected[1 << 20], got[1 << 20];
	void *area = map_many(600);
	size_t len;
	int fd;

	len = read_to_eof("/proc/self/maps", expected, sizeof(expected));
	fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	/* seq_file returns about a page per call: one pread is not the file. */
	ck_assert_int_lt(pread(fd, got, sizeof(got), 0), (ssize_t)len);
	ck_assert_int_eq(strutil_pread_file(fd, got, sizeof(got)), (ssize_t)len);
	ck_assert_str_eq(got, expected);
	close(fd);
	munmap(area, 600 * 4096);
}
END_TEST

START_TEST(test_pread_file_too_big_for_buffer_is_efbig)
{
	static char buf[10000];
	int fd = open(LINES_FIXTURE, O_RDONLY | O_CLOEXEC);

	/* 9,999 bytes and the NUL fit; the 10,000th byte does not. */
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(strutil_pread_file(fd, buf, sizeof(buf)), -EFBIG);
	close(fd);
}
END_TEST

START_TEST(test_pread_buf_reads_more_than_a_page)
{
	struct buf b = BUF_INIT;
	int fd = open(LINES_FIXTURE, O_RDONLY | O_CLOEXEC);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(strutil_pread_buf(fd, &b), 10000);
	ck_assert_uint_eq(b.len, 10000);
	ck_assert_str_eq(b.data + 9990, "line 1000\n");
	close(fd);
	buf_free(&b);
}
END_TEST

START_TEST(test_pread_buf_replaces_previous_content)
{
	struct buf b = BUF_INIT;
	int fd = open(FIXTURES_DIR "/v2/cgroup/system.slice/web.service/memory.max",
		      O_RDONLY | O_CLOEXEC);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(buf_append(&b, "old content", 11), 0);
	ck_assert_int_eq(strutil_pread_buf(fd, &b), 10);
	ck_assert_str_eq(b.data, "268435456\n");
	close(fd);
	buf_free(&b);
}
END_TEST

START_TEST(test_pread_buf_empty_file_gives_empty_string)
{
	struct buf b = BUF_INIT;
	int fd = open(FIXTURES_DIR "/bad/meminfo/empty", O_RDONLY | O_CLOEXEC);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(strutil_pread_buf(fd, &b), 0);
	ck_assert_str_eq(b.data, "");
	close(fd);
	buf_free(&b);
}
END_TEST

START_TEST(test_pread_buf_reads_seq_file_past_short_reads)
{
	static char expected[1 << 20];
	struct buf b = BUF_INIT;
	void *area = map_many(600);
	size_t len;
	int fd;

	/* Grown to the size first, so that no allocation maps memory in between. */
	ck_assert_int_eq(buf_reserve(&b, sizeof(expected)), 0);
	len = read_to_eof("/proc/self/maps", expected, sizeof(expected));
	fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(strutil_pread_buf(fd, &b), (ssize_t)len);
	ck_assert_str_eq(b.data, expected);
	close(fd);
	munmap(area, 600 * 4096);
	buf_free(&b);
}
END_TEST

START_TEST(test_pread_buf_bad_fd_is_ebadf)
{
	struct buf b = BUF_INIT;

	ck_assert_int_eq(strutil_pread_buf(-1, &b), -EBADF);
	buf_free(&b);
}
END_TEST

static const char stat_text[] =
	"anon 41943040\n"
	"file 52428800\n"
	"kernel 9969664\n"
	"shmem 4194304\n";

START_TEST(test_parse_keys_finds_keys)
{
	struct strutil_key keys[] = { { "file", 0, false }, { "anon", 0, false } };
	unsigned bad_line = 0;

	ck_assert_int_eq(strutil_parse_keys(stat_text, ' ', false, keys, 2, &bad_line), 0);
	ck_assert(keys[0].found);
	ck_assert_uint_eq(keys[0].value, 52428800);
	ck_assert(keys[1].found);
	ck_assert_uint_eq(keys[1].value, 41943040);
}
END_TEST

START_TEST(test_parse_keys_missing_key_not_found)
{
	struct strutil_key keys[] = { { "zswap", 5, true } };

	ck_assert_int_eq(strutil_parse_keys(stat_text, ' ', false, keys, 1, NULL), 0);
	ck_assert(!keys[0].found);
	ck_assert_uint_eq(strutil_key_or(keys, 0, 123), 123);
}
END_TEST

START_TEST(test_parse_keys_skips_unknown_keys_with_garbage)
{
	struct strutil_key keys[] = { { "shmem", 0, false } };
	const char *text = "future_counter lots\nshmem 4096\n";

	ck_assert_int_eq(strutil_parse_keys(text, ' ', false, keys, 1, NULL), 0);
	ck_assert(keys[0].found);
	ck_assert_uint_eq(keys[0].value, 4096);
}
END_TEST

START_TEST(test_parse_keys_does_not_match_key_prefix)
{
	/* "file" must not match "file_mapped" nor "file_dirty". */
	struct strutil_key keys[] = { { "file", 0, false } };
	const char *text = "file_mapped 16777216\nfile_dirty 409600\n";

	ck_assert_int_eq(strutil_parse_keys(text, ' ', false, keys, 1, NULL), 0);
	ck_assert(!keys[0].found);
}
END_TEST

START_TEST(test_parse_keys_garbage_value_is_ebadmsg_with_line)
{
	struct strutil_key keys[] = { { "anon", 0, false }, { "shmem", 0, false } };
	const char *text = "anon 1\nfile 2\nkernel 3\nshmem 12x\n";
	unsigned bad_line = 0;

	ck_assert_int_eq(strutil_parse_keys(text, ' ', false, keys, 2, &bad_line), -EBADMSG);
	ck_assert_uint_eq(bad_line, 4);
}
END_TEST

START_TEST(test_parse_keys_empty_value_is_ebadmsg)
{
	struct strutil_key keys[] = { { "file", 0, false } };
	unsigned bad_line = 0;

	ck_assert_int_eq(strutil_parse_keys("anon 1\nfile ", ' ', false, keys, 1, &bad_line),
			 -EBADMSG);
	ck_assert_uint_eq(bad_line, 2);
}
END_TEST

START_TEST(test_parse_keys_last_line_without_newline)
{
	struct strutil_key keys[] = { { "file", 0, false } };

	ck_assert_int_eq(strutil_parse_keys("anon 1\nfile 2", ' ', false, keys, 1, NULL), 0);
	ck_assert(keys[0].found);
	ck_assert_uint_eq(keys[0].value, 2);
}
END_TEST

START_TEST(test_parse_keys_kb_unit_accepted)
{
	struct strutil_key keys[] = { { "MemTotal", 0, false }, { "SwapFree", 0, false } };
	const char *text = "MemTotal:       16305604 kB\nSwapTotal:       4194300 kB\n"
			   "SwapFree:        4100860 kB\n";

	ck_assert_int_eq(strutil_parse_keys(text, ':', true, keys, 2, NULL), 0);
	ck_assert_uint_eq(keys[0].value, 16305604);
	ck_assert_uint_eq(keys[1].value, 4100860);
}
END_TEST

START_TEST(test_parse_keys_kb_unit_optional)
{
	struct strutil_key keys[] = { { "HugePages_Total", 0, false } };

	ck_assert_int_eq(strutil_parse_keys("HugePages_Total:       7\n", ':', true,
					    keys, 1, NULL), 0);
	ck_assert_uint_eq(keys[0].value, 7);
}
END_TEST

START_TEST(test_parse_keys_kb_unit_rejected_without_flag)
{
	struct strutil_key keys[] = { { "MemTotal", 0, false } };
	unsigned bad_line = 0;

	ck_assert_int_eq(strutil_parse_keys("MemTotal:       16305604 kB\n", ':', false,
					    keys, 1, &bad_line), -EBADMSG);
	ck_assert_uint_eq(bad_line, 1);
}
END_TEST

static Suite *strutil_suite(void)
{
	Suite *s = suite_create("strutil");
	TCase *tc;

	tc = tcase_create("parse_u64");
	tcase_add_test(tc, test_parse_u64_accepts_zero);
	tcase_add_test(tc, test_parse_u64_accepts_uint64_max);
	tcase_add_test(tc, test_parse_u64_accepts_surrounding_blanks);
	tcase_add_test(tc, test_parse_u64_accepts_trailing_newline);
	tcase_add_test(tc, test_parse_u64_stops_at_len);
	tcase_add_test(tc, test_parse_u64_rejects_empty);
	tcase_add_test(tc, test_parse_u64_rejects_blanks_only);
	tcase_add_test(tc, test_parse_u64_rejects_minus_sign);
	tcase_add_test(tc, test_parse_u64_rejects_plus_sign);
	tcase_add_test(tc, test_parse_u64_rejects_trailing_junk);
	tcase_add_test(tc, test_parse_u64_rejects_inner_blank);
	tcase_add_test(tc, test_parse_u64_rejects_hex);
	tcase_add_test(tc, test_parse_u64_rejects_overflow_with_erange);
	tcase_add_test(tc, test_parse_u64_rejects_long_overflow_with_erange);
	suite_add_tcase(s, tc);

	tc = tcase_create("read_file");
	tcase_add_test(tc, test_read_file_reads_fixture);
	tcase_add_test(tc, test_read_file_relative_to_dirfd);
	tcase_add_test(tc, test_read_file_exact_fit_succeeds);
	tcase_add_test(tc, test_read_file_too_big_is_efbig);
	tcase_add_test(tc, test_read_file_missing_is_enoent);
	tcase_add_test(tc, test_read_file_empty_gives_empty_string);
	suite_add_tcase(s, tc);

	tc = tcase_create("pread");
	tcase_add_test(tc, test_pread_file_reads_more_than_a_page);
	tcase_add_test(tc, test_pread_file_reads_seq_file_past_short_reads);
	tcase_add_test(tc, test_pread_file_too_big_for_buffer_is_efbig);
	tcase_add_test(tc, test_pread_buf_reads_more_than_a_page);
	tcase_add_test(tc, test_pread_buf_replaces_previous_content);
	tcase_add_test(tc, test_pread_buf_empty_file_gives_empty_string);
	tcase_add_test(tc, test_pread_buf_reads_seq_file_past_short_reads);
	tcase_add_test(tc, test_pread_buf_bad_fd_is_ebadf);
	suite_add_tcase(s, tc);

	tc = tcase_create("parse_keys");
	tcase_add_test(tc, test_parse_keys_finds_keys);
	tcase_add_test(tc, test_parse_keys_missing_key_not_found);
	tcase_add_test(tc, test_parse_keys_skips_unknown_keys_with_garbage);
	tcase_add_test(tc, test_parse_keys_does_not_match_key_prefix);
	tcase_add_test(tc, test_parse_keys_garbage_value_is_ebadmsg_with_line);
	tcase_add_test(tc, test_parse_keys_empty_value_is_ebadmsg);
	tcase_add_test(tc, test_parse_keys_last_line_without_newline);
	tcase_add_test(tc, test_parse_keys_kb_unit_accepted);
	tcase_add_test(tc, test_parse_keys_kb_unit_optional);
	tcase_add_test(tc, test_parse_keys_kb_unit_rejected_without_flag);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(strutil_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
