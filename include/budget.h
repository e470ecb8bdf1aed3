/* SPDX-License-Identifier: GPL-2.0-or-later */
/* budget.h - how many open files each user and each pid namespace may hold in the daemon. */
#ifndef PROCLENS_BUDGET_H
#define PROCLENS_BUDGET_H

#include <stdint.h>
#include <sys/types.h>

/*
 * Every open proclens file or directory holds daemon memory and up to a few
 * descriptors until it is closed. A tenant that opened files without end
 * would run the daemon out of descriptors for everyone; a budget bounds what
 * each may hold: per user other than root (the reader's uid as the host sees
 * it: every user namespace of one unprivileged user counts once), per pid
 * namespace other than the host's (a container, whatever its users), and in
 * all.
 */
struct budget_limits {
	unsigned per_user;
	unsigned per_pid_ns;
	unsigned total;
	/*
	 * The daemon's own pid namespace, the host's: its processes are many
	 * users, each bounded by per_user, and root there is the host's
	 * administrator; it has no share of its own (0: none exempt).
	 */
	uint64_t host_pid_ns;
};

/* The defaults, for a daemon whose descriptor limit is fd_limit (host_pid_ns 0). */
void budget_default_limits(uint64_t fd_limit, struct budget_limits *limits);

struct budget;

struct budget *budget_new(const struct budget_limits *limits);
void budget_free(struct budget *budget);

/*
 * Take one open file for uid in pid namespace pid_ns (its nsfs inode): 0, or
 * -EMFILE when the user or the namespace holds its share, -ENFILE when the
 * daemon holds its total, -ENOMEM. Thread-safe.
 */
int budget_take(struct budget *budget, uid_t uid, uint64_t pid_ns);

/* Give back what budget_take() took. */
void budget_give(struct budget *budget, uid_t uid, uint64_t pid_ns);

#endif
