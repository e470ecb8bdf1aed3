/* SPDX-License-Identifier: GPL-2.0-or-later */
/* node.c - inode numbers of the entries that come and go: by key and path, counted by lookups. */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "node.h"
#include "strutil.h"

#define NODE_BUCKETS 256

struct node {
	struct node *next_by_path;
	struct node *next_by_ino;
	uint64_t ino;
	uint64_t nlookup;
	struct node_key key;
	char path[];
};

struct node_table {
	pthread_mutex_t lock;
	node_table_journal_fn journal;
	void *journal_arg;
	uint64_t first_ino;
	uint64_t next_ino;
	size_t count;
	struct node *by_path[NODE_BUCKETS];
	struct node *by_ino[NODE_BUCKETS];
};

struct node_table *node_table_new(uint64_t first_ino)
{
	struct node_table *nodes = calloc(1, sizeof(*nodes));

	if (!nodes)
		return NULL;
	pthread_mutex_init(&nodes->lock, NULL);
	nodes->first_ino = nodes->next_ino = first_ino;
	return nodes;
}

void node_table_free(struct node_table *nodes)
{
	if (!nodes)
		return;
	for (size_t i = 0; i < NODE_BUCKETS; i++) {
		struct node *node = nodes->by_path[i], *next;

		for (; node; node = next) {
			next = node->next_by_path;
			free(node);
		}
	}
	pthread_mutex_destroy(&nodes->lock);
	free(nodes);
}

static size_t path_bucket(const struct node_key *key, const char *path)
{
	return (strutil_hash(path) ^ key->scope ^ key->kind ^ (size_t)key->ns.ino) % NODE_BUCKETS;
}

static bool key_equal(const struct node_key *a, const struct node_key *b)
{
	return a->scope == b->scope && a->kind == b->kind && a->ns.ino == b->ns.ino &&
	       a->ns.dev == b->ns.dev;
}

static struct node **find_by_ino(struct node_table *nodes, uint64_t ino)
{
	struct node **slot = &nodes->by_ino[ino % NODE_BUCKETS];

	while (*slot && (*slot)->ino != ino)
		slot = &(*slot)->next_by_ino;
	return slot;
}

/* The node of (key, path); NULL if none. Lock held. */
static struct node *find_by_path(struct node_table *nodes, const struct node_key *key,
				 const char *path)
{
	struct node *node = nodes->by_path[path_bucket(key, path)];

	while (node && !(key_equal(&node->key, key) && strcmp(node->path, path) == 0))
		node = node->next_by_path;
	return node;
}

/* A new node numbered ino, linked in. Lock held. */
static struct node *node_insert(struct node_table *nodes, const struct node_key *key,
				const char *path, uint64_t ino)
{
	size_t len = strlen(path), bucket = path_bucket(key, path);
	struct node *node = malloc(sizeof(*node) + len + 1);

	if (!node)
		return NULL;
	node->ino = ino;
	node->nlookup = 0;
	node->key = *key;
	memcpy(node->path, path, len + 1);
	nodes->count++;
	node->next_by_path = nodes->by_path[bucket];
	nodes->by_path[bucket] = node;
	node->next_by_ino = nodes->by_ino[ino % NODE_BUCKETS];
	nodes->by_ino[ino % NODE_BUCKETS] = node;
	return node;
}

int node_table_ref(struct node_table *nodes, const struct node_key *key,
		   const char *path, uint64_t *ino)
{
	struct node *node;

	node_table_journal_fn journal = NULL;
	void *journal_arg = NULL;

	pthread_mutex_lock(&nodes->lock);
	node = find_by_path(nodes, key, path);
	/* Numbers are never reused: a stale one can only miss. */
	if (!node && (node = node_insert(nodes, key, path, nodes->next_ino))) {
		nodes->next_ino++;
		journal = nodes->journal;
		journal_arg = nodes->journal_arg;
	}
	if (!node) {
		pthread_mutex_unlock(&nodes->lock);
		return -ENOMEM;
	}
	node->nlookup++;
	*ino = node->ino;
	pthread_mutex_unlock(&nodes->lock);
	if (journal)
		journal(journal_arg, *ino, key, path);
	return 0;
}

