/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netdiag.c - one network namespace's TCP and UDP sockets, counted the way sockstat counts them. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <netlink/idiag/idiagnl.h>
#include <netlink/idiag/meminfo.h>
#include <netlink/idiag/msg.h>

#include "buf.h"
#include "log.h"
#include "netdiag.h"
#include "strutil.h"

/*
 * The pseudo-state that asks inet_diag for bound sockets that neither listen
 * nor connect (Linux 6.9 and later; older kernels ignore the bit).
 */
#define NETDIAG_TCP_BOUND_INACTIVE 13
/* A time-wait socket's timer in a diagnostic record. */
#define NETDIAG_TIMER_TIMEWAIT 3

void netdiag_count_record(struct netdiag_counts *counts, const struct netdiag_record *record,
			  unsigned long page_size)
{
	int64_t charged;
	uint64_t pages = 0;

	/* Time-wait and request sockets are not sockets of tcp_prot: not in alloc. */
	if (!record->has_meminfo || record->timer == NETDIAG_TIMER_TIMEWAIT)
		return;
	/*
	 * The pages a socket charged to its protocol's memory_allocated are
	 * what it reserved ahead (forward_alloc) plus what it uses: received
	 * data (rmem_alloc) and data waiting to be sent or acked (wmem_queued).
	 */
	charged = (int64_t)record->forward_alloc + record->rmem_alloc + record->wmem_queued;
	if (charged > 0)
		pages = ((uint64_t)charged + page_size - 1) / page_size;

	switch (record->protocol) {
	case IPPROTO_TCP:
		counts->tcp_alloc++;
		counts->tcp_mem += pages;
		/*
		 * tcp_close() orphans a socket (no inode any more) in the states
		 * it leaves behind; an unaccepted child also has no inode, but
		 * never these states.
		 */
		if (record->inode == 0 &&
		    (record->state == TCP_FIN_WAIT1 || record->state == TCP_FIN_WAIT2 ||
		     record->state == TCP_CLOSING || record->state == TCP_LAST_ACK))
			counts->tcp_orphan++;
		break;
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
		/* UDP-Lite shares UDP's memory_allocated. */
		counts->udp_mem += pages;
		break;
	default:
		break;
	}
}

int netdiag_parse(struct nlmsghdr *nlh, uint8_t protocol, struct netdiag_record *record)
{
	struct idiagnl_msg *msg = NULL;
	struct idiagnl_meminfo *meminfo;
	int err;

	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(struct inet_diag_msg)))
		return -EBADMSG;
	err = idiagnl_msg_parse(nlh, &msg);
	if (err < 0)
		return err == -NLE_NOMEM ? -ENOMEM : -EBADMSG;
	memset(record, 0, sizeof(*record));
	record->family = idiagnl_msg_get_family(msg);
	record->protocol = protocol;
	record->state = idiagnl_msg_get_state(msg);
	record->timer = idiagnl_msg_get_timer(msg);
	record->inode = idiagnl_msg_get_inode(msg);
	meminfo = idiagnl_msg_get_meminfo(msg);
	if (meminfo) {
		record->has_meminfo = true;
		record->rmem_alloc = idiagnl_meminfo_get_rmem(meminfo);
		record->wmem_queued = idiagnl_meminfo_get_wmem(meminfo);
		record->forward_alloc = (int32_t)idiagnl_meminfo_get_fmem(meminfo);
	}
	idiagnl_msg_put(msg);
	return 0;
}

/* --- which dumps are needed ---------------------------------------------- */

/* Whether a count printed by the kernel is known to be zero. */
static bool inuse_zero(int64_t count)
{
	return count == 0;
}

