/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cgroup.c - one controller's cgroup hierarchy: where it is, v1 or v2, and reading its files. */
#include <errno.h>
#include <fcntl.h>
#include <libcgroup.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/inotify.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "cgroup.h"
#include "log.h"
#include "shared.h"
#include "strutil.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif
#ifndef CGROUP_SUPER_MAGIC
#define CGROUP_SUPER_MAGIC 0x27e0eb
#endif

const char *cgroup_version_name(enum cgroup_version version)
{
	switch (version) {
	case CGROUP_V1:
		return "cgroup v1";
	case CGROUP_V2:
		return "cgroup v2";
	default:
		return "not mounted";
	}
}

/*
 * A detached clone of the hierarchy's mount: later mounts stacked over its
 * files in our mount namespace cannot redirect what proclens reads.
 */
static int open_private_tree(const char *path)
{
	int fd = open_tree(AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);

	if (fd >= 0)
		return fd;
	/* Without CAP_SYS_ADMIN or open_tree(2) (before 5.2), the plain directory. */
	fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/*
 * Cgroups met so far, keyed by their directory's identity (st_dev, st_ino;
 * kernfs never reuses an inode number), so that a cgroup renamed, or removed
 * and made again under the same name, is never mistaken for another. Each
 * node keeps an O_PATH fd of its directory and the files read from it open,
 * so that a render reads each with one pread(2): cgroup files regenerate
 * their content for a read at offset 0.
 *
 * Locking: one mutex guards the table, the LRU list, reference counts and
 * additions to a node's lists; it is never held across a read. A node's
 * parent and file list are published with atomic stores and only grow while
 * the node is referenced, so a render walks them without the lock. Nodes
 * nobody references wait on the LRU list and are closed whole, least
 * recently used first, while the table holds more descriptors than its
 * budget (cgroup.h): a working set within the budget is never evicted.
 */
#define CGROUP_CACHE_BUCKETS 1024

struct cgroup_file {
	struct cgroup_file *next;
	/*
	 * Kept open for files read on every render; -1 for those read only
	 * now and then (a watched limit after a write, a value read once),
	 * which are opened for each such read and hold no descriptor.
	 */
	atomic_int fd;
	atomic_bool value_kept;		/* cgroup_node_read_u64_once() */
	_Atomic uint64_t value;
	/*
	 * cgroup_node_read_u64_watched(): the inotify watch (-1: none), the
	 * writes seen to the file, and the value last read with the count of
	 * writes seen before that read, the two stored together.
	 */
	int wd;				/* watch lock */
	atomic_int watch_state;		/* FILE_UNTRIED, FILE_WATCHED, FILE_UNWATCHED */
	struct cgroup_file *watch_next;	/* in the cache's watches, watch lock */
	atomic_uint changes;
	pthread_spinlock_t cached_lock;
	bool cached;
	unsigned cached_changes;
	uint64_t cached_value;
	/* cgroup_node_read_shared(): what was parsed, made on first use. */
	_Atomic(struct shared_snapshot *) shared;
	char name[];
};

struct cgroup_node {
	struct cgroup_cache *cache;
	struct cgroup_node *hash_next;
	struct cgroup_node *lru_prev, *lru_next;	/* while idle */
	bool counted;			/* its descriptors are in the cache's count */
	dev_t dev;
	ino_t ino;
	int dirfd;			/* O_PATH | O_DIRECTORY */
	unsigned refs;			/* cache lock */
	bool in_table;			/* findable: neither dead nor evicted; cache lock */
	bool is_root;
	atomic_bool dead;		/* its files read ENODEV: the cgroup was removed */
	atomic_uint notes;		/* cgroup_node_add_notes() */
	_Atomic(struct cgroup_node *) parent;	/* resolved on first use; a reference */
	_Atomic(struct cgroup_file *) files;
	char path[];			/* as first met, for messages */
};

#define CGROUP_WATCH_BUCKETS 256

enum { FILE_UNTRIED, FILE_WATCHED, FILE_UNWATCHED };

struct cgroup_cache {
	pthread_mutex_t lock;
	/*
	 * Limit files watched for writes: one inotify instance (-1 if none
	 * could be made: every read is a pread) and its watches by number. The
	 * watch lock is held while events are taken and applied, so that a
	 * render past cgroup_watch_sync() has seen every write made before it.
	 */
	pthread_mutex_t watch_lock;
	int watch_fd;
	struct cgroup_file *watches[CGROUP_WATCH_BUCKETS];
	dev_t root_dev;
	ino_t root_ino;
	size_t count;			/* nodes in the table */
	size_t idle;			/* nodes on the LRU list */
	atomic_size_t fds;		/* descriptors nodes hold, in the table or not */
	size_t fd_budget;		/* idle nodes are closed while fds exceeds it */
	struct cgroup_node *lru_oldest, *lru_newest;
	struct cgroup_node *buckets[CGROUP_CACHE_BUCKETS];
};

size_t cgroup_cache_fd_budget(void)
{
	struct rlimit nofile;
	size_t budget = 1024 / CGROUP_CACHE_FD_SHARE;

	if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur != RLIM_INFINITY)
		budget = (size_t)nofile.rlim_cur / CGROUP_CACHE_FD_SHARE;
	return budget < 64 ? 64 : budget;
}

