/* cgroup.c - one controller's cgroup hierarchy: where it is, v1 or v2, and reading its files. */
#include <errno.h>
#include <fcntl.h>
#include <libcgroup.h>
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

int cgroup_hierarchy_open_path(struct cgroup_hierarchy *h, const char *controller,
			       const char *path, enum cgroup_version version)
{
	int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	h->controller = controller;
	h->version = version;
	h->dirfd = fd;
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
	int n;

	if (h->dirfd < 0)
		return -ENOENT;
	n = snprintf(rel, sizeof(rel), "%s%s%s", cgroup_path,
		     cgroup_path[0] ? "/" : "", file);
	if (n < 0 || (size_t)n >= sizeof(rel))
		return -ENAMETOOLONG;
	return strutil_read_file(h->dirfd, rel, buf, size);
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
