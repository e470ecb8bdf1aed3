/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netns.c - per-network-namespace socket-diagnostic sockets, kept across reads. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/sock_diag.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "log.h"
#include "netns.h"

/* How often the sweeper looks for namespaces no process is in any more. */
#define NETNS_SWEEP_SECONDS 2
/* How long a scan of the namespace's processes is reused. */
#define NETNS_MEMBERS_TTL_NS 1000000000LL
/* Large enough for a dump's multi-part replies in a few reads. */
#define NETNS_MSG_BUF_SIZE 65536

struct netns_entry {
	struct netns_entry *prev, *next;	/* most recently used first */
	struct ns_id id;
	pid_t witness;			/* a process last seen in the namespace */
	unsigned users;			/* under the cache lock */
	unsigned long generation;	/* of the latest acquire */
	pthread_mutex_t lock;		/* owns sock and members */
	struct nl_sock *sock;
	int proc_fd;
	pid_t *members;
	size_t member_count, member_cap;
	long long members_time;		/* CLOCK_MONOTONIC ns; 0: never scanned */
	struct netdiag_counts counts;	/* the latest gather's, shared by readers */
	long long counts_time;		/* CLOCK_MONOTONIC ns before it; 0: none */
};

struct netns_cache {
	int proc_fd;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct netns_entry *head, *tail;
	size_t count;
	unsigned long generation;
	bool sweeper_started, stopping;
	pthread_t sweeper;
};

static long long monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static bool pid_in_netns(int proc_fd, pid_t pid, const struct ns_id *id)
{
	struct ns_id now;
	char path[64];

	snprintf(path, sizeof(path), "%d/ns/net", (int)pid);
	return ns_id_at(proc_fd, path, &now) == 0 && ns_id_equal(&now, id);
}

/*
 * Call visit(pid, namespace, arg) for every process in /proc; visit returns
 * nonzero to stop. Processes that vanish meanwhile are skipped.
 */
static int scan_processes(int proc_fd, int (*visit)(pid_t, const struct ns_id *, void *),
			  void *arg)
{
	struct dirent *de;
	int dir_fd, rc = 0;
	DIR *dir;

	dir_fd = openat(proc_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir_fd < 0)
		return -errno;
	dir = fdopendir(dir_fd);
	if (!dir) {
		rc = -errno;
		close(dir_fd);
		return rc;
	}
	while ((de = readdir(dir)) != NULL && rc == 0) {
		struct ns_id id;
		char path[300];
		char *end;
		long pid = strtol(de->d_name, &end, 10);

		if (*end || pid <= 0)
			continue;
		snprintf(path, sizeof(path), "%s/ns/net", de->d_name);
		if (ns_id_at(dir_fd, path, &id) == 0)
			rc = visit((pid_t)pid, &id, arg);
	}
	closedir(dir);
	return rc < 0 ? rc : 0;
}

/* --- creating a socket inside a namespace -------------------------------- */

struct connect_job {
	int ns_fd;
	struct nl_sock *sock;
	int rc;
};

/*
 * Runs in a thread of its own: setns(2) changes the calling thread's network
 * namespace, and this thread ends right after, so no FUSE worker ever runs
 * in a reader's namespace.
 */
static void *connect_job_run(void *arg)
{
	struct connect_job *job = arg;
	int err;

	if (setns(job->ns_fd, CLONE_NEWNET) < 0) {
		job->rc = -errno;
		return NULL;
	}
	job->sock = nl_socket_alloc();
	if (!job->sock) {
		job->rc = -ENOMEM;
		return NULL;
	}
	err = nl_connect(job->sock, NETLINK_SOCK_DIAG);
	if (err < 0) {
		log_error("cannot open a socket-diagnostic socket: %s", nl_geterror(err));
		nl_socket_free(job->sock);
		job->sock = NULL;
		job->rc = err == -NLE_NOMEM ? -ENOMEM : -EIO;
		return NULL;
	}
	nl_socket_set_msg_buf_size(job->sock, NETNS_MSG_BUF_SIZE);
	job->rc = 0;
	return NULL;
}

