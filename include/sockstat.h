/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sockstat.h - /proc/net/sockstat and sockstat6 computed for a reader's network namespace. */
#ifndef PROCLENS_SOCKSTAT_H
#define PROCLENS_SOCKSTAT_H

#include "buf.h"
#include "netdiag.h"

/*
 * The reader's own /proc/net/sockstat (own_text) with the figures the kernel
 * prints host-wide replaced by the namespace's: TCP orphan, alloc and mem,
 * UDP mem; and "sockets: used" less the own_sockets proclens holds in the
 * namespace. Every other line and field passes through as the running
 * kernel printed it. Pure; 0, -EBADMSG for a malformed line, or -ENOMEM.
 */
int sockstat_render(const char *own_text, const struct netdiag_counts *counts,
		    unsigned own_sockets, struct buf *out);

/*
 * The "inuse" counts of the reader's own sockstat and sockstat6 texts
 * (sockstat6 NULL: a kernel without IPv6, so none); -1 for a count the text
 * does not give. Pure.
 */
void sockstat_inuse_parse(const char *sockstat, const char *sockstat6, struct netdiag_inuse *inuse);

#endif
