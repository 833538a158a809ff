#!/usr/bin/env bats
# Runs inside the test VM (tests/vm/run) with the host's systemd as PID 1: the systemd cgroup manager
# (--systemd-cgroup, runc's flag; --cgroup-manager=systemd) through D-Bus, which these machines, without
# systemd as PID 1, cannot exercise.

load ../integration/helpers

setup() {
	hull_common_setup
	UNIT_NAME=${CGPARENT//[^a-zA-Z0-9]/-}
}
teardown() { hull_common_teardown; }

# The cgroup directory of the container's scope, from its state.
scope_dir() {
	jq -r '.hull.cgroups[0]' "$STATE/$1/state.json"
}

@test "systemd is PID 1 here, with its system bus" {
	[ -d /run/systemd/system ]
	[ "$(cat /proc/1/comm)" = systemd ]
	systemctl is-active dbus.service
}

@test "a container runs in a transient scope of the slice its cgroupsPath names, with its limits" {
	cfg --arg n "$UNIT_NAME" '.linux.cgroupsPath = "system.slice:hull-test:\($n)" |
		.linux.resources = {"pids": {"limit": 42}, "memory": {"limit": 33554432}}'
	args sh -c 'cat /proc/self/cgroup; cat /sys/fs/cgroup/pids.max /sys/fs/cgroup/memory.max'
	run hr --systemd-cgroup run --bundle "$BUNDLE" c1
	echo "$output"
	[ "$status" -eq 0 ]
	# A cgroup namespace shows the scope as /; the limits are the scope's.
	[ "${lines[0]}" = "0::/" ]
	[ "${lines[1]}" = 42 ]
	[ "${lines[2]}" = 33554432 ]
	# run removes the scope with the container.
	run systemctl is-active "hull-test-$UNIT_NAME.scope"
	[ "$output" != active ]
}

@test "create, exec, pause and delete act on the scope; delete stops it" {
	cfg --arg n "$UNIT_NAME" '.linux.cgroupsPath = "system.slice:hull-test:\($n)" | .process.args = ["sleep", "300"]'
	hr --systemd-cgroup create --bundle "$BUNDLE" c1
	local unit=hull-test-$UNIT_NAME.scope dir
	[ "$(systemctl is-active "$unit")" = active ]
	dir=$(scope_dir c1)
	[ "$dir" = "/sys/fs/cgroup/system.slice/$unit" ]
	[ "$(jq -r .hull.cgroupManager "$STATE/c1/state.json")" = systemd ]
	hr start c1
	hr exec -d --pid-file "$BATS_TEST_TMPDIR/e.pid" c1 sleep 200
	grep -qx "0::/system.slice/$unit" "/proc/$(cat "$BATS_TEST_TMPDIR/e.pid")/cgroup"
	hr pause c1
	grep -q 'frozen 1' "$dir/cgroup.events"
	hr resume c1
	# delete uses the manager that create used, whatever the flags say now.
	hr delete --force c1
	run systemctl is-active "$unit"
	[ "$output" != active ]
	[ ! -d "$dir" ]
}

@test "an empty cgroupsPath is system.slice:hull:ID, as runc makes it" {
	cfg 'del(.linux.cgroupsPath) | .process.args = ["sleep", "300"]'
	hr --cgroup-manager=systemd create --bundle "$BUNDLE" "c-$UNIT_NAME"
	[ "$(systemctl is-active "hull-c-$UNIT_NAME.scope")" = active ]
	[ "$(systemctl show -P Slice "hull-c-$UNIT_NAME.scope")" = system.slice ]
	hr delete --force "c-$UNIT_NAME"
	run systemctl is-active "hull-c-$UNIT_NAME.scope"
	[ "$output" != active ]
}

@test "a create that fails after the scope exists leaves no scope behind" {
	cfg --arg n "$UNIT_NAME" '.linux.cgroupsPath = "system.slice:hull-test:\($n)" | .process.cwd = "/etc/passwd"'
	run_expect_fail hr --systemd-cgroup create --bundle "$BUNDLE" c1
	assert_one_line_error
	run systemctl is-active "hull-test-$UNIT_NAME.scope"
	[ "$output" != active ]
	[ ! -d "/sys/fs/cgroup/system.slice/hull-test-$UNIT_NAME.scope" ]
	assert_nothing_left
}

@test "a memory hog in a scope is killed by the OOM killer at the limit" {
	cfg --arg n "$UNIT_NAME" '.linux.cgroupsPath = "system.slice:hull-test:\($n)"'
	cfg '.linux.resources = {"memory": {"limit": 16777216, "swap": 16777216}}'
	args sh -c 'x=$(head -c 100000000 /dev/zero | tr "\0" a); echo survived'
	run hr --systemd-cgroup run --bundle "$BUNDLE" c1
	echo "status $status: $output"
	[ "$status" -eq 137 ]
	[[ "$output" != *survived* ]]
}
