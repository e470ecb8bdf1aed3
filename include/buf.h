/* SPDX-License-Identifier: GPL-2.0-or-later */
/* buf.h - a growable byte buffer that virtual files render into. */
#ifndef PROCLENS_BUF_H
#define PROCLENS_BUF_H

#include <stddef.h>

struct buf {
	char *data;
	size_t len;
	size_t cap;
};

#define BUF_INIT { NULL, 0, 0 }

/* All return 0 or -ENOMEM; on failure the buffer keeps what it had. */
int buf_reserve(struct buf *b, size_t extra);
int buf_append(struct buf *b, const char *data, size_t len);
int buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void buf_reset(struct buf *b);
void buf_free(struct buf *b);

#endif
