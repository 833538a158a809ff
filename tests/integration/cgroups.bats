#!/usr/bin/env bats
# linux.resources read back from the container's own cgroup files, and shown acting: the OOM killer, a
# fork bomb against pids.max, device rules (v1 controller and eBPF), pause, update, ps.

load helpers

setup() { hull_common_setup; }
teardown() { hull_common_teardown; }

@test "resource limits are written to the container's cgroups" {
	cfg '.linux.resources = {"memory": {"limit": 67108864, "reservation": 33554432, "swap": 134217728, "swappiness": 10},
		"cpu": {"shares": 512, "quota": 50000, "period": 100000, "cpus": "0", "mems": "0"},
		"pids": {"limit": 50}}'
	args sh -c 'cd /sys/fs/cgroup; cat memory/memory.limit_in_bytes memory/memory.soft_limit_in_bytes \
		memory/memory.memsw.limit_in_bytes memory/memory.swappiness cpu/cpu.shares cpu/cpu.cfs_quota_us \
		cpu/cpu.cfs_period_us cpuset/cpuset.cpus pids/pids.max'
	run hr run --bundle "$BUNDLE" c1
	[ "$status" -eq 0 ]
	[ "${lines[*]}" = "67108864 33554432 134217728 10 512 50000 100000 0 50" ]
}

@test "a memory hog is killed by the OOM killer at the memory limit" {
	cfg '.linux.resources = {"memory": {"limit": 16777216, "swap": 16777216}}'
	args sh -c 'x=$(head -c 100000000 /dev/zero | tr "\0" a); echo survived'
	run hr run --bundle "$BUNDLE" c1
	echo "status $status: $output"
	[ "$status" -eq 137 ]
	[[ "$output" != *survived* ]]
}

@test "a fork bomb stops at pids.max" {
	cfg '.linux.resources = {"pids": {"limit": 10}}'
	# The bomb runs in a subshell, which dies when fork fails; then only shell builtins, as the sleeps
	# hold every pid.
	args sh -c '(i=0; while [ $i -lt 40 ]; do sleep 2 & i=$((i + 1)); done) 2>/dev/null
		read n </sys/fs/cgroup/pids/pids.current; echo $n; read e </sys/fs/cgroup/pids/pids.events; echo $e'
	run hr run --bundle "$BUNDLE" c1
	echo "$output"
	[ "${lines[0]}" -le 10 ]
	[[ "${lines[1]}" =~ ^max\ [1-9] ]]
}

@test "device rules: denied devices cannot be opened, defaults still work (v1 controller)" {
	cfg '.linux.resources.devices = [{"allow": false, "access": "rwm"},
		{"allow": false, "type": "c", "major": 1, "minor": 5, "access": "r"}]'
	args sh -c 'echo x > /dev/null && echo null-ok; head -c1 /dev/zero >/dev/null || echo zero-denied; grep -c . /sys/fs/cgroup/devices/devices.list'
	run hr run --bundle "$BUNDLE" c1
	[[ "$output" == *null-ok* ]]
	[[ "$output" == *zero-denied* ]]
	[[ "$output" != *"a *:* rwm"* ]]
}

@test "device rules: the eBPF program on the v2 cgroup enforces them" {
	[ -e /sys/fs/cgroup/unified/cgroup.procs ] || [ -e /sys/fs/cgroup/cgroup.procs ] ||
		skip "no cgroup v2 hierarchy on this host"
	cfg '.linux.resources.devices = [{"allow": false, "access": "rwm"},
		{"allow": false, "type": "c", "major": 1, "minor": 5, "access": "r"}]'
	args sh -c 'echo x > /dev/null && echo null-ok; head -c1 /dev/zero >/dev/null || echo zero-denied; echo y > /dev/zero && echo zero-write-ok'
	HULL_DEVICE_CGROUP=bpf run hr run --bundle "$BUNDLE" c1
	[[ "$output" == *null-ok* ]]
	[[ "$output" == *zero-denied* ]]
	[[ "$output" == *zero-write-ok* ]]
}

@test "bad resource values are refused before anything exists" {
	cfg '.linux.resources = {"memory": {"limit": 0}}'
	run_expect_fail hr create --bundle "$BUNDLE" c1
	assert_one_line_error create c1 memory.limit
	cfg '.linux.resources = {"cpu": {"shares": "lots"}}'
	run_expect_fail hr create --bundle "$BUNDLE" c1
	assert_one_line_error create cpu.shares string
	cfg '.linux.resources = {"devices": [{"allow": true, "access": "rwx"}]}'
	run_expect_fail hr create --bundle "$BUNDLE" c1
	assert_one_line_error create devices access
	assert_nothing_left
}

@test "a resource the host lacks is named, and nothing is left" {
	cfg '.linux.resources = {"network": {"classID": 1048577}}'
	run_expect_fail hr create --bundle "$BUNDLE" c1
	assert_one_line_error create net_cls
	assert_nothing_left
}
