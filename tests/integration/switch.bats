#!/usr/bin/env bats
# The userspace L2 switch: containers on taps, switches on two fake hosts joined over UDP and TCP.
# Every host is a network namespace of the test's own (network_helpers.bash).

load helpers
load network_helpers

setup() {
	net_test_setup
}

teardown() {
	net_test_teardown
}

# start_switch NS NAME ARGS...: `hull switch run` in the background in NS, its log in $BATS_TEST_TMPDIR/NAME.log;
# returns once its socket answers.
start_switch() {
	local ns=$1 name=$2 state=${SWITCH_STATE:-$NETSTATE} i
	shift 2
	nsenter --net="$ns" "$HULL" --debug switch run "$name" --state-dir "$state" "$@" 2>"$BATS_TEST_TMPDIR/$name.log" &
	BG_PIDS="${BG_PIDS:-} $!"
	eval "SWITCH_PID_${name//[^a-zA-Z0-9]/_}=$!"
	for i in $(seq 100); do
		[ -S "$state/switches/$name.sock" ] && [ -e "$state/switches/$name.json" ] && return 0
		kill -0 $! 2>/dev/null || break
		sleep 0.05
	done
	cat "$BATS_TEST_TMPDIR/$name.log" >&2
	return 1
}

# two_hosts: a second fake host, HOST2 (10.55.0.2), wired to the first (10.55.0.1) by a veth pair.
two_hosts() {
	new_netns HOST2_PID
	BG_PIDS="${BG_PIDS:-} $HOST2_PID"
	HOST2NS=/proc/$HOST2_PID/ns/net
	in_host ip link add wire type veth peer name wire netns "$HOST2_PID"
	in_host sh -ec 'ip addr add 10.55.0.1/24 dev wire; ip link set wire up'
	nsenter --net="$HOST2NS" sh -ec 'ip link set lo up; ip addr add 10.55.0.2/24 dev wire; ip link set wire up'
}

# run_in_host2 BUNDLE ID: as run_in_host, on the second host, with its own network state.
run_in_host2() {
	nsenter --net="$HOST2NS" "$HULL_RUNTIME" --root "$STATE" run -d --bundle "$1" "$2" </dev/null >"$BATS_TEST_TMPDIR/$2.log" 2>&1
}

@test "switch: two containers on one switch reach each other; the host gets no device; nothing outlives them" {
	start_switch "$HOSTNS" sw --subnet 10.91.0.0/24 --gateway 10.91.0.1
	net_bundle "$BATS_TEST_TMPDIR/a" switch:sw,--name,alpha nc -ll -p 80 -e /bin/echo from-alpha
	net_bundle "$BATS_TEST_TMPDIR/b" switch:sw sleep 100
	local links_before
	links_before=$(in_host ip -o link | wc -l)
	run_in_host "$BATS_TEST_TMPDIR/a" sw-a
	run_in_host "$BATS_TEST_TMPDIR/b" sw-b
	[ "$(record sw-a address)" = 10.91.0.2 ]
	[ "$(record sw-b address)" = 10.91.0.3 ]
	# The host sees nothing of it: the taps live in the containers, held by the switch.
	[ "$(in_host ip -o link | wc -l)" -eq "$links_before" ]
	run in_host "$HULL_RUNTIME" --root "$STATE" exec sw-a ip -o link show eth0
	[[ "$output" == *"mtu 65520"* ]]
	in_host "$HULL_RUNTIME" --root "$STATE" exec sw-b ping -c1 -W2 10.91.0.2 >/dev/null
	[ "$(in_host "$HULL_RUNTIME" --root "$STATE" exec sw-b nc -w 3 alpha 80 </dev/null)" = from-alpha ]
	run in_host "$HULL_RUNTIME" --root "$STATE" exec sw-b ip -4 route
	[[ "$output" == *"default via 10.91.0.1 dev eth0"* ]]
	grep -q "^10.91.0.3	sw-b$" "$BATS_TEST_TMPDIR/a/rootfs/etc/hosts"
	# ls and inspect know the running switch and who is on it.
	run "$HULL" network ls --state-dir "$NETSTATE"
	[[ "$output" == *"switch:sw"*"switch"*"10.91.0.0"*" 2"* ]]
	[ "$("$HULL" network inspect switch:sw --state-dir "$NETSTATE" | jq -r '[.mtu, (.containers | map(.id) | sort | join(","))] | join(" ")')" = "65520 sw-a,sw-b" ]
	in_host "$HULL_RUNTIME" --root "$STATE" delete --force sw-a
	[ ! -e "$NETSTATE/switches/sw/leases/10.91.0.2" ]
	grep -q "\`sw-a\` attached" "$BATS_TEST_TMPDIR/sw.log"
	# The switch stops: the remaining container's tap goes with it, and so do the switch's files.
	kill "$SWITCH_PID_sw"
	wait "$SWITCH_PID_sw"
	run in_host "$HULL_RUNTIME" --root "$STATE" exec sw-b ip -o link
	[[ "$output" != *eth0* ]]
	[ ! -e "$NETSTATE/switches/sw.sock" ]
	[ ! -e "$NETSTATE/switches/sw.json" ]
}

