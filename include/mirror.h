/* mirror.h - directories that show each reader its own /proc/<pid>/<source> entries. */
#ifndef PROCLENS_MIRROR_H
#define PROCLENS_MIRROR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "buf.h"

/*
 * proc/net mirrors "net": a reader listing it sees its own /proc/<pid>/net,
 * whose entries belong to its network namespace, with the virtual files of
 * the same names (sockstat, sockstat6) in their place.
 */
struct mirror_dir {
	const char *path;	/* below the mount point */
	const char *source;	/* below /proc/<pid> */
};

extern const struct mirror_dir mirror_table[];
extern const size_t mirror_count;

/*
 * The inode numbers handed to the kernel for mirrored entries, by path below
 * /proc/<pid> ("net/stat/arp_cache"), counted by lookups and dropped when the
 * kernel forgets them: the table holds what the kernel holds.
 */
struct mirror_nodes;

struct mirror_nodes *mirror_nodes_new(uint64_t first_ino);
void mirror_nodes_free(struct mirror_nodes *nodes);

/* The inode of path, with one more lookup counted; 0 or -ENOMEM. */
int mirror_nodes_ref(struct mirror_nodes *nodes, const char *path, uint64_t *ino);

/* Copy the path of ino into path; -ENOENT if ino is unknown. */
int mirror_nodes_path(struct mirror_nodes *nodes, uint64_t ino, char *path, size_t size);

/* The kernel dropped nlookup references to ino. */
void mirror_nodes_forget(struct mirror_nodes *nodes, uint64_t ino, uint64_t nlookup);

/* Whether ino is one of the table's. */
int mirror_nodes_owns(const struct mirror_nodes *nodes, uint64_t ino);

/* Read all of an open /proc file from offset 0 into out (reset first). */
int mirror_read_all(int fd, struct buf *out);

#endif
