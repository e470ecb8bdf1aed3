/* SPDX-License-Identifier: GPL-2.0-or-later */
/* caps.c - keep only the capabilities serving needs, drop the rest for good. */
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "caps.h"
#include "log.h"

/* What serving readers needs; docs/security.md says more. */
static const struct {
	int cap;
	const char *name;
} caps_kept_table[] = {
	/* Reading readers' /proc/<pid>/net files and cgroup files, never writing. */
	{ CAP_DAC_READ_SEARCH, "CAP_DAC_READ_SEARCH" },
	/* Opening other users' /proc/<pid>/ns/net and /proc/<pid>/fd. */
	{ CAP_SYS_PTRACE, "CAP_SYS_PTRACE" },
	/* setns(2) into readers' network namespaces; the unmount at exit. */
	{ CAP_SYS_ADMIN, "CAP_SYS_ADMIN" },
};

#define CAPS_KEPT_COUNT (sizeof(caps_kept_table) / sizeof(caps_kept_table[0]))

uint64_t caps_kept_mask(void)
{
	uint64_t mask = 0;

	for (size_t i = 0; i < CAPS_KEPT_COUNT; i++)
		mask |= CAPS_BIT(caps_kept_table[i].cap);
	return mask;
}

uint64_t caps_target(uint64_t permitted)
{
	return permitted & caps_kept_mask();
}

/* glibc declares no capget(2) or capset(2); libcap would be a new dependency. */
static int caps_get(struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3])
{
	struct __user_cap_header_struct header = {
		.version = _LINUX_CAPABILITY_VERSION_3,
		.pid = 0,
	};

	return (int)syscall(SYS_capget, &header, data);
}

static int caps_set(struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3])
{
	struct __user_cap_header_struct header = {
		.version = _LINUX_CAPABILITY_VERSION_3,
		.pid = 0,
	};

	return (int)syscall(SYS_capset, &header, data);
}

/* Version 3 keeps each set in two 32-bit words, low word first. */
#define CAPS_SET_OF(data, field) ((uint64_t)(data)[0].field | (uint64_t)(data)[1].field << 32)

/* The number of threads in this process, or 0 if /proc cannot tell. */
static int caps_thread_count(void)
{
	char line[256];
	int threads = 0;
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Threads: %d", &threads) == 1)
			break;
	fclose(f);
	return threads;
}

/*
 * Drop the unkept capabilities from the bounding set, which needs
 * CAP_SETPCAP still effective. Returns the ones that could not be dropped.
 */
static uint64_t caps_drop_bounding(int *saved_errno)
{
	uint64_t left = 0;
	int cap, held;

	/* PR_CAPBSET_READ fails with EINVAL past the kernel's last capability. */
	for (cap = 0; cap < 64 && (held = prctl(PR_CAPBSET_READ, cap, 0, 0, 0)) >= 0; cap++) {
		if (!held || (caps_kept_mask() & CAPS_BIT(cap)))
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
			*saved_errno = errno;
			left |= CAPS_BIT(cap);
		}
	}
	return left;
}

int caps_drop(char *error, size_t size)
{
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	uint64_t target, bounding_left;
	int threads, bounding_errno = 0, rc;

	threads = caps_thread_count();
	if (threads > 1) {
		snprintf(error, size, "%d threads already run and would keep them", threads);
		return -EBUSY;
	}
	if (caps_get(data) < 0) {
		rc = -errno;
		snprintf(error, size, "capget: %s", strerror(-rc));
		return rc;
	}
	target = caps_target(CAPS_SET_OF(data, permitted));
	for (size_t i = 0; i < CAPS_KEPT_COUNT; i++)
		if (!(target & CAPS_BIT(caps_kept_table[i].cap)))
			log_debug("started without %s: serving without it", caps_kept_table[i].name);

	/* EINVAL: a kernel before 4.3, which has no ambient set to clear. */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL) {
		rc = -errno;
		snprintf(error, size, "clearing the ambient set: %s", strerror(-rc));
		return rc;
	}
	bounding_left = caps_drop_bounding(&bounding_errno);

	for (int word = 0; word < _LINUX_CAPABILITY_U32S_3; word++) {
		data[word].effective = (uint32_t)(target >> (32 * word));
		data[word].permitted = (uint32_t)(target >> (32 * word));
		/* proclens runs no program: nothing to pass on through execve(2). */
		data[word].inheritable = 0;
	}
	if (caps_set(data) < 0) {
		rc = -errno;
		snprintf(error, size, "capset: %s", strerror(-rc));
		return rc;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		rc = -errno;
		snprintf(error, size, "setting no_new_privs: %s", strerror(-rc));
		return rc;
	}
	/* What the kernel holds now, not what we asked for. */
	if (caps_get(data) < 0) {
		rc = -errno;
		snprintf(error, size, "capget: %s", strerror(-rc));
		return rc;
	}
	if (CAPS_SET_OF(data, effective) != target || CAPS_SET_OF(data, permitted) != target ||
	    CAPS_SET_OF(data, inheritable) != 0) {
		snprintf(error, size, "the kernel kept capabilities %#llx",
			 (unsigned long long)((CAPS_SET_OF(data, permitted) |
					       CAPS_SET_OF(data, effective) |
					       CAPS_SET_OF(data, inheritable)) & ~target));
		return -EPERM;
	}
	/*
	 * Not fatal: without CAP_SETPCAP (a unit whose bounding set lacks it)
	 * they stay there, but under no_new_privs execve(2) grants nothing
	 * beyond the permitted set, so nothing can bring them back.
	 */
	if (bounding_left)
		log_info("capabilities %#llx stay in the bounding set (%s); "
			 "no_new_privs keeps them unreachable",
			 (unsigned long long)bounding_left, strerror(bounding_errno));
	log_debug("capabilities: keeping %#llx", (unsigned long long)target);
	return 0;
}
