/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fs_process.c - proc/<pid>/ and proc/self, as the reader's pid namespace numbers them. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fs_internal.h"
#include "strutil.h"

const struct vfile *const fs_process_files[] = {
	&proc_pid_limits_vfile,
};

const size_t fs_process_file_count = sizeof(fs_process_files) / sizeof(fs_process_files[0]);

/* A pid as a directory name: decimal, no sign, no leading zero, in range. */
bool fs_parse_pid(const char *name, pid_t *pid)
{
	uint64_t value;

	if (name[0] < '1' || name[0] > '9' ||
	    strutil_parse_u64(name, strlen(name), &value) < 0 || value > INT32_MAX)
		return false;
	*pid = (pid_t)value;
	return true;
}

/*
 * A per-process node's path: "<pid>:<start time>" for proc/<pid>, with
 * "/<file>" for one of its files. The start time names the process: a pid
 * reused later is another node.
 */
static int fs_process_parse(const char *path, pid_t *pid, uint64_t *start,
			    const struct vfile **file)
{
	unsigned long long start_value;
	int pid_value, used = 0;

	*file = NULL;
	if (sscanf(path, "%d:%llu%n", &pid_value, &start_value, &used) != 2 || pid_value <= 0)
		return -ENOENT;
	*pid = pid_value;
	*start = start_value;
	if (path[used] == '\0')
		return 0;
	if (path[used] != '/')
		return -ENOENT;
	for (size_t i = 0; i < fs_process_file_count; i++)
		if (strcmp(path + used + 1, fs_process_files[i]->path) == 0)
			*file = fs_process_files[i];
	return *file ? 0 : -ENOENT;
}

/*
 * The process pid of the reader's pid namespace view, if it is still the one
 * that started at start (0: any), with its /proc directory's attributes.
 */
static int fs_process_find(struct pidns_view *view, pid_t pid, uint64_t *start,
			   struct stat *st)
{
	char name[16];
	uint64_t now;

	snprintf(name, sizeof(name), "%d", (int)pid);
	if (fstatat(pidns_view_fd(view), name, st, AT_SYMLINK_NOFOLLOW) < 0 ||
	    !S_ISDIR(st->st_mode) || pidns_start_time(pidns_view_fd(view), pid, &now) < 0)
		return -ENOENT;
	if (*start != 0 && now != *start)
		return -ENOENT;
	*start = now;
	return 0;
}

void fs_process_stat(const struct fs *fs, const struct stat *real, fuse_ino_t ino,
			    const struct vfile *file, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = ino;
	st->st_mode = file ? S_IFREG | file->mode : S_IFDIR | 0555;
	st->st_nlink = file ? 1 : 2;
	/* Owned by the process's user, as in /proc. */
	st->st_uid = real->st_uid;
	st->st_gid = real->st_gid;
	st->st_atim = st->st_mtim = st->st_ctim = fs->mount_time;
}

/*
 * Check a per-process node for the reader pid: the reader's pid namespace
 * must be the one the node was looked up in (another namespace's numbers
 * mean other processes), and the process must still be the one named.
 */
int fs_process_check(struct fs *fs, pid_t reader, const struct fs_loc *loc,
			    struct pidns_view **view, pid_t *pid, uint64_t *start,
			    const struct vfile **file, struct stat *real)
{
	int rc = fs_process_parse(loc->path, pid, start, file);

	if (rc < 0)
		return rc;
	rc = pidns_acquire(fs->pidns, reader, view);
	if (rc < 0)
		return rc;
	if (!ns_id_equal(pidns_view_id(*view), &loc->key.ns))
		rc = -ENOENT;
	else
		rc = fs_process_find(*view, *pid, start, real);
	if (rc < 0) {
		pidns_release(fs->pidns, *view);
		*view = NULL;
	}
	return rc;
}

/* Look up proc/<pid> (dir NULL) or proc/<pid>/<name> for the reader. */
void fs_lookup_process(fuse_req_t req, struct fs *fs, unsigned scope,
			      const struct fs_loc *dir, const char *name)
{
	pid_t reader = fuse_req_ctx(req)->pid, pid;
	const struct vfile *file = NULL;
	struct fs_loc loc = { .scope = scope };
	struct pidns_view *view = NULL;
	struct stat real, st;
	uint64_t start = 0, ino;
	int rc;

	if (dir) {
		rc = fs_process_check(fs, reader, dir, &view, &pid, &start, &file, &real);
		for (size_t i = 0; rc == 0 && i < fs_process_file_count; i++)
			if (strcmp(name, fs_process_files[i]->path) == 0)
				file = fs_process_files[i];
		if (rc == 0 && !file)
			rc = -ENOENT;
	} else if (fs_parse_pid(name, &pid)) {
		rc = pidns_acquire(fs->pidns, reader, &view);
		if (rc == 0)
			rc = fs_process_find(view, pid, &start, &real);
	} else {
		rc = -ENOENT;
	}
	if (rc == 0) {
		loc.key.scope = scope;
		loc.key.kind = file ? NODE_PROCESS_FILE : NODE_PROCESS;
		loc.key.ns = *pidns_view_id(view);
		snprintf(loc.path, sizeof(loc.path), "%d:%llu%s%s", (int)pid,
			 (unsigned long long)start, file ? "/" : "", file ? file->path : "");
		rc = node_table_ref(fs->nodes_dynamic, &loc.key, loc.path, &ino);
	}
	if (view)
		pidns_release(fs->pidns, view);
	if (rc < 0) {
		fs_reply_error(req, rc);
		return;
	}
	fs_process_stat(fs, &real, ino, file, &st);
	/* Timeouts 0: another reader's namespace numbers other processes. */
	if (fuse_reply_entry(req, &(struct fuse_entry_param){
			.ino = ino, .attr = st, .attr_timeout = fs_attr_timeout(&loc) }) != 0)
		node_table_forget(fs->nodes_dynamic, ino, 1);
}

