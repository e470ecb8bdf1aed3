/* fs.c - the FUSE side: the tree of virtual files and the low-level operations. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <dirent.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "fs.h"
#include "log.h"
#include "mirror.h"
#include "reader.h"
#include "vfile.h"

/* The tree never changes while mounted: the kernel may cache it for long. */
#define FS_CACHE_SECONDS 3600.0

/* What readdir says of an entry whose inode is not known yet (fuse.h's value). */
#define FS_UNKNOWN_INO 0xffffffffu

/* Inode numbers of mirrored entries start here, above the static tree's. */
#define FS_MIRROR_FIRST_INO (UINT64_C(1) << 32)

struct fs_node {
	fuse_ino_t parent;
	char *name;
	const struct vfile *vfile;	/* NULL for a directory */
	const struct mirror_dir *mirror; /* a directory showing the reader's own */
};

struct fs {
	struct host *host;
	struct fs_node *nodes;		/* nodes[ino - 1]; ino 1 is the root */
	size_t count;
	struct mirror_nodes *mirrored;	/* entries below mirror directories */
	struct timespec mount_time;
};

/*
 * One open file: a virtual file with its reader, or a mirrored /proc file
 * opened as the reader (mirror_fd); and the latest render.
 */
struct fs_handle {
	const struct vfile *vfile;
	int mirror_fd;
	pthread_mutex_t lock;
	bool rendered;
	struct buf content;
	struct reader reader;
};

/* One open mirrored directory: the reader's own, opened at opendir. */
struct fs_dir {
	int fd;
	pthread_mutex_t lock;
	struct buf listing;
};

static struct fs_node *fs_node(struct fs *fs, fuse_ino_t ino)
{
	return ino >= 1 && ino <= fs->count ? &fs->nodes[ino - 1] : NULL;
}

static fuse_ino_t fs_find_child(const struct fs *fs, fuse_ino_t parent,
				const char *name, size_t len)
{
	for (size_t i = 1; i < fs->count; i++) {
		const struct fs_node *node = &fs->nodes[i];

		if (node->parent == parent && strlen(node->name) == len &&
		    memcmp(node->name, name, len) == 0)
			return i + 1;
	}
	return 0;
}

static fuse_ino_t fs_add_node(struct fs *fs, fuse_ino_t parent, const char *name,
			      size_t len, const struct vfile *vfile)
{
	struct fs_node *nodes = realloc(fs->nodes, (fs->count + 1) * sizeof(*nodes));

	if (!nodes)
		return 0;
	fs->nodes = nodes;
	nodes[fs->count].parent = parent;
	nodes[fs->count].vfile = vfile;
	nodes[fs->count].mirror = NULL;
	nodes[fs->count].name = strndup(name, len);
	if (!nodes[fs->count].name)
		return 0;
	return ++fs->count;
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

		if (!ino)
			ino = fs_add_node(fs, parent, part, len, slash ? NULL : vfile);
		if (!ino || !slash)
			return ino;
		parent = ino;
		part = slash + 1;
	}
}

struct fs *fs_create(struct host *host)
{
	struct fs *fs = calloc(1, sizeof(*fs));

	if (!fs)
		return NULL;
	fs->host = host;
	clock_gettime(CLOCK_REALTIME, &fs->mount_time);
	if (!fs_add_node(fs, 0, "", 0, NULL))
		goto out_destroy;
	for (size_t i = 0; i < vfile_count; i++)
		if (!fs_add_path(fs, vfile_table[i]->path, vfile_table[i]))
			goto out_destroy;
	for (size_t i = 0; i < mirror_count; i++) {
		fuse_ino_t ino = fs_add_path(fs, mirror_table[i].path, NULL);

		if (!ino)
			goto out_destroy;
		fs->nodes[ino - 1].mirror = &mirror_table[i];
	}
	fs->mirrored = mirror_nodes_new(FS_MIRROR_FIRST_INO);
	if (!fs->mirrored)
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
	mirror_nodes_free(fs->mirrored);
	free(fs);
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
		return -rc;
	default:
		/* Malformed host files, vanished cgroups: the reader sees an I/O error. */
		return EIO;
	}
}

