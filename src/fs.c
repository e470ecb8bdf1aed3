/* fs.c - the FUSE side: the tree of virtual files and the low-level operations. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "buf.h"
#include "fs.h"
#include "log.h"
#include "reader.h"
#include "vfile.h"

/* The tree never changes while mounted: the kernel may cache it for long. */
#define FS_CACHE_SECONDS 3600.0

struct fs_node {
	fuse_ino_t parent;
	char *name;
	const struct vfile *vfile;	/* NULL for a directory */
};

struct fs {
	struct host *host;
	struct fs_node *nodes;		/* nodes[ino - 1]; ino 1 is the root */
	size_t count;
	struct timespec mount_time;
};

/* One open of a virtual file: its reader and its latest render. */
struct fs_handle {
	const struct vfile *vfile;
	pthread_mutex_t lock;
	bool rendered;
	struct buf content;
	struct reader reader;
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
	nodes[fs->count].name = strndup(name, len);
	if (!nodes[fs->count].name)
		return 0;
	return ++fs->count;
}

/* Add a vfile's path, creating the directories on the way. */
static int fs_add_vfile(struct fs *fs, const struct vfile *vfile)
{
	fuse_ino_t parent = FUSE_ROOT_ID;
	const char *part = vfile->path;

	for (;;) {
		const char *slash = strchr(part, '/');
		size_t len = slash ? (size_t)(slash - part) : strlen(part);
		fuse_ino_t ino = fs_find_child(fs, parent, part, len);

		if (!ino)
			ino = fs_add_node(fs, parent, part, len, slash ? NULL : vfile);
		if (!ino)
			return -ENOMEM;
		if (!slash)
			return 0;
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
		if (fs_add_vfile(fs, vfile_table[i]) < 0)
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

static void fs_op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fs *fs = fuse_req_userdata(req);
	struct fuse_entry_param entry;
	fuse_ino_t ino;

	if (!fs_node(fs, parent)) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	ino = fs_find_child(fs, parent, name, strlen(name));
	if (!ino) {
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

static void fs_op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fs *fs = fuse_req_userdata(req);
	struct stat st;

	if (!fs_node(fs, ino)) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	fs_fill_stat(fs, ino, &st);
	fuse_reply_attr(req, &st, FS_CACHE_SECONDS);
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

static void fs_op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			  struct fuse_file_info *fi)
{
	struct fs *fs = fuse_req_userdata(req);
	struct fs_node *node = fs_node(fs, ino);
	struct buf listing = BUF_INIT;
	int rc;

	if (!node || node->vfile) {
		fuse_reply_err(req, node ? ENOTDIR : ENOENT);
		return;
	}
	rc = fs_dirent_add(req, &listing, ".", ino, S_IFDIR);
	if (rc == 0)
		rc = fs_dirent_add(req, &listing, "..", node->parent ? node->parent : ino, S_IFDIR);
	for (size_t i = 1; i < fs->count && rc == 0; i++)
		if (fs->nodes[i].parent == ino)
			rc = fs_dirent_add(req, &listing, fs->nodes[i].name, i + 1,
					   fs->nodes[i].vfile ? S_IFREG : S_IFDIR);
	if (rc < 0)
		fuse_reply_err(req, ENOMEM);
	else
		fs_reply_slice(req, listing.data, listing.len, off, size);
	buf_free(&listing);
}

static void fs_op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fs *fs = fuse_req_userdata(req);
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	struct fs_node *node = fs_node(fs, ino);
	struct fs_handle *handle;
	int rc;

	if (!node || !node->vfile) {
		fuse_reply_err(req, node ? EISDIR : ENOENT);
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
	handle->vfile = node->vfile;
	rc = reader_identify(fs->host, ctx->pid, node->vfile->needs, &handle->reader);
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
		reader_release(&handle->reader);
		pthread_mutex_destroy(&handle->lock);
		free(handle);
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
		rc = handle->vfile->render(fs->host, &handle->reader, &handle->content);
		handle->rendered = rc == 0;
	}
	if (rc < 0) {
		log_debug("%s for pid %d: %s", handle->vfile->path, (int)handle->reader.pid,
			  strerror(-rc));
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
	buf_free(&handle->content);
	reader_release(&handle->reader);
	pthread_mutex_destroy(&handle->lock);
	free(handle);
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
	.getattr = fs_op_getattr,
	.readdir = fs_op_readdir,
	.open = fs_op_open,
	.read = fs_op_read,
	.release = fs_op_release,
};

struct fuse_session *fs_session_new(struct fs *fs, struct fuse_args *args)
{
	return fuse_session_new(args, &fs_ops, sizeof(fs_ops), fs);
}
