/* SPDX-License-Identifier: GPL-2.0-or-later */
/* host.c - the host files proclens reads: a private /proc, the cgroup hierarchies, namespaces. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host.h"
#include "log.h"
#include "netns.h"

static int open_private_proc(void)
{
	int fs_fd, mnt_fd, saved;

	fs_fd = fsopen("proc", FSOPEN_CLOEXEC);
	if (fs_fd < 0)
		goto fallback;
	if (fsconfig(fs_fd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
		saved = errno;
		close(fs_fd);
		errno = saved;
		goto fallback;
	}
	mnt_fd = fsmount(fs_fd, FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
			 MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
	saved = errno;
	close(fs_fd);
	if (mnt_fd >= 0)
		return mnt_fd;
	errno = saved;
fallback:
	/* Kernels before 5.2 or without CAP_SYS_ADMIN: the shared /proc. */
	log_info("no private proc instance (%m); reading /proc");
	mnt_fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	return mnt_fd < 0 ? -errno : mnt_fd;
}

/* The snapshot of /proc/meminfo readers share; without memory, none. */
static void host_share_meminfo(struct host *host, int64_t max_age_ns)
{
	host->shared_max_age_ns = max_age_ns;
	host->meminfo_shared = malloc(sizeof(*host->meminfo_shared));
	if (host->meminfo_shared)
		shared_snapshot_init(host->meminfo_shared);
}

static void host_unshare_meminfo(struct host *host)
{
	shared_snapshot_destroy(host->meminfo_shared);
	free(host->meminfo_shared);
	host->meminfo_shared = NULL;
}

int host_open(struct host *host)
{
	int rc;

	host->memory.dirfd = -1;
	host->memory.files = NULL;
	host->pids.dirfd = -1;
	host->pids.files = NULL;
	host->netns = NULL;
	host->meminfo_shared = NULL;
	host->proc_fd = open_private_proc();
	if (host->proc_fd < 0)
		return host->proc_fd;
	host->meminfo_fd = openat(host->proc_fd, "meminfo", O_RDONLY | O_CLOEXEC);
	host_share_meminfo(host, SHARED_MAX_AGE_NS);
	rc = cgroup_hierarchy_open(&host->memory, "memory");
	if (rc < 0)
		goto out_close_proc;
	rc = cgroup_hierarchy_open(&host->pids, "pids");
	if (rc < 0)
		goto out_close_memory;
	/* The host's network namespace is init's; proclens may run in it or not. */
	if (ns_id_at(host->proc_fd, "1/ns/net", &host->net_ns) < 0 &&
	    ns_id_at(host->proc_fd, "self/ns/net", &host->net_ns) < 0)
		host->net_ns.ino = 0;
	rc = netns_cache_create(host->proc_fd, &host->netns);
	if (rc < 0)
		goto out_close_pids;
	return 0;
out_close_pids:
	cgroup_hierarchy_close(&host->pids);
out_close_memory:
	cgroup_hierarchy_close(&host->memory);
out_close_proc:
	host_unshare_meminfo(host);
	if (host->meminfo_fd >= 0)
		close(host->meminfo_fd);
	close(host->proc_fd);
	host->proc_fd = -1;
	return rc;
}

int host_open_paths(struct host *host, const char *proc_path,
		    const char *memory_path, enum cgroup_version memory_version)
{
	int rc;

	host->memory.dirfd = -1;
	host->memory.version = CGROUP_NONE;
	host->memory.controller = "memory";
	host->memory.files = NULL;
	host->pids.dirfd = -1;
	host->pids.version = CGROUP_NONE;
	host->pids.controller = "pids";
	host->pids.files = NULL;
	host->meminfo_fd = -1;
	host->net_ns.dev = 0;
	host->net_ns.ino = 0;
	host->netns = NULL;
	host->meminfo_shared = NULL;
	host->shared_max_age_ns = 0;
	host->proc_fd = open(proc_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (host->proc_fd < 0)
		return -errno;
	host->meminfo_fd = openat(host->proc_fd, "meminfo", O_RDONLY | O_CLOEXEC);
	/* Fixtures change between renders: nothing is shared unless a test asks. */
	host_share_meminfo(host, 0);
	rc = netns_cache_create(host->proc_fd, &host->netns);
	if (rc < 0 || !memory_path)
		goto out;
	rc = cgroup_hierarchy_open_path(&host->memory, "memory", memory_path,
					memory_version);
out:
	if (rc < 0) {
		netns_cache_destroy(host->netns);
		host->netns = NULL;
		host_unshare_meminfo(host);
		if (host->meminfo_fd >= 0)
			close(host->meminfo_fd);
		close(host->proc_fd);
		host->proc_fd = -1;
	}
	return rc;
}

int host_open_pids_path(struct host *host, const char *pids_path,
			enum cgroup_version pids_version)
{
	cgroup_hierarchy_close(&host->pids);
	return cgroup_hierarchy_open_path(&host->pids, "pids", pids_path, pids_version);
}

void host_close(struct host *host)
{
	if (!host)
		return;
	netns_cache_destroy(host->netns);
	host->netns = NULL;
	cgroup_hierarchy_close(&host->pids);
	cgroup_hierarchy_close(&host->memory);
	host_unshare_meminfo(host);
	if (host->meminfo_fd >= 0)
		close(host->meminfo_fd);
	host->meminfo_fd = -1;
	if (host->proc_fd >= 0)
		close(host->proc_fd);
	host->proc_fd = -1;
}
