/* SPDX-License-Identifier: GPL-2.0-or-later */
/* proc_pid_limits.c - /proc/<pid>/limits with the rows a cgroup bounds lowered to the bound. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "host.h"
#include "log.h"
#include "memcg.h"
#include "pid_limits.h"
#include "vfile.h"
#include "strutil.h"

/*
 * The kernel's proc_pid_limits() (fs/proc/base.c, unchanged since 2.6.25):
 * a header, then per rlimit "%-25s %-20s " (name, soft), "%-20s " (hard) and,
 * for rows with a unit, "%-10s", then "\n". Rows without a unit (Max nice
 * priority, Max realtime priority) end in the space after the hard limit.
 */
#define HEADER_FORMAT "%-25s %-20s %-20s %-10s\n"
#define SOFT_COLUMN (PID_LIMITS_NAME_WIDTH + 1)
#define HARD_COLUMN (SOFT_COLUMN + PID_LIMITS_VALUE_WIDTH + 1)
#define UNIT_COLUMN (HARD_COLUMN + PID_LIMITS_VALUE_WIDTH + 1)
/* Longest row: every column full, and the newline. */
#define ROW_MAX (UNIT_COLUMN + PID_LIMITS_UNIT_WIDTH + 2)

/* A limits file is 16 rows of at most 79 bytes: 4 KiB leaves room for new rows. */
#define LIMITS_TEXT_MAX 4096
#define CGROUP_TEXT_MAX 8192

static int format_header(char *dst, size_t size)
{
	return snprintf(dst, size, HEADER_FORMAT, "Limit", "Soft Limit", "Hard Limit", "Units");
}

/* One value as "%-20lu " or "%-20s " of "unlimited", without the trailing space. */
static int format_value(char *dst, size_t size, uint64_t value)
{
	if (value == PID_LIMITS_UNLIMITED)
		return snprintf(dst, size, "%-20s", "unlimited");
	return snprintf(dst, size, "%-20llu", (unsigned long long)value);
}

static int format_row(char *dst, size_t size, const struct pid_limits_row *row)
{
	char soft[32], hard[32];

	format_value(soft, sizeof(soft), row->soft);
	format_value(hard, sizeof(hard), row->hard);
	if (row->unit[0])
		return snprintf(dst, size, "%-25s %s %s %-10s\n", row->name, soft, hard, row->unit);
	return snprintf(dst, size, "%-25s %s %s \n", row->name, soft, hard);
}

/* Copy field [start, start + width) of line without its padding; false if empty or too long. */
static bool take_field(const char *line, size_t start, size_t width, char *dst, size_t size)
{
	size_t len = width;

	while (len > 0 && line[start + len - 1] == ' ')
		len--;
	if (len == 0 || len >= size)
		return false;
	memcpy(dst, line + start, len);
	dst[len] = '\0';
	return true;
}

/* "unlimited" or a decimal number, nothing else. */
static bool parse_value(const char *field, uint64_t *value)
{
	if (strcmp(field, "unlimited") == 0) {
		*value = PID_LIMITS_UNLIMITED;
		return true;
	}
	if (strspn(field, "0123456789") != strlen(field))
		return false;
	return strutil_parse_u64(field, strlen(field), value) == 0;
}

/*
 * One row, line[0..len) without its newline, read by the kernel's columns,
 * then printed again: a row that does not come back byte for byte is not
 * one the kernel wrote.
 */
static int parse_row(const char *line, size_t len, struct pid_limits_row *row)
{
	char soft[PID_LIMITS_VALUE_WIDTH + 1], hard[PID_LIMITS_VALUE_WIDTH + 1];
	char again[ROW_MAX + 1];
	int again_len;

	if (len < UNIT_COLUMN || line[SOFT_COLUMN - 1] != ' ' ||
	    line[HARD_COLUMN - 1] != ' ' || line[UNIT_COLUMN - 1] != ' ')
		return -EBADMSG;
	if (!take_field(line, 0, PID_LIMITS_NAME_WIDTH, row->name, sizeof(row->name)) ||
	    !take_field(line, SOFT_COLUMN, PID_LIMITS_VALUE_WIDTH, soft, sizeof(soft)) ||
	    !take_field(line, HARD_COLUMN, PID_LIMITS_VALUE_WIDTH, hard, sizeof(hard)))
		return -EBADMSG;
	if (!parse_value(soft, &row->soft) || !parse_value(hard, &row->hard))
		return -EBADMSG;
	row->unit[0] = '\0';
	if (len > UNIT_COLUMN &&
	    !take_field(line, UNIT_COLUMN, len - UNIT_COLUMN, row->unit, sizeof(row->unit)))
		return -EBADMSG;
	again_len = format_row(again, sizeof(again), row);
	if (again_len < 0 || (size_t)again_len != len + 1 || memcmp(again, line, len) != 0)
		return -EBADMSG;
	return 0;
}

