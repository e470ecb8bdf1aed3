/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_limits.c - libFuzzer target: pid_limits_parse(), apply() and render() on any /proc/<pid>/limits text. */
#include "buf.h"
#include "fuzz.h"
#include "pid_limits.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Ceilings from the input's length, so that both sides of each row's values are met. */
	const struct pid_limits_ceilings ceilings = {
		.processes = size * 7,
		.resident_bytes = (uint64_t)size << 20,
	};
	struct pid_limits limits, again;
	struct buf out = BUF_INIT;
	char *text = fuzz_text(data, size);

	if (!text)
		return 0;
	if (pid_limits_parse(text, &limits) < 0)
		goto out_free_text;

	/* Strict parsing means a faithful one: the kernel's bytes come back. */
	FUZZ_CHECK(limits.count >= 1 && limits.count <= PID_LIMITS_ROWS_MAX);
	FUZZ_CHECK(pid_limits_render(&limits, &out) == 0);
	FUZZ_CHECK(out.len == strlen(text) && memcmp(out.data, text, out.len) == 0);

	/* Lowered rows are still the kernel's format, and lowering again changes nothing. */
	pid_limits_apply(&limits, &ceilings);
	FUZZ_CHECK(pid_limits_render(&limits, &out) == 0);
	FUZZ_CHECK(pid_limits_parse(out.data, &again) == 0);
	FUZZ_CHECK(again.count == limits.count);
	for (size_t i = 0; i < limits.count; i++) {
		const struct pid_limits_row *row = &again.rows[i];

		FUZZ_CHECK(strcmp(row->name, limits.rows[i].name) == 0);
		FUZZ_CHECK(row->soft == limits.rows[i].soft && row->hard == limits.rows[i].hard);
		if (strcmp(row->name, PID_LIMITS_PROCESSES) == 0)
			FUZZ_CHECK(row->soft <= ceilings.processes && row->hard <= ceilings.processes);
		if (strcmp(row->name, PID_LIMITS_RESIDENT) == 0)
			FUZZ_CHECK(row->soft <= ceilings.resident_bytes &&
				   row->hard <= ceilings.resident_bytes);
	}
	pid_limits_apply(&again, &ceilings);
	FUZZ_CHECK(!again.changed);
out_free_text:
	buf_free(&out);
	free(text);
	return 0;
}
