/* SPDX-License-Identifier: GPL-2.0-or-later */
/* budget.c - how many open files each user and each pid namespace may hold in the daemon. */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "budget.h"

#define BUDGET_BUCKETS 256

enum budget_kind { BUDGET_USER, BUDGET_PID_NS };

struct budget_entry {
	struct budget_entry *next;
	enum budget_kind kind;
	uint64_t id;
	unsigned count;
};

struct budget {
	pthread_mutex_t lock;
	struct budget_limits limits;
	unsigned total;
	struct budget_entry *buckets[BUDGET_BUCKETS];
};

void budget_default_limits(uint64_t fd_limit, struct budget_limits *limits)
{
	/*
	 * A quarter of the descriptors for open files (each holds up to three),
	 * the rest for kept cgroup files and namespace sockets; no tenant more
	 * than a quarter of those, and at most 1,024.
	 */
	uint64_t total = fd_limit / 4;

	limits->total = total > 65536 ? 65536 : total < 64 ? 64 : (unsigned)total;
	limits->per_user = limits->total / 4 < 1024 ? limits->total / 4 : 1024;
	limits->per_pid_ns = limits->per_user;
	limits->host_pid_ns = 0;
}

struct budget *budget_new(const struct budget_limits *limits)
{
	struct budget *budget = calloc(1, sizeof(*budget));

	if (!budget)
		return NULL;
	pthread_mutex_init(&budget->lock, NULL);
	budget->limits = *limits;
	return budget;
}

void budget_free(struct budget *budget)
{
	if (!budget)
		return;
	for (size_t i = 0; i < BUDGET_BUCKETS; i++) {
		struct budget_entry *e = budget->buckets[i], *next;

		for (; e; e = next) {
			next = e->next;
			free(e);
		}
	}
	pthread_mutex_destroy(&budget->lock);
	free(budget);
}

static struct budget_entry **budget_slot(struct budget *budget, enum budget_kind kind,
					 uint64_t id)
{
	struct budget_entry **slot = &budget->buckets[(id * 2654435761u + kind) % BUDGET_BUCKETS];

	while (*slot && ((*slot)->kind != kind || (*slot)->id != id))
		slot = &(*slot)->next;
	return slot;
}

/* The entry of (kind, id), made with count 0 if missing; NULL on ENOMEM. */
static struct budget_entry *budget_entry_get(struct budget *budget, enum budget_kind kind,
					     uint64_t id)
{
	struct budget_entry **slot = budget_slot(budget, kind, id);

	if (!*slot) {
		*slot = calloc(1, sizeof(**slot));
		if (*slot) {
			(*slot)->kind = kind;
			(*slot)->id = id;
		}
	}
	return *slot;
}

static void budget_entry_put(struct budget *budget, enum budget_kind kind, uint64_t id)
{
	struct budget_entry **slot = budget_slot(budget, kind, id), *e = *slot;

	if (!e)
		return;
	if (e->count > 0)
		e->count--;
	if (e->count == 0) {
		*slot = e->next;
		free(e);
	}
}

static bool budget_host_pid_ns(const struct budget *budget, uint64_t pid_ns)
{
	return budget->limits.host_pid_ns != 0 && pid_ns == budget->limits.host_pid_ns;
}

int budget_take(struct budget *budget, uid_t uid, uint64_t pid_ns)
{
	struct budget_entry *user = NULL, *ns = NULL;
	int rc = 0;

	pthread_mutex_lock(&budget->lock);
	if (budget->total >= budget->limits.total) {
		rc = -ENFILE;
		goto out_unlock;
	}
	if (!budget_host_pid_ns(budget, pid_ns))
		ns = budget_entry_get(budget, BUDGET_PID_NS, pid_ns);
	if (uid != 0)
		user = budget_entry_get(budget, BUDGET_USER, uid);
	if ((!budget_host_pid_ns(budget, pid_ns) && !ns) || (uid != 0 && !user))
		rc = -ENOMEM;
	else if ((ns && ns->count >= budget->limits.per_pid_ns) ||
		 (user && user->count >= budget->limits.per_user))
		rc = -EMFILE;
	if (rc == 0) {
		if (ns)
			ns->count++;
		if (user)
			user->count++;
		budget->total++;
	} else {
		/* Drop the entries made for nothing. */
		if (ns && ns->count == 0)
			budget_entry_put(budget, BUDGET_PID_NS, pid_ns);
		if (user && user->count == 0)
			budget_entry_put(budget, BUDGET_USER, uid);
	}
out_unlock:
	pthread_mutex_unlock(&budget->lock);
	return rc;
}

void budget_give(struct budget *budget, uid_t uid, uint64_t pid_ns)
{
	pthread_mutex_lock(&budget->lock);
	if (!budget_host_pid_ns(budget, pid_ns))
		budget_entry_put(budget, BUDGET_PID_NS, pid_ns);
	if (uid != 0)
		budget_entry_put(budget, BUDGET_USER, uid);
	if (budget->total > 0)
		budget->total--;
	pthread_mutex_unlock(&budget->lock);
}
