#!/usr/bin/env bats
# The network modes of machines as users of earlier tools know them, every pair tried: a fake host (a
# network namespace of the test) on a fake LAN (192.168.77.0/24, its gateway routing to an outside
# network 203.0.113.0/24), another LAN host, an outside host, and busybox machines in the fake host in
# each mode: private, shared, two dedicated LAN addresses (A.B.C.D) and two on the local network
# (local.X).  Each source pings each target; the table is printed and compared with what the modes
# promise, with the local network's forwarding on and then off.  Nothing touches the machine's network.

bats_require_minimum_version 1.5.0
load helpers
load network_helpers

setup_file() {
	engine_image_setup_file
}

setup() {
	net_test_setup
	fake_lan
	# The outside: a host beyond the LAN's gateway, which routes between the two.
	new_netns OUT_PID
	OUTNS=/proc/$OUT_PID/ns/net
	nsenter --net="$LANNS" ip link add wan type veth peer name eth0 netns "$OUT_PID"
	nsenter --net="$LANNS" sh -ec 'ip addr add 203.0.113.1/24 dev wan; ip link set wan up
		echo 1 >/proc/sys/net/ipv4/ip_forward'
	nsenter --net="$OUTNS" sh -ec 'ip link set lo up; ip addr add 203.0.113.2/24 dev eth0
		ip link set eth0 up; ip route add default via 203.0.113.1'
	in_lanhost ip route add default via 192.168.77.1
	engine_net_test_setup
}

teardown() {
	BG_PIDS="${BG_PIDS:-} $OUT_PID"
	engine_net_test_teardown
}

# The machines: NAME MODE pairs.
machines=(private private shared shared ded1 192.168.77.50 ded2 192.168.77.51 loc1 local.5 loc2 local.6)

start_machines() {
	local i
	for ((i = 0; i < ${#machines[@]}; i += 2)); do
		h machine start "${machines[i]}" </dev/null
	done
}

netns_of() { # NAME: the network namespace of a machine, or of a host of the test
	case $1 in
	host) echo "$HOSTNS" ;;
	lanhost) echo "$LANHOSTNS" ;;
	outside) echo "$OUTNS" ;;
	*) echo "/proc/$(h inspect "$1" | jq -r '.[0].State.Pid')/ns/net" ;;
	esac
}

address_of() { # NAME: the address others try it at ("" for the private machine, which has none)
	case $1 in
	host | shared) echo 192.168.77.10 ;;
	lanhost) echo 192.168.77.20 ;;
	outside) echo 203.0.113.2 ;;
	private) echo "" ;;
	*) h inspect "$1" | jq -r '.[0].NetworkSettings.IPAddress' ;;
	esac
}

sources=(host lanhost outside private shared ded1 ded2 loc1 loc2)
targets=(host lanhost outside ded1 ded2 loc1 loc2)

# reach_table FILE: every source pings every target at once (a second try for a lost first packet);
# FILE gets one line per source, "y", "n" or "-" (itself) per target.
reach_table() {
	local out=$1 dir=$BATS_TEST_TMPDIR/reach s t ns addr pids=()
	rm -rf "$dir" && mkdir -p "$dir"
	declare -A addrs
	for t in "${targets[@]}" private; do addrs[$t]=$(address_of "$t"); done
	for s in "${sources[@]}"; do
		ns=$(netns_of "$s")
		for t in "${targets[@]}"; do
			addr=${addrs[$t]}
			if [ "$s" = "$t" ] || { [ "$s" = shared ] && [ "$t" = host ]; }; then
				echo - >"$dir/$s.$t"
				continue
			fi
			(if nsenter --net="$ns" busybox ping -c1 -W2 "$addr" >/dev/null 2>&1 ||
				nsenter --net="$ns" busybox ping -c1 -W2 "$addr" >/dev/null 2>&1; then
				echo y
			else
				echo n
			fi >"$dir/$s.$t") &
			pids+=($!)
		done
	done
	# Not a bare wait: the test's namespaces are held by background sleeps too.
	wait "${pids[@]}"
	: >"$out"
	for s in "${sources[@]}"; do
		local row=$s
		for t in "${targets[@]}"; do row="$row $(cat "$dir/$s.$t")"; done
		echo "$row" >>"$out"
	done
}