static struct cgroup_cache *cache_new(int root_fd)
{
	struct cgroup_cache *cache;
	struct stat st;

	if (fstat(root_fd, &st) < 0)
		return NULL;
	cache = calloc(1, sizeof(*cache));
	if (!cache)
		return NULL;
	pthread_mutex_init(&cache->lock, NULL);
	pthread_mutex_init(&cache->watch_lock, NULL);
	cache->watch_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	cache->root_dev = st.st_dev;
	cache->root_ino = st.st_ino;
	cache->fd_budget = cgroup_cache_fd_budget();
	return cache;
}

static struct cgroup_file **watch_slot(struct cgroup_cache *cache, int wd)
{
	struct cgroup_file **slot = &cache->watches[(unsigned)wd % CGROUP_WATCH_BUCKETS];

	while (*slot && (*slot)->wd != wd)
		slot = &(*slot)->watch_next;
	return slot;
}

/* Stop watching f. Watch lock held. */
static void watch_remove(struct cgroup_cache *cache, struct cgroup_file *f, bool rm_watch)
{
	struct cgroup_file **slot;

	if (f->wd < 0)
		return;
	slot = watch_slot(cache, f->wd);
	if (*slot == f)
		*slot = f->watch_next;
	if (rm_watch)
		inotify_rm_watch(cache->watch_fd, f->wd);
	f->wd = -1;
	atomic_store(&f->watch_state, FILE_UNWATCHED);
}

/* Close a node's descriptors and free it; its parent reference is the caller's. */
static void node_free(struct cgroup_node *node)
{
	struct cgroup_file *f = atomic_load(&node->files), *next;
	size_t fds = 1;

	for (; f; f = next) {
		next = f->next;
		if (atomic_load(&f->watch_state) != FILE_UNTRIED) {
			pthread_mutex_lock(&node->cache->watch_lock);
			watch_remove(node->cache, f, true);
			pthread_mutex_unlock(&node->cache->watch_lock);
		}
		pthread_spin_destroy(&f->cached_lock);
		if (atomic_load(&f->fd) >= 0) {
			close(atomic_load(&f->fd));
			fds++;
		}
		shared_snapshot_destroy(atomic_load(&f->shared));
		free(atomic_load(&f->shared));
		free(f);
	}
	if (node->counted)
		atomic_fetch_sub(&node->cache->fds, fds);
	close(node->dirfd);
	free(node);
}

/* Every node in the table; references still held become invalid. */
static void cache_free(struct cgroup_cache *cache)
{
	if (!cache)
		return;
	for (size_t i = 0; i < CGROUP_CACHE_BUCKETS; i++) {
		struct cgroup_node *node = cache->buckets[i], *next;

		for (; node; node = next) {
			next = node->hash_next;
			node_free(node);
		}
	}
	if (cache->watch_fd >= 0)
		close(cache->watch_fd);
	pthread_mutex_destroy(&cache->watch_lock);
	pthread_mutex_destroy(&cache->lock);
	free(cache);
}

static struct cgroup_node **cache_slot(struct cgroup_cache *cache, dev_t dev, ino_t ino)
{
	struct cgroup_node **slot = &cache->buckets[(ino ^ dev) % CGROUP_CACHE_BUCKETS];

	while (*slot && ((*slot)->ino != ino || (*slot)->dev != dev))
		slot = &(*slot)->hash_next;
	return slot;
}

/* Cache lock held. */
static void lru_unlink(struct cgroup_cache *cache, struct cgroup_node *node)
{
	if (node->lru_prev)
		node->lru_prev->lru_next = node->lru_next;
	else
		cache->lru_oldest = node->lru_next;
	if (node->lru_next)
		node->lru_next->lru_prev = node->lru_prev;
	else
		cache->lru_newest = node->lru_prev;
	node->lru_prev = node->lru_next = NULL;
	cache->idle--;
}

/* Take a reference to a node in the table. Cache lock held. */
static void node_take(struct cgroup_cache *cache, struct cgroup_node *node)
{
	if (node->refs++ == 0)
		lru_unlink(cache, node);
}

/* Take a node out of the table, so that no lookup finds it. Cache lock held. */
static void table_remove(struct cgroup_cache *cache, struct cgroup_node *node)
{
	struct cgroup_node **slot = cache_slot(cache, node->dev, node->ino);

	if (*slot == node) {
		*slot = node->hash_next;
		node->in_table = false;
		cache->count--;
	}
}

