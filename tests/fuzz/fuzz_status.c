/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_status.c - libFuzzer target: access_parse_status() on any /proc/<pid>/status text. */
#include "access.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct access_creds creds;
	char *text = fuzz_text(data, size);
	int rc;

	if (!text)
		return 0;
	memset(&creds, 0, sizeof(creds));
	rc = access_parse_status(text, &creds);
	FUZZ_CHECK(rc == 0 || rc == -EBADMSG);
	if (rc == 0)
		FUZZ_CHECK(creds.group_count <= ACCESS_MAX_GROUPS);
	free(text);
	return 0;
}
