/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_parse_u64.c - libFuzzer target: strutil_parse_u64() against a plain reading of its contract. */
#include <stdbool.h>

#include "fuzz.h"
#include "strutil.h"

/*
 * strutil.h's contract, written out the slow way: blanks before, blanks
 * and newlines after, then digits only, at least one, and no overflow; the
 * first fault met from the left decides between -EINVAL and -ERANGE.
 */
static int reference_parse(const char *s, size_t len, uint64_t *out)
{
	size_t start = 0, end = len;
	unsigned __int128 value = 0;

	while (start < end && (s[start] == ' ' || s[start] == '\t'))
		start++;
	while (end > start && (s[end - 1] == ' ' || s[end - 1] == '\t' || s[end - 1] == '\n'))
		end--;
	if (start == end)
		return -EINVAL;
	for (size_t i = start; i < end; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		value = value * 10 + (unsigned)(s[i] - '0');
		if (value > UINT64_MAX)
			return -ERANGE;
	}
	*out = (uint64_t)value;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Not NUL-terminated: the function takes a length, and must not read past it. */
	char *copy = malloc(size ? size : 1);
	uint64_t value = 12345, expected = 12345;
	int rc, expected_rc;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	rc = strutil_parse_u64(copy, size, &value);
	expected_rc = reference_parse(copy, size, &expected);
	FUZZ_CHECK(rc == expected_rc);
	FUZZ_CHECK(value == expected);
	free(copy);
	return 0;
}
