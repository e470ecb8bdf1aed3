/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fs.c - the FUSE side: the tree of virtual files and the low-level operations. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "access.h"
#include "budget.h"
#include "buf.h"
#include "fs.h"
#include "fs_internal.h"
#include "handle.h"
#include "log.h"
#include "mirror.h"
#include "node.h"
#include "pidns.h"
#include "strutil.h"
#include "tasks.h"
#include "reader.h"
#include "vfile.h"

/* --- the table ----------------------------------------------------------- */

fuse_ino_t fs_static_ino(const char *path)
{
	return path[0] ? 2 + strutil_hash(path) % (FS_STATIC_INOS - 2) : FUSE_ROOT_ID;
}

struct fs_node *fs_node(struct fs *fs, fuse_ino_t ino)
{
	return ino < FS_STATIC_INOS && fs->node_of[ino] ? &fs->nodes[fs->node_of[ino] - 1] : NULL;
}

static fuse_ino_t fs_find_child(const struct fs *fs, fuse_ino_t parent,
				const char *name, size_t len)
{
	for (size_t i = 1; i < fs->count; i++) {
		const struct fs_node *node = &fs->nodes[i];

		if (node->parent == parent && strlen(node->name) == len &&
		    memcmp(node->name, name, len) == 0)
			return node->ino;
	}
	return 0;
}

/* Add the node at path (its last part name[0..len)) below parent. */
static fuse_ino_t fs_add_node(struct fs *fs, fuse_ino_t parent, const char *path,
			      const char *name, size_t len, const struct vfile *vfile)
{
	fuse_ino_t ino = fs_static_ino(path);
	struct fs_node *nodes;

	if (fs->count + 1 >= FS_STATIC_MAX)
		return 0;
	if (fs->node_of[ino]) {
		log_error("%s and %s have the same inode number: rename one",
			  path, fs->nodes[fs->node_of[ino] - 1].name);
		return 0;
	}
	nodes = realloc(fs->nodes, (fs->count + 1) * sizeof(*nodes));
	if (!nodes)
		return 0;
	fs->nodes = nodes;
	nodes[fs->count].ino = ino;
	nodes[fs->count].parent = parent;
	nodes[fs->count].kind = vfile ? FS_FILE : FS_DIR;
	nodes[fs->count].vfile = vfile;
	nodes[fs->count].mirror = NULL;
	nodes[fs->count].name = strndup(name, len);
	if (!nodes[fs->count].name)
		return 0;
	fs->node_of[ino] = (uint8_t)++fs->count;
	return ino;
}

/* Add a path, creating the directories on the way; the last part is vfile's. */
static fuse_ino_t fs_add_path(struct fs *fs, const char *path, const struct vfile *vfile)
{
	fuse_ino_t parent = FUSE_ROOT_ID;
	const char *part = path;

	for (;;) {
		const char *slash = strchr(part, '/');
		size_t len = slash ? (size_t)(slash - part) : strlen(part);
		fuse_ino_t ino = fs_find_child(fs, parent, part, len);

		if (!ino) {
			char prefix[PATH_MAX];

			snprintf(prefix, sizeof(prefix), "%.*s", (int)(part + len - path), path);
			ino = fs_add_node(fs, parent, prefix, part, len, slash ? NULL : vfile);
		}
		if (!ino || !slash)
			return ino;
		parent = ino;
		part = slash + 1;
	}
}

/* Add a directory node of another kind than FS_DIR at path. */
static struct fs_node *fs_add_special(struct fs *fs, const char *path, enum fs_kind kind)
{
	struct fs_node *node = fs_node(fs, fs_add_path(fs, path, NULL));

	if (node)
		node->kind = kind;
	return node;
}

/* --- inode numbers ------------------------------------------------------- */

fuse_ino_t fs_ino(unsigned scope, fuse_ino_t node_ino)
{
	if (scope == 0)
		return node_ino;
	return FS_CONTAINER_FIRST_INO + (fuse_ino_t)(scope - 1) * FS_STATIC_INOS + node_ino;
}

/* Where ino is; -ENOENT for a number that names nothing (any more). */
int fs_locate(struct fs *fs, fuse_ino_t ino, struct fs_loc *loc)
{
	loc->scope = 0;
	loc->node = NULL;
	loc->node_ino = 0;
	if (ino >= FS_MIRROR_FIRST_INO) {
		int rc = node_table_get(fs->nodes_dynamic, ino, &loc->key, loc->path,
					  sizeof(loc->path));

		loc->scope = loc->key.scope;
		/*
		 * The kernel never asks about a number it has forgotten: an unknown
		 * one is an earlier daemon's (a restart on a kept connection).
		 * ESTALE makes the kernel walk the path again, which numbers it anew.
		 */
		return rc == -ENOENT ? -ESTALE : rc;
	}
	if (ino >= FS_CONTAINER_FIRST_INO) {
		uint64_t rel = ino - FS_CONTAINER_FIRST_INO;

		loc->scope = (unsigned)(rel / FS_STATIC_INOS) + 1;
		ino = rel % FS_STATIC_INOS;
		/* A container's tree has no c/ of its own. */
		if (loc->scope > FS_CONTAINERS_MAX || ino == fs->containers_ino)
			return -ENOENT;
	}
	loc->node = fs_node(fs, ino);
	loc->node_ino = ino;
	return loc->node ? 0 : -ENOENT;
}

int fs_reply_errno(int rc)
{
	switch (-rc) {
	case ENOMEM:
	case EACCES:
	case EPERM:
	case ENOENT:
	case EROFS:
	case ENOTDIR:
	case EISDIR:
	case ENAMETOOLONG:
	case EMFILE:
	case ENFILE:
	case ENOSPC:
	case ESTALE:
	case EBADF:
		return -rc;
	case ESRCH:
		/* The reader is gone: nothing to show it. */
		return ENOENT;
	default:
		/* Malformed host files, vanished cgroups: the reader sees an I/O error. */
		return EIO;
	}
}

void fs_reply_error(fuse_req_t req, int rc)
{
	fuse_reply_err(req, fs_reply_errno(rc));
}

/* --- creating and destroying ---------------------------------------------- */

struct fs *fs_create(struct host *host, uint16_t epoch)
{
	struct fs *fs = calloc(1, sizeof(*fs));
	struct budget_limits limits;
	struct fs_node *node;
	struct ns_id pid_ns;
	struct rlimit nofile;

