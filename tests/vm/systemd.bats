#!/usr/bin/env bats
# Runs inside the test VM (tests/vm/run) with the host's systemd as PID 1, on the unified hierarchy
# (layout systemd) or hybrid (systemd-hybrid, as Debian 10 and Ubuntu 20.04 boot): the systemd cgroup
# manager (--systemd-cgroup, runc's flag; --cgroup-manager=systemd) through D-Bus, which these machines,
# without systemd as PID 1, cannot exercise.

load ../integration/helpers

setup() {
	hull_common_setup
	UNIT_NAME=${CGPARENT//[^a-zA-Z0-9]/-}
}
teardown() { hull_common_teardown; }

# The cgroup directories of the container's scope, one per hierarchy, from its state.
scope_dirs() {
	jq -r '.hull.cgroups[]' "$STATE/$1/state.json"
}

@test "systemd is PID 1 here, with its system bus" {
	[ -d /run/systemd/system ]
	[ "$(cat /proc/1/comm)" = systemd ]
	systemctl is-active dbus.service
	# The layout systemd was asked for.
	grep cgroup /proc/self/mounts
	[ "$(systemd-detect-virt)" != docker ]
	if [ "$HULL_VM_LAYOUT" = systemd-hybrid ]; then
		[ "$(stat -f -c %T /sys/fs/cgroup/unified)" = cgroup2fs ]
		[ "$(stat -f -c %T /sys/fs/cgroup/memory)" = cgroupfs ]
		grep -q '^[0-9]*:name=systemd:/' /proc/self/cgroup
	else
		[ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]
	fi
}

@test "a container runs in a transient scope of the slice its cgroupsPath names, with its limits" {
	cfg --arg n "$UNIT_NAME" '.linux.cgroupsPath = "system.slice:hull-test:\($n)" |
		.linux.resources = {"pids": {"limit": 42}, "memory": {"limit": 33554432}}'
	args sh -c 'cd /sys/fs/cgroup; cat pids.max 2>/dev/null || cat pids/pids.max
		cat memory.max 2>/dev/null || cat memory/memory.limit_in_bytes; grep -v ":/\$" /proc/self/cgroup || true'
	run hr --systemd-cgroup run --bundle "$BUNDLE" c1
	echo "$output"
	[ "$status" -eq 0 ]
	# The limits are the scope's; a cgroup namespace shows it as / in every hierarchy.
	[ "${lines[0]}" = 42 ]
	[ "${lines[1]}" = 33554432 ]
	[ "${#lines[@]}" -eq 2 ]
	# run removes the scope with the container.
	run systemctl is-active "hull-test-$UNIT_NAME.scope"
	[ "$output" != active ]
}

@test "create, exec, pause and delete act on the scope; delete stops it" {
	cfg --arg n "$UNIT_NAME" '.linux.cgroupsPath = "system.slice:hull-test:\($n)" | .process.args = ["sleep", "300"]'
	hr --systemd-cgroup create --bundle "$BUNDLE" c1
	local unit=hull-test-$UNIT_NAME.scope dirs d pid
	[ "$(systemctl is-active "$unit")" = active ]
	dirs=$(scope_dirs c1)
	[ -n "$dirs" ]
	for d in $dirs; do [[ "$d" == */system.slice/"$unit" ]] && [ -d "$d" ]; done
	[ "$(jq -r .hull.cgroupManager "$STATE/c1/state.json")" = systemd ]
	hr start c1
	pid=$(state_field c1 pid)
	grep -q "/system.slice/$unit\$" "/proc/$pid/cgroup"
	hr exec -d --pid-file "$BATS_TEST_TMPDIR/e.pid" c1 sleep 200
	[ "$(cat "/proc/$(cat "$BATS_TEST_TMPDIR/e.pid")/cgroup")" = "$(cat "/proc/$pid/cgroup")" ]
	hr pause c1
	[ "$(state_field c1 status)" = paused ]
	local frozen=no
	for d in $dirs; do
		grep -qs 'frozen 1' "$d/cgroup.events" && frozen=yes
		grep -qs FROZEN "$d/freezer.state" && frozen=yes
	done
	[ "$frozen" = yes ]
	hr resume c1
	[ "$(state_field c1 status)" = running ]
	# delete uses the manager that create used, whatever the flags say now.
	hr delete --force c1
	run systemctl is-active "$unit"
	[ "$output" != active ]
	for d in $dirs; do [ ! -d "$d" ]; done
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
	[ -z "$(find /sys/fs/cgroup -maxdepth 3 -name "hull-test-$UNIT_NAME.scope")" ]
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
