/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_parse_keys.c - libFuzzer target: strutil_parse_keys() in both its uses, "key value" and "Key: value kB". */
#include <stdbool.h>

#include "fuzz.h"
#include "strutil.h"

/* Whether a line of text starts with name and then sep. */
static bool key_present(const char *text, const char *name, char sep)
{
	size_t name_len = strlen(name);

	for (const char *line = text; line;) {
		if (strncmp(line, name, name_len) == 0 && line[name_len] == sep)
			return true;
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return false;
}

static void parse_with(const char *text, char sep, bool kb_unit)
{
	/* Keys that share prefixes, and an empty-looking one, to catch a match on a prefix. */
	struct strutil_key keys[] = {
		{ .name = "anon" }, { .name = "anon_thp" }, { .name = "file" },
		{ .name = "MemTotal" }, { .name = "Mem" }, { .name = "total_rss" },
		{ .name = "a" },
	};
	size_t nkeys = sizeof(keys) / sizeof(keys[0]);
	unsigned bad_line = 0;
	int rc = strutil_parse_keys(text, sep, kb_unit, keys, nkeys, &bad_line);

	FUZZ_CHECK(rc == 0 || rc == -EBADMSG);
	if (rc < 0)
		FUZZ_CHECK(bad_line >= 1);
	/* A key found is one whose name starts a line, followed by the separator. */
	for (size_t i = 0; rc == 0 && i < nkeys; i++)
		FUZZ_CHECK(keys[i].found == key_present(text, keys[i].name, sep));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);

	if (!text)
		return 0;
	parse_with(text, ' ', false);
	parse_with(text, ':', true);
	free(text);
	return 0;
}