/* The least recently used idle node, out of the table, or NULL. Cache lock held. */
static struct cgroup_node *cache_evict_oldest(struct cgroup_cache *cache)
{
	struct cgroup_node *victim = cache->lru_oldest;

	if (victim) {
		lru_unlink(cache, victim);
		table_remove(cache, victim);
	}
	return victim;
}

static struct cgroup_node *node_unref(struct cgroup_node *node);

/* Free nodes nobody uses any more, and drop the references each held on its parent. */
static void node_release_chain(struct cgroup_node *victim)
{
	while (victim) {
		struct cgroup_node *parent = atomic_load(&victim->parent);

		node_free(victim);
		victim = parent ? node_unref(parent) : NULL;
	}
}

/*
 * Drop a reference. The last one puts a live node on the LRU list (closing
 * the oldest idle node if that makes too many) and frees a dead one; returns
 * the node to free, if any. Cache lock not held.
 */
static struct cgroup_node *node_unref(struct cgroup_node *node)
{
	struct cgroup_cache *cache = node->cache;
	struct cgroup_node *victim = NULL;

	pthread_mutex_lock(&cache->lock);
	if (--node->refs > 0) {
		pthread_mutex_unlock(&cache->lock);
		return NULL;
	}
	if (!node->in_table) {
		victim = node;
	} else {
		node->lru_prev = cache->lru_newest;
		node->lru_next = NULL;
		if (cache->lru_newest)
			cache->lru_newest->lru_next = node;
		else
			cache->lru_oldest = node;
		cache->lru_newest = node;
		cache->idle++;
		if (atomic_load(&cache->fds) > cache->fd_budget)
			victim = cache_evict_oldest(cache);
	}
	pthread_mutex_unlock(&cache->lock);
	return victim;
}

/*
 * Close idle nodes, oldest first, while the table holds more descriptors
 * than its budget; a few per call, so that no request pays for many.
 */
static void cache_trim(struct cgroup_cache *cache)
{
	for (int i = 0; i < 4 && atomic_load(&cache->fds) > cache->fd_budget; i++) {
		struct cgroup_node *victim;

		pthread_mutex_lock(&cache->lock);
		victim = cache_evict_oldest(cache);
		pthread_mutex_unlock(&cache->lock);
		if (!victim)
			break;
		node_release_chain(victim);
	}
}

void cgroup_node_put(struct cgroup_node *node)
{
	struct cgroup_cache *cache;

	if (!node)
		return;
	cache = node->cache;
	node_release_chain(node_unref(node));
	cache_trim(cache);
}

/*
 * openat(2), and when out of descriptors, close the least recently used idle
 * cgroup and try once more.
 */
static int cache_openat(struct cgroup_cache *cache, int dirfd, const char *path, int flags)
{
	int fd = openat(dirfd, path, flags | O_CLOEXEC | O_NOCTTY);

	if (fd < 0 && (errno == EMFILE || errno == ENFILE)) {
		struct cgroup_node *victim;

		pthread_mutex_lock(&cache->lock);
		victim = cache_evict_oldest(cache);
		pthread_mutex_unlock(&cache->lock);
		node_release_chain(victim);
		fd = openat(dirfd, path, flags | O_CLOEXEC | O_NOCTTY);
	}
	return fd < 0 ? -errno : fd;
}

/*
 * The node of the directory open at fd, whose identity is st: the cached one
 * if there is one (fd is closed), else a new one that takes fd. A reference.
 */
static int cache_insert(struct cgroup_cache *cache, int fd, const struct stat *st,
			const char *path, struct cgroup_node **out)
{
	size_t path_len = strlen(path);
	struct cgroup_node *node = calloc(1, sizeof(*node) + path_len + 1), **slot;

	if (!node) {
		close(fd);
		return -ENOMEM;
	}
	node->cache = cache;
	node->dev = st->st_dev;
	node->ino = st->st_ino;
	node->dirfd = fd;
	node->refs = 1;
	node->in_table = true;
	node->is_root = st->st_dev == cache->root_dev && st->st_ino == cache->root_ino;
	memcpy(node->path, path, path_len + 1);

	pthread_mutex_lock(&cache->lock);
	slot = cache_slot(cache, node->dev, node->ino);
	if (*slot) {
		/* Another thread met the same cgroup first. */
		*out = *slot;
		node_take(cache, *out);
		pthread_mutex_unlock(&cache->lock);
		node_free(node);
		return 0;
	}
	*slot = node;
	cache->count++;
	node->counted = true;
	atomic_fetch_add(&cache->fds, 1);
	pthread_mutex_unlock(&cache->lock);
	cache_trim(cache);
	*out = node;
	return 0;
}

/* Open dirfd/path as a cgroup directory and find or add its node. */
static int cache_open_node(struct cgroup_cache *cache, int dirfd, const char *rel,
			   const char *path, struct cgroup_node **out)
{
	struct stat st;
	int fd = cache_openat(cache, dirfd, rel, O_PATH | O_DIRECTORY);

	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0) {
		int rc = -errno;

		close(fd);
		return rc;
	}
	return cache_insert(cache, fd, &st, path, out);
}

