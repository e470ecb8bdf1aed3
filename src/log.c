/* SPDX-License-Identifier: GPL-2.0-or-later */
/* log.c - messages to stderr in the foreground, to syslog once daemonized. */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>

#include "log.h"

static bool log_to_syslog;
/* Flipped by SIGUSR1's handler, so async-signal-safe. */
static volatile sig_atomic_t log_debug_on;

void log_init(bool to_syslog, bool debug)
{
	log_to_syslog = to_syslog;
	log_debug_on = debug;
	if (to_syslog)
		openlog("proclens", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

bool log_debug_enabled(void)
{
	return log_debug_on;
}

void log_toggle_debug(void)
{
	log_debug_on = !log_debug_on;
}

static void log_write(int priority, const char *fmt, va_list ap)
{
	if (log_to_syslog) {
		vsyslog(priority, fmt, ap);
		return;
	}
	fputs("proclens: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_write(LOG_ERR, fmt, ap);
	va_end(ap);
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_write(LOG_INFO, fmt, ap);
	va_end(ap);
}

void log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!log_debug_on)
		return;
	va_start(ap, fmt);
	log_write(LOG_DEBUG, fmt, ap);
	va_end(ap);
}