int pid_limits_parse(const char *text, struct pid_limits *out)
{
	char header[ROW_MAX + 1];
	int header_len = format_header(header, sizeof(header));
	const char *line;

	memset(out, 0, sizeof(*out));
	if (strncmp(text, header, (size_t)header_len) != 0)
		return -EBADMSG;
	for (line = text + header_len; *line;) {
		const char *end = strchr(line, '\n');

		/* The kernel ends every row with a newline: without one, the text was cut. */
		if (!end || out->count == PID_LIMITS_ROWS_MAX)
			return -EBADMSG;
		if (parse_row(line, (size_t)(end - line), &out->rows[out->count]) < 0)
			return -EBADMSG;
		out->count++;
		line = end + 1;
	}
	return out->count > 0 ? 0 : -EBADMSG;
}

static void lower(struct pid_limits *limits, struct pid_limits_row *row, uint64_t ceiling)
{
	if (row->soft > ceiling) {
		row->soft = ceiling;
		limits->changed = true;
	}
	if (row->hard > ceiling) {
		row->hard = ceiling;
		limits->changed = true;
	}
}

void pid_limits_apply(struct pid_limits *limits, const struct pid_limits_ceilings *ceilings)
{
	for (size_t i = 0; i < limits->count; i++) {
		struct pid_limits_row *row = &limits->rows[i];

		if (strcmp(row->name, PID_LIMITS_PROCESSES) == 0)
			lower(limits, row, ceilings->processes);
		else if (strcmp(row->name, PID_LIMITS_RESIDENT) == 0)
			lower(limits, row, ceilings->resident_bytes);
	}
}

int pid_limits_render(const struct pid_limits *limits, struct buf *out)
{
	char line[ROW_MAX + 1];
	int len = format_header(line, sizeof(line));
	int rc;

	buf_reset(out);
	rc = buf_append(out, line, (size_t)len);
	for (size_t i = 0; i < limits->count && rc == 0; i++) {
		len = format_row(line, sizeof(line), &limits->rows[i]);
		if (len < 0 || (size_t)len >= sizeof(line))
			return -EOVERFLOW;
		rc = buf_append(out, line, (size_t)len);
	}
	return rc;
}

/* A file of the process's /proc directory; gone means the process is. */
static ssize_t read_pid_file(int pid_fd, pid_t pid, const char *file, char *text, size_t size)
{
	ssize_t len = strutil_read_file(pid_fd, file, text, size);

	if (len == -ENOENT || len == -ESRCH)
		return -ESRCH;
	if (len == -EFBIG) {
		log_error("pid %d: /proc/<pid>/%s larger than %zu bytes", (int)pid, file, size - 1);
		return -EBADMSG;
	}
	return len;
}

/* The cgroup path of h's controller in the text of /proc/<pid>/cgroup. */
static int find_cgroup_path(const char *cgroup_text, const struct cgroup_hierarchy *h,
			    pid_t pid, char *path, size_t size)
{
	int rc = cgroup_parse_proc_cgroup(cgroup_text, h, path, size);

	if (rc == -ENOENT || rc == -EINVAL) {
		log_error("pid %d: malformed /proc/<pid>/cgroup (%s)", (int)pid,
			  rc == -ENOENT ? "no line for the controller" : "bad line or path");
		return -EBADMSG;
	}
	return rc;
}

/*
 * The smallest pids.max of the cgroup and its ancestors. The root has no
 * pids.max, nor on v2 a cgroup whose parent does not enable the controller:
 * no limit there.
 */
static int pids_ceiling(const struct cgroup_hierarchy *h, const char *path, uint64_t *ceiling)
{
	struct cgroup_node *node, *level;
	int rc = cgroup_node_get(h, path, &node);

	if (rc < 0)
		return rc;
	*ceiling = PID_LIMITS_UNLIMITED;
	for (level = node; level;) {
		uint64_t max;

		rc = cgroup_node_read_u64(level, "pids.max", &max);
		if (rc == 0 && max < *ceiling)
			*ceiling = max;
		if (rc == -EBADMSG)
			log_error("%s/pids.max: malformed", cgroup_node_path(level));
		if (rc < 0 && rc != -ENOENT)
			goto out_put_node;
		rc = cgroup_node_parent(level, &level);
		if (rc < 0)
			goto out_put_node;
	}
	rc = 0;
out_put_node:
	cgroup_node_put(node);
	return rc;
}