	if (!fs)
		return NULL;
	fs->host = host;
	pthread_mutex_init(&fs->containers_lock, NULL);
	pthread_mutex_init(&fs->slow_lock, NULL);
	pthread_mutex_init(&fs->journal_lock, NULL);
	fs->journal_fd = -1;
	for (size_t i = 0; i < FS_CONTAINER_BUCKETS; i++)
		fs->container_buckets[i] = -1;
	clock_gettime(CLOCK_REALTIME, &fs->mount_time);
	if (ns_id_at(host->proc_fd, "self/ns/user", &fs->user_ns) < 0)
		fs->user_ns.ino = 0;
	if (!fs_add_node(fs, 0, "", "", 0, NULL))
		goto out_destroy;
	for (size_t i = 0; i < vfile_count; i++)
		if (!fs_add_path(fs, vfile_table[i]->path, vfile_table[i]))
			goto out_destroy;
	for (size_t i = 0; i < mirror_count; i++) {
		node = fs_add_special(fs, mirror_table[i].path, FS_MIRROR_DIR);
		if (!node)
			goto out_destroy;
		node->mirror = &mirror_table[i];
	}
	node = fs_add_special(fs, "proc/self", FS_SELF_LINK);
	if (!node || !(node = fs_node(fs, node->parent)))
		goto out_destroy;
	node->kind = FS_PROCESSES_DIR;
	node = fs_add_special(fs, "c", FS_CONTAINERS_DIR);
	if (!node)
		goto out_destroy;
	fs->containers_ino = node->ino;
	fs->nodes_dynamic = node_table_new(FS_MIRROR_FIRST_INO);
	if (fs->nodes_dynamic)
		fs_journal_hook(fs);
	if (getrlimit(RLIMIT_NOFILE, &nofile) < 0)
		nofile.rlim_cur = 1024;
	budget_default_limits(nofile.rlim_cur, &limits);
	if (ns_id_at(host->proc_fd, "self/ns/pid", &pid_ns) == 0)
		limits.host_pid_ns = (uint64_t)pid_ns.ino;
	fs->budget = budget_new(&limits);
	/* A sixteenth of the descriptors for readers' kept cgroup files, at most FS_TASKS_MAX. */
	fs->tasks = tasks_new(host->proc_fd, nofile.rlim_cur / 16 < FS_TASKS_MAX
						     ? (size_t)nofile.rlim_cur / 16 : FS_TASKS_MAX);
	fs->handles = handle_table_new(epoch);
	if (!fs->nodes_dynamic || !fs->budget || !fs->tasks || !fs->handles ||
	    pidns_cache_create(host->proc_fd, &fs->pidns) < 0)
		goto out_destroy;
	return fs;
out_destroy:
	fs_destroy(fs);
	return NULL;
}

void fs_destroy(struct fs *fs)
{
	if (!fs)
		return;
	for (size_t i = 0; i < fs->count; i++)
		free(fs->nodes[i].name);
	free(fs->nodes);
	node_table_free(fs->nodes_dynamic);
	pidns_cache_destroy(fs->pidns);
	tasks_free(fs->tasks);
	budget_free(fs->budget);
	handle_table_free(fs->handles);
	free(fs->journal_header);
	pthread_mutex_destroy(&fs->journal_lock);
	pthread_mutex_destroy(&fs->slow_lock);
	pthread_mutex_destroy(&fs->containers_lock);
	free(fs);
}

/* --- who asks -------------------------------------------------------------- */

/* The reader's network namespace, for naming mirrored entries. */
static int fs_reader_net_ns(struct fs *fs, pid_t pid, struct ns_id *id)
{
	char path[64];
	int rc;

	snprintf(path, sizeof(path), "%d/ns/net", (int)pid);
	rc = ns_id_link_at(fs->host->proc_fd, path, id);
	return rc == -ENOENT ? -ESRCH : rc;
}

/* Take one open file from the budget of the requesting user and of pid_ns, its pid namespace. */
static int fs_budget_charge(struct fs *fs, fuse_req_t req, uint64_t pid_ns, uid_t *uid)
{
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	int rc = budget_take(fs->budget, ctx->uid, pid_ns);

	if (rc == -EMFILE || rc == -ENFILE)
		log_info("uid %u, pid %d: open files refused, its share is in use (%s)",
			 (unsigned)ctx->uid, (int)ctx->pid, rc == -EMFILE ? "per user or namespace" : "total");
	if (rc == 0)
		*uid = ctx->uid;
	return rc;
}

/* The same, looking the requester's pid namespace up. */
static int fs_budget_take(struct fs *fs, fuse_req_t req, uid_t *uid, uint64_t *pid_ns)
{
	struct ns_id ns;
	char path[64];
	int rc;

	snprintf(path, sizeof(path), "%d/ns/pid", (int)fuse_req_ctx(req)->pid);
	rc = ns_id_link_at(fs->host->proc_fd, path, &ns);
	if (rc < 0)
		return rc == -ENOENT ? -ESRCH : rc;
	rc = fs_budget_charge(fs, req, (uint64_t)ns.ino, uid);
	if (rc == 0)
		*pid_ns = (uint64_t)ns.ino;
	return rc;
}

/* --- attributes ------------------------------------------------------------ */

void fs_fill_stat(const struct fs *fs, const struct fs_loc *loc, fuse_ino_t ino,
			 struct stat *st)
{
	const struct fs_node *node = loc->node;

	memset(st, 0, sizeof(*st));
	st->st_ino = ino;
	if (node->kind == FS_FILE) {
		st->st_mode = S_IFREG | node->vfile->mode;
		st->st_nlink = 1;
	} else if (node->kind == FS_SELF_LINK) {
		st->st_mode = S_IFLNK | 0777;
		st->st_nlink = 1;
	} else {
		st->st_mode = S_IFDIR | 0555;
		st->st_nlink = 2;
		for (size_t i = 1; i < fs->count; i++)
			if (fs->nodes[i].parent == loc->node_ino && fs->nodes[i].kind != FS_FILE &&
			    fs->nodes[i].kind != FS_SELF_LINK &&
			    (loc->scope == 0 || fs->nodes[i].ino != fs->containers_ino))
				st->st_nlink++;
	}
	/* Like /proc: size 0, read until end of file (containers' files: fs_file_size). */
	st->st_atim = st->st_mtim = st->st_ctim = fs->mount_time;
}

/* Render vfile for the reader pid into out; 0 or -errno. */
static int fs_render_for(struct fs *fs, const struct vfile *vfile, pid_t pid, struct buf *out)
{
	struct reader reader;
	int rc = reader_identify(fs->host, pid, vfile->needs, &reader);

	if (rc == 0)
		rc = vfile->render(&(struct vfile_ctx){ fs->host, &reader, -1, 0 }, out);
	reader_release(&reader);
	return rc;
}

