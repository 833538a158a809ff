#!/usr/bin/env bats
# The command line itself: spec, features, version, help, logging.

load helpers

setup() { hull_common_setup; }
teardown() { hull_common_teardown; }

@test "spec writes a config that runs as it is, and refuses to overwrite" {
	local dir=$BATS_TEST_TMPDIR/specdir
	mkdir -p "$dir"
	cp -a "$BUNDLE/rootfs" "$dir/rootfs"
	run "$HULL_RUNTIME" spec --bundle "$dir"
	[ "$status" -eq 0 ]
	jq -e '.ociVersion and .process.args and .root.path == "rootfs" and (.linux.namespaces | length) >= 5' "$dir/config.json"
	jq '.process.terminal = false | .process.args = ["sh", "-c", "echo spec-ok"] | .linux.cgroupsPath = "'"$CGPARENT"'/spec"' "$dir/config.json" >"$dir/c" && mv "$dir/c" "$dir/config.json"
	run hr run --bundle "$dir" c1
	[ "$status" -eq 0 ]
	[ "$output" = spec-ok ]
	run "$HULL_RUNTIME" spec --bundle "$dir"
	assert_one_line_error config.json exists
}

@test "spec --rootless maps the caller and drops what needs privileges" {
	local dir=$BATS_TEST_TMPDIR/rootless
	mkdir -p "$dir"
	run "$HULL_RUNTIME" spec --rootless --bundle "$dir"
	[ "$status" -eq 0 ]
	jq -e '[.linux.namespaces[].type] | index("user") != null and index("network") == null' "$dir/config.json"
	jq -e '.linux.uidMappings[0] == {"containerID": 0, "hostID": 0, "size": 1}' "$dir/config.json"
	jq -e '.linux.resources == null' "$dir/config.json"
	# And it runs: in a user namespace that maps the caller.
	cp -a "$BUNDLE/rootfs" "$dir/rootfs"
	jq '.process.terminal = false | .process.args = ["cat", "/proc/self/uid_map"] | .linux.cgroupsPath = "'"$CGPARENT"'/rl"' "$dir/config.json" >"$dir/c" && mv "$dir/c" "$dir/config.json"
	run hr run --bundle "$dir" c1
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^[[:space:]]*0[[:space:]]+0[[:space:]]+1$ ]]
}

@test "features describes what this build understands" {
	run "$HULL_RUNTIME" features
	[ "$status" -eq 0 ]
	printf '%s' "$output" | jq -e '.ociVersionMax == "1.2.0" and (.hooks | length) == 6'
	printf '%s' "$output" | jq -e '.linux.namespaces | index("time") != null and index("cgroup") != null'
	printf '%s' "$output" | jq -e '.linux.capabilities | index("CAP_SYS_ADMIN") != null'
	printf '%s' "$output" | jq -e '.mountOptions | index("rbind") != null and index("rro") != null and index("idmap") != null and index("ridmap") != null'
	printf '%s' "$output" | jq -e '.linux.mountExtensions.idmap.enabled'
	printf '%s' "$output" | jq -e '.linux.seccomp.enabled and (.linux.seccomp.actions | index("SCMP_ACT_NOTIFY") != null)'
}

@test "--version names the version and the runtime spec" {
	run "$HULL_RUNTIME" --version
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^hull-runtime\ version\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
	[ "${lines[1]}" = "spec: 1.2.0" ]
}

@test "--help and COMMAND --help describe usage" {
	run "$HULL_RUNTIME" --help
	[ "$status" -eq 0 ]
	local c
	for c in create start run state kill delete list spec features; do
		[[ "$output" == *"  $c "* ]] || { echo "--help does not list $c" >&2; return 1; }
	done
	run "$HULL_RUNTIME" create --help
	[ "$status" -eq 0 ]
	[[ "$output" == *--console-socket* ]]
	[[ "$output" == *--preserve-fds* ]]
}

@test "--log with --log-format json writes one JSON object per message" {
	run hr --log "$BATS_TEST_TMPDIR/log.json" --log-format json state missing
	assert_one_line_error missing
	[ "$(wc -l <"$BATS_TEST_TMPDIR/log.json")" -eq 1 ]
	jq -e '.level == "error" and (.msg | contains("missing")) and (.time | test("^[0-9]{4}-"))' "$BATS_TEST_TMPDIR/log.json"
}

@test "--log text and --debug" {
	run hr --log "$BATS_TEST_TMPDIR/log.txt" --debug run --bundle "$BUNDLE" c1
	[ "$status" -eq 0 ]
	grep -q ' debug: ' "$BATS_TEST_TMPDIR/log.txt"
	run hr --log-format yaml list
	assert_one_line_error log-format yaml
}

@test "the systemd cgroup manager without systemd on the host is refused with a clear message" {
	[ ! -d /run/systemd/system ] || skip "systemd runs this host: cgroups.bats uses the manager for real"
	run_expect_fail hr --systemd-cgroup run --bundle "$BUNDLE" c1
	assert_one_line_error systemd /run/systemd/system cgroupfs
	run_expect_fail hr --cgroup-manager systemd run --bundle "$BUNDLE" c1
	assert_one_line_error systemd cgroupfs
	assert_nothing_left
}

@test "a container created by one invocation is managed by another with the same --root" {
	args sleep 100
	hr create --bundle "$BUNDLE" c1 </dev/null >/dev/null 2>&1
	run "$HULL_RUNTIME" --root "$STATE" list -q
	[ "$output" = c1 ]
	run "$HULL_RUNTIME" --root "$BATS_TEST_TMPDIR/other" list -q
	[ -z "$output" ]
	hr delete --force c1
}