/* The effective memory limit of the cgroup at path, as meminfo's MemTotal takes it. */
static int memory_ceiling(const struct cgroup_hierarchy *h, const char *path, uint64_t *ceiling)
{
	struct memcg_usage usage;
	struct cgroup_node *node;
	int rc = cgroup_node_get(h, path, &node);

	if (rc < 0)
		return rc;
	rc = memcg_read(h, node, false, &usage);
	cgroup_node_put(node);
	if (rc == 0)
		*ceiling = usage.limit;
	return rc;
}

/* Both ceilings from one reading of /proc/<pid>/cgroup. */
static int read_ceilings(const struct host *host, int pid_fd, pid_t pid,
			 struct pid_limits_ceilings *ceilings)
{
	char text[CGROUP_TEXT_MAX], path[PATH_MAX];
	ssize_t len;
	int rc;

	ceilings->processes = PID_LIMITS_UNLIMITED;
	ceilings->resident_bytes = PID_LIMITS_UNLIMITED;
	if (host->pids.version == CGROUP_NONE && host->memory.version == CGROUP_NONE)
		return 0;
	len = read_pid_file(pid_fd, pid, "cgroup", text, sizeof(text));
	if (len < 0)
		return (int)len;
	if (host->pids.version != CGROUP_NONE) {
		rc = find_cgroup_path(text, &host->pids, pid, path, sizeof(path));
		if (rc == 0)
			rc = pids_ceiling(&host->pids, path, &ceilings->processes);
		if (rc < 0)
			return rc;
	}
	if (host->memory.version != CGROUP_NONE) {
		rc = find_cgroup_path(text, &host->memory, pid, path, sizeof(path));
		if (rc == 0)
			rc = memory_ceiling(&host->memory, path, &ceilings->resident_bytes);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int pid_limits_read(const struct host *host, int proc_dirfd, pid_t pid, struct buf *out)
{
	struct pid_limits_ceilings ceilings;
	struct pid_limits limits;
	char name[32], text[LIMITS_TEXT_MAX];
	ssize_t len;
	int pid_fd, rc;

	/*
	 * Both files through one directory fd: if the pid is reused meanwhile,
	 * the old directory reads ENOENT instead of the new process's files.
	 */
	snprintf(name, sizeof(name), "%d", (int)pid);
	pid_fd = openat(proc_dirfd, name, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (pid_fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	len = read_pid_file(pid_fd, pid, "limits", text, sizeof(text));
	/* An exiting task whose signal handlers are gone prints nothing (lock_task_sighand). */
	if (len == 0)
		len = -ESRCH;
	if (len < 0) {
		rc = (int)len;
		goto out_close_pid;
	}
	rc = pid_limits_parse(text, &limits);
	if (rc < 0) {
		log_error("pid %d: malformed /proc/<pid>/limits", (int)pid);
		goto out_close_pid;
	}
	/* A cgroup removed under the walk means the process moved: look again once. */
	rc = read_ceilings(host, pid_fd, pid, &ceilings);
	if (rc == -ENOENT || rc == -ENODEV)
		rc = read_ceilings(host, pid_fd, pid, &ceilings);
	if (rc == -ENOENT)
		rc = -ENODEV;
	if (rc < 0)
		goto out_close_pid;
	pid_limits_apply(&limits, &ceilings);
	buf_reset(out);
	/* Nothing lowered: the kernel's own bytes. */
	if (limits.changed)
		rc = pid_limits_render(&limits, out);
	else
		rc = buf_append(out, text, (size_t)len);
out_close_pid:
	close(pid_fd);
	return rc;
}

/* proc/<pid>/limits: the process is the render's target, named as the reader names it. */
static int pid_limits_vfile_render(const struct vfile_ctx *ctx, struct buf *out)
{
	return pid_limits_read(ctx->host, ctx->target_dirfd, ctx->target_pid, out);
}

const struct vfile proc_pid_limits_vfile = {
	.path = "limits",
	.mode = 0444,
	.render = pid_limits_vfile_render,
};
