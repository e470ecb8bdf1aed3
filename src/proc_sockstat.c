/* SPDX-License-Identifier: GPL-2.0-or-later */
/* proc_sockstat.c - /proc/net/sockstat and sockstat6 computed for a reader's network namespace. */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "netns.h"
#include "reader.h"
#include "shared.h"
#include "sockstat.h"
#include "strutil.h"
#include "vfile.h"

/*
 * The figures sockstat_seq_show() (net/ipv4/proc.c, Linux 6.18) takes from
 * counters shared by every namespace; the rest of the file is per namespace.
 */
static const struct {
	const char *label;
	const char *key;
	size_t offset;
} sockstat_host_wide[] = {
	{ "TCP:", "orphan", offsetof(struct netdiag_counts, tcp_orphan) },
	{ "TCP:", "alloc", offsetof(struct netdiag_counts, tcp_alloc) },
	{ "TCP:", "mem", offsetof(struct netdiag_counts, tcp_mem) },
	{ "UDP:", "mem", offsetof(struct netdiag_counts, udp_mem) },
};

/*
 * The value to print for label/key in place of the kernel's old one; false
 * if the kernel's stays. Sockets proclens itself holds in the namespace (its
 * diagnostic socket) are not the reader's: they leave "sockets: used".
 */
static bool sockstat_new_value(const struct netdiag_counts *counts, unsigned own_sockets,
			       const char *label, size_t label_len, const char *key,
			       size_t key_len, uint64_t old, uint64_t *value)
{
	if (label_len == 8 && memcmp(label, "sockets:", 8) == 0 &&
	    key_len == 4 && memcmp(key, "used", 4) == 0) {
		*value = old > own_sockets ? old - own_sockets : 0;
		return true;
	}
	for (size_t i = 0; i < sizeof(sockstat_host_wide) / sizeof(sockstat_host_wide[0]); i++) {
		const char *l = sockstat_host_wide[i].label;
		const char *k = sockstat_host_wide[i].key;

		if (strlen(l) == label_len && memcmp(l, label, label_len) == 0 &&
		    strlen(k) == key_len && memcmp(k, key, key_len) == 0) {
			*value = *(const uint64_t *)((const char *)counts +
						     sockstat_host_wide[i].offset);
			return true;
		}
	}
	return false;
}

/* Whether a line's label is one with a figure to replace. */
static bool sockstat_line_is_rewritten(const char *line, size_t len)
{
	static const char *const labels[] = { "sockets:", "TCP:", "UDP:" };

	for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
		size_t label_len = strlen(labels[i]);

		if (len > label_len && memcmp(line, labels[i], label_len) == 0 &&
		    line[label_len] == ' ')
			return true;
	}
	return false;
}

/* One "LABEL: key value key value..." line, the kernel's single spaces kept. */
static int sockstat_render_line(const char *line, size_t len,
				const struct netdiag_counts *counts, unsigned own_sockets,
				struct buf *out)
{
	const char *end = line + len;
	const char *label_end = memchr(line, ' ', len);
	const char *p;
	int rc;

	if (!label_end || label_end == line || label_end[-1] != ':')
		return -EBADMSG;
	rc = buf_append(out, line, (size_t)(label_end - line));
	for (p = label_end; p < end && rc == 0;) {
		const char *key, *text;
		size_t key_len, text_len;
		uint64_t old, value;
		bool numeric;

		if (*p++ != ' ')
			return -EBADMSG;
		key = p;
		while (p < end && *p != ' ')
			p++;
		key_len = (size_t)(p - key);
		if (p == end || key_len == 0)
			return -EBADMSG;
		text = ++p;
		while (p < end && *p != ' ')
			p++;
		text_len = (size_t)(p - text);
		if (text_len == 0)
			return -EBADMSG;
		numeric = strutil_parse_u64(text, text_len, &old) == 0;
		if (!sockstat_new_value(counts, own_sockets, line, (size_t)(label_end - line),
					key, key_len, numeric ? old : 0, &value)) {
			rc = buf_append(out, key - 1, key_len + text_len + 2);
			continue;
		}
		/* A figure to replace that the kernel did not print as a number. */
		if (!numeric)
			return -EBADMSG;
		rc = buf_printf(out, " %.*s %llu", (int)key_len, key, (unsigned long long)value);
	}
	return rc ? rc : buf_append(out, "\n", 1);
}

