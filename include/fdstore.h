/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fdstore.h - the FUSE connection kept by systemd across a crash (sd_notify FDSTORE=1). */
#ifndef PROCLENS_FDSTORE_H
#define PROCLENS_FDSTORE_H

#include <stdbool.h>

/*
 * systemd's file descriptor store (FileDescriptorStoreMax= in the unit)
 * keeps a duplicate of each descriptor a service stores, and passes them to
 * the service's next start (LISTEN_FDS, LISTEN_FDNAMES). proclens stores its
 * FUSE connection there ("fuse") with a memfd of what a new daemon needs to
 * serve it ("state", the handover lines). A daemon killed by SIGKILL or the
 * OOM killer then leaves a connection that stays open: the kernel queues
 * readers' requests until systemd restarts the daemon, which takes it over
 * and asks the kernel to resend what the dead one had read (Linux 6.9 and
 * later; on older kernels those requests would wait forever, so nothing is
 * stored there and a restart recovers mounts instead, recover.c).
 */

/* Whether a service manager listens: $NOTIFY_SOCKET is set. */
bool fdstore_available(void);

/* Store fd under name. 0 or -errno. */
int fdstore_add(int fd, const char *name);

/* Drop what is stored under name (a clean stop: nothing to take over). */
int fdstore_remove(const char *name);

/*
 * The descriptors passed to this process at start (LISTEN_FDS for this pid):
 * *fuse_fd and *state_fd, or -1 each if not passed; others are closed and
 * the variables unset. 1 if both were passed, else 0.
 */
int fdstore_take(int *fuse_fd, int *state_fd);

#endif
