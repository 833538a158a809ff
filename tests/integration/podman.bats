#!/usr/bin/env bats
# A real engine on top of hull-runtime: podman from Debian, with all of its state under the test directory.

load helpers

setup() {
	hull_common_setup
	command -v podman >/dev/null || skip "podman is not installed (tests/run-all installs it)"
	PODMAN_DIR=$BATS_TEST_TMPDIR/podman
	# An absolute cgroup parent of this test's own: podman would otherwise use /libpod_parent.
	PODMAN_CGROUP=/hull-test-podman-${BATS_ROOT_PID:-$$}-${BATS_SUITE_TEST_NUMBER:-0}
	mkdir -p "$PODMAN_DIR"
	tar -C "$HULL_TEST_ROOTFS" -cf "$PODMAN_DIR/busybox.tar" .
}

teardown() {
	# Remove the podman cgroup parent from every hierarchy it was created in.
	remove_cgroup_parent "$PODMAN_CGROUP"
	hull_common_teardown
}

hpodman() {
	podman --root "$PODMAN_DIR/root" --runroot "$PODMAN_DIR/runroot" --tmpdir "$PODMAN_DIR/tmp" \
		--storage-driver vfs --cgroup-manager cgroupfs --events-backend file \
		--runtime "$HULL_RUNTIME" "$@"
}

# The flags these machines need: no network (podman's would add a bridge and firewall rules to the host)
# and limits the host can grant.  podman's own seccomp profile and device rules are applied by hull.
PODMAN_RUN_FLAGS=(--network=none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024)

@test "podman run --rm with hull-runtime prints from inside the container" {
	hpodman import "$PODMAN_DIR/busybox.tar" localhost/hull-busybox:test
	run hpodman run --rm "${PODMAN_RUN_FLAGS[@]}" --cgroup-parent "$PODMAN_CGROUP" \
		--hostname podbox -e GREETING=hi localhost/hull-busybox:test \
		sh -c 'echo "$GREETING from $(hostname) as $(id -u), pid $$"; cat /proc/self/cgroup'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "hi from podbox as 0, pid 1" ]
	# The container ran in the cgroup podman asked hull to create.
	[[ "$output" == *"$PODMAN_CGROUP/libpod-"* ]]
	# --rm: podman deleted it through hull, and nothing is listed any more.
	run hpodman ps -aq
	[ -z "$output" ]
	[ "$(wc -l </proc/self/mountinfo)" -eq "$MOUNTS_BEFORE" ]
}

@test "podman: exit status, detached run, stop and rm through hull-runtime" {
	hpodman import "$PODMAN_DIR/busybox.tar" localhost/hull-busybox:test
	run hpodman run --rm "${PODMAN_RUN_FLAGS[@]}" --cgroup-parent "$PODMAN_CGROUP" localhost/hull-busybox:test sh -c 'exit 7'
	[ "$status" -eq 7 ]
	local id
	id=$(hpodman run -d "${PODMAN_RUN_FLAGS[@]}" --cgroup-parent "$PODMAN_CGROUP" localhost/hull-busybox:test sleep 100)
	run hpodman inspect --format '{{.State.Status}} {{.State.Pid}}' "$id"
	[[ "$output" == "running "* ]]
	local pid=${output#running }
	[ -d "/proc/$pid" ]
	hpodman stop -t 1 "$id"
	process_gone "$pid"
	hpodman rm "$id"
	run hpodman ps -aq
	[ -z "$output" ]
	[ "$(wc -l </proc/self/mountinfo)" -eq "$MOUNTS_BEFORE" ]
}

@test "podman's seccomp profile is applied by hull-runtime" {
	hpodman import "$PODMAN_DIR/busybox.tar" localhost/hull-busybox:test
	run hpodman run --rm "${PODMAN_RUN_FLAGS[@]}" --cgroup-parent "$PODMAN_CGROUP" localhost/hull-busybox:test \
		sh -c 'grep "^Seccomp:" /proc/self/status; sleep 0.1 & wait && ls /bin >/dev/null && echo works'
	[ "$status" -eq 0 ]
	# Mode 2: a filter is loaded, and ordinary programs run under podman's profile.
	[[ "$output" == *"Seccomp:	2"* ]]
	[[ "$output" == *works* ]]
}

@test "podman reports hull-runtime's error for a config it cannot apply" {
	hpodman import "$PODMAN_DIR/busybox.tar" localhost/hull-busybox:test
	# A realtime budget above the root cgroup's (950000 us of every 1000000 here): no parent can be
	# raised to it, the kernel refuses it, hull names the file, and podman shows hull's message.
	local root_rt
	root_rt=$(cat /sys/fs/cgroup/cpu/cpu.rt_runtime_us 2>/dev/null) || skip "no v1 cpu.rt_runtime_us here"
	[ "$root_rt" -ge 0 ] || skip "the root cgroup's realtime runtime is unlimited here"
	run hpodman run --rm "${PODMAN_RUN_FLAGS[@]}" --cgroup-parent "$PODMAN_CGROUP" \
		--cpu-rt-runtime $((root_rt + 1)) localhost/hull-busybox:test true
	[ "$status" -ne 0 ]
	[[ "$output" == *"cpu.rt_runtime_us"* ]]
	run hpodman ps -aq
	[ -n "$output" ] && hpodman rm -f $output >/dev/null
	true
}