void netdiag_plan_make(const struct netdiag_inuse *inuse, struct netdiag_plan *plan)
{
	/*
	 * "inuse" counts the hashed sockets of one protocol (sock_prot_inuse_add()
	 * at hash and unhash), and a dump lists exactly the hashed ones: none
	 * counted, none to list. TCP and TCPv6 are two protocols; one dump
	 * lists both.
	 */
	plan->tcp_listen = !(inuse_zero(inuse->tcp) && inuse_zero(inuse->tcp6));
	plan->udp = !inuse_zero(inuse->udp);
	plan->udp6 = !inuse_zero(inuse->udp6);
	plan->udplite = !inuse_zero(inuse->udplite);
	plan->udplite6 = !inuse_zero(inuse->udplite6);
}

bool netdiag_plan_needs_connected(const struct netdiag_inuse *inuse, uint64_t listeners)
{
	/* A hashed TCP socket is a listener or in the established table. */
	if (inuse->tcp < 0 || inuse->tcp6 < 0)
		return true;
	return (uint64_t)inuse->tcp + (uint64_t)inuse->tcp6 > listeners;
}

/* --- a set of socket inodes ------------------------------------------------ */

struct inode_set {
	uint32_t *slots;	/* 0: free */
	size_t cap, count;
};

static size_t inode_slot(const struct inode_set *set, uint32_t inode)
{
	size_t i = (inode * 2654435761u) & (set->cap - 1);

	while (set->slots[i] && set->slots[i] != inode)
		i = (i + 1) & (set->cap - 1);
	return i;
}

static bool inode_set_has(const struct inode_set *set, uint32_t inode)
{
	return set->cap && set->slots[inode_slot(set, inode)] == inode;
}

/* 1 if added, 0 if already there, -ENOMEM. */
static int inode_set_add(struct inode_set *set, uint32_t inode)
{
	size_t i;

	if ((set->count + 1) * 2 > set->cap) {
		struct inode_set bigger = { NULL, set->cap ? set->cap * 2 : 64, 0 };

		bigger.slots = calloc(bigger.cap, sizeof(*bigger.slots));
		if (!bigger.slots)
			return -ENOMEM;
		for (i = 0; i < set->cap; i++)
			if (set->slots[i])
				bigger.slots[inode_slot(&bigger, set->slots[i])] = set->slots[i];
		bigger.count = set->count;
		free(set->slots);
		*set = bigger;
	}
	i = inode_slot(set, inode);
	if (set->slots[i])
		return 0;
	set->slots[i] = inode;
	set->count++;
	return 1;
}

/* --- dumps ----------------------------------------------------------------- */

struct dump_context {
	uint8_t protocol;
	unsigned long page_size;
	struct netdiag_counts *counts;
	struct inode_set *listed;
	uint64_t listeners;	/* TCP records in state LISTEN */
	int rc;
};

static int dump_on_record(struct nl_msg *msg, void *arg)
{
	struct dump_context *ctx = arg;
	struct netdiag_record record;
	int rc;

	rc = netdiag_parse(nlmsg_hdr(msg), ctx->protocol, &record);
	if (rc == 0 && record.inode)
		rc = inode_set_add(ctx->listed, record.inode);
	if (rc < 0) {
		ctx->rc = rc;
		return NL_STOP;
	}
	if (record.protocol == IPPROTO_TCP && record.state == TCP_LISTEN)
		ctx->listeners++;
	netdiag_count_record(ctx->counts, &record, ctx->page_size);
	return NL_OK;
}

/* Receive one dump's replies into ctx; 0, -errno, -EPROTONOSUPPORT if the kernel has no such table. */
static int dump_receive(struct nl_sock *sock, struct dump_context *ctx)
{
	int err;

	err = nl_socket_modify_cb(sock, NL_CB_VALID, NL_CB_CUSTOM, dump_on_record, ctx);
	if (err < 0)
		return -ENOMEM;
	err = nl_recvmsgs_default(sock);
	ctx->counts->dumps++;
	if (ctx->rc < 0)
		return ctx->rc;
	/* No diagnostic module for the protocol (sock_diag answers ENOENT). */
	if (err == -NLE_OBJ_NOTFOUND || err == -NLE_OPNOTSUPP)
		return -EPROTONOSUPPORT;
	if (err < 0) {
		log_error("socket diagnostics: %s", nl_geterror(err));
		return err == -NLE_NOMEM ? -ENOMEM : -EIO;
	}
	return 0;
}

