/* SPDX-License-Identifier: GPL-2.0-or-later */
/* check_sockstat.c - sockstat rendering and diagnostic records turned into counters. */
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include "buf.h"
#include "netdiag.h"
#include "sockstat.h"

#define PAGE 4096UL

static char *read_fixture(const char *name)
{
	char path[512];
	static char text[8192];
	size_t len;
	FILE *f;

	snprintf(path, sizeof(path), "%s/sockstat/%s", FIXTURES_DIR, name);
	f = fopen(path, "re");
	ck_assert_msg(f != NULL, "fixture %s", path);
	len = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[len] = '\0';
	return strdup(text);
}

/* The counts the orphan scenario of the integration test produces. */
static const struct netdiag_counts scenario = {
	.tcp_alloc = 4, .tcp_orphan = 2, .tcp_mem = 964, .udp_mem = 1,
};

static void check_render(const char *input, const char *expected_name)
{
	char *own = read_fixture(input);
	char *expected = read_fixture(expected_name);
	struct buf out = BUF_INIT;

	ck_assert_int_eq(sockstat_render(own, &scenario, 1, &out), 0);
	ck_assert_int_eq((int)out.len, (int)strlen(expected));
	ck_assert(memcmp(out.data, expected, out.len) == 0);
	buf_free(&out);
	free(own);
	free(expected);
}

START_TEST(render_replaces_only_the_host_wide_figures)
{
	check_render("sockstat-6.18", "sockstat-6.18.expected");
}
END_TEST

START_TEST(render_keeps_fields_a_newer_kernel_adds)
{
	check_render("sockstat-pressure", "sockstat-pressure.expected");
}
END_TEST

START_TEST(render_leaves_out_proclens_own_socket_without_going_below_zero)
{
	struct buf out = BUF_INIT;

	ck_assert_int_eq(sockstat_render("sockets: used 0\n", &scenario, 1, &out), 0);
	ck_assert_int_eq((int)out.len, (int)strlen("sockets: used 0\n"));
	ck_assert(memcmp(out.data, "sockets: used 0\n", out.len) == 0);
	buf_free(&out);
}
END_TEST

START_TEST(render_rejects_a_figure_that_is_not_a_number)
{
	struct buf out = BUF_INIT;

	ck_assert_int_eq(sockstat_render("TCP: inuse 1 orphan x tw 0 alloc 1 mem 0\n",
					  &scenario, 1, &out), -EBADMSG);
	ck_assert_int_eq(sockstat_render("TCP: inuse 1 orphan\n", &scenario, 1, &out),
			 -EBADMSG);
	ck_assert_int_eq(sockstat_render("TCP:  inuse 1\n", &scenario, 1, &out), -EBADMSG);
	buf_free(&out);
}
END_TEST

START_TEST(render_passes_other_lines_through)
{
	const char *text = "RAW: inuse 1\nFRAG: inuse 0 memory 0\nnew line without pairs\n";
	struct buf out = BUF_INIT;

	ck_assert_int_eq(sockstat_render(text, &scenario, 1, &out), 0);
	ck_assert_int_eq((int)out.len, (int)strlen(text));
	ck_assert(memcmp(out.data, text, out.len) == 0);
	buf_free(&out);
}
END_TEST

/* Count every record of the fixture "records". */
static struct netdiag_counts count_fixture(void)
{
	char *text = read_fixture("records");
	struct netdiag_counts counts;
	char *line, *save = NULL;

	memset(&counts, 0, sizeof(counts));
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct netdiag_record r;
		char proto[8];
		unsigned family, state, timer, meminfo;
		unsigned long inode, rmem, wq;
		long fwd;