static void fs_fill_stat(const struct fs *fs, fuse_ino_t ino, struct stat *st)
{
	const struct fs_node *node = &fs->nodes[ino - 1];

	memset(st, 0, sizeof(*st));
	st->st_ino = ino;
	if (node->vfile) {
		st->st_mode = S_IFREG | node->vfile->mode;
		st->st_nlink = 1;
	} else {
		st->st_mode = S_IFDIR | 0555;
		st->st_nlink = 2;
		for (size_t i = 1; i < fs->count; i++)
			if (fs->nodes[i].parent == ino && !fs->nodes[i].vfile)
				st->st_nlink++;
	}
	/* Like /proc: size 0, read until end of file. */
	st->st_atim = st->st_mtim = st->st_ctim = fs->mount_time;
}

/*
 * Mirrored entries: "<pid>/<source path>" in the daemon's proc, for the
 * requesting process. Their path comes from the node, their existence and
 * type from the reader's own /proc: they may differ from reader to reader.
 */
static int fs_mirror_path(struct fs *fs, fuse_ino_t ino, char *path, size_t size)
{
	struct fs_node *node = fs_node(fs, ino);

	if (node && node->mirror) {
		if (strlen(node->mirror->source) >= size)
			return -ENAMETOOLONG;
		strcpy(path, node->mirror->source);
		return 0;
	}
	if (!mirror_nodes_owns(fs->mirrored, ino))
		return -ENOENT;
	return mirror_nodes_path(fs->mirrored, ino, path, size);
}

static int fs_mirror_stat(struct fs *fs, pid_t pid, const char *path, fuse_ino_t ino,
			  struct stat *st)
{
	char rel[PATH_MAX + 32];
	struct stat real;

	snprintf(rel, sizeof(rel), "%d/%s", (int)pid, path);
	if (pid <= 0 || fstatat(fs->host->proc_fd, rel, &real, AT_SYMLINK_NOFOLLOW) < 0)
		return -ENOENT;
	if (!S_ISDIR(real.st_mode) && !S_ISREG(real.st_mode))
		return -ENOENT;
	memset(st, 0, sizeof(*st));
	st->st_ino = ino;
	st->st_mode = (real.st_mode & S_IFMT) | (S_ISDIR(real.st_mode) ? 0555 : 0444);
	st->st_nlink = real.st_nlink;
	st->st_atim = st->st_mtim = st->st_ctim = fs->mount_time;
	return 0;
}

static void fs_mirror_lookup(fuse_req_t req, struct fs *fs, const char *dir_path,
			     const char *name)
{
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	struct fuse_entry_param entry;
	char path[PATH_MAX];
	uint64_t ino;
	int rc;

	if (snprintf(path, sizeof(path), "%s/%s", dir_path, name) >= (int)sizeof(path)) {
		fuse_reply_err(req, ENAMETOOLONG);
		return;
	}
	memset(&entry, 0, sizeof(entry));
	rc = fs_mirror_stat(fs, ctx->pid, path, 0, &entry.attr);
	if (rc == 0)
		rc = mirror_nodes_ref(fs->mirrored, path, &ino);
	if (rc < 0) {
		fuse_reply_err(req, fs_reply_errno(rc));
		return;
	}
	/* Timeouts 0: what one reader's namespace holds, another's may not. */
	entry.ino = ino;
	entry.attr.st_ino = ino;
	if (fuse_reply_entry(req, &entry) != 0)
		mirror_nodes_forget(fs->mirrored, ino, 1);
}

