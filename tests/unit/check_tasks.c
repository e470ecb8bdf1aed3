/* SPDX-License-Identifier: GPL-2.0-or-later */
/* check_tasks.c - readers' kept /proc/<tid>/cgroup: read fresh, never another task's, let go when idle. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ns.h"
#include "shared.h"
#include "tasks.h"

static int proc_fd = -1;

static void setup(void)
{
	proc_fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(proc_fd, 0);
}

static void teardown(void)
{
	close(proc_fd);
}

static int open_fds(void)
{
	DIR *dir = opendir("/proc/self/fd");
	int count = 0;

	ck_assert_ptr_nonnull(dir);
	while (readdir(dir))
		count++;
	closedir(dir);
	return count;
}

/* /proc/<pid>/cgroup and ns/pid, the long way. */
static void task_truth(pid_t pid, char *text, size_t size, uint64_t *pid_ns)
{
	char path[64];
	struct ns_id ns;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	n = read(fd, text, size - 1);
	ck_assert_int_gt(n, 0);
	text[n] = '\0';
	close(fd);
	snprintf(path, sizeof(path), "%d/ns/pid", (int)pid);
	ck_assert_int_eq(ns_id_at(proc_fd, path, &ns), 0);
	*pid_ns = (uint64_t)ns.ino;
}

static pid_t sleeper(void)
{
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		pause();
		_exit(0);
	}
	return pid;
}

static void end(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

START_TEST(test_task_is_read_and_kept_with_one_descriptor)
{
	struct tasks *tasks = tasks_new(proc_fd, 16);
	char text[8192], truth[8192];
	uint64_t pid_ns, truth_ns;
	int fds = open_fds();
	size_t len;

	task_truth(getpid(), truth, sizeof(truth), &truth_ns);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(tasks_read_cgroup(tasks, getpid(), text, sizeof(text), &len,
						   &pid_ns), 0);
		ck_assert_str_eq(text, truth);
		ck_assert_uint_eq(len, strlen(truth));
		ck_assert_uint_eq(pid_ns, truth_ns);
		ck_assert_uint_eq(tasks_count(tasks), 1);
		ck_assert_int_eq(open_fds(), fds + 1);
	}
	tasks_free(tasks);
	ck_assert_int_eq(open_fds(), fds);
}
END_TEST

START_TEST(test_ended_task_is_esrch_and_let_go)
{
	struct tasks *tasks = tasks_new(proc_fd, 16);
	pid_t child = sleeper();
	char text[8192];
	uint64_t pid_ns;
	int fds = open_fds();
	size_t len;

	ck_assert_int_eq(tasks_read_cgroup(tasks, child, text, sizeof(text), &len, &pid_ns), 0);
	ck_assert_uint_eq(tasks_count(tasks), 1);
	end(child);
	ck_assert_int_eq(tasks_read_cgroup(tasks, child, text, sizeof(text), &len, &pid_ns),
			 -ESRCH);
	ck_assert_uint_eq(tasks_count(tasks), 0);
	ck_assert_int_eq(open_fds(), fds);
	tasks_free(tasks);
}
END_TEST

START_TEST(test_idle_tasks_are_swept_and_busy_ones_stay)
{
	struct tasks *tasks = tasks_new(proc_fd, 16);
	pid_t first = sleeper(), second = sleeper();
	char text[8192];
	uint64_t pid_ns;
	int fds = open_fds();
	int64_t now;
	size_t len;

	ck_assert_int_eq(tasks_read_cgroup(tasks, first, text, sizeof(text), &len, &pid_ns), 0);
	ck_assert_int_eq(tasks_read_cgroup(tasks, second, text, sizeof(text), &len, &pid_ns), 0);
	ck_assert_uint_eq(tasks_count(tasks), 2);
	ck_assert_int_eq(open_fds(), fds + 2);
	/* Nothing is idle yet. */
	tasks_sweep(tasks, shared_now_ns());
	ck_assert_uint_eq(tasks_count(tasks), 2);
	/* first read again 50 ms on: a sweep 25 ms short of its idle time takes second alone. */
	usleep(50 * 1000);
	ck_assert_int_eq(tasks_read_cgroup(tasks, first, text, sizeof(text), &len, &pid_ns), 0);
	now = shared_now_ns();
	tasks_sweep(tasks, now + TASKS_IDLE_NS - 25 * 1000 * 1000);
	ck_assert_uint_eq(tasks_count(tasks), 1);
	ck_assert_int_eq(open_fds(), fds + 1);
	tasks_sweep(tasks, now + TASKS_IDLE_NS + 25 * 1000 * 1000);
	ck_assert_uint_eq(tasks_count(tasks), 0);
	ck_assert_int_eq(open_fds(), fds);
	end(first);
	end(second);
	tasks_free(tasks);
}
END_TEST

