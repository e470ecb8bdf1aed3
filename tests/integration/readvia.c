/* SPDX-License-Identifier: GPL-2.0-or-later */
/* readvia.c - read a file the way real programs do (read, pread, sendfile, splice, threads, forks) and print it. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/*
 * Usage: readvia FILE MODE [ARGS]
 *
 *   read              read(2) in 4096-byte chunks to end of file
 *   small             read(2) one byte at a time
 *   pread             pread(2) in 100-byte chunks at increasing offsets
 *   sendfile          sendfile(2) to stdout until it returns 0 (busybox cat, cp)
 *   splice            splice(2) into a pipe, then out of it
 *   thread            open and read in a second thread (FUSE sees a thread id)
 *   thread-exit       open in a thread that exits; the main thread reads
 *   inherit           open, fork, the opener exits; the child reads the fd
 *   threads N         N threads pread the same fd at once; all must agree in shape
 *   refresh WAITFILE  read, wait for WAITFILE, seek to 0, read again (top, free)
 *   stress N KB       N x (open, sendfile into a pipe, close): counts by MemTotal
 *   access OTHER      FILE is a directory: read each regular file below it and
 *                     the same under OTHER; "REL OWN OTHER" lines, each ok or
 *                     the errno name
 *
 * Prints what it read on stdout and exits 0; on an error prints the errno's
 * name and text on stderr and exits 1; exits 2 on bad usage. Every loop is
 * bounded in count and time, so a hung or endless file cannot hang a test.
 */

/* Nothing the tests read comes near this; a larger file is an error. */
#define READVIA_MAX_BYTES (16 * 1024 * 1024)
/* How long the modes that wait for something wait at most. */
#define READVIA_WAIT_SECONDS 10
/* How long stress and threads may run in all. */
#define READVIA_RUN_SECONDS 40
#define READVIA_MAX_THREADS 64

struct content {
	char *data;
	size_t len;
	size_t size;
};

static const char *file_path;

__attribute__((noreturn)) static void fail_errno(const char *what, int err)
{
	const char *name = strerrorname_np(err);

	/* The errno's name first, where a script finds it whatever the path holds. */
	fprintf(stderr, "readvia: %s: %s (%s): %s\n", what, name ? name : "unknown errno",
		strerror(err), file_path);
	exit(1);
}

__attribute__((noreturn)) static void fail(const char *what)
{
	fprintf(stderr, "readvia: %s %s\n", what, file_path);
	exit(1);
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void pause_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Room for at least want more bytes; 0 or an errno. */
static int content_reserve(struct content *c, size_t want)
{
	size_t size = c->size ? c->size : 4096;
	char *data;

	if (c->len + want > READVIA_MAX_BYTES)
		return EFBIG;
	while (size < c->len + want)
		size *= 2;
	if (size == c->size)
		return 0;
	data = realloc(c->data, size);
	if (!data)
		return ENOMEM;
	c->data = data;
	c->size = size;
	return 0;
}

static void content_free(struct content *c)
{
	free(c->data);
	c->data = NULL;
	c->len = c->size = 0;
}

static void write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "readvia: write: %s\n", strerror(errno));
			exit(1);
		}
		data += n;
		len -= (size_t)n;
	}
}