/*
 * How long fd's file is now: read through to its end. Sizes a container's
 * copy of a mirrored file, whose kernel file reports 0.
 */
static ssize_t fs_measure_fd(int fd)
{
	char chunk[16384];
	off_t len = 0;

	for (;;) {
		ssize_t n = pread(fd, chunk, sizeof(chunk), len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return (ssize_t)len;
		len += n;
	}
}

/* A mirrored entry's attributes as the reader's own /proc shows them. */
static int fs_mirror_stat(struct fs *fs, pid_t pid, const struct fs_loc *loc, fuse_ino_t ino,
			  struct stat *st)
{
	char rel[PATH_MAX + 32];
	struct stat real;

	snprintf(rel, sizeof(rel), "%d/%s", (int)pid, loc->path);
	if (pid <= 0 || fstatat(fs->host->proc_fd, rel, &real, AT_SYMLINK_NOFOLLOW) < 0)
		return -ENOENT;
	if (!S_ISDIR(real.st_mode) && !S_ISREG(real.st_mode))
		return -ENOENT;
	memset(st, 0, sizeof(*st));
	st->st_ino = ino;
	/* Its real owner and mode: the kernel checks them (default_permissions). */
	st->st_mode = real.st_mode & (S_IFMT | 0555);
	st->st_uid = real.st_uid;
	st->st_gid = real.st_gid;
	st->st_nlink = real.st_nlink;
	st->st_atim = st->st_mtim = st->st_ctim = fs->mount_time;
	if (loc->scope != 0 && S_ISREG(real.st_mode)) {
		int fd = openat(fs->host->proc_fd, rel, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		ssize_t len = fd < 0 ? 0 : fs_measure_fd(fd);

		if (fd >= 0)
			close(fd);
		st->st_size = len > 0 ? len : 0;
	}
	return 0;
}

/*
 * The attributes of ino for the reader pid. A container's copy of a file
 * reports its size for this reader now, so that splice(2) and sendfile(2),
 * which stop at the size, read all of it on every kernel.
 */
static int fs_stat(struct fs *fs, pid_t pid, const struct fs_loc *loc, fuse_ino_t ino,
		   struct stat *st)
{
	struct buf content = BUF_INIT;
	int rc;

	if (!loc->node && loc->key.kind != NODE_MIRRORED) {
		struct pidns_view *view;
		const struct vfile *file;
		struct stat real;
		uint64_t start;
		pid_t target;

		rc = fs_process_check(fs, pid, loc, &view, &target, &start, &file, &real);
		if (rc < 0)
			return rc;
		pidns_release(fs->pidns, view);
		fs_process_stat(fs, &real, ino, file, st);
		return 0;
	}
	if (!loc->node)
		return fs_mirror_stat(fs, pid, loc, ino, st);
	fs_fill_stat(fs, loc, ino, st);
	if (loc->scope == 0 || loc->node->kind != FS_FILE)
		return 0;
	if (loc->node->vfile->size_bound) {
		struct reader reader;
		ssize_t bound;

		rc = reader_identify(fs->host, pid, loc->node->vfile->needs, &reader);
		bound = rc < 0 ? rc : loc->node->vfile->size_bound(&(struct vfile_ctx){ fs->host, &reader,
											 -1, 0 });
		reader_release(&reader);
		if (bound < 0)
			return (int)bound;
		st->st_size = (off_t)bound;
		return 0;
	}
	rc = fs_render_for(fs, loc->node->vfile, pid, &content);
	if (rc == 0)
		st->st_size = (off_t)content.len;
	buf_free(&content);
	return rc;
}

/*
 * How long the kernel may keep an inode's attributes. Mirrored and
 * per-process inodes are each one namespace's (their lookups are never
 * cached: the same name is another inode for another namespace), so their
 * attributes may be kept a moment, sparing the permission checks of a path
 * walk a request each; a container's copies report sizes that follow their
 * content, so never.
 */
double fs_attr_timeout(const struct fs_loc *loc)
{
	if (loc->scope != 0 && (!loc->node || loc->node->kind == FS_FILE))
		return 0;
	if (!loc->node)
		return FS_DYNAMIC_ATTR_SECONDS;
	return FS_CACHE_SECONDS;
}

static void fs_reply_entry(fuse_req_t req, fuse_ino_t ino, const struct stat *st,
			   double timeout)
{
	struct fuse_entry_param entry;

	memset(&entry, 0, sizeof(entry));
	entry.ino = ino;
	entry.attr = *st;
	entry.attr_timeout = timeout;
	entry.entry_timeout = timeout;
	fuse_reply_entry(req, &entry);
}

static void fs_lookup_mirror(fuse_req_t req, struct fs *fs, const struct fs_loc *dir,
			     const char *name)
{
	pid_t pid = fuse_req_ctx(req)->pid;
	struct fs_loc loc;
	struct stat st;
	uint64_t ino;
	int rc;

	loc.scope = dir->scope;
	loc.node = NULL;
	if (snprintf(loc.path, sizeof(loc.path), "%s/%s",
		     dir->node ? dir->node->mirror->source : dir->path, name) >= (int)sizeof(loc.path)) {
		fuse_reply_err(req, ENAMETOOLONG);
		return;
	}
	loc.key.scope = dir->scope;
	loc.key.kind = NODE_MIRRORED;
	rc = fs_reader_net_ns(fs, pid, &loc.key.ns);
	if (rc == 0)
		rc = fs_mirror_stat(fs, pid, &loc, 0, &st);
	if (rc == 0)
		rc = node_table_ref(fs->nodes_dynamic, &loc.key, loc.path, &ino);
	if (rc < 0) {
		fs_reply_error(req, rc);
		return;
	}
	st.st_ino = ino;
	if (fuse_reply_entry(req, &(struct fuse_entry_param){
			.ino = ino, .attr = st, .attr_timeout = fs_attr_timeout(&loc) }) != 0)
		node_table_forget(fs->nodes_dynamic, ino, 1);
}

static void fs_lookup_container(fuse_req_t req, struct fs *fs, const char *name)
{
	struct fs_loc loc = { .node = fs_node(fs, FUSE_ROOT_ID), .node_ino = FUSE_ROOT_ID };
	struct fuse_entry_param entry;
	int rc;

	if (!fs_container_name_valid(name)) {
		fuse_reply_err(req, strlen(name) > FS_CONTAINER_NAME_MAX ? ENAMETOOLONG : ENOENT);
		return;
	}
	rc = fs_container_ref(fs, name, &loc.scope);
	if (rc < 0) {
		fs_reply_error(req, rc);
		return;
	}
	memset(&entry, 0, sizeof(entry));
	entry.ino = fs_ino(loc.scope, FUSE_ROOT_ID);
	fs_fill_stat(fs, &loc, entry.ino, &entry.attr);
	entry.attr_timeout = entry.entry_timeout = FS_CACHE_SECONDS;
	if (fuse_reply_entry(req, &entry) != 0)
		fs_container_forget(fs, loc.scope, 1);
}

static void fs_op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fs *fs = fuse_req_userdata(req);
	struct fs_loc dir, loc;
	fuse_ino_t node_ino;
	struct stat st;
	int rc;

	rc = fs_locate(fs, parent, &dir);
	if (rc < 0) {
		fs_reply_error(req, rc);
		return;
	}
	if (!dir.node && dir.key.kind == NODE_PROCESS) {
		fs_lookup_process(req, fs, dir.scope, &dir, name);
		return;
	}
	if (!dir.node && dir.key.kind == NODE_PROCESS_FILE) {
		fuse_reply_err(req, ENOTDIR);
		return;
	}
	if (dir.node && dir.node->kind == FS_PROCESSES_DIR &&
	    !fs_find_child(fs, dir.node_ino, name, strlen(name))) {
		fs_lookup_process(req, fs, dir.scope, NULL, name);
		return;
	}
	if (!dir.node || dir.node->kind == FS_MIRROR_DIR) {
		/* The table's own files in a mirrored directory win their names. */
		node_ino = dir.node ? fs_find_child(fs, dir.node_ino, name, strlen(name)) : 0;
		if (!node_ino) {
			fs_lookup_mirror(req, fs, &dir, name);
			return;
		}
	} else if (dir.node->kind == FS_CONTAINERS_DIR) {
		fs_lookup_container(req, fs, name);
		return;
	} else {
		node_ino = fs_find_child(fs, dir.node_ino, name, strlen(name));
	}
	if (!node_ino || (dir.scope != 0 && node_ino == fs->containers_ino)) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	loc = dir;
	loc.node = fs_node(fs, node_ino);
	loc.node_ino = node_ino;
	rc = fs_stat(fs, fuse_req_ctx(req)->pid, &loc, fs_ino(loc.scope, node_ino), &st);
	if (rc < 0)
		fs_reply_error(req, rc);
	else
		fs_reply_entry(req, fs_ino(loc.scope, node_ino), &st, fs_attr_timeout(&loc));
}

static void fs_forget_one(struct fs *fs, fuse_ino_t ino, uint64_t nlookup)
{
	if (node_table_owns(fs->nodes_dynamic, ino)) {
		node_table_forget(fs->nodes_dynamic, ino, nlookup);
	} else if (ino >= FS_CONTAINER_FIRST_INO &&
		   (ino - FS_CONTAINER_FIRST_INO) % FS_STATIC_INOS == FUSE_ROOT_ID) {
		/* c/<name> itself; its entries went before it (they pin it). */
		unsigned scope = (unsigned)((ino - FS_CONTAINER_FIRST_INO) / FS_STATIC_INOS) + 1;

		if (scope <= FS_CONTAINERS_MAX)
			fs_container_forget(fs, scope, nlookup);
	}
}

static void fs_op_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	fs_forget_one(fuse_req_userdata(req), ino, nlookup);
	fuse_reply_none(req);
}

