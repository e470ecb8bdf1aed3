/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netns.h - per-network-namespace socket-diagnostic sockets, kept across reads. */
#ifndef PROCLENS_NETNS_H
#define PROCLENS_NETNS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "netdiag.h"
#include "ns.h"

struct nl_sock;
struct netns_cache;
struct netns_entry;

/*
 * One diagnostic socket per reader network namespace, created inside it and
 * reused by every read. A socket holds its namespace alive, so the cache
 * never relies on that: an entry goes once no process is left in its
 * namespace (checked by a sweeper every few seconds), and at most
 * NETNS_CACHE_MAX entries live at once (least recently used go first).
 * Thread-safe.
 */
#define NETNS_CACHE_MAX 256

int netns_cache_create(int proc_fd, struct netns_cache **cache);
void netns_cache_destroy(struct netns_cache *cache);

/*
 * The entry of the namespace open at ns_fd (identity id), which process pid
 * is in, locked for the caller alone, with its diagnostic socket connected
 * inside that namespace. 0 or -errno; release with netns_release().
 */
int netns_acquire(struct netns_cache *cache, int ns_fd, const struct ns_id *id,
		  pid_t pid, struct netns_entry **entry);
void netns_release(struct netns_cache *cache, struct netns_entry *entry);

struct nl_sock *netns_diag_socket(struct netns_entry *entry);

/* After a failed exchange: the next acquire connects a fresh socket. */
void netns_discard_socket(struct netns_entry *entry);

/*
 * The processes in the namespace, reader among them: a scan of /proc kept for
 * up to a second unless reader is new to it, so callers must check that each
 * pid is still there. 0 or -errno.
 */
int netns_members(struct netns_entry *entry, pid_t reader, const pid_t **pids, size_t *count);

/*
 * The counts a socket-diagnostic gather made for the namespace at most
 * max_age_ns before now (CLOCK_MONOTONIC ns): false if there are none that
 * recent. The entry is the caller's (acquired).
 */
bool netns_counts_get(struct netns_entry *entry, long long now_ns, long long max_age_ns,
		      struct netdiag_counts *counts);

/* Keep counts gathered after taken_ns for the namespace's next readers. */
void netns_counts_put(struct netns_entry *entry, long long taken_ns,
		      const struct netdiag_counts *counts);

/* Drop entries whose namespace no process is in; returns how many remain. */
size_t netns_cache_sweep(struct netns_cache *cache);

size_t netns_cache_size(struct netns_cache *cache);

#endif