		if (line[0] == '#')
			continue;
		ck_assert_int_eq(sscanf(line, "%7s %u %u %u %lu %u %lu %lu %ld", proto, &family,
					&state, &timer, &inode, &meminfo, &rmem, &wq, &fwd), 9);
		memset(&r, 0, sizeof(r));
		r.protocol = strcmp(proto, "tcp") == 0 ? IPPROTO_TCP : IPPROTO_UDP;
		r.family = (uint8_t)family;
		r.state = (uint8_t)state;
		r.timer = (uint8_t)timer;
		r.inode = (uint32_t)inode;
		r.has_meminfo = meminfo != 0;
		r.rmem_alloc = (uint32_t)rmem;
		r.wmem_queued = (uint32_t)wq;
		r.forward_alloc = (int32_t)fwd;
		netdiag_count_record(&counts, &r, PAGE);
	}
	free(text);
	return counts;
}

START_TEST(records_alloc_counts_full_tcp_sockets_only)
{
	/* Two orphans, their two peers, a listener, an unaccepted child. */
	ck_assert_uint_eq(count_fixture().tcp_alloc, 6);
}
END_TEST

START_TEST(records_orphans_are_closed_sockets_still_sending)
{
	ck_assert_uint_eq(count_fixture().tcp_orphan, 2);
}
END_TEST

START_TEST(records_tcp_mem_is_the_pages_each_socket_charged)
{
	/* (1792 + 3938560) / 4096 = 962 per orphan, (5760 + 2432) / 4096 = 2 per peer. */
	ck_assert_uint_eq(count_fixture().tcp_mem, 1928);
}
END_TEST

START_TEST(records_udp_mem_is_the_pages_of_queued_datagrams)
{
	ck_assert_uint_eq(count_fixture().udp_mem, 1);
}
END_TEST

START_TEST(records_round_a_partial_page_up)
{
	struct netdiag_record r = { .protocol = IPPROTO_TCP, .has_meminfo = true,
				    .rmem_alloc = 1, .forward_alloc = 0 };
	struct netdiag_counts counts;

	memset(&counts, 0, sizeof(counts));
	netdiag_count_record(&counts, &r, PAGE);
	ck_assert_uint_eq(counts.tcp_mem, 1);
	/* A transiently negative forward allocation never makes pages negative. */
	r.rmem_alloc = 0;
	r.forward_alloc = -100;
	netdiag_count_record(&counts, &r, PAGE);
	ck_assert_uint_eq(counts.tcp_mem, 1);
	ck_assert_uint_eq(counts.tcp_alloc, 2);
}
END_TEST

/* A reply as the kernel sends it: inet_diag_msg, then INET_DIAG_MEMINFO. */
static struct nl_msg *diag_reply(uint8_t state, uint32_t inode, bool with_meminfo)
{
	struct nl_msg *msg = nlmsg_alloc_simple(SOCK_DIAG_BY_FAMILY, NLM_F_MULTI);
	struct inet_diag_msg diag;
	struct inet_diag_meminfo mem = {
		.idiag_rmem = 5760, .idiag_wmem = 300, .idiag_fmem = 2432, .idiag_tmem = 7,
	};

	memset(&diag, 0, sizeof(diag));
	diag.idiag_family = AF_INET6;
	diag.idiag_state = state;
	diag.idiag_timer = 1;
	diag.idiag_inode = inode;
	ck_assert_int_eq(nlmsg_append(msg, &diag, sizeof(diag), NLMSG_ALIGNTO), 0);
	if (with_meminfo)
		ck_assert_int_eq(nla_put(msg, INET_DIAG_MEMINFO, sizeof(mem), &mem), 0);
	return msg;
}

START_TEST(parse_reads_a_reply_through_libnl_idiag)
{
	struct nl_msg *msg = diag_reply(4, 49311, true);
	struct netdiag_record r;

	ck_assert_int_eq(netdiag_parse(nlmsg_hdr(msg), IPPROTO_TCP, &r), 0);
	ck_assert_uint_eq(r.family, AF_INET6);
	ck_assert_uint_eq(r.protocol, IPPROTO_TCP);
	ck_assert_uint_eq(r.state, 4);
	ck_assert_uint_eq(r.timer, 1);
	ck_assert_uint_eq(r.inode, 49311);
	ck_assert(r.has_meminfo);
	ck_assert_uint_eq(r.rmem_alloc, 5760);
	ck_assert_uint_eq(r.wmem_queued, 300);
	ck_assert_int_eq(r.forward_alloc, 2432);
	nlmsg_free(msg);
}
END_TEST