static void fs_op_forget_multi(fuse_req_t req, size_t count,
			       struct fuse_forget_data *forgets)
{
	struct fs *fs = fuse_req_userdata(req);

	for (size_t i = 0; i < count; i++)
		fs_forget_one(fs, forgets[i].ino, forgets[i].nlookup);
	fuse_reply_none(req);
}

static void fs_op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fs *fs = fuse_req_userdata(req);
	struct fs_loc loc;
	struct stat st;
	int rc;

	rc = fs_locate(fs, ino, &loc);
	if (rc == 0)
		rc = fs_stat(fs, fuse_req_ctx(req)->pid, &loc, ino, &st);
	if (rc < 0)
		fs_reply_error(req, rc);
	else
		fuse_reply_attr(req, &st, fs_attr_timeout(&loc));
}

/* --- directories ------------------------------------------------------------ */

/*
 * Add one entry to a listing whose next entry is at offset next; false when
 * it would make the listing longer than size (or on ENOMEM: *rc says).
 */
bool fs_dirent_add(fuse_req_t req, struct buf *b, size_t size, const char *name,
			  fuse_ino_t ino, mode_t mode, off_t next, int *rc)
{
	struct stat st = { .st_ino = ino, .st_mode = mode };
	size_t need = fuse_add_direntry(req, NULL, 0, name, NULL, 0);

	if (b->len + need > size)
		return false;
	*rc = buf_reserve(b, need);
	if (*rc < 0)
		return false;
	fuse_add_direntry(req, b->data + b->len, need, name, &st, next);
	b->len += need;
	return true;
}

/*
 * A table directory's entries from the off-th on ("." and ".." first), each
 * at its index: at most size bytes. *end is the offset after the last entry.
 */
int fs_list_static(fuse_req_t req, struct fs *fs, const struct fs_loc *loc,
			  fuse_ino_t ino, off_t off, size_t size, struct buf *listing, off_t *end)
{
	fuse_ino_t parent = loc->node->parent ? fs_ino(loc->scope, loc->node->parent) : ino;
	off_t index = 0;
	int rc = 0;

	if (loc->scope != 0 && loc->node_ino == FUSE_ROOT_ID)
		parent = fs->containers_ino;
	*end = off;
	if (index++ >= off && !fs_dirent_add(req, listing, size, ".", ino, S_IFDIR, index, &rc))
		return rc;
	if (index++ >= off && !fs_dirent_add(req, listing, size, "..", parent, S_IFDIR, index, &rc))
		return rc;
	*end = index;
	/* c/ lists no names: which containers exist is nobody's business. */
	if (loc->node->kind == FS_CONTAINERS_DIR)
		return 0;
	for (size_t i = 1; i < fs->count; i++) {
		const struct fs_node *child = &fs->nodes[i];
		mode_t type = child->kind == FS_FILE ? S_IFREG :
			      child->kind == FS_SELF_LINK ? S_IFLNK : S_IFDIR;

		if (child->parent != loc->node_ino ||
		    (loc->scope != 0 && child->ino == fs->containers_ino))
			continue;
		if (index++ >= off &&
		    !fs_dirent_add(req, listing, size, child->name, fs_ino(loc->scope, child->ino), type,
				   index, &rc))
			return rc;
		*end = index;
	}
	return 0;
}