/*
 * The TCP dump's states, by the hash table the kernel walks for them
 * (tcp_diag_dump(), Linux 6.18): LISTEN the listening table, the
 * bound-inactive pseudo-state the bind table, any other state the
 * established table, the largest (net.ipv4.tcp_ehash_entries buckets).
 * Time-wait is never asked for: its count comes from the kernel's own file.
 */
#define NETDIAG_STATES_LISTEN (1u << TCP_LISTEN)
#define NETDIAG_STATES_CONNECTED \
	(((1u << (TCP_CLOSING + 1)) - 1) & ~(1u << TCP_TIME_WAIT) & ~(1u << TCP_LISTEN))
#define NETDIAG_STATES_BOUND_INACTIVE (1u << NETDIAG_TCP_BOUND_INACTIVE)

/*
 * TCP sockets in states, IPv4 and IPv6, through libnl-idiag: its request is
 * the kernel's TCP-only compatibility request (TCPDIAG_GETSOCK), which the
 * kernel answers for both families at once whatever family it names, and its
 * parser reads INET_DIAG_MEMINFO.
 */
static int dump_tcp(struct nl_sock *sock, struct dump_context *ctx, uint16_t states)
{
	int err;

	ctx->protocol = IPPROTO_TCP;
	err = idiagnl_send_simple(sock, NLM_F_DUMP, AF_INET, states,
				  1 << (INET_DIAG_MEMINFO - 1));
	if (err < 0)
		return err == -NLE_NOMEM ? -ENOMEM : -EIO;
	return dump_receive(sock, ctx);
}

/*
 * UDP and UDP-Lite, one family at a time. libnl-idiag cannot ask for them:
 * it only sends the TCP-only compatibility request, so this builds the
 * SOCK_DIAG_BY_FAMILY request (inet_diag_req_v2) with libnl's core.
 */
static int dump_by_family(struct nl_sock *sock, struct dump_context *ctx,
			  uint8_t family, uint8_t protocol)
{
	struct inet_diag_req_v2 req;
	int err;

	memset(&req, 0, sizeof(req));
	req.sdiag_family = family;
	req.sdiag_protocol = protocol;
	req.idiag_ext = 1 << (INET_DIAG_MEMINFO - 1);
	req.idiag_states = ~0u;
	ctx->protocol = protocol;
	err = nl_send_simple(sock, SOCK_DIAG_BY_FAMILY, NLM_F_DUMP, &req, sizeof(req));
	if (err < 0)
		return err == -NLE_NOMEM ? -ENOMEM : -EIO;
	return dump_receive(sock, ctx);
}

/* --- sockets no table lists ------------------------------------------------ */

static bool pid_in_netns(int proc_fd, pid_t pid, const struct ns_id *id)
{
	struct ns_id now;
	char path[64];

	snprintf(path, sizeof(path), "%d/ns/net", (int)pid);
	return ns_id_at(proc_fd, path, &now) == 0 && ns_id_equal(&now, id);
}

/* The inode of a "socket:[N]" fd link, or 0. */
static uint32_t socket_link_inode(int dir_fd, const char *name)
{
	char link[64];
	unsigned long inode;
	char *end;
	ssize_t len = readlinkat(dir_fd, name, link, sizeof(link) - 1);

	if (len < 10 || memcmp(link, "socket:[", 8) != 0 || link[len - 1] != ']')
		return 0;
	link[len - 1] = '\0';
	errno = 0;
	inode = strtoul(link + 8, &end, 10);
	return errno || *end || inode == 0 || inode > UINT32_MAX ? 0 : (uint32_t)inode;
}