int cgroup_node_get(const struct cgroup_hierarchy *h, const char *path,
		    struct cgroup_node **out)
{
	const char *rel = path[0] ? path : ".";
	struct cgroup_cache *cache = h->files;
	struct cgroup_node *node;
	struct stat st;

	if (h->dirfd < 0 || !cache)
		return -ENOENT;
	/* One fstatat(2) finds a cgroup met before; only a new one is opened. */
	if (fstatat(h->dirfd, rel, &st, 0) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	pthread_mutex_lock(&cache->lock);
	node = *cache_slot(cache, st.st_dev, st.st_ino);
	if (node)
		node_take(cache, node);
	pthread_mutex_unlock(&cache->lock);
	if (node) {
		*out = node;
		return 0;
	}
	return cache_open_node(cache, h->dirfd, rel, path, out);
}

int cgroup_node_parent(struct cgroup_node *node, struct cgroup_node **out)
{
	struct cgroup_cache *cache = node->cache;
	struct cgroup_node *parent = atomic_load(&node->parent);
	char path[PATH_MAX];
	int rc;

	if (parent || node->is_root) {
		*out = parent;
		return 0;
	}
	/* kernfs renames a cgroup only within its parent: ".." never changes. */
	snprintf(path, sizeof(path), "%s", node->path);
	cgroup_path_parent(path);
	rc = cache_open_node(cache, node->dirfd, "..", path, &parent);
	if (rc < 0)
		return rc;
	pthread_mutex_lock(&cache->lock);
	if (!atomic_load(&node->parent)) {
		atomic_store(&node->parent, parent);
		parent = NULL;
	}
	pthread_mutex_unlock(&cache->lock);
	/* Another thread resolved it first: drop this lookup's reference. */
	cgroup_node_put(parent);
	*out = atomic_load(&node->parent);
	return 0;
}

bool cgroup_node_is_root(const struct cgroup_node *node)
{
	return node->is_root;
}

const char *cgroup_node_path(const struct cgroup_node *node)
{
	return node->path;
}

/* Stop finding a removed cgroup, so that a lookup by path meets its successor. */
static void node_mark_dead(struct cgroup_node *node)
{
	struct cgroup_cache *cache = node->cache;

	atomic_store(&node->dead, true);
	pthread_mutex_lock(&cache->lock);
	if (node->in_table)
		table_remove(cache, node);
	pthread_mutex_unlock(&cache->lock);
}

static struct cgroup_file *node_find_file(struct cgroup_node *node, const char *name)
{
	struct cgroup_file *f = atomic_load(&node->files);

	while (f && strcmp(f->name, name) != 0)
		f = f->next;
	return f;
}

/* Open one of node's files; -ENODEV (and the node marked dead) when the cgroup is gone. */
static int node_openat(struct cgroup_node *node, const char *name)
{
	struct stat st;
	int fd = cache_openat(node->cache, node->dirfd, name, O_RDONLY);

	if (fd == -ENOENT && fstatat(node->dirfd, "cgroup.procs", &st, 0) < 0 &&
	    errno == ENOENT) {
		/* Every cgroup has cgroup.procs; a removed one has no files at all. */
		node_mark_dead(node);
		return -ENODEV;
	}
	return fd;
}

/*
 * The node's entry for the file name, made on first use: with its
 * descriptor opened and kept when keep_fd, else with none (fd -1) until
 * a caller asks to keep one.
 */
static int node_file(struct cgroup_node *node, const char *name, bool keep_fd,
		     struct cgroup_file **out)
{
	struct cgroup_cache *cache = node->cache;
	size_t name_len = strlen(name);
	struct cgroup_file *f = node_find_file(node, name), *kept;
	int fd = -1;

