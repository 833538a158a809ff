#!/usr/bin/env bats
# Bad input: one clear line naming what is wrong, a non-zero exit, and nothing left behind.

load helpers

setup() { hull_common_setup; }
teardown() { hull_common_teardown; }

create_fails() {
	run_expect_fail hr create --bundle "$BUNDLE" "${1:-c1}"
	assert_one_line_error "${@:2}"
	assert_nothing_left
}

@test "malformed JSON" {
	echo '{"ociVersion": "1.0.2", "root": ' >"$BUNDLE/config.json"
	create_fails c1 create c1 config.json JSON
}

@test "wrong type for a field" {
	cfg '.process.user.uid = "zero"'
	create_fails c1 process.user.uid
}

@test "unknown namespace" {
	cfg '.linux.namespaces += [{"type": "bogus"}]'
	create_fails c1 bogus linux.namespaces
}

@test "relative mount destination" {
	cfg '.mounts += [{"destination": "mnt", "type": "tmpfs", "source": "tmpfs"}]'
	create_fails c1 mounts destination
}

@test "relative namespace path" {
	cfg '.linux.namespaces = [.linux.namespaces[] | if .type == "network" then .path = "run/netns/x" else . end]'
	create_fails c1 namespaces path
}

@test "a seccomp profile that cannot be applied as written is refused, not skipped" {
	cfg '.linux.seccomp = {"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_SOMETIMES"}]}'
	create_fails c1 linux.seccomp.syscalls SCMP_ACT_SOMETIMES
}

@test "missing root directory" {
	rm -rf "$BUNDLE/rootfs"
	create_fails c1 rootfs
}

@test "missing root in config" {
	cfg 'del(.root)'
	create_fails c1 root
}

@test "missing config.json" {
	rm "$BUNDLE/config.json"
	create_fails c1 config.json
}

@test "missing bundle directory" {
	run_expect_fail hr create --bundle "$BATS_TEST_TMPDIR/nope" c1
	assert_one_line_error c1 nope
	assert_nothing_left
}

@test "invalid container ids" {
	for id in 'a/b' '..' '.' '../escape' 'a b' ''; do
		run_expect_fail hr create --bundle "$BUNDLE" "$id"
		assert_one_line_error "invalid container id"
	done
	assert_nothing_left
	[ ! -e "$BATS_TEST_TMPDIR/escape" ]
}

@test "duplicate id" {
	args sleep 100
	hr create --bundle "$BUNDLE" c1
	run_expect_fail hr create --bundle "$BUNDLE" c1
	assert_one_line_error c1 exists
	# The first container is untouched.
	[ "$(state_field c1 status)" = created ]
	hr delete --force c1
	assert_nothing_left
}

@test "signal name that does not exist" {
	args sleep 100
	hr create --bundle "$BUNDLE" c1
	run hr kill c1 SIGNOPE
	assert_one_line_error kill c1 SIGNOPE
	[ "$(state_field c1 status)" = created ]
	hr delete --force c1
}

@test "start on a container that is not created" {
	args sleep 100
	run_detached c1
	run hr start c1
	assert_one_line_error start c1 running
	hr kill c1 KILL
	wait_status c1 stopped
	run hr start c1
	assert_one_line_error start c1 stopped
	hr delete c1
	run hr start c1
	assert_one_line_error start c1 "does not exist"
}

@test "operations on a container that does not exist" {
	for cmd in state start delete "kill"; do
		run hr $cmd ghost
		assert_one_line_error ghost "does not exist"
	done
}

@test "a failing mount leaves nothing behind" {
	cfg '.mounts += [{"destination": "/mnt", "type": "bind", "source": "/nonexistent/source", "options": ["bind"]}]'
	create_fails c1 /mnt /nonexistent/source
}

@test "an executable that does not exist fails create or start cleanly" {
	args /no/such/program
	run hr run --bundle "$BUNDLE" c1
	[ "$status" -ne 0 ]
	[[ "$output" == */no/such/program* ]]
	assert_nothing_left
}

@test "unknown command and unknown option" {
	run hr frobnicate
	assert_one_line_error frobnicate
	run_expect_fail hr create --no-such-flag c1
	assert_one_line_error no-such-flag
	run_expect_fail hr --no-such-global list
	assert_one_line_error "unknown global option \`--no-such-global\`" "see \`hull-runtime --help\`"
	[[ "$output" != *"hull-runtime: hull-runtime"* ]]
}

@test "the host's root as root.path, named or through a symlink, is refused as such" {
	cfg '.root.path = "/"'
	create_fails c1 "root.path \`/\`: is the host's root directory"
	ln -s / "$BUNDLE/hostroot"
	cfg '.root.path = "hostroot"'
	create_fails c1 "is the host's root directory (through a symlink)"
}

@test "a negative pids limit other than -1 is refused" {
	cfg '.linux.resources = {"pids": {"limit": -5}}'
	create_fails c1 linux.resources.pids.limit "below -1"
	cfg '.linux.resources = {"pids": {"limit": -1}}'
	hr run --bundle "$BUNDLE" c1
}

@test "a very long path in an error is cut to its start and its end" {
	local long=$BATS_TEST_TMPDIR/$(printf 'd%.0s' $(seq 600))/bundle
	run_expect_fail hr create --bundle "$long" c1
	assert_one_line_error "File name too long" "..."
	[ "${#output}" -lt 400 ]
	[[ "$output" == *"/bundle\`"* ]]
}