START_TEST(parse_marks_a_reply_without_memory_as_no_full_socket)
{
	struct nl_msg *msg = diag_reply(6, 0, false);
	struct netdiag_record r;

	ck_assert_int_eq(netdiag_parse(nlmsg_hdr(msg), IPPROTO_TCP, &r), 0);
	ck_assert(!r.has_meminfo);
	nlmsg_free(msg);
}
END_TEST

START_TEST(parse_rejects_a_truncated_reply)
{
	struct nl_msg *msg = nlmsg_alloc_simple(SOCK_DIAG_BY_FAMILY, NLM_F_MULTI);
	struct netdiag_record r;
	char half[8] = { 0 };

	ck_assert_int_eq(nlmsg_append(msg, half, sizeof(half), NLMSG_ALIGNTO), 0);
	ck_assert_int_eq(netdiag_parse(nlmsg_hdr(msg), IPPROTO_TCP, &r), -EBADMSG);
	nlmsg_free(msg);
}
END_TEST

/* --- which dumps a read needs, from the namespace's own inuse counts --------- */

START_TEST(inuse_is_read_from_sockstat_and_sockstat6)
{
	char *own = read_fixture("sockstat-6.18");
	struct netdiag_inuse inuse;

	sockstat_inuse_parse(own, "TCP6: inuse 3\nUDP6: inuse 1\nUDPLITE6: inuse 0\n"
			     "RAW6: inuse 1\nFRAG6: inuse 0 memory 0\n", &inuse);
	ck_assert_int_eq(inuse.tcp, 2);
	ck_assert_int_eq(inuse.udp, 1);
	ck_assert_int_eq(inuse.udplite, 0);
	ck_assert_int_eq(inuse.tcp6, 3);
	ck_assert_int_eq(inuse.udp6, 1);
	ck_assert_int_eq(inuse.udplite6, 0);
	free(own);
}
END_TEST

START_TEST(inuse_missing_or_garbled_is_unknown)
{
	struct netdiag_inuse inuse;

	sockstat_inuse_parse("TCP: orphan 0 tw 0\nUDP: inuse x mem 0\n", "TCP6: inuse\n", &inuse);
	ck_assert_int_eq(inuse.tcp, -1);
	ck_assert_int_eq(inuse.udp, -1);
	ck_assert_int_eq(inuse.udplite, -1);
	ck_assert_int_eq(inuse.tcp6, -1);
	ck_assert_int_eq(inuse.udp6, -1);
}
END_TEST

START_TEST(inuse_without_sockstat6_has_no_ipv6_sockets)
{
	struct netdiag_inuse inuse;

	sockstat_inuse_parse("TCP: inuse 4 orphan 0 tw 0 alloc 9 mem 1\n", NULL, &inuse);
	ck_assert_int_eq(inuse.tcp, 4);
	ck_assert_int_eq(inuse.tcp6, 0);
	ck_assert_int_eq(inuse.udp6, 0);
	ck_assert_int_eq(inuse.udplite6, 0);
}
END_TEST

START_TEST(plan_of_an_empty_namespace_runs_no_dump)
{
	struct netdiag_inuse inuse = { 0, 0, 0, 0, 0, 0 };
	struct netdiag_plan plan;

	netdiag_plan_make(&inuse, &plan);
	ck_assert(!plan.tcp_listen);
	ck_assert(!plan.udp);
	ck_assert(!plan.udp6);
	ck_assert(!plan.udplite);
	ck_assert(!plan.udplite6);
}
END_TEST

START_TEST(plan_dumps_tcp_if_either_family_has_sockets)
{
	struct netdiag_inuse v6_only = { .tcp6 = 1 }, v4_only = { .tcp = 2 };
	struct netdiag_plan plan;

	netdiag_plan_make(&v6_only, &plan);
	ck_assert(plan.tcp_listen);
	ck_assert(!plan.udp);
	netdiag_plan_make(&v4_only, &plan);
	ck_assert(plan.tcp_listen);
}
END_TEST