static void fs_op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fs *fs = fuse_req_userdata(req);
	struct fs_node *node = fs_node(fs, parent);
	struct fuse_entry_param entry;
	char dir_path[PATH_MAX];
	fuse_ino_t ino = 0;

	if (node)
		ino = fs_find_child(fs, parent, name, strlen(name));
	if (!ino) {
		if (fs_mirror_path(fs, parent, dir_path, sizeof(dir_path)) == 0)
			fs_mirror_lookup(req, fs, dir_path, name);
		else
			fuse_reply_err(req, ENOENT);
		return;
	}
	memset(&entry, 0, sizeof(entry));
	entry.ino = ino;
	entry.attr_timeout = FS_CACHE_SECONDS;
	entry.entry_timeout = FS_CACHE_SECONDS;
	fs_fill_stat(fs, ino, &entry.attr);
	fuse_reply_entry(req, &entry);
}

static void fs_op_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	struct fs *fs = fuse_req_userdata(req);

	if (mirror_nodes_owns(fs->mirrored, ino))
		mirror_nodes_forget(fs->mirrored, ino, nlookup);
	fuse_reply_none(req);
}

static void fs_op_forget_multi(fuse_req_t req, size_t count,
			       struct fuse_forget_data *forgets)
{
	struct fs *fs = fuse_req_userdata(req);

	for (size_t i = 0; i < count; i++)
		if (mirror_nodes_owns(fs->mirrored, forgets[i].ino))
			mirror_nodes_forget(fs->mirrored, forgets[i].ino, forgets[i].nlookup);
	fuse_reply_none(req);
}

static void fs_op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fs *fs = fuse_req_userdata(req);
	char path[PATH_MAX];
	struct stat st;
	int rc;

	if (fs_node(fs, ino)) {
		fs_fill_stat(fs, ino, &st);
		fuse_reply_attr(req, &st, FS_CACHE_SECONDS);
		return;
	}
	rc = fs_mirror_path(fs, ino, path, sizeof(path));
	if (rc == 0)
		rc = fs_mirror_stat(fs, fuse_req_ctx(req)->pid, path, ino, &st);
	if (rc < 0)
		fuse_reply_err(req, fs_reply_errno(rc));
	else
		fuse_reply_attr(req, &st, 0);
}

/* Reply with the part of data that starts at off, at most size bytes. */
static void fs_reply_slice(fuse_req_t req, const char *data, size_t len,
			   off_t off, size_t size)
{
	if (off < 0 || (size_t)off >= len) {
		fuse_reply_buf(req, NULL, 0);
		return;
	}
	len -= (size_t)off;
	fuse_reply_buf(req, data + off, len < size ? len : size);
}

static int fs_dirent_add(fuse_req_t req, struct buf *b, const char *name,
			 fuse_ino_t ino, mode_t mode)
{
	struct stat st = { .st_ino = ino, .st_mode = mode };
	size_t need = fuse_add_direntry(req, NULL, 0, name, NULL, 0);
	int rc = buf_reserve(b, need);

	if (rc < 0)
		return rc;
	fuse_add_direntry(req, b->data + b->len, need, name, &st, (off_t)(b->len + need));
	b->len += need;
	return 0;
}

/* The static tree's entries of a directory, after "." and "..". */
static int fs_list_static(fuse_req_t req, struct fs *fs, fuse_ino_t ino, struct buf *listing)
{
	struct fs_node *node = fs_node(fs, ino);
	int rc = fs_dirent_add(req, listing, ".", ino, S_IFDIR);

	if (rc == 0)
		rc = fs_dirent_add(req, listing, "..", node->parent ? node->parent : ino, S_IFDIR);
	for (size_t i = 1; i < fs->count && rc == 0; i++)
		if (fs->nodes[i].parent == ino)
			rc = fs_dirent_add(req, listing, fs->nodes[i].name, i + 1,
					   fs->nodes[i].vfile ? S_IFREG : S_IFDIR);
	return rc;
}

/* A mirrored directory: the reader's own entries; virtual files win a name. */
static int fs_list_mirror(fuse_req_t req, struct fs *fs, fuse_ino_t ino, int dir_fd,
			  struct buf *listing)
{
	int fd = dup(dir_fd), rc = 0;
	struct dirent *de;
	DIR *dir;

