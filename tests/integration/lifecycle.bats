#!/usr/bin/env bats
# The OCI lifecycle: create leaves the process waiting, start runs it, state follows it, kill and delete.

load helpers

setup() { hull_common_setup; }
teardown() { hull_common_teardown; }

@test "create waits for start; state moves created -> running -> stopped" {
	args sh -c 'echo started > /tmp/marker; exec sleep 100'
	hr create --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/pid" c1
	[ "$(state_field c1 status)" = created ]
	pid=$(state_field c1 pid)
	[ "$(cat "$BATS_TEST_TMPDIR/pid")" = "$pid" ]
	[ "$(state_field c1 id)" = c1 ]
	[ "$(state_field c1 bundle)" = "$BUNDLE" ]
	[[ "$(state_field c1 ociVersion)" == 1.* ]]
	# Created but not started: the user process has not run yet.
	[ ! -e "$BUNDLE/rootfs/tmp/marker" ]
	hr start c1
	[ "$(state_field c1 status)" = running ]
	for _ in $(seq 50); do [ -e "$BUNDLE/rootfs/tmp/marker" ] && break; sleep 0.05; done
	[ "$(cat "$BUNDLE/rootfs/tmp/marker")" = started ]
	# The container's pid 1 is the process in the state.
	[ "$(readlink /proc/"$pid"/exe)" = "$(readlink -f "$BUNDLE/rootfs/bin/busybox")" ] ||
		[[ "$(readlink /proc/"$pid"/exe)" == */bin/busybox ]]
	hr kill c1 KILL
	wait_status c1 stopped
	hr delete c1
	run hr state c1
	[ "$status" -ne 0 ]
}

@test "annotations appear in the state" {
	cfg '.annotations = {"org.example.k": "v"}'
	args sleep 100
	hr create --bundle "$BUNDLE" c1
	[ "$(hr state c1 | jq -r '.annotations["org.example.k"]')" = v ]
	hr delete --force c1
}

@test "run returns the exit status of the container process" {
	run_in 'exit 7'
	[ "$status" -eq 7 ]
	[ -z "$(state_entries)" ]
}

@test "run prints the container's output and cleans up" {
	run_in 'echo out; echo err >&2'
	[ "$status" -eq 0 ]
	[[ "$output" == *out* ]]
	[[ "$output" == *err* ]]
	assert_nothing_left
}

@test "run reports a signal death as 128+signal" {
	args sleep 100
	hr run --bundle "$BUNDLE" c1 </dev/null >/dev/null 2>&1 &
	runner=$!
	wait_status c1 running
	hr kill c1 KILL
	# `run wait` would wait from a subshell, which does not own the job.
	status=0
	wait "$runner" || status=$?
	[ "$status" -eq 137 ]
	assert_nothing_left
}

@test "run -d detaches and leaves a running container" {
	args sleep 100
	run_detached c1
	[ "$(state_field c1 status)" = running ]
	hr delete --force c1
	assert_nothing_left
}

@test "kill sends the named signal; numbers and SIG prefixes work" {
	args sh -c 'trap "echo got-usr1 > /tmp/sig; exit 0" USR1; while :; do sleep 0.05; done'
	run_detached c1
	sleep 0.2
	hr kill c1 SIGUSR1
	for _ in $(seq 50); do [ -e "$BUNDLE/rootfs/tmp/sig" ] && break; sleep 0.05; done
	[ "$(cat "$BUNDLE/rootfs/tmp/sig")" = got-usr1 ]
	wait_status c1 stopped
	hr delete c1
}

@test "kill --all reaches every process of the container" {
	args sh -c 'sleep 100 & sleep 100 & wait'
	run_detached c1
	sleep 0.2
	hr kill --all c1 KILL
	wait_status c1 stopped
	hr delete c1
	assert_nothing_left
}

@test "delete of a running container needs --force" {
	args sleep 100
	run_detached c1
	run hr delete c1
	assert_one_line_error delete c1 running
	[ "$(state_field c1 status)" = running ]
	hr delete --force c1
	assert_nothing_left
}

@test "delete --force of a created container kills its waiting process" {
	args sleep 100
	hr create --bundle "$BUNDLE" c1
	pid=$(state_field c1 pid)
	hr delete --force c1
	process_gone "$pid"
	assert_nothing_left
}

@test "list shows containers as a table, ids only, and json" {
	args sleep 100
	hr create --bundle "$BUNDLE" c1
	run_detached c2
	run hr list
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == ID* ]]
	[[ "$output" == *c1*created* ]]
	[[ "$output" == *c2*running* ]]
	run hr list -q
	[ "$output" = "$(printf 'c1\nc2')" ]
	run hr list --format json
	[ "$(echo "$output" | jq -r '.[] | select(.id == "c2") | .status')" = running ]
	[ "$(echo "$output" | jq length)" -eq 2 ]
	hr delete --force c1
	hr delete --force c2
}

@test "the state root is created with --root and per container" {
	args sleep 100
	hr create --bundle "$BUNDLE" c1
	[ -d "$STATE/c1" ]
	[ "$(stat -c %a "$STATE/c1")" = 700 ]
	hr delete --force c1
	[ ! -e "$STATE/c1" ]
}
