/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_sockstat.c - libFuzzer target: sockstat_render() and sockstat_inuse_parse() on any /proc/net/sockstat text. */
#include "buf.h"
#include "fuzz.h"
#include "sockstat.h"

static bool inuse_equal(const struct netdiag_inuse *a, const struct netdiag_inuse *b)
{
	return a->tcp == b->tcp && a->tcp6 == b->tcp6 && a->udp == b->udp &&
	       a->udp6 == b->udp6 && a->udplite == b->udplite && a->udplite6 == b->udplite6;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct netdiag_counts counts = {
		.tcp_alloc = 7, .tcp_orphan = 1, .tcp_mem = 123456, .udp_mem = 18446744073709551615u,
	};
	struct netdiag_inuse inuse, inuse_after;
	struct buf out = BUF_INIT, again = BUF_INIT;
	char *text = fuzz_text(data, size);
	int rc;

	if (!text)
		return 0;
	/* The same text as sockstat and as sockstat6, so both label sets are met. */
	sockstat_inuse_parse(text, text, &inuse);
	FUZZ_CHECK(inuse.tcp >= -1 && inuse.tcp6 >= -1 && inuse.udp >= -1 &&
		   inuse.udp6 >= -1 && inuse.udplite >= -1 && inuse.udplite6 >= -1);

	rc = sockstat_render(text, &counts, 1, &out);
	FUZZ_CHECK(rc == 0 || rc == -EBADMSG);
	if (rc == 0 && out.data) {
		/* Only the host-wide figures change: "inuse" reads the same after. */
		sockstat_inuse_parse(out.data, out.data, &inuse_after);
		FUZZ_CHECK(inuse_equal(&inuse, &inuse_after));
		/* Rendered text is the kernel's format again: a second pass that takes nothing off changes nothing. */
		FUZZ_CHECK(sockstat_render(out.data, &counts, 0, &again) == 0);
		FUZZ_CHECK(again.len == out.len && memcmp(again.data, out.data, out.len) == 0);
	}
	buf_free(&again);
	buf_free(&out);
	free(text);
	return 0;
}
