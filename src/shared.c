/* SPDX-License-Identifier: GPL-2.0-or-later */
/* shared.c - figures read from the host once and shared by readers for a bounded age. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>

#include "shared.h"

void shared_snapshot_init(struct shared_snapshot *snap)
{
	pthread_mutex_init(&snap->lock, NULL);
	snap->taken_ns = 0;
	snap->len = 0;
	snap->cap = 0;
	snap->data = NULL;
}

void shared_snapshot_destroy(struct shared_snapshot *snap)
{
	if (!snap)
		return;
	free(snap->data);
	snap->data = NULL;
	snap->cap = snap->len = 0;
	snap->taken_ns = 0;
	pthread_mutex_destroy(&snap->lock);
}

int64_t shared_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

ssize_t shared_snapshot_get(struct shared_snapshot *snap, int64_t now_ns, int64_t max_age_ns,
			    void *out, size_t size)
{
	ssize_t rc;

	pthread_mutex_lock(&snap->lock);
	if (snap->taken_ns == 0 || now_ns - snap->taken_ns > max_age_ns)
		rc = -ESTALE;
	else if (snap->len > size)
		rc = -EFBIG;
	else {
		memcpy(out, snap->data, snap->len);
		rc = (ssize_t)snap->len;
	}
	pthread_mutex_unlock(&snap->lock);
	return rc;
}

int shared_snapshot_put(struct shared_snapshot *snap, int64_t taken_ns,
			const void *data, size_t len)
{
	int rc = 0;

	pthread_mutex_lock(&snap->lock);
	if (taken_ns <= snap->taken_ns)
		goto out_unlock;
	if (len > snap->cap) {
		unsigned char *bigger = realloc(snap->data, len);

		if (!bigger) {
			rc = -ENOMEM;
			goto out_unlock;
		}
		snap->data = bigger;
		snap->cap = len;
	}
	memcpy(snap->data, data, len);
	snap->len = len;
	snap->taken_ns = taken_ns;
out_unlock:
	pthread_mutex_unlock(&snap->lock);
	return rc;
}
