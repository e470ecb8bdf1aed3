/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * recover.c - after a crash, replace a dead daemon's mounts in other mount
 * namespaces (containers' bind mounts, proclens-attach's) with fresh ones
 * from the new mount, so that their readers get values again without any
 * action inside the container.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "mountns.h"
#include "ns.h"
#include "recover.h"

#define RECOVER_FSTYPE "fuse.proclens"
/* How long the helper waits for the new mount to serve. */
#define RECOVER_SERVE_WAIT_MS 10000
/* A namespace's whole replacement; SIGALRM ends a worker stuck beyond it. */
#define RECOVER_NAMESPACE_SECONDS 5
/* Dead mounts replaced per namespace (attach makes two). */
#define RECOVER_MOUNTS_MAX 64
/* Dead mounts stacked at one point that are taken off before mounting. */
#define RECOVER_STACK_MAX 16

/* A dead mount to replace: where it is, as the namespace's process sees it, and its root. */
struct recover_mount {
	char point[PATH_MAX];
	char root[PATH_MAX];
};

struct recover_namespace {
	struct recover_mount mounts[RECOVER_MOUNTS_MAX];
	int count;
};

/*
 * The topmost mount at each point of a mountinfo stream, kept if it is a
 * proclens mount of another device than dev: a dead daemon's, or another
 * live daemon's (told apart later, by statfs, inside the namespace).
 */
static void recover_parse(FILE *mountinfo, dev_t dev, struct recover_namespace *ns)
{
	char line[2 * PATH_MAX + 512], root[PATH_MAX], point[PATH_MAX], fstype[256];
	unsigned major_number, minor_number;
	const char *dash;
	int i;

	ns->count = 0;
	/* "id parent major:minor root mountpoint options [optional...] - fstype source superopts" */
	while (fgets(line, sizeof(line), mountinfo)) {
		if (!strchr(line, '\n'))
			continue;	/* longer than any path: not ours; rare, skipped */
		dash = strstr(line, " - ");
		if (!dash || sscanf(line, "%*s %*s %u:%u %4095s %4095s", &major_number,
				    &minor_number, root, point) != 4 ||
		    sscanf(dash + 3, "%255s", fstype) != 1)
			continue;
		mountns_unescape(root);
		mountns_unescape(point);
		/* A later line at the same point covers the earlier one. */
		for (i = 0; i < ns->count; i++) {
			if (strcmp(ns->mounts[i].point, point) == 0) {
				ns->mounts[i] = ns->mounts[--ns->count];
				break;
			}
		}
		if (strcmp(fstype, RECOVER_FSTYPE) != 0 ||
		    makedev(major_number, minor_number) == dev || ns->count == RECOVER_MOUNTS_MAX)
			continue;
		memcpy(ns->mounts[ns->count].point, point, sizeof(point));
		memcpy(ns->mounts[ns->count].root, root, sizeof(root));
		ns->count++;
	}
}

/* statfs(2) always reaches the daemon: a dead one's mount answers ENOTCONN at once. */
static int recover_is_dead(const char *point)
{
	struct statfs sfs;

	return statfs(point, &sfs) < 0 && errno == ENOTCONN;
}

/*
 * In a forked, single-threaded worker: clone the fresh trees on the host,
 * enter the namespace and the process's root (as nsenter -r: mountinfo's
 * points are relative to that root, and symlinks in the container must
 * resolve inside it, never on the host), and swap each dead mount for its
 * clone. Exits with the number of mounts it could not replace.
 */
