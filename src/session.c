/* SPDX-License-Identifier: GPL-2.0-or-later */
/* session.c - the FUSE workers: serving a connection, and handing it over without losing a request. */
#include <errno.h>
#include <linux/fuse.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "session.h"

/* Linux 6.9 (protocol 7.40): move the requests being processed back to pending. */
#define SESSION_NOTIFY_RESEND 7
#define SESSION_RESEND_MINOR 40

#define SESSION_WORKERS_MAX 64

/* Wakes a worker blocked reading the device; never reaches one doing anything else. */
#define SESSION_SIGNAL_WAKE (SIGRTMIN + 3)
/* A worker tells the main thread that the connection is gone. */
#define SESSION_SIGNAL_ENDED (SIGRTMIN + 4)

struct session_worker {
	pthread_t thread;
	bool running;
	atomic_bool receiving;		/* blocked (or about to block) in read */
	struct session *s;
};

struct session {
	struct fuse_session *se;
	pthread_t main_thread;
	unsigned count;
	atomic_bool draining;
	atomic_bool ended;
	sigset_t caught, waiting_mask;
	struct session_worker workers[SESSION_WORKERS_MAX];
};

/* Signals the main thread takes, each remembered until session_wait() sees it. */
static const int session_signals[] = { SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGUSR1 };
static volatile sig_atomic_t session_pending[65];

static void session_on_signal(int sig)
{
	if (sig > 0 && sig < 65)
		session_pending[sig] = 1;
}

static void session_on_wake(int sig)
{
}

struct session *session_new(struct fuse_session *se, unsigned workers)
{
	struct session *s = calloc(1, sizeof(*s));
	struct sigaction action;

	if (!s)
		return NULL;
	s->se = se;
	s->main_thread = pthread_self();
	s->count = workers < 1 ? 1 : workers > SESSION_WORKERS_MAX ? SESSION_WORKERS_MAX : workers;
	sigemptyset(&s->caught);
	memset(&action, 0, sizeof(action));
	sigemptyset(&action.sa_mask);
	action.sa_handler = session_on_signal;
	for (size_t i = 0; i < sizeof(session_signals) / sizeof(session_signals[0]); i++) {
		sigaddset(&s->caught, session_signals[i]);
		if (sigaction(session_signals[i], &action, NULL) < 0)
			goto out_free;
	}
	sigaddset(&s->caught, SESSION_SIGNAL_ENDED);
	if (sigaction(SESSION_SIGNAL_ENDED, &action, NULL) < 0)
		goto out_free;
	/* No SA_RESTART: the point is to make a blocked read return. */
	action.sa_handler = session_on_wake;
	if (sigaction(SESSION_SIGNAL_WAKE, &action, NULL) < 0)
		goto out_free;
	/*
	 * The main thread takes these signals only inside session_wait(); the
	 * workers, started with them blocked, never do.
	 */
	if (pthread_sigmask(SIG_BLOCK, &s->caught, &s->waiting_mask) != 0)
		goto out_free;
	sigdelset(&s->waiting_mask, SESSION_SIGNAL_WAKE);
	for (size_t i = 0; i < sizeof(session_signals) / sizeof(session_signals[0]); i++)
		sigdelset(&s->waiting_mask, session_signals[i]);
	sigdelset(&s->waiting_mask, SESSION_SIGNAL_ENDED);
	return s;
out_free:
	free(s);
	return NULL;
}

void session_free(struct session *s)
{
	free(s);
}

/* Read one request into buf; the bytes read, or -errno (0: the connection is gone). */
static int session_receive(struct session *s, struct fuse_buf *buf)
{
	int res;

	do
		res = fuse_session_receive_buf(s->se, buf);
	while (res == -EINTR || res == -EAGAIN);
	return res;
}

int session_init(struct session *s, struct session_init *init)
{
	struct fuse_buf buf = { .mem = NULL };
	const struct fuse_in_header *in;
	int res = session_receive(s, &buf);

	if (res <= 0) {
		free(buf.mem);
		return res < 0 ? res : -ENOTCONN;
	}
	in = buf.mem;
	if (buf.size < sizeof(*in) || in->opcode != FUSE_INIT || buf.size > sizeof(init->bytes)) {
		log_error("the first request on the connection is not INIT");
		free(buf.mem);
		return -EPROTO;
	}
	init->len = buf.size;
	memcpy(init->bytes, buf.mem, buf.size);
	fuse_session_process_buf(s->se, &buf);
	free(buf.mem);
	return 0;
}

