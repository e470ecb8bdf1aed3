/* SPDX-License-Identifier: GPL-2.0-or-later */
/* check_pidns.c - pid namespaces as their members see them: parsers, and views of real namespaces. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pidns.h"

/* --- NStgid ----------------------------------------------------------------- */

START_TEST(test_nstgid_of_namespaced_process_is_its_last_field)
{
	pid_t tgid = 0;

	ck_assert_int_eq(pidns_parse_nstgid("NStgid:\t4242\t1\n", &tgid), 0);
	ck_assert_int_eq(tgid, 1);
}
END_TEST

START_TEST(test_nstgid_of_host_process_is_its_only_field)
{
	pid_t tgid = 0;

	ck_assert_int_eq(pidns_parse_nstgid("NStgid:\t4242\n", &tgid), 0);
	ck_assert_int_eq(tgid, 4242);
}
END_TEST

START_TEST(test_nstgid_is_found_among_other_lines)
{
	static const char status[] =
		"Name:\tsh\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t4242\nNgid:\t0\n"
		"Pid:\t4243\nPPid:\t4200\nGroups:\t0 1 2 \nNStgid:\t4242\t17\t3\n"
		"NSpid:\t4243\t18\t4\nNSpgid:\t4242\t17\t3\n";
	pid_t tgid = 0;

	ck_assert_int_eq(pidns_parse_nstgid(status, &tgid), 0);
	ck_assert_int_eq(tgid, 3);
}
END_TEST

START_TEST(test_nstgid_missing_is_ebadmsg)
{
	pid_t tgid = 77;

	ck_assert_int_eq(pidns_parse_nstgid("Name:\tsh\nTgid:\t4242\n", &tgid), -EBADMSG);
	ck_assert_int_eq(pidns_parse_nstgid("XNStgid:\t5\n", &tgid), -EBADMSG);
	ck_assert_int_eq(pidns_parse_nstgid("", &tgid), -EBADMSG);
	ck_assert_int_eq(tgid, 77);
}
END_TEST

START_TEST(test_nstgid_garbage_is_ebadmsg)
{
	static const char *const bad[] = {
		"NStgid:\n", "NStgid:\t\n", "NStgid:\t42x\n", "NStgid:\t4242\tone\n",
		"NStgid:\t-1\n", "NStgid:\t0\n", "NStgid:\t2147483648\n", "NStgid:4242\n",
	};
	pid_t tgid = 77;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(pidns_parse_nstgid(bad[i], &tgid) == -EBADMSG, "accepted %s", bad[i]);
	ck_assert_int_eq(tgid, 77);
}
END_TEST

START_TEST(test_nstgid_line_cut_short_is_ebadmsg)
{
	pid_t tgid = 77;

	/* "\t1" could be the start of "\t17": a truncated read proves nothing. */
	ck_assert_int_eq(pidns_parse_nstgid("NStgid:\t4242\t1", &tgid), -EBADMSG);
}
END_TEST

/* --- stat start time ----------------------------------------------------------- */

START_TEST(test_stat_start_is_read_after_the_last_paren)
{
	/* comm "(a) b)": ")" and a space inside it. Field 22 is 987654. */
	static const char stat[] =
		"4242 ((a) b)) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 "
		"1234 56 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
	uint64_t start = 0;

	ck_assert_int_eq(pidns_parse_stat_start(stat, &start), 0);
	ck_assert_uint_eq(start, 987654);
}
END_TEST

START_TEST(test_stat_start_with_too_few_fields_is_ebadmsg)
{
	uint64_t start = 5;

	ck_assert_int_eq(pidns_parse_stat_start("4242 (sh) S 1 4242 4242 0 -1\n", &start),
			 -EBADMSG);
	ck_assert_uint_eq(start, 5);
}
END_TEST