/*
 * Whether the socket behind dir_fd/name, a reader's /proc/<pid>/fd/N, is a
 * TCP one (sockfs names its protocol in an attribute). The process may swap
 * that descriptor for a file on a FUSE server it runs at any moment, and a
 * getxattr(2), stat(2) or open(2) through the link would then wait on that
 * server for as long as it likes. So the link is first pinned with O_PATH,
 * which follows it without asking the file's file system anything (no open,
 * and no flush or release on close), and only a pin that names the socket
 * seen before is asked for its protocol, through the daemon's own fd link.
 * 1: TCP, 0: not, -1: the descriptor no longer names that socket.
 */
static int socket_is_tcp(int dir_fd, const char *name, uint32_t inode)
{
	char self[64], proto[32];
	ssize_t len = -1;
	int fd = openat(dir_fd, name, O_PATH | O_CLOEXEC);

	if (fd < 0)
		return -1;
	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	if (socket_link_inode(AT_FDCWD, self) != inode) {
		close(fd);
		return -1;
	}
	len = getxattr(self, "system.sockprotoname", proto, sizeof(proto) - 1);
	close(fd);
	if (len <= 0)
		return 0;
	proto[len] = '\0';
	/* The value may or may not count its terminating NUL. */
	return strcmp(proto, "TCP") == 0 || strcmp(proto, "TCPv6") == 0;
}

/*
 * The inodes of the namespace's unix sockets (/proc/<pid>/net/unix lists all
 * of them, bound or not) into set: the bulk of most processes' sockets,
 * known not to be TCP without a look at each.
 */
