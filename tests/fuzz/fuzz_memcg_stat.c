/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_memcg_stat.c - libFuzzer target: memcg_parse_stat() on any memory.stat text, as v1 and as v2. */
#include "fuzz.h"
#include "memcg.h"

/* The number of lines strutil_parse_keys() counts in text. */
static unsigned line_count(const char *text)
{
	unsigned lines = 0;

	for (const char *p = text; *p; p++)
		if (*p == '\n' || p[1] == '\0')
			lines++;
	return lines;
}

static void parse_as(const char *text, enum cgroup_version version)
{
	struct memcg_usage usage;
	unsigned bad_line = 0;
	int rc = memcg_parse_stat(text, version, &usage, &bad_line);

	FUZZ_CHECK(rc == 0 || rc == -EBADMSG);
	/* A bad value names its line; 0 means a required counter is missing. */
	if (rc < 0)
		FUZZ_CHECK(bad_line <= line_count(text));
	for (size_t i = 0; i < MEMCG_STAT_COUNT; i++)
		FUZZ_CHECK(usage.stat_found[i] || usage.stat[i] == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);

	if (!text)
		return 0;
	parse_as(text, CGROUP_V1);
	parse_as(text, CGROUP_V2);
	free(text);
	return 0;
}
