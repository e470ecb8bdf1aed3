/* reader.c - who is reading: the requesting pid and the cgroups it belongs to. */
#include <errno.h>

#include "log.h"
#include "reader.h"

int reader_identify(const struct host *host, pid_t pid, unsigned needs,
		    struct reader *reader)
{
	int rc;

	reader->pid = pid;
	reader->memory_cgroup[0] = '\0';
	if ((needs & READER_MEMORY_CGROUP) && host->memory.version != CGROUP_NONE) {
		rc = cgroup_pid_path(host->proc_fd, pid, &host->memory,
				     reader->memory_cgroup, sizeof(reader->memory_cgroup));
		if (rc == -ENOENT)
			return -ESRCH;
		if (rc < 0) {
			log_error("pid %d: cannot find its memory cgroup: %s", (int)pid,
				  rc == -EINVAL ? "malformed /proc/<pid>/cgroup" : "read failed");
			return rc;
		}
	}
	return 0;
}

void reader_release(struct reader *reader)
{
	(void)reader;
}