print_table() { # TITLE FILE
	{
		echo "# $1"
		printf '# %-8s' from/to
		printf ' %-7s' "${targets[@]}"
		echo
		while read -r s row; do
			printf '# %-8s' "$s"
			printf ' %-7s' $row
			echo
		done <"$2"
	} >&3
}

@test "machine networks: private, shared, dedicated and local machines reach whom the modes promise, forwarding on and off" {
	local i
	for ((i = 0; i < ${#machines[@]}; i += 2)); do
		h machine create "${machines[i]}" --from localhost/bb:1 --network "${machines[i + 1]}" >/dev/null
	done
	start_machines
	[ "$(address_of loc1)" != "" ] && [[ "$(address_of loc1)" == *.5 ]] && [[ "$(address_of loc2)" == *.6 ]]
	# /etc/hosts: localhost, the machine's own name, and `host` at an address of the host it reaches.
	run h machine shell loc1 cat /etc/hosts
	[[ "$output" == *"127.0.0.1	localhost"* ]]
	[[ "$output" == *"$(address_of loc1)	loc1"* ]]
	[[ "$output" =~ [0-9.]+$'\t'host ]]
	run h machine shell ded1 cat /etc/hosts
	[[ "$output" == *"192.168.77.50	ded1"* ]] && [[ "$output" == *"192.168.77.10	host"* ]]
	# The private machine has its loopback alone; the shared one is the host.
	[ "$(h machine shell private ip -o -4 addr | awk '{print $2}' | tr '\n' ' ')" = "lo " ]
	[ "$(readlink "$(netns_of shared)")" = "$(readlink "$HOSTNS")" ]

	reach_table "$BATS_TEST_TMPDIR/on"
	print_table "forwarding on" "$BATS_TEST_TMPDIR/on"
	#            host lanhost outside ded1 ded2 loc1 loc2
	cat >"$BATS_TEST_TMPDIR/want-on" <<-'EOF'
		host - y y y y y y
		lanhost y - y y y n n
		outside y y - y y n n
		private n n n n n n n
		shared - y y y y y y
		ded1 y y y - y y y
		ded2 y y y y - y y
		loc1 y y y y y - y
		loc2 y y y y y y -
	EOF
	diff "$BATS_TEST_TMPDIR/want-on" "$BATS_TEST_TMPDIR/on"

	# Forwarding off (refused while the local machines are attached): they reach the host and each other
	# only, whatever else turned the host's ip_forward on.
	run_expect_fail h network set --forwarding off --state-dir "$NETSTATE"
	assert_one_line_error "network set" "container"
	h machine stop -t 2 loc1 loc2 ded1 ded2
	h network set --forwarding off --state-dir "$NETSTATE"
	start_machines
	reach_table "$BATS_TEST_TMPDIR/off"
	print_table "forwarding off" "$BATS_TEST_TMPDIR/off"
	cat >"$BATS_TEST_TMPDIR/want-off" <<-'EOF'
		host - y y y y y y
		lanhost y - y y y n n
		outside y y - y y n n
		private n n n n n n n
		shared - y y y y y y
		ded1 y y y - y n n
		ded2 y y y y - n n
		loc1 y n n n n - y
		loc2 y n n n n y -
	EOF
	diff "$BATS_TEST_TMPDIR/want-off" "$BATS_TEST_TMPDIR/off"
	[ "$(in_host cat /proc/sys/net/ipv4/ip_forward)" = 1 ]
	in_host nft list chain ip hull forward | grep -q "iifname \"hull0\" oifname != \"hull0\" drop"

	# Removed, the machines leave no address, veth, helper or rule in the fake host.
	for ((i = 0; i < ${#machines[@]}; i += 2)); do h machine rm -f "${machines[i]}"; done
	[ -z "$(ls "$NETSTATE/containers" 2>/dev/null)" ]
	[ "$(in_host ip -o link | awk -F': ' '{print $2}' | sort | tr '\n' ' ')" = "eth0@if2 lo " ] ||
		[ "$(in_host ip -o link | wc -l)" -eq 2 ]
	! in_host nft list table ip hull 2>/dev/null
}