static int connect_in_namespace(int ns_fd, struct nl_sock **sock)
{
	struct connect_job job = { .ns_fd = ns_fd, .sock = NULL, .rc = -EIO };
	pthread_t thread;
	int rc;

	rc = pthread_create(&thread, NULL, connect_job_run, &job);
	if (rc != 0)
		return -rc;
	pthread_join(thread, NULL);
	*sock = job.sock;
	return job.rc;
}

/* --- the cache ------------------------------------------------------------ */

static void entry_free(struct netns_entry *entry)
{
	if (entry->sock)
		nl_socket_free(entry->sock);
	free(entry->members);
	pthread_mutex_destroy(&entry->lock);
	free(entry);
}

static void cache_unlink(struct netns_cache *cache, struct netns_entry *entry)
{
	if (entry->prev)
		entry->prev->next = entry->next;
	else
		cache->head = entry->next;
	if (entry->next)
		entry->next->prev = entry->prev;
	else
		cache->tail = entry->prev;
	entry->prev = entry->next = NULL;
	cache->count--;
}

static void cache_push_front(struct netns_cache *cache, struct netns_entry *entry)
{
	entry->prev = NULL;
	entry->next = cache->head;
	if (cache->head)
		cache->head->prev = entry;
	else
		cache->tail = entry;
	cache->head = entry;
	cache->count++;
}

static struct netns_entry *cache_find(struct netns_cache *cache, const struct ns_id *id)
{
	for (struct netns_entry *e = cache->head; e; e = e->next)
		if (ns_id_equal(&e->id, id))
			return e;
	return NULL;
}

static void *sweeper_run(void *arg)
{
	struct netns_cache *cache = arg;
	struct timespec deadline;

	pthread_mutex_lock(&cache->lock);
	while (!cache->stopping) {
		clock_gettime(CLOCK_MONOTONIC, &deadline);
		deadline.tv_sec += NETNS_SWEEP_SECONDS;
		while (!cache->stopping &&
		       pthread_cond_timedwait(&cache->wake, &cache->lock, &deadline) != ETIMEDOUT)
			;
		if (cache->stopping)
			break;
		pthread_mutex_unlock(&cache->lock);
		netns_cache_sweep(cache);
		pthread_mutex_lock(&cache->lock);
	}
	pthread_mutex_unlock(&cache->lock);
	return NULL;
}

int netns_cache_create(int proc_fd, struct netns_cache **out)
{
	struct netns_cache *cache = calloc(1, sizeof(*cache));
	pthread_condattr_t attr;

	if (!cache)
		return -ENOMEM;
	cache->proc_fd = proc_fd;
	pthread_mutex_init(&cache->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&cache->wake, &attr);
	pthread_condattr_destroy(&attr);
	*out = cache;
	return 0;
}

void netns_cache_destroy(struct netns_cache *cache)
{
	struct netns_entry *entry;

	if (!cache)
		return;
	pthread_mutex_lock(&cache->lock);
	cache->stopping = true;
	pthread_cond_broadcast(&cache->wake);
	pthread_mutex_unlock(&cache->lock);
	if (cache->sweeper_started)
		pthread_join(cache->sweeper, NULL);
	while ((entry = cache->head) != NULL) {
		cache_unlink(cache, entry);
		entry_free(entry);
	}
	pthread_cond_destroy(&cache->wake);
	pthread_mutex_destroy(&cache->lock);
	free(cache);
}

/* The least recently used entry nobody holds, unlinked; NULL if all are held. */
static struct netns_entry *cache_evict(struct netns_cache *cache)
{
	for (struct netns_entry *e = cache->tail; e; e = e->prev) {
		if (e->users == 0) {
			cache_unlink(cache, e);
			return e;
		}
	}
	return NULL;
}