START_TEST(test_stat_start_garbage_is_ebadmsg)
{
	static const char *const bad[] = {
		"",
		"4242 sh S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1\n",
		"4242 (sh) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 98x654 1\n",
		"4242 (sh) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0  1\n",
		"4242 )sh( S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1\n",
	};
	uint64_t start = 5;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(pidns_parse_stat_start(bad[i], &start) == -EBADMSG,
			      "accepted \"%s\"", bad[i]);
	ck_assert_uint_eq(start, 5);
}
END_TEST

/* --- the host's own processes ---------------------------------------------------- */

static int open_host_proc(void)
{
	int fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);

	ck_assert_int_ge(fd, 0);
	return fd;
}

START_TEST(test_start_time_of_absent_pid_is_esrch)
{
	int proc_fd = open_host_proc();
	uint64_t start;

	/* pid_max is at most 4,194,304: INT_MAX is never a process. */
	ck_assert_int_eq(pidns_start_time(proc_fd, INT_MAX, &start), -ESRCH);
	close(proc_fd);
}
END_TEST

struct thread_tgid {
	int proc_fd;
	pid_t tid, tgid;
	int rc;
};

static void *thread_read_own_tgid(void *arg)
{
	struct thread_tgid *t = arg;

	t->tid = gettid();
	t->rc = pidns_reader_tgid(t->proc_fd, t->tid, &t->tgid);
	return NULL;
}

START_TEST(test_reader_tgid_of_host_thread_is_its_process)
{
	struct thread_tgid t = { .proc_fd = open_host_proc(), .rc = 1 };
	pthread_t thread;

	/* A second thread, whose tid is not its process's id. */
	ck_assert_int_eq(pthread_create(&thread, NULL, thread_read_own_tgid, &t), 0);
	ck_assert_int_eq(pthread_join(thread, NULL), 0);
	ck_assert_int_ne(t.tid, getpid());
	ck_assert_int_eq(t.rc, 0);
	ck_assert_int_eq(t.tgid, getpid());
	close(t.proc_fd);
}
END_TEST

START_TEST(test_reader_tgid_of_absent_reader_is_esrch)
{
	int proc_fd = open_host_proc();
	pid_t tgid = 77;

	ck_assert_int_eq(pidns_reader_tgid(proc_fd, INT_MAX, &tgid), -ESRCH);
	ck_assert_int_eq(tgid, 77);
	close(proc_fd);
}
END_TEST

START_TEST(test_reader_in_daemon_namespace_gets_proc_fd)
{
	int proc_fd = open_host_proc();
	struct pidns_cache *cache;
	struct pidns_view *view = NULL;
	unsigned long mounts, forks;

	ck_assert_int_eq(pidns_cache_create(proc_fd, &cache), 0);
	ck_assert_int_eq(pidns_acquire(cache, gettid(), &view), 0);
	ck_assert_int_eq(pidns_view_fd(view), proc_fd);
	pidns_release(cache, view);
	pidns_cache_counts(cache, &mounts, &forks);
	ck_assert_uint_eq(mounts, 0);
	ck_assert_uint_eq(pidns_cache_size(cache), 0);
	pidns_cache_destroy(cache);
	close(proc_fd);
}
END_TEST

START_TEST(test_acquire_for_absent_reader_is_esrch)
{
	int proc_fd = open_host_proc();
	struct pidns_cache *cache;
	struct pidns_view *view = NULL;

	ck_assert_int_eq(pidns_cache_create(proc_fd, &cache), 0);
	ck_assert_int_eq(pidns_acquire(cache, INT_MAX, &view), -ESRCH);
	ck_assert_int_eq(pidns_acquire(cache, 0, &view), -ESRCH);
	pidns_cache_destroy(cache);
	close(proc_fd);
}
END_TEST

/* --- real pid namespaces (root) ---------------------------------------------------- */

/* A child that made a pid namespace, and the namespace's init (its pid 1). */
struct ns_fixture {
	pid_t child;
	pid_t init;			/* as the test's namespace numbers it */
};

