/* cgroup.c - one controller's cgroup hierarchy: where it is, v1 or v2, and reading its files. */
#include <errno.h>
#include <fcntl.h>
#include <libcgroup.h>
#include <pthread.h>
#include <stdatomic.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "cgroup.h"
#include "log.h"
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
 * Open cgroup files, kept so that a render reads each with one pread(2)
 * instead of a path walk, an open and a close: cgroup files regenerate their
 * content for a read at offset 0. Readers share the table under a read lock;
 * adding and evicting take the write lock. A file whose cgroup was removed
 * reads ENODEV and is opened again, which also catches a cgroup recreated
 * under the same name.
 */
#define CGROUP_FD_BUCKETS 1024
#define CGROUP_FD_MAX 1024

struct cgroup_fd_entry {
	struct cgroup_fd_entry *next;
	atomic_uint_fast64_t last_used;
	int fd;
	char key[];			/* "a/b/memory.stat" */
};

struct cgroup_fd_cache {
	pthread_rwlock_t lock;
	atomic_uint_fast64_t clock;
	size_t count;
	struct cgroup_fd_entry *buckets[CGROUP_FD_BUCKETS];
};

static struct cgroup_fd_cache *fd_cache_new(void)
{
	struct cgroup_fd_cache *cache = calloc(1, sizeof(*cache));

	if (cache)
		pthread_rwlock_init(&cache->lock, NULL);
	return cache;
}

static void fd_cache_free(struct cgroup_fd_cache *cache)
{
	if (!cache)
		return;
	for (size_t i = 0; i < CGROUP_FD_BUCKETS; i++) {
		struct cgroup_fd_entry *e = cache->buckets[i], *next;

		for (; e; e = next) {
			next = e->next;
			close(e->fd);
			free(e);
		}
	}
	pthread_rwlock_destroy(&cache->lock);
	free(cache);
}

static size_t fd_cache_bucket(const char *key)
{
	return strutil_hash(key) % CGROUP_FD_BUCKETS;
}

static struct cgroup_fd_entry **fd_cache_slot(struct cgroup_fd_cache *cache, const char *key)
{
	struct cgroup_fd_entry **slot = &cache->buckets[fd_cache_bucket(key)];

	while (*slot && strcmp((*slot)->key, key) != 0)
		slot = &(*slot)->next;
	return slot;
}

/* Unlink and close the entry least recently read. Write lock held. */
static void fd_cache_evict_oldest(struct cgroup_fd_cache *cache)
{
	struct cgroup_fd_entry **oldest = NULL;

	for (size_t i = 0; i < CGROUP_FD_BUCKETS; i++)
		for (struct cgroup_fd_entry **slot = &cache->buckets[i]; *slot;
		     slot = &(*slot)->next)
			if (!oldest || (*slot)->last_used < (*oldest)->last_used)
				oldest = slot;
	if (oldest) {
		struct cgroup_fd_entry *victim = *oldest;

		*oldest = victim->next;
		close(victim->fd);
		free(victim);
		cache->count--;
	}
}

/* Keep fd under key, unless another thread got there first. */
static void fd_cache_add(struct cgroup_fd_cache *cache, const char *key, int fd)
{
	size_t key_len = strlen(key);
	struct cgroup_fd_entry **slot, *e;

	pthread_rwlock_wrlock(&cache->lock);
	slot = fd_cache_slot(cache, key);
	if (*slot || !(e = malloc(sizeof(*e) + key_len + 1))) {
		pthread_rwlock_unlock(&cache->lock);
		close(fd);
		return;
	}
	if (cache->count >= CGROUP_FD_MAX) {
		fd_cache_evict_oldest(cache);
		slot = fd_cache_slot(cache, key);
	}
	e->next = NULL;
	e->fd = fd;
	atomic_init(&e->last_used, atomic_fetch_add(&cache->clock, 1));
	memcpy(e->key, key, key_len + 1);
	*slot = e;
	cache->count++;
	pthread_rwlock_unlock(&cache->lock);
}

static void fd_cache_drop(struct cgroup_fd_cache *cache, const char *key)
{
	struct cgroup_fd_entry **slot, *e;

	pthread_rwlock_wrlock(&cache->lock);
	slot = fd_cache_slot(cache, key);
	if ((e = *slot)) {
		*slot = e->next;
		close(e->fd);
		free(e);
		cache->count--;
	}
	pthread_rwlock_unlock(&cache->lock);
}

/* Read a kept-open file; -ENOENT means "not kept", not "missing". */
static ssize_t fd_cache_read(struct cgroup_fd_cache *cache, const char *key,
			     char *buf, size_t size)
{
	struct cgroup_fd_entry *e;
	ssize_t len = -ENOENT;

	pthread_rwlock_rdlock(&cache->lock);
	e = *fd_cache_slot(cache, key);
	if (e) {
		atomic_store(&e->last_used, atomic_fetch_add(&cache->clock, 1));
		len = strutil_pread_file(e->fd, buf, size);
	}
	pthread_rwlock_unlock(&cache->lock);
	if (len == -ENODEV) {
		fd_cache_drop(cache, key);
		len = -ENOENT;
	}
	return len;
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
	h->files = fd_cache_new();
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
	h->files = fd_cache_new();
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
	fd_cache_free(h->files);
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

/* Copy an absolute cgroup path without its leading slash, refusing "..". */
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

	snprintf(file, sizeof(file), "%d/cgroup", (int)pid);
	len = strutil_read_file(proc_fd, file, text, sizeof(text));
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
	char rel[4096 + 64];
	ssize_t len;
	int n, fd;

	if (h->dirfd < 0)
		return -ENOENT;
	n = snprintf(rel, sizeof(rel), "%s%s%s", cgroup_path,
		     cgroup_path[0] ? "/" : "", file);
	if (n < 0 || (size_t)n >= sizeof(rel))
		return -ENAMETOOLONG;
	len = fd_cache_read(h->files, rel, buf, size);
	if (len != -ENOENT)
		return len;
	fd = openat(h->dirfd, rel, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 && (errno == EMFILE || errno == ENFILE)) {
		/* Out of descriptors: give back one we keep, and try once more. */
		pthread_rwlock_wrlock(&h->files->lock);
		fd_cache_evict_oldest(h->files);
		pthread_rwlock_unlock(&h->files->lock);
		fd = openat(h->dirfd, rel, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	}
	if (fd < 0)
		return -errno;
	len = strutil_pread_file(fd, buf, size);
	if (len >= 0)
		fd_cache_add(h->files, rel, fd);
	else
		close(fd);
	return len;
}

int cgroup_read_u64(const struct cgroup_hierarchy *h, const char *cgroup_path,
		    const char *file, uint64_t *value)
{
	char text[64];
	ssize_t len = cgroup_read_file(h, cgroup_path, file, text, sizeof(text));

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
