/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mirror.c - directories that show each reader its own /proc/<pid>/<source> entries. */
#include "mirror.h"

const struct mirror_dir mirror_table[] = {
	{ "proc/net", "net" },
};

const size_t mirror_count = sizeof(mirror_table) / sizeof(mirror_table[0]);
