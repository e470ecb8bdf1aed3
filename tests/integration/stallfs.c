/* SPDX-License-Identifier: GPL-2.0-or-later */
/* stallfs.c - a FUSE file system that never answers, for tests of readers that point at one. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FUSE_USE_VERSION 314
#include <fuse_lowlevel.h>

/*
 * Usage: stallfs [-t SECONDS] MOUNTPOINT
 *
 * Mounts (allow_other) a root directory holding one file, "stall". A lookup
 * of it is answered, with attributes cached for an hour, so a process can
 * take an O_PATH descriptor of the file and stat(2) it; but getattr, open,
 * opendir, getxattr, listxattr, access, flush and release are never
 * answered: whoever asks waits until stallfs dies. Prints "ready" once
 * mounted; exits on SIGTERM, SIGINT, or after SECONDS (default 120) so that
 * a failed test never leaves it hanging. The caller unmounts (umount -l).
 */

#define STALLFS_FILE_INO 2
#define STALLFS_CACHE_SECONDS 3600.0

static void stallfs_op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fuse_entry_param entry;

	if (parent != FUSE_ROOT_ID || strcmp(name, "stall") != 0) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	memset(&entry, 0, sizeof(entry));
	entry.ino = STALLFS_FILE_INO;
	entry.attr.st_ino = STALLFS_FILE_INO;
	entry.attr.st_mode = S_IFREG | 0444;
	entry.attr.st_nlink = 1;
	entry.attr.st_size = 4096;
	entry.attr_timeout = STALLFS_CACHE_SECONDS;
	entry.entry_timeout = STALLFS_CACHE_SECONDS;
	fuse_reply_entry(req, &entry);
}

/*
 * Every other request is dropped unanswered: libfuse frees nothing of it
 * and the kernel keeps the caller waiting (killably) until the connection
 * ends. The few bytes a dropped request holds are the point of the test.
 */
static void stallfs_op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	(void)req, (void)ino, (void)fi;
}

static void stallfs_op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	(void)req, (void)ino, (void)fi;
}

static void stallfs_op_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size)
{
	(void)req, (void)ino, (void)name, (void)size;
}

static void stallfs_op_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size)
{
	(void)req, (void)ino, (void)size;
}

static void stallfs_op_access(fuse_req_t req, fuse_ino_t ino, int mask)
{
	(void)req, (void)ino, (void)mask;
}

static void stallfs_op_readlink(fuse_req_t req, fuse_ino_t ino)
{
	(void)req, (void)ino;
}

static const struct fuse_lowlevel_ops stallfs_ops = {
	.lookup = stallfs_op_lookup,
	.getattr = stallfs_op_getattr,
	.open = stallfs_op_open,
	.opendir = stallfs_op_open,
	.flush = stallfs_op_open,
	.release = stallfs_op_open,
	.getxattr = stallfs_op_getxattr,
	.listxattr = stallfs_op_listxattr,
	.access = stallfs_op_access,
	.readlink = stallfs_op_readlink,
};

static struct fuse_session *stallfs_session;

static void stallfs_on_alarm(int sig)
{
	(void)sig;
	fuse_session_exit(stallfs_session);
	/* The loop may sit in read(2) on /dev/fuse: leave now. */
	_exit(0);
}

int main(int argc, char **argv)
{
	static char option_flag[] = "-o";
	static char options[] = "allow_other,ro,fsname=stallfs,subtype=stallfs";
	char *fuse_argv[] = { argv[0], option_flag, options, NULL };
	struct fuse_args args = FUSE_ARGS_INIT(3, fuse_argv);
	unsigned seconds = 120;
	const char *mountpoint;
	int rc = 1;

	if (argc == 4 && strcmp(argv[1], "-t") == 0) {
		seconds = (unsigned)strtoul(argv[2], NULL, 10);
		mountpoint = argv[3];
	} else if (argc == 2) {
		mountpoint = argv[1];
	} else {
		fprintf(stderr, "usage: stallfs [-t SECONDS] MOUNTPOINT\n");
		return 2;
	}
	stallfs_session = fuse_session_new(&args, &stallfs_ops, sizeof(stallfs_ops), NULL);
	if (!stallfs_session)
		goto out_free_args;
	if (fuse_set_signal_handlers(stallfs_session) != 0)
		goto out_destroy;
	if (fuse_session_mount(stallfs_session, mountpoint) != 0)
		goto out_remove_handlers;
	signal(SIGALRM, stallfs_on_alarm);
	alarm(seconds ? seconds : 1);
	printf("ready\n");
	fflush(stdout);
	rc = fuse_session_loop(stallfs_session) == 0 ? 0 : 1;
	fuse_session_unmount(stallfs_session);
out_remove_handlers:
	fuse_remove_signal_handlers(stallfs_session);
out_destroy:
	fuse_session_destroy(stallfs_session);
out_free_args:
	/* fuse_session_new() made args its own copy: LeakSanitizer sees it otherwise. */
	fuse_opt_free_args(&args);
	return rc;
}
