/* SPDX-License-Identifier: GPL-2.0-or-later */
/* main.c - proclens: options, mount point checks, daemon start-up and shutdown. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/types.h>
#include <unistd.h>

#include "caps.h"
#include "fdstore.h"
#include "fs.h"
#include "handover.h"
#include "host.h"
#include "log.h"
#include "mountns.h"
#include "recover.h"
#include "session.h"

#define DEFAULT_MOUNTPOINT "/var/lib/proclens"
#define FS_TYPE "fuse.proclens"
/* The descriptor limit the daemon asks for when its hard limit is lower. */
#define PROCLENS_FD_LIMIT 65536

struct options {
	bool foreground;
	bool debug;
	bool recover;
	const char *pidfile;
	const char *mountpoint;
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: proclens [OPTIONS] [MOUNTPOINT]\n"
		"Serve /proc files computed for each reader's cgroups and namespaces.\n"
		"\n"
		"  -f, --foreground     stay in the foreground\n"
		"  -d, --debug          log every request (implies --foreground)\n"
		"  -p, --pidfile FILE   write the daemon's pid to FILE\n"
		"  -r, --recover        replace dead proclens mounts in other mount namespaces\n"
		"                       (the default at %s only)\n"
		"  -h, --help           show this help and exit\n"
		"  -V, --version        show the version and exit\n"
		"\n"
		"MOUNTPOINT defaults to %s and is created if missing.\n",
		DEFAULT_MOUNTPOINT, DEFAULT_MOUNTPOINT);
}