void node_table_set_journal(struct node_table *nodes, node_table_journal_fn fn, void *arg)
{
	pthread_mutex_lock(&nodes->lock);
	nodes->journal = fn;
	nodes->journal_arg = arg;
	pthread_mutex_unlock(&nodes->lock);
}

/* Unlink and free node. Lock held. */
static void node_remove(struct node_table *nodes, struct node *node)
{
	struct node **by_ino = find_by_ino(nodes, node->ino), **by_path;

	*by_ino = node->next_by_ino;
	by_path = &nodes->by_path[path_bucket(&node->key, node->path)];
	while (*by_path != node)
		by_path = &(*by_path)->next_by_path;
	*by_path = node->next_by_path;
	nodes->count--;
	free(node);
}

int node_table_restore(struct node_table *nodes, uint64_t ino, const struct node_key *key,
		       const char *path, uint64_t nlookup)
{
	struct node *node;
	int rc = 0;

	if (ino < nodes->first_ino || nlookup == 0)
		return -EINVAL;
	pthread_mutex_lock(&nodes->lock);
	/* A later number for the same entry wins: the earlier one was forgotten. */
	node = find_by_path(nodes, key, path);
	if (node && node->ino != ino)
		node_remove(nodes, node);
	if (*find_by_ino(nodes, ino))
		rc = -EEXIST;
	else if (!(node = node_insert(nodes, key, path, ino)))
		rc = -ENOMEM;
	else
		node->nlookup = nlookup;
	if (rc == 0 && ino >= nodes->next_ino)
		nodes->next_ino = ino + 1;
	pthread_mutex_unlock(&nodes->lock);
	return rc;
}

int node_table_each(struct node_table *nodes,
		    int (*fn)(void *arg, uint64_t ino, const struct node_key *key,
			      const char *path, uint64_t nlookup),
		    void *arg)
{
	int rc = 0;

	pthread_mutex_lock(&nodes->lock);
	for (size_t i = 0; i < NODE_BUCKETS && rc == 0; i++)
		for (struct node *node = nodes->by_ino[i]; node && rc == 0;
		     node = node->next_by_ino)
			rc = fn(arg, node->ino, &node->key, node->path, node->nlookup);
	pthread_mutex_unlock(&nodes->lock);
	return rc;
}

int node_table_get(struct node_table *nodes, uint64_t ino, struct node_key *key,
		   char *path, size_t size)
{
	struct node *node;
	int rc = -ENOENT;

	pthread_mutex_lock(&nodes->lock);
	node = *find_by_ino(nodes, ino);
	if (node) {
		rc = strlen(node->path) < size ? 0 : -ENAMETOOLONG;
		if (rc == 0) {
			strcpy(path, node->path);
			*key = node->key;
		}
	}
	pthread_mutex_unlock(&nodes->lock);
	return rc;
}

void node_table_forget(struct node_table *nodes, uint64_t ino, uint64_t nlookup)
{
	struct node *node;

	pthread_mutex_lock(&nodes->lock);
	node = *find_by_ino(nodes, ino);
	if (node)
		node->nlookup -= nlookup < node->nlookup ? nlookup : node->nlookup;
	if (node && node->nlookup == 0)
		node_remove(nodes, node);
	pthread_mutex_unlock(&nodes->lock);
}

int node_table_owns(const struct node_table *nodes, uint64_t ino)
{
	return ino >= nodes->first_ino;
}

size_t node_table_count(struct node_table *nodes)
{
	size_t count;

	pthread_mutex_lock(&nodes->lock);
	count = nodes->count;
	pthread_mutex_unlock(&nodes->lock);
	return count;
}
