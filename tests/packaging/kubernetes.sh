#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# kubernetes.sh - packaging/kubernetes/*.yaml parse as YAML and name what the
# daemon needs: the DaemonSet runs /usr/sbin/proclens -f /var/lib/proclens,
# privileged, with hostPID, the node's /var/lib/proclens mounted with
# Bidirectional propagation, /dev/fuse and the cgroup hierarchy, on every
# node; the example pod binds its own copy of meminfo over /proc/meminfo.
. "$TESTS_DIR/integration/lib.sh"
command -v python3 >/dev/null || skip "needs python3"
python3 -c 'import yaml' 2>/dev/null || skip "needs python3-yaml"
dir=$TESTS_DIR/../packaging/kubernetes

# query FILE EXPRESSION: a Python expression on the file's one document, d.
query() {
	python3 - "$1" "$2" <<'PY' 2>&1
import sys, yaml
with open(sys.argv[1]) as f:
    docs = list(yaml.safe_load_all(f))
assert len(docs) == 1, "%d documents" % len(docs)
d = docs[0]
print(eval(sys.argv[2]))
PY
}

ds=$dir/daemonset.yaml
pod=$dir/example-pod.yaml
check "daemonset.yaml is a DaemonSet" "apps/v1 DaemonSet" "$(query "$ds" 'd["apiVersion"] + " " + d["kind"]')"
spec='d["spec"]["template"]["spec"]'
ctr="$spec[\"containers\"][0]"
check "the DaemonSet's selector matches its pods" True \
	"$(query "$ds" 'd["spec"]["selector"]["matchLabels"].items() <= d["spec"]["template"]["metadata"]["labels"].items()')"
check "the DaemonSet shares the node's pid namespace" True "$(query "$ds" "$spec[\"hostPID\"]")"
check "the daemon's container is privileged" True "$(query "$ds" "$ctr[\"securityContext\"][\"privileged\"]")"
check "the container runs /usr/sbin/proclens -f /var/lib/proclens" True \
	"$(query "$ds" "'/usr/sbin/proclens -f /var/lib/proclens' in ' '.join($ctr[\"command\"]).replace('\n', ' ')")"
check "the DaemonSet tolerates every taint" True \
	"$(query "$ds" "{'operator': 'Exists'} in $spec[\"tolerations\"]")"
# mount_of PATH: the volume mounted at PATH, as "hostPath.path type propagation".
mount_of() {
	query "$ds" "[(v['hostPath']['path'], v['hostPath'].get('type'), m.get('mountPropagation'))
		for m in $ctr['volumeMounts'] if m['mountPath'] == '$1'
		for v in $spec['volumes'] if v['name'] == m['name']]"
}
check "the node's /var/lib/proclens is mounted there, Bidirectional" \
	"[('/var/lib/proclens', 'DirectoryOrCreate', 'Bidirectional')]" "$(mount_of /var/lib/proclens)"
check "the node's /dev/fuse is mounted there" "[('/dev/fuse', 'CharDevice', None)]" "$(mount_of /dev/fuse)"
check "the node's cgroup hierarchy is mounted at /sys/fs/cgroup" \
	"[('/sys/fs/cgroup', 'Directory', None)]" "$(mount_of /sys/fs/cgroup)"

check "example-pod.yaml is a Pod" "v1 Pod" "$(query "$pod" 'd["apiVersion"] + " " + d["kind"]')"
check "the example pod is limited to 256Mi" 256Mi \
	"$(query "$pod" 'd["spec"]["containers"][0]["resources"]["limits"]["memory"]')"
check "the example pod binds its own meminfo, a File, over /proc/meminfo, read-only" \
	"[('/var/lib/proclens/c/meminfo-demo/proc/meminfo', 'File', True)]" \
	"$(query "$pod" "[(v['hostPath']['path'], v['hostPath']['type'], m.get('readOnly'))
		for m in d['spec']['containers'][0]['volumeMounts'] if m['mountPath'] == '/proc/meminfo'
		for v in d['spec']['volumes'] if v['name'] == m['name']]")"
check "the example pod's copy is named after it" meminfo-demo "$(query "$pod" 'd["metadata"]["name"]')"
finish
