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
#include "handle.h"
#include "log.h"
#include "mirror.h"
#include "node.h"
#include "pidns.h"
#include "strutil.h"
#include "reader.h"
#include "vfile.h"

/* The shared tree never changes while mounted: the kernel may cache it for long. */
#define FS_CACHE_SECONDS 3600.0

/* What readdir says of an entry whose inode is not known yet (fuse.h's value). */
#define FS_UNKNOWN_INO 0xffffffffu

/*
 * Inode numbers. A node of the shared tree has a number made from its path
 * (fs_static_ino()), so adding a row to a table never renumbers another one
 * the kernel may have cached; the root is 1. A container's copy of node n,
 * below c/<name>/, is FS_CONTAINER_FIRST_INO + slot * FS_STATIC_INOS + n
 * (its copy of the root is c/<name> itself). Entries that come and go
 * (mirrored, per-process) are numbered from FS_MIRROR_FIRST_INO up, never
 * reused.
 */
#define FS_STATIC_MAX 64		/* nodes in the table */
#define FS_STATIC_INOS 4096		/* numbers they are spread over */
#define FS_CONTAINER_FIRST_INO (UINT64_C(1) << 24)
#define FS_CONTAINERS_MAX 4096
#define FS_MIRROR_FIRST_INO (UINT64_C(1) << 32)

/* A container name: 1 to 64 of [A-Za-z0-9_.-], not "." or "..". */
#define FS_CONTAINER_NAME_MAX 64
/* Names not looked up for this long are offered back to the kernel when the table fills. */
#define FS_CONTAINER_IDLE_SECONDS 60

/*
 * At most this many FUSE workers (of FS_WORKERS) render slow files at once;
 * the others stay free for every other reader.
 */
#define FS_SLOW_WORKERS 4

/* Largest read the kernel asks for (FUSE_MAX_MAX_PAGES pages is more; libfuse caps at this). */
#define FS_READ_MAX (1024 * 1024)

enum fs_kind {
	FS_DIR,			/* a directory of the table */
	FS_FILE,		/* a virtual file */
	FS_MIRROR_DIR,		/* a directory showing the reader's own /proc/<pid>/<source> */
	FS_CONTAINERS_DIR,	/* c/: one copy of the tree per name */
	FS_PROCESSES_DIR,	/* proc/: the table's entries and one proc/<pid>/ per process */
	FS_SELF_LINK,		/* proc/self: the reader's own pid */
};

struct fs_node {
	fuse_ino_t ino;
	fuse_ino_t parent;
	char *name;
	enum fs_kind kind;
	const struct vfile *vfile;
	const struct mirror_dir *mirror;
};

/* One name below c/, alive while the kernel holds its directory. */
struct fs_container {
	bool used;
	char name[FS_CONTAINER_NAME_MAX + 1];
	uint64_t nlookup;		/* of its c/<name> directory */
	time_t last_lookup;
	int next;			/* in its hash bucket; -1 ends */
};

#define FS_CONTAINER_BUCKETS 1024

/* Slow renders waiting for a worker, grouped by what they share. */
struct fs_slow_job;
struct fs_slow_group;

struct fs {
	struct host *host;
	struct fuse_session *se;
	struct fs_node *nodes;		/* the table's, in table order */
	size_t count;
	uint8_t node_of[FS_STATIC_INOS];	/* index + 1 into nodes, by ino */
	fuse_ino_t containers_ino;	/* the c/ directory */
	struct node_table *nodes_dynamic;	/* mirrored and per-process entries */
	struct pidns_cache *pidns;	/* readers' pid namespaces, as proc instances */
	struct budget *budget;
	struct handle_table *handles;	/* open files and directories, by fi->fh */
	struct ns_id user_ns;	/* the daemon's user namespace */
	struct timespec mount_time;

	pthread_mutex_t containers_lock;
	struct fs_container containers[FS_CONTAINERS_MAX];
	int container_buckets[FS_CONTAINER_BUCKETS];
	size_t container_count;
	pthread_t reclaimer;
	bool reclaimer_started;

	pthread_mutex_t slow_lock;
	struct fs_slow_group *slow_groups;	/* every group with jobs or a render */
	struct fs_slow_group *slow_waiting;	/* groups waiting for a worker, oldest first */
	unsigned slow_running;
};

