/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hostileop.c - the raw system calls a hostile reader makes against a proclens mount, each answered by its errno's name. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

/*
 * Usage: hostileop [-t SECONDS] MODE ARGS
 *
 *   ops PATH NEW OP...    make each system call OP on PATH (NEW: a name that
 *                         does not exist yet, for the calls that create one)
 *                         and print "OP RESULT", RESULT being "ok" or the
 *                         errno's name (EROFS). The fd-* OPs first open PATH
 *                         read-only; if that fails, RESULT is "open:ERRNO".
 *   heldread FILE AWAY SYNC
 *                         open FILE, read it, print "first MemTotal KB"; move
 *                         itself into cgroup directory AWAY; create SYNC/moved;
 *                         wait for SYNC/go; read FILE again from offset 0 and
 *                         print "second MemTotal KB" or "second error ERRNO".
 *   holddirs COUNT DIR... open the DIRs in turn (O_DIRECTORY) until COUNT are
 *                         open or one fails; print "opened N", then "error
 *                         ERRNO" if one failed, then "ready". On SIGUSR1 close
 *                         them all, open and list each DIR once more, print
 *                         "reopened" or "reopen error ERRNO", and exit.
 *   readloop FILE         open, read to the end and close FILE over and over
 *                         until killed (a reader to kill mid-request).
 *
 * Every mode ends after SECONDS (default 60), so a failed test never leaves
 * it behind. Exits 2 on bad usage.
 */

#define HOSTILEOP_MAX_READ (1 << 20)

static volatile sig_atomic_t hostileop_release;
static double hostileop_deadline;

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool timed_out(void)
{
	return now_seconds() > hostileop_deadline;
}

static const char *errno_name(int err)
{
	const char *name = strerrorname_np(err);

	return name ? name : "EUNKNOWN";
}

/* A system call's answer as the tests compare it: "ok" or the errno's name. */
static const char *result_of(int rc)
{
	return rc < 0 ? errno_name(errno) : "ok";
}

/* An op that needs a read-only descriptor of path first. */
static void fd_op(const char *op, const char *path)
{
	static char buf[1];
	int fd = open(path, O_RDONLY | O_NOFOLLOW);
	int rc = -1;

	if (fd < 0 && errno == ELOOP)
		fd = open(path, O_RDONLY);
	if (fd < 0) {
		printf("%s open:%s\n", op, errno_name(errno));
		return;
	}
	if (strcmp(op, "fd-write") == 0)
		rc = (int)write(fd, "x", 1);
	else if (strcmp(op, "fd-pwrite") == 0)
		rc = (int)pwrite(fd, "x", 1, 0);
	else if (strcmp(op, "fd-ftruncate") == 0)
		rc = ftruncate(fd, 0);
	else if (strcmp(op, "fd-fallocate") == 0)
		rc = fallocate(fd, 0, 0, 1);
	else if (strcmp(op, "fd-fchmod") == 0)
		rc = fchmod(fd, 0777);
	else if (strcmp(op, "fd-fchown") == 0)
		rc = fchown(fd, 0, 0);
	else if (strcmp(op, "fd-futimens") == 0)
		rc = futimens(fd, NULL);
	else if (strcmp(op, "fd-fsetxattr") == 0)
		rc = fsetxattr(fd, "user.hostile", "x", 1, 0);
	else if (strcmp(op, "fd-fremovexattr") == 0)
		rc = fremovexattr(fd, "user.hostile");
	else if (strcmp(op, "fd-read") == 0)
		rc = (int)read(fd, buf, sizeof(buf));
	else {
		fprintf(stderr, "hostileop: unknown op %s\n", op);
		exit(2);
	}
	printf("%s %s\n", op, result_of(rc));
	close(fd);
}