@test "switch: bad names, pools and a switch that is not running are refused; nothing is left" {
	run_expect_fail "$HULL" switch run 'a/b' --state-dir "$NETSTATE"
	assert_one_line_error "switch" "a/b"
	run_expect_fail "$HULL" switch run sw --subnet 10.91.0.0/24 --pool 10.92.0.5-10.92.0.9 --state-dir "$NETSTATE"
	assert_one_line_error "switch \`sw\`" "pool"
	run_expect_fail "$HULL" switch run sw --peer udp:10.0.0.1:4790 --state-dir "$NETSTATE"
	assert_one_line_error "switch \`sw\`" "UDP peers need a UDP listener"
	run_expect_fail "$HULL" switch run sw --listen tcp:10.0.0.1 --state-dir "$NETSTATE"
	assert_one_line_error "switch \`sw\`" "tcp:10.0.0.1"
	[ ! -e "$NETSTATE/switches/sw.sock" ]
	net_bundle "$BATS_TEST_TMPDIR/a" switch:nowhere sleep 100
	! run_in_host "$BATS_TEST_TMPDIR/a" sw-none
	grep -q "switch \`nowhere\` is not running" "$BATS_TEST_TMPDIR/sw-none.log"
	[ -z "$(find "$NETSTATE" -name '10.*')" ]
	[ ! -e "$NETSTATE/containers/sw-none.json" ]
	# A second switch of the same name is refused while the first runs.
	start_switch "$HOSTNS" sw
	run_expect_fail in_host "$HULL" switch run sw --state-dir "$NETSTATE"
	assert_one_line_error "switch \`sw\`" "running already"
	[ -S "$NETSTATE/switches/sw.sock" ]
}

@test "switch: containers on two hosts share one segment over UDP; datagrams from others are dropped" {
	two_hosts
	start_switch "$HOSTNS" lab --pool 10.90.0.10-10.90.0.99 --listen udp:10.55.0.1:4790 --peer udp:10.55.0.2:4790
	SWITCH_STATE=$BATS_TEST_TMPDIR/net2 start_switch "$HOST2NS" lab2 --pool 10.90.0.100-10.90.0.199 \
		--listen udp:10.55.0.2:4790 --peer udp:10.55.0.1:4790
	net_bundle "$BATS_TEST_TMPDIR/a" switch:lab nc -ll -p 80 -e /bin/echo host-one
	NETSTATE=$BATS_TEST_TMPDIR/net2 net_bundle "$BATS_TEST_TMPDIR/b" switch:lab2 sleep 100
	run_in_host "$BATS_TEST_TMPDIR/a" udp-a
	run_in_host2 "$BATS_TEST_TMPDIR/b" udp-b
	[ "$(record udp-a address)" = 10.90.0.10 ]
	[ "$(jq -r .address "$BATS_TEST_TMPDIR/net2/containers/udp-b.json")" = 10.90.0.100 ]
	nsenter --net="$HOST2NS" "$HULL_RUNTIME" --root "$STATE" exec udp-b ping -c1 -W2 10.90.0.10 >/dev/null
	[ "$(nsenter --net="$HOST2NS" "$HULL_RUNTIME" --root "$STATE" exec udp-b nc -w 3 10.90.0.10 80 </dev/null)" = host-one ]
	run in_host "$HULL_RUNTIME" --root "$STATE" exec udp-a ip -o link show eth0
	[[ "$output" == *"mtu 1450"* ]]
	# A datagram from a port of host 2 that is not its switch's is not a frame of the segment.
	nsenter --net="$HOST2NS" bash -c 'exec 3<>/dev/udp/10.55.0.1/4790; printf "%064d" 0 >&3'
	sleep 0.3
	grep -q "dropped a datagram from 10.55.0.2, not a peer" "$BATS_TEST_TMPDIR/lab.log"
	nsenter --net="$HOST2NS" "$HULL_RUNTIME" --root "$STATE" delete --force udp-b
}

@test "switch: a TCP link from an allowed peer, which connects again once the listener is up" {
	two_hosts
	# Host 2 connects out first: nothing listens yet, so it keeps trying.
	SWITCH_STATE=$BATS_TEST_TMPDIR/net2 start_switch "$HOST2NS" lab2 --pool 10.90.0.100-10.90.0.199 \
		--peer tcp:10.55.0.1:4791
	sleep 1.5
	start_switch "$HOSTNS" lab --pool 10.90.0.10-10.90.0.99 --listen tcp:10.55.0.1:4791 --allow 10.55.0.2
	net_bundle "$BATS_TEST_TMPDIR/a" switch:lab sleep 100
	NETSTATE=$BATS_TEST_TMPDIR/net2 net_bundle "$BATS_TEST_TMPDIR/b" switch:lab2 sleep 100
	run_in_host "$BATS_TEST_TMPDIR/a" tcp-a
	run_in_host2 "$BATS_TEST_TMPDIR/b" tcp-b
	local i
	for i in $(seq 30); do
		grep -q "link from 10.55.0.2" "$BATS_TEST_TMPDIR/lab.log" && break
		sleep 0.2
	done
	nsenter --net="$HOST2NS" "$HULL_RUNTIME" --root "$STATE" exec tcp-b ping -c2 -W2 10.90.0.10 >/dev/null
	in_host "$HULL_RUNTIME" --root "$STATE" exec tcp-a ping -c1 -W2 10.90.0.100 >/dev/null
	# A connection from an address not allowed is closed at once.
	in_host bash -c 'exec 3<>/dev/tcp/10.55.0.1/4791; sleep 0.2' || true
	sleep 0.2
	grep -q "refused a link from 10.55.0.1 (not allowed)" "$BATS_TEST_TMPDIR/lab.log"
	nsenter --net="$HOST2NS" "$HULL_RUNTIME" --root "$STATE" delete --force tcp-b
}
