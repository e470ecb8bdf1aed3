/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netdiag.h - one network namespace's TCP and UDP sockets, counted the way sockstat counts them. */
#ifndef PROCLENS_NETDIAG_H
#define PROCLENS_NETDIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ns.h"

struct nl_sock;
struct nlmsghdr;

/* What one socket-diagnostic record says about one socket. */
struct netdiag_record {
	uint8_t family;		/* AF_INET, AF_INET6 */
	uint8_t protocol;	/* IPPROTO_TCP, IPPROTO_UDP, IPPROTO_UDPLITE */
	uint8_t state;		/* TCP_* (a time-wait socket gives its substate) */
	uint8_t timer;		/* 3: a time-wait socket */
	uint32_t inode;		/* 0: no user holds it */
	/* Only full sockets carry memory: time-wait and request sockets do not. */
	bool has_meminfo;
	uint32_t rmem_alloc;	/* sk_rmem_alloc */
	uint32_t wmem_queued;	/* sk_wmem_queued */
	int32_t forward_alloc;	/* sk_forward_alloc */
};

/* sockstat's host-wide figures, for one namespace. */
struct netdiag_counts {
	uint64_t tcp_alloc;	/* full TCP sockets, IPv4 and IPv6 */
	uint64_t tcp_orphan;	/* closed by their users, still sending */
	uint64_t tcp_mem;	/* pages charged to TCP */
	uint64_t udp_mem;	/* pages charged to UDP and UDP-Lite */
	uint64_t tcp_unlisted;	/* of tcp_alloc: found only in processes' fds */
	unsigned dumps;		/* socket-diagnostic dumps this count took */
};

/*
 * The sockets the kernel counts per namespace in the reader's own sockstat
 * and sockstat6 ("LABEL: inuse N"): hashed sockets of each protocol. -1: the
 * file does not say (unknown, so nothing is skipped for it).
 */
struct netdiag_inuse {
	int64_t tcp, tcp6, udp, udp6, udplite, udplite6;
};

/*
 * Which dumps a count needs. A dump walks the host's whole hash table of its
 * protocol whatever the namespace holds, so each one whose result the
 * kernel's own counters show to be empty is left out.
 */
struct netdiag_plan {
	bool tcp_listen;	/* listening TCP sockets (IPv4 and IPv6) */
	bool udp, udp6, udplite, udplite6;
};

/* The dumps to run for these counters. Pure. */
void netdiag_plan_make(const struct netdiag_inuse *inuse, struct netdiag_plan *plan);

/*
 * Whether TCP sockets other than the listeners found are hashed: only then
 * is the dump of connected sockets needed. Pure.
 */
bool netdiag_plan_needs_connected(const struct netdiag_inuse *inuse, uint64_t listeners);

/* Add one record to the counts; page_size is the kernel's PAGE_SIZE. Pure. */
void netdiag_count_record(struct netdiag_counts *counts, const struct netdiag_record *record,
			  unsigned long page_size);

/* Read one SOCK_DIAG reply for a socket of `protocol`; 0 or -EBADMSG/-ENOMEM. */
int netdiag_parse(struct nlmsghdr *nlh, uint8_t protocol, struct netdiag_record *record);

/*
 * Count the sockets of the namespace sock lives in: dumps of its TCP, UDP and
 * UDP-Lite tables (those inuse does not show empty), and the TCP sockets no
 * table lists (created, never bound or connected) among the fds of pids that
 * are still in namespace id. 0 or -errno; after an error the socket may hold
 * unread replies.
 */
int netdiag_gather(struct nl_sock *sock, int proc_fd, const struct ns_id *id,
		   const pid_t *pids, size_t pid_count, const struct netdiag_inuse *inuse,
		   struct netdiag_counts *counts);

#endif