static void path_op(const char *op, const char *path, const char *new_path)
{
	struct timespec times[2] = { { 0, 0 }, { 0, 0 } };
	struct stat st;
	int rc;

	if (strncmp(op, "fd-", 3) == 0) {
		fd_op(op, path);
		return;
	}
	if (strcmp(op, "open-wronly") == 0)
		rc = open(path, O_WRONLY);
	else if (strcmp(op, "open-rdwr") == 0)
		rc = open(path, O_RDWR);
	else if (strcmp(op, "open-trunc") == 0)
		rc = open(path, O_RDONLY | O_TRUNC);
	else if (strcmp(op, "open-append") == 0)
		rc = open(path, O_WRONLY | O_APPEND);
	else if (strcmp(op, "open-creat") == 0)
		rc = open(path, O_WRONLY | O_CREAT, 0644);
	else if (strcmp(op, "create") == 0)
		rc = open(new_path, O_WRONLY | O_CREAT | O_EXCL, 0644);
	else if (strcmp(op, "mkdir") == 0)
		rc = mkdir(new_path, 0755);
	else if (strcmp(op, "mknod") == 0)
		rc = mknod(new_path, S_IFREG | 0644, 0);
	else if (strcmp(op, "mkfifo") == 0)
		rc = mknod(new_path, S_IFIFO | 0644, 0);
	else if (strcmp(op, "mknod-chr") == 0)
		rc = mknod(new_path, S_IFCHR | 0644, makedev(1, 3));
	else if (strcmp(op, "symlink") == 0)
		rc = symlink("meminfo", new_path);
	else if (strcmp(op, "link") == 0)
		rc = link(path, new_path);
	else if (strcmp(op, "rename") == 0)
		rc = rename(path, new_path);
	else if (strcmp(op, "rename-self") == 0)
		rc = rename(path, path);
	else if (strcmp(op, "unlink") == 0)
		rc = unlink(path);
	else if (strcmp(op, "rmdir") == 0)
		rc = rmdir(path);
	else if (strcmp(op, "truncate") == 0)
		rc = truncate(path, 0);
	else if (strcmp(op, "chmod") == 0)
		rc = chmod(path, 0777);
	else if (strcmp(op, "chown") == 0)
		rc = chown(path, 0, 0);
	else if (strcmp(op, "lchown") == 0)
		rc = lchown(path, 0, 0);
	else if (strcmp(op, "utimes-now") == 0)
		rc = utimensat(AT_FDCWD, path, NULL, 0);
	else if (strcmp(op, "utimes") == 0)
		rc = utimensat(AT_FDCWD, path, times, 0);
	else if (strcmp(op, "lutimes") == 0)
		rc = utimensat(AT_FDCWD, path, times, AT_SYMLINK_NOFOLLOW);
	else if (strcmp(op, "setxattr") == 0)
		rc = setxattr(path, "user.hostile", "x", 1, 0);
	else if (strcmp(op, "setxattr-trusted") == 0)
		rc = setxattr(path, "trusted.hostile", "x", 1, 0);
	else if (strcmp(op, "lsetxattr") == 0)
		rc = lsetxattr(path, "user.hostile", "x", 1, 0);
	else if (strcmp(op, "removexattr") == 0)
		rc = removexattr(path, "user.hostile");
	else if (strcmp(op, "lremovexattr") == 0)
		rc = lremovexattr(path, "user.hostile");
	else if (strcmp(op, "stat") == 0) {
		rc = stat(path, &st);
		if (rc == 0) {
			printf("stat %s\n", S_ISDIR(st.st_mode) ? "dir" : S_ISREG(st.st_mode) ? "file" : "other");
			return;
		}
	} else if (strcmp(op, "lstat") == 0)
		rc = lstat(path, &st);
	else {
		fprintf(stderr, "hostileop: unknown op %s\n", op);
		exit(2);
	}
	/* An open that succeeded is closed at once: the result is all we want. */
	if (rc >= 0 && strncmp(op, "open", 4) == 0)
		close(rc);
	if (rc >= 0 && strcmp(op, "create") == 0)
		close(rc);
	printf("%s %s\n", op, result_of(rc));
}

static int mode_ops(int argc, char **argv)
{
	for (int i = 2; i < argc; i++) {
		path_op(argv[i], argv[0], argv[1]);
		fflush(stdout);
	}
	return 0;
}

/* MemTotal of an open meminfo read from offset 0, or -errno. */
static long long meminfo_total(int fd)
{
	static char text[65536];
	ssize_t len = pread(fd, text, sizeof(text) - 1, 0);
	char *line;

	if (len < 0)
		return -errno;
	text[len] = '\0';
	line = strstr(text, "MemTotal:");
	if (!line)
		return -ENODATA;
	return strtoll(line + strlen("MemTotal:"), NULL, 10);
}

