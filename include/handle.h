/* SPDX-License-Identifier: GPL-2.0-or-later */
/* handle.h - the numbers the kernel holds for open files: slot, generation and epoch, looked up. */
#ifndef PROCLENS_HANDLE_H
#define PROCLENS_HANDLE_H

#include <stdbool.h>
#include <stdint.h>

/*
 * An open file's number (fuse_file_info.fh) is its slot in this table with
 * the slot's generation and the table's epoch above it, never a pointer: a
 * number the daemon did not give, or gave to a file since closed, finds
 * nothing instead of freed memory (a kernel that resends requests after a
 * restart, a bug). Slots are reused; generations make reused ones differ.
 *
 * The epoch tells this daemon's numbers from those an earlier daemon gave
 * on the same FUSE connection (a live upgrade re-executes the daemon; the
 * kernel keeps the files open through it). Such a foreign number is
 * adopted: handle_table_adopt() ties it to an object of this daemon, and
 * get and remove then treat it like any other. Thread-safe.
 */
struct handle_table;

/* A table whose numbers carry epoch (1 to 65535; 0 is taken as 1). */
struct handle_table *handle_table_new(uint16_t epoch);
/* Frees the table, not what it holds. Accepts NULL. */
void handle_table_free(struct handle_table *table);

/* Keep object; its number into *fh. 0 or -ENOMEM. */
int handle_table_add(struct handle_table *table, void *object, uint64_t *fh);

/* The object numbered fh (given here or adopted), or NULL. */
void *handle_table_get(struct handle_table *table, uint64_t fh);

/* Whether fh is a number of another epoch: an earlier daemon's. */
bool handle_table_foreign(const struct handle_table *table, uint64_t fh);

/*
 * Tie the foreign number fh to object. If another thread adopted fh first,
 * returns that thread's object and keeps nothing (the caller frees its
 * own); else object. NULL on -ENOMEM.
 */
void *handle_table_adopt(struct handle_table *table, uint64_t fh, void *object);

/* Forget fh; the object is the caller's again. */
void handle_table_remove(struct handle_table *table, uint64_t fh);

/* How many objects the table holds (given and adopted). */
size_t handle_table_count(struct handle_table *table);

#endif
