/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_handover.c - libFuzzer target: the state a daemon hands the next one (handover_read(), fs_state_load()). */
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fs.h"
#include "fuzz.h"
#include "handover.h"
#include "host.h"

static int compare_lines(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* text's lines in sorted order, in place: the saved state lists entries in no set order. */
static void sort_lines(char *text)
{
	size_t count = 0, len = strlen(text);
	char **lines, *copy, *line, *at;

	for (size_t i = 0; i < len; i++)
		count += text[i] == '\n';
	lines = calloc(count + 1, sizeof(*lines));
	copy = strdup(text);
	if (!lines || !copy) {
		free(lines);
		free(copy);
		return;
	}
	count = 0;
	for (line = strtok_r(copy, "\n", &at); line; line = strtok_r(NULL, "\n", &at))
		lines[count++] = line;
	qsort(lines, count, sizeof(*lines), compare_lines);
	text[0] = '\0';
	for (size_t i = 0; i < count; i++) {
		strcat(text, lines[i]);
		strcat(text, "\n");
	}
	free(lines);
	free(copy);
}

/* fs's state as fs_state_save() writes it, lines sorted, malloc'd; NULL without memory. */
static char *saved(struct fs *fs, size_t *len)
{
	char *text = NULL;
	FILE *out = open_memstream(&text, len);

	if (!out)
		return NULL;
	FUZZ_CHECK(fs_state_save(fs, out) == 0);
	fclose(out);
	if (text)
		sort_lines(text);
	return text;
}

/* A fresh tree with the state of text put back; its state saved again. */
static char *load_and_save(struct host *host, const char *text, size_t size, size_t *len)
{
	struct fs *fs = fs_create(host, 1);
	FILE *in = fmemopen((void *)text, size, "r");
	char *again = NULL;

	if (fs && in) {
		FUZZ_CHECK(fs_state_load(fs, in) == 0);
		again = saved(fs, len);
	}
	if (in)
		fclose(in);
	fs_destroy(fs);
	return again;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct host host = { .proc_fd = -1, .meminfo_fd = -1 };
	struct handover h;
	char *first, *second;
	size_t first_len = 0, second_len = 0;
	int fd;

	if (host.proc_fd < 0)
		host.proc_fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);

	/* The header: taken whole or refused, never half. */
	fd = memfd_create("fuzz-handover", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size && handover_read(fd, &h) == 0) {
		FUZZ_CHECK(h.init.len <= sizeof(h.init.bytes));
		FUZZ_CHECK(h.mountpoint[0] == '/' && strlen(h.mountpoint) < sizeof(h.mountpoint));
		FUZZ_CHECK(h.state_fd == fd);
	}
	close(fd);

	/*
	 * The lines after it: whatever they say, what is put back is a state
	 * that saves and loads to itself (every slot and number kept once;
	 * the order of the lines is free).
	 */
	first = load_and_save(&host, (const char *)data, size, &first_len);
	if (first) {
		second = load_and_save(&host, first, first_len, &second_len);
		if (second) {
			FUZZ_CHECK(second_len == first_len && memcmp(first, second, first_len) == 0);
			free(second);
		}
		free(first);
	}
	return 0;
}
