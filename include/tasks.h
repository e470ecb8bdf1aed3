/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tasks.h - reading tasks met before: a kept /proc/<tid>/cgroup and the task's pid namespace. */
#ifndef PROCLENS_TASKS_H
#define PROCLENS_TASKS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * A task that reads keeps reading: a poller opens proc/meminfo every few
 * seconds, top every refresh. What every such open needs to know of its
 * reader (its memory cgroup, from /proc/<tid>/cgroup, and its pid namespace,
 * for the open-file budget) took four system calls. A descriptor of
 * /proc/<tid>/cgroup pins the task itself, not its number: pread(2) of it
 * formats that task's cgroups as they are at that moment (a move shows at
 * once), and fails with ESRCH once the task is gone, so a recycled number
 * is never answered from it. A task's own pid namespace never changes. So a
 * task met before costs one pread(2).
 *
 * Descriptors unused for TASKS_IDLE_NS are closed by a sweeper thread that
 * starts with the first task kept and sleeps while none is; at most
 * tasks_new()'s max are kept, the least recently used given up first.
 */
#define TASKS_IDLE_NS (1000LL * 1000 * 1000)

struct tasks;

/* Tasks read through proc_fd (the daemon's own proc instance), at most max kept. */
struct tasks *tasks_new(int proc_fd, size_t max);
void tasks_free(struct tasks *tasks);

/*
 * The text of /proc/<tid>/cgroup, read now into text (NUL-terminated, *len
 * bytes), and the task's pid namespace inode. 0, -ESRCH when there is no such
 * task, or another -errno.
 */
int tasks_read_cgroup(struct tasks *tasks, pid_t tid, char *text, size_t size, size_t *len,
		      uint64_t *pid_ns);

/* Close what was unused since now_ns - TASKS_IDLE_NS (the sweeper's job; for tests). */
void tasks_sweep(struct tasks *tasks, int64_t now_ns);

/* Tasks kept now. */
size_t tasks_count(struct tasks *tasks);

#endif
