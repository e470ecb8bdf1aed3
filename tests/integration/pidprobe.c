/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pidprobe.c - look at proclens's proc/<pid>/ and proc/self from one process, a thread of it, or a child that exits. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * Usage: pidprobe MODE ARGS
 *
 *   self DIR            "PID KERNEL PROCLENS": getpid(), readlink /proc/self and
 *                       readlink DIR/self, all by this one process
 *   self-thread DIR     "PID TID KERNEL PROCLENS", the readlinks done by a second
 *                       thread (FUSE sees its thread id, not the process id)
 *   same FILE1 FILE2    read both files in this process; "same", or where they
 *                       first differ; exits 0 only when they are the same bytes
 *   same-thread F1 F2   the same, both read by a second thread
 *   pids DIR...         each DIR's all-digit entries, ascending, a line each
 *   all PROC OTHER      PROC and OTHER list the same pids, and each pid's
 *                       limits are the same bytes in both: "same" or what
 *                       differs (exits 1)
 *   exit-race DIR N     N rounds of: fork a child that waits, reach DIR/<child>
 *                       one way, SIGKILL and reap the child, then read its
 *                       limits. Ways: "open" (opened before the exit, read
 *                       after), "lookup" (stat before, open and read after),
 *                       "dirfd" (DIR/<child> opened before, openat "limits"
 *                       after). One line per way: data= ENOENT= ESRCH= other=
 *                       refused-alive= (the step before the exit failed)
 *   list-time DIR N     N x (opendir, readdir to the end, closedir):
 *                       "entries= median_us= p99_us="
 *
 * Errors reading or listing print the errno's name, so a script can match it.
 * Exits 1 on a difference or an error, 2 on bad usage. Every loop is bounded.
 */

#define PIDPROBE_MAX_BYTES (1024 * 1024)
#define PIDPROBE_MAX_ROUNDS 100000
#define PIDPROBE_MAX_PIDS 100000

static const char *errno_name(int err)
{
	const char *name = strerrorname_np(err);

	return name ? name : "unknown-errno";
}

__attribute__((noreturn)) static void usage(void)
{
	fputs("usage: pidprobe self|self-thread DIR | same|same-thread FILE1 FILE2\n"
	      "       pidprobe pids DIR... | all PROC OTHER | exit-race DIR N | list-time DIR N\n",
	      stderr);
	exit(2);
}

static long parse_count(const char *text)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(text, &end, 10);
	if (errno || end == text || *end || n < 1 || n > PIDPROBE_MAX_ROUNDS)
		usage();
	return n;
}

/* --- self ------------------------------------------------------------------ */

struct self_job {
	const char *dir;
	char kernel[64];
	char proclens[64];
	pid_t tid;
};

static void link_of(const char *path, char *out, size_t size)
{
	ssize_t n = readlink(path, out, size - 1);

	if (n < 0)
		snprintf(out, size, "%s", errno_name(errno));
	else
		out[n] = '\0';
}

static void *self_look(void *arg)
{
	struct self_job *job = arg;
	char path[PATH_MAX];

	job->tid = gettid();
	link_of("/proc/self", job->kernel, sizeof(job->kernel));
	snprintf(path, sizeof(path), "%s/self", job->dir);
	link_of(path, job->proclens, sizeof(job->proclens));
	return NULL;
}

static int mode_self(const char *dir, bool in_thread)
{
	struct self_job job = { .dir = dir };
	pthread_t thread;

	if (!in_thread) {
		self_look(&job);
		printf("%d %s %s\n", (int)getpid(), job.kernel, job.proclens);
		return 0;
	}
	if (pthread_create(&thread, NULL, self_look, &job) != 0)
		return 1;
	pthread_join(thread, NULL);
	printf("%d %d %s %s\n", (int)getpid(), (int)job.tid, job.kernel, job.proclens);
	return 0;
}

/* --- same ------------------------------------------------------------------ */

struct text {
	char data[PIDPROBE_MAX_BYTES];
	size_t len;
	int err;
};

/* The whole file in 4096-byte reads; err is 0 or the errno that stopped it. */
static void text_read(const char *path, struct text *t)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	t->len = 0;
	t->err = 0;
	if (fd < 0) {
		t->err = errno;
		return;
	}
	while (t->len < sizeof(t->data)) {
		size_t want = sizeof(t->data) - t->len < 4096 ? sizeof(t->data) - t->len : 4096;
		ssize_t n = read(fd, t->data + t->len, want);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			t->err = errno;
			break;
		}
		if (n == 0)
			break;
		t->len += (size_t)n;
	}
	close(fd);
}

struct same_job {
	const char *paths[2];
	struct text *texts[2];
};

static void *same_read(void *arg)
{
	struct same_job *job = arg;

	text_read(job->paths[0], job->texts[0]);
	text_read(job->paths[1], job->texts[1]);
	return NULL;
}

/* The line of t holding byte at, without its newline, for a report. */
static void line_at(const struct text *t, size_t at, char *out, size_t size)
{
	size_t start = at, end = at;

	while (start > 0 && t->data[start - 1] != '\n')
		start--;
	while (end < t->len && t->data[end] != '\n')
		end++;
	snprintf(out, size, "%.*s", (int)(end - start), t->data + start);
}

