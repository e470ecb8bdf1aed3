/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fs_container.c - c/<name>/: one copy of the tree per container name, alive while the kernel holds it. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fs_internal.h"
#include "log.h"

static void *fs_reclaimer_run(void *arg);

bool fs_container_name_valid(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len > FS_CONTAINER_NAME_MAX || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'))
			return false;
	}
	return true;
}

static size_t fs_container_bucket(const char *name)
{
	uint32_t hash = 2166136261u;

	for (; *name; name++)
		hash = (hash ^ (unsigned char)*name) * 16777619u;
	return hash % FS_CONTAINER_BUCKETS;
}

/*
 * Ask the kernel to forget names nobody looked up for a while: it drops the
 * dentries nobody uses, and their forgets free the slots. A name in use (a
 * bind mount, an open file) stays. Runs in its own thread: invalidating an
 * entry takes the c/ directory's lock, which a lookup there holds.
 */
static void fs_container_offer_back(struct fs *fs)
{
	if (fs->reclaimer_started || !fs->se)
		return;
	if (pthread_create(&fs->reclaimer, NULL, fs_reclaimer_run, fs) == 0) {
		pthread_detach(fs->reclaimer);
		fs->reclaimer_started = true;
	}
}

static void *fs_reclaimer_run(void *arg)
{
	struct fs *fs = arg;
	char (*names)[FS_CONTAINER_NAME_MAX + 1] = malloc(FS_CONTAINERS_MAX * sizeof(*names));
	time_t now = time(NULL);
	size_t count = 0;

	pthread_mutex_lock(&fs->containers_lock);
	for (size_t i = 0; names && i < FS_CONTAINERS_MAX; i++)
		if (fs->containers[i].used &&
		    now - fs->containers[i].last_lookup >= FS_CONTAINER_IDLE_SECONDS)
			strcpy(names[count++], fs->containers[i].name);
	pthread_mutex_unlock(&fs->containers_lock);
	for (size_t i = 0; i < count; i++)
		fuse_lowlevel_notify_inval_entry(fs->se, fs->containers_ino, names[i],
						 strlen(names[i]));
	free(names);
	pthread_mutex_lock(&fs->containers_lock);
	fs->reclaimer_started = false;
	pthread_mutex_unlock(&fs->containers_lock);
	log_debug("offered %zu idle container names back to the kernel", count);
	return NULL;
}

/* The slot of name, made if new, with one more lookup counted. */
int fs_container_ref(struct fs *fs, const char *name, unsigned *scope)
{
	size_t bucket = fs_container_bucket(name);
	bool made = false;
	int i, rc = 0;

	pthread_mutex_lock(&fs->containers_lock);
	for (i = fs->container_buckets[bucket]; i >= 0; i = fs->containers[i].next)
		if (strcmp(fs->containers[i].name, name) == 0)
			break;
	if (i < 0) {
		for (i = 0; i < FS_CONTAINERS_MAX && fs->containers[i].used; i++)
			;
		if (fs->container_count >= FS_CONTAINERS_MAX * 3 / 4)
			fs_container_offer_back(fs);
		if (i == FS_CONTAINERS_MAX) {
			log_error("%d container names in use: c/%s refused", FS_CONTAINERS_MAX, name);
			rc = -ENOSPC;
			goto out_unlock;
		}
		fs->containers[i].used = true;
		strcpy(fs->containers[i].name, name);
		fs->containers[i].nlookup = 0;
		fs->containers[i].next = fs->container_buckets[bucket];
		fs->container_buckets[bucket] = i;
		fs->container_count++;
		made = true;
	}
	fs->containers[i].nlookup++;
	fs->containers[i].last_lookup = time(NULL);
	*scope = (unsigned)i + 1;
out_unlock:
	pthread_mutex_unlock(&fs->containers_lock);
	if (made)
		fs_journal_container(fs, (size_t)i, name);
	return rc;
}

/* Free slot i. Containers lock held. */
static void fs_container_drop(struct fs *fs, int i)
{
	struct fs_container *c = &fs->containers[i];
	int *link = &fs->container_buckets[fs_container_bucket(c->name)];

	while (*link != i)
		link = &fs->containers[*link].next;
	*link = c->next;
	c->used = false;
	c->name[0] = '\0';
	fs->container_count--;
}

int fs_container_restore(struct fs *fs, size_t slot, uint64_t nlookup, const char *name)
{
	size_t bucket = fs_container_bucket(name);
	int i;

	if (slot >= FS_CONTAINERS_MAX || nlookup == 0 || !fs_container_name_valid(name))
		return -EINVAL;
	pthread_mutex_lock(&fs->containers_lock);
	/* A later line wins: the slot or the name was given again since. */
	for (i = fs->container_buckets[bucket]; i >= 0; i = fs->containers[i].next)
		if (strcmp(fs->containers[i].name, name) == 0)
			break;
	if (i >= 0)
		fs_container_drop(fs, i);
	if (fs->containers[slot].used)
		fs_container_drop(fs, (int)slot);
	fs->containers[slot].used = true;
	strcpy(fs->containers[slot].name, name);
	fs->containers[slot].nlookup = nlookup;
	fs->containers[slot].last_lookup = time(NULL);
	fs->containers[slot].next = fs->container_buckets[bucket];
	fs->container_buckets[bucket] = (int)slot;
	fs->container_count++;
	pthread_mutex_unlock(&fs->containers_lock);
	return 0;
}

void fs_container_forget(struct fs *fs, unsigned scope, uint64_t nlookup)
{
	struct fs_container *c = &fs->containers[scope - 1];

	pthread_mutex_lock(&fs->containers_lock);
	if (c->used) {
		c->nlookup -= nlookup < c->nlookup ? nlookup : c->nlookup;
		if (c->nlookup == 0)
			fs_container_drop(fs, (int)(scope - 1));
	}
	pthread_mutex_unlock(&fs->containers_lock);
}
