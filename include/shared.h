/* SPDX-License-Identifier: GPL-2.0-or-later */
/* shared.h - figures read from the host once and shared by readers for a bounded age. */
#ifndef PROCLENS_SHARED_H
#define PROCLENS_SHARED_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

/*
 * How old a shared figure may be when a reader is served it: the host's
 * /proc/meminfo and a cgroup's memory.stat. The kernel itself folds the
 * per-cpu counters behind both about once a second and memcg statistics
 * within 2 s (mm/memcontrol.c, Linux 6.18), so 100 ms adds no staleness a
 * reader could rely on the kernel not to have. Limits and usage are never
 * shared: they are read on every render.
 */
#define SHARED_MAX_AGE_NS (100 * 1000 * 1000)

/*
 * One snapshot: bytes copied in and out under a mutex that is never held
 * across a read of the host, stamped with the time the read began.
 */
struct shared_snapshot {
	pthread_mutex_t lock;
	int64_t taken_ns;	/* CLOCK_MONOTONIC before the read; 0: none yet */
	size_t len;
	size_t cap;
	unsigned char *data;
};

void shared_snapshot_init(struct shared_snapshot *snap);

/* Frees the bytes; the snapshot may be initialized again. Accepts NULL. */
void shared_snapshot_destroy(struct shared_snapshot *snap);

/* CLOCK_MONOTONIC in ns: the stamp to take before reading what is put. */
int64_t shared_now_ns(void);

/*
 * Copy the snapshot into out (at most size bytes) if it was taken at most
 * max_age_ns before now: its length, or -ESTALE if there is none that
 * recent, or -EFBIG if it does not fit.
 */
ssize_t shared_snapshot_get(struct shared_snapshot *snap, int64_t now_ns, int64_t max_age_ns,
			    void *out, size_t size);

/*
 * Keep data (len bytes, read from the host after taken_ns) unless a newer
 * snapshot is there already. 0 or -ENOMEM; a failed put only costs the next
 * reader a read of its own.
 */
int shared_snapshot_put(struct shared_snapshot *snap, int64_t taken_ns,
			const void *data, size_t len);

#endif