static int mode_same(const char *path1, const char *path2, bool in_thread)
{
	static struct text first, second;
	struct same_job job = { { path1, path2 }, { &first, &second } };
	char line1[256], line2[256];
	pthread_t thread;
	size_t i, line = 1;

	if (!in_thread)
		same_read(&job);
	else if (pthread_create(&thread, NULL, same_read, &job) != 0)
		return 1;
	else
		pthread_join(thread, NULL);
	if (first.err || second.err) {
		printf("error: %s %s\n", first.err ? errno_name(first.err) : "ok",
		       second.err ? errno_name(second.err) : "ok");
		return 1;
	}
	for (i = 0; i < first.len && i < second.len && first.data[i] == second.data[i]; i++)
		if (first.data[i] == '\n')
			line++;
	if (i == first.len && i == second.len) {
		puts("same");
		return 0;
	}
	line_at(&first, i < first.len ? i : first.len, line1, sizeof(line1));
	line_at(&second, i < second.len ? i : second.len, line2, sizeof(line2));
	printf("line %zu differs: '%s' vs '%s' (%zu and %zu bytes)\n", line, line1, line2,
	       first.len, second.len);
	return 1;
}

/* --- pids ------------------------------------------------------------------ */

struct pid_list {
	long pids[PIDPROBE_MAX_PIDS];
	size_t count;
	int err;
};

static int compare_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

/* DIR's all-digit entries, ascending; err is 0 or why it could not be listed. */
static void pid_list_read(const char *dir_path, struct pid_list *list)
{
	struct dirent *de;
	DIR *dir = opendir(dir_path);

	list->count = 0;
	list->err = 0;
	if (!dir) {
		list->err = errno;
		return;
	}
	while ((de = readdir(dir)) && list->count < PIDPROBE_MAX_PIDS) {
		const char *p = de->d_name;

		while (*p >= '0' && *p <= '9')
			p++;
		if (p != de->d_name && *p == '\0')
			list->pids[list->count++] = strtol(de->d_name, NULL, 10);
	}
	closedir(dir);
	qsort(list->pids, list->count, sizeof(list->pids[0]), compare_long);
}

static void pid_list_print(const struct pid_list *list)
{
	if (list->err) {
		printf("%s", errno_name(list->err));
		return;
	}
	for (size_t i = 0; i < list->count; i++)
		printf("%s%ld", i ? " " : "", list->pids[i]);
}

/* Each DIR's pids on a line of its own, all listed by this one process. */
static int mode_pids(int count, char **dirs)
{
	static struct pid_list list;
	int rc = 0;

	for (int i = 0; i < count; i++) {
		pid_list_read(dirs[i], &list);
		pid_list_print(&list);
		putchar('\n');
		if (list.err)
			rc = 1;
	}
	return rc;
}

static bool pid_lists_equal(const struct pid_list *a, const struct pid_list *b)
{
	return a->err == 0 && b->err == 0 && a->count == b->count &&
	       memcmp(a->pids, b->pids, a->count * sizeof(a->pids[0])) == 0;
}

/*
 * What a reader sees of every process: PROC and OTHER list the same pids, and
 * for each pid PROC/<pid>/limits and OTHER/<pid>/limits are the same bytes.
 * "same" or what differs first on stdout; "# N pids" on stderr.
 */
static int mode_all(const char *proc, const char *other)
{
	static struct pid_list kernel, theirs;
	static struct text first, second;
	char path[PATH_MAX];
	size_t differ = 0;

	pid_list_read(proc, &kernel);
	pid_list_read(other, &theirs);
	if (!pid_lists_equal(&kernel, &theirs)) {
		printf("listed differently: ");
		pid_list_print(&kernel);
		printf(" vs ");
		pid_list_print(&theirs);
		putchar('\n');
		return 1;
	}
	for (size_t i = 0; i < kernel.count; i++) {
		snprintf(path, sizeof(path), "%s/%ld/limits", proc, kernel.pids[i]);
		text_read(path, &first);
		snprintf(path, sizeof(path), "%s/%ld/limits", other, kernel.pids[i]);
		text_read(path, &second);
		if (first.err || second.err || first.len != second.len ||
		    memcmp(first.data, second.data, first.len) != 0) {
			if (differ++ == 0)
				printf("limits of %ld differ (%s, %s)", kernel.pids[i],
				       first.err ? errno_name(first.err) : "read",
				       second.err ? errno_name(second.err) : "read");
		}
	}
	fprintf(stderr, "# %zu pids\n", kernel.count);
	if (differ) {
		printf(", %zu of %zu in all\n", differ, kernel.count);
		return 1;
	}
	puts("same");
	return 0;
}

/* --- exit-race --------------------------------------------------------------- */

/* What a round can end in besides 0 and an errno: refused while the child lived. */
#define RACE_REFUSED_ALIVE (-1)

struct race_counts {
	long data, enoent, esrch, other, refused_alive;
	int other_err;
};

