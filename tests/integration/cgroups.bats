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
	run_memory_hog
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

# The CPU time (utime + stime, in ticks) of the container's busy loop; it stops moving while frozen.
counter() { awk '{ print $14 + $15 }' "/proc/$(state_field c1 pid)/stat"; }

@test "pause freezes every process, resume thaws them; state says paused" {
	args sh -c 'while :; do :; done'
	hr run -d --bundle "$BUNDLE" c1
	sleep 0.2
	hr pause c1
	[ "$(state_field c1 status)" = paused ]
	# The freeze is the unified hierarchy's cgroup.freeze where the host has one.
	if [ -e /sys/fs/cgroup/unified/cgroup.procs ]; then
		grep -q 'frozen 1' "$(jq -r '.hull.cgroups[] | select(contains("/unified/"))' "$STATE/c1/state.json")/cgroup.events"
	fi
	a=$(counter); sleep 0.3; b=$(counter)
	[ "$a" -eq "$b" ]
	run_expect_fail hr delete c1
	assert_one_line_error delete c1 paused
	hr resume c1
	[ "$(state_field c1 status)" = running ]
	sleep 0.3
	[ "$(counter)" -gt "$b" ]
	run_expect_fail hr resume c1
	assert_one_line_error resume c1 "not paused"
	hr delete --force c1
	assert_nothing_left
}

@test "a paused container can be killed and deleted" {
	args sleep 100
	hr run -d --bundle "$BUNDLE" c1
	hr pause c1
	hr kill c1 KILL
	wait_status c1 stopped
	hr delete c1
	assert_nothing_left
}

@test "update changes limits of a running container, from flags and from --resources" {
	cfg '.linux.resources = {"memory": {"limit": 67108864}, "pids": {"limit": 100}}'
	args sleep 100
	hr run -d --bundle "$BUNDLE" c1
	hr update --memory 32m --pids-limit 20 c1
	mem=$(jq -r '.hull.cgroups[] | select(contains("/memory/"))' "$STATE/c1/state.json")
	pids=$(jq -r '.hull.cgroups[] | select(contains("/pids/"))' "$STATE/c1/state.json")
	[ "$(cat "$mem/memory.limit_in_bytes")" = 33554432 ]
	[ "$(cat "$pids/pids.max")" = 20 ]
	echo '{"pids": {"limit": 7}, "cpu": {"shares": 256}}' | hr update -r - c1
	[ "$(cat "$pids/pids.max")" = 7 ]
	# The saved config follows, so that a later reader sees the current limits.
	[ "$(jq -c '.linux.resources.pids' "$STATE/c1/config.json")" = '{"limit":7}' ]
	[ "$(jq -c '.linux.resources.memory.limit' "$STATE/c1/config.json")" = 33554432 ]
	run_expect_fail hr update --memory lots c1
	assert_one_line_error update --memory lots
	run_expect_fail hr update --pids-limit 5 nosuch
	assert_one_line_error update nosuch
	hr delete --force c1
}

@test "ps lists the container's processes as a table and as json" {
	args sh -c 'sleep 100 & exec sleep 101'
	hr run -d --bundle "$BUNDLE" c1
	for _ in $(seq 50); do [ "$(hr ps --format json c1 | jq length)" = 2 ] && break; sleep 0.05; done
	[ "$(hr ps --format json c1 | jq length)" = 2 ]
	pid=$(state_field c1 pid)
	hr ps --format json c1 | jq -e --argjson p "$pid" 'index($p) != null'
	run hr ps c1
	[[ "${lines[0]}" == *PID* ]]
	[ "${#lines[@]}" -eq 3 ]
	[[ "$output" == *"sleep 101"* ]]
	hr delete --force c1
}

@test "kill --all with KILL empties the cgroup; a container in the host pid namespace is killed and deleted" {
	cfg 'del(.linux.namespaces[] | select(.type == "pid"))'
	args sh -c 'sleep 100 & sleep 100 & exec sleep 100'
	hr run -d --bundle "$BUNDLE" c1
	for _ in $(seq 50); do [ "$(hr ps --format json c1 | jq length)" = 3 ] && break; sleep 0.05; done
	pids=$(hr ps --format json c1 | jq -r '.[]')
	[ "$(echo "$pids" | wc -l)" -eq 3 ]
	hr kill --all c1 KILL
	for p in $pids; do
		for _ in $(seq 100); do process_gone "$p" && break; sleep 0.02; done
		process_gone "$p"
	done
	hr delete c1
	assert_nothing_left
}

