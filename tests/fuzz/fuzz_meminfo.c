/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_meminfo.c - libFuzzer target: meminfo_parse() and meminfo_render() on any /proc/meminfo text. */
#include "buf.h"
#include "fuzz.h"
#include "meminfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct meminfo_values host, changes, again;
	struct buf out = BUF_INIT;
	char *text = fuzz_text(data, size);

	if (!text)
		return 0;
	if (meminfo_parse(text, &host) < 0)
		goto out_free_text;
	FUZZ_CHECK(host.set[MI_MEMTOTAL]);

	/* No change (an unlimited reader): the host's bytes come back as they are. */
	memset(&changes, 0, sizeof(changes));
	FUZZ_CHECK(meminfo_render(text, &changes, &out) == 0);
	FUZZ_CHECK(out.len == strlen(text) && memcmp(out.data, text, out.len) == 0);

	/*
	 * Every known field changed: the rendered text parses again, to the
	 * new values. The values come from the input, so they vary in width.
	 */
	for (size_t f = 0; f < MI_FIELD_COUNT; f++) {
		changes.set[f] = host.set[f];
		changes.kb[f] = host.kb[f] * 1021 + f;
	}
	FUZZ_CHECK(meminfo_render(text, &changes, &out) == 0);
	FUZZ_CHECK(meminfo_parse(out.data, &again) == 0);
	for (size_t f = 0; f < MI_FIELD_COUNT; f++) {
		FUZZ_CHECK(again.set[f] == host.set[f]);
		FUZZ_CHECK(!again.set[f] || again.kb[f] == changes.kb[f]);
	}
out_free_text:
	buf_free(&out);
	free(text);
	return 0;
}