/* Where an inode is: a node of the table in a scope, or a mirrored entry. */
struct fs_loc {
	unsigned scope;			/* 0: the shared tree; slot + 1: c/<name>/ */
	const struct fs_node *node;	/* NULL for a mirrored entry */
	fuse_ino_t node_ino;		/* the table's ino of node */
	struct node_key key;		/* mirrored entries */
	char path[PATH_MAX];		/* mirrored entries: below /proc/<pid> */
};

/*
 * One open file: a virtual file with its reader, or a mirrored /proc file
 * opened as the reader (mirror_fd); and the latest render. Counted: the
 * kernel holds one reference until release, each parked slow read another.
 */
struct fs_handle {
	atomic_uint refs;
	struct fs *fs;
	const struct vfile *vfile;
	int mirror_fd;
	unsigned scope;
	pthread_mutex_t lock;
	bool rendered;
	bool from_open;			/* content rendered at open, not yet read at 0 */
	struct buf content;
	struct reader reader;
	uid_t uid;			/* whose budget it counts in */
	uint64_t pid_ns;
	/* Per-process files: the process, as the reader's pid namespace names it. */
	int target_dirfd;		/* a proc instance of that namespace, or -1 */
	pid_t target_pid;
	uint64_t target_start;		/* its start time: a recycled pid is another */
};

/*
 * One open mirrored directory (the reader's own, opened at opendir) or
 * proc/ (the reader's pid namespace's proc instance).
 */
struct fs_dir {
	int fd;
	bool processes;			/* proc/: the table's entries, then the pids */
	pthread_mutex_t lock;
	uid_t uid;
	uint64_t pid_ns;
};

struct fs_slow_job {
	struct fs_slow_job *next;
	fuse_req_t req;
	struct fs_handle *handle;
	off_t off;
	size_t size;
};

struct fs_slow_group {
	struct fs_slow_group *next;		/* in slow_groups */
	struct fs_slow_group *next_waiting;	/* in slow_waiting */
	const struct vfile *vfile;
	struct ns_id net_ns;
	struct fs_slow_job *jobs, **jobs_tail;
	bool running, waiting;
};

/* --- the table ----------------------------------------------------------- */

fuse_ino_t fs_static_ino(const char *path)
{
	return path[0] ? 2 + strutil_hash(path) % (FS_STATIC_INOS - 2) : FUSE_ROOT_ID;
}

static struct fs_node *fs_node(struct fs *fs, fuse_ino_t ino)
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

static fuse_ino_t fs_ino(unsigned scope, fuse_ino_t node_ino)
{
	if (scope == 0)
		return node_ino;
	return FS_CONTAINER_FIRST_INO + (fuse_ino_t)(scope - 1) * FS_STATIC_INOS + node_ino;
}

/* Where ino is; -ENOENT for a number that names nothing (any more). */
static int fs_locate(struct fs *fs, fuse_ino_t ino, struct fs_loc *loc)
{
	loc->scope = 0;
	loc->node = NULL;
	loc->node_ino = 0;
	if (ino >= FS_MIRROR_FIRST_INO) {
		int rc = node_table_get(fs->nodes_dynamic, ino, &loc->key, loc->path,
					  sizeof(loc->path));

		loc->scope = loc->key.scope;
		return rc;
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
		return -rc;
	case ESRCH:
		/* The reader is gone: nothing to show it. */
		return ENOENT;
	default:
		/* Malformed host files, vanished cgroups: the reader sees an I/O error. */
		return EIO;
	}
}

static void fs_reply_error(fuse_req_t req, int rc)
{
	fuse_reply_err(req, fs_reply_errno(rc));
}

/* --- containers ----------------------------------------------------------- */

static bool fs_container_name_valid(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len > FS_CONTAINER_NAME_MAX || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'))
			return false;
	}
	return true;
}

static size_t fs_container_bucket(const char *name)
{
	uint32_t hash = 2166136261u;

	for (; *name; name++)
		hash = (hash ^ (unsigned char)*name) * 16777619u;
	return hash % FS_CONTAINER_BUCKETS;
}

static void *fs_reclaimer_run(void *arg);

/*
 * Ask the kernel to forget names nobody looked up for a while: it drops the
 * dentries nobody uses, and their forgets free the slots. A name in use (a
 * bind mount, an open file) stays. Runs in its own thread: invalidating an
 * entry takes the c/ directory's lock, which a lookup there holds.
 */