	if (fd < 0 || !(dir = fdopendir(fd))) {
		rc = -errno;
		if (fd >= 0)
			close(fd);
		return rc;
	}
	rewinddir(dir);
	if (fs_node(fs, ino))
		rc = fs_list_static(req, fs, ino, listing);
	else if ((rc = fs_dirent_add(req, listing, ".", ino, S_IFDIR)) == 0)
		rc = fs_dirent_add(req, listing, "..", ino, S_IFDIR);
	while (rc == 0 && (de = readdir(dir))) {
		mode_t type = de->d_type == DT_DIR ? S_IFDIR : S_IFREG;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
		    (de->d_type != DT_DIR && de->d_type != DT_REG) ||
		    (fs_node(fs, ino) && fs_find_child(fs, ino, de->d_name, strlen(de->d_name))))
			continue;
		rc = fs_dirent_add(req, listing, de->d_name, FS_UNKNOWN_INO, type);
	}
	closedir(dir);
	return rc;
}

static void fs_op_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fs *fs = fuse_req_userdata(req);
	pid_t pid = fuse_req_ctx(req)->pid;
	char path[PATH_MAX], rel[PATH_MAX + 32];
	struct fs_node *node = fs_node(fs, ino);
	struct fs_dir *dir;

	fi->fh = 0;
	if (node && !node->mirror) {
		fuse_reply_open(req, fi);
		return;
	}
	if (fs_mirror_path(fs, ino, path, sizeof(path)) < 0 || pid <= 0) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	dir = calloc(1, sizeof(*dir));
	if (!dir) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	/* Opened now, as this reader: the listing is of its namespace. */
	snprintf(rel, sizeof(rel), "%d/%s", (int)pid, path);
	dir->fd = openat(fs->host->proc_fd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir->fd < 0) {
		free(dir);
		fuse_reply_err(req, ENOENT);
		return;
	}
	pthread_mutex_init(&dir->lock, NULL);
	fi->fh = (uint64_t)(uintptr_t)dir;
	if (fuse_reply_open(req, fi) == -ENOENT) {
		close(dir->fd);
		pthread_mutex_destroy(&dir->lock);
		free(dir);
	}
}

static void fs_op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			  struct fuse_file_info *fi)
{
	struct fs *fs = fuse_req_userdata(req);
	struct fs_dir *dir = (struct fs_dir *)(uintptr_t)fi->fh;
	struct buf listing = BUF_INIT;
	int rc;

	if (!dir) {
		rc = fs_list_static(req, fs, ino, &listing);
		if (rc < 0)
			fuse_reply_err(req, ENOMEM);
		else
			fs_reply_slice(req, listing.data, listing.len, off, size);
		buf_free(&listing);
		return;
	}
	pthread_mutex_lock(&dir->lock);
	rc = 0;
	if (off == 0) {
		buf_reset(&dir->listing);
		rc = fs_list_mirror(req, fs, ino, dir->fd, &dir->listing);
	}
	if (rc < 0)
		fuse_reply_err(req, fs_reply_errno(rc));
	else
		fs_reply_slice(req, dir->listing.data, dir->listing.len, off, size);
	pthread_mutex_unlock(&dir->lock);
}

static void fs_op_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fs_dir *dir = (struct fs_dir *)(uintptr_t)fi->fh;

	if (dir) {
		pthread_mutex_lock(&dir->lock);
		pthread_mutex_unlock(&dir->lock);
		close(dir->fd);
		buf_free(&dir->listing);
		pthread_mutex_destroy(&dir->lock);
		free(dir);
	}
	fuse_reply_err(req, 0);
}

static void fs_handle_free(struct fs_handle *handle)
{
	buf_free(&handle->content);
	reader_release(&handle->reader);
	if (handle->mirror_fd >= 0)
		close(handle->mirror_fd);
	pthread_mutex_destroy(&handle->lock);
	free(handle);
}

