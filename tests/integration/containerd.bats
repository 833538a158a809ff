#!/usr/bin/env bats
# A second real engine on top of hull-runtime: containerd from Debian, driven with ctr, its runc shim
# calling hull-runtime (--runc-binary).  The daemon runs for this file only, with all of its state,
# sockets and cgroups under names the test owns.

load helpers

setup_file() {
	command -v containerd >/dev/null || return 0
	export CTRD_DIR=$BATS_FILE_TMPDIR/containerd
	export CTRD_NS=hull-test-${BATS_ROOT_PID:-$$}
	mkdir -p "$CTRD_DIR"
	cat >"$CTRD_DIR/config.toml" <<TOML
version = 2
root = "$CTRD_DIR/root"
state = "$CTRD_DIR/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$CTRD_DIR/containerd.sock"
[ttrpc]
  address = "$CTRD_DIR/containerd.sock.ttrpc"
[debug]
  address = "$CTRD_DIR/debug.sock"
TOML
	containerd --config "$CTRD_DIR/config.toml" >"$CTRD_DIR/log" 2>&1 &
	echo $! >"$CTRD_DIR/pid"
	for _ in $(seq 100); do [ -S "$CTRD_DIR/containerd.sock" ] && break; sleep 0.05; done
	tests/fixtures/oci-archive.sh "$HULL_TEST_ROOTFS" docker.io/library/hull-busybox:test "$CTRD_DIR/busybox.tar"
	ctr --address "$CTRD_DIR/containerd.sock" -n "$CTRD_NS" images import "$CTRD_DIR/busybox.tar" >/dev/null
}

teardown_file() {
	[ -n "${CTRD_DIR:-}" ] && [ -f "$CTRD_DIR/pid" ] || return 0
	kill "$(cat "$CTRD_DIR/pid")" 2>/dev/null || true
	for _ in $(seq 50); do kill -0 "$(cat "$CTRD_DIR/pid")" 2>/dev/null || break; sleep 0.1; done
	# The shim keeps the runtime's state under containerd's own directory, one per namespace.
	rm -rf "/run/containerd/runc/$CTRD_NS" "/run/containerd/io.containerd.runtime.v2.task/$CTRD_NS"
}

setup() {
	hull_common_setup
	command -v containerd >/dev/null || skip "containerd is not installed (tests/run-all installs it)"
	CTR_CGROUP=/hull-test-ctr-${BATS_ROOT_PID:-$$}-${BATS_SUITE_TEST_NUMBER:-0}
}

teardown() {
	remove_cgroup_parent "$CTR_CGROUP"
	hull_common_teardown
}

hctr() {
	ctr --address "$CTRD_DIR/containerd.sock" -n "$CTRD_NS" "$@"
}

@test "ctr run --rm through containerd's shim and hull-runtime prints from inside" {
	run hctr run --rm --runc-binary "$HULL_RUNTIME" --cgroup "$CTR_CGROUP/c1" \
		docker.io/library/hull-busybox:test c1 sh -c 'echo "hello from pid $$"; cat /proc/self/cgroup'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "hello from pid 1" ]
	[[ "$output" == *"pids:$CTR_CGROUP/c1"* ]]
	# The state the shim made through hull-runtime is gone with --rm.
	run "$HULL_RUNTIME" --root "/run/containerd/runc/$CTRD_NS" list -q
	[ -z "$output" ]
}

@test "ctr: exit status, task exec, ps, pause and resume, kill and delete go through hull-runtime" {
	run hctr run --rm --runc-binary "$HULL_RUNTIME" --cgroup "$CTR_CGROUP/c1" \
		docker.io/library/hull-busybox:test c1 sh -c 'exit 7'
	[ "$status" -eq 7 ]
	hctr run -d --runc-binary "$HULL_RUNTIME" --cgroup "$CTR_CGROUP/c2" docker.io/library/hull-busybox:test c2 sleep 100
	# hull-runtime holds the container: its own list shows it running.
	[ "$("$HULL_RUNTIME" --root "/run/containerd/runc/$CTRD_NS" state c2 | jq -r .status)" = running ]
	run hctr task exec --exec-id e1 c2 sh -c 'echo exec in $(grep pids /proc/self/cgroup)'
	[ "$status" -eq 0 ]
	[ "$output" = "exec in 8:pids:$CTR_CGROUP/c2" ] || [[ "$output" == "exec in "*":pids:$CTR_CGROUP/c2" ]]
	run hctr task ps c2
	[ "${#lines[@]}" -eq 2 ]
	hctr task pause c2
	[[ "$(hctr task ls)" == *PAUSED* ]]
	hctr task resume c2
	[[ "$(hctr task ls)" == *RUNNING* ]]
	hctr task kill -s KILL c2
	for _ in $(seq 50); do [[ "$(hctr task ls)" == *STOPPED* ]] && break; sleep 0.1; done
	hctr task delete c2
	hctr container rm c2
	run "$HULL_RUNTIME" --root "/run/containerd/runc/$CTRD_NS" list -q
	[ -z "$output" ]
}
