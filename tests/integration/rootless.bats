#!/usr/bin/env bats
# Rootless: an unprivileged user runs a container from `spec --rootless`, without cgroups; id ranges
# beyond the user's own id go through newuidmap/newgidmap and /etc/subuid, with clear errors when either
# is missing.

load helpers

RL_USER=hull-rootless-test

setup() {
	hull_common_setup
	RL_DIR=$BATS_TEST_TMPDIR/rl
	mkdir -p "$RL_DIR"
	cp -a "$HULL_TEST_ROOTFS" "$RL_DIR/rootfs"
	local d=$RL_DIR
	while [ "$d" != / ]; do
		d=$(dirname "$d")
		chmod o+x "$d"
	done
}

teardown() {
	if id "$RL_USER" >/dev/null 2>&1; then
		userdel "$RL_USER" 2>/dev/null || true
		sed -i "/^$RL_USER:/d" /etc/subuid /etc/subgid
	fi
	hull_common_teardown
}

# as UID CMD...: runs CMD as the user, with no runtime directory of its own.
as() {
	local uid=$1
	shift
	setpriv --reuid="$uid" --regid="$(id -g "$uid")" --clear-groups env -u XDG_RUNTIME_DIR HOME=/ "$@"
}

# rootless_bundle UID: spec --rootless written by the user, with a command that reports.
rootless_bundle() {
	chown "$1" "$RL_DIR"
	as "$1" "$HULL_RUNTIME" spec --rootless --bundle "$RL_DIR"
	jq '.process.terminal = false | .process.args = ["sh", "-c", "id -u; cat /proc/self/uid_map; grep Seccomp: /proc/self/status"]' \
		"$RL_DIR/config.json" >"$RL_DIR/c" && mv "$RL_DIR/c" "$RL_DIR/config.json"
	chown "$1" "$RL_DIR/config.json"
}

@test "an unprivileged user runs a container from spec --rootless, without cgroups" {
	rootless_bundle 65534
	run as 65534 "$HULL_RUNTIME" run --bundle "$RL_DIR" c1
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 0 ]
	[[ "${lines[1]}" =~ ^\ *0\ +65534\ +1$ ]]
	[[ "${lines[2]}" == *2 ]]
	# State under the user's own directory, gone after run.
	[ -z "$(ls -A /tmp/hull-65534 2>/dev/null | grep -v "^@seccomp-cache$")" ]
	# Limits need a cgroup the user cannot create: refused, not ignored.
	jq '.linux.resources = {"pids": {"limit": 10}}' "$RL_DIR/config.json" >"$RL_DIR/c" && mv "$RL_DIR/c" "$RL_DIR/config.json"
	run_expect_fail as 65534 "$HULL_RUNTIME" run --bundle "$RL_DIR" c1
	assert_one_line_error create c1 cgroup
	[ -z "$(ls -A /tmp/hull-65534 2>/dev/null | grep -v "^@seccomp-cache$")" ]
}

@test "id ranges from /etc/subuid go through newuidmap and newgidmap" {
	command -v newuidmap >/dev/null || skip "newuidmap is not installed"
	useradd --system --no-create-home --shell /usr/sbin/nologin "$RL_USER"
	uid=$(id -u "$RL_USER")
	gid=$(id -g "$RL_USER")
	echo "$RL_USER:300000:65536" >>/etc/subuid
	echo "$RL_USER:300000:65536" >>/etc/subgid
	rootless_bundle "$uid"
	jq --argjson u "$uid" --argjson g "$gid" '
		.linux.uidMappings = [{"containerID": 0, "hostID": $u, "size": 1}, {"containerID": 1, "hostID": 300000, "size": 65536}] |
		.linux.gidMappings = [{"containerID": 0, "hostID": $g, "size": 1}, {"containerID": 1, "hostID": 300000, "size": 65536}] |
		.process.args = ["sh", "-c", "cat /proc/self/uid_map /proc/self/gid_map; touch /tmp/f && chown 1000:1000 /tmp/f && echo chowned"] |
		.process.capabilities.bounding += ["CAP_CHOWN"] | .process.capabilities.effective += ["CAP_CHOWN"] |
		.process.capabilities.permitted += ["CAP_CHOWN"] | .root.readonly = false' "$RL_DIR/config.json" >"$RL_DIR/c" && mv "$RL_DIR/c" "$RL_DIR/config.json"
	chown "$uid" "$RL_DIR/config.json"
	chown -R "$uid:$gid" "$RL_DIR/rootfs/tmp"
	run as "$uid" "$HULL_RUNTIME" run --bundle "$RL_DIR" c1
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" =~ \ 1\ +300000\ +65536 ]]
	[[ "$output" == *chowned* ]]
	# uid 1000 in the container is host uid 300000 + 999.
	[ "$(stat -c %u:%g "$RL_DIR/rootfs/tmp/f")" = 300999:300999 ]

	# A range the user was not given: newuidmap refuses, and hull says where to look.
	jq '.linux.uidMappings[1].hostID = 500000' "$RL_DIR/config.json" >"$RL_DIR/c" && mv "$RL_DIR/c" "$RL_DIR/config.json"
	chown "$uid" "$RL_DIR/config.json"
	run_expect_fail as "$uid" "$HULL_RUNTIME" run --bundle "$RL_DIR" c1
	assert_one_line_error create uidMappings newuidmap /etc/subuid
	# Without newuidmap on the PATH: named, with the package that has it.
	run_expect_fail as "$uid" env PATH=/nonexistent "$HULL_RUNTIME" run --bundle "$RL_DIR" c1
	assert_one_line_error create newuidmap uidmap
	[ -z "$(ls -A "/tmp/hull-$uid" 2>/dev/null | grep -v "^@seccomp-cache$")" ]
	rm -rf "/tmp/hull-$uid"
}
