/* SPDX-License-Identifier: GPL-2.0-or-later */
/* reader.c - who is reading: the requesting pid, its cgroups and its network namespace. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "reader.h"

/* Open /proc/<pid>/ns/net and note which namespace it is. */
static int reader_open_net_ns(const struct host *host, struct reader *reader)
{
	char path[64];
	struct stat st;
	int fd, rc;

	snprintf(path, sizeof(path), "%d/ns/net", (int)reader->pid);
	fd = openat(host->proc_fd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	rc = fstat(fd, &st) < 0 ? -errno : 0;
	if (rc < 0) {
		close(fd);
		return rc;
	}
	reader->net_ns.dev = st.st_dev;
	reader->net_ns.ino = st.st_ino;
	reader->net_ns_fd = fd;
	reader->has_net_ns = true;

	snprintf(path, sizeof(path), "%d/net/sockstat", (int)reader->pid);
	reader->sockstat_fd = openat(host->proc_fd, path, O_RDONLY | O_CLOEXEC);
	if (reader->sockstat_fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	snprintf(path, sizeof(path), "%d/net/sockstat6", (int)reader->pid);
	reader->sockstat6_fd = openat(host->proc_fd, path, O_RDONLY | O_CLOEXEC);
	/* No sockstat6 beside a sockstat: a kernel without IPv6. */
	if (reader->sockstat6_fd < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

/*
 * Take a reference to the memory cgroup /proc/<pid>/cgroup names. A cgroup
 * removed between the two steps means the process was moved: look again once.
 */
static int reader_find_memory_cgroup(const struct host *host, struct reader *reader,
				     const char *cgroup_text)
{
	char path[PATH_MAX];
	int rc = -ENOENT;

	for (int attempt = 0; attempt < 2 && rc == -ENOENT; attempt++) {
		/* The text given is the first look's; a second look reads afresh. */
		if (attempt == 0 && cgroup_text)
			rc = cgroup_parse_proc_cgroup(cgroup_text, &host->memory, path,
						      sizeof(path));
		else
			rc = cgroup_pid_path(host->proc_fd, reader->pid, &host->memory, path,
					     sizeof(path));
		if (rc == -ENOENT)
			return -ESRCH;
		if (rc < 0) {
			log_error("pid %d: cannot find its memory cgroup: %s", (int)reader->pid,
				  rc == -EINVAL ? "malformed /proc/<pid>/cgroup" : "read failed");
			return rc;
		}
		rc = cgroup_node_get(&host->memory, path, &reader->memory_cgroup);
	}
	if (rc < 0) {
		log_error("pid %d: cannot open its memory cgroup %s: %s", (int)reader->pid,
			  path, strerror(-rc));
		/* Not "no such file": the reader's open of ours fails with EIO. */
		return rc == -ENOENT ? -ESRCH : rc;
	}
	return 0;
}

void reader_init(struct reader *reader, pid_t pid)
{
	reader->pid = pid;
	reader->memory_cgroup = NULL;
	reader->has_net_ns = false;
	reader->net_ns_fd = -1;
	reader->sockstat_fd = -1;
	reader->sockstat6_fd = -1;
}

int reader_identify(const struct host *host, pid_t pid, unsigned needs,
		    struct reader *reader)
{
	return reader_identify_from(host, pid, needs, NULL, reader);
}

int reader_identify_from(const struct host *host, pid_t pid, unsigned needs,
			 const char *cgroup_text, struct reader *reader)
{
	int rc;

	reader_init(reader, pid);
	if ((needs & READER_MEMORY_CGROUP) && host->memory.version != CGROUP_NONE) {
		rc = reader_find_memory_cgroup(host, reader, cgroup_text);
		if (rc < 0)
			return rc;
	}
	if (needs & READER_NET_NAMESPACE) {
		rc = reader_open_net_ns(host, reader);
		if (rc < 0) {
			if (rc != -ESRCH)
				log_error("pid %d: cannot open its network namespace: %s",
					  (int)pid, strerror(-rc));
			return rc;
		}
	}
	return 0;
}

void reader_release(struct reader *reader)
{
	cgroup_node_put(reader->memory_cgroup);
	reader->memory_cgroup = NULL;
	if (reader->has_net_ns)
		close(reader->net_ns_fd);
	if (reader->sockstat_fd >= 0)
		close(reader->sockstat_fd);
	if (reader->sockstat6_fd >= 0)
		close(reader->sockstat6_fd);
	reader->has_net_ns = false;
	reader->net_ns_fd = -1;
	reader->sockstat_fd = -1;
	reader->sockstat6_fd = -1;
}
