/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pidns.c - each reader's pid namespace seen as its members see it: a proc instance per namespace. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "pidns.h"
#include "strutil.h"

/* A view whose proc instance is being mounted; waiters sleep on cache->created. */
#define PIDNS_PENDING 1

struct pidns_view {
	struct pidns_view *prev, *next;	/* most recently used first */
	struct ns_id id;
	int fd;				/* the proc instance; -1 while pending */
	int state;			/* PIDNS_PENDING, 0 (ready) or -errno */
	unsigned users;			/* holders and sweeps, under the cache lock */
	bool linked;			/* in the cache's list */
};

struct pidns_cache {
	int proc_fd;
	struct pidns_view host;		/* the daemon's own namespace: proc_fd itself */
	pthread_mutex_t lock;
	pthread_cond_t created;
	struct pidns_view *head, *tail;
	size_t count;
	long long next_sweep;		/* CLOCK_MONOTONIC ns */
	bool sweeping;
	/* Read and written with __atomic builtins: no lock around a mount. */
	bool option_unsupported, force_fork;
	unsigned long mounts, forks;
};

static long long monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* --- parsing ---------------------------------------------------------------- */

/* A pid field: strict decimal, 1 to INT_MAX. */
static int parse_pid_field(const char *s, size_t len, pid_t *pid)
{
	uint64_t value;

	if (strutil_parse_u64(s, len, &value) < 0 || value == 0 || value > INT_MAX)
		return -EBADMSG;
	*pid = (pid_t)value;
	return 0;
}

int pidns_parse_nstgid(const char *status_text, pid_t *tgid)
{
	static const char key[] = "NStgid:";
	const char *line = status_text, *end, *field;
	pid_t last = 0;

	while (strncmp(line, key, sizeof(key) - 1) != 0) {
		line = strchr(line, '\n');
		if (!line)
			return -EBADMSG;
		line++;
	}
	/* A line cut short (a truncated read) is not trusted: it must end. */
	end = strchr(line, '\n');
	if (!end)
		return -EBADMSG;
	field = line + sizeof(key) - 1;
	/* "\t<pid>" per level, from the reading proc's namespace down. */
	while (field < end) {
		const char *stop;

		if (*field != '\t' && *field != ' ')
			return -EBADMSG;
		while (field < end && (*field == '\t' || *field == ' '))
			field++;
		if (field == end)
			break;
		for (stop = field; stop < end && *stop != '\t' && *stop != ' '; stop++)
			;
		if (parse_pid_field(field, (size_t)(stop - field), &last) < 0)
			return -EBADMSG;
		field = stop;
	}
	if (last == 0)
		return -EBADMSG;
	*tgid = last;
	return 0;
}

int pidns_parse_stat_start(const char *stat_text, uint64_t *start_ticks)
{
	/* Field 22, starttime: the 20th after the comm's ")", which is field 2. */
	const unsigned wanted = 22 - 2;
	const char *open = strchr(stat_text, '(');
	const char *field = strrchr(stat_text, ')');
	unsigned index = 0;

	/* comm may hold ")" and spaces: only the last ")" ends it. */
	if (!open || !field || field < open)
		return -EBADMSG;
	field++;
	while (*field == ' ') {
		const char *stop = ++field;

		while (*stop && *stop != ' ' && *stop != '\n')
			stop++;
		if (++index == wanted)
			return strutil_parse_u64(field, (size_t)(stop - field), start_ticks) < 0 ?
			       -EBADMSG : 0;
		field = stop;
	}
	return -EBADMSG;
}

int pidns_start_time(int dirfd, pid_t pid, uint64_t *start_ticks)
{
	char path[32], text[4096];
	ssize_t len;

	if (pid <= 0)
		return -ESRCH;
	snprintf(path, sizeof(path), "%d/stat", (int)pid);
	len = strutil_read_file(dirfd, path, text, sizeof(text));
	if (len < 0)
		return len == -ENOENT ? -ESRCH : (int)len;
	return pidns_parse_stat_start(text, start_ticks);
}