/* Wait up to 5 s for a child, then kill it; never blocks for ever on a live one. */
static void reap_bounded(pid_t pid)
{
	for (int i = 0; i < 500; i++) {
		if (waitpid(pid, NULL, WNOHANG) != 0)
			return;
		usleep(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static void fixture_start(struct ns_fixture *f)
{
	int pipe_fds[2];
	pid_t init;

	ck_assert_int_eq(pipe2(pipe_fds, O_CLOEXEC), 0);
	f->child = fork();
	ck_assert_int_ge(f->child, 0);
	if (f->child == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (unshare(CLONE_NEWPID) < 0)
			_exit(1);
		init = fork();
		if (init == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			for (;;)
				pause();
		}
		if (write(pipe_fds[1], &init, sizeof(init)) != sizeof(init))
			_exit(1);
		waitpid(init, NULL, 0);
		_exit(0);
	}
	close(pipe_fds[1]);
	ck_assert_int_eq(read(pipe_fds[0], &f->init, sizeof(f->init)), sizeof(f->init));
	ck_assert_int_gt(f->init, 0);
	close(pipe_fds[0]);
}

/* Killing a namespace's init kills the namespace; its maker then reaps and exits. */
static void fixture_stop(struct ns_fixture *f)
{
	/* Never kill(-1) or wait for any child: a stopped fixture has -1s. */
	if (f->init > 0)
		kill(f->init, SIGKILL);
	if (f->child > 0)
		reap_bounded(f->child);
	f->init = f->child = -1;
}

/* The numeric names in a view's listing, joined by ",", in listing order. */
static void list_pids(int view_fd, char *out, size_t size)
{
	int dir_fd = openat(view_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *de;
	DIR *dir;

	ck_assert_int_ge(dir_fd, 0);
	dir = fdopendir(dir_fd);
	ck_assert_ptr_nonnull(dir);
	out[0] = '\0';
	while ((de = readdir(dir)) != NULL) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		if (out[0])
			strncat(out, ",", size - strlen(out) - 1);
		strncat(out, de->d_name, size - strlen(out) - 1);
	}
	closedir(dir);
}

static int proc_fd;
static struct pidns_cache *cache;
static struct ns_fixture fixture;

static void namespace_setup(void)
{
	proc_fd = open_host_proc();
	ck_assert_int_eq(pidns_cache_create(proc_fd, &cache), 0);
	fixture_start(&fixture);
}

static void namespace_teardown(void)
{
	fixture_stop(&fixture);
	pidns_cache_destroy(cache);
	close(proc_fd);
}

/* What every test of a view checks: it lists "1" alone, and "1" is the fixture's init. */
static void assert_view_shows_init_alone(struct pidns_view *view)
{
	uint64_t in_view = 0, on_host = 1;
	char pids[256];

	list_pids(pidns_view_fd(view), pids, sizeof(pids));
	ck_assert_str_eq(pids, "1");
	ck_assert_int_eq(pidns_start_time(pidns_view_fd(view), 1, &in_view), 0);
	ck_assert_int_eq(pidns_start_time(proc_fd, fixture.init, &on_host), 0);
	ck_assert_uint_eq(in_view, on_host);
}

START_TEST(test_view_lists_only_the_namespace_init_as_1)
{
	struct pidns_view *view = NULL;

	ck_assert_int_eq(pidns_acquire(cache, fixture.init, &view), 0);
	ck_assert_int_ne(pidns_view_fd(view), proc_fd);
	assert_view_shows_init_alone(view);
	pidns_release(cache, view);
}
END_TEST

START_TEST(test_view_made_by_fork_shows_the_same)
{
	struct pidns_view *view = NULL;
	unsigned long mounts, forks;

	/* The only way before Linux 6.18 (5.15, 6.1): a child in the namespace mounts. */
	pidns_cache_force_fork(cache, true);
	ck_assert_int_eq(pidns_acquire(cache, fixture.init, &view), 0);
	assert_view_shows_init_alone(view);
	pidns_release(cache, view);
	pidns_cache_counts(cache, &mounts, &forks);
	ck_assert_uint_eq(mounts, 1);
	ck_assert_uint_eq(forks, 1);
}
END_TEST

START_TEST(test_view_id_is_the_readers_namespace)
{
	struct pidns_view *view = NULL;
	struct ns_id id;
	char path[64];

	snprintf(path, sizeof(path), "%d/ns/pid", (int)fixture.init);
	ck_assert_int_eq(ns_id_at(proc_fd, path, &id), 0);
	ck_assert_int_eq(pidns_acquire(cache, fixture.init, &view), 0);
	ck_assert(ns_id_equal(pidns_view_id(view), &id));
	pidns_release(cache, view);
}
END_TEST

/* The link read (after the first call, which follows it) names the inode following it finds. */
START_TEST(test_ns_link_read_names_the_followed_inode)
{
	static const char *const links[] = { "self/ns/pid", "self/ns/net", "self/ns/mnt" };
	struct ns_id followed, read_id;
	char path[64];

	for (int round = 0; round < 2; round++)
		for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
			ck_assert_int_eq(ns_id_at(proc_fd, links[i], &followed), 0);
			ck_assert_int_eq(ns_id_link_at(proc_fd, links[i], &read_id), 0);
			ck_assert_uint_ne(read_id.ino, 0);
			ck_assert(ns_id_equal(&read_id, &followed));
		}
	snprintf(path, sizeof(path), "%d/ns/pid", (int)fixture.init);
	ck_assert_int_eq(ns_id_at(proc_fd, path, &followed), 0);
	ck_assert_int_eq(ns_id_link_at(proc_fd, path, &read_id), 0);
	ck_assert(ns_id_equal(&read_id, &followed));
	ck_assert_int_eq(ns_id_link_at(proc_fd, "self/ns/pid", &followed), 0);
	ck_assert(!ns_id_equal(&read_id, &followed));
	ck_assert_int_eq(ns_id_link_at(proc_fd, "self/ns/none", &read_id), -ENOENT);
}
END_TEST

START_TEST(test_reader_tgid_of_namespace_init_is_1)
{
	pid_t tgid = 0;

	ck_assert_int_eq(pidns_reader_tgid(proc_fd, fixture.init, &tgid), 0);
	ck_assert_int_eq(tgid, 1);
}
END_TEST

START_TEST(test_second_acquire_shares_the_view)
{
	struct pidns_view *first = NULL, *second = NULL;
	unsigned long mounts, forks;

	pidns_cache_force_fork(cache, true);
	ck_assert_int_eq(pidns_acquire(cache, fixture.init, &first), 0);
	pidns_release(cache, first);
	ck_assert_int_eq(pidns_acquire(cache, fixture.init, &second), 0);
	ck_assert_ptr_eq(first, second);
	pidns_release(cache, second);
	pidns_cache_counts(cache, &mounts, &forks);
	ck_assert_uint_eq(mounts, 1);
	ck_assert_uint_eq(forks, 1);
	ck_assert_uint_eq(pidns_cache_size(cache), 1);
}
END_TEST

#define RACERS 8

struct racer {
	pthread_barrier_t *start;
	struct pidns_view *view;
	int rc;
};

static void *racer_run(void *arg)
{
	struct racer *racer = arg;

	pthread_barrier_wait(racer->start);
	racer->rc = pidns_acquire(cache, fixture.init, &racer->view);
	return NULL;
}

START_TEST(test_concurrent_first_acquires_mount_once)
{
	struct racer racers[RACERS];
	pthread_t threads[RACERS];
	pthread_barrier_t start;
	unsigned long mounts, forks;

	/* A fork keeps the first acquire busy for a while: the others must wait for it. */
	pidns_cache_force_fork(cache, true);
	pthread_barrier_init(&start, NULL, RACERS);
	for (int i = 0; i < RACERS; i++) {
		racers[i].start = &start;
		ck_assert_int_eq(pthread_create(&threads[i], NULL, racer_run, &racers[i]), 0);
	}
	for (int i = 0; i < RACERS; i++)
		pthread_join(threads[i], NULL);
	for (int i = 0; i < RACERS; i++) {
		ck_assert_int_eq(racers[i].rc, 0);
		ck_assert_ptr_eq(racers[i].view, racers[0].view);
	}
	for (int i = 0; i < RACERS; i++)
		pidns_release(cache, racers[i].view);
	pthread_barrier_destroy(&start);
	pidns_cache_counts(cache, &mounts, &forks);
	ck_assert_uint_eq(mounts, 1);
	ck_assert_uint_eq(forks, 1);
}
END_TEST

START_TEST(test_view_of_dead_namespace_is_swept)
{
	struct pidns_view *view = NULL;

	ck_assert_int_eq(pidns_acquire(cache, fixture.init, &view), 0);
	pidns_release(cache, view);
	ck_assert_uint_eq(pidns_cache_sweep(cache), 1);
	fixture_stop(&fixture);
	ck_assert_uint_eq(pidns_cache_sweep(cache), 0);
}
END_TEST

START_TEST(test_held_view_is_not_swept)
{
	struct pidns_view *view = NULL;
	char pids[64];

	ck_assert_int_eq(pidns_acquire(cache, fixture.init, &view), 0);
	fixture_stop(&fixture);
	ck_assert_uint_eq(pidns_cache_sweep(cache), 1);
	/* Still open, and empty: the namespace has no process. */
	list_pids(pidns_view_fd(view), pids, sizeof(pids));
	ck_assert_str_eq(pids, "");
	pidns_release(cache, view);
	ck_assert_uint_eq(pidns_cache_sweep(cache), 0);
}
END_TEST

START_TEST(test_views_of_two_namespaces_are_apart)
{
	struct pidns_view *first = NULL, *second = NULL;
	struct ns_fixture other;
	uint64_t in_view = 0, on_host = 1;

	fixture_start(&other);
	ck_assert_int_eq(pidns_acquire(cache, fixture.init, &first), 0);
	ck_assert_int_eq(pidns_acquire(cache, other.init, &second), 0);
	ck_assert_ptr_ne(first, second);
	ck_assert(!ns_id_equal(pidns_view_id(first), pidns_view_id(second)));
	ck_assert_int_eq(pidns_start_time(pidns_view_fd(second), 1, &in_view), 0);
	ck_assert_int_eq(pidns_start_time(proc_fd, other.init, &on_host), 0);
	ck_assert_uint_eq(in_view, on_host);
	pidns_release(cache, first);
	pidns_release(cache, second);
	fixture_stop(&other);
}
END_TEST

START_TEST(test_cache_keeps_at_most_max_views_closing_least_recent)
{
	static struct ns_fixture many[PIDNS_CACHE_MAX + 1];
	struct pidns_view *view = NULL;
	unsigned long mounts, forks;

	for (int i = 0; i <= PIDNS_CACHE_MAX; i++) {
		fixture_start(&many[i]);
		ck_assert_int_eq(pidns_acquire(cache, many[i].init, &view), 0);
		pidns_release(cache, view);
	}
	ck_assert_uint_eq(pidns_cache_size(cache), PIDNS_CACHE_MAX);
	/* The newest is kept; the oldest was closed and is mounted again. */
	ck_assert_int_eq(pidns_acquire(cache, many[PIDNS_CACHE_MAX].init, &view), 0);
	pidns_release(cache, view);
	pidns_cache_counts(cache, &mounts, &forks);
	ck_assert_uint_eq(mounts, PIDNS_CACHE_MAX + 1);
	ck_assert_int_eq(pidns_acquire(cache, many[0].init, &view), 0);
	pidns_release(cache, view);
	pidns_cache_counts(cache, &mounts, &forks);
	ck_assert_uint_eq(mounts, PIDNS_CACHE_MAX + 2);
	ck_assert_uint_eq(pidns_cache_size(cache), PIDNS_CACHE_MAX);
	for (int i = 0; i <= PIDNS_CACHE_MAX; i++)
		kill(many[i].init, SIGKILL);
	for (int i = 0; i <= PIDNS_CACHE_MAX; i++)
		reap_bounded(many[i].child);
}
END_TEST

/*
 * Root with CAP_SYS_ADMIN can make pid namespaces (CI runs so); elsewhere
 * the namespace tests are left out, and say so.
 */
static bool namespaces_available(const char **why)
{
	pid_t child;
	int status;

	if (geteuid() != 0) {
		*why = "not running as root";
		return false;
	}
	child = fork();
	if (child == 0)
		_exit(unshare(CLONE_NEWPID) == 0 ? 0 : 1);
	if (child < 0 || waitpid(child, &status, 0) != child || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		*why = "unshare(CLONE_NEWPID) fails here";
		return false;
	}
	return true;
}

static Suite *pidns_suite(void)
{
	Suite *s = suite_create("pidns");
	TCase *parse = tcase_create("parse");
	TCase *host = tcase_create("host");
	TCase *ns = tcase_create("namespaces");
	TCase *bound = tcase_create("bound");
	const char *why = NULL;

	tcase_add_test(parse, test_nstgid_of_namespaced_process_is_its_last_field);
	tcase_add_test(parse, test_nstgid_of_host_process_is_its_only_field);
	tcase_add_test(parse, test_nstgid_is_found_among_other_lines);
	tcase_add_test(parse, test_nstgid_missing_is_ebadmsg);
	tcase_add_test(parse, test_nstgid_garbage_is_ebadmsg);
	tcase_add_test(parse, test_nstgid_line_cut_short_is_ebadmsg);
	tcase_add_test(parse, test_stat_start_is_read_after_the_last_paren);
	tcase_add_test(parse, test_stat_start_with_too_few_fields_is_ebadmsg);
	tcase_add_test(parse, test_stat_start_garbage_is_ebadmsg);
	suite_add_tcase(s, parse);

	tcase_add_test(host, test_start_time_of_absent_pid_is_esrch);
	tcase_add_test(host, test_reader_tgid_of_host_thread_is_its_process);
	tcase_add_test(host, test_reader_tgid_of_absent_reader_is_esrch);
	tcase_add_test(host, test_reader_in_daemon_namespace_gets_proc_fd);
	tcase_add_test(host, test_acquire_for_absent_reader_is_esrch);
	suite_add_tcase(s, host);

	if (!namespaces_available(&why)) {
		printf("check_pidns: SKIPPING the namespace tests: %s\n", why);
		return s;
	}
	tcase_add_checked_fixture(ns, namespace_setup, namespace_teardown);
	tcase_set_timeout(ns, 30);
	tcase_add_test(ns, test_view_lists_only_the_namespace_init_as_1);
	tcase_add_test(ns, test_view_made_by_fork_shows_the_same);
	tcase_add_test(ns, test_view_id_is_the_readers_namespace);
	tcase_add_test(ns, test_ns_link_read_names_the_followed_inode);
	tcase_add_test(ns, test_reader_tgid_of_namespace_init_is_1);
	tcase_add_test(ns, test_second_acquire_shares_the_view);
	tcase_add_test(ns, test_concurrent_first_acquires_mount_once);
	tcase_add_test(ns, test_view_of_dead_namespace_is_swept);
	tcase_add_test(ns, test_held_view_is_not_swept);
	tcase_add_test(ns, test_views_of_two_namespaces_are_apart);
	suite_add_tcase(s, ns);

	tcase_add_checked_fixture(bound, namespace_setup, namespace_teardown);
	tcase_set_timeout(bound, 120);
	tcase_add_test(bound, test_cache_keeps_at_most_max_views_closing_least_recent);
	suite_add_tcase(s, bound);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(pidns_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
