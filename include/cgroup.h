/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cgroup.h - one controller's cgroup hierarchy: where it is, v1 or v2, and reading its files. */
#ifndef PROCLENS_CGROUP_H
#define PROCLENS_CGROUP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* A limit file that says "max" (v2), or a v1 limit that was never set. */
#define CGROUP_UNLIMITED UINT64_MAX

enum cgroup_version {
	CGROUP_NONE = 0,	/* the controller is not mounted */
	CGROUP_V1 = 1,
	CGROUP_V2 = 2,
};

/*
 * The descriptors each hierarchy's table of cgroups may hold: the open file
 * limit over this (65,536 / 8 = 8,192 in the daemon, about 1,600 memory
 * cgroups of a directory and four files each). budget.c gives readers'
 * open files a quarter of the limit, with up to three descriptors each;
 * the memory and pids tables take an eighth each. Idle cgroups (no reader
 * holds them) are closed whole, least recently used first, while a table
 * holds more; cgroups in use are never closed.
 */
#define CGROUP_CACHE_FD_SHARE 8

/*
 * Levels of a walk up from a reader's cgroup that are kept as nodes, with
 * their files open; the levels above are read through descriptors opened
 * and closed by the walk (cgroup_dir_*), so that one reader at the bottom
 * of a deep chain holds no more of the table than any other.
 */
#define CGROUP_KEPT_DEPTH 32

struct cgroup_cache;

/* One cgroup, known by its directory's identity, not its path (see cgroup.c). */
struct cgroup_node;

struct cgroup_hierarchy {
	const char *controller;		/* "memory" */
	enum cgroup_version version;
	int dirfd;			/* root of the hierarchy, or -1 */
	struct cgroup_cache *files;	/* cgroups met, their files kept open for pread(2) */
	/* How old shared statistics may be (shared.h); 0 for fixtures: always read. */
	int64_t shared_max_age_ns;
};

/*
 * Find where the controller is mounted (libcgroup), tell v1 from v2 by the
 * file system's magic, and open the hierarchy's root. A controller that is
 * not mounted leaves version CGROUP_NONE and returns 0.
 */
int cgroup_hierarchy_open(struct cgroup_hierarchy *h, const char *controller);

/* Use the directory at path as the hierarchy root (test fixtures, --sysroot). */
int cgroup_hierarchy_open_path(struct cgroup_hierarchy *h, const char *controller,
			       const char *path, enum cgroup_version version);

void cgroup_hierarchy_close(struct cgroup_hierarchy *h);

const char *cgroup_version_name(enum cgroup_version version);

/*
 * From the text of /proc/<pid>/cgroup, the path of the cgroup the controller
 * puts the process in, relative to the hierarchy root: "" for the root,
 * "a/b" for /a/b. -ENOENT if the controller has no line, -EINVAL for a
 * malformed line or a path that leaves the hierarchy.
 */
int cgroup_parse_proc_cgroup(const char *text, const struct cgroup_hierarchy *h,
			     char *path, size_t size);

/* The same, for a live process, read through proc_fd. */
int cgroup_pid_path(int proc_fd, pid_t pid, const struct cgroup_hierarchy *h,
		    char *path, size_t size);

/* Turn "a/b" into "a" and "a" into ""; false when path is already the root. */
bool cgroup_path_parent(char *path);

/*
 * A reference to the cgroup at path ("" is the root) as it is now: later
 * renames, or another cgroup made under the same name, do not change which
 * cgroup the node reads. -ENOENT if there is no such cgroup.
 */
int cgroup_node_get(const struct cgroup_hierarchy *h, const char *path,
		    struct cgroup_node **node);

/* Drop a reference; accepts NULL. Every node must be put before the hierarchy closes. */
void cgroup_node_put(struct cgroup_node *node);

/*
 * The parent cgroup, NULL for the root. The parent lives as long as the
 * node does: the caller holds no reference of its own.
 */
int cgroup_node_parent(struct cgroup_node *node, struct cgroup_node **parent);

bool cgroup_node_is_root(const struct cgroup_node *node);

