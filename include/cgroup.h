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

struct cgroup_fd_cache;

struct cgroup_hierarchy {
	const char *controller;		/* "memory" */
	enum cgroup_version version;
	int dirfd;			/* root of the hierarchy, or -1 */
	struct cgroup_fd_cache *files;	/* files kept open for pread(2) */
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

/* Read a cgroup's file into buf; returns its length or -errno. */
ssize_t cgroup_read_file(const struct cgroup_hierarchy *h, const char *cgroup_path,
			 const char *file, char *buf, size_t size);

/*
 * Read a one-number file (memory.max, memory.limit_in_bytes, ...): "max"
 * gives CGROUP_UNLIMITED; empty or malformed content gives -EBADMSG.
 */
int cgroup_read_u64(const struct cgroup_hierarchy *h, const char *cgroup_path,
		    const char *file, uint64_t *value);

#endif