@test "delete removes the cgroup even when processes linger in the host pid namespace" {
	cfg 'del(.linux.namespaces[] | select(.type == "pid"))'
	# The first process exits at once; its children stay in the cgroup.
	args sh -c 'sleep 100 & sleep 100 & exit 0'
	hr run -d --bundle "$BUNDLE" c1
	wait_status c1 stopped
	[ "$(hr ps --format json c1 | jq length)" -eq 2 ]
	hr delete c1
	assert_nothing_left
}

@test "the systemd cgroup manager puts the container in a transient scope with the limits" {
	[ -d /run/systemd/system ] || skip "systemd is not PID 1 on this host (no /run/systemd/system)"
	cfg --arg n "$CGPARENT" '.linux.cgroupsPath = "system.slice:hull-test:\($n)" |
		.linux.resources = {"pids": {"limit": 42}}'
	args sh -c 'cat /proc/self/cgroup; cat /sys/fs/cgroup/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids/pids.max'
	run hr --systemd-cgroup run --bundle "$BUNDLE" c1
	[ "$status" -eq 0 ]
	[[ "$output" == *"hull-test-$CGPARENT.scope"* ]] || [[ "$output" == *"0::/"* ]]
	[[ "$output" == *42* ]]
	run systemctl is-active "hull-test-$CGPARENT.scope"
	[ "$output" != active ]
}

@test "events --stats reports usage and limits; events reports an OOM kill and ends with the container" {
	cfg '.linux.resources = {"memory": {"limit": 16777216, "swap": 16777216}, "pids": {"limit": 50}}'
	args sleep 1000
	hr run -d --bundle "$BUNDLE" c1
	run hr events --stats c1
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.type == "stats" and .id == "c1" and .data.memory.usage.limit == 16777216 and
		.data.memory.usage.usage > 0 and .data.pids.current == 1 and .data.pids.limit == 50 and
		.data.cpu.usage.total > 0'
	hr events --interval 100ms c1 >"$BATS_TEST_TMPDIR/events" &
	events=$!
	sleep 0.3
	run hr exec c1 sh -c 'x=$(head -c 100000000 /dev/zero | tr "\0" a)'
	[ "$status" -ne 0 ]
	sleep 0.3
	hr kill c1 KILL
	# events ends by itself once the container has stopped.
	wait "$events"
	grep -q '"type":"oom"' "$BATS_TEST_TMPDIR/events"
	[ "$(grep -c '"type":"stats"' "$BATS_TEST_TMPDIR/events")" -ge 3 ]
	run_expect_fail hr events --interval soon c1
	assert_one_line_error events --interval soon
	hr delete c1
}

# The container's directory in the hierarchy holding CONTROLLER ("" for the unified one).
container_cgroup() {
	jq -r --arg c "$2" '.hull.cgroups[] | select(if $c == "" then contains("/unified/") else contains("/" + $c + "/") end)' "$STATE/$1/state.json"
}

@test "exec --cgroup joins a sub-cgroup of the container and refuses .. and missing ones" {
	args sleep 100
	run_detached c1
	local mem pids
	mem=$(container_cgroup c1 memory)
	pids=$(container_cgroup c1 pids)
	local d
	for d in $(jq -r '.hull.cgroups[]' "$STATE/c1/state.json"); do mkdir "$d/sub"; done
	hr exec -d --pid-file "$BATS_TEST_TMPDIR/a.pid" --cgroup sub c1 sleep 50
	grep -q "^[0-9]*:memory:.*/c/sub$" "/proc/$(cat "$BATS_TEST_TMPDIR/a.pid")/cgroup"
	grep -q "^[0-9]*:pids:.*/c/sub$" "/proc/$(cat "$BATS_TEST_TMPDIR/a.pid")/cgroup"
	# Only in memory: pids stays the container's own.
	hr exec -d --pid-file "$BATS_TEST_TMPDIR/b.pid" --cgroup memory:sub c1 sleep 50
	grep -q "^[0-9]*:memory:.*/c/sub$" "/proc/$(cat "$BATS_TEST_TMPDIR/b.pid")/cgroup"
	grep -q "^[0-9]*:pids:.*/c$" "/proc/$(cat "$BATS_TEST_TMPDIR/b.pid")/cgroup"
	run_expect_fail hr exec --cgroup ../.. c1 true
	[ "$status" -eq 255 ]
	assert_one_line_error exec c1 "--cgroup" ".."
	run_expect_fail hr exec --cgroup /etc c1 true
	assert_one_line_error exec c1 "--cgroup" relative
	run_expect_fail hr exec --cgroup nosuch c1 true
	assert_one_line_error exec c1 nosuch
	# delete --force removes the sub-cgroups with their processes.
	hr delete --force c1
	[ ! -d "$mem" ] && [ ! -d "$pids" ]
}