	if (f && (!keep_fd || atomic_load(&f->fd) >= 0)) {
		*out = f;
		return 0;
	}
	if (keep_fd) {
		fd = node_openat(node, name);
		if (fd < 0)
			return fd;
	}
	if (f) {
		/* An entry made without a descriptor: keep this one, unless another thread did. */
		pthread_mutex_lock(&cache->lock);
		if (atomic_load(&f->fd) < 0) {
			atomic_store(&f->fd, fd);
			fd = -1;
			if (node->counted)
				atomic_fetch_add(&cache->fds, 1);
		}
		pthread_mutex_unlock(&cache->lock);
		if (fd >= 0)
			close(fd);
		else
			cache_trim(cache);
		*out = f;
		return 0;
	}
	f = calloc(1, sizeof(*f) + name_len + 1);
	if (!f) {
		if (fd >= 0)
			close(fd);
		return -ENOMEM;
	}
	atomic_init(&f->fd, fd);
	f->wd = -1;
	pthread_spin_init(&f->cached_lock, PTHREAD_PROCESS_PRIVATE);
	memcpy(f->name, name, name_len + 1);
	pthread_mutex_lock(&cache->lock);
	kept = node_find_file(node, name);
	if (!kept) {
		f->next = atomic_load(&node->files);
		atomic_store(&node->files, f);
		if (node->counted && fd >= 0)
			atomic_fetch_add(&cache->fds, 1);
	}
	pthread_mutex_unlock(&cache->lock);
	if (kept) {
		pthread_spin_destroy(&f->cached_lock);
		if (fd >= 0)
			close(fd);
		free(f);
		/* Another thread made the entry first; it may lack the descriptor asked for. */
		return node_file(node, name, keep_fd, out);
	}
	if (fd >= 0)
		cache_trim(cache);
	*out = f;
	return 0;
}

/* The file's shared snapshot, made on first use; NULL on ENOMEM. */
static struct shared_snapshot *file_shared(struct cgroup_cache *cache, struct cgroup_file *f)
{
	struct shared_snapshot *snap = atomic_load(&f->shared), *made;

	if (snap)
		return snap;
	made = malloc(sizeof(*made));
	if (!made)
		return NULL;
	shared_snapshot_init(made);
	pthread_mutex_lock(&cache->lock);
	snap = atomic_load(&f->shared);
	if (!snap) {
		atomic_store(&f->shared, made);
		snap = made;
		made = NULL;
	}
	pthread_mutex_unlock(&cache->lock);
	if (made) {
		shared_snapshot_destroy(made);
		free(made);
	}
	return snap;
}

int cgroup_node_read_shared(struct cgroup_node *node, const char *file, int64_t max_age_ns,
			    int (*parse)(const char *text, void *out, void *arg), void *arg,
			    void *out, size_t size)
{
	struct shared_snapshot *snap = NULL;
	struct cgroup_file *f;
	char text[16384];
	int64_t now = 0;
	ssize_t len;
	int rc;

	if (max_age_ns > 0) {
		if (atomic_load(&node->dead))
			return -ENODEV;
		rc = node_file(node, file, true, &f);
		if (rc < 0)
			return rc;
		snap = file_shared(node->cache, f);
		now = shared_now_ns();
		if (snap && shared_snapshot_get(snap, now, max_age_ns, out, size) == (ssize_t)size)
			return 0;
	}
	len = cgroup_node_read_file(node, file, text, sizeof(text));
	if (len < 0)
		return (int)len;
	rc = parse(text, out, arg);
	if (rc == 0 && snap)
		shared_snapshot_put(snap, now, out, size);
	return rc;
}

/* The node's entry for a file (node_file()), unless the node is known dead. */
static int node_live_file(struct cgroup_node *node, const char *name, bool keep_fd,
			  struct cgroup_file **out)
{
	if (atomic_load(&node->dead))
		return -ENODEV;
	return node_file(node, name, keep_fd, out);
}

/* Read the file open at fd, of node, in one pread; ENODEV marks the node dead. */
static ssize_t fd_pread(struct cgroup_node *node, int fd, char *buf, size_t size)
{
	ssize_t len = strutil_pread_single(fd, buf, size);

	if (len == -ENODEV)
		node_mark_dead(node);
	return len;
}

/* A descriptor to read f through: its kept one, or one opened now (*opened: close it). */
static int file_fd(struct cgroup_node *node, struct cgroup_file *f, bool *opened)
{
	int fd = atomic_load(&f->fd);

	*opened = fd < 0;
	return fd >= 0 ? fd : node_openat(node, f->name);
}

/* Read f once, through its kept descriptor or one opened for this read. */
static ssize_t file_read(struct cgroup_node *node, struct cgroup_file *f, char *buf, size_t size)
{
	bool opened;
	int fd = file_fd(node, f, &opened);
	ssize_t len;

	if (fd < 0)
		return fd;
	len = fd_pread(node, fd, buf, size);
	if (opened)
		close(fd);
	return len;
}

ssize_t cgroup_node_read_file(struct cgroup_node *node, const char *file,
			      char *buf, size_t size)
{
	struct cgroup_file *f;
	int rc = node_live_file(node, file, true, &f);

	return rc < 0 ? rc : file_read(node, f, buf, size);
}

/* A one-number file's text: "max" is CGROUP_UNLIMITED. */
static int parse_u64_file(const char *text, ssize_t len, uint64_t *value)
{
	if (len == -EFBIG)
		return -EBADMSG;
	if (len < 0)
		return (int)len;
	if (strcmp(text, "max\n") == 0 || strcmp(text, "max") == 0) {
		*value = CGROUP_UNLIMITED;
		return 0;
	}
	return strutil_parse_u64(text, (size_t)len, value) < 0 ? -EBADMSG : 0;
}

int cgroup_node_read_u64(struct cgroup_node *node, const char *file, uint64_t *value)
{
	char text[64];

	return parse_u64_file(text, cgroup_node_read_file(node, file, text, sizeof(text)),
			      value);
}

/*
 * Watch f, open at fd, for writes, once; false if it cannot be (then it is
 * read every time).
 */
static bool file_watch(struct cgroup_cache *cache, struct cgroup_file *f, int fd)
{
	int state = atomic_load(&f->watch_state);
	char path[64];

	if (state != FILE_UNTRIED)
		return state == FILE_WATCHED;
	pthread_mutex_lock(&cache->watch_lock);
	if (atomic_load(&f->watch_state) == FILE_UNTRIED) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		f->wd = inotify_add_watch(cache->watch_fd, path, IN_MODIFY | IN_ATTRIB);
		if (f->wd >= 0) {
			struct cgroup_file **slot = watch_slot(cache, f->wd);

			/* A number the kernel gave again: its old owner's watch is gone. */
			if (*slot)
				watch_remove(cache, *slot, false);
			f->watch_next = cache->watches[(unsigned)f->wd % CGROUP_WATCH_BUCKETS];
			cache->watches[(unsigned)f->wd % CGROUP_WATCH_BUCKETS] = f;
			atomic_store(&f->watch_state, FILE_WATCHED);
		} else {
			log_debug("cannot watch %s: %s (read on every render)", f->name,
				  strerror(errno));
			atomic_store(&f->watch_state, FILE_UNWATCHED);
		}
	}
	state = atomic_load(&f->watch_state);
	pthread_mutex_unlock(&cache->watch_lock);
	return state == FILE_WATCHED;
}

