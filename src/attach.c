/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * attach.c - proclens-attach: mount proclens's files into a container's mount
 * namespace (meminfo over /proc/meminfo, a symlink over /proc/net, the
 * container's own copy of the tree at /run/proclens), or take them out again.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "mountns.h"
#include "ns.h"

#define ATTACH_DEFAULT_MOUNT "/var/lib/proclens"
/* What proclens's mounts show as their source in mountinfo. */
#define ATTACH_SOURCE "proclens"
#define ATTACH_FSTYPE "fuse.proclens"
/* Inside the container: its copy of the tree, and where /proc/net points. */
#define ATTACH_RUN_DIR "proclens"
#define ATTACH_NET_TARGET "/run/proclens/proc/net"
/*
 * The link mounted over /proc/net lives in /run/proclens, under the mount
 * of the container's copy of the tree: a mount's source must stay linked.
 */
#define ATTACH_NET_LINK "net"
#define ATTACH_NAME_MAX 64
#define ATTACH_EXIT_FAILURE 1
#define ATTACH_EXIT_USAGE 2

struct attach_options {
	const char *mount;	/* proclens's mount point on the host */
	const char *name;	/* the container's name below c/ */
	char pid_name[32];	/* "pid-<pid>", the default name */
	pid_t pid;		/* 0: --rootfs */
	const char *rootfs;
	bool detach;
};

/* What can be mounted, gathered before entering the container. */
struct attach_sources {
	int tree_fd;		/* c/<name> */
	int meminfo_fd;		/* c/<name>/proc/meminfo */
	char why_not[PATH_MAX + 256];	/* why the three are missing, if they are */
	bool no_mount_api;	/* no open_tree(2): fall back to mount(2) by path */
	char tree_path[PATH_MAX], meminfo_path[PATH_MAX + 32];
};

/* The container, once entered. */
struct attach_target {
	int host_proc_fd;	/* the helper's /proc: self/mountinfo is the current namespace's */
	int proc_fd;		/* the container's /proc, -1 if it has none */
	int run_fd;		/* the container's /run, -1 if none could be made */
	char why_no_proc[PATH_MAX + 128];
	char why_no_run[PATH_MAX + 128];
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: proclens-attach [--mount DIR] [--name NAME] (--pid PID | --rootfs DIR) [--detach]\n"
		"Mount proclens's files into a container's mount namespace, or take them out.\n"
		"\n"
		"  -p, --pid PID      the container of process PID (enters its mount namespace)\n"
		"  -r, --rootfs DIR   already in the container's mount namespace, its root at DIR\n"
		"  -n, --name NAME    the container's name below MOUNT/c/ (default: pid-PID;\n"
		"                     required with --rootfs)\n"
		"  -m, --mount DIR    proclens's mount point (default: %s)\n"
		"  -d, --detach       remove what an earlier attach mounted\n"
		"  -h, --help         show this help and exit\n"
		"  -V, --version      show the version and exit\n",
		ATTACH_DEFAULT_MOUNT);
}

static int usage_error(const char *fmt, ...)
{
	va_list ap;

	if (fmt) {
		fputs("proclens-attach: ", stderr);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
	fputs("Usage: proclens-attach [--mount DIR] [--name NAME] (--pid PID | --rootfs DIR) "
	      "[--detach]\n", stderr);
	return -1;
}

/* proclens's rule for names below c/: 1 to 64 of [A-Za-z0-9_.-], not . or .. */
static bool attach_name_valid(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len > ATTACH_NAME_MAX || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0)
		return false;
	return strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			    "0123456789_.-") == len;
}

static bool attach_parse_pid(const char *text, pid_t *pid)
{
	char *end;
	long value;

	if (text[0] < '0' || text[0] > '9')
		return false;
	errno = 0;
	value = strtol(text, &end, 10);
	if (errno || *end || value <= 0 || value > INT_MAX)
		return false;
	*pid = (pid_t)value;
	return true;
}