/* The cgroup's path when proclens first met it, for messages. */
const char *cgroup_node_path(const struct cgroup_node *node);

/*
 * Read one of the cgroup's files into buf (kept open for the next read);
 * returns its length or -errno. -ENOENT when the cgroup has no such file,
 * -ENODEV when the cgroup was removed: never another cgroup's content.
 */
ssize_t cgroup_node_read_file(struct cgroup_node *node, const char *file,
			      char *buf, size_t size);

/*
 * Read a one-number file (memory.max, memory.limit_in_bytes, ...): "max"
 * gives CGROUP_UNLIMITED; empty or malformed content gives -EBADMSG.
 */
int cgroup_node_read_u64(struct cgroup_node *node, const char *file, uint64_t *value);

/*
 * Read a file and let parse turn its text into out (size bytes), or copy
 * what parse made of it for any reader at most max_age_ns ago (0: always
 * read): statistics every reader of a cgroup shares (memory.stat). parse
 * returns 0 or -errno; what it fails on is not kept.
 */
int cgroup_node_read_shared(struct cgroup_node *node, const char *file, int64_t max_age_ns,
			    int (*parse)(const char *text, void *out, void *arg), void *arg,
			    void *out, size_t size);

/* The same, read once and then remembered: for values that cannot change. */
int cgroup_node_read_u64_once(struct cgroup_node *node, const char *file, uint64_t *value);

/*
 * A limit file's number, read again only when a write to the file was seen
 * since the last read (inotify: a write, through any mount of the hierarchy,
 * is counted before write(2) returns). Call cgroup_watch_sync() at the start
 * of each render: after it, a value served reflects every write made before
 * it, as a pread would. A file that cannot be watched is read every time.
 */
int cgroup_node_read_u64_watched(struct cgroup_node *node, const char *file, uint64_t *value);
void cgroup_watch_sync(const struct cgroup_hierarchy *h);

/* The descriptor budget of a table made now: the open file limit / CGROUP_CACHE_FD_SHARE. */
size_t cgroup_cache_fd_budget(void);

/* Give the hierarchy's table another descriptor budget (tests). */
void cgroup_hierarchy_set_fd_budget(struct cgroup_hierarchy *h, size_t fds);

/*
 * Walking above CGROUP_KEPT_DEPTH: an O_PATH descriptor of a node's parent
 * directory (cgroup_node_parent_fd) or of the directory above one such
 * (cgroup_dir_parent_fd), which the caller closes. *above is how many
 * levels the parent is below the hierarchy's root (0: it is the root),
 * from the node's path: a cgroup never moves to another parent, so the
 * walk needs no stat to know where it ends. Nothing is kept.
 */
int cgroup_node_parent_fd(struct cgroup_node *node, int *fd, unsigned *above);
int cgroup_dir_parent_fd(int dirfd, int *fd);

/*
 * Facts a caller keeps on a node, bits of its own choosing, for what cannot
 * change while the node lives (as v1's use_hierarchy of its ancestors).
 */
unsigned cgroup_node_notes(const struct cgroup_node *node);
void cgroup_node_add_notes(struct cgroup_node *node, unsigned notes);

/*
 * cgroup_node_read_file() and cgroup_node_read_u64() of a directory open
 * at dirfd, opening and closing the file: -ENODEV when the cgroup was
 * removed, -ENOENT when it has no such file.
 */
ssize_t cgroup_dir_read_file(int dirfd, const char *file, char *buf, size_t size);
int cgroup_dir_read_u64(int dirfd, const char *file, uint64_t *value);

/* How many cgroups the cache holds, idle or in use (tests). */
size_t cgroup_hierarchy_cached(const struct cgroup_hierarchy *h);

/* cgroup_node_read_file() and cgroup_node_read_u64() by path, for one read. */
ssize_t cgroup_read_file(const struct cgroup_hierarchy *h, const char *cgroup_path,
			 const char *file, char *buf, size_t size);
int cgroup_read_u64(const struct cgroup_hierarchy *h, const char *cgroup_path,
		    const char *file, uint64_t *value);

#endif