int pidns_reader_tgid(int proc_fd, pid_t reader_tid, pid_t *ns_tgid)
{
	struct buf whole = BUF_INIT;
	char path[32], text[4096];
	ssize_t len;
	int fd, rc;

	if (reader_tid <= 0)
		return -ESRCH;
	snprintf(path, sizeof(path), "%d/status", (int)reader_tid);
	fd = openat(proc_fd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	/*
	 * NStgid comes after Groups, which can be long (up to 65,536 groups):
	 * read the first page, and the whole file only if that was not enough.
	 */
	do
		len = pread(fd, text, sizeof(text) - 1, 0);
	while (len < 0 && errno == EINTR);
	if (len < 0) {
		rc = errno == ESRCH ? -ESRCH : -errno;
		goto out_close_fd;
	}
	text[len] = '\0';
	rc = pidns_parse_nstgid(text, ns_tgid);
	if (rc == 0 || (size_t)len < sizeof(text) - 1)
		goto out_close_fd;
	len = strutil_pread_buf(fd, &whole);
	rc = len < 0 ? (int)len : pidns_parse_nstgid(whole.data, ns_tgid);
	buf_free(&whole);
out_close_fd:
	close(fd);
	return rc;
}

/* --- mounting a proc instance for a namespace --------------------------------- */

/*
 * Create and mount a configured proc context; returns the mount fd or
 * -errno. Only system calls: the forked child runs it.
 */
static int proc_context_mount(int fs_fd)
{
	int mnt_fd;

	/* Only pid directories (Linux 5.8): nothing else in a view is read. */
	(void)fsconfig(fs_fd, FSCONFIG_SET_STRING, "subset", "pid", 0);
	if (fsconfig(fs_fd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return -errno;
	mnt_fd = fsmount(fs_fd, FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
			 MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
	return mnt_fd < 0 ? -errno : mnt_fd;
}

/*
 * Linux 6.18 takes the namespace as a mount option ("pidns", an nsfs fd),
 * with the permission check of setns(2): no process is needed.
 */
static int mount_with_option(int ns_fd)
{
	int fs_fd, rc;

	fs_fd = fsopen("proc", FSOPEN_CLOEXEC);
	if (fs_fd < 0)
		return -errno;
	if (fsconfig(fs_fd, FSCONFIG_SET_FD, "pidns", NULL, ns_fd) < 0)
		rc = -errno;
	else
		rc = proc_context_mount(fs_fd);
	close(fs_fd);
	return rc;
}

/* What the child sends back: a status, and with 0 the mount fd (SCM_RIGHTS). */
struct mount_reply {
	int rc;
};

/*
 * The forked child, now a member of the namespace: proc takes the pid
 * namespace of the process that creates it (task_active_pid_ns). A fork of
 * a threaded process may call only async-signal-safe functions: system
 * calls, no malloc, no stdio, no locks.
 */
static void __attribute__((noreturn)) mount_child_run(int sock)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} control;
	struct mount_reply reply = { .rc = 0 };
	struct iovec iov = { .iov_base = &reply, .iov_len = sizeof(reply) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cmsg;
	int fs_fd, mnt_fd = -1;

	/*
	 * The child is a process of the reader's namespace holding a copy of
	 * the daemon's memory and descriptors: nobody there may trace it
	 * (root in the container without CAP_SYS_PTRACE of the host could
	 * otherwise), and it keeps only the socket.
	 */
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if (sock != 3 && dup3(sock, 3, O_CLOEXEC) == 3)
		sock = 3;
	if (sock == 3)
		(void)close_range(4, ~0U, 0);

	fs_fd = fsopen("proc", FSOPEN_CLOEXEC);
	if (fs_fd < 0) {
		reply.rc = -errno;
	} else {
		mnt_fd = proc_context_mount(fs_fd);
		if (mnt_fd < 0)
			reply.rc = mnt_fd;
	}
	if (mnt_fd >= 0) {
		memset(&control, 0, sizeof(control));
		msg.msg_control = control.buf;
		msg.msg_controllen = sizeof(control.buf);
		cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cmsg), &mnt_fd, sizeof(int));
	}
	(void)sendmsg(sock, &msg, MSG_NOSIGNAL);
	_exit(0);
}

/* The child's reply: the mount fd or -errno; -ETIMEDOUT after the timeout. */
static int mount_child_receive(int sock)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} control;
	struct mount_reply reply;
	struct iovec iov = { .iov_base = &reply, .iov_len = sizeof(reply) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control.buf, .msg_controllen = sizeof(control.buf),
	};
	long long deadline = monotonic_ns() + PIDNS_CHILD_TIMEOUT_MS * 1000000LL;
	struct pollfd pfd = { .fd = sock, .events = POLLIN };
	struct cmsghdr *cmsg;
	ssize_t n;
	int fd = -1;

	for (;;) {
		long long left = deadline - monotonic_ns();
		int ready;

		if (left <= 0)
			return -ETIMEDOUT;
		ready = poll(&pfd, 1, (int)((left + 999999) / 1000000));
		if (ready > 0)
			break;
		if (ready < 0 && errno != EINTR)
			return -errno;
	}
	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	for (cmsg = CMSG_FIRSTHDR(&msg); cmsg; cmsg = CMSG_NXTHDR(&msg, cmsg))
		if (cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS &&
		    cmsg->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
	/* Killed before it answered (n == 0), or an answer that makes no sense. */
	if (n != (ssize_t)sizeof(reply) || (reply.rc == 0) != (fd >= 0) || reply.rc > 0) {
		if (fd >= 0)
			close(fd);
		return -EIO;
	}
	return reply.rc < 0 ? reply.rc : fd;
}

