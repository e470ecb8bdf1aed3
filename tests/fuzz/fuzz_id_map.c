/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_id_map.c - libFuzzer target: access_parse_id_map() on any uid_map or gid_map text. */
#include "access.h"
#include "fuzz.h"

static void parse_into(const char *text, size_t max)
{
	struct access_range ranges[ACCESS_MAX_RANGES];
	/* Ranges past max must stay untouched: a sentinel shows any write. */
	struct access_range sentinel = { 0xdeadbeef, 0xfeedface };
	int rc;

	for (size_t i = 0; i < ACCESS_MAX_RANGES; i++)
		ranges[i] = sentinel;
	rc = access_parse_id_map(text, ranges, max);
	FUZZ_CHECK(rc == -EBADMSG || (rc >= 0 && (size_t)rc <= max));
	for (size_t i = max; i < ACCESS_MAX_RANGES; i++)
		FUZZ_CHECK(ranges[i].first == sentinel.first && ranges[i].count == sentinel.count);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);

	if (!text)
		return 0;
	parse_into(text, ACCESS_MAX_RANGES);
	parse_into(text, 2);
	free(text);
	return 0;
}
