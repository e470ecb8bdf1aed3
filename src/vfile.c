/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vfile.c - the table of virtual files: each is one source file and one row. */
#include "vfile.h"

const struct vfile *const vfile_table[] = {
	&proc_meminfo_vfile,
	&proc_net_sockstat_vfile,
	&proc_net_sockstat6_vfile,
};

const size_t vfile_count = sizeof(vfile_table) / sizeof(vfile_table[0]);
