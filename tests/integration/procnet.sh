#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# procnet.sh - proc/net shows each reader its own network namespace's
# /proc/net, with proclens's sockstat files in place of the kernel's.
. "$TESTS_DIR/integration/lib.sh"
require_root
command -v ip >/dev/null || skip "needs iproute2"

start_daemon
netns_new
a=$NS
netns_new
b=$NS
# An address only namespace a has.
ip -n "$a" -6 addr add fd00::5/128 dev lo nodad

check "the host reader's listing is the host's /proc/net" \
	"$(ls /proc/net | tr '\n' ' ')" "$(ls "$MNT/proc/net" | tr '\n' ' ')"
check "a namespace's listing is its own /proc/net" \
	"$(ns_exec "$a" ls /proc/net | tr '\n' ' ')" "$(ns_exec "$a" ls "$MNT/proc/net" | tr '\n' ' ')"
check "a subdirectory lists the reader's own" \
	"$(ns_exec "$a" ls /proc/net/stat | tr '\n' ' ')" "$(ns_exec "$a" ls "$MNT/proc/net/stat" | tr '\n' ' ')"

check "namespace a reads its own if_inet6" yes \
	"$(ns_exec "$a" cat "$MNT/proc/net/if_inet6" | grep -q '^fd000000000000000000000000000005 ' && echo yes)"
check "namespace b does not see a's address" no \
	"$(ns_exec "$b" cat "$MNT/proc/net/if_inet6" | grep -q '^fd000000000000000000000000000005 ' && echo yes || echo no)"
check "a file matches the reader's own, byte for byte" \
	"$(ns_exec "$a" cat /proc/net/if_inet6)" "$(ns_exec "$a" cat "$MNT/proc/net/if_inet6")"
check "a new namespace's tcp table is empty" 1 "$(ns_exec "$b" cat "$MNT/proc/net/tcp" | wc -l)"
check "the host's dev lists the host's interfaces" \
	"$(awk -F: 'NR > 2 {print $1}' /proc/net/dev | tr -d ' ' | sort | tr '\n' ' ')" \
	"$(awk -F: 'NR > 2 {print $1}' "$MNT/proc/net/dev" | tr -d ' ' | sort | tr '\n' ' ')"
check "a namespace's dev lists only its loopback" "lo" \
	"$(ns_exec "$b" awk -F: 'NR > 2 {print $1}' "$MNT/proc/net/dev" | tr -d ' ')"

# The kernel's sockstat in a new namespace shows the host's TCP alloc;
# proclens's, the namespace's own.
check "proc/net/sockstat is proclens's: no host sockets in a new namespace" 0 \
	"$(ns_exec "$b" awk '$1 == "TCP:" {print $11}' "$MNT/proc/net/sockstat")"

check "a name the namespace lacks is ENOENT" yes \
	"$(ns_exec "$b" cat "$MNT/proc/net/no-such-file" 2>&1 | grep -q 'No such file' && echo yes)"
err=$( (echo x >"$MNT/proc/net/tcp") 2>&1)
check "mirrored files are read-only" yes "$(echo "$err" | grep -qE 'Read-only|Permission denied' && echo yes)"

# Lookups come and go with the kernel's references: many reads, one daemon.
for _ in $(seq 200); do
	cat "$MNT/proc/net/stat/arp_cache" "$MNT/proc/net/snmp" >/dev/null || break
done
check "the daemon lives through 200 mirrored reads" yes "$(kill -0 "$DAEMON_PID" && echo yes)"

finish
