#!/usr/bin/env bats
# Namespaces: new ones differ from the host's, user namespaces carry their maps, joined ones are shared.

load helpers

setup() { hull_common_setup; }
teardown() { hull_common_teardown; }

ns_of() { readlink "/proc/$1/ns/$2"; }

@test "each configured namespace is new" {
	cfg '.linux.namespaces = [{"type":"pid"},{"type":"mount"},{"type":"network"},{"type":"uts"},{"type":"ipc"},{"type":"cgroup"}]'
	run_in 'for n in pid mnt net uts ipc cgroup; do echo "$n $(readlink /proc/self/ns/$n)"; done; echo "pid $$"'
	[ "$status" -eq 0 ]
	local n inside
	for n in pid mnt net uts ipc cgroup; do
		inside=$(printf '%s\n' "$output" | awk -v n="$n" '$1 == n { print $2; exit }')
		[ -n "$inside" ]
		[ "$inside" != "$(ns_of $$ "$n")" ] || { echo "$n is the host's" >&2; return 1; }
	done
	# The first process of a new pid namespace is pid 1.
	[[ "$output" == *"pid 1"* ]]
}

@test "a namespace left out is shared with the host" {
	cfg '.linux.namespaces = [.linux.namespaces[] | select(.type != "network" and .type != "uts")] | del(.hostname)'
	run_in 'readlink /proc/self/ns/net; readlink /proc/self/ns/uts; hostname'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$(ns_of $$ net)" ]
	[ "${lines[1]}" = "$(ns_of $$ uts)" ]
	[ "${lines[2]}" = "$(hostname)" ]
}

@test "network namespace: only loopback, and it is up" {
	run_in 'ls /sys/class/net; ip -o link show lo; (echo reachable | nc -l -p 9999 127.0.0.1 &); for i in $(seq 100); do nc 127.0.0.1 9999 </dev/null 2>/dev/null && break; sleep 0.2; done'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = lo ]
	[[ "${lines[1]}" == *",UP"* ]]
	[ "${lines[2]}" = reachable ]
}

@test "user namespace: uidMappings and gidMappings are written" {
	cfg '.linux.namespaces += [{"type":"user"}] | .linux.uidMappings = [{"containerID":0,"hostID":100000,"size":65536}] | .linux.gidMappings = [{"containerID":0,"hostID":100000,"size":65536}]'
	userns_bundle
	run_in 'cat /proc/self/uid_map /proc/self/gid_map; id -u; stat -c %u /bin/busybox'
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^[[:space:]]*0[[:space:]]+100000[[:space:]]+65536$ ]]
	[[ "${lines[1]}" =~ ^[[:space:]]*0[[:space:]]+100000[[:space:]]+65536$ ]]
	[ "${lines[2]}" = 0 ]
	[ "${lines[3]}" = 0 ]
}

@test "user namespace: the container process runs as the mapped host uid" {
	cfg '.linux.namespaces += [{"type":"user"}] | .linux.uidMappings = [{"containerID":0,"hostID":100000,"size":65536}] | .linux.gidMappings = [{"containerID":0,"hostID":100000,"size":65536}] | .process.args = ["sleep", "100"]'
	userns_bundle
	hr create --bundle "$BUNDLE" c1
	local pid
	pid=$(state_field c1 pid)
	[ "$(stat -c %u "/proc/$pid")" = 100000 ]
	[ "$(ns_of "$pid" user)" != "$(ns_of $$ user)" ]
	hr delete --force c1
}

