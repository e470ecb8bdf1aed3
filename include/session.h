/* SPDX-License-Identifier: GPL-2.0-or-later */
/* session.h - the FUSE workers: serving a connection, and handing it over without losing a request. */
#ifndef PROCLENS_SESSION_H
#define PROCLENS_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fs.h"

/* The kernel's INIT request, as read: what a new daemon on the connection replays. */
#define SESSION_INIT_MAX 256

struct session_init {
	size_t len;
	unsigned char bytes[SESSION_INIT_MAX];
};

/* Whether the kernel that sent init resends unanswered requests when asked (Linux 6.9). */
bool session_init_resends(const struct session_init *init);

/* Why session_wait() returned. */
enum session_event {
	SESSION_STOP,		/* SIGTERM, SIGINT or SIGQUIT */
	SESSION_RELOAD,		/* SIGHUP: hand the connection to the installed daemon */
	SESSION_ENDED,		/* unmounted, or the connection aborted */
};

struct session;

/*
 * Workers for se; the signals session_wait() reports are caught from now
 * on (and remembered until then). NULL on failure.
 */
struct session *session_new(struct fuse_session *se, unsigned workers);
void session_free(struct session *s);

/* A fresh mount: read and answer the kernel's INIT, keeping its bytes in *init. */
int session_init(struct session *s, struct session_init *init);

/*
 * A connection another daemon answered INIT on (a live upgrade, a restart
 * with a kept descriptor): replay its INIT so that libfuse serves it, then
 * ask the kernel (Linux 6.9 and later) to send again every request the other
 * daemon read and never answered.
 */
int session_resume(struct session *s, const struct session_init *init);

/* Start the workers. 0 or -errno. */
int session_start(struct session *s);

/*
 * Wait for an event, doing meanwhile what needs no answer (SIGUSR1 turns
 * debug messages on or off).
 */
enum session_event session_wait(struct session *s);

/*
 * Stop every worker once it has answered the request it holds, leaving
 * requests not yet read queued in the kernel. -ETIMEDOUT if a worker is
 * still busy after timeout_ms; the others have stopped, and
 * session_start() starts them again.
 */
int session_drain(struct session *s, unsigned timeout_ms);

#endif