@test "a cgroup that already has processes is used with a warning" {
	args sleep 100
	run_detached c1
	run hr run -d --bundle "$BUNDLE" c2 </dev/null
	[ "$status" -eq 0 ]
	[[ "$output" == *"already has 1 process"* ]]
	hr delete --force c2
	hr delete --force c1
}

@test "delete --force of a container with processes in a child cgroup removes them all" {
	args sh -c 'mkdir /sys/fs/cgroup/memory/child /sys/fs/cgroup/pids/child 2>/dev/null; sleep 100'
	cfg '(.mounts[] | select(.type == "cgroup") | .options) |= map(select(. != "ro")) | .mounts |= map(if .type == "cgroup" then .options += ["rw"] else . end)'
	cfg '.linux.namespaces += [{"type": "cgroup"}]'
	run_detached c1
	local mem pid
	mem=$(container_cgroup c1 memory)
	for _ in $(seq 50); do [ -d "$mem/child" ] && break; sleep 0.1; done
	[ -d "$mem/child" ]
	# A process of the container moved into the child cgroup.
	hr exec -d --pid-file "$BATS_TEST_TMPDIR/p.pid" c1 sleep 60
	pid=$(cat "$BATS_TEST_TMPDIR/p.pid")
	echo "$pid" >"$mem/child/cgroup.procs"
	hr delete --force c1
	[ ! -d "$mem" ]
	process_gone "$pid"
}

@test "cpu.rt_runtime_us is granted, the cgroups between the root and the container raised to it" {
	[ -e /sys/fs/cgroup/cpu/cpu.rt_runtime_us ] || skip "this host has no v1 cpu.rt_runtime_us (no RT group scheduling)"
	cfg '.linux.cgroupsPath = "'"$CGPARENT"'/a/b" | .linux.resources = {"cpu": {"realtimeRuntime": 10000, "realtimePeriod": 1000000}}'
	args sh -c 'cat /sys/fs/cgroup/cpu/cpu.rt_runtime_us /sys/fs/cgroup/cpu/cpu.rt_period_us'
	run hr run --bundle "$BUNDLE" c1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 10000 ]
	[ "${lines[1]}" = 1000000 ]
}

# The init never runs outside its cgroup: clone3 puts it there as it is made, directly and through the
# intermediate a time namespace needs (it forks the init inside the cgroup).
@test "on the v2 hierarchy the init is born in its cgroup (clone3 CLONE_INTO_CGROUP)" {
	[ -e /sys/fs/cgroup/unified/cgroup.procs ] || [ -e /sys/fs/cgroup/cgroup.procs ] ||
		skip "no cgroup v2 hierarchy on this host"
	args true
	ASAN_OPTIONS=detect_leaks=0 strace -f -qq -e trace=clone3 -o "$BATS_TEST_TMPDIR/direct" \
		"$HULL_RUNTIME" --root "$STATE" run --bundle "$BUNDLE" c1
	cat "$BATS_TEST_TMPDIR/direct"
	grep -q 'CLONE_NEWPID.*CLONE_INTO_CGROUP' "$BATS_TEST_TMPDIR/direct"
	cfg '.linux.namespaces += [{"type":"time"}]'
	ASAN_OPTIONS=detect_leaks=0 strace -f -qq -e trace=clone3 -o "$BATS_TEST_TMPDIR/intermediate" \
		"$HULL_RUNTIME" --root "$STATE" run --bundle "$BUNDLE" c2
	cat "$BATS_TEST_TMPDIR/intermediate"
	grep -q 'CLONE_INTO_CGROUP' "$BATS_TEST_TMPDIR/intermediate"
}
