/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_nstgid.c - libFuzzer target: pidns_parse_nstgid() on any /proc/<pid>/status text. */
#include <limits.h>

#include "fuzz.h"
#include "pidns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pid_t tgid = -7;
	char *text = fuzz_text(data, size);
	int rc;

	if (!text)
		return 0;
	rc = pidns_parse_nstgid(text, &tgid);
	FUZZ_CHECK(rc == 0 || rc == -EBADMSG);
	/* A pid as a namespace numbers it: 1 to INT_MAX, never 0 or negative. */
	FUZZ_CHECK(rc == 0 ? tgid >= 1 : tgid == -7);
	free(text);
	return 0;
}
