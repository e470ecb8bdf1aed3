/* SPDX-License-Identifier: GPL-2.0-or-later */
/* strutil.h - strict number parsing and small-file reading shared by every module. */
#ifndef PROCLENS_STRUTIL_H
#define PROCLENS_STRUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct buf;

/*
 * Parse an unsigned decimal number from s[0..len). Surrounding blanks and one
 * trailing newline are allowed; an empty field, a sign, overflow or any other
 * character gives -EINVAL (-ERANGE for overflow).
 */
int strutil_parse_u64(const char *s, size_t len, uint64_t *out);

/*
 * Read the whole of a small file at dirfd/path into buf (NUL-terminated).
 * Returns the number of bytes read, -EFBIG if it does not fit in size - 1
 * bytes, or -errno.
 */
ssize_t strutil_read_file(int dirfd, const char *path, char *buf, size_t size);

/*
 * The same from an open file, from offset 0 (pread(2)) until pread returns
 * 0: kernel seq files generate their content afresh for a read at 0, so a
 * kept-open fd serves every render without a path walk, and return at most
 * a page per call, so a short read is not the end.
 */
ssize_t strutil_pread_file(int fd, char *buf, size_t size);

/*
 * The same for a file the kernel prints in one piece (single_open(), a
 * cgroup file's seq_show, /proc/meminfo, /proc/<pid>/cgroup): one pread(2)
 * returns all of it when it fits, so a short read is the end and the second
 * call, which would format the whole file again only to return 0, is saved.
 */
ssize_t strutil_pread_single(int fd, char *buf, size_t size);

/*
 * The whole of an open file from offset 0 until end of file into out, which
 * is emptied first and grows as needed (NUL-terminated): for files with no
 * size bound. Returns the length or -errno; out keeps what was read.
 */
ssize_t strutil_pread_buf(int fd, struct buf *out);

/*
 * One key looked up in a "key value" text (cgroup memory.stat, "key: value kB"
 * lines of /proc/meminfo). found says whether the key was there; value holds
 * the parsed number.
 */
struct strutil_key {
	const char *name;
	uint64_t value;
	bool found;
};

/*
 * Fill keys[] from text, whose lines are "<key><sep><blanks><number>[ kB]".
 * Unknown keys are skipped; a line with a known key and a malformed number
 * makes the call fail with -EBADMSG and sets *bad_line to that line (1-based).
 * With kb_unit, a " kB" suffix is accepted and the value stays in kB.
 */
int strutil_parse_keys(const char *text, char sep, bool kb_unit,
		       struct strutil_key *keys, size_t nkeys, unsigned *bad_line);

/* FNV-1a hash of a string, for the daemon's small path tables. */
uint32_t strutil_hash(const char *s);

/* Value of keys[i] if found, otherwise fallback. */
uint64_t strutil_key_or(const struct strutil_key *keys, size_t i, uint64_t fallback);

#endif
