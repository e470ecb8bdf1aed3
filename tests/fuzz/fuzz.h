/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz.h - what every libFuzzer target of tests/fuzz shares: the entry point, text input, checks. */
#ifndef PROCLENS_FUZZ_H
#define PROCLENS_FUZZ_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* libFuzzer's entry point; replay.c calls it too, once per saved input. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * The input as the daemon's readers hand text to a parser: copied and
 * NUL-terminated (strutil_pread_file() does the same). A buffer of exactly
 * size + 1 bytes, so that AddressSanitizer catches a read one past the end.
 * NULL when out of memory: the input is then skipped.
 */
static inline char *fuzz_text(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);

	if (!text)
		return NULL;
	memcpy(text, data, size);
	text[size] = '\0';
	return text;
}

/* An invariant that must hold: a violation is a finding, like a crash. */
#define FUZZ_CHECK(cond)                                                          \
	do {                                                                      \
		if (!(cond)) {                                                    \
			fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, \
				__LINE__, #cond);                                 \
			abort();                                                  \
		}                                                                 \
	} while (0)

#endif
