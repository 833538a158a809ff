#!/usr/bin/env bats
# hull network as OCI hooks of bundles run by hull-runtime, inside a fake host: a network namespace
# of the test's own (held by a sleeping process, so no mount is made for it), never the machine's network.

load helpers

setup() {
	hull_common_setup
	HULL=$HULL_BUILD/src/hull
	NETSTATE=$BATS_TEST_TMPDIR/net
	unshare --net sleep 1000 &
	HOST_PID=$!
	HOSTNS=/proc/$HOST_PID/ns/net
	# The fake host's own loopback, as a real host has it.
	nsenter --net="$HOSTNS" ip link set lo up
	cfg '.process.capabilities.bounding += ["CAP_NET_RAW"] |
		.process.capabilities.effective += ["CAP_NET_RAW"] | .process.capabilities.permitted += ["CAP_NET_RAW"]'
}

teardown() {
	local id
	for id in $(in_host "$HULL_RUNTIME" --root "$STATE" list -q 2>/dev/null); do
		in_host "$HULL_RUNTIME" --root "$STATE" delete --force "$id" >/dev/null 2>&1 || true
	done
	kill "$HOST_PID" 2>/dev/null || true
	wait "$HOST_PID" 2>/dev/null || true
	hull_common_teardown
}

in_host() {
	nsenter --net="$HOSTNS" "$@"
}

# run -d in the fake host; a detached container keeps the runtime's stdio, so it goes to a file.
run_in_host() { # BUNDLE ID
	in_host "$HULL_RUNTIME" --root "$STATE" run -d --bundle "$1" "$2" </dev/null >"$BATS_TEST_TMPDIR/$2.log" 2>&1
}

# net_bundle DIR MODE ARGS...: a copy of the test bundle whose hooks set up and tear down its network.
net_bundle() {
	local dir=$1 mode=$2
	shift 2
	mkdir -p "$dir"
	cp -a "$BUNDLE/rootfs" "$dir/rootfs"
	jq --arg cg "$CGPARENT/${dir##*/}" --arg hull "$HULL" --arg mode "$mode" --arg state "$NETSTATE" --argjson args "$(printf '%s\n' "$@" | jq -R . | jq -s .)" '
		.process.args = $args | .linux.cgroupsPath = $cg |
		.hooks.createRuntime = [{path: $hull, args: ["hull", "network", "setup", "--mode", $mode, "--state-dir", $state]}] |
		.hooks.poststop = [{path: $hull, args: ["hull", "network", "teardown", "--state-dir", $state]}]' \
		"$BUNDLE/config.json" >"$dir/config.json"
}

record() { # ID FIELD
	jq -r ".$2" "$NETSTATE/containers/$1.json"
}

@test "local network: containers reach the host and each other, the host reaches them; teardown leaves nothing" {
	net_bundle "$BATS_TEST_TMPDIR/a" local sleep 100
	net_bundle "$BATS_TEST_TMPDIR/b" local sleep 100
	run_in_host "$BATS_TEST_TMPDIR/a" net-a
	run_in_host "$BATS_TEST_TMPDIR/b" net-b
	local a b gw
	a=$(record net-a address) b=$(record net-b address) gw=$(record net-a gateway)
	[[ "$a" == 10.88.*.2 ]]
	[[ "$b" == 10.88.*.3 ]]
	# The bridge and the host ends exist in the fake host, not on the machine.
	in_host ip link show hull0 >/dev/null
	! ip link show hull0 2>/dev/null
	in_host busybox ping -c1 -W2 "$a" >/dev/null
	in_host "$HULL_RUNTIME" --root "$STATE" exec net-a ping -c1 -W2 "$gw" >/dev/null
	in_host "$HULL_RUNTIME" --root "$STATE" exec net-a ping -c1 -W2 "$b" >/dev/null
	run in_host "$HULL_RUNTIME" --root "$STATE" exec net-b ip -4 route
	[[ "$output" == *"default via $gw dev eth0"* ]]
	local veth
	veth=$(record net-a veth)
	in_host "$HULL_RUNTIME" --root "$STATE" kill net-a KILL
	wait_status net-a stopped
	in_host "$HULL_RUNTIME" --root "$STATE" delete net-a
	# poststop released the address and the pair.
	[ ! -e "$NETSTATE/containers/net-a.json" ]
	[ ! -e "$NETSTATE/leases/$a" ]
	! in_host ip link show "$veth" 2>/dev/null
	in_host "$HULL_RUNTIME" --root "$STATE" delete --force net-b
	[ -z "$(ls -A "$NETSTATE/leases")" ]
	[ -z "$(in_host ip -o link show type veth)" ]
}