static void fs_op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fs *fs = fuse_req_userdata(req);
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	struct fs_node *node = fs_node(fs, ino);
	char path[PATH_MAX], rel[PATH_MAX + 32];
	struct fs_handle *handle;
	int rc;

	if (node && !node->vfile) {
		fuse_reply_err(req, EISDIR);
		return;
	}
	if ((fi->flags & O_ACCMODE) != O_RDONLY || (fi->flags & O_TRUNC)) {
		fuse_reply_err(req, EACCES);
		return;
	}
	handle = calloc(1, sizeof(*handle));
	if (!handle) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	handle->mirror_fd = -1;
	if (node) {
		handle->vfile = node->vfile;
		rc = reader_identify(fs->host, ctx->pid, node->vfile->needs, &handle->reader);
	} else {
		/* A mirrored file, opened now as the reader: its namespace's copy. */
		rc = fs_mirror_path(fs, ino, path, sizeof(path));
		if (rc == 0) {
			snprintf(rel, sizeof(rel), "%d/%s", (int)ctx->pid, path);
			handle->mirror_fd = openat(fs->host->proc_fd, rel,
						   O_RDONLY | O_CLOEXEC | O_NOCTTY);
			rc = handle->mirror_fd < 0 ? -errno : 0;
		}
	}
	if (rc < 0) {
		reader_release(&handle->reader);
		free(handle);
		fuse_reply_err(req, fs_reply_errno(rc));
		return;
	}
	pthread_mutex_init(&handle->lock, NULL);
	fi->fh = (uint64_t)(uintptr_t)handle;
	/* Each reader has its own content: never let the page cache share it. */
	fi->direct_io = 1;
	fi->keep_cache = 0;
	if (fuse_reply_open(req, fi) == -ENOENT) {
		/* The opener was interrupted and is gone: nobody will release this. */
		fs_handle_free(handle);
	}
}

/*
 * A read at offset 0 renders afresh (procps seeks back to 0 on each refresh);
 * reads at other offsets are served from the same render, like seq_file.
 */
static void fs_op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	struct fs *fs = fuse_req_userdata(req);
	struct fs_handle *handle = (struct fs_handle *)(uintptr_t)fi->fh;
	int rc = 0;

	pthread_mutex_lock(&handle->lock);
	if (off == 0 || !handle->rendered) {
		buf_reset(&handle->content);
		if (handle->vfile)
			rc = handle->vfile->render(fs->host, &handle->reader, &handle->content);
		else
			rc = mirror_read_all(handle->mirror_fd, &handle->content);
		handle->rendered = rc == 0;
	}
	if (rc < 0) {
		log_debug("%s for pid %d: %s", handle->vfile ? handle->vfile->path : "mirror",
			  (int)handle->reader.pid, strerror(-rc));
		fuse_reply_err(req, fs_reply_errno(rc));
	} else {
		fs_reply_slice(req, handle->content.data, handle->content.len, off, size);
		/*
		 * Served to the end: drop the render. Opens whose release the
		 * kernel has queued would otherwise each keep a copy; a later
		 * read renders afresh.
		 */
		if (off > 0 && (size_t)off >= handle->content.len) {
			buf_free(&handle->content);
			handle->rendered = false;
		}
	}
	pthread_mutex_unlock(&handle->lock);
}

static void fs_op_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fs_handle *handle = (struct fs_handle *)(uintptr_t)fi->fh;

	/*
	 * A read replies before it unlocks, and the reader may close at once:
	 * wait for that unlock before freeing the lock under it.
	 */
	pthread_mutex_lock(&handle->lock);
	pthread_mutex_unlock(&handle->lock);
	fs_handle_free(handle);
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

static const struct fuse_lowlevel_ops fs_ops = {
	.init = fs_op_init,
	.lookup = fs_op_lookup,
	.forget = fs_op_forget,
	.forget_multi = fs_op_forget_multi,
	.getattr = fs_op_getattr,
	.opendir = fs_op_opendir,
	.readdir = fs_op_readdir,
	.releasedir = fs_op_releasedir,
	.open = fs_op_open,
	.read = fs_op_read,
	.release = fs_op_release,
};

struct fuse_session *fs_session_new(struct fs *fs, struct fuse_args *args)
{
	return fuse_session_new(args, &fs_ops, sizeof(fs_ops), fs);
}