static void recover_worker(int proc_fd, pid_t pid, const char *mountpoint, dev_t dev,
			   const struct recover_namespace *ns)
{
	char path[2 * PATH_MAX + 16];
	struct stat st;
	int tree_fd[RECOVER_MOUNTS_MAX], ns_fd, root_fd, i, rounds, failed = 0;

	alarm(RECOVER_NAMESPACE_SECONDS);
	for (i = 0; i < ns->count; i++) {
		snprintf(path, sizeof(path), "%s%s", mountpoint,
			 strcmp(ns->mounts[i].root, "/") == 0 ? "" : ns->mounts[i].root);
		tree_fd[i] = open_tree(AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
		if (tree_fd[i] < 0) {
			log_info("recover: pid %d: cannot clone %s: %m", (int)pid, path);
		} else if (fstat(tree_fd[i], &st) < 0 || st.st_dev != dev) {
			/* The new daemon stopped: its mount point is a plain directory again. */
			close(tree_fd[i]);
			tree_fd[i] = -1;
		}
	}
	snprintf(path, sizeof(path), "%d/ns/mnt", (int)pid);
	ns_fd = openat(proc_fd, path, O_RDONLY | O_CLOEXEC);
	snprintf(path, sizeof(path), "%d/root", (int)pid);
	root_fd = openat(proc_fd, path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (ns_fd < 0 || root_fd < 0 || setns(ns_fd, CLONE_NEWNS) < 0 || fchdir(root_fd) < 0 ||
	    chroot(".") < 0 || chdir("/") < 0) {
		log_info("recover: cannot enter the mount namespace of pid %d: %m", (int)pid);
		_exit(ns->count);
	}
	for (i = 0; i < ns->count; i++) {
		const char *point = ns->mounts[i].point;

		/* Another daemon's live mount, or already replaced: not ours to touch. */
		if (!recover_is_dead(point))
			continue;
		if (tree_fd[i] < 0) {
			failed++;
			continue;
		}
		for (rounds = 0; rounds < RECOVER_STACK_MAX && recover_is_dead(point); rounds++) {
			if (umount2(point, MNT_DETACH | UMOUNT_NOFOLLOW) < 0)
				break;
		}
		if (move_mount(tree_fd[i], "", AT_FDCWD, point, MOVE_MOUNT_F_EMPTY_PATH) < 0) {
			log_info("recover: pid %d: cannot mount over %s: %m", (int)pid, point);
			failed++;
			continue;
		}
		log_info("recover: replaced the dead mount at %s in the mount namespace of pid %d",
			 point, (int)pid);
	}
	_exit(failed > 255 ? 255 : failed);
}

/* One namespace, through one of its processes; never fatal, at most a log line. */
static void recover_namespace(int proc_fd, pid_t pid, const char *mountpoint, dev_t dev)
{
	static struct recover_namespace ns;
	char path[64];
	FILE *mountinfo;
	pid_t worker;
	int fd, status;

	snprintf(path, sizeof(path), "%d/mountinfo", (int)pid);
	fd = openat(proc_fd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;		/* the process is gone */
	mountinfo = fdopen(fd, "r");
	if (!mountinfo) {
		close(fd);
		return;
	}
	recover_parse(mountinfo, dev, &ns);
	fclose(mountinfo);
	if (ns.count == 0)
		return;
	worker = fork();
	if (worker < 0) {
		log_info("recover: pid %d: cannot fork: %m", (int)pid);
		return;
	}
	if (worker == 0)
		recover_worker(proc_fd, pid, mountpoint, dev, &ns);
	while (waitpid(worker, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED(status))
		log_info("recover: gave up on the mount namespace of pid %d after %d s",
			 (int)pid, RECOVER_NAMESPACE_SECONDS);
	else if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
		log_info("recover: %d dead mounts left in the mount namespace of pid %d",
			 WEXITSTATUS(status), (int)pid);
}

/* Each mount namespace once, through the first of its processes found; never the helper's own. */
static void recover_all(int proc_fd, const char *mountpoint, dev_t dev)
{
	struct ns_id own, id, *seen = NULL, *grown;
	size_t nseen = 0, i;
	struct dirent *entry;
	char path[64];
	DIR *dir;
	int fd;

	if (ns_id_at(proc_fd, "self/ns/mnt", &own) < 0)
		return;
	fd = openat(proc_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || !(dir = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((entry = readdir(dir))) {
		if (!isdigit((unsigned char)entry->d_name[0]))
			continue;
		if (snprintf(path, sizeof(path), "%.32s/ns/mnt", entry->d_name) >= (int)sizeof(path))
			continue;
		if (ns_id_at(proc_fd, path, &id) < 0 || ns_id_equal(&id, &own))
			continue;
		for (i = 0; i < nseen && !ns_id_equal(&seen[i], &id); i++)
			;
		if (i < nseen)
			continue;
		grown = realloc(seen, (nseen + 1) * sizeof(*seen));
		if (!grown)
			break;
		seen = grown;
		seen[nseen++] = id;
		recover_namespace(proc_fd, (pid_t)atoi(entry->d_name), mountpoint, dev);
	}
	free(seen);
	closedir(dir);
}

/*
 * The device of the topmost proclens mount at mountpoint, from mountinfo:
 * the new mount cannot be stat(2)ed before its daemon answers INIT.
 */
static int recover_mount_dev(int proc_fd, const char *mountpoint, dev_t *dev)
{
	char line[2 * PATH_MAX + 512], point[PATH_MAX], fstype[256];
	unsigned major_number, minor_number;
	const char *dash;
	FILE *mountinfo;
	int fd, found = -ENOENT;

	fd = openat(proc_fd, "self/mountinfo", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	mountinfo = fdopen(fd, "r");
	if (!mountinfo) {
		close(fd);
		return -ENOMEM;
	}
	while (fgets(line, sizeof(line), mountinfo)) {
		dash = strstr(line, " - ");
		if (!dash || sscanf(line, "%*s %*s %u:%u %*s %4095s", &major_number,
				    &minor_number, point) != 3 ||
		    sscanf(dash + 3, "%255s", fstype) != 1)
			continue;
		mountns_unescape(point);
		if (strcmp(point, mountpoint) != 0)
			continue;
		found = strcmp(fstype, RECOVER_FSTYPE) == 0 ? 0 : -ENOENT;
		*dev = makedev(major_number, minor_number);
	}
	fclose(mountinfo);
	return found;
}

/*
 * The helper: wait for the new mount to answer, then one pass. A daemon
 * that stopped meanwhile leaves another device at mountpoint: then nothing
 * is done, so that only the new daemon's files are ever mounted.
 */
static void recover_run(int proc_fd, const char *mountpoint)
{
	const struct timespec step = { 0, 10 * 1000 * 1000 };
	struct statfs sfs;
	struct stat st;
	dev_t dev;
	int waited;

	if (recover_mount_dev(proc_fd, mountpoint, &dev) < 0) {
		log_info("recover: no proclens mount at %s; no recovery", mountpoint);
		return;
	}
	for (waited = 0; statfs(mountpoint, &sfs) < 0; waited += 10) {
		if (waited >= RECOVER_SERVE_WAIT_MS) {
			log_info("recover: %s does not answer; no recovery", mountpoint);
			return;
		}
		nanosleep(&step, NULL);
	}
	if (stat(mountpoint, &st) < 0 || st.st_dev != dev)
		return;
	recover_all(proc_fd, mountpoint, dev);
}

int recover_start(int proc_fd, const char *mountpoint, int fuse_fd, int ready_fd, bool to_syslog,
		  bool debug)
{
	static const int stop_signals[] = { SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGUSR1, SIGALRM };
	pid_t middle, helper;
	int status, null_fd;
	sigset_t unblocked;
	size_t i;

	middle = fork();
	if (middle < 0)
		return -errno;
	if (middle > 0) {
		while (waitpid(middle, &status, 0) < 0 && errno == EINTR)
			;
		return 0;
	}
	/* The middle child: fork the helper, so that init reaps it, not the daemon. */
	helper = fork();
	if (helper != 0)
		_exit(helper < 0 ? 1 : 0);
	close(fuse_fd);
	if (ready_fd >= 0)
		close(ready_fd);
	/* The daemon's handlers would only end a session this process does not run. */
	for (i = 0; i < sizeof(stop_signals) / sizeof(stop_signals[0]); i++)
		signal(stop_signals[i], SIG_DFL);
	/* The daemon's main thread blocks them outside session_wait(); the helper must not. */
	sigemptyset(&unblocked);
	sigprocmask(SIG_SETMASK, &unblocked, NULL);
	if (to_syslog) {
		null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (null_fd >= 0) {
			dup2(null_fd, STDIN_FILENO);
			dup2(null_fd, STDOUT_FILENO);
			dup2(null_fd, STDERR_FILENO);
			close(null_fd);
		}
	}
	log_init(to_syslog, debug);
	recover_run(proc_fd, mountpoint);
	_exit(0);
}
