/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fs_state.c - what the kernel holds numbers of, written out for the daemon that takes over. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fs_internal.h"
#include "log.h"

/*
 * A live upgrade hands the FUSE connection to a new daemon while the kernel
 * keeps every inode number the old one gave: the c/<name> slots (bind
 * mounts hold them for the container's lifetime) and the numbered entries
 * (mirrored and per-process). The old daemon writes them out, one line
 * each, and the new one puts them back before it serves:
 *
 *     container <slot> <lookups> <name>
 *     node <ino> <scope> <kind> <ns dev> <ns ino> <lookups> <path, hex>
 *
 * Paths are hex: an entry's name is whatever the kernel calls it. A line
 * the reader does not know is skipped, so an older daemon can take over
 * from a newer one.
 */

static void fs_state_hex(FILE *out, const char *s)
{
	for (; *s; s++)
		fprintf(out, "%02x", (unsigned char)*s);
}

static int fs_state_unhex(const char *hex, char *out, size_t size)
{
	size_t len = strlen(hex);

	if (len % 2 || len / 2 >= size)
		return -EINVAL;
	for (size_t i = 0; i < len / 2; i++) {
		unsigned byte;

		if (sscanf(hex + 2 * i, "%2x", &byte) != 1 || byte == 0)
			return -EINVAL;
		out[i] = (char)byte;
	}
	out[len / 2] = '\0';
	return 0;
}

static int fs_state_node(void *arg, uint64_t ino, const struct node_key *key, const char *path,
			 uint64_t nlookup)
{
	FILE *out = arg;

	fprintf(out, "node %" PRIu64 " %u %u %" PRIu64 " %" PRIu64 " %" PRIu64 " ", ino,
		key->scope, key->kind, (uint64_t)key->ns.dev, (uint64_t)key->ns.ino, nlookup);
	fs_state_hex(out, path[0] ? path : "");
	fputc('\n', out);
	return 0;
}

int fs_state_save(struct fs *fs, FILE *out)
{
	pthread_mutex_lock(&fs->containers_lock);
	for (size_t i = 0; i < FS_CONTAINERS_MAX; i++)
		if (fs->containers[i].used)
			fprintf(out, "container %zu %" PRIu64 " %s\n", i, fs->containers[i].nlookup,
				fs->containers[i].name);
	pthread_mutex_unlock(&fs->containers_lock);
	node_table_each(fs->nodes_dynamic, fs_state_node, out);
	return ferror(out) ? -EIO : 0;
}

int fs_state_load(struct fs *fs, FILE *in)
{
	char line[PATH_MAX * 2 + 256], text[PATH_MAX * 2 + 1], path[PATH_MAX];
	size_t containers = 0, nodes = 0, skipped = 0;

	while (fgets(line, sizeof(line), in)) {
		uint64_t ino, dev, ns_ino, nlookup;
		unsigned scope, kind;
		size_t slot;
		int rc = -EINVAL;

		if (sscanf(line, "container %zu %" SCNu64 " %64s", &slot, &nlookup, text) == 3) {
			rc = fs_container_restore(fs, slot, nlookup, text);
			containers += rc == 0;
		} else if (sscanf(line, "node %" SCNu64 " %u %u %" SCNu64 " %" SCNu64 " %" SCNu64
				  " %8192s", &ino, &scope, &kind, &dev, &ns_ino, &nlookup, text) >= 6) {
			struct node_key key = { scope, kind, { (dev_t)dev, (ino_t)ns_ino } };

			if (sscanf(line, "%*s %*s %*s %*s %*s %*s %*s %8192s", text) != 1)
				text[0] = '\0';
			if (scope <= FS_CONTAINERS_MAX && kind <= NODE_PROCESS_FILE &&
			    fs_state_unhex(text, path, sizeof(path)) == 0)
				rc = node_table_restore(fs->nodes_dynamic, ino, &key, path, nlookup);
			nodes += rc == 0;
		}
		skipped += rc != 0;
	}
	log_debug("took over %zu container names and %zu entries (%zu lines skipped)",
		  containers, nodes, skipped);
	return 0;
}
