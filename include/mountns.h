/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mountns.h - reading a mount namespace's mount table, and making a symlink to mount. */
#ifndef PROCLENS_MOUNTNS_H
#define PROCLENS_MOUNTNS_H

#include <limits.h>
#include <stdio.h>

/* One line of /proc/<pid>/mountinfo, unescaped. */
struct mountns_entry {
	char point[PATH_MAX];	/* where it is mounted, as the reader's root sees it */
	char fstype[256];	/* "fuse.proclens", "tmpfs", ... */
	char source[PATH_MAX];	/* "proclens" for proclens and for proclens-attach's own mounts */
};

/*
 * The topmost mount at point in a mountinfo stream (the last line naming it):
 * 1 and *entry filled if there is one, 0 if none. Touches no mount, so a dead
 * FUSE mount is found like any other.
 */
int mountns_find(FILE *mountinfo, const char *point, struct mountns_entry *entry);

/*
 * A detached mount whose root is the symbolic link dirfd/name, pointing at
 * target (made if missing, kept if it already points there), to
 * move_mount(2) over another symlink: an O_CLOEXEC fd, or -errno (-ENOSYS
 * without open_tree(2), -EEXIST if name is something else). The link must
 * stay: a mount of an unlinked dentry fails with ENOENT (Linux 6.18).
 */
int mountns_symlink_tree(int dirfd, const char *name, const char *target);

/* Undo mountinfo's octal escapes (\040 for a space) in place. */
void mountns_unescape(char *s);

/* Is dirfd/name a symbolic link to target? */
int mountns_is_symlink_to(int dirfd, const char *name, const char *target);

#endif
