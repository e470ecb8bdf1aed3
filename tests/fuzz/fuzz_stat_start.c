/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_stat_start.c - libFuzzer target: pidns_parse_stat_start() on any /proc/<pid>/stat text. */
#include "fuzz.h"
#include "pidns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t start = 0;
	char *text = fuzz_text(data, size);
	int rc;

	if (!text)
		return 0;
	rc = pidns_parse_stat_start(text, &start);
	FUZZ_CHECK(rc == 0 || rc == -EBADMSG);
	/* The fields are read after the last ")": there must be one, after a "(". */
	if (rc == 0)
		FUZZ_CHECK(strchr(text, '(') && strrchr(text, ')') > strchr(text, '('));
	free(text);
	return 0;
}
