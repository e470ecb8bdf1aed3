/* SPDX-License-Identifier: GPL-2.0-or-later */
/* handle.c - the numbers the kernel holds for open files: slot, generation and epoch, looked up. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "handle.h"

/* fh: epoch in bits 48-63, generation in 32-47, slot index in 0-31. */
#define HANDLE_EPOCH(fh) ((uint16_t)((fh) >> 48))
#define HANDLE_GENERATION(fh) ((uint16_t)((fh) >> 32))
#define HANDLE_INDEX(fh) ((uint32_t)(fh))

#define HANDLE_ADOPTED_BUCKETS 64

struct handle_slot {
	void *object;		/* NULL: free */
	uint16_t generation;
	uint32_t next_free;	/* index + 1 of the next free slot; 0 ends */
};

/* A number an earlier daemon gave, and what this one serves it with. */
struct handle_adopted {
	struct handle_adopted *next;
	uint64_t fh;
	void *object;
};

struct handle_table {
	pthread_rwlock_t lock;
	uint16_t epoch;
	struct handle_slot *slots;
	uint32_t count, cap;
	uint32_t first_free;	/* index + 1; 0: none */
	size_t used;
	struct handle_adopted *adopted[HANDLE_ADOPTED_BUCKETS];
};

struct handle_table *handle_table_new(uint16_t epoch)
{
	struct handle_table *table = calloc(1, sizeof(*table));

	if (!table)
		return NULL;
	pthread_rwlock_init(&table->lock, NULL);
	table->epoch = epoch ? epoch : 1;
	return table;
}

void handle_table_free(struct handle_table *table)
{
	if (!table)
		return;
	for (size_t i = 0; i < HANDLE_ADOPTED_BUCKETS; i++) {
		struct handle_adopted *entry = table->adopted[i], *next;

		for (; entry; entry = next) {
			next = entry->next;
			free(entry);
		}
	}
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
	*fh = (uint64_t)table->epoch << 48 | (uint64_t)slot->generation << 32 | index;
	table->used++;
	pthread_rwlock_unlock(&table->lock);
	return 0;
}

bool handle_table_foreign(const struct handle_table *table, uint64_t fh)
{
	return fh != 0 && HANDLE_EPOCH(fh) != table->epoch;
}

static struct handle_adopted **handle_find_adopted(struct handle_table *table, uint64_t fh)
{
	struct handle_adopted **link = &table->adopted[(fh ^ fh >> 32) % HANDLE_ADOPTED_BUCKETS];

	while (*link && (*link)->fh != fh)
		link = &(*link)->next;
	return link;
}

void *handle_table_get(struct handle_table *table, uint64_t fh)
{
	uint32_t index = HANDLE_INDEX(fh);
	void *object = NULL;

	pthread_rwlock_rdlock(&table->lock);
	if (handle_table_foreign(table, fh)) {
		struct handle_adopted *entry = *handle_find_adopted(table, fh);

		object = entry ? entry->object : NULL;
	} else if (index < table->count &&
		   table->slots[index].generation == HANDLE_GENERATION(fh)) {
		object = table->slots[index].object;
	}
	pthread_rwlock_unlock(&table->lock);
	return object;
}

void *handle_table_adopt(struct handle_table *table, uint64_t fh, void *object)
{
	struct handle_adopted **link, *entry;

	if (!handle_table_foreign(table, fh))
		return NULL;
	pthread_rwlock_wrlock(&table->lock);
	link = handle_find_adopted(table, fh);
	if (*link) {
		object = (*link)->object;
	} else if ((entry = malloc(sizeof(*entry)))) {
		entry->next = NULL;
		entry->fh = fh;
		entry->object = object;
		*link = entry;
		table->used++;
	} else {
		object = NULL;
	}
	pthread_rwlock_unlock(&table->lock);
	return object;
}

void handle_table_remove(struct handle_table *table, uint64_t fh)
{
	uint32_t index = HANDLE_INDEX(fh);

	pthread_rwlock_wrlock(&table->lock);
	if (handle_table_foreign(table, fh)) {
		struct handle_adopted **link = handle_find_adopted(table, fh), *entry = *link;

		if (entry) {
			*link = entry->next;
			free(entry);
			table->used--;
		}
	} else if (index < table->count &&
		   table->slots[index].generation == HANDLE_GENERATION(fh) &&
		   table->slots[index].object) {
		table->slots[index].object = NULL;
		table->slots[index].next_free = table->first_free;
		table->first_free = index + 1;
		table->used--;
	}
	pthread_rwlock_unlock(&table->lock);
}

size_t handle_table_count(struct handle_table *table)
{
	size_t used;

	pthread_rwlock_rdlock(&table->lock);
	used = table->used;
	pthread_rwlock_unlock(&table->lock);
	return used;
}
