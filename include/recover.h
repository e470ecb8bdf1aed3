/* SPDX-License-Identifier: GPL-2.0-or-later */
/* recover.h - after a crash, replace a dead daemon's mounts in other mount namespaces with fresh ones. */
#ifndef PROCLENS_RECOVER_H
#define PROCLENS_RECOVER_H

#include <stdbool.h>

/*
 * Start a helper process that waits (up to 10 s) until mountpoint serves,
 * then, once, in every other mount namespace, replaces each topmost dead
 * proclens mount (fuse.proclens, another device, statfs ENOTCONN) by a
 * clone of the same root from mountpoint. Call while single-threaded enough
 * to fork and before capabilities are dropped (setns(2) and chroot(2) need
 * CAP_SYS_ADMIN and CAP_SYS_CHROOT); fuse_fd and ready_fd (-1: none) are
 * closed in the helper, so that it never keeps the daemon's connection
 * alive nor its starter waiting. Reaps its own
 * intermediate child: the helper belongs to init. 0 or -errno.
 */
int recover_start(int proc_fd, const char *mountpoint, int fuse_fd, int ready_fd, bool to_syslog,
		  bool debug);

#endif