static int parse_options(int argc, char **argv, struct options *opts)
{
	static const struct option longopts[] = {
		{ "foreground", no_argument, NULL, 'f' },
		{ "debug", no_argument, NULL, 'd' },
		{ "pidfile", required_argument, NULL, 'p' },
		{ "recover", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(opts, 0, sizeof(*opts));
	opts->mountpoint = DEFAULT_MOUNTPOINT;
	while ((c = getopt_long(argc, argv, "fdp:rhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			opts->foreground = true;
			break;
		case 'd':
			opts->debug = true;
			opts->foreground = true;
			break;
		case 'r':
			opts->recover = true;
			break;
		case 'p':
			opts->pidfile = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("proclens %s\n", PACKAGE_VERSION);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind < argc)
		opts->mountpoint = argv[optind++];
	if (optind < argc) {
		fprintf(stderr, "proclens: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	return 0;
}

/*
 * The file system type mounted at path, from mountinfo, without touching the
 * mount itself (a dead FUSE mount would hang or fail a stat). Empty if none.
 */
static void mounted_fstype(const char *path, char *fstype, size_t size)
{
	static struct mountns_entry entry;
	FILE *f = fopen("/proc/self/mountinfo", "re");

	fstype[0] = '\0';
	if (!f)
		return;
	if (mountns_find(f, path, &entry) == 1)
		snprintf(fstype, size, "%s", entry.fstype);
	fclose(f);
}

/* Make sure the mount point exists and is free; print one clear line if not. */
static int prepare_mountpoint(const char *mountpoint, char *resolved)
{
	char fstype[256];
	struct stat st;

	if (mkdir(mountpoint, 0755) < 0 && errno != EEXIST) {
		if (errno == ENOENT)
			fprintf(stderr, "proclens: cannot create mount point %s: "
				"its parent directory does not exist\n", mountpoint);
		else
			fprintf(stderr, "proclens: cannot create mount point %s: %s\n",
				mountpoint, strerror(errno));
		return -1;
	}
	if (!realpath(mountpoint, resolved)) {
		if (errno == ENOTCONN)
			fprintf(stderr, "proclens: %s: a dead FUSE mount is there; "
				"unmount it first (umount %s)\n", mountpoint, mountpoint);
		else
			fprintf(stderr, "proclens: %s: %s\n", mountpoint, strerror(errno));
		return -1;
	}
	mounted_fstype(resolved, fstype, sizeof(fstype));
	if (strcmp(fstype, FS_TYPE) == 0) {
		struct statfs sfs;

		/* statfs always reaches the daemon: a dead one answers ENOTCONN. */
		if (statfs(resolved, &sfs) < 0 && errno == ENOTCONN)
			fprintf(stderr, "proclens: %s is a proclens mount whose daemon is gone; "
				"unmount it first (umount -l %s)\n", resolved, resolved);
		else
			fprintf(stderr, "proclens: %s is already a proclens mount\n", resolved);
		return -1;
	}
	if (fstype[0]) {
		fprintf(stderr, "proclens: %s is busy: a %s file system is mounted there\n",
			resolved, fstype);
		return -1;
	}
	if (stat(resolved, &st) < 0 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "proclens: %s is not a directory\n", resolved);
		return -1;
	}
	return 0;
}

/*
 * proclens keeps cgroup files open (an eighth of the limit for each of the
 * memory and pids tables, cgroup.h) and a netlink socket per reader
 * namespace, beyond the files readers hold open (a quarter of the limit,
 * budget.c): take the hard limit, 65,536 if it can.
 */
static void raise_fd_limit(void)
{
	struct rlimit limit;

	if (getrlimit(RLIMIT_NOFILE, &limit) < 0)
		return;
	/*
	 * A hard limit of 4,096 (the kernel's default for init) would leave
	 * a quarter of that, 1,024 open files, for every reader together:
	 * raise it while CAP_SYS_RESOURCE is still held, where it can be.
	 */
	if (limit.rlim_max < PROCLENS_FD_LIMIT) {
		struct rlimit wanted = { PROCLENS_FD_LIMIT, PROCLENS_FD_LIMIT };

		if (setrlimit(RLIMIT_NOFILE, &wanted) == 0)
			return;
	}
	if (limit.rlim_cur < limit.rlim_max) {
		limit.rlim_cur = limit.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &limit) < 0)
			log_info("cannot raise the open file limit: %m");
	}
}

/* A pid file named relative to where proclens started, made absolute before it chdirs to /. */
static int absolute_path(const char *path, char *out, size_t size)
{
	char cwd[PATH_MAX];

	if (path[0] == '/')
		return snprintf(out, size, "%s", path) < (int)size ? 0 : -ENAMETOOLONG;
	if (!getcwd(cwd, sizeof(cwd)))
		return -errno;
	return snprintf(out, size, "%s/%s", cwd, path) < (int)size ? 0 : -ENAMETOOLONG;
}

static int write_pidfile(const char *path)
{
	FILE *f = fopen(path, "we");

	if (!f)
		return -errno;
	fprintf(f, "%d\n", (int)getpid());
	if (fclose(f) != 0)
		return -errno;
	return 0;
}

/*
 * Fork; the parent waits for the child to report that the mount is serving
 * and exits with the child's status, so "proclens && use it" is race-free.
 */
static int daemonize(int *ready_fd)
{
	int pipefd[2];
	pid_t pid;
	char status = 1;

	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		perror("proclens: pipe");
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		perror("proclens: fork");
		return -1;
	}
	if (pid > 0) {
		close(pipefd[1]);
		if (read(pipefd[0], &status, 1) != 1)
			status = 1;
		_exit(status);
	}
	close(pipefd[0]);
	setsid();
	if (chdir("/") < 0) {
		perror("proclens: chdir /");
		return -1;
	}
	*ready_fd = pipefd[1];
	return 0;
}

static void report_ready(int ready_fd, char status)
{
	int null_fd;

	if (ready_fd < 0)
		return;
	if (status == 0) {
		/* From here on, messages go to syslog. */
		log_init(true, false);
		null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (null_fd >= 0) {
			dup2(null_fd, STDIN_FILENO);
			dup2(null_fd, STDOUT_FILENO);
			dup2(null_fd, STDERR_FILENO);
			close(null_fd);
		}
	}
	if (write(ready_fd, &status, 1) != 1)
		log_error("cannot report start-up status: %m");
	close(ready_fd);
}

/* Ignore what has no meaning to proclens; session_new() catches the signals that do. */
static void ignore_signals(void)
{
	signal(SIGPIPE, SIG_IGN);
	signal(SIGUSR2, SIG_IGN);
	signal(SIGALRM, SIG_IGN);
}

/*
 * Unmount a connection taken over from an earlier daemon: libfuse did not
 * mount it, so it would not unmount it. Not if it is gone already.
 */
static void unmount_taken_over(const char *mountpoint, int fuse_fd)
{
	struct pollfd pfd = { .fd = fuse_fd, .events = 0 };

	if (poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLERR))
		return;
	if (umount2(mountpoint, MNT_DETACH) < 0)
		log_error("cannot unmount %s: %m", mountpoint);
}

/*
 * The connection and where the daemon stands. A daemon starts in one of
 * three ways: a fresh mount; reloaded (re-executed by a daemon before it,
 * handover.c), which is already detached and mounted; or kept (started by
 * systemd after a crash, with the connection systemd kept, fdstore.c),
 * which detaches like a fresh start but mounts nothing.
 */
enum start { START_FRESH, START_RELOADED, START_KEPT };

struct daemon {
	struct fuse_session *se;
	struct session *session;
	struct fs *fs;
	char **argv;
	const char *mountpoint;
	uint16_t epoch;
	struct session_init init;
	int store_fd;		/* the state kept in systemd's store, or -1 */
};

/*
 * Keep the connection in systemd's store, where it outlives a crash, with
 * a journal of what a restarted daemon needs (fs_journal_start()); or, kept
 * already, start this daemon's journal over it (its epoch, its state).
 * Only on kernels that resend the requests a dead daemon had read
 * (FUSE_NOTIFY_RESEND, Linux 6.9): without that, a reader whose request the
 * dead daemon had taken would wait forever.
 */
static void store_connection(struct daemon *d)
{
	bool kept = d->store_fd >= 0;
	char *header;
	int rc;

	if (!kept) {
		if (!fdstore_available() || !session_init_resends(&d->init))
			return;
		d->store_fd = memfd_create("proclens-state", MFD_CLOEXEC);
		if (d->store_fd < 0) {
			log_info("cannot keep the connection across a crash: memfd: %m");
			return;
		}
	}
	header = handover_header(-1, -1, d->mountpoint, d->epoch, &d->init);
	rc = header ? fs_journal_start(d->fs, d->store_fd, header) : -ENOMEM;
	free(header);
	if (rc == 0 && !kept)
		rc = fdstore_add(fuse_session_fd(d->se), "fuse");
	if (rc == 0 && !kept)
		rc = fdstore_add(d->store_fd, "state");
	if (rc < 0) {
		log_info("cannot keep the connection across a crash: %s", strerror(-rc));
		fs_journal_stop(d->fs);
		if (!kept) {
			fdstore_remove("fuse");
			close(d->store_fd);
			d->store_fd = -1;
		}
		return;
	}
	log_debug("the connection is kept in the service manager's store");
}

/* A clean stop: nothing is left to take over. */
static void unstore_connection(struct daemon *d)
{
	if (d->store_fd < 0)
		return;
	fs_journal_stop(d->fs);
	fdstore_remove("fuse");
	fdstore_remove("state");
}

/* The state lines kept with a connection systemd kept, into fs. */
static void load_kept_state(int store_fd, struct fs *fs)
{
	int copy = dup(store_fd);
	FILE *in = copy >= 0 ? fdopen(copy, "r") : NULL;

	if (!in) {
		if (copy >= 0)
			close(copy);
		log_error("cannot read the state kept with the connection: %m");
		return;
	}
	/* handover_read() left the shared offset just past the header. */
	fs_state_load(fs, in);
	fclose(in);
}

/*
 * Serve until told to stop. SIGHUP hands the connection to the daemon
 * installed now (handover.c) and returns only if that cannot be done;
 * readers wait meanwhile, and see no error.
 */
static void serve(struct daemon *d)
{
	for (;;) {
		if (session_wait(d->session) != SESSION_RELOAD)
			return;
		log_info("reload: draining requests");
		if (session_drain(d->session, 10000) == 0)
			handover_exec(d->argv, fuse_session_fd(d->se), d->store_fd, d->mountpoint,
				      d->epoch, &d->init, d->fs);
		else
			log_error("reload abandoned: serving on");
		if (session_start(d->session) < 0)
			return;
	}
}

/*
 * A connection systemd kept across a crash, if it is still the one mounted
 * at its mount point (a stop unmounts; systemd may still hold the
 * descriptor a moment). 1 if taken, else 0 with both descriptors closed.
 */
static int take_kept_connection(struct handover *h)
{
	int fuse_fd, state_fd;
	char fstype[64];

	if (fdstore_take(&fuse_fd, &state_fd) != 1 || handover_read(state_fd, h) < 0) {
		if (fuse_fd >= 0)
			close(fuse_fd);
		if (state_fd >= 0)
			close(state_fd);
		return 0;
	}
	mounted_fstype(h->mountpoint, fstype, sizeof(fstype));
	if (strcmp(fstype, FS_TYPE) != 0) {
		close(fuse_fd);
		close(state_fd);
		return 0;
	}
	h->fuse_fd = fuse_fd;
	h->store_fd = state_fd;
	h->state_fd = -1;
	return 1;
}

int main(int argc, char **argv)
{
	char mountpoint[PATH_MAX], pidfile[PATH_MAX], fd_path[32];
	struct options opts;
	struct host host = { .proc_fd = -1 };
	struct handover handover = { .fuse_fd = -1, .store_fd = -1, .state_fd = -1 };
	struct daemon d = { .argv = argv, .mountpoint = mountpoint, .epoch = 1, .store_fd = -1 };
	enum start start = START_FRESH;
	int ready_fd = -1, rc, exit_status = 1;
	bool stuck = false;
	char caps_error[256];
	static char fuse_options[] =
		"ro,allow_other,default_permissions,fsname=proclens,subtype=proclens";
	static char dash_o[] = "-o", dash_d[] = "-d";
	char *fuse_argv[] = { argv[0], dash_o, fuse_options, NULL, NULL };
	struct fuse_args args = FUSE_ARGS_INIT(3, fuse_argv);

	if (parse_options(argc, argv, &opts) < 0)
		return 1;
	/* Started by a reload: the connection and what the kernel holds come with it. */
	rc = handover_take(&handover);
	if (rc < 0) {
		fprintf(stderr, "proclens: the state handed over is unreadable\n");
		return 1;
	}
	if (rc == 1)
		start = START_RELOADED;
	else if (take_kept_connection(&handover))
		start = START_KEPT;
	if (opts.pidfile && start != START_RELOADED) {
		rc = absolute_path(opts.pidfile, pidfile, sizeof(pidfile));
		if (rc < 0) {
			fprintf(stderr, "proclens: %s: %s\n", opts.pidfile, strerror(-rc));
			return 1;
		}
		opts.pidfile = pidfile;
	}
	log_init(start == START_RELOADED && !opts.foreground, opts.debug);
	if (opts.debug) {
		fuse_argv[3] = dash_d;
		args.argc = 4;
	}
	if (start != START_FRESH) {
		snprintf(mountpoint, sizeof(mountpoint), "%s", handover.mountpoint);
		d.epoch = handover.epoch == UINT16_MAX ? 1 : handover.epoch + 1;
		d.init = handover.init;
		d.store_fd = handover.store_fd;
	} else if (prepare_mountpoint(opts.mountpoint, mountpoint) < 0) {
		return 1;
	}
	if (handover_remember_exe() < 0)
		log_info("cannot find the daemon's own file: reload will not work");

	raise_fd_limit();
	/*
	 * Debian 12's kernel has transparent huge pages "always": the daemon's
	 * few hundred KiB of heap then grows by a whole 2 MiB page at a time.
	 */
	if (prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) < 0)
		log_debug("cannot opt out of transparent huge pages: %m");
	rc = host_open(&host);
	if (rc < 0) {
		fprintf(stderr, "proclens: cannot open the host's /proc and cgroups: %s\n",
			strerror(-rc));
		return 1;
	}
	log_debug("memory controller: %s", cgroup_version_name(host.memory.version));
	d.fs = fs_create(&host, d.epoch);
	if (!d.fs) {
		fprintf(stderr, "proclens: out of memory\n");
		goto out_close_host;
	}
	d.se = fs_session_new(d.fs, &args);
	if (!d.se) {
		fprintf(stderr, "proclens: cannot create the FUSE session\n");
		goto out_destroy_fs;
	}
	/*
	 * Every signal a daemon may be sent does something documented or
	 * nothing: SIGTERM, SIGINT and SIGQUIT stop cleanly, SIGHUP reloads,
	 * SIGUSR1 turns debug messages on or off, SIGUSR2 and SIGALRM are
	 * ignored. A stray signal must never leave a dead mount behind, nor
	 * make a Restart=on-failure unit think the daemon stopped on purpose.
	 */
	ignore_signals();
	d.session = session_new(d.se, 8);
	if (!d.session) {
		fprintf(stderr, "proclens: cannot set up the FUSE workers\n");
		goto out_destroy_session;
	}
	if (start != START_RELOADED && !opts.foreground && daemonize(&ready_fd) < 0)
		goto out_free_session;
	if (start != START_FRESH) {
		snprintf(fd_path, sizeof(fd_path), "/dev/fd/%d", handover.fuse_fd);
		if (fuse_session_mount(d.se, fd_path) != 0) {
			fprintf(stderr, "proclens: cannot serve the connection handed over\n");
			report_ready(ready_fd, 1);
			goto out_free_session;
		}
		if (start == START_RELOADED && (rc = handover_load(&handover, d.fs)) < 0)
			log_error("cannot read the state handed over: %s", strerror(-rc));
		if (start == START_KEPT)
			load_kept_state(d.store_fd, d.fs);
	} else if (fuse_session_mount(d.se, mountpoint) != 0) {
		fprintf(stderr, "proclens: cannot mount at %s\n", mountpoint);
		report_ready(ready_fd, 1);
		goto out_free_session;
	}
	if (opts.pidfile && start != START_RELOADED && (rc = write_pidfile(opts.pidfile)) < 0) {
		fprintf(stderr, "proclens: %s: %s\n", opts.pidfile, strerror(-rc));
		report_ready(ready_fd, 1);
		goto out_unmount;
	}
	/*
	 * Containers still holding the previous daemon's mounts get fresh ones,
	 * from a helper forked now: it needs CAP_SYS_CHROOT, dropped below, and
	 * waits for the workers to serve. Only the host's daemon (at the
	 * default mount point, or told so) claims dead proclens mounts: a
	 * second instance, a test's, must not take another daemon's containers
	 * over. A connection taken over has no dead mounts.
	 */
	rc = 0;
	if (start == START_FRESH && (opts.recover || strcmp(mountpoint, DEFAULT_MOUNTPOINT) == 0))
		rc = recover_start(host.proc_fd, mountpoint, fuse_session_fd(d.se), ready_fd,
				   ready_fd >= 0, opts.debug);
	if (rc < 0)
		log_info("cannot start recovering dead mounts: %s", strerror(-rc));
	/*
	 * Start-up is done: drop every capability serving does not need, for
	 * good. Here, while this is the only thread (capabilities are per
	 * thread; the workers inherit this one's), and before readiness is
	 * reported, so that a failure is the starting command's exit 1.
	 */
	if (caps_drop(caps_error, sizeof(caps_error)) < 0) {
		fprintf(stderr, "proclens: cannot drop capabilities: %s\n", caps_error);
		log_error("cannot drop capabilities: %s", caps_error);
		report_ready(ready_fd, 1);
		goto out_remove_pidfile;
	}
	report_ready(ready_fd, 0);
	rc = start == START_FRESH ? session_init(d.session, &d.init)
				  : session_resume(d.session, &d.init);
	if (rc == 0)
		rc = session_start(d.session);
	if (rc < 0) {
		log_error("cannot serve %s: %s", mountpoint, strerror(-rc));
		goto out_remove_pidfile;
	}
	store_connection(&d);
	log_info(start == START_FRESH ? "serving %s" :
		 start == START_RELOADED ? "serving %s again (reloaded)" :
		 "serving %s again (the connection was kept across a restart)", mountpoint);
	serve(&d);
	exit_status = 0;
	log_info("stopping");
	/* Answer what is being served; an unmount makes the rest fail, as it would. */
	stuck = session_drain(d.session, 2000) < 0;
	unstore_connection(&d);

out_remove_pidfile:
	if (opts.pidfile)
		unlink(opts.pidfile);
out_unmount:
	if (start != START_FRESH)
		unmount_taken_over(mountpoint, fuse_session_fd(d.se));
	else
		fuse_session_unmount(d.se);
	/* A worker still inside a request uses what the rest would free. */
	if (stuck)
		_exit(exit_status);
out_free_session:
	session_free(d.session);
out_destroy_session:
	fuse_session_destroy(d.se);
out_destroy_fs:
	fs_destroy(d.fs);
out_close_host:
	host_close(&host);
	fuse_opt_free_args(&args);
	return exit_status;
}
