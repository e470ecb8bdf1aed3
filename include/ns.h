/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ns.h - a namespace's identity: the nsfs inode that /proc/<pid>/ns/<type> names. */
#ifndef PROCLENS_NS_H
#define PROCLENS_NS_H

#include <stdbool.h>
#include <sys/types.h>

struct ns_id {
	dev_t dev;
	ino_t ino;		/* 0: unknown */
};

/* Identify the namespace at dirfd/path (e.g. "<pid>/ns/net"); 0 or -errno. */
int ns_id_at(int dirfd, const char *path, struct ns_id *id);

/*
 * The same for a /proc/<pid>/ns/<type> link, read with readlinkat(2) instead
 * of followed: the link's text carries the inode number, and following it
 * costs a third more (the namespace's nsfs dentry is looked up). The first
 * call follows the link, to learn nsfs's device.
 */
int ns_id_link_at(int dirfd, const char *path, struct ns_id *id);

static inline bool ns_id_equal(const struct ns_id *a, const struct ns_id *b)
{
	return a->ino != 0 && a->ino == b->ino && a->dev == b->dev;
}

#endif
