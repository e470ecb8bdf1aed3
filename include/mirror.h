/* mirror.h - directories that show each reader its own /proc/<pid>/<source> entries. */
#ifndef PROCLENS_MIRROR_H
#define PROCLENS_MIRROR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ns.h"

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
 * The inode numbers handed to the kernel for mirrored entries. An entry is
 * named by its scope (0 for the shared tree, a container's slot + 1 for its
 * c/<name>/ copy), the network namespace of the reader who looked it up, and
 * its path below /proc/<pid> ("net/stat/arp_cache"): readers in different
 * namespaces, or in different containers' trees, never share an inode, so
 * neither the attributes the kernel caches for one (owner, mode, size) nor
 * its page cache reach another. Entries are counted by lookups and dropped
 * when the kernel forgets them: the table holds what the kernel holds.
 */
struct mirror_key {
	unsigned scope;
	struct ns_id net_ns;
};

struct mirror_nodes;

struct mirror_nodes *mirror_nodes_new(uint64_t first_ino);
void mirror_nodes_free(struct mirror_nodes *nodes);

/* The inode of (key, path), with one more lookup counted; 0 or -ENOMEM. */
int mirror_nodes_ref(struct mirror_nodes *nodes, const struct mirror_key *key,
		     const char *path, uint64_t *ino);

/* Copy the key and path of ino out; -ENOENT if ino is unknown. */
int mirror_nodes_get(struct mirror_nodes *nodes, uint64_t ino, struct mirror_key *key,
		     char *path, size_t size);

/* The kernel dropped nlookup references to ino. */
void mirror_nodes_forget(struct mirror_nodes *nodes, uint64_t ino, uint64_t nlookup);

/* Whether ino is in the table's range. */
int mirror_nodes_owns(const struct mirror_nodes *nodes, uint64_t ino);

/* How many entries the kernel holds now. */
size_t mirror_nodes_count(struct mirror_nodes *nodes);

#endif