void cgroup_watch_sync(const struct cgroup_hierarchy *h)
{
	struct cgroup_cache *cache = h->files;
	char events[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;

	if (!cache || cache->watch_fd < 0)
		return;
	pthread_mutex_lock(&cache->watch_lock);
	/* Bounded: each read takes events queued before it; the queue is finite. */
	while ((n = read(cache->watch_fd, events, sizeof(events))) > 0) {
		for (char *p = events; p < events + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;
			struct cgroup_file *f;

			p += sizeof(*ev) + ev->len;
			if (ev->mask & IN_Q_OVERFLOW) {
				/* Events were lost: every value read before now is suspect. */
				for (size_t i = 0; i < CGROUP_WATCH_BUCKETS; i++)
					for (f = cache->watches[i]; f; f = f->watch_next)
						atomic_fetch_add(&f->changes, 1);
				continue;
			}
			f = *watch_slot(cache, ev->wd);
			if (!f)
				continue;
			atomic_fetch_add(&f->changes, 1);
			/* The file is gone (its cgroup removed): the next read says ENODEV. */
			if (ev->mask & IN_IGNORED)
				watch_remove(cache, f, false);
		}
	}
	pthread_mutex_unlock(&cache->watch_lock);
}

int cgroup_node_read_u64_watched(struct cgroup_node *node, const char *file, uint64_t *value)
{
	struct cgroup_cache *cache = node->cache;
	struct cgroup_file *f;
	unsigned changes;
	uint64_t read_value;
	char text[64];
	bool have, opened, watched;
	int rc, fd;

	/* A watched file holds no descriptor: it is opened only after a write. */
	rc = node_live_file(node, file, false, &f);
	if (rc < 0)
		return rc;
	if (atomic_load(&f->watch_state) == FILE_WATCHED) {
		/* Writes counted before the read: one counted after it makes the value stale. */
		changes = atomic_load(&f->changes);
		pthread_spin_lock(&f->cached_lock);
		have = f->cached && f->cached_changes == changes;
		read_value = f->cached_value;
		pthread_spin_unlock(&f->cached_lock);
		if (have) {
			*value = read_value;
			return 0;
		}
	} else if (atomic_load(&f->watch_state) == FILE_UNWATCHED || cache->watch_fd < 0) {
		/* Read on every render: keep its descriptor, as for any such file. */
		rc = node_file(node, file, true, &f);
		return rc < 0 ? rc : parse_u64_file(text, file_read(node, f, text, sizeof(text)),
						    value);
	}
	fd = file_fd(node, f, &opened);
	if (fd < 0)
		return fd;
	/* Watched before the count is taken, and the count before the read. */
	watched = file_watch(cache, f, fd);
	changes = atomic_load(&f->changes);
	rc = parse_u64_file(text, fd_pread(node, fd, text, sizeof(text)), &read_value);
	if (opened)
		close(fd);
	if (rc < 0)
		return rc;
	pthread_spin_lock(&f->cached_lock);
	/* Never over a value read after more writes were seen. */
	if (watched && (!f->cached || (int)(changes - f->cached_changes) >= 0)) {
		f->cached = true;
		f->cached_changes = changes;
		f->cached_value = read_value;
	}
	pthread_spin_unlock(&f->cached_lock);
	*value = read_value;
	return 0;
}

int cgroup_node_read_u64_once(struct cgroup_node *node, const char *file, uint64_t *value)
{
	struct cgroup_file *f;
	char text[64];
	int rc;

	/* Read once, then remembered: no descriptor is kept for it. */
	rc = node_live_file(node, file, false, &f);
	if (rc < 0)
		return rc;
	if (atomic_load(&f->value_kept)) {
		*value = atomic_load(&f->value);
		return 0;
	}
	rc = parse_u64_file(text, file_read(node, f, text, sizeof(text)), value);
	if (rc < 0)
		return rc;
	atomic_store(&f->value, *value);
	atomic_store(&f->value_kept, true);
	return 0;
}

/* dirfd/.. as an O_PATH descriptor. */
static int dir_parent_fd(int dirfd, int *fd)
{
	*fd = openat(dirfd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
	return *fd < 0 ? -errno : 0;
}

int cgroup_node_parent_fd(struct cgroup_node *node, int *fd, unsigned *above)
{
	unsigned components = node->path[0] ? 1 : 0;

	*fd = -1;
	if (node->is_root)
		return -ENOENT;
	for (const char *p = node->path; *p; p++)
		components += *p == '/';
	*above = components ? components - 1 : 0;
	return dir_parent_fd(node->dirfd, fd);
}

int cgroup_dir_parent_fd(int dirfd, int *fd)
{
	return dir_parent_fd(dirfd, fd);
}

unsigned cgroup_node_notes(const struct cgroup_node *node)
{
	return atomic_load(&node->notes);
}

void cgroup_node_add_notes(struct cgroup_node *node, unsigned notes)
{
	atomic_fetch_or(&node->notes, notes);
}

ssize_t cgroup_dir_read_file(int dirfd, const char *file, char *buf, size_t size)
{
	int fd = openat(dirfd, file, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	struct stat st;
	ssize_t len;

	if (fd < 0) {
		/* As node_file(): a removed cgroup has no files at all. */
		if (errno == ENOENT && fstatat(dirfd, "cgroup.procs", &st, 0) < 0 &&
		    errno == ENOENT)
			return -ENODEV;
		return -errno;
	}
	len = strutil_pread_single(fd, buf, size);
	close(fd);
	return len;
}

int cgroup_dir_read_u64(int dirfd, const char *file, uint64_t *value)
{
	char text[64];

	return parse_u64_file(text, cgroup_dir_read_file(dirfd, file, text, sizeof(text)), value);
}

void cgroup_hierarchy_set_fd_budget(struct cgroup_hierarchy *h, size_t fds)
{
	if (!h->files)
		return;
	h->files->fd_budget = fds;
	cache_trim(h->files);
}

size_t cgroup_hierarchy_cached(const struct cgroup_hierarchy *h)
{
	size_t count;

	if (!h->files)
		return 0;
	pthread_mutex_lock(&h->files->lock);
	count = h->files->count;
	pthread_mutex_unlock(&h->files->lock);
	return count;
}

int cgroup_hierarchy_open_path(struct cgroup_hierarchy *h, const char *controller,
			       const char *path, enum cgroup_version version)
{
	int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	h->controller = controller;
	h->version = version;
	h->dirfd = fd;
	h->shared_max_age_ns = 0;
	h->files = cache_new(fd);
	if (!h->files) {
		close(fd);
		h->dirfd = -1;
		return -ENOMEM;
	}
	return 0;
}

int cgroup_hierarchy_open(struct cgroup_hierarchy *h, const char *controller)
{
	static bool libcgroup_ready;
	char *mount_point = NULL;
	struct statfs sfs;
	int rc, fd;

	h->controller = controller;
	h->version = CGROUP_NONE;
	h->dirfd = -1;
	h->files = NULL;
	h->shared_max_age_ns = SHARED_MAX_AGE_NS;

	if (!libcgroup_ready) {
		rc = cgroup_init();
		if (rc == ECGROUPNOTMOUNTED)
			return 0;
		if (rc != 0) {
			log_error("libcgroup: %s", cgroup_strerror(rc));
			return -ENODEV;
		}
		libcgroup_ready = true;
	}
	rc = cgroup_get_subsys_mount_point(controller, &mount_point);
	if (rc != 0 || !mount_point) {
		free(mount_point);
		return 0;
	}
	if (statfs(mount_point, &sfs) < 0) {
		rc = -errno;
		goto out_free_mount_point;
	}
	if (sfs.f_type == CGROUP2_SUPER_MAGIC) {
		h->version = CGROUP_V2;
	} else if (sfs.f_type == CGROUP_SUPER_MAGIC) {
		h->version = CGROUP_V1;
	} else {
		log_error("%s: not a cgroup file system", mount_point);
		rc = -ENODEV;
		goto out_free_mount_point;
	}
	fd = open_private_tree(mount_point);
	if (fd < 0) {
		rc = fd;
		h->version = CGROUP_NONE;
		goto out_free_mount_point;
	}
	h->dirfd = fd;
	h->files = cache_new(fd);
	if (!h->files) {
		cgroup_hierarchy_close(h);
		rc = -ENOMEM;
		goto out_free_mount_point;
	}
	log_debug("%s controller: %s at %s", controller,
		  cgroup_version_name(h->version), mount_point);
	rc = 0;
out_free_mount_point:
	free(mount_point);
	return rc;
}

void cgroup_hierarchy_close(struct cgroup_hierarchy *h)
{
	if (!h || h->dirfd < 0)
		return;
	cache_free(h->files);
	h->files = NULL;
	close(h->dirfd);
	h->dirfd = -1;
	h->version = CGROUP_NONE;
}

/* Does the comma-separated list hold name? */
static bool list_contains(const char *list, size_t len, const char *name)
{
	size_t name_len = strlen(name);
	const char *p = list, *end = list + len;

	while (p < end) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		size_t item_len = comma ? (size_t)(comma - p) : (size_t)(end - p);

		if (item_len == name_len && memcmp(p, name, name_len) == 0)
			return true;
		if (!comma)
			break;
		p = comma + 1;
	}
	return false;
}

/*
 * Copy an absolute cgroup path without its leading slash, refusing ".." and
 * empty components: "//x" would become "/x", which openat(2) takes from the
 * file system's root, not the hierarchy's. The kernel prints neither.
 */
static int copy_cgroup_path(const char *src, size_t len, char *path, size_t size)
{
	if (len == 0 || src[0] != '/')
		return -EINVAL;
	src++;
	len--;
	if (len >= size)
		return -ENAMETOOLONG;
	for (size_t i = 0; i < len; i++) {
		bool at_start = i == 0 || src[i - 1] == '/';

		if (at_start && src[i] == '/')
			return -EINVAL;
		if (at_start && src[i] == '.' && i + 1 < len && src[i + 1] == '.' &&
		    (i + 2 == len || src[i + 2] == '/'))
			return -EINVAL;
	}
	memcpy(path, src, len);
	path[len] = '\0';
	return 0;
}

int cgroup_parse_proc_cgroup(const char *text, const struct cgroup_hierarchy *h,
			     char *path, size_t size)
{
	const char *line = text;

	/* Each line is "hierarchy-id:controller-list:path"; v2's is "0::path". */
	while (*line) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		const char *c1 = memchr(line, ':', len);
		const char *c2 = c1 ? memchr(c1 + 1, ':', len - (size_t)(c1 + 1 - line)) : NULL;

		if (len > 0 && !c2)
			return -EINVAL;
		if (c2) {
			const char *controllers = c1 + 1;
			size_t controllers_len = (size_t)(c2 - controllers);
			const char *cg = c2 + 1;
			size_t cg_len = len - (size_t)(cg - line);
			bool match;

			if (h->version == CGROUP_V2)
				match = controllers_len == 0 && c1 - line == 1 && line[0] == '0';
			else
				match = list_contains(controllers, controllers_len, h->controller);
			if (match)
				return copy_cgroup_path(cg, cg_len, path, size);
		}
		if (!end)
			break;
		line = end + 1;
	}
	return -ENOENT;
}

int cgroup_pid_path(int proc_fd, pid_t pid, const struct cgroup_hierarchy *h,
		    char *path, size_t size)
{
	char file[32], text[8192];
	ssize_t len;
	int fd;

	snprintf(file, sizeof(file), "%d/cgroup", (int)pid);
	fd = openat(proc_fd, file, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	len = strutil_pread_single(fd, text, sizeof(text));
	close(fd);
	if (len < 0)
		return (int)len;
	return cgroup_parse_proc_cgroup(text, h, path, size);
}

bool cgroup_path_parent(char *path)
{
	char *slash;

	if (path[0] == '\0')
		return false;
	slash = strrchr(path, '/');
	if (slash)
		*slash = '\0';
	else
		path[0] = '\0';
	return true;
}

ssize_t cgroup_read_file(const struct cgroup_hierarchy *h, const char *cgroup_path,
			 const char *file, char *buf, size_t size)
{
	struct cgroup_node *node;
	ssize_t len;
	int rc = cgroup_node_get(h, cgroup_path, &node);

	if (rc < 0)
		return rc;
	len = cgroup_node_read_file(node, file, buf, size);
	cgroup_node_put(node);
	return len;
}

int cgroup_read_u64(const struct cgroup_hierarchy *h, const char *cgroup_path,
		    const char *file, uint64_t *value)
{
	struct cgroup_node *node;
	int rc = cgroup_node_get(h, cgroup_path, &node);

	if (rc < 0)
		return rc;
	rc = cgroup_node_read_u64(node, file, value);
	cgroup_node_put(node);
	return rc;
}