/* proc/self: the reader's process id, as its own pid namespace numbers it. */
void fs_process_readlink(fuse_req_t req, fuse_ino_t ino)
{
	struct fs *fs = fuse_req_userdata(req);
	struct fs_loc loc;
	char target[16];
	pid_t tgid;
	int rc;

	rc = fs_locate(fs, ino, &loc);
	if (rc == 0 && (!loc.node || loc.node->kind != FS_SELF_LINK))
		rc = -EINVAL;
	if (rc == 0)
		rc = pidns_reader_tgid(fs->host->proc_fd, fuse_req_ctx(req)->pid, &tgid);
	if (rc < 0) {
		fs_reply_error(req, rc);
		return;
	}
	snprintf(target, sizeof(target), "%d", (int)tgid);
	fuse_reply_readlink(req, target);
}

/* The reader's pid namespace's proc instance, opened for listing. */
int fs_open_processes(struct fs *fs, pid_t reader)
{
	struct pidns_view *view;
	int fd, rc = pidns_acquire(fs->pidns, reader, &view);

	if (rc < 0)
		return rc;
	fd = openat(pidns_view_fd(view), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	rc = fd < 0 ? -errno : fd;
	pidns_release(fs->pidns, view);
	return rc;
}

/* proc/<pid>/: ".", ".." and its files. */
int fs_list_process(fuse_req_t req, const struct fs_loc *loc, fuse_ino_t ino,
			   off_t off, size_t size, struct buf *listing)
{
	int rc;

	off_t index = 0;

	if (loc->key.kind != NODE_PROCESS)
		return -ENOTDIR;
	rc = 0;
	if (index++ >= off && !fs_dirent_add(req, listing, size, ".", ino, S_IFDIR, index, &rc))
		return rc;
	if (index++ >= off &&
	    !fs_dirent_add(req, listing, size, "..", FS_UNKNOWN_INO, S_IFDIR, index, &rc))
		return rc;
	for (size_t i = 0; i < fs_process_file_count; i++)
		if (index++ >= off &&
		    !fs_dirent_add(req, listing, size, fs_process_files[i]->path, FS_UNKNOWN_INO,
				   S_IFREG, index, &rc))
			return rc;
	return 0;
}

static bool fs_is_pid_name(const char *name)
{
	pid_t pid;

	return fs_parse_pid(name, &pid);
}

/*
 * proc/: the table's entries at offsets 1 to FS_STATIC_MAX, then the pids of
 * the reader's pid namespace, streamed from its proc instance with that
 * instance's own offsets (the kernel numbers them from 256 up).
 */
int fs_list_processes(fuse_req_t req, struct fs *fs, struct fs_dir *dir,
			     fuse_ino_t ino, off_t off, size_t size, struct buf *listing)
{
	struct fs_loc loc;
	off_t end = off;
	int rc = fs_locate(fs, ino, &loc);

	if (rc == 0 && off < FS_STATIC_MAX)
		rc = fs_list_static(req, fs, &loc, ino, off, size, listing, &end);
	/* The table's entries did not all fit: the pids come in the next call. */
	if (rc < 0 || (off < FS_STATIC_MAX && listing->len && end < FS_STATIC_MAX &&
		       fs_list_static_count(fs, &loc) > (size_t)end))
		return rc;
	return fs_list_mirror(req, dir, ino, off < FS_STATIC_MAX ? 0 : off, size, listing,
			      fs_is_pid_name);
}

/* A per-process file: the process, as the reader's pid namespace names it. */
int fs_handle_target(struct fs *fs, pid_t reader, const struct fs_loc *loc,
			    struct fs_handle *handle)
{
	struct pidns_view *view;
	struct stat real;
	int rc;

	rc = fs_process_check(fs, reader, loc, &view, &handle->target_pid,
			      &handle->target_start, &handle->vfile, &real);
	if (rc < 0)
		return rc;
	if (!handle->vfile)
		rc = -EISDIR;
	/* Its own descriptor of the view: the view may be closed before the file. */
	if (rc == 0) {
		handle->target_dirfd = openat(pidns_view_fd(view), ".",
					      O_PATH | O_DIRECTORY | O_CLOEXEC);
		rc = handle->target_dirfd < 0 ? -errno : 0;
	}
	pidns_release(fs->pidns, view);
	return rc;
}
