/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tasks.c - reading tasks met before: a kept /proc/<tid>/cgroup and the task's pid namespace. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "ns.h"
#include "shared.h"
#include "strutil.h"
#include "tasks.h"

#define TASKS_BUCKETS 1024
/* How often the sweeper looks, while it keeps anything. */
#define TASKS_SWEEP_NS (500LL * 1000 * 1000)

struct task {
	struct task *hash_next;
	struct task *newer, *older;	/* the use order: newest at tasks->newest */
	pid_t tid;
	int fd;				/* /proc/<tid>/cgroup */
	uint64_t pid_ns;
	unsigned users;			/* reads under way; tasks lock */
	bool kept;			/* in the table; tasks lock */
	int64_t used_ns;
};

struct tasks {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int proc_fd;
	size_t count, max;
	struct task *newest, *oldest;
	struct task *buckets[TASKS_BUCKETS];
	pthread_t sweeper;
	bool sweeper_started, stopping;
};

static void *tasks_sweeper_run(void *arg);

struct tasks *tasks_new(int proc_fd, size_t max)
{
	struct tasks *tasks = calloc(1, sizeof(*tasks));
	pthread_condattr_t attr;

	if (!tasks)
		return NULL;
	tasks->proc_fd = proc_fd;
	tasks->max = max;
	pthread_mutex_init(&tasks->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&tasks->wake, &attr);
	pthread_condattr_destroy(&attr);
	return tasks;
}

static void task_free(struct task *task)
{
	close(task->fd);
	free(task);
}

void tasks_free(struct tasks *tasks)
{
	struct task *task, *older;

	if (!tasks)
		return;
	pthread_mutex_lock(&tasks->lock);
	tasks->stopping = true;
	pthread_cond_broadcast(&tasks->wake);
	pthread_mutex_unlock(&tasks->lock);
	if (tasks->sweeper_started)
		pthread_join(tasks->sweeper, NULL);
	for (task = tasks->newest; task; task = older) {
		older = task->older;
		task_free(task);
	}
	pthread_cond_destroy(&tasks->wake);
	pthread_mutex_destroy(&tasks->lock);
	free(tasks);
}

static struct task **tasks_slot(struct tasks *tasks, pid_t tid)
{
	struct task **slot = &tasks->buckets[(uint32_t)tid % TASKS_BUCKETS];

	while (*slot && (*slot)->tid != tid)
		slot = &(*slot)->hash_next;
	return slot;
}

/* Unlink task from the use order. Lock held. */
static void tasks_unlink(struct tasks *tasks, struct task *task)
{
	if (task->newer)
		task->newer->older = task->older;
	else
		tasks->newest = task->older;
	if (task->older)
		task->older->newer = task->newer;
	else
		tasks->oldest = task->newer;
	task->newer = task->older = NULL;
}

static void tasks_push_newest(struct tasks *tasks, struct task *task)
{
	task->older = tasks->newest;
	task->newer = NULL;
	if (tasks->newest)
		tasks->newest->newer = task;
	else
		tasks->oldest = task;
	tasks->newest = task;
}

/* Take task out of the table; whoever drops its last user closes it. Lock held. */
static void tasks_forget(struct tasks *tasks, struct task *task)
{
	struct task **slot = tasks_slot(tasks, task->tid);

	if (!task->kept)
		return;
	*slot = task->hash_next;
	tasks_unlink(tasks, task);
	task->kept = false;
	tasks->count--;
}

/* Drop a user of task, and with the last one close a task no longer kept. */
static void tasks_put(struct tasks *tasks, struct task *task)
{
	bool gone;

	pthread_mutex_lock(&tasks->lock);
	gone = --task->users == 0 && !task->kept;
	pthread_mutex_unlock(&tasks->lock);
	if (gone)
		task_free(task);
}

/* The least recently used task nobody reads, out of the table; NULL if every one is read. */
static struct task *tasks_evict(struct tasks *tasks)
{
	for (struct task *task = tasks->oldest; task; task = task->newer) {
		if (task->users == 0) {
			tasks_forget(tasks, task);
			return task;
		}
	}
	return NULL;
}

/* The sweeper starts with the first task kept: the daemon forks after tasks_new(). */
static void tasks_start_sweeper(struct tasks *tasks)
{
	int rc;

	if (tasks->sweeper_started)
		return;
	rc = pthread_create(&tasks->sweeper, NULL, tasks_sweeper_run, tasks);
	if (rc != 0) {
		/* The bound still holds; idle descriptors just stay until evicted. */
		log_error("cannot start the task sweeper: %s", strerror(rc));
		return;
	}
	tasks->sweeper_started = true;
}

/*
 * Keep a task just opened (fd, pid_ns) unless the table already has its tid
 * (another worker met it at the same moment) or is full of tasks being read.
 * Returns the task to read through, with a user taken.
 */