static int add_unix_inodes(int proc_fd, pid_t pid, struct inode_set *set)
{
	struct buf text = BUF_INIT;
	const char *line;
	char path[64];
	ssize_t len;
	int fd, rc = 0;

	snprintf(path, sizeof(path), "%d/net/unix", (int)pid);
	fd = openat(proc_fd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	len = strutil_pread_buf(fd, &text);
	close(fd);
	/* "Num RefCount Protocol Flags Type St Inode [Path]", after a header. */
	for (line = len > 0 ? strchr(text.data, '\n') : NULL; line && rc >= 0;
	     line = strchr(line, '\n')) {
		unsigned long inode = 0;

		line++;
		if (sscanf(line, "%*s %*s %*s %*s %*s %*s %lu", &inode) == 1 &&
		    inode > 0 && inode <= UINT32_MAX)
			rc = inode_set_add(set, (uint32_t)inode);
	}
	buf_free(&text);
	return rc < 0 ? rc : 0;
}

/*
 * TCP sockets held by the namespace's processes that no dump listed, into
 * unlisted: created and never bound or connected, or bound only.
 */
static int find_unlisted_tcp(int proc_fd, const struct ns_id *id, const pid_t *pids,
			     size_t pid_count, const struct inode_set *listed,
			     struct inode_set *unlisted)
{
	struct inode_set seen = { NULL, 0, 0 };
	bool unix_read = false;
	int rc = 0;

	for (size_t i = 0; i < pid_count && rc >= 0; i++) {
		struct dirent *de;
		char path[64];
		int dir_fd;
		DIR *dir;

		if (!pid_in_netns(proc_fd, pids[i], id))
			continue;
		if (!unix_read) {
			rc = add_unix_inodes(proc_fd, pids[i], &seen);
			if (rc < 0)
				break;
			unix_read = true;
		}
		snprintf(path, sizeof(path), "%d/fd", (int)pids[i]);
		dir_fd = openat(proc_fd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dir_fd < 0)
			continue;
		dir = fdopendir(dir_fd);
		if (!dir) {
			close(dir_fd);
			continue;
		}
		while ((de = readdir(dir)) != NULL) {
			uint32_t inode;
			int tcp;

			if (de->d_name[0] == '.')
				continue;
			inode = socket_link_inode(dir_fd, de->d_name);
			if (!inode || inode_set_has(listed, inode) || inode_set_has(&seen, inode))
				continue;
			/* Seen only once known: a descriptor swapped meanwhile is asked again elsewhere. */
			tcp = socket_is_tcp(dir_fd, de->d_name, inode);
			if (tcp < 0)
				continue;
			rc = inode_set_add(&seen, inode);
			if (rc >= 0 && tcp)
				rc = inode_set_add(unlisted, inode);
			if (rc < 0)
				break;
		}
		closedir(dir);
	}
	free(seen.slots);
	return rc < 0 ? rc : 0;
}

/* The members of unlisted that listed does not hold. */
static uint64_t count_still_unlisted(const struct inode_set *unlisted,
				     const struct inode_set *listed)
{
	uint64_t count = 0;

	for (size_t i = 0; i < unlisted->cap; i++)
		if (unlisted->slots[i] && !inode_set_has(listed, unlisted->slots[i]))
			count++;
	return count;
}

/* UDP and UDP-Lite dumps the plan asks for; 0 or -errno. */
static int dump_udp_planned(struct nl_sock *sock, struct dump_context *ctx,
			    const struct netdiag_plan *plan)
{
	int rc = 0;

	if (plan->udp)
		rc = dump_by_family(sock, ctx, AF_INET, IPPROTO_UDP);
	if (rc == 0 && plan->udp6)
		rc = dump_by_family(sock, ctx, AF_INET6, IPPROTO_UDP);
	if (rc < 0)
		return rc;
	/* Kernels built without UDP-Lite refuse these: then there is none. */
	if (plan->udplite)
		rc = dump_by_family(sock, ctx, AF_INET, IPPROTO_UDPLITE);
	if (rc == 0 && plan->udplite6)
		rc = dump_by_family(sock, ctx, AF_INET6, IPPROTO_UDPLITE);
	return rc == -EPROTONOSUPPORT ? 0 : rc;
}

int netdiag_gather(struct nl_sock *sock, int proc_fd, const struct ns_id *id,
		   const pid_t *pids, size_t pid_count, const struct netdiag_inuse *inuse,
		   struct netdiag_counts *counts)
{
	struct inode_set listed = { NULL, 0, 0 }, unlisted = { NULL, 0, 0 };
	struct netdiag_plan plan;
	struct dump_context ctx;
	long page_size = sysconf(_SC_PAGESIZE);
	int rc = 0;

	memset(counts, 0, sizeof(*counts));
	memset(&ctx, 0, sizeof(ctx));
	ctx.page_size = page_size > 0 ? (unsigned long)page_size : 4096;
	ctx.counts = counts;
	ctx.listed = &listed;
	netdiag_plan_make(inuse, &plan);

	/*
	 * Listeners first: their table is small. The established table is
	 * walked only if the kernel counts more hashed TCP sockets than that.
	 */
	if (plan.tcp_listen)
		rc = dump_tcp(sock, &ctx, NETDIAG_STATES_LISTEN);
	if (rc == 0 && plan.tcp_listen && netdiag_plan_needs_connected(inuse, ctx.listeners))
		rc = dump_tcp(sock, &ctx, NETDIAG_STATES_CONNECTED);
	if (rc == 0)
		rc = dump_udp_planned(sock, &ctx, &plan);
	if (rc == -EPROTONOSUPPORT)
		log_error("socket diagnostics: no inet_diag support for protocol %u "
			  "(modules tcp_diag, udp_diag)", (unsigned)ctx.protocol);
	if (rc == 0)
		rc = find_unlisted_tcp(proc_fd, id, pids, pid_count, &listed, &unlisted);
	/*
	 * A TCP socket no dump listed is never bound, or bound only (in no
	 * table but the bind table, which only this dump walks, Linux 6.9+):
	 * only then is the bind table worth a walk, for such sockets' memory.
	 */
	if (rc == 0 && unlisted.count)
		rc = dump_tcp(sock, &ctx, NETDIAG_STATES_BOUND_INACTIVE);
	if (rc == 0) {
		counts->tcp_unlisted = count_still_unlisted(&unlisted, &listed);
		counts->tcp_alloc += counts->tcp_unlisted;
	}
	free(unlisted.slots);
	free(listed.slots);
	return rc;
}
