/* mirror.c - directories that show each reader its own /proc/<pid>/<source> entries. */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mirror.h"
#include "strutil.h"

const struct mirror_dir mirror_table[] = {
	{ "proc/net", "net" },
};

const size_t mirror_count = sizeof(mirror_table) / sizeof(mirror_table[0]);

#define MIRROR_BUCKETS 256

struct mirror_node {
	struct mirror_node *next_by_path;
	struct mirror_node *next_by_ino;
	uint64_t ino;
	uint64_t nlookup;
	struct mirror_key key;
	char path[];
};

struct mirror_nodes {
	pthread_mutex_t lock;
	uint64_t first_ino;
	uint64_t next_ino;
	size_t count;
	struct mirror_node *by_path[MIRROR_BUCKETS];
	struct mirror_node *by_ino[MIRROR_BUCKETS];
};

struct mirror_nodes *mirror_nodes_new(uint64_t first_ino)
{
	struct mirror_nodes *nodes = calloc(1, sizeof(*nodes));

	if (!nodes)
		return NULL;
	pthread_mutex_init(&nodes->lock, NULL);
	nodes->first_ino = nodes->next_ino = first_ino;
	return nodes;
}

void mirror_nodes_free(struct mirror_nodes *nodes)
{
	if (!nodes)
		return;
	for (size_t i = 0; i < MIRROR_BUCKETS; i++) {
		struct mirror_node *node = nodes->by_path[i], *next;

		for (; node; node = next) {
			next = node->next_by_path;
			free(node);
		}
	}
	pthread_mutex_destroy(&nodes->lock);
	free(nodes);
}

static size_t path_bucket(const struct mirror_key *key, const char *path)
{
	return (strutil_hash(path) ^ key->scope ^ (size_t)key->net_ns.ino) % MIRROR_BUCKETS;
}

static bool key_equal(const struct mirror_key *a, const struct mirror_key *b)
{
	return a->scope == b->scope && a->net_ns.ino == b->net_ns.ino &&
	       a->net_ns.dev == b->net_ns.dev;
}

int mirror_nodes_ref(struct mirror_nodes *nodes, const struct mirror_key *key,
		     const char *path, uint64_t *ino)
{
	size_t bucket = path_bucket(key, path), len = strlen(path);
	struct mirror_node *node;

	pthread_mutex_lock(&nodes->lock);
	for (node = nodes->by_path[bucket]; node; node = node->next_by_path)
		if (key_equal(&node->key, key) && strcmp(node->path, path) == 0)
			break;
	if (!node) {
		node = malloc(sizeof(*node) + len + 1);
		if (!node) {
			pthread_mutex_unlock(&nodes->lock);
			return -ENOMEM;
		}
		/* Numbers are never reused: a stale one can only miss. */
		node->ino = nodes->next_ino++;
		node->nlookup = 0;
		node->key = *key;
		memcpy(node->path, path, len + 1);
		nodes->count++;
		node->next_by_path = nodes->by_path[bucket];
		nodes->by_path[bucket] = node;
		node->next_by_ino = nodes->by_ino[node->ino % MIRROR_BUCKETS];
		nodes->by_ino[node->ino % MIRROR_BUCKETS] = node;
	}
	node->nlookup++;
	*ino = node->ino;
	pthread_mutex_unlock(&nodes->lock);
	return 0;
}

static struct mirror_node **find_by_ino(struct mirror_nodes *nodes, uint64_t ino)
{
	struct mirror_node **slot = &nodes->by_ino[ino % MIRROR_BUCKETS];

	while (*slot && (*slot)->ino != ino)
		slot = &(*slot)->next_by_ino;
	return slot;
}

int mirror_nodes_get(struct mirror_nodes *nodes, uint64_t ino, struct mirror_key *key,
		     char *path, size_t size)
{
	struct mirror_node *node;
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

void mirror_nodes_forget(struct mirror_nodes *nodes, uint64_t ino, uint64_t nlookup)
{
	struct mirror_node **by_ino, **by_path, *node;

	pthread_mutex_lock(&nodes->lock);
	by_ino = find_by_ino(nodes, ino);
	node = *by_ino;
	if (node)
		node->nlookup -= nlookup < node->nlookup ? nlookup : node->nlookup;
	if (node && node->nlookup == 0) {
		*by_ino = node->next_by_ino;
		by_path = &nodes->by_path[path_bucket(&node->key, node->path)];
		while (*by_path != node)
			by_path = &(*by_path)->next_by_path;
		*by_path = node->next_by_path;
		nodes->count--;
		free(node);
	}
	pthread_mutex_unlock(&nodes->lock);
}

int mirror_nodes_owns(const struct mirror_nodes *nodes, uint64_t ino)
{
	return ino >= nodes->first_ino;
}

size_t mirror_nodes_count(struct mirror_nodes *nodes)
{
	size_t count;

	pthread_mutex_lock(&nodes->lock);
	count = nodes->count;
	pthread_mutex_unlock(&nodes->lock);
	return count;
}
