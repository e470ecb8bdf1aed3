/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * replay.c - run one fuzz target's LLVMFuzzerTestOneInput() over saved
 * inputs, without libFuzzer: `make check` replays each target's seed corpus
 * and the crashes found so far (FUZZ_DIR/corpus/FUZZ_TARGET and
 * FUZZ_DIR/crashes/FUZZ_TARGET), built by the normal compiler. With
 * arguments, it replays those files and directories instead.
 */
#include <dirent.h>
#include <stdbool.h>
#include <sys/stat.h>

#include "fuzz.h"

/* The whole of a regular file, in a buffer of exactly its size, as libFuzzer passes inputs. */
static uint8_t *replay_read(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data = NULL;
	struct stat st;

	if (!f)
		return NULL;
	if (fstat(fileno(f), &st) == 0) {
		data = malloc(st.st_size ? (size_t)st.st_size : 1);
		if (data && fread(data, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
			free(data);
			data = NULL;
			errno = EIO;
		}
	}
	fclose(f);
	*size = data ? (size_t)st.st_size : 0;
	return data;
}

static int replay_file(const char *path)
{
	size_t size;
	uint8_t *data = replay_read(path, &size);

	if (!data) {
		perror(path);
		return -1;
	}
	LLVMFuzzerTestOneInput(data, size);
	free(data);
	return 0;
}

static int name_compare(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file of a directory, in name order; a missing one has none. */
static int replay_dir(const char *dir, bool missing_ok, unsigned *count)
{
	struct dirent *entry;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;
	DIR *d = opendir(dir);

	if (!d) {
		if (missing_ok && errno == ENOENT)
			return 0;
		perror(dir);
		return -1;
	}
	while ((entry = readdir(d))) {
		if (entry->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **bigger = realloc(names, (cap ? cap * 2 : 64) * sizeof(*names));

			if (!bigger) {
				rc = -1;
				goto out_free_names;
			}
			names = bigger;
			cap = cap ? cap * 2 : 64;
		}
		names[n] = malloc(strlen(dir) + strlen(entry->d_name) + 2);
		if (!names[n]) {
			rc = -1;
			goto out_free_names;
		}
		sprintf(names[n], "%s/%s", dir, entry->d_name);
		n++;
	}
	qsort(names, n, sizeof(*names), name_compare);
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct stat st;

		if (stat(names[i], &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		/* The file's name first: a crash's report then says which input. */
		fprintf(stderr, "replay: %s\n", names[i]);
		rc = replay_file(names[i]);
		(*count)++;
	}
out_free_names:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return rc;
}

static int replay_path(const char *path, bool missing_ok, unsigned *count)
{
	struct stat st;

	if (stat(path, &st) == 0 && !S_ISDIR(st.st_mode)) {
		(*count)++;
		return replay_file(path);
	}
	return replay_dir(path, missing_ok, count);
}

int main(int argc, char **argv)
{
	unsigned count = 0;
	int rc = 0;

	if (argc > 1) {
		for (int i = 1; i < argc && rc == 0; i++)
			rc = replay_path(argv[i], false, &count);
	} else {
		/* The seed corpus must be there; crashes only once one was found. */
		rc = replay_path(FUZZ_DIR "/corpus/" FUZZ_TARGET, false, &count);
		if (rc == 0)
			rc = replay_path(FUZZ_DIR "/crashes/" FUZZ_TARGET, true, &count);
	}
	if (rc == 0 && count == 0) {
		fprintf(stderr, "replay: no inputs\n");
		rc = -1;
	}
	if (rc == 0)
		printf("%s: %u inputs replayed\n", argv[0], count);
	return rc == 0 ? 0 : 1;
}
