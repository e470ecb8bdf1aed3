/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_cgroup_value.c - libFuzzer target: a one-number cgroup file
 * (memory.max, pids.max, ...) read through cgroup_read_u64(), from a real
 * file in a scratch hierarchy, as libmount's target reads through fmemopen().
 */
#include <fcntl.h>
#include <stdbool.h>
#include <unistd.h>

#include "cgroup.h"
#include "fuzz.h"
#include "strutil.h"

static struct cgroup_hierarchy hierarchy = { .dirfd = -1 };
static int value_fd = -1;
static char scratch_dir[4096];

static void scratch_remove(void)
{
	char file[4200];

	cgroup_hierarchy_close(&hierarchy);
	snprintf(file, sizeof(file), "%s/memory.max", scratch_dir);
	unlink(file);
	snprintf(file, sizeof(file), "%s/cgroup.procs", scratch_dir);
	unlink(file);
	rmdir(scratch_dir);
}

/* A hierarchy root with an empty cgroup.procs (a live cgroup) and memory.max, made once. */
static bool scratch_open(void)
{
	const char *tmp = getenv("TMPDIR");
	char *dir = scratch_dir, file[4200];
	int fd;

	snprintf(dir, sizeof(scratch_dir), "%s/proclens-fuzz-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		return false;
	atexit(scratch_remove);
	snprintf(file, sizeof(file), "%s/cgroup.procs", dir);
	fd = open(file, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return false;
	close(fd);
	snprintf(file, sizeof(file), "%s/memory.max", dir);
	value_fd = open(file, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	return value_fd >= 0 && cgroup_hierarchy_open_path(&hierarchy, "memory", dir, CGROUP_V2) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	uint64_t value = 0, expected;
	size_t text_len = strnlen((const char *)data, size);
	int rc;

	if (!ready && !scratch_open()) {
		perror("fuzz_cgroup_value: scratch hierarchy");
		abort();
	}
	ready = true;
	if (ftruncate(value_fd, 0) < 0 || pwrite(value_fd, data, size, 0) != (ssize_t)size)
		abort();
	rc = cgroup_read_u64(&hierarchy, "", "memory.max", &value);
	FUZZ_CHECK(rc == 0 || rc == -EBADMSG);
	if (rc < 0)
		return 0;
	/*
	 * Accepted: "max" or a number as strutil_parse_u64() reads it, in 63
	 * bytes at most. "max" is compared as a string: up to a NUL, which the
	 * kernel never writes into a cgroup file.
	 */
	FUZZ_CHECK(size < 64);
	if (value == CGROUP_UNLIMITED &&
	    ((text_len == 3 && memcmp(data, "max", 3) == 0) ||
	     (text_len == 4 && memcmp(data, "max\n", 4) == 0)))
		return 0;
	FUZZ_CHECK(strutil_parse_u64((const char *)data, size, &expected) == 0);
	FUZZ_CHECK(value == expected);
	return 0;
}