/* Open path below the reader's /proc/<pid> as the reader could. */
static int fs_open_own(struct fs *fs, pid_t pid, const char *path, int flags)
{
	struct access_creds creds;
	char rel[PATH_MAX + 32];
	struct stat st;
	int fd, rc;

	if (pid <= 0)
		return -ESRCH;
	snprintf(rel, sizeof(rel), "%d/%s", (int)pid, path);
	fd = openat(fs->host->proc_fd, rel, flags | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return errno == ENOENT ? -ENOENT : -errno;
	/* The daemon may read what the reader may not: decide as the kernel would. */
	rc = fstat(fd, &st) < 0 ? -errno : 0;
	if (rc == 0)
		rc = access_creds_read(fs->host->proc_fd, pid, &fs->user_ns, &creds);
	if (rc == 0 && !access_may_read(&creds, &st))
		rc = -EACCES;
	if (rc < 0) {
		close(fd);
		return rc;
	}
	return fd;
}

/* Whether loc is a directory whose listing needs an open descriptor (fs_dir). */
static bool fs_dir_needs_fd(const struct fs_loc *loc)
{
	if (loc->node)
		return loc->node->kind == FS_MIRROR_DIR || loc->node->kind == FS_PROCESSES_DIR;
	return loc->key.kind == NODE_MIRRORED;
}

static bool fs_loc_is_dir(const struct fs_loc *loc)
{
	if (loc->node)
		return loc->node->kind != FS_FILE && loc->node->kind != FS_SELF_LINK;
	return loc->key.kind != NODE_PROCESS_FILE;
}

static void fs_dir_free(struct fs *fs, struct fs_dir *dir)
{
	budget_give(fs->budget, dir->uid, dir->pid_ns);
	close(dir->fd);
	pthread_mutex_destroy(&dir->lock);
	free(dir);
}

/* Open the directory of loc for the reader of req: the listing is of its namespace. */
static int fs_dir_new(fuse_req_t req, struct fs *fs, const struct fs_loc *loc,
		      struct fs_dir **out)
{
	pid_t pid = fuse_req_ctx(req)->pid;
	struct fs_dir *dir = calloc(1, sizeof(*dir));
	int rc;

	if (!dir)
		return -ENOMEM;
	rc = fs_budget_take(fs, req, &dir->uid, &dir->pid_ns);
	if (rc < 0) {
		free(dir);
		return rc;
	}
	dir->processes = loc->node && loc->node->kind == FS_PROCESSES_DIR;
	if (dir->processes)
		dir->fd = fs_open_processes(fs, pid);
	else
		dir->fd = fs_open_own(fs, pid, loc->node ? loc->node->mirror->source : loc->path,
				      O_RDONLY | O_DIRECTORY);
	if (dir->fd < 0) {
		rc = dir->fd;
		budget_give(fs->budget, dir->uid, dir->pid_ns);
		free(dir);
		return rc;
	}
	pthread_mutex_init(&dir->lock, NULL);
	*out = dir;
	return 0;
}

static void fs_op_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fs *fs = fuse_req_userdata(req);
	struct fs_loc loc;
	struct fs_dir *dir;
	int rc;

	fi->fh = 0;
	rc = fs_locate(fs, ino, &loc);
	if (rc < 0) {
		fs_reply_error(req, rc);
		return;
	}
	if (!fs_loc_is_dir(&loc)) {
		fuse_reply_err(req, ENOTDIR);
		return;
	}
	/* The table's directories and proc/<pid>/ list what the table says. */
	if (!fs_dir_needs_fd(&loc)) {
		fuse_reply_open(req, fi);
		return;
	}
	rc = fs_dir_new(req, fs, &loc, &dir);
	if (rc < 0) {
		fs_reply_error(req, rc);
		return;
	}
	rc = handle_table_add(fs->handles, dir, &fi->fh);
	if (rc < 0 || fuse_reply_open(req, fi) == -ENOENT) {
		if (rc == 0)
			handle_table_remove(fs->handles, fi->fh);
		fs_dir_free(fs, dir);
		if (rc < 0)
			fs_reply_error(req, rc);
	}
}

/*
 * A directory an earlier daemon opened on this connection (a live upgrade):
 * opened again for the process listing it, under the number the kernel
 * holds. Offsets are the kernel's own, so the listing goes on where it was.
 */
static struct fs_dir *fs_dir_adopt(fuse_req_t req, struct fs *fs, fuse_ino_t ino, uint64_t fh,
				   int *rc)
{
	struct fs_dir *dir, *kept;
	struct fs_loc loc;

	*rc = fs_locate(fs, ino, &loc);
	if (*rc == 0 && !fs_dir_needs_fd(&loc))
		*rc = -EBADF;
	if (*rc == 0)
		*rc = fs_dir_new(req, fs, &loc, &dir);
	if (*rc < 0)
		return NULL;
	kept = handle_table_adopt(fs->handles, fh, dir);
	if (kept != dir)
		fs_dir_free(fs, dir);
	if (!kept)
		*rc = -ENOMEM;
	return kept;
}

struct fs_linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/*
 * A mirrored directory, streamed from the reader's own: each call reads at
 * most what fits in the reply, and the kernel's own directory offsets are
 * ours, so nothing of a listing is kept between calls.
 */
int fs_list_mirror(fuse_req_t req, struct fs_dir *dir, fuse_ino_t ino, off_t off,
			  size_t size, struct buf *listing, bool (*keep)(const char *name))
{
	char chunk[8192] __attribute__((aligned(8)));
	off_t at = off;

	if (lseek(dir->fd, off, SEEK_SET) < 0)
		return -errno;
	for (;;) {
		long n = syscall(SYS_getdents64, dir->fd, chunk, sizeof(chunk));

		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		for (long pos = 0; pos < n;) {
			struct fs_linux_dirent64 *de = (struct fs_linux_dirent64 *)(chunk + pos);
			bool dot = strcmp(de->d_name, ".") == 0;
			mode_t type = de->d_type == DT_DIR ? S_IFDIR : S_IFREG;
			int rc = 0;

			pos += de->d_reclen;
			if ((de->d_type != DT_DIR && de->d_type != DT_REG) ||
			    (keep && !keep(de->d_name))) {
				at = de->d_off;
				continue;
			}
			if (!fs_dirent_add(req, listing, size, de->d_name, dot ? ino : FS_UNKNOWN_INO,
					   type, de->d_off, &rc))
				return rc;
			at = de->d_off;
		}
		/* getdents moved past what we used; continue from the last entry taken. */
		if (lseek(dir->fd, at, SEEK_SET) < 0)
			return -errno;
	}
}

