/* SPDX-License-Identifier: GPL-2.0-or-later */
/* buf.c - a growable byte buffer that virtual files render into. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

int buf_reserve(struct buf *b, size_t extra)
{
	size_t want, cap;
	char *data;

	if (extra > SIZE_MAX - b->len - 1)
		return -ENOMEM;
	want = b->len + extra + 1;
	if (want <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 4096;
	while (cap < want)
		cap *= 2;
	data = realloc(b->data, cap);
	if (!data)
		return -ENOMEM;
	b->data = data;
	b->cap = cap;
	return 0;
}

int buf_append(struct buf *b, const char *data, size_t len)
{
	int rc = buf_reserve(b, len);

	if (rc < 0)
		return rc;
	memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

int buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	/* Try in the room we have; grow once and retry if it did not fit. */
	for (int attempt = 0; attempt < 2; attempt++) {
		size_t room = b->cap > b->len ? b->cap - b->len : 0;

		va_start(ap, fmt);
		n = vsnprintf(room ? b->data + b->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0)
			return -EINVAL;
		if ((size_t)n < room) {
			b->len += (size_t)n;
			return 0;
		}
		if (buf_reserve(b, (size_t)n) < 0)
			return -ENOMEM;
	}
	return -ENOMEM;
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void buf_free(struct buf *b)
{
	if (!b)
		return;
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}
