/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_netdiag.c - libFuzzer target: netdiag_parse() on any SOCK_DIAG reply
 * message, then netdiag_count_record() on what it read. Binary input, so it
 * is not NUL-terminated: it is the message, as libnl hands it to the dump's
 * callback.
 */
#include <netinet/in.h>
#include <linux/netlink.h>

#include "fuzz.h"
#include "netdiag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The first byte picks the protocol the dump asked for. */
	static const uint8_t protocols[] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_UDPLITE };
	struct netdiag_counts counts = { 0 };
	struct netdiag_record record;
	struct nlmsghdr *nlh;
	uint8_t protocol;
	int rc;

	if (size < 1 + sizeof(struct nlmsghdr))
		return 0;
	protocol = protocols[data[0] % sizeof(protocols)];
	data++;
	size--;
	/* A fresh allocation of exactly the message: aligned, and overreads are caught. */
	nlh = malloc(size);
	if (!nlh)
		return 0;
	memcpy(nlh, data, size);
	/*
	 * libnl delivers only messages that fit in what was received
	 * (nlmsg_ok()): a length that does not is taken as the whole input.
	 */
	if (nlh->nlmsg_len < NLMSG_HDRLEN || nlh->nlmsg_len > size)
		nlh->nlmsg_len = (uint32_t)size;
	rc = netdiag_parse(nlh, protocol, &record);
	FUZZ_CHECK(rc == 0 || rc == -EBADMSG || rc == -ENOMEM);
	if (rc == 0) {
		FUZZ_CHECK(record.protocol == protocol);
		netdiag_count_record(&counts, &record, 4096);
		netdiag_count_record(&counts, &record, 65536);
		FUZZ_CHECK(counts.tcp_orphan <= counts.tcp_alloc);
	}
	free(nlh);
	return 0;
}
