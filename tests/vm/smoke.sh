#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# smoke.sh - the VM lane's own check that proclens serves meminfo from a
# real cgroup v2 limit: free(1) in a 256 MiB cgroup reports 256 MiB.

. "$TESTS_DIR/integration/lib.sh"

require_root
require_memcg

# In the VM lane the layout must be pure v2, or the lane proves nothing.
if [ "${PROCLENS_VM:-0}" = 1 ]; then
	check "memory controller on cgroup v2 in the VM" 2 "$CG_VERSION"
fi

start_daemon || { check "proclens starts" 0 "$?"; finish; exit; }
check "proclens serves meminfo" "MemTotal:" "$(head -n1 "$MNT/proc/meminfo" | cut -d' ' -f1)"
cg_test_root || { check "test cgroup created" 0 1; finish; exit; }
cg_set_limit "$CG_DIR" 268435456

check "MemTotal in a 256 MiB cgroup" 262144 \
	"$(in_container "$CG_DIR" awk '$1 == "MemTotal:" {print $2}' /proc/meminfo)"
check "free -b total in a 256 MiB cgroup" 268435456 \
	"$(in_container "$CG_DIR" free -b | awk '$1 == "Mem:" {print $2}')"

finish
