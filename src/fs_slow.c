/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fs_slow.c - slow renders (sockstat): parked without a worker, shared per network namespace. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "fs_internal.h"

/*
 * A slow file (sockstat: socket diagnostics walk the kernel's hash tables)
 * is the same for every reader of one network namespace. Reads that need a
 * render are parked here instead of holding a worker: readers of one
 * namespace that arrive together share one render, at most FS_SLOW_WORKERS
 * workers render at once, and namespaces take turns, oldest first. Every
 * other file is served by the workers left.
 */
static struct fs_slow_group *fs_slow_group_get(struct fs *fs, const struct vfile *vfile,
					       const struct ns_id *net_ns)
{
	struct fs_slow_group *group;

	for (group = fs->slow_groups; group; group = group->next)
		if (group->vfile == vfile && ns_id_equal(&group->net_ns, net_ns))
			return group;
	group = calloc(1, sizeof(*group));
	if (!group)
		return NULL;
	group->vfile = vfile;
	group->net_ns = *net_ns;
	group->jobs_tail = &group->jobs;
	group->next = fs->slow_groups;
	fs->slow_groups = group;
	return group;
}

static void fs_slow_group_free(struct fs *fs, struct fs_slow_group *group)
{
	struct fs_slow_group **link = &fs->slow_groups;

	while (*link != group)
		link = &(*link)->next;
	*link = group->next;
	free(group);
}

/* Render once for the jobs taken, and answer each of them. */
static void fs_slow_answer(struct fs *fs, struct fs_slow_job *jobs)
{
	struct buf content = BUF_INIT;
	struct fs_slow_job *job, *next;
	int rc;

	/* Any reader of the namespace will do: the file is the namespace's. */
	rc = fs_handle_render(fs, jobs->handle, &content);
	for (job = jobs; job; job = next) {
		struct fs_reply reply;
		int read_rc;

		next = job->next;
		reply.heap = NULL;
		pthread_mutex_lock(&job->handle->lock);
		read_rc = fs_read_rendered(fs, job->handle, job->size, job->off, &content, rc,
					   &reply);
		pthread_mutex_unlock(&job->handle->lock);
		fs_read_reply(job->req, read_rc, &reply);
		fs_handle_put(job->handle);
		free(job);
	}
	buf_free(&content);
}

/* Append group to the groups waiting for a worker. Slow lock held. */
static void fs_slow_enqueue(struct fs *fs, struct fs_slow_group *group)
{
	struct fs_slow_group **tail = &fs->slow_waiting;

	while (*tail)
		tail = &(*tail)->next_waiting;
	group->next_waiting = NULL;
	*tail = group;
	group->running = false;
	group->waiting = true;
}

/*
 * Render groups until none waits; this worker is one of the slow ones. A
 * group answered goes to the back of the line if more reads came meanwhile:
 * a namespace read without pause takes turns with the others.
 */
static void fs_slow_run(struct fs *fs, struct fs_slow_group *group)
{
	pthread_mutex_lock(&fs->slow_lock);
	while (group) {
		struct fs_slow_job *jobs = group->jobs;

		if (jobs) {
			group->jobs = NULL;
			group->jobs_tail = &group->jobs;
			pthread_mutex_unlock(&fs->slow_lock);
			fs_slow_answer(fs, jobs);
			pthread_mutex_lock(&fs->slow_lock);
		}
		if (group->jobs)
			fs_slow_enqueue(fs, group);
		else
			fs_slow_group_free(fs, group);
		group = fs->slow_waiting;
		if (group) {
			fs->slow_waiting = group->next_waiting;
			group->waiting = false;
			group->running = true;
		}
	}
	fs->slow_running--;
	pthread_mutex_unlock(&fs->slow_lock);
}

/* Park a read of a slow file; 0, or -ENOMEM when it must be served here. */
int fs_slow_submit(fuse_req_t req, struct fs *fs, struct fs_handle *handle,
			  size_t size, off_t off)
{
	struct fs_slow_job *job = calloc(1, sizeof(*job));
	struct fs_slow_group *group;
	bool run = false;

	if (!job)
		return -ENOMEM;
	job->req = req;
	job->handle = handle;
	job->size = size;
	job->off = off;
	atomic_fetch_add(&handle->refs, 1);
	pthread_mutex_lock(&fs->slow_lock);
	group = fs_slow_group_get(fs, handle->vfile, &handle->reader.net_ns);
	if (!group) {
		pthread_mutex_unlock(&fs->slow_lock);
		atomic_fetch_sub(&handle->refs, 1);
		free(job);
		return -ENOMEM;
	}
	*group->jobs_tail = job;
	group->jobs_tail = &job->next;
	if (!group->running && !group->waiting) {
		if (fs->slow_running < FS_SLOW_WORKERS) {
			fs->slow_running++;
			group->running = run = true;
		} else {
			fs_slow_enqueue(fs, group);
		}
	}
	pthread_mutex_unlock(&fs->slow_lock);
	if (run)
		fs_slow_run(fs, group);
	return 0;
}