/* How many entries fs_list_static() lists for loc. */
size_t fs_list_static_count(const struct fs *fs, const struct fs_loc *loc)
{
	size_t count = 2;

	for (size_t i = 1; i < fs->count; i++)
		if (fs->nodes[i].parent == loc->node_ino &&
		    (loc->scope == 0 || fs->nodes[i].ino != fs->containers_ino))
			count++;
	return count;
}

static void fs_op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			  struct fuse_file_info *fi)
{
	struct fs *fs = fuse_req_userdata(req);
	struct fs_dir *dir = handle_table_get(fs->handles, fi->fh);
	struct buf listing = BUF_INIT;
	struct fs_loc loc;
	int rc;

	if (!dir && handle_table_foreign(fs->handles, fi->fh)) {
		dir = fs_dir_adopt(req, fs, ino, fi->fh, &rc);
		if (!dir) {
			fs_reply_error(req, rc);
			return;
		}
	}
	if (!dir) {
		off_t end;

		rc = fs_locate(fs, ino, &loc);
		if (rc == 0 && !loc.node)
			rc = fs_list_process(req, &loc, ino, off, size, &listing);
		else if (rc == 0)
			rc = fs_list_static(req, fs, &loc, ino, off, size, &listing, &end);
		if (rc < 0)
			fs_reply_error(req, rc);
		else
			fuse_reply_buf(req, listing.data, listing.len);
		buf_free(&listing);
		return;
	}
	pthread_mutex_lock(&dir->lock);
	if (dir->processes)
		rc = fs_list_processes(req, fs, dir, ino, off, size, &listing);
	else
		rc = fs_list_mirror(req, dir, ino, off, size, &listing, NULL);
	pthread_mutex_unlock(&dir->lock);
	if (rc < 0)
		fs_reply_error(req, rc);
	else
		fuse_reply_buf(req, listing.data, listing.len);
	buf_free(&listing);
}

static void fs_op_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fs *fs = fuse_req_userdata(req);
	struct fs_dir *dir = handle_table_get(fs->handles, fi->fh);

	if (dir) {
		handle_table_remove(fs->handles, fi->fh);
		pthread_mutex_lock(&dir->lock);
		pthread_mutex_unlock(&dir->lock);
		fs_dir_free(fs, dir);
	}
	fuse_reply_err(req, 0);
}

/* --- files ------------------------------------------------------------------ */

void fs_handle_put(struct fs_handle *handle)
{
	if (atomic_fetch_sub(&handle->refs, 1) != 1)
		return;
	buf_free(&handle->content);
	reader_release(&handle->reader);
	if (handle->mirror_fd >= 0)
		close(handle->mirror_fd);
	if (handle->target_dirfd >= 0)
		close(handle->target_dirfd);
	budget_give(handle->fs->budget, handle->uid, handle->pid_ns);
	pthread_mutex_destroy(&handle->lock);
	free(handle);
}

/*
 * A container's copy: tell the kernel the file is at least len bytes long
 * before open returns, so that a splice(2) reader served from the page cache
 * (Linux 6.5 and later) reads all of it. A store is the one notification
 * that grows the size; the page it touches is dropped when open completes
 * (no FOPEN_KEEP_CACHE), and a shorter file shrinks the size back at the
 * first short read.
 */
static void fs_grow_size(struct fs *fs, fuse_ino_t ino, off_t len, char last_byte)
{
	struct fuse_bufvec bufv = FUSE_BUFVEC_INIT(1);
	int rc;

	if (len <= 0 || !fs->se)
		return;
	bufv.buf[0].mem = &last_byte;
	rc = fuse_lowlevel_notify_store(fs->se, ino, len - 1, &bufv, 0);
	if (rc < 0 && rc != -ENOENT)
		log_debug("cannot set the size of inode %llu: %s", (unsigned long long)ino,
			  strerror(-rc));
}

/* Open the file of loc for the handle's reader; 0 or -errno. */
/* Render the handle's file for its reader (and its process) into out. */
int fs_handle_render(struct fs *fs, struct fs_handle *handle, struct buf *out)
{
	struct vfile_ctx ctx = { fs->host, &handle->reader, handle->target_dirfd,
				 handle->target_pid };
	uint64_t start;

	/* The process the file was opened for, not one that took its pid since. */
	if (handle->target_dirfd >= 0 &&
	    (pidns_start_time(handle->target_dirfd, handle->target_pid, &start) < 0 ||
	     start != handle->target_start))
		return -ESRCH;
	return handle->vfile->render(&ctx, out);
}

/*
 * Open the file of loc for the handle's reader; 0 or -errno. cgroup_text is
 * the reader's /proc/<pid>/cgroup when the file needs it and it was read.
 */
static int fs_handle_open(struct fs *fs, fuse_ino_t ino, const struct fs_loc *loc,
			  pid_t pid, const char *cgroup_text, struct fs_handle *handle)
{
	ssize_t len;
	int rc;

	if (loc->node || loc->key.kind != NODE_MIRRORED) {
		if (loc->node)
			handle->vfile = loc->node->vfile;
		else if ((rc = fs_handle_target(fs, pid, loc, handle)) < 0)
			return rc;
		rc = reader_identify_from(fs->host, pid, handle->vfile->needs, cgroup_text,
					  &handle->reader);
		if (rc < 0 || loc->scope == 0)
			return rc;
		/* A slow file is rendered at its first read; its bound sizes it. */
		if (handle->vfile->size_bound) {
			len = handle->vfile->size_bound(&(struct vfile_ctx){ fs->host, &handle->reader,
									     -1, 0 });
			if (len < 0)
				return (int)len;
			fs_grow_size(fs, ino, (off_t)len, '\n');
			return 0;
		}
		/* Rendered now: the size the kernel is told is this render's. */
		rc = fs_handle_render(fs, handle, &handle->content);
		if (rc < 0)
			return rc;
		handle->rendered = handle->from_open = true;
		if (handle->content.len)
			fs_grow_size(fs, ino, (off_t)handle->content.len,
				     handle->content.data[handle->content.len - 1]);
		return 0;
	}
	/* A mirrored file, opened now as the reader: its namespace's copy. */
	handle->mirror_fd = fs_open_own(fs, pid, loc->path, O_RDONLY);
	if (handle->mirror_fd < 0)
		return handle->mirror_fd;
	if (loc->scope != 0) {
		len = fs_measure_fd(handle->mirror_fd);
		if (len > 0)
			fs_grow_size(fs, ino, (off_t)len, '\n');
	}
	return 0;
}