static void fs_container_offer_back(struct fs *fs)
{
	if (fs->reclaimer_started || !fs->se)
		return;
	if (pthread_create(&fs->reclaimer, NULL, fs_reclaimer_run, fs) == 0) {
		pthread_detach(fs->reclaimer);
		fs->reclaimer_started = true;
	}
}

static void *fs_reclaimer_run(void *arg)
{
	struct fs *fs = arg;
	char (*names)[FS_CONTAINER_NAME_MAX + 1] = malloc(FS_CONTAINERS_MAX * sizeof(*names));
	time_t now = time(NULL);
	size_t count = 0;

	pthread_mutex_lock(&fs->containers_lock);
	for (size_t i = 0; names && i < FS_CONTAINERS_MAX; i++)
		if (fs->containers[i].used &&
		    now - fs->containers[i].last_lookup >= FS_CONTAINER_IDLE_SECONDS)
			strcpy(names[count++], fs->containers[i].name);
	pthread_mutex_unlock(&fs->containers_lock);
	for (size_t i = 0; i < count; i++)
		fuse_lowlevel_notify_inval_entry(fs->se, fs->containers_ino, names[i],
						 strlen(names[i]));
	free(names);
	pthread_mutex_lock(&fs->containers_lock);
	fs->reclaimer_started = false;
	pthread_mutex_unlock(&fs->containers_lock);
	log_debug("offered %zu idle container names back to the kernel", count);
	return NULL;
}

/* The slot of name, made if new, with one more lookup counted. */
static int fs_container_ref(struct fs *fs, const char *name, unsigned *scope)
{
	size_t bucket = fs_container_bucket(name);
	int i, rc = 0;

	pthread_mutex_lock(&fs->containers_lock);
	for (i = fs->container_buckets[bucket]; i >= 0; i = fs->containers[i].next)
		if (strcmp(fs->containers[i].name, name) == 0)
			break;
	if (i < 0) {
		for (i = 0; i < FS_CONTAINERS_MAX && fs->containers[i].used; i++)
			;
		if (fs->container_count >= FS_CONTAINERS_MAX * 3 / 4)
			fs_container_offer_back(fs);
		if (i == FS_CONTAINERS_MAX) {
			log_error("%d container names in use: c/%s refused", FS_CONTAINERS_MAX, name);
			rc = -ENOSPC;
			goto out_unlock;
		}
		fs->containers[i].used = true;
		strcpy(fs->containers[i].name, name);
		fs->containers[i].nlookup = 0;
		fs->containers[i].next = fs->container_buckets[bucket];
		fs->container_buckets[bucket] = i;
		fs->container_count++;
	}
	fs->containers[i].nlookup++;
	fs->containers[i].last_lookup = time(NULL);
	*scope = (unsigned)i + 1;
out_unlock:
	pthread_mutex_unlock(&fs->containers_lock);
	return rc;
}

static void fs_container_forget(struct fs *fs, unsigned scope, uint64_t nlookup)
{
	struct fs_container *c = &fs->containers[scope - 1];
	int *link;

	pthread_mutex_lock(&fs->containers_lock);
	if (c->used) {
		c->nlookup -= nlookup < c->nlookup ? nlookup : c->nlookup;
		if (c->nlookup == 0) {
			link = &fs->container_buckets[fs_container_bucket(c->name)];
			while (*link != (int)(scope - 1))
				link = &fs->containers[*link].next;
			*link = c->next;
			c->used = false;
			c->name[0] = '\0';
			fs->container_count--;
		}
	}
	pthread_mutex_unlock(&fs->containers_lock);
}

/* --- creating and destroying ---------------------------------------------- */

struct fs *fs_create(struct host *host)
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
	if (getrlimit(RLIMIT_NOFILE, &nofile) < 0)
		nofile.rlim_cur = 1024;
	budget_default_limits(nofile.rlim_cur, &limits);
	if (ns_id_at(host->proc_fd, "self/ns/pid", &pid_ns) == 0)
		limits.host_pid_ns = (uint64_t)pid_ns.ino;
	fs->budget = budget_new(&limits);
	fs->handles = handle_table_new();
	if (!fs->nodes_dynamic || !fs->budget || !fs->handles ||
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
	budget_free(fs->budget);
	handle_table_free(fs->handles);
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
	rc = ns_id_at(fs->host->proc_fd, path, id);
	return rc == -ENOENT ? -ESRCH : rc;
}