static int parse_options(int argc, char **argv, struct attach_options *opts)
{
	static const struct option longopts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "rootfs", required_argument, NULL, 'r' },
		{ "name", required_argument, NULL, 'n' },
		{ "mount", required_argument, NULL, 'm' },
		{ "detach", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(opts, 0, sizeof(*opts));
	opts->mount = ATTACH_DEFAULT_MOUNT;
	while ((c = getopt_long(argc, argv, "p:r:n:m:dhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (!attach_parse_pid(optarg, &opts->pid))
				return usage_error("--pid: '%s' is not a process id", optarg);
			break;
		case 'r':
			opts->rootfs = optarg;
			break;
		case 'n':
			opts->name = optarg;
			break;
		case 'm':
			opts->mount = optarg;
			break;
		case 'd':
			opts->detach = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("proclens-attach %s\n", PACKAGE_VERSION);
			exit(0);
		default:
			/* getopt has said what was wrong. */
			return usage_error(NULL);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (!opts->pid == !opts->rootfs)
		return usage_error("give one of --pid and --rootfs");
	if (opts->rootfs && !opts->rootfs[0])
		return usage_error("--rootfs: empty directory name");
	if (!opts->mount[0])
		return usage_error("--mount: empty directory name");
	if (!opts->name && opts->rootfs && !opts->detach)
		return usage_error("--rootfs needs --name");
	if (!opts->name && opts->pid) {
		snprintf(opts->pid_name, sizeof(opts->pid_name), "pid-%d", (int)opts->pid);
		opts->name = opts->pid_name;
	}
	if (opts->name && !attach_name_valid(opts->name))
		return usage_error("--name: '%s' is not 1 to %d of A-Z a-z 0-9 _ . - "
				   "(nor . or ..)", opts->name, ATTACH_NAME_MAX);
	return 0;
}

/* One line on stderr for each thing not done: a container never fails to start for it. */
static void attach_skip(const char *what, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "proclens-attach: %s: skipped: ", what);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* The topmost mount at point in the namespace the helper is in now. */
static int attach_find_mount(int host_proc_fd, const char *point, struct mountns_entry *entry)
{
	int fd = openat(host_proc_fd, "self/mountinfo", O_RDONLY | O_CLOEXEC);
	FILE *mountinfo;
	int found;

	if (fd < 0)
		return -errno;
	mountinfo = fdopen(fd, "r");
	if (!mountinfo) {
		close(fd);
		return -ENOMEM;
	}
	found = mountns_find(mountinfo, point, entry);
	fclose(mountinfo);
	return found;
}

/*
 * Is proclens serving at mount? 0 if so; otherwise -1 and why not in why.
 * Looks at mountinfo first: a stat of a dead FUSE mount fails (ENOTCONN).
 */
static int attach_check_proclens(int host_proc_fd, const char *mount, char *why, size_t size)
{
	char copy[PATH_MAX], parent[PATH_MAX], point[PATH_MAX + 1];
	struct mountns_entry entry;
	struct statfs sfs;
	char *slash;
	int found;

	/* Resolve all but the last component, which may be the dead mount. */
	snprintf(copy, sizeof(copy), "%s", mount);
	while (strlen(copy) > 1 && copy[strlen(copy) - 1] == '/')
		copy[strlen(copy) - 1] = '\0';
	slash = strrchr(copy, '/');
	if (!slash)
		snprintf(parent, sizeof(parent), ".");
	else if (slash == copy)
		snprintf(parent, sizeof(parent), "/");
	else
		snprintf(parent, sizeof(parent), "%.*s", (int)(slash - copy), copy);
	if (!realpath(parent, point)) {
		snprintf(why, size, "%s: %s", mount, strerror(errno));
		return -1;
	}
	if (slash && slash[1])
		snprintf(point + strlen(point), sizeof(point) - strlen(point), "%s%s",
			 strcmp(point, "/") == 0 ? "" : "/", slash + 1);
	found = attach_find_mount(host_proc_fd, point, &entry);
	if (found < 0) {
		snprintf(why, size, "cannot read the mount table: %s", strerror(-found));
		return -1;
	}
	if (!found || strcmp(entry.fstype, ATTACH_FSTYPE) != 0) {
		snprintf(why, size, "proclens is not running: %s is not a proclens mount", mount);
		return -1;
	}
	/* statfs always reaches the daemon: a dead one answers ENOTCONN. */
	if (statfs(point, &sfs) < 0) {
		snprintf(why, size, "proclens is not running: its mount at %s is dead (%s)",
			 mount, strerror(errno));
		return -1;
	}
	return 0;
}

/* Clone what will be mounted, from the helper's own namespace. */
static void attach_gather(const struct attach_options *opts, int host_proc_fd,
			  struct attach_sources *src)
{
	const unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC;

	src->tree_fd = src->meminfo_fd = -1;
	if (attach_check_proclens(host_proc_fd, opts->mount, src->why_not,
				  sizeof(src->why_not)) < 0)
		return;
	snprintf(src->tree_path, sizeof(src->tree_path), "%s/c/%s", opts->mount, opts->name);
	snprintf(src->meminfo_path, sizeof(src->meminfo_path), "%s/proc/meminfo",
		 src->tree_path);
	src->tree_fd = open_tree(AT_FDCWD, src->tree_path, flags);
	if (src->tree_fd < 0 && errno == ENOSYS) {
		src->no_mount_api = true;
		snprintf(src->why_not, sizeof(src->why_not),
			 "the kernel lacks open_tree(2) and move_mount(2) (Linux 5.2)");
		return;
	}
	if (src->tree_fd < 0) {
		snprintf(src->why_not, sizeof(src->why_not), "%s: %s", src->tree_path,
			 strerror(errno));
		return;
	}
	src->meminfo_fd = open_tree(AT_FDCWD, src->meminfo_path, flags);
	if (src->meminfo_fd < 0)
		snprintf(src->why_not, sizeof(src->why_not), "%s: %s", src->meminfo_path,
			 strerror(errno));
}

/*
 * Open dirfd/name as a directory, resolving symlinks as if dirfd were "/"
 * (a container's /run may be a link to /var/run; it must not lead out of
 * the container). Linux before 5.6 has no openat2(2): then no symlinks.
 */
static int attach_open_dir(int dirfd, const char *name)
{
	struct open_how how = {
		.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	long fd = syscall(SYS_openat2, dirfd, name, &how, sizeof(how));

	if (fd < 0 && errno == ENOSYS)
		fd = openat(dirfd, name, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	return (int)fd;
}

/* The path of an open directory as the helper's root sees it, plus "/name". */
static int attach_path_of(int host_proc_fd, int dirfd, const char *name, char *path,
			  size_t size)
{
	char link[64];
	ssize_t len;

	snprintf(link, sizeof(link), "self/fd/%d", dirfd);
	len = readlinkat(host_proc_fd, link, path, size - 1);
	if (len < 0)
		return -errno;
	path[len] = '\0';
	if (strcmp(path, "/") == 0)
		len = 0;
	if ((size_t)snprintf(path + len, size - (size_t)len, "/%s", name) >= size - (size_t)len)
		return -ENAMETOOLONG;
	return 0;
}

/* Open the container's /proc and /run, its root at root. */
static void attach_open_target(const char *root, bool create_run, struct attach_target *t)
{
	struct statfs sfs;
	int root_fd;

	t->proc_fd = t->run_fd = -1;
	root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0) {
		snprintf(t->why_no_proc, sizeof(t->why_no_proc), "%s: %s", root, strerror(errno));
		snprintf(t->why_no_run, sizeof(t->why_no_run), "%s", t->why_no_proc);
		return;
	}
	t->proc_fd = attach_open_dir(root_fd, "proc");
	if (t->proc_fd < 0) {
		snprintf(t->why_no_proc, sizeof(t->why_no_proc), "no /proc: %s", strerror(errno));
	} else if (fstatfs(t->proc_fd, &sfs) < 0 || sfs.f_type != PROC_SUPER_MAGIC) {
		snprintf(t->why_no_proc, sizeof(t->why_no_proc), "no proc file system at /proc");
		close(t->proc_fd);
		t->proc_fd = -1;
	}
	t->run_fd = attach_open_dir(root_fd, "run");
	if (t->run_fd < 0 && errno == ENOENT && create_run) {
		if (mkdirat(root_fd, "run", 0755) == 0 || errno == EEXIST)
			t->run_fd = attach_open_dir(root_fd, "run");
	}
	if (t->run_fd < 0)
		snprintf(t->why_no_run, sizeof(t->why_no_run), "no /run: %s", strerror(errno));
	close(root_fd);
}

/*
 * Take off every mount of proclens's stacked at dirfd/name, topmost first:
 * proclens's own (source "proclens") or, with link_target, symlinks to it.
 * Lazily (MNT_DETACH): open files in the container keep theirs until closed.
 */
static void attach_remove(const struct attach_target *t, int dirfd, const char *name,
			  const char *link_target, const char *what)
{
	char point[PATH_MAX];
	struct mountns_entry entry;
	int found, rounds;

	if (attach_path_of(t->host_proc_fd, dirfd, name, point, sizeof(point)) < 0)
		return;
	/* Bounded: each round removes one mount or stops. */
	for (rounds = 0; rounds < 64; rounds++) {
		found = attach_find_mount(t->host_proc_fd, point, &entry);
		if (found <= 0)
			return;
		if (link_target ? !mountns_is_symlink_to(dirfd, name, link_target)
				: strcmp(entry.source, ATTACH_SOURCE) != 0)
			return;
		if (umount2(point, MNT_DETACH | UMOUNT_NOFOLLOW) < 0) {
			fprintf(stderr, "proclens-attach: %s: cannot unmount: %s\n", what,
				strerror(errno));
			return;
		}
	}
}

static void attach_remove_all(const struct attach_target *t)
{
	if (t->proc_fd >= 0) {
		attach_remove(t, t->proc_fd, "net", ATTACH_NET_TARGET, "/proc/net");
		attach_remove(t, t->proc_fd, "meminfo", NULL, "/proc/meminfo");
	}
	if (t->run_fd >= 0)
		attach_remove(t, t->run_fd, ATTACH_RUN_DIR, NULL, "/run/" ATTACH_RUN_DIR);
}

/* Remove /run/proclens and the link in it, once nothing is mounted there. */
static void attach_remove_run_dir(const struct attach_target *t)
{
	int dir_fd;

	if (t->run_fd < 0)
		return;
	dir_fd = openat(t->run_fd, ATTACH_RUN_DIR, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dir_fd < 0)
		return;
	if (mountns_is_symlink_to(dir_fd, ATTACH_NET_LINK, ATTACH_NET_TARGET))
		unlinkat(dir_fd, ATTACH_NET_LINK, 0);
	close(dir_fd);
	/* Fails, harmlessly, if the container keeps something of its own there. */
	unlinkat(t->run_fd, ATTACH_RUN_DIR, AT_REMOVEDIR);
}

/* Mount tree_fd at dirfd/name; without the new mount API, bind source by path. */
static int attach_mount(const struct attach_sources *src, int tree_fd, const char *source,
			const struct attach_target *t, int dirfd, const char *name)
{
	char point[PATH_MAX];
	int rc;

	if (!src->no_mount_api)
		return move_mount(tree_fd, "", dirfd, name, MOVE_MOUNT_F_EMPTY_PATH) < 0 ? -errno : 0;
	rc = attach_path_of(t->host_proc_fd, dirfd, name, point, sizeof(point));
	if (rc < 0)
		return rc;
	return mount(source, point, NULL, MS_BIND, NULL) < 0 ? -errno : 0;
}

static void attach_all(const struct attach_sources *src, const struct attach_target *t)
{
	const bool have = src->tree_fd >= 0 || src->no_mount_api;
	char why_no_link[256] = "";
	bool run_done = false;
	int rc, net_fd = -1, dir_fd, run_dir_error = 0;

	/* The link for /proc/net first, in /run/proclens before it is covered. */
	if (have && t->run_fd >= 0 && mkdirat(t->run_fd, ATTACH_RUN_DIR, 0755) < 0 &&
	    errno != EEXIST)
		run_dir_error = errno;
	if (have && t->run_fd >= 0 && !run_dir_error && !src->no_mount_api) {
		dir_fd = openat(t->run_fd, ATTACH_RUN_DIR,
				O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		net_fd = dir_fd < 0 ? -errno
				    : mountns_symlink_tree(dir_fd, ATTACH_NET_LINK, ATTACH_NET_TARGET);
		if (net_fd < 0)
			snprintf(why_no_link, sizeof(why_no_link),
				 "cannot make the link /run/%s/%s: %s", ATTACH_RUN_DIR,
				 ATTACH_NET_LINK, strerror(-net_fd));
		if (dir_fd >= 0)
			close(dir_fd);
	}

	/* Then the container's copy of the tree: /proc/net will point into it. */
	if (!have) {
		attach_skip("/run/" ATTACH_RUN_DIR, "%s", src->why_not);
	} else if (t->run_fd < 0) {
		attach_skip("/run/" ATTACH_RUN_DIR, "%s", t->why_no_run);
	} else if (run_dir_error) {
		attach_skip("/run/" ATTACH_RUN_DIR, "cannot create it: %s", strerror(run_dir_error));
	} else if ((rc = attach_mount(src, src->tree_fd, src->tree_path, t, t->run_fd,
				      ATTACH_RUN_DIR)) < 0) {
		attach_skip("/run/" ATTACH_RUN_DIR, "cannot mount %s there: %s",
			    src->tree_path, strerror(-rc));
	} else {
		run_done = true;
	}

	if (src->meminfo_fd < 0 && !src->no_mount_api) {
		attach_skip("/proc/meminfo", "%s", src->why_not);
	} else if (t->proc_fd < 0) {
		attach_skip("/proc/meminfo", "%s", t->why_no_proc);
	} else if ((rc = attach_mount(src, src->meminfo_fd, src->meminfo_path, t,
				      t->proc_fd, "meminfo")) < 0) {
		attach_skip("/proc/meminfo", "cannot mount %s there: %s", src->meminfo_path,
			    strerror(-rc));
	}

	/*
	 * A symlink over the /proc/net symlink: move_mount without
	 * MOVE_MOUNT_T_SYMLINKS mounts on the link itself, not on self/net.
	 */
	if (!have || src->no_mount_api)
		attach_skip("/proc/net", "%s", src->why_not);
	else if (t->proc_fd < 0)
		attach_skip("/proc/net", "%s", t->why_no_proc);
	else if (!run_done)
		attach_skip("/proc/net", "it would point into /run/%s, which is not mounted",
			    ATTACH_RUN_DIR);
	else if (net_fd < 0)
		attach_skip("/proc/net", "%s", why_no_link);
	else if (move_mount(net_fd, "", t->proc_fd, "net", MOVE_MOUNT_F_EMPTY_PATH) < 0)
		attach_skip("/proc/net", "cannot mount a symlink over it: %s", strerror(errno));
	if (net_fd >= 0)
		close(net_fd);
}

/*
 * --pid of a process in the helper's own mount namespace would change the
 * helper's own /proc (the host's): refuse. --rootfs cannot tell, since a
 * hook inside a container is in that container's namespace by design.
 */
static int attach_refuse_own_namespace(int host_proc_fd, pid_t pid)
{
	char path[64];
	struct ns_id own, target;

	snprintf(path, sizeof(path), "%d/ns/mnt", (int)pid);
	if (ns_id_at(host_proc_fd, "self/ns/mnt", &own) == 0 &&
	    ns_id_at(host_proc_fd, path, &target) == 0 && ns_id_equal(&own, &target)) {
		fprintf(stderr, "proclens-attach: process %d is in this mount namespace: "
			"refusing to change its own /proc\n", (int)pid);
		return -1;
	}
	return 0;
}

/* Enter the mount namespace and root of process pid. Single-threaded only. */
static int attach_enter(pid_t pid, int ns_fd, int root_fd)
{
	if (setns(ns_fd, CLONE_NEWNS) < 0) {
		fprintf(stderr, "proclens-attach: cannot enter the mount namespace of process "
			"%d: %s\n", (int)pid, strerror(errno));
		return -1;
	}
	/* As nsenter -r: the process's root, which may be a chroot inside it. */
	if (fchdir(root_fd) < 0 || chroot(".") < 0 || chdir("/") < 0) {
		fprintf(stderr, "proclens-attach: cannot enter the root of process %d: %s\n",
			(int)pid, strerror(errno));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct attach_options opts;
	struct attach_sources src = { .tree_fd = -1, .meminfo_fd = -1 };
	struct attach_target target = { .proc_fd = -1, .run_fd = -1 };
	char path[64], root[PATH_MAX];
	int ns_fd = -1, root_fd = -1;

	if (parse_options(argc, argv, &opts) < 0)
		return ATTACH_EXIT_USAGE;
	target.host_proc_fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (target.host_proc_fd < 0) {
		fprintf(stderr, "proclens-attach: /proc: %s\n", strerror(errno));
		return ATTACH_EXIT_FAILURE;
	}
	if (opts.pid && attach_refuse_own_namespace(target.host_proc_fd, opts.pid) < 0)
		return ATTACH_EXIT_FAILURE;
	if (opts.pid) {
		snprintf(path, sizeof(path), "%d/ns/mnt", (int)opts.pid);
		ns_fd = openat(target.host_proc_fd, path, O_RDONLY | O_CLOEXEC);
		snprintf(path, sizeof(path), "%d/root", (int)opts.pid);
		if (ns_fd >= 0)
			root_fd = openat(target.host_proc_fd, path,
					 O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (ns_fd < 0 || root_fd < 0) {
			fprintf(stderr, "proclens-attach: process %d: %s\n", (int)opts.pid,
				errno == ENOENT ? "no such process" : strerror(errno));
			return ATTACH_EXIT_FAILURE;
		}
	}
	/* Clones of proclens's files are taken here, where its mount is. */
	if (!opts.detach)
		attach_gather(&opts, target.host_proc_fd, &src);
	if (opts.pid) {
		if (attach_enter(opts.pid, ns_fd, root_fd) < 0)
			return ATTACH_EXIT_FAILURE;
		snprintf(root, sizeof(root), "/");
	} else if (!realpath(opts.rootfs, root)) {
		fprintf(stderr, "proclens-attach: %s: %s\n", opts.rootfs, strerror(errno));
		return ATTACH_EXIT_FAILURE;
	}
	/* /run/proclens is made only when there is something to mount on it. */
	attach_open_target(root, !opts.detach && (src.tree_fd >= 0 || src.no_mount_api),
			   &target);
	/* Attaching again replaces what is there: a dead daemon's mounts, say. */
	attach_remove_all(&target);
	attach_remove_run_dir(&target);
	if (!opts.detach)
		attach_all(&src, &target);
	/*
	 * Inside a container's namespaces (after --pid, or run by a hook with
	 * --rootfs) /proc may not list this process: leave with _exit(), past
	 * exit handlers that read /proc/<own pid> (LeakSanitizer's, in the
	 * sanitizer lane).
	 */
	fflush(stdout);
	fflush(stderr);
	_exit(0);
}
