/* SPDX-License-Identifier: GPL-2.0-or-later */
/* handle.h - the numbers the kernel holds for open files: a slot and a generation, looked up. */
#ifndef PROCLENS_HANDLE_H
#define PROCLENS_HANDLE_H

#include <stdint.h>

/*
 * An open file's number (fuse_file_info.fh) is its slot in this table with
 * the slot's generation above it, never a pointer: a number the daemon did
 * not give, or gave to a file since closed, finds nothing instead of freed
 * memory (a kernel that resends requests after a restart, a bug). Slots are
 * reused; generations make reused ones differ. Thread-safe.
 */
struct handle_table;

struct handle_table *handle_table_new(void);
/* Frees the table, not what it holds. Accepts NULL. */
void handle_table_free(struct handle_table *table);

/* Keep object; its number into *fh. 0 or -ENOMEM. */
int handle_table_add(struct handle_table *table, void *object, uint64_t *fh);

/* The object numbered fh, or NULL. */
void *handle_table_get(struct handle_table *table, uint64_t fh);

/* Forget fh; the object is the caller's again. */
void handle_table_remove(struct handle_table *table, uint64_t fh);

#endif