/* Take one open file from the budget of the requesting user and pid namespace. */
static int fs_budget_take(struct fs *fs, fuse_req_t req, uid_t *uid, uint64_t *pid_ns)
{
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	struct ns_id ns;
	char path[64];
	int rc;

	snprintf(path, sizeof(path), "%d/ns/pid", (int)ctx->pid);
	rc = ns_id_at(fs->host->proc_fd, path, &ns);
	if (rc < 0)
		return rc == -ENOENT ? -ESRCH : rc;
	rc = budget_take(fs->budget, ctx->uid, (uint64_t)ns.ino);
	if (rc == -EMFILE || rc == -ENFILE)
		log_info("uid %u, pid %d: open files refused, its share is in use (%s)",
			 (unsigned)ctx->uid, (int)ctx->pid, rc == -EMFILE ? "per user or namespace" : "total");
	if (rc == 0) {
		*uid = ctx->uid;
		*pid_ns = (uint64_t)ns.ino;
	}
	return rc;
}

/* --- attributes ------------------------------------------------------------ */

static void fs_fill_stat(const struct fs *fs, const struct fs_loc *loc, fuse_ino_t ino,
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

static int fs_process_check(struct fs *fs, pid_t reader, const struct fs_loc *loc,
			    struct pidns_view **view, pid_t *pid, uint64_t *start,
			    const struct vfile **file, struct stat *real);
static void fs_process_stat(const struct fs *fs, const struct stat *real, fuse_ino_t ino,
			    const struct vfile *file, struct stat *st);

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

/* --- processes: proc/<pid>/ -------------------------------------------------- */

/* The files of proc/<pid>/, in listing order. */
static const struct vfile *const fs_process_files[] = {
	&proc_pid_limits_vfile,
};

#define FS_PROCESS_FILES (sizeof(fs_process_files) / sizeof(fs_process_files[0]))

/* A pid as a directory name: decimal, no sign, no leading zero, in range. */
static bool fs_parse_pid(const char *name, pid_t *pid)
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
	for (size_t i = 0; i < FS_PROCESS_FILES; i++)
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

static void fs_process_stat(const struct fs *fs, const struct stat *real, fuse_ino_t ino,
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
static int fs_process_check(struct fs *fs, pid_t reader, const struct fs_loc *loc,
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
static void fs_lookup_process(fuse_req_t req, struct fs *fs, unsigned scope,
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
		for (size_t i = 0; rc == 0 && i < FS_PROCESS_FILES; i++)
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
	if (fuse_reply_entry(req, &(struct fuse_entry_param){ .ino = ino, .attr = st }) != 0)
		node_table_forget(fs->nodes_dynamic, ino, 1);
}

/* proc/self: the reader's process id, as its own pid namespace numbers it. */
static void fs_op_readlink(fuse_req_t req, fuse_ino_t ino)
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

/* How long the kernel may keep what a reply says. */
static double fs_timeout(const struct fs_loc *loc)
{
	/*
	 * Mirrored entries: what one reader's namespace holds, another's may
	 * not. Containers' files: their size follows their content.
	 */
	if (!loc->node || loc->node->kind == FS_SELF_LINK ||
	    (loc->scope != 0 && loc->node->kind == FS_FILE))
		return 0;
	return FS_CACHE_SECONDS;
}

/* --- lookup and forget ------------------------------------------------------ */

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
	if (fuse_reply_entry(req, &(struct fuse_entry_param){ .ino = ino, .attr = st }) != 0)
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
		fs_reply_entry(req, fs_ino(loc.scope, node_ino), &st, fs_timeout(&loc));
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
		fuse_reply_attr(req, &st, fs_timeout(&loc));
}

/* --- directories ------------------------------------------------------------ */

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

/*
 * Add one entry to a listing whose next entry is at offset next; false when
 * it would make the listing longer than size (or on ENOMEM: *rc says).
 */
static bool fs_dirent_add(fuse_req_t req, struct buf *b, size_t size, const char *name,
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
static int fs_list_static(fuse_req_t req, struct fs *fs, const struct fs_loc *loc,
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

/* The reader's pid namespace's proc instance, opened for listing. */
static int fs_open_processes(struct fs *fs, pid_t reader)
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
	if ((loc.node && (loc.node->kind == FS_FILE || loc.node->kind == FS_SELF_LINK)) ||
	    (!loc.node && loc.key.kind == NODE_PROCESS_FILE)) {
		fuse_reply_err(req, ENOTDIR);
		return;
	}
	/* The table's directories and proc/<pid>/ list what the table says. */
	if ((loc.node && loc.node->kind != FS_MIRROR_DIR && loc.node->kind != FS_PROCESSES_DIR) ||
	    (!loc.node && loc.key.kind == NODE_PROCESS)) {
		fuse_reply_open(req, fi);
		return;
	}
	dir = calloc(1, sizeof(*dir));
	if (!dir) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	rc = fs_budget_take(fs, req, &dir->uid, &dir->pid_ns);
	if (rc < 0) {
		free(dir);
		fs_reply_error(req, rc);
		return;
	}
	/* Opened now, as this reader: the listing is of its namespace. */
	dir->processes = loc.node && loc.node->kind == FS_PROCESSES_DIR;
	if (dir->processes)
		dir->fd = fs_open_processes(fs, fuse_req_ctx(req)->pid);
	else
		dir->fd = fs_open_own(fs, fuse_req_ctx(req)->pid,
				      loc.node ? loc.node->mirror->source : loc.path,
				      O_RDONLY | O_DIRECTORY);
	if (dir->fd < 0) {
		rc = dir->fd;
		budget_give(fs->budget, dir->uid, dir->pid_ns);
		free(dir);
		fs_reply_error(req, rc);
		return;
	}
	pthread_mutex_init(&dir->lock, NULL);
	rc = handle_table_add(fs->handles, dir, &fi->fh);
	if (rc < 0 || fuse_reply_open(req, fi) == -ENOENT) {
		if (rc == 0)
			handle_table_remove(fs->handles, fi->fh);
		budget_give(fs->budget, dir->uid, dir->pid_ns);
		close(dir->fd);
		pthread_mutex_destroy(&dir->lock);
		free(dir);
		if (rc < 0)
			fs_reply_error(req, rc);
	}
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
static int fs_list_mirror(fuse_req_t req, struct fs_dir *dir, fuse_ino_t ino, off_t off,
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

/* proc/<pid>/: ".", ".." and its files. */
static int fs_list_process(fuse_req_t req, const struct fs_loc *loc, fuse_ino_t ino,
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
	for (size_t i = 0; i < FS_PROCESS_FILES; i++)
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

/* How many entries fs_list_static() lists for loc. */
static size_t fs_list_static_count(const struct fs *fs, const struct fs_loc *loc)
{
	size_t count = 2;

	for (size_t i = 1; i < fs->count; i++)
		if (fs->nodes[i].parent == loc->node_ino &&
		    (loc->scope == 0 || fs->nodes[i].ino != fs->containers_ino))
			count++;
	return count;
}

/*
 * proc/: the table's entries at offsets 1 to FS_STATIC_MAX, then the pids of
 * the reader's pid namespace, streamed from its proc instance with that
 * instance's own offsets (the kernel numbers them from 256 up).
 */
static int fs_list_processes(fuse_req_t req, struct fs *fs, struct fs_dir *dir,
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

static void fs_op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			  struct fuse_file_info *fi)
{
	struct fs *fs = fuse_req_userdata(req);
	struct fs_dir *dir = handle_table_get(fs->handles, fi->fh);
	struct buf listing = BUF_INIT;
	struct fs_loc loc;
	int rc;

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
		budget_give(fs->budget, dir->uid, dir->pid_ns);
		close(dir->fd);
		pthread_mutex_destroy(&dir->lock);
		free(dir);
	}
	fuse_reply_err(req, 0);
}

/* --- files ------------------------------------------------------------------ */

static void fs_handle_put(struct fs_handle *handle)
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
static int fs_handle_render(struct fs *fs, struct fs_handle *handle, struct buf *out)
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

/* A per-process file: the process, as the reader's pid namespace names it. */
static int fs_handle_target(struct fs *fs, pid_t reader, const struct fs_loc *loc,
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

/* Open the file of loc for the handle's reader; 0 or -errno. */
static int fs_handle_open(struct fs *fs, fuse_ino_t ino, const struct fs_loc *loc,
			  pid_t pid, struct fs_handle *handle)
{
	ssize_t len;
	int rc;

	if (loc->node || loc->key.kind != NODE_MIRRORED) {
		if (loc->node)
			handle->vfile = loc->node->vfile;
		else if ((rc = fs_handle_target(fs, pid, loc, handle)) < 0)
			return rc;
		rc = reader_identify(fs->host, pid, handle->vfile->needs, &handle->reader);
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

static void fs_op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fs *fs = fuse_req_userdata(req);
	pid_t pid = fuse_req_ctx(req)->pid;
	struct fs_handle *handle;
	struct fs_loc loc;
	int rc;

	rc = fs_locate(fs, ino, &loc);
	if (rc < 0) {
		fs_reply_error(req, rc);
		return;
	}
	if ((loc.node && loc.node->kind != FS_FILE) || (!loc.node && loc.key.kind == NODE_PROCESS)) {
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
	rc = fs_budget_take(fs, req, &handle->uid, &handle->pid_ns);
	if (rc < 0) {
		free(handle);
		fs_reply_error(req, rc);
		return;
	}
	atomic_init(&handle->refs, 1);
	handle->fs = fs;
	handle->mirror_fd = -1;
	handle->target_dirfd = -1;
	handle->scope = loc.scope;
	pthread_mutex_init(&handle->lock, NULL);
	reader_init(&handle->reader, pid);
	rc = fs_handle_open(fs, ino, &loc, pid, handle);
	if (rc < 0) {
		fs_handle_put(handle);
		fs_reply_error(req, rc);
		return;
	}
	rc = handle_table_add(fs->handles, handle, &fi->fh);
	if (rc < 0) {
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

/*
 * Serve a read from the handle's render, rendering first when asked for
 * offset 0 (procps seeks back to 0 on each refresh) or when nothing is
 * rendered: reads at other offsets share one render, like seq_file.
 * content, when given, is a render made for the handle's namespace already.
 * Handle lock held.
 */
static void fs_read_rendered(fuse_req_t req, struct fs *fs, struct fs_handle *handle,
			     size_t size, off_t off, const struct buf *content, int content_rc)
{
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
		fs_reply_error(req, rc);
		return;
	}
	fs_reply_slice(req, handle->content.data, handle->content.len, off, size);
	/*
	 * Served to the end: drop the render. Opens whose release the kernel
	 * has queued would otherwise each keep a copy; a later read renders
	 * afresh. A container's copy keeps it for page-cache readers.
	 */
	if (handle->scope == 0 && off > 0 && (size_t)off >= handle->content.len) {
		buf_free(&handle->content);
		handle->rendered = false;
	}
}

/* --- slow renders ------------------------------------------------------------ */

/*
 * A slow file (sockstat: socket diagnostics walk the kernel's hash tables)
 * is the same for every reader of one network namespace. Reads that need a
 * render are parked here instead of holding a worker: readers of one
 * namespace that arrive together share one render, at most FS_SLOW_WORKERS
 * workers render at once, and namespaces take turns, oldest first. Every
 * other file is served by the workers left.
 */
static struct fs_slow_group *fs_slow_group_get(struct fs *fs, const struct vfile *vfile,
					       const struct ns_id *net_ns)
{
	struct fs_slow_group *group;

	for (group = fs->slow_groups; group; group = group->next)
		if (group->vfile == vfile && ns_id_equal(&group->net_ns, net_ns))
			return group;
	group = calloc(1, sizeof(*group));
	if (!group)
		return NULL;
	group->vfile = vfile;
	group->net_ns = *net_ns;
	group->jobs_tail = &group->jobs;
	group->next = fs->slow_groups;
	fs->slow_groups = group;
	return group;
}

static void fs_slow_group_free(struct fs *fs, struct fs_slow_group *group)
{
	struct fs_slow_group **link = &fs->slow_groups;

	while (*link != group)
		link = &(*link)->next;
	*link = group->next;
	free(group);
}

/* Render once for the jobs taken, and answer each of them. */
static void fs_slow_answer(struct fs *fs, struct fs_slow_job *jobs)
{
	struct buf content = BUF_INIT;
	struct fs_slow_job *job, *next;
	int rc;

	/* Any reader of the namespace will do: the file is the namespace's. */
	rc = fs_handle_render(fs, jobs->handle, &content);
	for (job = jobs; job; job = next) {
		next = job->next;
		pthread_mutex_lock(&job->handle->lock);
		fs_read_rendered(job->req, fs, job->handle, job->size, job->off, &content, rc);
		pthread_mutex_unlock(&job->handle->lock);
		fs_handle_put(job->handle);
		free(job);
	}
	buf_free(&content);
}

/* Append group to the groups waiting for a worker. Slow lock held. */
static void fs_slow_enqueue(struct fs *fs, struct fs_slow_group *group)
{
	struct fs_slow_group **tail = &fs->slow_waiting;

	while (*tail)
		tail = &(*tail)->next_waiting;
	group->next_waiting = NULL;
	*tail = group;
	group->running = false;
	group->waiting = true;
}

/*
 * Render groups until none waits; this worker is one of the slow ones. A
 * group answered goes to the back of the line if more reads came meanwhile:
 * a namespace read without pause takes turns with the others.
 */
static void fs_slow_run(struct fs *fs, struct fs_slow_group *group)
{
	pthread_mutex_lock(&fs->slow_lock);
	while (group) {
		struct fs_slow_job *jobs = group->jobs;

		if (jobs) {
			group->jobs = NULL;
			group->jobs_tail = &group->jobs;
			pthread_mutex_unlock(&fs->slow_lock);
			fs_slow_answer(fs, jobs);
			pthread_mutex_lock(&fs->slow_lock);
		}
		if (group->jobs)
			fs_slow_enqueue(fs, group);
		else
			fs_slow_group_free(fs, group);
		group = fs->slow_waiting;
		if (group) {
			fs->slow_waiting = group->next_waiting;
			group->waiting = false;
			group->running = true;
		}
	}
	fs->slow_running--;
	pthread_mutex_unlock(&fs->slow_lock);
}

/* Park a read of a slow file; 0, or -ENOMEM when it must be served here. */
static int fs_slow_submit(fuse_req_t req, struct fs *fs, struct fs_handle *handle,
			  size_t size, off_t off)
{
	struct fs_slow_job *job = calloc(1, sizeof(*job));
	struct fs_slow_group *group;
	bool run = false;

	if (!job)
		return -ENOMEM;
	job->req = req;
	job->handle = handle;
	job->size = size;
	job->off = off;
	atomic_fetch_add(&handle->refs, 1);
	pthread_mutex_lock(&fs->slow_lock);
	group = fs_slow_group_get(fs, handle->vfile, &handle->reader.net_ns);
	if (!group) {
		pthread_mutex_unlock(&fs->slow_lock);
		atomic_fetch_sub(&handle->refs, 1);
		free(job);
		return -ENOMEM;
	}
	*group->jobs_tail = job;
	group->jobs_tail = &job->next;
	if (!group->running && !group->waiting) {
		if (fs->slow_running < FS_SLOW_WORKERS) {
			fs->slow_running++;
			group->running = run = true;
		} else {
			fs_slow_enqueue(fs, group);
		}
	}
	pthread_mutex_unlock(&fs->slow_lock);
	if (run)
		fs_slow_run(fs, group);
	return 0;
}

static void fs_op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	struct fs *fs = fuse_req_userdata(req);
	struct fs_handle *handle = handle_table_get(fs->handles, fi->fh);
	bool needs_render;

	if (!handle) {
		fuse_reply_err(req, EBADF);
		return;
	}
	if (handle->mirror_fd >= 0) {
		fs_read_mirror(req, handle, size, off);
		return;
	}
	pthread_mutex_lock(&handle->lock);
	needs_render = (off == 0 && !handle->from_open) || !handle->rendered;
	if (needs_render && handle->vfile->slow && handle->reader.has_net_ns) {
		pthread_mutex_unlock(&handle->lock);
		if (fs_slow_submit(req, fs, handle, size, off) == 0)
			return;
		pthread_mutex_lock(&handle->lock);
	}
	fs_read_rendered(req, fs, handle, size, off, NULL, 0);
	pthread_mutex_unlock(&handle->lock);
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
	 * A read replies before it unlocks, and the reader may close at once:
	 * wait for that unlock before the last reference can free the lock.
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

static const struct fuse_lowlevel_ops fs_ops = {
	.init = fs_op_init,
	.lookup = fs_op_lookup,
	.forget = fs_op_forget,
	.forget_multi = fs_op_forget_multi,
	.getattr = fs_op_getattr,
	.readlink = fs_op_readlink,
	.opendir = fs_op_opendir,
	.readdir = fs_op_readdir,
	.releasedir = fs_op_releasedir,
	.open = fs_op_open,
	.read = fs_op_read,
	.release = fs_op_release,
};

struct fuse_session *fs_session_new(struct fs *fs, struct fuse_args *args)
{
	fs->se = fuse_session_new(args, &fs_ops, sizeof(fs_ops), fs);
	return fs->se;
}