int sockstat_render(const char *own_text, const struct netdiag_counts *counts,
		    unsigned own_sockets, struct buf *out)
{
	const char *line = own_text;
	int rc = 0;

	buf_reset(out);
	while (*line && rc == 0) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);

		if (sockstat_line_is_rewritten(line, len))
			rc = sockstat_render_line(line, len, counts, own_sockets, out);
		else
			rc = buf_append(out, line, end ? len + 1 : len);
		if (!end)
			break;
		line = end + 1;
	}
	return rc;
}

/* The value of "LABEL: ... inuse N ..." in text; -1 if no such line or value. */
static int64_t sockstat_inuse_of(const char *text, const char *label)
{
	size_t label_len = strlen(label);
	const char *line = text;

	while (line && *line) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);

		if (len > label_len + 1 && memcmp(line, label, label_len) == 0 &&
		    line[label_len] == ' ') {
			const char *p = line + label_len + 1, *stop = line + len;

			/* key value pairs, single spaces, as sockstat_render_line() reads them */
			while (p < stop) {
				const char *key = p, *value;
				uint64_t number;

				while (p < stop && *p != ' ')
					p++;
				if (p == stop)
					return -1;
				value = ++p;
				while (p < stop && *p != ' ')
					p++;
				if ((size_t)(value - 1 - key) == 5 && memcmp(key, "inuse", 5) == 0)
					return strutil_parse_u64(value, (size_t)(p - value), &number) == 0 &&
					       number <= INT64_MAX ? (int64_t)number : -1;
				if (p < stop)
					p++;
			}
			return -1;
		}
		line = end ? end + 1 : NULL;
	}
	return -1;
}

void sockstat_inuse_parse(const char *sockstat, const char *sockstat6, struct netdiag_inuse *inuse)
{
	inuse->tcp = sockstat_inuse_of(sockstat, "TCP:");
	inuse->udp = sockstat_inuse_of(sockstat, "UDP:");
	inuse->udplite = sockstat_inuse_of(sockstat, "UDPLITE:");
	/* A kernel without IPv6 has no sockstat6, and no IPv6 sockets. */
	if (!sockstat6) {
		inuse->tcp6 = inuse->udp6 = inuse->udplite6 = 0;
		return;
	}
	inuse->tcp6 = sockstat_inuse_of(sockstat6, "TCP6:");
	inuse->udp6 = sockstat_inuse_of(sockstat6, "UDP6:");
	inuse->udplite6 = sockstat_inuse_of(sockstat6, "UDPLITE6:");
}

/* The diagnostic socket proclens keeps in each reader namespace. */
#define SOCKSTAT_OWN_SOCKETS 1

/*
 * The reader's own sockstat into own and sockstat6 into own6 (empty if the
 * kernel has no IPv6): the kernel's per-namespace figures, from the files
 * opened when the reader opened ours.
 */
static int sockstat_read_own_pair(const struct reader *reader, char *own, size_t own_size,
				  char *own6, size_t own6_size)
{
	ssize_t len = strutil_pread_single(reader->sockstat_fd, own, own_size);

	if (len >= 0 && reader->sockstat6_fd >= 0)
		len = strutil_pread_single(reader->sockstat6_fd, own6, own6_size);
	else
		own6[0] = '\0';
	return len < 0 ? (int)len : 0;
}

/*
 * The reader's own file into own, and its namespace's sockets counted
 * through the namespace's cached diagnostic socket.
 */