# The container's root is host uid 100000, which may not pass a 0700 directory of host root: the runtime
# opens the source, the init moves it into place.  Read-only and recursive binds keep their options.
@test "user namespace: bind sources are opened by the runtime, not by the mapped user" {
	local src=$BATS_TEST_TMPDIR/private
	mkdir -p "$src/inner/sub"
	chmod 0700 "$src"
	echo secret-but-shared >"$src/inner/file"
	mkdir -p "$BATS_TEST_TMPDIR/sub-src"
	echo from-submount >"$BATS_TEST_TMPDIR/sub-src/f"
	cfg '.linux.namespaces += [{"type":"user"}] | .linux.uidMappings = [{"containerID":0,"hostID":100000,"size":65536}] | .linux.gidMappings = [{"containerID":0,"hostID":100000,"size":65536}]'
	add_mount '{"destination": "/data", "type": "bind", "source": "'"$src/inner"'", "options": ["rbind", "ro"]}'
	add_mount '{"destination": "/flat", "type": "bind", "source": "'"$src/inner"'", "options": ["bind"]}'
	userns_bundle
	run_in_with_submount "$BATS_TEST_TMPDIR/sub-src" "$src/inner/sub" \
		'cat /data/file /data/sub/f; touch /data/x 2>&1; ls /flat/sub | wc -l; ls /proc/1/fd | tr "\n" " "'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = secret-but-shared ]
	[ "${lines[1]}" = from-submount ]
	[[ "${lines[2]}" == *"Read-only file system"* ]]
	# A plain bind does not take the submount along.
	[ "${lines[3]}" = 0 ]
	# No detached mount reached the container's process.
	[ "${lines[4]}" = "0 1 2 " ]
}

@test "user namespace without mappings is refused" {
	cfg '.linux.namespaces += [{"type":"user"}] | del(.linux.uidMappings, .linux.gidMappings)'
	run_expect_fail hr create --bundle "$BUNDLE" c1
	assert_one_line_error
	[[ "$output" == *Mappings* ]] || [[ "$output" == *mapped* ]]
	assert_nothing_left
}

@test "cgroup namespace: the container sees its cgroup as /" {
	[ "$(jq '[.linux.namespaces[] | select(.type == "cgroup")] | length' "$BUNDLE/config.json")" = 1 ]
	run_in 'cat /proc/self/cgroup'
	[ "$status" -eq 0 ]
	# Every hierarchy the container was placed in shows as its root.
	local line
	for line in "${lines[@]}"; do
		[ "${line##*:}" = / ] || { echo "not at the root: $line" >&2; return 1; }
	done
}

@test "time namespace: offsets are applied" {
	[ -e /proc/self/ns/time ] || skip "this kernel has no time namespaces"
	cfg '.linux.namespaces += [{"type":"time"}] | .linux.timeOffsets = {"monotonic": {"secs": 86400, "nanosecs": 0}, "boottime": {"secs": 172800, "nanosecs": 0}}'
	run_in 'cat /proc/self/timens_offsets; cut -d. -f1 /proc/uptime'
	[ "$status" -eq 0 ]
	[[ "$output" =~ monotonic[[:space:]]+86400[[:space:]]+0 ]]
	[[ "$output" =~ boottime[[:space:]]+172800[[:space:]]+0 ]]
	# /proc/uptime counts boottime, which now starts two days later.
	[ "${lines[2]}" -ge $(($(cut -d. -f1 /proc/uptime) + 172800 - 5)) ]
}

@test "joining another container's namespaces by path" {
	args sleep 100
	cfg '.hostname = "first"'
	run_detached c1
	local pid
	pid=$(state_field c1 pid)
	cfg --arg net "/proc/$pid/ns/net" --arg uts "/proc/$pid/ns/uts" --arg ipc "/proc/$pid/ns/ipc" \
		--arg cg "$CGPARENT/c2" '.hostname = null | .linux.cgroupsPath = $cg | .linux.namespaces = [.linux.namespaces[] | if .type == "network" then .path = $net elif .type == "uts" then .path = $uts elif .type == "ipc" then .path = $ipc else . end]'
	run_in 'readlink /proc/self/ns/net; readlink /proc/self/ns/uts; hostname' c2
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$(ns_of "$pid" net)" ]
	[ "${lines[1]}" = "$(ns_of "$pid" uts)" ]
	[ "${lines[2]}" = first ]
	hr delete --force c1
}

@test "joining a namespace path that is not a namespace is refused" {
	cfg --arg p "$BUNDLE/config.json" '.linux.namespaces = [.linux.namespaces[] | if .type == "network" then .path = $p else . end]'
	run_expect_fail hr create --bundle "$BUNDLE" c1
	assert_one_line_error network
	assert_nothing_left
}