static struct task *tasks_keep(struct tasks *tasks, pid_t tid, int fd, uint64_t pid_ns,
			       int64_t now)
{
	struct task *task = calloc(1, sizeof(*task)), *evicted = NULL, **slot;

	if (!task)
		return NULL;
	task->tid = tid;
	task->fd = fd;
	task->pid_ns = pid_ns;
	task->users = 1;
	task->used_ns = now;
	pthread_mutex_lock(&tasks->lock);
	slot = tasks_slot(tasks, tid);
	if (!*slot && tasks->count >= tasks->max)
		evicted = tasks_evict(tasks);
	if (!*slot && tasks->count < tasks->max) {
		*slot = task;
		task->kept = true;
		tasks_push_newest(tasks, task);
		if (tasks->count++ == 0)
			pthread_cond_broadcast(&tasks->wake);
		tasks_start_sweeper(tasks);
	}
	pthread_mutex_unlock(&tasks->lock);
	if (evicted)
		task_free(evicted);
	return task;
}

/*
 * Open tid's /proc/<tid>/cgroup, then read its pid namespace: a read of the
 * descriptor that succeeds after both shows the task it pins was alive when
 * the namespace was read by number, so the two are the same task's.
 */
static int tasks_open(struct tasks *tasks, pid_t tid, int *fd, uint64_t *pid_ns)
{
	char path[64];
	struct ns_id ns;
	int rc;

	snprintf(path, sizeof(path), "%d/cgroup", (int)tid);
	*fd = openat(tasks->proc_fd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (*fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	snprintf(path, sizeof(path), "%d/ns/pid", (int)tid);
	rc = ns_id_link_at(tasks->proc_fd, path, &ns);
	if (rc < 0) {
		close(*fd);
		return rc == -ENOENT ? -ESRCH : rc;
	}
	*pid_ns = (uint64_t)ns.ino;
	return 0;
}

int tasks_read_cgroup(struct tasks *tasks, pid_t tid, char *text, size_t size, size_t *len,
		      uint64_t *pid_ns)
{
	int64_t now = shared_now_ns();
	struct task *task;
	ssize_t n;
	int fd, rc;

	pthread_mutex_lock(&tasks->lock);
	task = *tasks_slot(tasks, tid);
	if (task) {
		task->users++;
		task->used_ns = now;
		tasks_unlink(tasks, task);
		tasks_push_newest(tasks, task);
	}
	pthread_mutex_unlock(&tasks->lock);
	if (task) {
		n = strutil_pread_single(task->fd, text, size);
		if (n >= 0) {
			*len = (size_t)n;
			*pid_ns = task->pid_ns;
			tasks_put(tasks, task);
			return 0;
		}
		/* ESRCH: the task it pinned has ended; tid is another's now, or nobody's. */
		pthread_mutex_lock(&tasks->lock);
		tasks_forget(tasks, task);
		pthread_mutex_unlock(&tasks->lock);
		tasks_put(tasks, task);
		if (n != -ESRCH)
			return (int)n;
	}
	rc = tasks_open(tasks, tid, &fd, pid_ns);
	if (rc < 0)
		return rc;
	task = tasks_keep(tasks, tid, fd, *pid_ns, now);
	n = strutil_pread_single(fd, text, size);
	if (task)
		tasks_put(tasks, task);
	else
		close(fd);
	if (n < 0)
		return (int)n;
	*len = (size_t)n;
	return 0;
}

void tasks_sweep(struct tasks *tasks, int64_t now_ns)
{
	struct task *idle = NULL, *task;

	pthread_mutex_lock(&tasks->lock);
	while ((task = tasks->oldest) && now_ns - task->used_ns >= TASKS_IDLE_NS) {
		tasks_forget(tasks, task);
		if (task->users == 0) {
			task->older = idle;
			idle = task;
		}
	}
	pthread_mutex_unlock(&tasks->lock);
	while ((task = idle)) {
		idle = task->older;
		task_free(task);
	}
}

size_t tasks_count(struct tasks *tasks)
{
	size_t count;

	pthread_mutex_lock(&tasks->lock);
	count = tasks->count;
	pthread_mutex_unlock(&tasks->lock);
	return count;
}

/* Every TASKS_SWEEP_NS while anything is kept; asleep while nothing is. */
static void *tasks_sweeper_run(void *arg)
{
	struct tasks *tasks = arg;
	struct timespec deadline;
	int64_t at;

	pthread_mutex_lock(&tasks->lock);
	while (!tasks->stopping) {
		if (tasks->count == 0) {
			pthread_cond_wait(&tasks->wake, &tasks->lock);
			continue;
		}
		at = shared_now_ns() + TASKS_SWEEP_NS;
		deadline.tv_sec = (time_t)(at / 1000000000);
		deadline.tv_nsec = (long)(at % 1000000000);
		while (!tasks->stopping &&
		       pthread_cond_timedwait(&tasks->wake, &tasks->lock, &deadline) != ETIMEDOUT)
			;
		if (tasks->stopping)
			break;
		pthread_mutex_unlock(&tasks->lock);
		tasks_sweep(tasks, shared_now_ns());
		pthread_mutex_lock(&tasks->lock);
	}
	pthread_mutex_unlock(&tasks->lock);
	return NULL;
}