/* Open the file of loc for the reader of req; 0 or -errno. */
static int fs_file_new(fuse_req_t req, struct fs *fs, fuse_ino_t ino, const struct fs_loc *loc,
		       struct fs_handle **out)
{
	pid_t pid = fuse_req_ctx(req)->pid;
	struct fs_handle *handle = calloc(1, sizeof(*handle));
	char cgroup_text[FS_CGROUP_TEXT_MAX];
	bool by_task = false;
	size_t cgroup_len;
	int rc;

	if (!handle)
		return -ENOMEM;
	/*
	 * A file that needs the reader's memory cgroup learns it, and the pid
	 * namespace the budget needs, from the reader's kept descriptor.
	 */
	if (fs->tasks && loc->node && loc->node->vfile &&
	    (loc->node->vfile->needs & READER_MEMORY_CGROUP) &&
	    fs->host->memory.version != CGROUP_NONE) {
		rc = tasks_read_cgroup(fs->tasks, pid, cgroup_text, sizeof(cgroup_text),
				       &cgroup_len, &handle->pid_ns);
		if (rc == 0)
			rc = fs_budget_charge(fs, req, handle->pid_ns, &handle->uid);
		by_task = true;
	} else {
		rc = fs_budget_take(fs, req, &handle->uid, &handle->pid_ns);
	}
	if (rc < 0) {
		free(handle);
		return rc;
	}
	atomic_init(&handle->refs, 1);
	handle->fs = fs;
	handle->mirror_fd = -1;
	handle->target_dirfd = -1;
	handle->scope = loc->scope;
	pthread_mutex_init(&handle->lock, NULL);
	reader_init(&handle->reader, pid);
	rc = fs_handle_open(fs, ino, loc, pid, by_task ? cgroup_text : NULL, handle);
	if (rc < 0) {
		fs_handle_put(handle);
		return rc;
	}
	*out = handle;
	return 0;
}

static bool fs_loc_is_file(const struct fs_loc *loc)
{
	if (loc->node)
		return loc->node->kind == FS_FILE;
	return loc->key.kind != NODE_PROCESS;
}

static void fs_op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fs *fs = fuse_req_userdata(req);
	struct fs_handle *handle;
	struct fs_loc loc;
	int rc;

	rc = fs_locate(fs, ino, &loc);
	if (rc < 0) {
		fs_reply_error(req, rc);
		return;
	}
	if (!fs_loc_is_file(&loc)) {
		fuse_reply_err(req, EISDIR);
		return;
	}
	if ((fi->flags & O_ACCMODE) != O_RDONLY || (fi->flags & O_TRUNC)) {
		fuse_reply_err(req, EACCES);
		return;
	}
	rc = fs_file_new(req, fs, ino, &loc, &handle);
	if (rc == 0)
		rc = handle_table_add(fs->handles, handle, &fi->fh);
	else
		handle = NULL;
	if (rc < 0) {
		if (handle)
			fs_handle_put(handle);
		fs_reply_error(req, rc);
		return;
	}
	/* Each reader has its own content: never let the page cache share it. */
	fi->direct_io = 1;
	fi->keep_cache = 0;
	if (fuse_reply_open(req, fi) == -ENOENT) {
		/* The opener was interrupted and is gone: nobody will release this. */
		handle_table_remove(fs->handles, fi->fh);
		fs_handle_put(handle);
	}
}

/*
 * A file an earlier daemon opened on this connection (a live upgrade):
 * opened again for the process reading it, under the number the kernel
 * holds. A reader that keeps a file open (top seeks back to 0 and reads
 * again) goes on reading its own values.
 */
static struct fs_handle *fs_file_adopt(fuse_req_t req, struct fs *fs, fuse_ino_t ino,
				       uint64_t fh, int *rc)
{
	struct fs_handle *handle, *kept;
	struct fs_loc loc;

	*rc = fs_locate(fs, ino, &loc);
	if (*rc == 0 && !fs_loc_is_file(&loc))
		*rc = -EBADF;
	if (*rc == 0)
		*rc = fs_file_new(req, fs, ino, &loc, &handle);
	if (*rc < 0)
		return NULL;
	kept = handle_table_adopt(fs->handles, fh, handle);
	if (kept != handle)
		fs_handle_put(handle);
	if (!kept)
		*rc = -ENOMEM;
	return kept;
}

/*
 * Fill up to size bytes from the mirrored file at off: a short reply means
 * end of file to a page-cache reader, so only the file's end may cut it.
 */
