#!/usr/bin/env bats
# Runs inside the test VM (tests/vm/run), once per cgroup layout these machines lack: pure v2 with the
# kernel's controllers, and v1 with a stock systemd host's co-mounts (cpu,cpuacct, net_cls,net_prio,
# name=systemd,xattr).  The same checks as cgroups.bats, written for whichever layout HULL_VM_LAYOUT names.

load ../integration/helpers

setup() { hull_common_setup; }
teardown() { hull_common_teardown; }

# The container's cgroup directory holding CONTROLLER, from its state ("" : the v2 one).
container_dir() {
	jq -r --arg c "$2" '.hull.cgroups[] | select($c == "" or contains("/" + $c))' "$STATE/$1/state.json" | head -1
}

@test "the default spec from hull-runtime spec runs, with its cgroup mount" {
	(cd "$BUNDLE" && rm config.json && "$HULL_RUNTIME" spec)
	cfg '.root.readonly = false | .process.terminal = false | .linux.cgroupsPath = "'"$CGPARENT"'/c"'
	args sh -c 'ls /sys/fs/cgroup; grep " /sys/fs/cgroup" /proc/self/mounts | wc -l'
	run hr run --bundle "$BUNDLE" c1
	echo "$output"
	[ "$status" -eq 0 ]
	if [ "$HULL_VM_LAYOUT" = v1 ]; then
		# Co-mounted hierarchies: one directory named after all controllers, a symlink for each.
		[[ "$output" == *"cpu,cpuacct"* ]]
		[[ "$output" == *"net_cls,net_prio"* ]]
		[[ "$output" == *systemd* ]]
		[[ "$output" != *xattr* ]]
	else
		[[ "$output" == *memory.max* ]]
	fi
}

@test "memory, pids and cpu limits are written where this layout keeps them" {
	cfg '.linux.resources = {"memory": {"limit": 33554432}, "pids": {"limit": 40}, "cpu": {"shares": 512}}'
	if [ "$HULL_VM_LAYOUT" = v1 ]; then
		args sh -c 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/cpu/cpu.shares'
	else
		args sh -c 'cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max /sys/fs/cgroup/cpu.weight'
	fi
	run hr run --bundle "$BUNDLE" c1
	echo "$output"
	[ "$status" -eq 0 ]
	if [ "$HULL_VM_LAYOUT" = v1 ]; then
		[ "${lines[*]}" = "33554432 40 512" ]
	else
		# shares 512 is weight 50 by crun's conversion (1024 -> 100).
		[ "${lines[0]}" = 33554432 ] && [ "${lines[1]}" = 40 ] && [ "${lines[2]}" -ge 40 ] && [ "${lines[2]}" -le 60 ]
	fi
}

@test "a memory hog is killed by the OOM killer at the limit" {
	run_memory_hog
	[ "$status" -eq 137 ]
	[[ "$output" != *survived* ]]
}

@test "exec joins every cgroup of the container; pause, resume and delete act on all of them" {
	args sleep 300
	run_detached c1
	local pid
	pid=$(state_field c1 pid)
	hr exec -d --pid-file "$BATS_TEST_TMPDIR/e.pid" c1 sleep 200
	[ "$(cat "/proc/$(cat "$BATS_TEST_TMPDIR/e.pid")/cgroup")" = "$(cat "/proc/$pid/cgroup")" ]
	hr pause c1
	[ "$(state_field c1 status)" = paused ]
	hr resume c1
	[ "$(state_field c1 status)" = running ]
	local dirs
	dirs=$(jq -r '.hull.cgroups[]' "$STATE/c1/state.json")
	[ -n "$dirs" ]
	hr delete --force c1
	local d
	for d in $dirs; do [ ! -d "$d" ]; done
}

@test "device rules deny what they say on this layout, also after update" {
	cfg '.linux.resources.devices = [{"allow": false, "access": "rwm"}, {"allow": true, "type": "c", "major": 1, "minor": 3, "access": "rwm"}]'
	# /dev/kmsg (c 1:11) is neither a default device nor allowed: neither made nor opened.
	args sh -c 'echo x >/dev/null && echo null-ok; { mknod /tmp/k c 1 11 && cat /tmp/k; } >/dev/null 2>&1 || echo kmsg-denied; sleep 100'
	run_detached c1
	for _ in $(seq 50); do grep -q kmsg-denied "$BATS_TEST_TMPDIR/c1.log" && break; sleep 0.2; done
	cat "$BATS_TEST_TMPDIR/c1.log"
	grep -q null-ok "$BATS_TEST_TMPDIR/c1.log"
	grep -q kmsg-denied "$BATS_TEST_TMPDIR/c1.log"
	printf '%s' '{"devices": [{"allow": false, "type": "c", "major": 1, "minor": 3, "access": "rwm"}]}' >"$BATS_TEST_TMPDIR/r.json"
	hr update -r "$BATS_TEST_TMPDIR/r.json" c1
	run hr exec c1 sh -c 'echo x >/dev/null && echo still-allowed || echo now-denied'
	echo "$output"
	[[ "$output" == *now-denied* ]]
	hr delete --force c1
}

@test "the init is born in its v2 cgroup (clone3 CLONE_INTO_CGROUP)" {
	[ "$HULL_VM_LAYOUT" = v2 ] || skip "the v1 co-mount layout has no unified hierarchy"
	args true
	ASAN_OPTIONS=detect_leaks=0 strace -f -qq -e trace=clone3 -o "$BATS_TEST_TMPDIR/trace" \
		"$HULL_RUNTIME" --root "$STATE" run --bundle "$BUNDLE" c1
	cat "$BATS_TEST_TMPDIR/trace"
	grep -q 'CLONE_INTO_CGROUP' "$BATS_TEST_TMPDIR/trace"
}