@test "local.N pins an address; a taken one is refused and nothing is left" {
	net_bundle "$BATS_TEST_TMPDIR/a" local.7 sleep 100
	net_bundle "$BATS_TEST_TMPDIR/b" local.7 sleep 100
	run_in_host "$BATS_TEST_TMPDIR/a" pin-a
	[[ "$(record pin-a address)" == 10.88.*.7 ]]
	! run_in_host "$BATS_TEST_TMPDIR/b" pin-b
	grep -q "local.7 is taken" "$BATS_TEST_TMPDIR/pin-b.log"
	[ ! -e "$NETSTATE/containers/pin-b.json" ]
	[ "$(ls "$NETSTATE/leases" | wc -l)" -eq 1 ]
	[ "$(in_host ip -o link show type veth | wc -l)" -eq 1 ]
}

@test "a subnet the host already routes is skipped" {
	# The fake host already has 10.88.0.0/24 on another link: the local network takes the next /24.
	in_host ip link add vx0 type veth peer name vx1
	in_host ip addr add 10.88.0.1/24 dev vx0
	in_host ip link set vx0 up
	net_bundle "$BATS_TEST_TMPDIR/a" local sleep 100
	run_in_host "$BATS_TEST_TMPDIR/a" sub-a
	[[ "$(record sub-a address)" == 10.88.1.2 ]]
	grep -q '"subnet": "10.88.1.0/24"' "$NETSTATE/local.json"
}

@test "none keeps only loopback; host shares the fake host's network; bad modes are refused" {
	net_bundle "$BATS_TEST_TMPDIR/a" none ip -o link
	run in_host "$HULL_RUNTIME" --root "$STATE" run --bundle "$BATS_TEST_TMPDIR/a" none-a
	[ "$status" -eq 0 ]
	[ "$(grep -c . <<<"$output")" -eq 1 ]
	[[ "$output" == *"lo:"*"UP"* ]]
	net_bundle "$BATS_TEST_TMPDIR/h" host ip -o link
	jq '.linux.namespaces |= map(select(.type != "network"))' "$BATS_TEST_TMPDIR/h/config.json" >"$BATS_TEST_TMPDIR/h.json"
	mv "$BATS_TEST_TMPDIR/h.json" "$BATS_TEST_TMPDIR/h/config.json"
	in_host ip link add vx0 type veth peer name vx1
	run in_host "$HULL_RUNTIME" --root "$STATE" run --bundle "$BATS_TEST_TMPDIR/h" host-h
	[ "$status" -eq 0 ]
	[[ "$output" == *"vx0"* ]]
	[ ! -e "$NETSTATE/containers/host-h.json" ]
	net_bundle "$BATS_TEST_TMPDIR/b" moon true
	run_expect_fail in_host "$HULL_RUNTIME" --root "$STATE" run --bundle "$BATS_TEST_TMPDIR/b" bad-b
	[[ "$output" == *"mode \`moon\`"* ]]
	run_expect_fail "$HULL" network setup --mode local --id x --pid 999999999 --state-dir "$NETSTATE"
	assert_one_line_error "network setup" "/proc/999999999/ns/net"
	run_expect_fail "$HULL" network setup --mode local --state-dir "$NETSTATE"
	assert_one_line_error "network setup" "standard input"
}