static int open_file(void)
{
	int fd = open(file_path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		fail_errno("open", errno);
	return fd;
}

/* read(2) in chunks of chunk bytes to end of file; 0 or an errno. */
static int read_chunks(int fd, size_t chunk, struct content *out)
{
	for (;;) {
		int rc = content_reserve(out, chunk);
		ssize_t n;

		if (rc)
			return rc;
		n = read(fd, out->data + out->len, chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno;
		if (n == 0)
			return 0;
		out->len += (size_t)n;
	}
}

/* pread(2) from offset 0 in chunks of chunk bytes; 0 or an errno. */
static int pread_chunks(int fd, size_t chunk, struct content *out)
{
	for (;;) {
		int rc = content_reserve(out, chunk);
		ssize_t n;

		if (rc)
			return rc;
		n = pread(fd, out->data + out->len, chunk, (off_t)out->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno;
		if (n == 0)
			return 0;
		out->len += (size_t)n;
	}
}

/* sendfile(2) into a pipe and read it back: 16 KiB at a time, always below
 * the pipe's 64 KiB, so sendfile never waits for room. 0 or an errno. */
static int sendfile_via_pipe(int fd, const int pipe_fds[2], struct content *out)
{
	for (;;) {
		int rc = content_reserve(out, 16384);
		ssize_t n, got;

		if (rc)
			return rc;
		n = sendfile(pipe_fds[1], fd, NULL, 16384);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno;
		if (n == 0)
			return 0;
		for (ssize_t left = n; left > 0; left -= got) {
			got = read(pipe_fds[0], out->data + out->len, (size_t)left);
			if (got <= 0)
				return got < 0 ? errno : EPIPE;
			out->len += (size_t)got;
		}
	}
}

static int mode_sendfile(int fd)
{
	size_t total = 0;

	for (;;) {
		ssize_t n = sendfile(STDOUT_FILENO, fd, NULL, 65536);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			fail_errno("sendfile", errno);
		if (n == 0)
			return 0;
		total += (size_t)n;
		if (total > READVIA_MAX_BYTES)
			fail_errno("sendfile", EFBIG);
	}
}

static int mode_splice(int fd)
{
	struct content c = { 0 };
	int pipe_fds[2];

	if (pipe2(pipe_fds, O_CLOEXEC) < 0)
		fail_errno("pipe", errno);
	for (;;) {
		ssize_t n, got;
		int rc = content_reserve(&c, 16384);

		if (rc)
			fail_errno("splice", rc);
		n = splice(fd, NULL, pipe_fds[1], NULL, 16384, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			fail_errno("splice", errno);
		if (n == 0)
			break;
		for (ssize_t left = n; left > 0; left -= got) {
			got = read(pipe_fds[0], c.data + c.len, (size_t)left);
			if (got <= 0)
				fail_errno("read from pipe", got < 0 ? errno : EPIPE);
			c.len += (size_t)got;
		}
	}
	write_all(STDOUT_FILENO, c.data, c.len);
	content_free(&c);
	return 0;
}

/* --- threads -------------------------------------------------------------- */

struct thread_job {
	int fd;			/* in: the fd to read, or -1 to open one */
	bool keep_open;		/* out: the fd, left open, in fd */
	int err;
	const char *what;
	struct content content;
};

static void *thread_open_read(void *arg)
{
	struct thread_job *job = arg;

	job->fd = open(file_path, O_RDONLY | O_CLOEXEC);
	if (job->fd < 0) {
		job->err = errno;
		job->what = "open (in a thread)";
		return NULL;
	}
	if (job->keep_open)
		return NULL;
	job->err = read_chunks(job->fd, 4096, &job->content);
	job->what = "read (in a thread)";
	close(job->fd);
	return NULL;
}

static int mode_thread(bool read_in_main)
{
	struct thread_job job = { .fd = -1, .keep_open = read_in_main };
	pthread_t thread;
	int rc = pthread_create(&thread, NULL, thread_open_read, &job);

	if (rc)
		fail_errno("pthread_create for", rc);
	pthread_join(thread, NULL);
	if (job.err)
		fail_errno(job.what, job.err);
	if (read_in_main) {
		/* The opener is gone: its thread id names nothing now. */
		rc = read_chunks(job.fd, 4096, &job.content);
		if (rc)
			fail_errno("read (after the opening thread exited)", rc);
		close(job.fd);
	}
	write_all(STDOUT_FILENO, job.content.data, job.content.len);
	content_free(&job.content);
	return 0;
}

struct shared_read {
	int fd;
	pthread_barrier_t *start;
	int err;
	struct content content;
};

/* One big pread at offset 0, then on to end of file: one render per pass. */
static void *thread_pread(void *arg)
{
	struct shared_read *job = arg;

	/* Touched before the start: faulting it in would move the cgroup's usage. */
	job->content.len = 0;
	job->err = content_reserve(&job->content, 2 * 65536);
	if (job->err == 0)
		memset(job->content.data, 0, job->content.size);
	pthread_barrier_wait(job->start);
	if (job->err == 0)
		job->err = pread_chunks(job->fd, 65536, &job->content);
	return NULL;
}

/*
 * The text with each run of digits as one '0' and each run of blanks as one
 * space: what two renders of a file agree on when only its figures moved.
 */
static int content_shape(const struct content *c, struct content *shape)
{
	int rc = content_reserve(shape, c->len + 1);

	if (rc)
		return rc;
	shape->len = 0;
	for (size_t i = 0; i < c->len; i++) {
		char ch = c->data[i];
		char prev = shape->len ? shape->data[shape->len - 1] : '\n';

		if (ch >= '0' && ch <= '9')
			ch = '0';
		else if (ch == ' ' || ch == '\t')
			ch = ' ';
		if ((ch == '0' || ch == ' ') && prev == ch)
			continue;
		shape->data[shape->len++] = ch;
	}
	return 0;
}

/*
 * N threads pread the same open file at the same moment, each the whole file
 * in one request (one render each). Each must get the whole file, shaped as
 * the first thread's: same lines, same labels, same layout. Not the same
 * bytes: a cgroup's counters move between two renders even with nothing
 * running in it (seen on cgroup v1: Inactive and MemFree, within one
 * release of the threads).
 */
static int mode_threads(int fd, int count)
{
	struct shared_read jobs[READVIA_MAX_THREADS];
	pthread_t threads[READVIA_MAX_THREADS];
	struct content first = { 0 }, other = { 0 };
	pthread_barrier_t start;
	int i, rc;

	memset(jobs, 0, sizeof(jobs));
	pthread_barrier_init(&start, NULL, (unsigned)count);
	for (i = 0; i < count; i++) {
		jobs[i].fd = fd;
		jobs[i].start = &start;
		rc = pthread_create(&threads[i], NULL, thread_pread, &jobs[i]);
		if (rc)
			fail_errno("pthread_create for", rc);
	}
	for (i = 0; i < count; i++)
		pthread_join(threads[i], NULL);
	pthread_barrier_destroy(&start);
	for (i = 0; i < count; i++) {
		if (jobs[i].err)
			fail_errno("pread (threads)", jobs[i].err);
		rc = content_shape(&jobs[i].content, i == 0 ? &first : &other);
		if (rc)
			fail_errno("pread (threads)", rc);
		if (jobs[i].content.len == 0)
			fail("threads: a thread read nothing from");
		if (i > 0 && (other.len != first.len || memcmp(other.data, first.data, first.len) != 0)) {
			fprintf(stderr, "readvia: threads: thread %d's file is not shaped as thread 1's\n",
				i + 1);
			fail("threads: different files read from");
		}
	}
	write_all(STDOUT_FILENO, jobs[0].content.data, jobs[0].content.len);
	for (i = 0; i < count; i++)
		content_free(&jobs[i].content);
	content_free(&first);
	content_free(&other);
	return 0;
}

/* --- processes ------------------------------------------------------------- */

/*
 * The opener forks and exits at once; the child waits for its parent to be
 * gone (it is reparented once the parent has exited), then reads the fd it
 * inherited from offset 0.
 */
static int mode_inherit(int fd)
{
	pid_t parent = getpid(), child;
	struct content c = { 0 };
	double deadline;
	int rc;

	child = fork();
	if (child < 0)
		fail_errno("fork after opening", errno);
	if (child > 0)
		_exit(0);
	deadline = now_seconds() + READVIA_WAIT_SECONDS;
	while (getppid() == parent && now_seconds() < deadline)
		pause_ms(10);
	/* Reparenting comes after the exiting parent has closed its files. */
	if (getppid() == parent)
		fail("inherit: the parent did not exit, reading");
	if (lseek(fd, 0, SEEK_SET) < 0)
		fail_errno("lseek (inherited)", errno);
	rc = read_chunks(fd, 4096, &c);
	if (rc)
		fail_errno("read (inherited, opener gone)", rc);
	write_all(STDOUT_FILENO, c.data, c.len);
	content_free(&c);
	return 0;
}

/* Read, print, wait for waitfile, seek back to 0, read and print again. */
static int mode_refresh(int fd, const char *waitfile)
{
	struct content c = { 0 };
	struct stat st;
	double deadline;
	int rc;

	rc = read_chunks(fd, 4096, &c);
	if (rc)
		fail_errno("read (first pass)", rc);
	write_all(STDOUT_FILENO, c.data, c.len);
	deadline = now_seconds() + READVIA_WAIT_SECONDS;
	while (stat(waitfile, &st) < 0 && now_seconds() < deadline)
		pause_ms(20);
	if (stat(waitfile, &st) < 0) {
		fprintf(stderr, "readvia: refresh: %s did not appear in %d s\n", waitfile,
			READVIA_WAIT_SECONDS);
		exit(1);
	}
	if (lseek(fd, 0, SEEK_SET) < 0)
		fail_errno("lseek", errno);
	c.len = 0;
	rc = read_chunks(fd, 4096, &c);
	if (rc)
		fail_errno("read (after seeking back to 0)", rc);
	write_all(STDOUT_FILENO, c.data, c.len);
	content_free(&c);
	return 0;
}

/* 0 when path reads whole to end of file, else the errno that stopped it. */
static int read_whole(const char *path)
{
	struct content c = { 0 };
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY), rc;

	if (fd < 0)
		return errno;
	rc = read_chunks(fd, 65536, &c);
	close(fd);
	content_free(&c);
	return rc;
}

static const char *access_result(int err)
{
	const char *name = strerrorname_np(err);

	return err == 0 ? "ok" : name ? name : "failed";
}

struct access_walk {
	const char *other;	/* the directory to compare with */
	long files;
	double deadline;
};

/*
 * Each regular file below FILE/rel (rel "" at the top), read there and under
 * the other directory: one line "REL OWN OTHER" each, where OWN and OTHER are
 * ok or the errno name. One process for what would be hundreds of cats.
 */
static void access_walk_dir(struct access_walk *walk, const char *rel, int depth)
{
	char path[2 * PATH_MAX + 2], child[PATH_MAX];
	struct dirent *de;
	DIR *dir;

	snprintf(path, sizeof(path), "%s/%s", file_path, rel);
	dir = opendir(path);
	if (!dir)
		fail_errno("opendir (access)", errno);
	while ((de = readdir(dir)) && walk->files < 4096 && now_seconds() < walk->deadline) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (snprintf(child, sizeof(child), "%s%s%s", rel, *rel ? "/" : "",
			     de->d_name) >= (int)sizeof(child))
			fail_errno("access", ENAMETOOLONG);
		if (de->d_type == DT_DIR && depth < 4) {
			access_walk_dir(walk, child, depth + 1);
		} else if (de->d_type == DT_REG) {
			int own, other;

			snprintf(path, sizeof(path), "%s/%s", file_path, child);
			own = read_whole(path);
			snprintf(path, sizeof(path), "%s/%s", walk->other, child);
			other = read_whole(path);
			printf("%s %s %s\n", child, access_result(own), access_result(other));
			walk->files++;
		}
	}
	closedir(dir);
}

static int mode_access(const char *other)
{
	struct access_walk walk = {
		.other = other, .deadline = now_seconds() + READVIA_RUN_SECONDS,
	};

	access_walk_dir(&walk, "", 0);
	if (now_seconds() >= walk.deadline)
		fail("access: out of time walking");
	return 0;
}

/* MemTotal in kB, or -1 when the text has none. */
static long long meminfo_total_kb(const struct content *c)
{
	const char *p = c->data, *end = c->data + c->len;

	while (p && p < end) {
		if ((size_t)(end - p) > 9 && memcmp(p, "MemTotal:", 9) == 0) {
			char line[64];
			size_t n = (size_t)(end - p) < sizeof(line) - 1 ? (size_t)(end - p) : sizeof(line) - 1;
			long long kb;

			memcpy(line, p, n);
			line[n] = '\0';
			return sscanf(line, "MemTotal: %lld kB", &kb) == 1 ? kb : -1;
		}
		p = memchr(p, '\n', (size_t)(end - p));
		if (p)
			p++;
	}
	return -1;
}

/*
 * N rounds of open, sendfile into a pipe, close, as busybox cat does, each
 * sorted by what it gave: empty, a MemTotal other than expect_kb (or none),
 * right, or an error. Stops early after READVIA_RUN_SECONDS.
 */
static int mode_stress(long rounds, long long expect_kb)
{
	long ok = 0, wrong = 0, empty = 0, errors = 0, done;
	double deadline = now_seconds() + READVIA_RUN_SECONDS;
	struct content c = { 0 };
	int pipe_fds[2], first_err = 0;

	if (pipe2(pipe_fds, O_CLOEXEC) < 0)
		fail_errno("pipe", errno);
	for (done = 0; done < rounds && now_seconds() < deadline; done++) {
		int fd = open(file_path, O_RDONLY | O_CLOEXEC);
		int rc = fd < 0 ? errno : 0;

		c.len = 0;
		if (rc == 0) {
			rc = sendfile_via_pipe(fd, pipe_fds, &c);
			close(fd);
		}
		if (rc) {
			errors++;
			if (!first_err)
				first_err = rc;
		} else if (c.len == 0) {
			empty++;
		} else if (meminfo_total_kb(&c) != expect_kb) {
			wrong++;
		} else {
			ok++;
		}
	}
	if (first_err)
		fprintf(stderr, "readvia: stress: first error: %s (%s)\n",
			strerrorname_np(first_err), strerror(first_err));
	printf("ok=%ld wrong=%ld empty=%ld errors=%ld rounds=%ld\n", ok, wrong, empty, errors, done);
	content_free(&c);
	return 0;
}

static long parse_count(const char *text, long max)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(text, &end, 10);
	if (errno || end == text || *end || n < 1 || n > max) {
		fprintf(stderr, "readvia: bad count '%s' (1 to %ld)\n", text, max);
		exit(2);
	}
	return n;
}

__attribute__((noreturn)) static void usage(void)
{
	fputs("usage: readvia FILE read|small|pread|sendfile|splice|thread|thread-exit|inherit\n"
	      "       readvia FILE threads N | refresh WAITFILE | stress N EXPECT_KB\n"
	      "       readvia DIR access OTHER_DIR\n", stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	struct content c = { 0 };
	const char *mode;
	int fd, rc;

	if (argc < 3)
		usage();
	file_path = argv[1];
	mode = argv[2];
	/* A reader that stops reading must not kill the test with SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);

	if (strcmp(mode, "stress") == 0) {
		if (argc != 5)
			usage();
		return mode_stress(parse_count(argv[3], 1000000), parse_count(argv[4], 1L << 40));
	}
	if (strcmp(mode, "thread") == 0 && argc == 3)
		return mode_thread(false);
	if (strcmp(mode, "thread-exit") == 0 && argc == 3)
		return mode_thread(true);

	if (strcmp(mode, "access") == 0 && argc == 4)
		return mode_access(argv[3]);
	fd = open_file();
	if (strcmp(mode, "threads") == 0 && argc == 4)
		return mode_threads(fd, (int)parse_count(argv[3], READVIA_MAX_THREADS));
	if (strcmp(mode, "refresh") == 0 && argc == 4)
		return mode_refresh(fd, argv[3]);
	if (argc != 3)
		usage();
	if (strcmp(mode, "sendfile") == 0)
		return mode_sendfile(fd);
	if (strcmp(mode, "splice") == 0)
		return mode_splice(fd);
	if (strcmp(mode, "inherit") == 0)
		return mode_inherit(fd);
	if (strcmp(mode, "read") == 0)
		rc = read_chunks(fd, 4096, &c);
	else if (strcmp(mode, "small") == 0)
		rc = read_chunks(fd, 1, &c);
	else if (strcmp(mode, "pread") == 0)
		rc = pread_chunks(fd, 100, &c);
	else
		usage();
	if (rc)
		fail_errno("read", rc);
	write_all(STDOUT_FILENO, c.data, c.len);
	content_free(&c);
	close(fd);
	return 0;
}