START_TEST(plan_dumps_udp_per_family_and_protocol_with_sockets)
{
	struct netdiag_inuse inuse = { .udp = 0, .udp6 = 2, .udplite = 1, .udplite6 = 0 };
	struct netdiag_plan plan;

	netdiag_plan_make(&inuse, &plan);
	ck_assert(!plan.tcp_listen);
	ck_assert(!plan.udp);
	ck_assert(plan.udp6);
	ck_assert(plan.udplite);
	ck_assert(!plan.udplite6);
}
END_TEST

START_TEST(plan_dumps_everything_the_kernel_does_not_count)
{
	struct netdiag_inuse inuse = { -1, -1, -1, -1, -1, -1 };
	struct netdiag_plan plan;

	netdiag_plan_make(&inuse, &plan);
	ck_assert(plan.tcp_listen);
	ck_assert(plan.udp);
	ck_assert(plan.udp6);
	ck_assert(plan.udplite);
	ck_assert(plan.udplite6);
	ck_assert(netdiag_plan_needs_connected(&inuse, 5));
}
END_TEST

START_TEST(plan_skips_connected_dump_when_every_hashed_tcp_socket_listens)
{
	/* 2 IPv4 and 1 IPv6 hashed; 3 listeners found: none connected. */
	struct netdiag_inuse inuse = { .tcp = 2, .tcp6 = 1 };

	ck_assert(!netdiag_plan_needs_connected(&inuse, 3));
	/* 2 listeners: one more is connected, orphaned or not yet accepted. */
	ck_assert(netdiag_plan_needs_connected(&inuse, 2));
	ck_assert(netdiag_plan_needs_connected(&inuse, 0));
}
END_TEST

static Suite *sockstat_suite(void)
{
	Suite *s = suite_create("sockstat");
	TCase *render = tcase_create("render");
	TCase *records = tcase_create("records");
	TCase *parse = tcase_create("parse");
	TCase *plan = tcase_create("plan");

	tcase_add_test(render, render_replaces_only_the_host_wide_figures);
	tcase_add_test(render, render_keeps_fields_a_newer_kernel_adds);
	tcase_add_test(render, render_leaves_out_proclens_own_socket_without_going_below_zero);
	tcase_add_test(render, render_rejects_a_figure_that_is_not_a_number);
	tcase_add_test(render, render_passes_other_lines_through);
	tcase_add_test(records, records_alloc_counts_full_tcp_sockets_only);
	tcase_add_test(records, records_orphans_are_closed_sockets_still_sending);
	tcase_add_test(records, records_tcp_mem_is_the_pages_each_socket_charged);
	tcase_add_test(records, records_udp_mem_is_the_pages_of_queued_datagrams);
	tcase_add_test(records, records_round_a_partial_page_up);
	tcase_add_test(parse, parse_reads_a_reply_through_libnl_idiag);
	tcase_add_test(parse, parse_marks_a_reply_without_memory_as_no_full_socket);
	tcase_add_test(parse, parse_rejects_a_truncated_reply);
	tcase_add_test(plan, inuse_is_read_from_sockstat_and_sockstat6);
	tcase_add_test(plan, inuse_missing_or_garbled_is_unknown);
	tcase_add_test(plan, inuse_without_sockstat6_has_no_ipv6_sockets);
	tcase_add_test(plan, plan_of_an_empty_namespace_runs_no_dump);
	tcase_add_test(plan, plan_dumps_tcp_if_either_family_has_sockets);
	tcase_add_test(plan, plan_dumps_udp_per_family_and_protocol_with_sockets);
	tcase_add_test(plan, plan_dumps_everything_the_kernel_does_not_count);
	tcase_add_test(plan, plan_skips_connected_dump_when_every_hashed_tcp_socket_listens);
	suite_add_tcase(s, plan);
	suite_add_tcase(s, render);
	suite_add_tcase(s, records);
	suite_add_tcase(s, parse);
	return s;
}

int main(void)
{
	SRunner *runner = srunner_create(sockstat_suite());
	int failed;

	srunner_run_all(runner, CK_NORMAL);
	failed = srunner_ntests_failed(runner);
	srunner_free(runner);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