static int sockstat_gather(const struct host *host, const struct reader *reader,
			   char *own, size_t own_size, struct netdiag_counts *counts)
{
	struct netdiag_inuse inuse;
	struct netns_entry *entry;
	const pid_t *pids;
	size_t pid_count;
	char own6[4096];
	int64_t now;
	int rc;

	if (!host->netns || !reader->has_net_ns)
		return -EINVAL;
	rc = netns_acquire(host->netns, reader->net_ns_fd, &reader->net_ns, reader->pid, &entry);
	if (rc < 0)
		return rc;
	/* Read while the diagnostic socket exists: "sockets: used" counts it. */
	rc = sockstat_read_own_pair(reader, own, own_size, own6, sizeof(own6));
	/*
	 * The namespace's own counters above are read for every reader; the
	 * counts socket diagnostics make (dumps of host-wide tables, a walk
	 * of the namespace's processes) are shared for SHARED_MAX_AGE_NS.
	 */
	now = shared_now_ns();
	if (rc == 0 && netns_counts_get(entry, now, SHARED_MAX_AGE_NS, counts)) {
		netns_release(host->netns, entry);
		return 0;
	}
	if (rc == 0) {
		sockstat_inuse_parse(own, own6[0] ? own6 : NULL, &inuse);
		rc = netns_members(entry, reader->pid, &pids, &pid_count);
	}
	if (rc == 0)
		rc = netdiag_gather(netns_diag_socket(entry), host->proc_fd, &reader->net_ns,
				    pids, pid_count, &inuse, counts);
	if (rc == 0)
		netns_counts_put(entry, now, counts);
	/* Replies may be left unread: start the next read on a clean socket. */
	if (rc < 0 && rc != -ENOMEM)
		netns_discard_socket(entry);
	netns_release(host->netns, entry);
	return rc;
}

static int sockstat_vfile_render(const struct vfile_ctx *ctx, struct buf *out)
{
	const struct host *host = ctx->host;
	const struct reader *reader = ctx->reader;
	struct netdiag_counts counts;
	char own[4096];
	ssize_t len;
	int rc;

	/* The host's namespace: its host-wide figures are its own. */
	if (ns_id_equal(&reader->net_ns, &host->net_ns)) {
		len = strutil_pread_single(reader->sockstat_fd, own, sizeof(own));
		return len < 0 ? (int)len : buf_append(out, own, (size_t)len);
	}
	rc = sockstat_gather(host, reader, own, sizeof(own), &counts);
	if (rc < 0) {
		log_debug("pid %d: socket diagnostics failed: %s", (int)reader->pid,
			  strerror(-rc));
		return rc;
	}
	log_debug("pid %d: %u socket-diagnostic dumps, %llu TCP sockets found only in fds",
		  (int)reader->pid, counts.dumps, (unsigned long long)counts.tcp_unlisted);
	rc = sockstat_render(own, &counts, SOCKSTAT_OWN_SOCKETS, out);
	if (rc == -EBADMSG)
		log_error("/proc/net/sockstat: unreadable content");
	return rc;
}

/* sockstat6 has no host-wide figure (net/ipv6/proc.c): the reader's own file. */
static int sockstat6_vfile_render(const struct vfile_ctx *ctx, struct buf *out)
{
	const struct reader *reader = ctx->reader;
	char own[4096];
	ssize_t len;

	if (reader->sockstat6_fd < 0)
		return -ENOENT;
	len = strutil_pread_single(reader->sockstat6_fd, own, sizeof(own));
	if (len < 0)
		return (int)len;
	return buf_append(out, own, (size_t)len);
}

/*
 * The namespace's figures never exceed the host-wide ones the kernel prints
 * in the reader's own file: its length bounds ours, give or take figures
 * that grew since (a few digits).
 */
#define SOCKSTAT_SIZE_SLACK 32

static ssize_t sockstat_size_bound(const struct vfile_ctx *ctx)
{
	char own[4096];
	ssize_t len = strutil_pread_single(ctx->reader->sockstat_fd, own, sizeof(own));

	return len < 0 ? len : len + SOCKSTAT_SIZE_SLACK;
}

const struct vfile proc_net_sockstat_vfile = {
	.path = "proc/net/sockstat",
	.mode = 0444,
	.needs = READER_NET_NAMESPACE,
	.render = sockstat_vfile_render,
	.slow = true,
	.size_bound = sockstat_size_bound,
};

const struct vfile proc_net_sockstat6_vfile = {
	.path = "proc/net/sockstat6",
	.mode = 0444,
	.needs = READER_NET_NAMESPACE,
	.render = sockstat6_vfile_render,
};
