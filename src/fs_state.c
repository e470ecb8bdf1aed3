/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fs_state.c - what the kernel holds numbers of, written out for the daemon that takes over. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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

/* --- the journal kept across a crash ---------------------------------------- */

/* Rewrite the journal: header and the whole state. Journal lock held. */
static int fs_journal_rewrite(struct fs *fs)
{
	int copy = dup(fs->journal_fd), rc = 0;
	FILE *out;

	if (copy < 0)
		return -errno;
	if (ftruncate(copy, 0) < 0 || !(out = fdopen(copy, "a"))) {
		rc = -errno;
		close(copy);
		return rc;
	}
	fputs(fs->journal_header, out);
	rc = fs_state_save(fs, out);
	if (fclose(out) != 0 && rc == 0)
		rc = -EIO;
	fs->journal_lines = node_table_count(fs->nodes_dynamic) + fs->container_count;
	return rc;
}

int fs_journal_start(struct fs *fs, int fd, const char *header)
{
	int flags = fcntl(fd, F_GETFL), rc;
	char *copy = strdup(header);

	/* Appends from any worker land whole, one after the other. */
	if (!copy || flags < 0 || fcntl(fd, F_SETFL, flags | O_APPEND) < 0) {
		free(copy);
		return copy ? -errno : -ENOMEM;
	}
	pthread_mutex_lock(&fs->journal_lock);
	free(fs->journal_header);
	fs->journal_header = copy;
	fs->journal_fd = fd;
	rc = fs_journal_rewrite(fs);
	pthread_mutex_unlock(&fs->journal_lock);
	return rc;
}

void fs_journal_stop(struct fs *fs)
{
	pthread_mutex_lock(&fs->journal_lock);
	fs->journal_fd = -1;
	pthread_mutex_unlock(&fs->journal_lock);
}

/* Append line; rewrite the whole when the journal is mostly entries long forgotten. */
static void fs_journal_append(struct fs *fs, const char *line, size_t len)
{
	size_t alive;

	pthread_mutex_lock(&fs->journal_lock);
	if (fs->journal_fd < 0) {
		pthread_mutex_unlock(&fs->journal_lock);
		return;
	}
	if (write(fs->journal_fd, line, len) != (ssize_t)len)
		log_debug("cannot append to the journal: %m");
	alive = node_table_count(fs->nodes_dynamic) + fs->container_count;
	if (++fs->journal_lines > 2 * alive + 1024 && fs_journal_rewrite(fs) < 0)
		log_debug("cannot rewrite the journal");
	pthread_mutex_unlock(&fs->journal_lock);
}

void fs_journal_container(struct fs *fs, size_t slot, const char *name)
{
	char line[FS_CONTAINER_NAME_MAX + 64];
	int len;

	if (fs->journal_fd < 0)
		return;
	len = snprintf(line, sizeof(line), "container %zu 1 %s\n", slot, name);
	fs_journal_append(fs, line, (size_t)len);
}

static void fs_journal_node(void *arg, uint64_t ino, const struct node_key *key,
			    const char *path)
{
	struct fs *fs = arg;
	char *line = NULL;
	size_t size = 0;
	FILE *out;

	if (fs->journal_fd < 0 || !(out = open_memstream(&line, &size)))
		return;
	fs_state_node(out, ino, key, path, 1);
	if (fclose(out) == 0)
		fs_journal_append(fs, line, size);
	free(line);
}

void fs_journal_hook(struct fs *fs)
{
	node_table_set_journal(fs->nodes_dynamic, fs_journal_node, fs);
}
