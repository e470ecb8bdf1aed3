/* SPDX-License-Identifier: GPL-2.0-or-later */
/* caps.h - keep only the capabilities serving needs, drop the rest for good. */
#ifndef PROCLENS_CAPS_H
#define PROCLENS_CAPS_H

#include <stddef.h>
#include <stdint.h>

/* A capability's bit in a mask like /proc/<pid>/status's CapEff. */
#define CAPS_BIT(cap) ((uint64_t)1 << (cap))

/*
 * CAP_DAC_READ_SEARCH (2), CAP_SYS_PTRACE (19), CAP_SYS_ADMIN (21):
 * 0x0000000000280004. docs/security.md says why each one.
 */
uint64_t caps_kept_mask(void);

/* The permitted and effective sets to keep, given the permitted set held. */
uint64_t caps_target(uint64_t permitted);

/*
 * Drop every capability but the kept ones from the effective, permitted,
 * inheritable, ambient and bounding sets, and set no_new_privs. Must run
 * while the calling thread is the process's only one: capabilities are per
 * thread, and threads created afterwards inherit the caller's. Returns 0,
 * or -errno with the reason, in one line, in error.
 */
int caps_drop(char *error, size_t size);

#endif