bool session_init_resends(const struct session_init *init)
{
	const struct fuse_init_in *arg =
		(const struct fuse_init_in *)(init->bytes + sizeof(struct fuse_in_header));

	return init->len >= sizeof(struct fuse_in_header) + 8 && arg->major == 7 &&
	       arg->minor >= SESSION_RESEND_MINOR;
}

int session_resume(struct session *s, const struct session_init *init)
{
	unsigned char bytes[SESSION_INIT_MAX];
	struct fuse_in_header *in = (struct fuse_in_header *)bytes;
	struct fuse_buf buf = { .size = init->len, .mem = bytes };
	struct fuse_out_header resend = {
		.len = sizeof(resend), .error = SESSION_NOTIFY_RESEND, .unique = 0,
	};

	if (init->len < sizeof(*in) + 8 || init->len > sizeof(bytes))
		return -EINVAL;
	memcpy(bytes, init->bytes, init->len);
	if (in->opcode != FUSE_INIT)
		return -EINVAL;
	/*
	 * The kernel took the first daemon's answer long ago. This INIT only
	 * sets libfuse up; its answer, sent with an odd id (an interrupt's,
	 * which no request has), finds no request and is dropped (ENOENT,
	 * which libfuse does not report).
	 */
	in->unique = 1;
	fuse_session_process_buf(s->se, &buf);
	if (session_init_resends(init) &&
	    write(fuse_session_fd(s->se), &resend, sizeof(resend)) < 0)
		log_info("cannot ask the kernel to resend unanswered requests: %m");
	return 0;
}

static void *session_work(void *arg)
{
	struct session_worker *w = arg;
	struct session *s = w->s;
	struct fuse_buf buf = { .mem = NULL };
	sigset_t wake;

	sigemptyset(&wake);
	sigaddset(&wake, SESSION_SIGNAL_WAKE);
	pthread_sigmask(SIG_UNBLOCK, &wake, NULL);
	for (;;) {
		int res;

		atomic_store(&w->receiving, true);
		if (atomic_load(&s->draining)) {
			atomic_store(&w->receiving, false);
			break;
		}
		res = fuse_session_receive_buf(s->se, &buf);
		atomic_store(&w->receiving, false);
		if (res == -EINTR || res == -EAGAIN)
			continue;
		if (res <= 0) {
			if (res < 0)
				log_error("cannot read from the FUSE device: %s", strerror(-res));
			atomic_store(&s->ended, true);
			pthread_kill(s->main_thread, SESSION_SIGNAL_ENDED);
			break;
		}
		fuse_session_process_buf(s->se, &buf);
	}
	free(buf.mem);
	return NULL;
}

int session_start(struct session *s)
{
	atomic_store(&s->draining, false);
	for (unsigned i = 0; i < s->count; i++) {
		struct session_worker *w = &s->workers[i];
		int rc;

		if (w->running)
			continue;
		w->s = s;
		atomic_init(&w->receiving, false);
		rc = pthread_create(&w->thread, NULL, session_work, w);
		if (rc != 0)
			return -rc;
		w->running = true;
	}
	return 0;
}

enum session_event session_wait(struct session *s)
{
	for (;;) {
		if (session_pending[SIGUSR1]) {
			session_pending[SIGUSR1] = 0;
			log_toggle_debug();
		}
		if (session_pending[SIGTERM] || session_pending[SIGINT] || session_pending[SIGQUIT])
			return SESSION_STOP;
		if (atomic_load(&s->ended))
			return SESSION_ENDED;
		if (session_pending[SIGHUP]) {
			session_pending[SIGHUP] = 0;
			return SESSION_RELOAD;
		}
		sigsuspend(&s->waiting_mask);
	}
}

static uint64_t session_now_ms(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)now.tv_sec * 1000 + (uint64_t)now.tv_nsec / 1000000;
}

int session_drain(struct session *s, unsigned timeout_ms)
{
	uint64_t deadline = session_now_ms() + timeout_ms;
	struct timespec step = { 0, 2 * 1000 * 1000 };
	bool busy = true;

	atomic_store(&s->draining, true);
	while (busy) {
		busy = false;
		for (unsigned i = 0; i < s->count; i++) {
			struct session_worker *w = &s->workers[i];

			if (!w->running)
				continue;
			if (pthread_tryjoin_np(w->thread, NULL) == 0) {
				w->running = false;
				continue;
			}
			busy = true;
			/* Only a read is interrupted: a render's own reads must never see EINTR. */
			if (atomic_load(&w->receiving))
				pthread_kill(w->thread, SESSION_SIGNAL_WAKE);
		}
		if (busy && session_now_ms() >= deadline) {
			log_error("a request is still being served after %u ms", timeout_ms);
			return -ETIMEDOUT;
		}
		if (busy)
			nanosleep(&step, NULL);
	}
	return 0;
}