static int mode_heldread(const char *file, const char *away, const char *sync_dir)
{
	char path[4096];
	long long total;
	FILE *procs;
	int fd;

	fd = open(file, O_RDONLY);
	if (fd < 0) {
		printf("first error %s\n", errno_name(errno));
		return 1;
	}
	total = meminfo_total(fd);
	if (total < 0)
		printf("first error %s\n", errno_name((int)-total));
	else
		printf("first MemTotal %lld\n", total);
	fflush(stdout);
	snprintf(path, sizeof(path), "%s/cgroup.procs", away);
	procs = fopen(path, "w");
	if (!procs || fprintf(procs, "%d\n", (int)getpid()) < 0 || fclose(procs) != 0) {
		printf("move error %s\n", errno_name(errno));
		return 1;
	}
	snprintf(path, sizeof(path), "%s/moved", sync_dir);
	close(open(path, O_WRONLY | O_CREAT, 0644));
	snprintf(path, sizeof(path), "%s/go", sync_dir);
	while (access(path, F_OK) != 0) {
		if (timed_out()) {
			printf("second never told to read\n");
			return 1;
		}
		usleep(20000);
	}
	total = meminfo_total(fd);
	if (total < 0)
		printf("second error %s\n", errno_name((int)-total));
	else
		printf("second MemTotal %lld\n", total);
	close(fd);
	return 0;
}

static void on_release(int sig)
{
	(void)sig;
	hostileop_release = 1;
}

/* Open dir and read one listing, as ls does; 0 or -errno. */
static int list_once(const char *dir_path)
{
	DIR *dir = opendir(dir_path);
	int err;

	if (!dir)
		return -errno;
	errno = 0;
	while (readdir(dir))
		;
	err = errno;
	closedir(dir);
	return -err;
}

static int mode_holddirs(long count, char **dirs, int dir_count)
{
	int *fds = calloc((size_t)count + 1, sizeof(*fds));
	long opened = 0;
	int err = 0;

	struct rlimit limit;

	if (!fds)
		return 2;
	/* Our own limit must not be what stops us: the daemon's budget must. */
	if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
		limit.rlim_cur = limit.rlim_max;
		setrlimit(RLIMIT_NOFILE, &limit);
	}
	while (opened < count) {
		int fd = open(dirs[opened % dir_count], O_RDONLY | O_DIRECTORY);

		if (fd < 0) {
			err = errno;
			break;
		}
		fds[opened++] = fd;
	}
	printf("opened %ld\n", opened);
	if (err)
		printf("error %s\n", errno_name(err));
	printf("ready\n");
	fflush(stdout);
	while (!hostileop_release && !timed_out())
		usleep(20000);
	if (!hostileop_release)
		return 0;
	for (long i = 0; i < opened; i++)
		close(fds[i]);
	free(fds);
	for (int i = 0; i < dir_count; i++) {
		int rc = list_once(dirs[i]);

		if (rc < 0) {
			printf("reopen error %s\n", errno_name(-rc));
			return 1;
		}
	}
	printf("reopened\n");
	return 0;
}

static int mode_readloop(const char *file)
{
	static char buf[65536];

	while (!timed_out()) {
		int fd = open(file, O_RDONLY);

		if (fd < 0)
			continue;
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		close(fd);
	}
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: hostileop [-t SECONDS] ops PATH NEW OP... | heldread FILE AWAY SYNC |"
			" holddirs COUNT DIR... | readloop FILE\n");
	return 2;
}

int main(int argc, char **argv)
{
	double seconds = 60;
	int i = 1;

	if (argc > 2 && strcmp(argv[1], "-t") == 0) {
		seconds = atof(argv[2]);
		if (seconds <= 0)
			return usage();
		i = 3;
	}
	hostileop_deadline = now_seconds() + seconds;
	signal(SIGUSR1, on_release);
	if (argc - i >= 4 && strcmp(argv[i], "ops") == 0)
		return mode_ops(argc - i - 1, argv + i + 1);
	if (argc - i == 4 && strcmp(argv[i], "heldread") == 0)
		return mode_heldread(argv[i + 1], argv[i + 2], argv[i + 3]);
	if (argc - i >= 3 && strcmp(argv[i], "holddirs") == 0) {
		long count = strtol(argv[i + 1], NULL, 10);

		if (count <= 0 || count > 1000000)
			return usage();
		return mode_holddirs(count, argv + i + 2, argc - i - 2);
	}
	if (argc - i == 2 && strcmp(argv[i], "readloop") == 0)
		return mode_readloop(argv[i + 1]);
	return usage();
}