/* The bound holds: the least recently read task is let go for a new one. */
START_TEST(test_full_table_lets_the_least_recent_go)
{
	struct tasks *tasks = tasks_new(proc_fd, 2);
	pid_t child[3] = { sleeper(), sleeper(), sleeper() };
	char text[8192];
	uint64_t pid_ns;
	int fds = open_fds();
	size_t len;

	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(tasks_read_cgroup(tasks, child[i], text, sizeof(text), &len,
						   &pid_ns), 0);
	ck_assert_uint_eq(tasks_count(tasks), 2);
	ck_assert_int_eq(open_fds(), fds + 2);
	for (int i = 0; i < 3; i++)
		end(child[i]);
	tasks_free(tasks);
	ck_assert_int_eq(open_fds(), fds);
}
END_TEST

/*
 * In a pid namespace of its own, a process that took number `want` in this
 * namespace (ns_last_pid set just below it); its number, or -1 if another
 * process took `want` first. *helper is the process to end after it.
 */
static pid_t take_number(pid_t want, pid_t *helper)
{
	int pipe_fds[2];
	pid_t got = -1;

	ck_assert_int_eq(pipe(pipe_fds), 0);
	*helper = fork();
	ck_assert_int_ge(*helper, 0);
	if (*helper == 0) {
		char last[32];
		int fd = open("/proc/sys/kernel/ns_last_pid", O_WRONLY);
		pid_t child;

		if (unshare(CLONE_NEWPID) < 0 || fd < 0)
			_exit(1);
		snprintf(last, sizeof(last), "%d", (int)want - 1);
		if (write(fd, last, strlen(last)) < 0)
			_exit(1);
		child = fork();
		if (child == 0) {
			pause();
			_exit(0);
		}
		if (write(pipe_fds[1], &child, sizeof(child)) != sizeof(child))
			_exit(1);
		pause();
		_exit(0);
	}
	close(pipe_fds[1]);
	if (read(pipe_fds[0], &got, sizeof(got)) != sizeof(got))
		got = -1;
	close(pipe_fds[0]);
	return got;
}

/*
 * The number of a task that ended, taken by a task in another pid namespace:
 * the kept descriptor of the first must not answer for the second.
 */
START_TEST(test_recycled_number_is_the_new_tasks)
{
	struct tasks *tasks = tasks_new(proc_fd, 16);
	char text[8192], truth[8192];
	uint64_t pid_ns, first_ns, truth_ns;
	pid_t first, helper, second = -1;
	size_t len, kept;

	if (geteuid() != 0) {
		tasks_free(tasks);
		return;
	}
	for (int attempt = 0; attempt < 100 && second < 0; attempt++) {
		first = sleeper();
		ck_assert_int_eq(tasks_read_cgroup(tasks, first, text, sizeof(text), &len,
						   &first_ns), 0);
		end(first);
		second = take_number(first, &helper);
		if (second != first) {
			if (second > 0)
				kill(second, SIGKILL);
			end(helper);
			second = -1;
		}
	}
	ck_assert_msg(second > 0, "no pid could be taken again in 100 attempts");
	task_truth(second, truth, sizeof(truth), &truth_ns);
	ck_assert_uint_ne(truth_ns, first_ns);
	/* Attempts that missed the number leave their ended tasks kept until swept. */
	kept = tasks_count(tasks);
	ck_assert_int_eq(tasks_read_cgroup(tasks, second, text, sizeof(text), &len, &pid_ns), 0);
	ck_assert_uint_eq(pid_ns, truth_ns);
	ck_assert_str_eq(text, truth);
	/* The ended task's entry gave way to the new one's (the sweeper may take others). */
	ck_assert_uint_le(tasks_count(tasks), kept);
	kill(second, SIGKILL);
	end(helper);
	tasks_free(tasks);
}
END_TEST

static Suite *tasks_suite(void)
{
	Suite *s = suite_create("tasks");
	TCase *tc = tcase_create("read");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_task_is_read_and_kept_with_one_descriptor);
	tcase_add_test(tc, test_ended_task_is_esrch_and_let_go);
	tcase_add_test(tc, test_idle_tasks_are_swept_and_busy_ones_stay);
	tcase_add_test(tc, test_full_table_lets_the_least_recent_go);
	tcase_add_test(tc, test_recycled_number_is_the_new_tasks);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(tasks_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
