#!/usr/bin/env bats
# A third real engine on top of hull-runtime: Debian's dockerd with hull-runtime as an added runtime, in a
# network namespace of the test (its bridge and firewall rules, none here, stay there), with its own
# data-root, exec-root, socket and cgroup parent; /usr/local/bin/docker or Debian's client talks to it.

load helpers

setup_file() {
	command -v dockerd >/dev/null || return 0
	# exec-root holds containerd's socket: a short path, below the 108 bytes of a unix socket address.
	export DOCKER_EXEC=$(mktemp -d /tmp/hd.XXXXXX)
	export DOCKER_DIR=$BATS_FILE_TMPDIR/docker
	export DOCKER_NETNS=hull-docker-${BATS_ROOT_PID:-$$}
	export DOCKER_CGROUP=/hull-test-docker-${BATS_ROOT_PID:-$$}
	export DOCKER_HOST=unix://$DOCKER_EXEC/docker.sock
	mkdir -p "$DOCKER_DIR"
	ip netns add "$DOCKER_NETNS"
	nsenter --net="/run/netns/$DOCKER_NETNS" ip link set lo up
	jq -n --arg root "$DOCKER_DIR/data" --arg exec "$DOCKER_EXEC" --arg host "$DOCKER_HOST" \
		--arg rt "$HULL_RUNTIME" --arg cg "$DOCKER_CGROUP" --arg pid "$DOCKER_EXEC/docker.pid" '{
		"data-root": $root, "exec-root": $exec, "hosts": [$host], "pidfile": $pid,
		"iptables": false, "ip6tables": false, "bridge": "none", "ip-forward": false, "ip-masq": false,
		"cgroup-parent": $cg, "exec-opts": ["native.cgroupdriver=cgroupfs"], "storage-driver": "vfs",
		"default-ulimits": {"nofile": {"Name": "nofile", "Soft": 1024, "Hard": 1024}},
		"runtimes": {"hull": {"path": $rt}}}' >"$DOCKER_DIR/daemon.json"
	nsenter --net="/run/netns/$DOCKER_NETNS" dockerd --config-file "$DOCKER_DIR/daemon.json" \
		>"$DOCKER_DIR/log" 2>&1 </dev/null &
	echo $! >"$DOCKER_DIR/pid"
	for _ in $(seq 300); do docker version >/dev/null 2>&1 && break; sleep 0.1; done
	tar -C "$HULL_TEST_ROOTFS" -cf "$DOCKER_DIR/busybox.tar" .
	docker import "$DOCKER_DIR/busybox.tar" hull-busybox:test >/dev/null
}

teardown_file() {
	[ -n "${DOCKER_DIR:-}" ] && [ -f "$DOCKER_DIR/pid" ] || return 0
	local pid
	pid=$(cat "$DOCKER_DIR/pid")
	docker rm -f $(docker ps -aq) >/dev/null 2>&1 || true
	kill "$pid" 2>/dev/null || true
	for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	ip netns delete "$DOCKER_NETNS" 2>/dev/null || true
	remove_cgroup_parent "$DOCKER_CGROUP"
	umount -R "$DOCKER_EXEC" 2>/dev/null || true
	rm -rf "$DOCKER_EXEC"
}

setup() {
	hull_common_setup
	command -v dockerd >/dev/null || skip "dockerd is not installed (tests/run-all installs docker.io)"
	docker version >/dev/null 2>&1 || { tail -20 "$DOCKER_DIR/log"; false; }
}

teardown() { hull_common_teardown; }

hdocker_run() {
	docker run --runtime hull --network none "$@"
}

@test "docker run --rm through dockerd and hull-runtime prints from inside with the exit status" {
	run hdocker_run --rm hull-busybox:test sh -c 'echo "hello from pid $$"; cat /proc/self/cgroup; exit 3'
	echo "$output"
	[ "$status" -eq 3 ]
	[ "${lines[0]}" = "hello from pid 1" ]
	[[ "$output" == *"pids:$DOCKER_CGROUP/"* ]]
	[[ "$(docker info --format '{{json .Runtimes}}')" == *'"hull"'* ]]
}

@test "docker run -d, exec, stop and rm go through hull-runtime" {
	local id
	id=$(hdocker_run -d hull-busybox:test sleep 300)
	run docker exec "$id" sh -c 'echo exec-ok; cat /proc/1/cmdline | tr "\0" " "'
	[ "$status" -eq 0 ]
	[[ "$output" == *exec-ok*"sleep 300"* ]]
	run docker exec "$id" sh -c 'exit 5'
	[ "$status" -eq 5 ]
	# The shim's state is hull-runtime's own (dockerd 20.10 names the directory after runc whatever the
	# runtime): hull-runtime reads it, and it carries hull's own fields.
	local root=$DOCKER_EXEC/runtime-runc/moby
	[ "$("$HULL_RUNTIME" --root "$root" state "$id" | jq -r .status)" = running ]
	jq -e '.hull.startTime > 0' "$root/$id/state.json" >/dev/null
	docker stop -t 1 "$id" >/dev/null
	[ "$(docker inspect -f '{{.State.Status}}' "$id")" = exited ]
	docker rm "$id" >/dev/null
	run "$HULL_RUNTIME" --root "$root" list -q
	[ -z "$output" ]
}

@test "docker run -it gives the container a pty through hull-runtime's console socket" {
	run script -qec "docker run --rm -it --runtime hull --network none hull-busybox:test sh -c 'tty; test -t 0 && echo is-a-tty; exit 4'" /dev/null
	echo "$output"
	[ "$status" -eq 4 ]
	[[ "$output" == */dev/pts/0* ]]
	[[ "$output" == *is-a-tty* ]]
}
