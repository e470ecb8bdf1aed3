/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * trivialfs.c - the floor for proclens's benchmark: a low-level libfuse3 file
 * system serving proc/meminfo as fixed bytes, opened with direct_io and served
 * by proclens's own workers (src/session.c, linked in), with the same count and
 * the same background request settings. Whatever proclens spends above this
 * is its own work; below this no FUSE daemon can go on this machine.
 *
 * Usage: trivialfs MOUNTPOINT   (foreground; SIGTERM or SIGINT unmounts)
 */
#define FUSE_USE_VERSION 312
#include <errno.h>
#include <fcntl.h>
#include <fuse_lowlevel.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "session.h"

#define TRIVIAL_DIR_INO 2
#define TRIVIAL_FILE_INO 3
#define TRIVIAL_CACHE_SECONDS 3600.0

/* The file's bytes: a copy of the host's /proc/meminfo taken at start-up. */
static char trivial_content[8192];
static size_t trivial_len;

static void trivial_fill_stat(fuse_ino_t ino, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = ino;
	if (ino == TRIVIAL_FILE_INO) {
		/* Size 0, like /proc and proclens: readers read until end of file. */
		st->st_mode = S_IFREG | 0444;
		st->st_nlink = 1;
	} else {
		st->st_mode = S_IFDIR | 0555;
		st->st_nlink = ino == FUSE_ROOT_ID ? 3 : 2;
	}
}

static void trivial_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fuse_entry_param entry;

	memset(&entry, 0, sizeof(entry));
	if (parent == FUSE_ROOT_ID && strcmp(name, "proc") == 0)
		entry.ino = TRIVIAL_DIR_INO;
	else if (parent == TRIVIAL_DIR_INO && strcmp(name, "meminfo") == 0)
		entry.ino = TRIVIAL_FILE_INO;
	else {
		fuse_reply_err(req, ENOENT);
		return;
	}
	entry.attr_timeout = TRIVIAL_CACHE_SECONDS;
	entry.entry_timeout = TRIVIAL_CACHE_SECONDS;
	trivial_fill_stat(entry.ino, &entry.attr);
	fuse_reply_entry(req, &entry);
}

static void trivial_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct stat st;

	if (ino != FUSE_ROOT_ID && ino != TRIVIAL_DIR_INO && ino != TRIVIAL_FILE_INO) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	trivial_fill_stat(ino, &st);
	fuse_reply_attr(req, &st, TRIVIAL_CACHE_SECONDS);
}

static void trivial_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	if (ino != TRIVIAL_FILE_INO) {
		fuse_reply_err(req, EISDIR);
		return;
	}
	if ((fi->flags & O_ACCMODE) != O_RDONLY) {
		fuse_reply_err(req, EACCES);
		return;
	}
	/* The same open flags as proclens: no page cache between readers. */
	fi->direct_io = 1;
	fi->keep_cache = 0;
	fuse_reply_open(req, fi);
}

static void trivial_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			 struct fuse_file_info *fi)
{
	size_t left;

	if (off < 0 || (size_t)off >= trivial_len) {
		fuse_reply_buf(req, NULL, 0);
		return;
	}
	left = trivial_len - (size_t)off;
	fuse_reply_buf(req, trivial_content + off, left < size ? left : size);
}

static void trivial_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	fuse_reply_err(req, 0);
}

/* proclens's settings (fs_op_init in src/fs.c): releases queue alike. */
static void trivial_init(void *userdata, struct fuse_conn_info *conn)
{
	conn->max_background = 256;
	conn->congestion_threshold = 192;
}

static const struct fuse_lowlevel_ops trivial_ops = {
	.init = trivial_init,
	.lookup = trivial_lookup,
	.getattr = trivial_getattr,
	.open = trivial_open,
	.read = trivial_read,
	.release = trivial_release,
};

static int trivial_load_content(void)
{
	int fd = open("/proc/meminfo", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	while ((n = read(fd, trivial_content + trivial_len,
			 sizeof(trivial_content) - trivial_len)) > 0)
		trivial_len += (size_t)n;
	close(fd);
	return n < 0 ? -EIO : 0;
}

int main(int argc, char **argv)
{
	static char fuse_options[] = "ro,allow_other,default_permissions,fsname=trivialfs";
	static char dash_o[] = "-o";
	char *fuse_argv[] = { argv[0], dash_o, fuse_options, NULL };
	struct fuse_args args = FUSE_ARGS_INIT(3, fuse_argv);
	struct session_init init = { 0 };
	struct session *session;
	struct fuse_session *se;
	int rc = 1;

	if (argc != 2) {
		fprintf(stderr, "Usage: trivialfs MOUNTPOINT\n");
		return 2;
	}
	if (trivial_load_content() < 0) {
		perror("trivialfs: /proc/meminfo");
		return 1;
	}
	se = fuse_session_new(&args, &trivial_ops, sizeof(trivial_ops), NULL);
	if (!se)
		return 1;
	/* The workers proclens runs (src/main.c): 8 of them; they catch SIGTERM. */
	session = session_new(se, 8);
	if (!session)
		goto out_destroy_session;
	if (fuse_session_mount(se, argv[1]) != 0) {
		fprintf(stderr, "trivialfs: cannot mount at %s\n", argv[1]);
		goto out_free_workers;
	}
	if (session_init(session, &init) < 0 || session_start(session) < 0)
		goto out_unmount;
	/* Bounded: every event but a reload (SIGHUP, nothing to reload here) ends it. */
	while (session_wait(session) == SESSION_RELOAD)
		;
	session_drain(session, 2000);
	rc = 0;
out_unmount:
	fuse_session_unmount(se);
out_free_workers:
	session_free(session);
out_destroy_session:
	fuse_session_destroy(se);
	fuse_opt_free_args(&args);
	return rc;
}