static void race_count(struct race_counts *c, int err)
{
	if (err == RACE_REFUSED_ALIVE)
		c->refused_alive++;
	else if (err == 0)
		c->data++;
	else if (err == ENOENT)
		c->enoent++;
	else if (err == ESRCH)
		c->esrch++;
	else {
		c->other++;
		c->other_err = err;
	}
}

/* Read fd to its end: 0 when it gave bytes, else the errno (ENODATA when empty). */
static int race_read(int fd)
{
	char buffer[4096];
	ssize_t n, total = 0;

	while ((n = read(fd, buffer, sizeof(buffer))) > 0)
		total += n;
	if (n < 0)
		return errno;
	return total > 0 ? 0 : ENODATA;
}

static void race_kill(pid_t child)
{
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
}

/* One round of one way against a fresh child: 0 (read data), an errno from
 * after the exit, or RACE_REFUSED_ALIVE when the step before it failed. */
static int race_round(const char *dir, const char *way)
{
	char path[PATH_MAX];
	struct stat st;
	int fd, dir_fd, err;
	pid_t child = fork();

	if (child < 0)
		return errno;
	if (child == 0) {
		pause();
		_exit(0);
	}
	if (strcmp(way, "open") == 0) {
		snprintf(path, sizeof(path), "%s/%d/limits", dir, (int)child);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		err = fd < 0 ? errno : 0;
		race_kill(child);
		if (fd < 0)
			return RACE_REFUSED_ALIVE;
		err = race_read(fd);
		close(fd);
		return err;
	}
	if (strcmp(way, "lookup") == 0) {
		snprintf(path, sizeof(path), "%s/%d/limits", dir, (int)child);
		err = stat(path, &st) < 0 ? errno : 0;
		race_kill(child);
		if (err)
			return RACE_REFUSED_ALIVE;
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return errno;
		err = race_read(fd);
		close(fd);
		return err;
	}
	snprintf(path, sizeof(path), "%s/%d", dir, (int)child);
	dir_fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	err = dir_fd < 0 ? errno : 0;
	race_kill(child);
	if (dir_fd < 0)
		return RACE_REFUSED_ALIVE;
	fd = openat(dir_fd, "limits", O_RDONLY | O_CLOEXEC);
	err = fd < 0 ? errno : race_read(fd);
	if (fd >= 0)
		close(fd);
	close(dir_fd);
	return err;
}

static int mode_exit_race(const char *dir, long rounds)
{
	static const char *const ways[] = { "open", "lookup", "dirfd" };

	for (size_t w = 0; w < sizeof(ways) / sizeof(ways[0]); w++) {
		struct race_counts c = { 0 };

		for (long i = 0; i < rounds; i++)
			race_count(&c, race_round(dir, ways[w]));
		printf("%s: data=%ld ENOENT=%ld ESRCH=%ld other=%ld refused-alive=%ld%s%s\n",
		       ways[w], c.data, c.enoent, c.esrch, c.other, c.refused_alive,
		       c.other ? " last-other=" : "", c.other ? errno_name(c.other_err) : "");
	}
	return 0;
}

/* --- list-time --------------------------------------------------------------- */

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int mode_list_time(const char *dir_path, long rounds)
{
	double *times = calloc((size_t)rounds, sizeof(double));
	long entries = 0;

	if (!times)
		return 1;
	for (long i = 0; i < rounds; i++) {
		double start = now_us();
		DIR *dir = opendir(dir_path);

		if (!dir) {
			printf("%s\n", errno_name(errno));
			free(times);
			return 1;
		}
		entries = 0;
		while (readdir(dir))
			entries++;
		closedir(dir);
		times[i] = now_us() - start;
	}
	qsort(times, (size_t)rounds, sizeof(double), compare_double);
	printf("entries=%ld median_us=%.0f p99_us=%.0f\n", entries, times[rounds / 2],
	       times[(rounds * 99) / 100 < rounds ? (rounds * 99) / 100 : rounds - 1]);
	free(times);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		usage();
	/* A reader that stops reading must not kill the test with SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	if (argc == 3 && strcmp(argv[1], "self") == 0)
		return mode_self(argv[2], false);
	if (argc == 3 && strcmp(argv[1], "self-thread") == 0)
		return mode_self(argv[2], true);
	if (argc == 4 && strcmp(argv[1], "same") == 0)
		return mode_same(argv[2], argv[3], false);
	if (argc == 4 && strcmp(argv[1], "same-thread") == 0)
		return mode_same(argv[2], argv[3], true);
	if (strcmp(argv[1], "pids") == 0)
		return mode_pids(argc - 2, argv + 2);
	if (argc == 4 && strcmp(argv[1], "all") == 0)
		return mode_all(argv[2], argv[3]);
	if (argc == 4 && strcmp(argv[1], "exit-race") == 0)
		return mode_exit_race(argv[2], parse_count(argv[3]));
	if (argc == 4 && strcmp(argv[1], "list-time") == 0)
		return mode_list_time(argv[2], parse_count(argv[3]));
	usage();
}
