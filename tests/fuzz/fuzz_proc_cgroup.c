/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_proc_cgroup.c - libFuzzer target: cgroup_parse_proc_cgroup() on any /proc/<pid>/cgroup text. */
#include <limits.h>

#include "cgroup.h"
#include "fuzz.h"

/*
 * A path that succeeds is opened relative to the hierarchy's root
 * (fstatat(2), openat(2)): it must stay below it, so it must be relative
 * and have no ".." component.
 */
static void check_path(const char *path)
{
	size_t len = strlen(path);

	FUZZ_CHECK(path[0] != '/');
	for (const char *p = path; p < path + len;) {
		const char *slash = memchr(p, '/', (size_t)(path + len - p));
		size_t component = slash ? (size_t)(slash - p) : (size_t)(path + len - p);

		FUZZ_CHECK(!(component == 2 && p[0] == '.' && p[1] == '.'));
		if (!slash)
			break;
		p = slash + 1;
	}
}

static void parse_for(const char *text, const char *controller, enum cgroup_version version,
		      size_t size)
{
	struct cgroup_hierarchy h = { .controller = controller, .version = version, .dirfd = -1 };
	char path[PATH_MAX];
	int rc = cgroup_parse_proc_cgroup(text, &h, path, size);

	FUZZ_CHECK(rc == 0 || rc == -ENOENT || rc == -EINVAL || rc == -ENAMETOOLONG);
	if (rc == 0) {
		FUZZ_CHECK(strlen(path) < size);
		check_path(path);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);

	if (!text)
		return 0;
	parse_for(text, "memory", CGROUP_V1, PATH_MAX);
	parse_for(text, "pids", CGROUP_V1, PATH_MAX);
	parse_for(text, "memory", CGROUP_V2, PATH_MAX);
	/* A small destination: paths that do not fit must be refused, not cut. */
	parse_for(text, "memory", CGROUP_V1, 8);
	free(text);
	return 0;
}
