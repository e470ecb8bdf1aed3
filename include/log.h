/* SPDX-License-Identifier: GPL-2.0-or-later */
/* log.h - messages to stderr in the foreground, to syslog once daemonized. */
#ifndef PROCLENS_LOG_H
#define PROCLENS_LOG_H

#include <stdbool.h>

void log_init(bool to_syslog, bool debug);
bool log_debug_enabled(void);
/* Turn debug messages on if off, off if on; safe in a signal handler. */
void log_toggle_debug(void);
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
