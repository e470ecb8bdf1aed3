/* SPDX-License-Identifier: GPL-2.0-or-later */
/* node.h - inode numbers of the entries that come and go: by key and path, counted by lookups. */
#ifndef PROCLENS_NODE_H
#define PROCLENS_NODE_H

#include <stddef.h>
#include <stdint.h>

#include "ns.h"

/*
 * Entries that exist for some readers and not others get inode numbers from
 * this table: mirrored /proc/net entries and per-process directories and
 * files. An entry is named by its key and a path: the scope (0 for the
 * shared tree, a container's slot + 1 for its c/<name>/ copy), its kind, the
 * namespace it was looked up in (a network namespace for mirrored entries, a
 * pid namespace for per-process ones), and a path (below /proc/<pid> for
 * mirrored entries; "<pid>:<start time>[/<file>]" for per-process ones, so
 * that a recycled pid is a new entry). Readers in different namespaces or
 * containers never share an inode, so neither the attributes the kernel
 * caches for one nor its page cache reach another. Numbers are never
 * reused; entries are counted by lookups and dropped when the kernel forgets
 * them: the table holds what the kernel holds.
 */
enum node_kind {
	NODE_MIRRORED,		/* an entry below a mirrored directory */
	NODE_PROCESS,		/* proc/<pid> */
	NODE_PROCESS_FILE,	/* proc/<pid>/<file> */
};

struct node_key {
	unsigned scope;
	unsigned kind;		/* enum node_kind */
	struct ns_id ns;
};

struct node_table;

struct node_table *node_table_new(uint64_t first_ino);
void node_table_free(struct node_table *nodes);

/* The inode of (key, path), with one more lookup counted; 0 or -ENOMEM. */
int node_table_ref(struct node_table *nodes, const struct node_key *key,
		   const char *path, uint64_t *ino);

/* Copy the key and path of ino out; -ENOENT if ino is unknown. */
int node_table_get(struct node_table *nodes, uint64_t ino, struct node_key *key,
		   char *path, size_t size);

/*
 * Put back an entry an earlier daemon numbered, with the lookups the kernel
 * holds (a live upgrade); later numbers follow the highest restored. An
 * entry restored twice under two numbers keeps the later one. -EEXIST if
 * ino is taken, -EINVAL outside the table's range.
 */
int node_table_restore(struct node_table *nodes, uint64_t ino, const struct node_key *key,
		       const char *path, uint64_t nlookup);

/* Told of each new entry, after the table is unlocked (a journal of the numbers given). */
typedef void (*node_table_journal_fn)(void *arg, uint64_t ino, const struct node_key *key,
				      const char *path);
void node_table_set_journal(struct node_table *nodes, node_table_journal_fn fn, void *arg);

/* Call fn for each entry, table locked, until it returns non-zero (returned). */
int node_table_each(struct node_table *nodes,
		    int (*fn)(void *arg, uint64_t ino, const struct node_key *key,
			      const char *path, uint64_t nlookup),
		    void *arg);

/* The kernel dropped nlookup references to ino. */
void node_table_forget(struct node_table *nodes, uint64_t ino, uint64_t nlookup);

/* Whether ino is in the table's range. */
int node_table_owns(const struct node_table *nodes, uint64_t ino);

/* How many entries the kernel holds now. */
size_t node_table_count(struct node_table *nodes);

#endif
