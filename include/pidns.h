/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pidns.h - each reader's pid namespace seen as its members see it: a proc instance per namespace. */
#ifndef PROCLENS_PIDNS_H
#define PROCLENS_PIDNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ns.h"

struct pidns_cache;
struct pidns_view;

/*
 * A view is a proc file system of one pid namespace, mounted detached
 * (read-only, nosuid, nodev, noexec, subset=pid): its listing holds exactly
 * the processes of that namespace and its descendants, named by that
 * namespace's numbers, and "<pid>/limits" in it is that process's. Readers
 * in the daemon's own pid namespace get the daemon's proc_fd itself.
 *
 * A view holds its namespace (not its processes) until it is closed, so the
 * namespace's inode number, the cache key, cannot be reused meanwhile. At
 * most PIDNS_CACHE_MAX views are kept: the least recently used one nobody
 * holds is closed first, and views whose namespace has no process left are
 * dropped by a sweep run from pidns_acquire() every PIDNS_SWEEP_SECONDS.
 * Hold a view for one request: an open directory keeps a descriptor opened
 * through it, not the view, so views in use stay as few as the workers.
 * Thread-safe.
 */
#define PIDNS_CACHE_MAX 256
#define PIDNS_SWEEP_SECONDS 2

/* How long a child forked into a namespace may take to mount its proc. */
#define PIDNS_CHILD_TIMEOUT_MS 2000

/* proc_fd (a proc of the daemon's pid namespace) stays the caller's. 0 or -errno. */
int pidns_cache_create(int proc_fd, struct pidns_cache **cache);
/* Every view must have been released. Accepts NULL. */
void pidns_cache_destroy(struct pidns_cache *cache);

/*
 * The view of the pid namespace of thread reader_tid (numbered as the
 * daemon's namespace numbers it), made on first use, shared afterwards.
 * Concurrent first acquires of one namespace wait for a single creation.
 * 0 or -errno: -ESRCH if the reader is gone or its namespace can take no
 * new process (its init has exited). Release with pidns_release().
 */
int pidns_acquire(struct pidns_cache *cache, pid_t reader_tid, struct pidns_view **view);
void pidns_release(struct pidns_cache *cache, struct pidns_view *view);

/*
 * A directory fd of the view's proc, valid until release. Like a fd from
 * fsmount(2) it may be O_PATH: open "." through it to list the directory.
 */
int pidns_view_fd(const struct pidns_view *view);
const struct ns_id *pidns_view_id(const struct pidns_view *view);

/*
 * Drop every view nobody holds whose namespace has no process left (its
 * proc lists no "1"); returns how many views remain. Also run by acquire.
 */
size_t pidns_cache_sweep(struct pidns_cache *cache);
size_t pidns_cache_size(struct pidns_cache *cache);

/*
 * How many proc instances this cache has mounted, and how many of them by
 * forking a process into the namespace (kernels before 6.18, which have no
 * "pidns" mount option for proc). For tests and benchmarks.
 */
void pidns_cache_counts(struct pidns_cache *cache, unsigned long *mounts,
			unsigned long *forks);

/* Tests: never use the "pidns" mount option, as on kernels before 6.18. */
void pidns_cache_force_fork(struct pidns_cache *cache, bool force);

/*
 * The reader's process (thread group) id as its own pid namespace numbers
 * it: the last field of NStgid in <reader_tid>/status under proc_fd.
 * 0 or -errno (-ESRCH: the reader is gone; -EBADMSG: no valid NStgid).
 */
int pidns_reader_tgid(int proc_fd, pid_t reader_tid, pid_t *ns_tgid);

/*
 * The start time (field 22 of <pid>/stat under dirfd, clock ticks since
 * boot) of a process: with its pid it names the process, as a pid alone
 * does not once the pid is reused. 0 or -errno (-ESRCH: no such process).
 */
int pidns_start_time(int dirfd, pid_t pid, uint64_t *start_ticks);

/* Pure parsers, for tests: 0 or -EBADMSG. */
int pidns_parse_stat_start(const char *stat_text, uint64_t *start_ticks);
int pidns_parse_nstgid(const char *status_text, pid_t *tgid);

#endif
