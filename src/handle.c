/* SPDX-License-Identifier: GPL-2.0-or-later */
/* handle.c - the numbers the kernel holds for open files: a slot and a generation, looked up. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "handle.h"

struct handle_slot {
	void *object;		/* NULL: free */
	uint32_t generation;
	uint32_t next_free;	/* index + 1 of the next free slot; 0 ends */
};

struct handle_table {
	pthread_rwlock_t lock;
	struct handle_slot *slots;
	uint32_t count, cap;
	uint32_t first_free;	/* index + 1; 0: none */
};

struct handle_table *handle_table_new(void)
{
	struct handle_table *table = calloc(1, sizeof(*table));

	if (table)
		pthread_rwlock_init(&table->lock, NULL);
	return table;
}

void handle_table_free(struct handle_table *table)
{
	if (!table)
		return;
	pthread_rwlock_destroy(&table->lock);
	free(table->slots);
	free(table);
}

int handle_table_add(struct handle_table *table, void *object, uint64_t *fh)
{
	struct handle_slot *slot;
	uint32_t index;

	pthread_rwlock_wrlock(&table->lock);
	if (table->first_free) {
		index = table->first_free - 1;
		table->first_free = table->slots[index].next_free;
	} else {
		if (table->count == table->cap) {
			uint32_t cap = table->cap ? table->cap * 2 : 64;
			struct handle_slot *slots = realloc(table->slots, cap * sizeof(*slots));

			if (!slots) {
				pthread_rwlock_unlock(&table->lock);
				return -ENOMEM;
			}
			table->slots = slots;
			table->cap = cap;
		}
		index = table->count++;
		table->slots[index].generation = 0;
	}
	slot = &table->slots[index];
	slot->object = object;
	slot->next_free = 0;
	/* Generation 0 is never handed out: fh 0 means "none" to the kernel's users. */
	if (++slot->generation == 0)
		slot->generation = 1;
	*fh = (uint64_t)slot->generation << 32 | index;
	pthread_rwlock_unlock(&table->lock);
	return 0;
}

void *handle_table_get(struct handle_table *table, uint64_t fh)
{
	uint32_t index = (uint32_t)fh, generation = (uint32_t)(fh >> 32);
	void *object = NULL;

	pthread_rwlock_rdlock(&table->lock);
	if (index < table->count && table->slots[index].generation == generation)
		object = table->slots[index].object;
	pthread_rwlock_unlock(&table->lock);
	return object;
}

void handle_table_remove(struct handle_table *table, uint64_t fh)
{
	uint32_t index = (uint32_t)fh, generation = (uint32_t)(fh >> 32);

	pthread_rwlock_wrlock(&table->lock);
	if (index < table->count && table->slots[index].generation == generation &&
	    table->slots[index].object) {
		table->slots[index].object = NULL;
		table->slots[index].next_free = table->first_free;
		table->first_free = index + 1;
	}
	pthread_rwlock_unlock(&table->lock);
}