/*
 * The sweeper starts with the first entry, not with the cache: the cache is
 * made before the daemon forks, and a thread would not survive the fork.
 */
static void cache_start_sweeper(struct netns_cache *cache)
{
	int rc;

	if (cache->sweeper_started)
		return;
	rc = pthread_create(&cache->sweeper, NULL, sweeper_run, cache);
	if (rc != 0) {
		/* The LRU bound still holds; dead namespaces just linger longer. */
		log_error("cannot start the namespace sweeper: %s", strerror(rc));
		return;
	}
	cache->sweeper_started = true;
}

int netns_acquire(struct netns_cache *cache, int ns_fd, const struct ns_id *id,
		  pid_t pid, struct netns_entry **out)
{
	struct netns_entry *entry, *evicted = NULL;
	int rc;

	pthread_mutex_lock(&cache->lock);
	entry = cache_find(cache, id);
	if (entry) {
		cache_unlink(cache, entry);
	} else {
		entry = calloc(1, sizeof(*entry));
		if (!entry) {
			pthread_mutex_unlock(&cache->lock);
			return -ENOMEM;
		}
		entry->id = *id;
		entry->proc_fd = cache->proc_fd;
		pthread_mutex_init(&entry->lock, NULL);
		if (cache->count >= NETNS_CACHE_MAX)
			evicted = cache_evict(cache);
		cache_start_sweeper(cache);
	}
	cache_push_front(cache, entry);
	entry->users++;
	entry->witness = pid;
	entry->generation = ++cache->generation;
	pthread_mutex_unlock(&cache->lock);
	if (evicted)
		entry_free(evicted);

	pthread_mutex_lock(&entry->lock);
	if (!entry->sock) {
		rc = connect_in_namespace(ns_fd, &entry->sock);
		if (rc < 0) {
			netns_release(cache, entry);
			return rc;
		}
	}
	*out = entry;
	return 0;
}

void netns_release(struct netns_cache *cache, struct netns_entry *entry)
{
	pthread_mutex_unlock(&entry->lock);
	pthread_mutex_lock(&cache->lock);
	entry->users--;
	pthread_mutex_unlock(&cache->lock);
}

struct nl_sock *netns_diag_socket(struct netns_entry *entry)
{
	return entry->sock;
}

void netns_discard_socket(struct netns_entry *entry)
{
	if (entry->sock)
		nl_socket_free(entry->sock);
	entry->sock = NULL;
}

static int members_add(pid_t pid, const struct ns_id *id, void *arg)
{
	struct netns_entry *entry = arg;

	if (!ns_id_equal(id, &entry->id))
		return 0;
	if (entry->member_count == entry->member_cap) {
		size_t cap = entry->member_cap ? entry->member_cap * 2 : 16;
		pid_t *members = realloc(entry->members, cap * sizeof(*members));

		if (!members)
			return -ENOMEM;
		entry->members = members;
		entry->member_cap = cap;
	}
	entry->members[entry->member_count++] = pid;
	return 0;
}

static bool members_has(const struct netns_entry *entry, pid_t pid)
{
	for (size_t i = 0; i < entry->member_count; i++)
		if (entry->members[i] == pid)
			return true;
	return false;
}

int netns_members(struct netns_entry *entry, pid_t reader, const pid_t **pids, size_t *count)
{
	long long now = monotonic_ns();
	struct ns_id id;
	int rc;

	/*
	 * A reader the list does not know is a process that came after the
	 * scan: others may have come with it, and sockets with them.
	 */
	if (entry->members_time == 0 || now - entry->members_time > NETNS_MEMBERS_TTL_NS ||
	    !members_has(entry, reader)) {
		entry->member_count = 0;
		entry->members_time = 0;
		rc = scan_processes(entry->proc_fd, members_add, entry);
		if (rc < 0)
			return rc;
		entry->members_time = now;
		/* A thread other than its process's first is not in /proc's listing. */
		if (!members_has(entry, reader)) {
			id = entry->id;
			rc = members_add(reader, &id, entry);
			if (rc < 0)
				return rc;
		}
	}
	*pids = entry->members;
	*count = entry->member_count;
	return 0;
}