struct mount_job {
	int ns_fd;
	int rc;				/* the mount fd or -errno */
};

/*
 * Runs in a thread of its own: setns(2) into a pid namespace changes only
 * the namespace of the calling thread's future children, and this thread
 * ends right after its one fork, so no FUSE worker is ever touched.
 */
static void *mount_job_run(void *arg)
{
	struct mount_job *job = arg;
	int sv[2], status;
	pid_t child;

	if (setns(job->ns_fd, CLONE_NEWPID) < 0) {
		job->rc = -errno;
		return NULL;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		job->rc = -errno;
		return NULL;
	}
	child = fork();
	if (child == 0)
		mount_child_run(sv[1]);
	close(sv[1]);
	if (child < 0) {
		/* A namespace whose init has exited takes no new process. */
		job->rc = errno == ENOMEM ? -ESRCH : -errno;
		goto out_close_socket;
	}
	job->rc = mount_child_receive(sv[0]);
	if (job->rc == -ETIMEDOUT) {
		log_error("pid namespace helper %d gave no answer in %d ms; killing it",
			  (int)child, PIDNS_CHILD_TIMEOUT_MS);
		kill(child, SIGKILL);
	}
	/* It has answered or been killed: it ends at once. ECHILD if SIGCHLD is ignored. */
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
out_close_socket:
	close(sv[0]);
	return NULL;
}

static int mount_by_fork(int ns_fd)
{
	struct mount_job job = { .ns_fd = ns_fd, .rc = -EIO };
	pthread_t thread;
	int rc;

	rc = pthread_create(&thread, NULL, mount_job_run, &job);
	if (rc != 0)
		return -rc;
	pthread_join(thread, NULL);
	return job.rc;
}

/*
 * Mount a proc instance of the pid namespace of reader_tid, which must be
 * the namespace id; returns its fd or -errno.
 */
