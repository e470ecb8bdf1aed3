/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fs_internal.h - what the files of the FUSE side (fs*.c) share: the tree, handles, kinds. */
#ifndef PROCLENS_FS_INTERNAL_H
#define PROCLENS_FS_INTERNAL_H

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

#include "buf.h"
#include "fs.h"
#include "node.h"
#include "pidns.h"
#include "reader.h"
#include "vfile.h"

/* The shared tree never changes while mounted: the kernel may cache it for long. */
#define FS_CACHE_SECONDS 3600.0
/* Attributes of mirrored and per-process inodes: owners and modes change seldom. */
#define FS_DYNAMIC_ATTR_SECONDS 1.0

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
 * At most this many FUSE workers (of the 8 main.c starts) render slow files at once;
 * the others stay free for every other reader.
 */
#define FS_SLOW_WORKERS 4

/* Largest read the kernel asks for (FUSE_MAX_MAX_PAGES pages is more; libfuse caps at this). */
#define FS_READ_MAX (1024 * 1024)

/* The largest /proc/<pid>/cgroup text read (one line per hierarchy). */
#define FS_CGROUP_TEXT_MAX 8192

/* Readers' /proc/<tid>/cgroup descriptors kept open, at most (src/tasks.c). */
#define FS_TASKS_MAX 4096

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
	struct tasks *tasks;		/* readers met before: their cgroup files kept open */
	struct handle_table *handles;	/* open files and directories, by fi->fh */
	struct ns_id user_ns;	/* the daemon's user namespace */
	struct timespec mount_time;

	pthread_mutex_t containers_lock;
	struct fs_container containers[FS_CONTAINERS_MAX];
	int container_buckets[FS_CONTAINER_BUCKETS];
	size_t container_count;
	pthread_t reclaimer;
	bool reclaimer_started;

	/*
	 * The journal (fs_state.c): the state a daemon restarted after a crash
	 * needs, in a memfd systemd keeps; every number given is appended.
	 */
	pthread_mutex_t journal_lock;
	int journal_fd;			/* -1: none */
	char *journal_header;
	size_t journal_lines;

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

/* The files of proc/<pid>/, in listing order (fs_process.c). */
extern const struct vfile *const fs_process_files[];
extern const size_t fs_process_file_count;

/* fs.c: the tree, replies and the parts of open files every kind uses. */
struct fs_node *fs_node(struct fs *fs, fuse_ino_t ino);
fuse_ino_t fs_ino(unsigned scope, fuse_ino_t node_ino);
int fs_locate(struct fs *fs, fuse_ino_t ino, struct fs_loc *loc);
void fs_reply_error(fuse_req_t req, int rc);
double fs_attr_timeout(const struct fs_loc *loc);
void fs_fill_stat(const struct fs *fs, const struct fs_loc *loc, fuse_ino_t ino,
		  struct stat *st);
bool fs_dirent_add(fuse_req_t req, struct buf *b, size_t size, const char *name,
		   fuse_ino_t ino, mode_t mode, off_t next, int *rc);
int fs_list_static(fuse_req_t req, struct fs *fs, const struct fs_loc *loc,
		   fuse_ino_t ino, off_t off, size_t size, struct buf *listing, off_t *end);
size_t fs_list_static_count(const struct fs *fs, const struct fs_loc *loc);
int fs_list_mirror(fuse_req_t req, struct fs_dir *dir, fuse_ino_t ino, off_t off,
		   size_t size, struct buf *listing, bool (*keep)(const char *name));
void fs_handle_put(struct fs_handle *handle);
int fs_handle_render(struct fs *fs, struct fs_handle *handle, struct buf *out);
/* A read's reply, copied out of its handle's render: on the stack unless large. */
struct fs_reply {
	char small[4096];
	char *data;
	size_t len;
	char *heap;			/* data, when it did not fit in small */
};

int fs_read_rendered(struct fs *fs, struct fs_handle *handle, size_t size, off_t off,
		     const struct buf *content, int content_rc, struct fs_reply *reply);
void fs_read_reply(fuse_req_t req, int rc, struct fs_reply *reply);

/* fs_container.c: the names below c/. */
bool fs_container_name_valid(const char *name);
int fs_container_ref(struct fs *fs, const char *name, unsigned *scope);
void fs_container_forget(struct fs *fs, unsigned scope, uint64_t nlookup);
/* Put back an earlier daemon's name in its slot (a later call for the slot or name wins). */
int fs_container_restore(struct fs *fs, size_t slot, uint64_t nlookup, const char *name);

/* fs_state.c: the journal of the numbers given (a no-op until fs_journal_start()). */
void fs_journal_container(struct fs *fs, size_t slot, const char *name);
void fs_journal_hook(struct fs *fs);

/* fs_process.c: proc/<pid>/ and proc/self. */
bool fs_parse_pid(const char *name, pid_t *pid);
int fs_process_check(struct fs *fs, pid_t reader, const struct fs_loc *loc,
		     struct pidns_view **view, pid_t *pid, uint64_t *start,
		     const struct vfile **file, struct stat *real);
void fs_process_stat(const struct fs *fs, const struct stat *real, fuse_ino_t ino,
		     const struct vfile *file, struct stat *st);
void fs_lookup_process(fuse_req_t req, struct fs *fs, unsigned scope,
		       const struct fs_loc *dir, const char *name);
void fs_process_readlink(fuse_req_t req, fuse_ino_t ino);
int fs_open_processes(struct fs *fs, pid_t reader);
int fs_list_process(fuse_req_t req, const struct fs_loc *loc, fuse_ino_t ino,
		    off_t off, size_t size, struct buf *listing);
int fs_list_processes(fuse_req_t req, struct fs *fs, struct fs_dir *dir,
		      fuse_ino_t ino, off_t off, size_t size, struct buf *listing);
int fs_handle_target(struct fs *fs, pid_t reader, const struct fs_loc *loc,
		     struct fs_handle *handle);

/* fs_slow.c: slow renders, parked and shared per network namespace. */
int fs_slow_submit(fuse_req_t req, struct fs *fs, struct fs_handle *handle,
		   size_t size, off_t off);

#endif