bool netns_counts_get(struct netns_entry *entry, long long now_ns, long long max_age_ns,
		      struct netdiag_counts *counts)
{
	if (entry->counts_time == 0 || now_ns - entry->counts_time > max_age_ns)
		return false;
	*counts = entry->counts;
	return true;
}

void netns_counts_put(struct netns_entry *entry, long long taken_ns,
		      const struct netdiag_counts *counts)
{
	if (taken_ns <= entry->counts_time)
		return;
	entry->counts = *counts;
	entry->counts_time = taken_ns;
}

/* --- sweeping -------------------------------------------------------------- */

struct sweep_item {
	struct ns_id id;
	pid_t witness;
	unsigned long generation;
	bool alive;
};

struct sweep_scan {
	struct sweep_item *items;
	size_t count;
};

static int sweep_mark_alive(pid_t pid, const struct ns_id *id, void *arg)
{
	struct sweep_scan *scan = arg;

	for (size_t i = 0; i < scan->count; i++) {
		if (!scan->items[i].alive && ns_id_equal(&scan->items[i].id, id)) {
			scan->items[i].alive = true;
			scan->items[i].witness = pid;
		}
	}
	return 0;
}

size_t netns_cache_sweep(struct netns_cache *cache)
{
	struct netns_entry *dead = NULL, *entry, *next;
	struct sweep_scan scan = { NULL, 0 };
	bool need_scan = false;
	size_t i, remaining;

	pthread_mutex_lock(&cache->lock);
	if (cache->count)
		scan.items = calloc(cache->count, sizeof(*scan.items));
	for (entry = cache->head; entry && scan.items; entry = entry->next) {
		scan.items[scan.count].id = entry->id;
		scan.items[scan.count].witness = entry->witness;
		scan.items[scan.count].generation = entry->generation;
		scan.count++;
	}
	pthread_mutex_unlock(&cache->lock);
	if (!scan.items)
		return netns_cache_size(cache);

	/* Usually the last reader is still there: one stat per namespace. */
	for (i = 0; i < scan.count; i++) {
		scan.items[i].alive = pid_in_netns(cache->proc_fd, scan.items[i].witness,
						   &scan.items[i].id);
		need_scan |= !scan.items[i].alive;
	}
	/* Otherwise one pass over /proc settles them all; a failed pass drops nothing. */
	if (need_scan && scan_processes(cache->proc_fd, sweep_mark_alive, &scan) < 0)
		for (i = 0; i < scan.count; i++)
			scan.items[i].alive = true;

	pthread_mutex_lock(&cache->lock);
	for (i = 0; i < scan.count; i++) {
		entry = cache_find(cache, &scan.items[i].id);
		if (!entry)
			continue;
		if (scan.items[i].alive) {
			entry->witness = scan.items[i].witness;
			continue;
		}
		/* Acquired since the snapshot: its reader proves the namespace alive. */
		if (entry->users || entry->generation != scan.items[i].generation)
			continue;
		cache_unlink(cache, entry);
		entry->next = dead;
		dead = entry;
	}
	remaining = cache->count;
	pthread_mutex_unlock(&cache->lock);

	for (entry = dead; entry; entry = next) {
		next = entry->next;
		entry_free(entry);
	}
	free(scan.items);
	return remaining;
}

size_t netns_cache_size(struct netns_cache *cache)
{
	size_t count;

	pthread_mutex_lock(&cache->lock);
	count = cache->count;
	pthread_mutex_unlock(&cache->lock);
	return count;
}