static int view_mount(struct pidns_cache *cache, pid_t reader_tid, const struct ns_id *id)
{
	struct stat st;
	char path[32];
	int ns_fd, fd = -EINVAL, saved;

	snprintf(path, sizeof(path), "%d/ns/pid", (int)reader_tid);
	ns_fd = openat(cache->proc_fd, path, O_RDONLY | O_CLOEXEC);
	if (ns_fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	/* The reader may have gone and its pid been reused since it was keyed. */
	if (fstat(ns_fd, &st) < 0 || st.st_dev != id->dev || st.st_ino != id->ino) {
		fd = -ESRCH;
		goto out_close_ns;
	}
	if (!__atomic_load_n(&cache->force_fork, __ATOMIC_RELAXED) &&
	    !__atomic_load_n(&cache->option_unsupported, __ATOMIC_RELAXED)) {
		fd = mount_with_option(ns_fd);
		/* Before 6.18 proc rejects the unknown option: fork from now on. */
		if (fd == -EINVAL)
			__atomic_store_n(&cache->option_unsupported, true, __ATOMIC_RELAXED);
	}
	if (fd < 0) {
		fd = mount_by_fork(ns_fd);
		if (fd >= 0)
			__atomic_fetch_add(&cache->forks, 1, __ATOMIC_RELAXED);
	}
	if (fd < 0)
		goto out_close_ns;
	__atomic_fetch_add(&cache->mounts, 1, __ATOMIC_RELAXED);
	/* Every live pid namespace has its init, pid 1; a dead one lists nothing. */
	if (fstatat(fd, "1", &st, 0) < 0) {
		saved = errno;
		close(fd);
		fd = saved == ENOENT ? -ESRCH : -saved;
	}
out_close_ns:
	close(ns_fd);
	return fd;
}

/* --- the cache ------------------------------------------------------------------ */

static void view_free(struct pidns_view *view)
{
	if (view->fd >= 0)
		close(view->fd);
	free(view);
}

static void cache_unlink(struct pidns_cache *cache, struct pidns_view *view)
{
	if (view->prev)
		view->prev->next = view->next;
	else
		cache->head = view->next;
	if (view->next)
		view->next->prev = view->prev;
	else
		cache->tail = view->prev;
	view->prev = view->next = NULL;
	view->linked = false;
	cache->count--;
}

static void cache_push_front(struct pidns_cache *cache, struct pidns_view *view)
{
	view->prev = NULL;
	view->next = cache->head;
	if (cache->head)
		cache->head->prev = view;
	else
		cache->tail = view;
	cache->head = view;
	view->linked = true;
	cache->count++;
}

static struct pidns_view *cache_find(struct pidns_cache *cache, const struct ns_id *id)
{
	for (struct pidns_view *v = cache->head; v; v = v->next)
		if (ns_id_equal(&v->id, id))
			return v;
	return NULL;
}

/* The least recently used view nobody holds, unlinked; NULL if all are held. */
static struct pidns_view *cache_evict(struct pidns_cache *cache)
{
	for (struct pidns_view *v = cache->tail; v; v = v->prev) {
		if (v->users == 0) {
			cache_unlink(cache, v);
			return v;
		}
	}
	return NULL;
}

/* Drop a hold under the lock; true if the caller must free the view. */
static bool view_put_locked(struct pidns_view *view)
{
	view->users--;
	return view->users == 0 && !view->linked;
}

int pidns_cache_create(int proc_fd, struct pidns_cache **out)
{
	struct pidns_cache *cache = calloc(1, sizeof(*cache));
	pthread_condattr_t attr;

	if (!cache)
		return -ENOMEM;
	cache->proc_fd = proc_fd;
	cache->host.fd = proc_fd;
	cache->host.state = 0;
	/*
	 * The daemon's own namespace. A proc_fd of fixtures has no "self":
	 * then ask the shared /proc, and failing that no reader is the host's.
	 */
	if (ns_id_at(proc_fd, "self/ns/pid", &cache->host.id) < 0 &&
	    ns_id_at(AT_FDCWD, "/proc/self/ns/pid", &cache->host.id) < 0)
		cache->host.id.ino = 0;
	pthread_mutex_init(&cache->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&cache->created, &attr);
	pthread_condattr_destroy(&attr);
	cache->next_sweep = monotonic_ns() + PIDNS_SWEEP_SECONDS * 1000000000LL;
	*out = cache;
	return 0;
}

void pidns_cache_destroy(struct pidns_cache *cache)
{
	struct pidns_view *view;

	if (!cache)
		return;
	while ((view = cache->head) != NULL) {
		cache_unlink(cache, view);
		view_free(view);
	}
	pthread_cond_destroy(&cache->created);
	pthread_mutex_destroy(&cache->lock);
	free(cache);
}

/*
 * Sweep from acquire at most every PIDNS_SWEEP_SECONDS, one caller at a time.
 * Closing a view unmounts a proc instance: 0.1-0.3 ms each on 6.18.
 */
static void cache_sweep_if_due(struct pidns_cache *cache)
{
	long long now = monotonic_ns();
	bool due;

	pthread_mutex_lock(&cache->lock);
	due = !cache->sweeping && cache->count > 0 && now >= cache->next_sweep;
	if (due) {
		cache->sweeping = true;
		cache->next_sweep = now + PIDNS_SWEEP_SECONDS * 1000000000LL;
	}
	pthread_mutex_unlock(&cache->lock);
	if (!due)
		return;
	pidns_cache_sweep(cache);
	pthread_mutex_lock(&cache->lock);
	cache->sweeping = false;
	pthread_mutex_unlock(&cache->lock);
}

/* Wait for a view someone else is mounting; 0 or its -errno, the hold dropped on error. */
static int view_wait_locked(struct pidns_cache *cache, struct pidns_view *view, bool *free_it)
{
	while (view->state == PIDNS_PENDING)
		pthread_cond_wait(&cache->created, &cache->lock);
	if (view->state < 0) {
		*free_it = view_put_locked(view);
		return view->state;
	}
	return 0;
}

int pidns_acquire(struct pidns_cache *cache, pid_t reader_tid, struct pidns_view **out)
{
	struct pidns_view *view, *evicted = NULL;
	bool free_it = false;
	struct ns_id id;
	char path[32];
	int rc, fd;

	if (reader_tid <= 0)
		return -ESRCH;
	snprintf(path, sizeof(path), "%d/ns/pid", (int)reader_tid);
	rc = ns_id_link_at(cache->proc_fd, path, &id);
	if (rc < 0)
		return rc == -ENOENT ? -ESRCH : rc;
	if (ns_id_equal(&id, &cache->host.id)) {
		*out = &cache->host;
		return 0;
	}
	cache_sweep_if_due(cache);

	pthread_mutex_lock(&cache->lock);
	view = cache_find(cache, &id);
	if (view) {
		cache_unlink(cache, view);
		cache_push_front(cache, view);
		view->users++;
		rc = view_wait_locked(cache, view, &free_it);
		pthread_mutex_unlock(&cache->lock);
		if (free_it)
			view_free(view);
		if (rc == 0)
			*out = view;
		return rc;
	}
	view = calloc(1, sizeof(*view));
	if (!view) {
		pthread_mutex_unlock(&cache->lock);
		return -ENOMEM;
	}
	view->id = id;
	view->fd = -1;
	view->state = PIDNS_PENDING;
	view->users = 1;
	/* With every view held (as many as the workers), the bound waits for a release. */
	if (cache->count >= PIDNS_CACHE_MAX)
		evicted = cache_evict(cache);
	cache_push_front(cache, view);
	pthread_mutex_unlock(&cache->lock);
	if (evicted)
		view_free(evicted);

	/* Mounted without the lock: a fork may take milliseconds. */
	fd = view_mount(cache, reader_tid, &id);

	pthread_mutex_lock(&cache->lock);
	if (fd >= 0) {
		view->fd = fd;
		view->state = 0;
	} else {
		view->state = fd;
		if (view->linked)
			cache_unlink(cache, view);
		free_it = view_put_locked(view);
	}
	pthread_cond_broadcast(&cache->created);
	pthread_mutex_unlock(&cache->lock);
	if (fd < 0) {
		if (free_it)
			view_free(view);
		return fd;
	}
	*out = view;
	return 0;
}

void pidns_release(struct pidns_cache *cache, struct pidns_view *view)
{
	bool free_it;

	if (!view || view == &cache->host)
		return;
	pthread_mutex_lock(&cache->lock);
	free_it = view_put_locked(view);
	pthread_mutex_unlock(&cache->lock);
	if (free_it)
		view_free(view);
}

int pidns_view_fd(const struct pidns_view *view)
{
	return view->fd;
}

const struct ns_id *pidns_view_id(const struct pidns_view *view)
{
	return &view->id;
}

size_t pidns_cache_sweep(struct pidns_cache *cache)
{
	struct pidns_view **checked = NULL, *dead = NULL, *view, *next;
	size_t count = 0, remaining;
	bool *alive = NULL;
	struct stat st;

	pthread_mutex_lock(&cache->lock);
	if (cache->count) {
		checked = calloc(cache->count, sizeof(*checked));
		alive = calloc(cache->count, sizeof(*alive));
	}
	/* Pinned by a hold: no eviction closes a view while it is checked. */
	for (view = cache->head; view && checked && alive; view = view->next) {
		if (view->state != 0 || view->users)
			continue;
		view->users++;
		checked[count++] = view;
	}
	pthread_mutex_unlock(&cache->lock);

	/* A lookup of "1" in each view, outside the lock; only ENOENT means dead. */
	for (size_t i = 0; i < count; i++)
		alive[i] = fstatat(checked[i]->fd, "1", &st, 0) == 0 || errno != ENOENT;

	pthread_mutex_lock(&cache->lock);
	for (size_t i = 0; i < count; i++) {
		view = checked[i];
		view->users--;
		if (view->users || (alive[i] && view->linked))
			continue;
		if (view->linked)
			cache_unlink(cache, view);
		view->next = dead;
		dead = view;
	}
	remaining = cache->count;
	pthread_mutex_unlock(&cache->lock);

	for (view = dead; view; view = next) {
		next = view->next;
		view_free(view);
	}
	free(alive);
	free(checked);
	return remaining;
}

size_t pidns_cache_size(struct pidns_cache *cache)
{
	size_t count;

	pthread_mutex_lock(&cache->lock);
	count = cache->count;
	pthread_mutex_unlock(&cache->lock);
	return count;
}

void pidns_cache_counts(struct pidns_cache *cache, unsigned long *mounts, unsigned long *forks)
{
	*mounts = __atomic_load_n(&cache->mounts, __ATOMIC_RELAXED);
	*forks = __atomic_load_n(&cache->forks, __ATOMIC_RELAXED);
}

void pidns_cache_force_fork(struct pidns_cache *cache, bool force)
{
	__atomic_store_n(&cache->force_fork, force, __ATOMIC_RELAXED);
}
