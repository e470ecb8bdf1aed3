/* SPDX-License-Identifier: GPL-2.0-or-later */
/* handover.h - passing the FUSE connection on: to a re-executed daemon (reload), or through systemd's store (crash). */
#ifndef PROCLENS_HANDOVER_H
#define PROCLENS_HANDOVER_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "fs.h"
#include "session.h"

/* The environment variable that carries the state descriptor across exec. */
#define HANDOVER_ENV "PROCLENS_HANDOVER"

/* What a daemon taking over a connection gets from the one before it. */
struct handover {
	int fuse_fd;			/* the connection, open */
	uint16_t epoch;			/* the earlier daemon's open-file epoch */
	struct session_init init;	/* the kernel's INIT, as it was read */
	char mountpoint[PATH_MAX];	/* where the connection is mounted */
	int store_fd;			/* the state kept in systemd's store, or -1 */
	int state_fd;			/* the rest (fs_state_load()), positioned after the header */
};

/*
 * The path this daemon was started from, resolved now: after a package
 * upgrade replaces the file, that path is the new version.
 */
int handover_remember_exe(void);

/*
 * The header of the state a daemon taking the connection over needs
 * (malloc'd text, several lines), or NULL without memory. store_fd, if >= 0,
 * is passed on too.
 */
char *handover_header(int fuse_fd, int store_fd, const char *mountpoint, uint16_t epoch,
		      const struct session_init *init);

/* Read the header of a state written by handover_write(), from offset 0. 0 or -EINVAL. */
int handover_read(int fd, struct handover *h);

/*
 * Re-execute the installed daemon with the same arguments on fuse_fd: write
 * the state of fs out, keep fuse_fd (and store_fd) open across exec, and
 * exec. Returns only on failure (-errno), with nothing changed: the caller
 * serves on.
 */
int handover_exec(char **argv, int fuse_fd, int store_fd, const char *mountpoint,
		  uint16_t epoch, const struct session_init *init, struct fs *fs);

/*
 * Whether this process was started by a reload: then *h is filled in and
 * the environment variable removed. 1, 0 if not, or -errno on a bad state.
 */
int handover_take(struct handover *h);

/* Load the rest of the state into fs and close the state descriptor. */
int handover_load(struct handover *h, struct fs *fs);

#endif