static void fs_read_mirror(fuse_req_t req, struct fs_handle *handle, size_t size, off_t off)
{
	char *data;
	size_t len = 0;

	if (size > FS_READ_MAX)
		size = FS_READ_MAX;
	data = malloc(size ? size : 1);
	if (!data) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	while (len < size) {
		ssize_t n = pread(handle->mirror_fd, data + len, size - len, off + (off_t)len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int rc = -errno;

			free(data);
			fs_reply_error(req, rc);
			return;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	fuse_reply_buf(req, data, len);
	free(data);
}

/* Send what fs_read_rendered() copied out (or its error), and let the copy go. */
void fs_read_reply(fuse_req_t req, int rc, struct fs_reply *reply)
{
	if (rc < 0)
		fs_reply_error(req, rc);
	else
		fuse_reply_buf(req, reply->data, reply->len);
	free(reply->heap);
	reply->heap = NULL;
}

/*
 * Serve a read from the handle's render, rendering first when asked for
 * offset 0 (procps seeks back to 0 on each refresh) or when nothing is
 * rendered: reads at other offsets share one render, like seq_file.
 * content, when given, is a render made for the handle's namespace already.
 * Handle lock held. Returns 0 with the bytes to reply with copied into
 * *reply, or -errno. The caller unlocks, then replies with fs_read_reply():
 * the reader's next request (the read that finds the end, or the release)
 * arrives as soon as the reply does, and must not find the lock held.
 */
int fs_read_rendered(struct fs *fs, struct fs_handle *handle, size_t size, off_t off,
		     const struct buf *content, int content_rc, struct fs_reply *reply)
{
	size_t len = 0;
	int rc = 0;

	if ((off == 0 && !handle->from_open) || !handle->rendered) {
		buf_reset(&handle->content);
		if (content)
			rc = content_rc < 0 ? content_rc
					    : buf_append(&handle->content, content->data, content->len);
		else
			rc = fs_handle_render(fs, handle, &handle->content);
		handle->rendered = rc == 0;
	}
	handle->from_open = false;
	if (rc < 0) {
		log_debug("%s for pid %d: %s", handle->vfile->path, (int)handle->reader.pid,
			  strerror(-rc));
		return rc;
	}
	if (off >= 0 && (size_t)off < handle->content.len) {
		len = handle->content.len - (size_t)off;
		if (len > size)
			len = size;
	}
	reply->heap = NULL;
	reply->data = reply->small;
	reply->len = len;
	if (len > sizeof(reply->small)) {
		reply->heap = malloc(len);
		if (!reply->heap)
			return -ENOMEM;
		reply->data = reply->heap;
	}
	if (len)
		memcpy(reply->data, handle->content.data + off, len);
	/*
	 * Served to the end: drop the render. Opens whose release the kernel
	 * has queued would otherwise each keep a copy; a later read renders
	 * afresh. A container's copy keeps it for page-cache readers.
	 */
	if (handle->scope == 0 && off > 0 && (size_t)off >= handle->content.len) {
		buf_free(&handle->content);
		handle->rendered = false;
	}
	return 0;
}

static void fs_op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	struct fs *fs = fuse_req_userdata(req);
	struct fs_handle *handle = handle_table_get(fs->handles, fi->fh);
	struct fs_reply reply;
	bool needs_render;
	int rc = -EBADF;

	if (!handle && handle_table_foreign(fs->handles, fi->fh))
		handle = fs_file_adopt(req, fs, ino, fi->fh, &rc);
	if (!handle) {
		fs_reply_error(req, rc);
		return;
	}
	if (handle->mirror_fd >= 0) {
		fs_read_mirror(req, handle, size, off);
		return;
	}
	reply.heap = NULL;
	pthread_mutex_lock(&handle->lock);
	needs_render = (off == 0 && !handle->from_open) || !handle->rendered;
	if (needs_render && handle->vfile->slow && handle->reader.has_net_ns) {
		pthread_mutex_unlock(&handle->lock);
		if (fs_slow_submit(req, fs, handle, size, off) == 0)
			return;
		pthread_mutex_lock(&handle->lock);
	}
	rc = fs_read_rendered(fs, handle, size, off, NULL, 0, &reply);
	pthread_mutex_unlock(&handle->lock);
	fs_read_reply(req, rc, &reply);
}

static void fs_op_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fs *fs = fuse_req_userdata(req);
	struct fs_handle *handle = handle_table_get(fs->handles, fi->fh);

	if (!handle) {
		fuse_reply_err(req, 0);
		return;
	}
	handle_table_remove(fs->handles, fi->fh);
	/*
	 * The kernel sends a release only once every read of the file is
	 * answered, and a read unlocks before it answers: the lock is free,
	 * and taking it orders those reads' writes before the free below.
	 */
	pthread_mutex_lock(&handle->lock);
	pthread_mutex_unlock(&handle->lock);
	fs_handle_put(handle);
	fuse_reply_err(req, 0);
}

/*
 * Releases are background requests: the kernel keeps max_background of them
 * in flight (12 by default) and queues the rest, each holding an open
 * handle here. Busy readers close faster than that drains.
 */
static void fs_op_init(void *userdata, struct fuse_conn_info *conn)
{
	conn->max_background = 256;
	conn->congestion_threshold = 192;
}

/*
 * Every operation that would change something. The mount is read-only, so
 * the kernel refuses them before they get here; but root may remount a
 * superblock read-write (mount -o remount,rw in some namespace), and the
 * daemon must refuse them itself then, with the same EROFS.
 */
static void fs_op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
			  struct fuse_file_info *fi)
{
	fuse_reply_err(req, EROFS);
}

static void fs_op_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
			dev_t rdev)
{
	fuse_reply_err(req, EROFS);
}

static void fs_op_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
	fuse_reply_err(req, EROFS);
}

static void fs_op_remove(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	fuse_reply_err(req, EROFS);
}

static void fs_op_symlink(fuse_req_t req, const char *link, fuse_ino_t parent,
			  const char *name)
{
	fuse_reply_err(req, EROFS);
}

static void fs_op_rename(fuse_req_t req, fuse_ino_t parent, const char *name,
			 fuse_ino_t newparent, const char *newname, unsigned int flags)
{
	fuse_reply_err(req, EROFS);
}

static void fs_op_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent,
		       const char *newname)
{
	fuse_reply_err(req, EROFS);
}

static void fs_op_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
			 struct fuse_file_info *fi)
{
	fuse_reply_err(req, EROFS);
}

static void fs_op_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size,
			off_t off, struct fuse_file_info *fi)
{
	fuse_reply_err(req, EROFS);
}

static void fs_op_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name,
			   const char *value, size_t size, int flags)
{
	fuse_reply_err(req, EROFS);
}

static void fs_op_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name)
{
	fuse_reply_err(req, EROFS);
}

static void fs_op_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t offset,
			    off_t length, struct fuse_file_info *fi)
{
	fuse_reply_err(req, EROFS);
}

static const struct fuse_lowlevel_ops fs_ops = {
	.init = fs_op_init,
	.lookup = fs_op_lookup,
	.forget = fs_op_forget,
	.forget_multi = fs_op_forget_multi,
	.getattr = fs_op_getattr,
	.readlink = fs_process_readlink,
	.opendir = fs_op_opendir,
	.readdir = fs_op_readdir,
	.releasedir = fs_op_releasedir,
	.open = fs_op_open,
	.read = fs_op_read,
	.release = fs_op_release,
	.setattr = fs_op_setattr,
	.mknod = fs_op_mknod,
	.mkdir = fs_op_mkdir,
	.unlink = fs_op_remove,
	.rmdir = fs_op_remove,
	.symlink = fs_op_symlink,
	.rename = fs_op_rename,
	.link = fs_op_link,
	.create = fs_op_create,
	.write = fs_op_write,
	.setxattr = fs_op_setxattr,
	.removexattr = fs_op_removexattr,
	.fallocate = fs_op_fallocate,
};

struct fuse_session *fs_session_new(struct fs *fs, struct fuse_args *args)
{
	fs->se = fuse_session_new(args, &fs_ops, sizeof(fs_ops), fs);
	return fs->se;
}
