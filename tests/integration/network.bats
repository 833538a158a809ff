#!/usr/bin/env bats
# hull network as OCI hooks of bundles run by hull-runtime, inside a fake host and LAN made of network
# namespaces (network_helpers.bash), never the machine's network.

load helpers
load network_helpers

setup() {
	net_test_setup
}

teardown() {
	net_test_teardown
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

@test "none keeps only loopback and reaches nothing; host shares the fake host's network; bad modes are refused" {
	fake_lan
	serve "$HOSTNS" 7100 host-answers
	net_bundle "$BATS_TEST_TMPDIR/a" none sh -c 'ip -o link; ip -4 route; for a in 192.168.77.10 192.168.77.1 192.168.77.20; do nc -w 1 $a 7100 </dev/null 2>&1; done; true'
	run in_host "$HULL_RUNTIME" --root "$STATE" run --bundle "$BATS_TEST_TMPDIR/a" none-a
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == *"lo:"*"UP"* ]]
	# No other link, no route, and the host's server on its uplink address is out of reach.
	[ "$(grep -c 'mtu' <<<"$output")" -eq 1 ]
	[ "$(grep -c 'Network is unreachable' <<<"$output")" -eq 3 ]
	[[ "$output" != *host-answers* ]]
	[ "$(fetch "$HOSTNS" 192.168.77.10 7100)" = host-answers ]
	net_bundle "$BATS_TEST_TMPDIR/h" host ip -o link
	# host mode leaves the container in the runtime's network namespace.
	[ "$(jq '[.linux.namespaces[] | select(.type == "network")] | length' "$BATS_TEST_TMPDIR/h/config.json")" -eq 0 ]
	in_host ip link add vx0 type veth peer name vx1
	run in_host "$HULL_RUNTIME" --root "$STATE" run --bundle "$BATS_TEST_TMPDIR/h" host-h
	[ "$status" -eq 0 ]
	[[ "$output" == *"vx0"* ]]
	[ ! -e "$NETSTATE/containers/host-h.json" ]
	run_expect_fail net_bundle "$BATS_TEST_TMPDIR/b" moon true
	assert_one_line_error "network configure-bundle" "mode \`moon\`"
	# A hook written by hand with a bad mode fails the container's create.
	net_bundle "$BATS_TEST_TMPDIR/b" local true
	jq '.hooks.createRuntime[0].args |= (index("--mode") as $i | .[$i + 1] = "moon")' "$BATS_TEST_TMPDIR/b/config.json" >"$BATS_TEST_TMPDIR/b.json"
	mv "$BATS_TEST_TMPDIR/b.json" "$BATS_TEST_TMPDIR/b/config.json"
	run_expect_fail in_host "$HULL_RUNTIME" --root "$STATE" run --bundle "$BATS_TEST_TMPDIR/b" bad-b
	[[ "$output" == *"mode \`moon\`"* ]]
	run_expect_fail "$HULL" network setup --mode local --id x --pid 999999999 --state-dir "$NETSTATE"
	assert_one_line_error "network setup" "/proc/999999999/ns/net"
	run_expect_fail "$HULL" network setup --mode local --state-dir "$NETSTATE"
	assert_one_line_error "network setup" "standard input"
}

@test "NAT: containers reach the LAN; published ports answer a LAN host, the host's 127.0.0.1 and other containers" {
	fake_lan
	net_bundle "$BATS_TEST_TMPDIR/a" local,-p,8080:80 nc -ll -p 80 -e /bin/echo from-a
	net_bundle "$BATS_TEST_TMPDIR/b" local sleep 100
	run_in_host "$BATS_TEST_TMPDIR/a" nat-a
	run_in_host "$BATS_TEST_TMPDIR/b" nat-b
	# Out through the fake host to the LAN host, which has no route back but through the masquerade.
	! in_lanhost ip route get 10.88.0.2 2>/dev/null
	in_host "$HULL_RUNTIME" --root "$STATE" exec nat-b ping -c1 -W2 192.168.77.20 >/dev/null
	[ "$(in_host cat /proc/sys/net/ipv4/ip_forward)" = 1 ]
	# The published port, from the LAN, from the host itself (uplink and loopback), from a neighbour.
	[ "$(fetch "$LANHOSTNS" 192.168.77.10 8080)" = from-a ]
	[ "$(fetch "$HOSTNS" 127.0.0.1 8080)" = from-a ]
	[ "$(fetch "$HOSTNS" 192.168.77.10 8080)" = from-a ]
	[ "$(in_host "$HULL_RUNTIME" --root "$STATE" exec nat-b nc -w 3 192.168.77.10 8080 </dev/null)" = from-a ]
	[ "$(in_host "$HULL_RUNTIME" --root "$STATE" exec nat-b nc -w 3 10.88.0.1 8080 </dev/null)" = from-a ]
	[ "$(record nat-a 'ports[0].host_port')" = 8080 ]
	in_host nft list map ip hull tcp_any | grep -q '8080 : 10.88.0.2 . 80'
	# Gone with the containers: the map element at once, the table and the bridge with the last one.
	in_host "$HULL_RUNTIME" --root "$STATE" delete --force nat-a
	! in_host nft list map ip hull tcp_any | grep -q 8080
	! fetch "$LANHOSTNS" 192.168.77.10 8080
	in_host "$HULL_RUNTIME" --root "$STATE" delete --force nat-b
	! in_host nft list table ip hull 2>/dev/null
	! in_host ip link show hull0 2>/dev/null
	[ -z "$(find "$NETSTATE/ports" "$NETSTATE/leases" "$NETSTATE/containers" -mindepth 1)" ]
	[ -z "$(in_host ip -o link show type veth | grep -v 'eth0@')" ]
}

@test "published ports: address-bound, ranges, a free port chosen; taken ports and bad specs are refused with nothing left" {
	fake_lan
	net_bundle "$BATS_TEST_TMPDIR/a" local,-p,127.0.0.1:9000:80,-p,9100-9101:80-81,-p,80 \
		sh -c 'nc -ll -p 80 -e /bin/echo eighty & exec nc -ll -p 81 -e /bin/echo eighty-one'
	run_in_host "$BATS_TEST_TMPDIR/a" pub-a
	[ "$(fetch "$HOSTNS" 127.0.0.1 9000)" = eighty ]
	# Bound to 127.0.0.1: the uplink's address does not answer.
	! fetch "$LANHOSTNS" 192.168.77.10 9000
	[ "$(fetch "$LANHOSTNS" 192.168.77.10 9100)" = eighty ]
	[ "$(fetch "$LANHOSTNS" 192.168.77.10 9101)" = eighty-one ]
	local chosen
	chosen=$(record pub-a 'ports[3].host_port')
	[ "$chosen" -gt 1024 ]
	[ "$(fetch "$LANHOSTNS" 192.168.77.10 "$chosen")" = eighty ]
	# Another container asking for 9100, and one asking for a port a host process listens on.
	net_bundle "$BATS_TEST_TMPDIR/b" local,-p,9100:80 sleep 100
	! run_in_host "$BATS_TEST_TMPDIR/b" pub-b
	grep -q 'publish port 9100/tcp: another container publishes it' "$BATS_TEST_TMPDIR/pub-b.log"
	serve "$HOSTNS" 9300 host-process
	sleep 0.2
	net_bundle "$BATS_TEST_TMPDIR/c" local,-p,9300:80 sleep 100
	! run_in_host "$BATS_TEST_TMPDIR/c" pub-c
	grep -q 'publish port 9300/tcp: a process of the host already uses it' "$BATS_TEST_TMPDIR/pub-c.log"
	[ "$(fetch "$HOSTNS" 127.0.0.1 9300)" = host-process ]
	# Neither refusal left an address, a veth, a port lease or a map element.
	[ "$(ls "$NETSTATE/leases")" = 10.88.0.2 ]
	[ "$(ls "$NETSTATE/ports" | wc -l)" -eq 4 ]
	[ "$(in_host ip -o link show type veth | grep -vc 'eth0@')" -eq 1 ]
	[ "$(in_host nft -j list map ip hull tcp_any | jq '[.nftables[].map.elem // empty | .[]] | length')" -eq 3 ]
	run_expect_fail "$HULL" network setup --mode local -p 70000:80 --id x --pid $$ --state-dir "$NETSTATE"
	assert_one_line_error "network setup" "70000"
	run_expect_fail "$HULL" network setup --mode local -p 1-3:80-81 --id x --pid $$ --state-dir "$NETSTATE"
	assert_one_line_error "network setup" "differ in length"
	run_expect_fail "$HULL" network setup --mode none -p 80 --id x --pid $$ --state-dir "$NETSTATE"
	assert_one_line_error "network setup" "only on the local network"
}

@test "forwarding off: containers reach the host but not the LAN; set is refused while containers are attached" {
	fake_lan
	"$HULL" network set --forwarding off --subnet 10.99.5.0/24 --state-dir "$NETSTATE"
	net_bundle "$BATS_TEST_TMPDIR/a" local sleep 100
	run_in_host "$BATS_TEST_TMPDIR/a" fwd-a
	[ "$(record fwd-a address)" = 10.99.5.2 ]
	in_host "$HULL_RUNTIME" --root "$STATE" exec fwd-a ping -c1 -W2 10.99.5.1 >/dev/null
	! in_host "$HULL_RUNTIME" --root "$STATE" exec fwd-a ping -c1 -W1 192.168.77.20 >/dev/null
	! in_host nft list chain ip hull postrouting | grep -q 'daddr != 10.99.5.0/24 masquerade'
	run_expect_fail "$HULL" network set --forwarding on --state-dir "$NETSTATE"
	assert_one_line_error "network set" "1 container uses the local network"
	run "$HULL" network ls --state-dir "$NETSTATE"
	[[ "${lines[1]}" == *"local"*"hull0"*"10.99.5.0/24"*"off"*" 1" ]]
	[ "$("$HULL" network inspect local --state-dir "$NETSTATE" | jq -r '.containers[0].id')" = fwd-a ]
	run_expect_fail "$HULL" network set --subnet 10.99.5.7/24 --state-dir "$NETSTATE"
	assert_one_line_error "network set" "host bits"
}

@test "prune releases what a container that died without poststop still holds" {
	fake_lan
	net_bundle "$BATS_TEST_TMPDIR/a" local,-p,8500:80 sleep 100
	# No poststop: as if the runtime or the host crashed before teardown.
	jq 'del(.hooks.poststop)' "$BATS_TEST_TMPDIR/a/config.json" >"$BATS_TEST_TMPDIR/a.json"
	mv "$BATS_TEST_TMPDIR/a.json" "$BATS_TEST_TMPDIR/a/config.json"
	net_bundle "$BATS_TEST_TMPDIR/b" local sleep 100
	run_in_host "$BATS_TEST_TMPDIR/a" prune-a
	run_in_host "$BATS_TEST_TMPDIR/b" prune-b
	in_host "$HULL_RUNTIME" --root "$STATE" delete --force prune-a
	[ -e "$NETSTATE/containers/prune-a.json" ]
	[ "$("$HULL" network inspect --state-dir "$NETSTATE" | jq '[.containers[] | select(.running)] | length')" -eq 1 ]
	# A lease with no record: a setup that was killed halfway.
	echo ghost >"$NETSTATE/leases/10.88.0.200"
	run in_host "$HULL" network prune --state-dir "$NETSTATE"
	[ "$status" -eq 0 ]
	[[ "$output" == *"released the networks of 1 container"* ]]
	[ ! -e "$NETSTATE/containers/prune-a.json" ]
	[ ! -e "$NETSTATE/leases/10.88.0.200" ]
	[ -z "$(ls -A "$NETSTATE/ports")" ]
	! in_host nft list map ip hull tcp_any | grep -q 8500
	# prune-b still runs and keeps its network.
	[ -e "$NETSTATE/containers/prune-b.json" ]
	in_host ip link show hull0 >/dev/null
	in_host "$HULL_RUNTIME" --root "$STATE" delete --force prune-b
	in_host "$HULL" network prune --state-dir "$NETSTATE"
	! in_host nft list table ip hull 2>/dev/null
}

@test "UDP ports are published too, from the LAN and from the host's loopback" {
	fake_lan
	net_bundle "$BATS_TEST_TMPDIR/a" local,-p,5353:53/udp,-p,127.0.0.1:5400:53/udp /udp-echo 53 udp-answer
	cc -static -O2 -o "$BATS_TEST_TMPDIR/a/rootfs/udp-echo" "$BATS_TEST_DIRNAME/../helpers/udp-echo.c"
	run_in_host "$BATS_TEST_TMPDIR/a" udp-a
	udp_ask() { # NS ADDRESS PORT: one datagram out, the first one back (dd reads it whole; bash's read would not)
		nsenter --net="$1" timeout 5 bash -c 'exec 3<>/dev/udp/$0/$1; echo q >&3; dd bs=512 count=1 <&3 2>/dev/null' "$2" "$3"
	}
	[ "$(udp_ask "$LANHOSTNS" 192.168.77.10 5353)" = udp-answer ]
	[ "$(udp_ask "$HOSTNS" 127.0.0.1 5400)" = udp-answer ]
	in_host nft list map ip hull udp_ip | grep -q '127.0.0.1 . 5400 : 10.88.0.2 . 53'
	in_host "$HULL_RUNTIME" --root "$STATE" delete --force udp-a
	! in_host nft list table ip hull 2>/dev/null
}

@test "DNS: a loopback stub gives way to its upstream servers, search and options carry over, --dns overrides" {
	printf 'nameserver 127.0.0.53\noptions edns0 trust-ad\nsearch lan.example\n' >"$BATS_TEST_TMPDIR/host.conf"
	printf 'nameserver 192.168.77.1\nnameserver 10.0.0.53\nsearch lan.example\n' >"$BATS_TEST_TMPDIR/upstream.conf"
	net_bundle "$BATS_TEST_TMPDIR/a" local sleep 100
	net_bundle "$BATS_TEST_TMPDIR/b" local,--dns,9.9.9.9,--dns-search,corp.example,--dns-option,ndots:2 sleep 100
	net_bundle "$BATS_TEST_TMPDIR/h" host sleep 100
	# An image whose /etc/resolv.conf points out of its root: the link is replaced, the host file untouched.
	echo sentinel >"$BATS_TEST_TMPDIR/outside"
	rm -f "$BATS_TEST_TMPDIR/a/rootfs/etc/resolv.conf"
	ln -s "../../../../../../../../../..$BATS_TEST_TMPDIR/outside" "$BATS_TEST_TMPDIR/a/rootfs/etc/resolv.conf"
	for c in a b h; do
		in_host_resolving "$BATS_TEST_TMPDIR/host.conf" "$BATS_TEST_TMPDIR/upstream.conf" \
			"$HULL_RUNTIME" --root "$STATE" run -d --bundle "$BATS_TEST_TMPDIR/$c" "dns-$c" </dev/null >"$BATS_TEST_TMPDIR/$c.log" 2>&1
	done
	run in_host "$HULL_RUNTIME" --root "$STATE" exec dns-a cat /etc/resolv.conf
	[[ "$output" == *"nameserver 192.168.77.1"*"nameserver 10.0.0.53"* ]]
	[[ "$output" != *127.0.0.53* ]]
	[[ "$output" == *"search lan.example"* ]]
	[[ "$output" == *"options edns0 trust-ad"* ]]
	[ "$(cat "$BATS_TEST_TMPDIR/outside")" = sentinel ]
	[ ! -L "$BATS_TEST_TMPDIR/a/rootfs/etc/resolv.conf" ]
	run in_host "$HULL_RUNTIME" --root "$STATE" exec dns-b cat /etc/resolv.conf
	[ "$(grep -c nameserver <<<"$output")" -eq 1 ]
	[[ "$output" == *"nameserver 9.9.9.9"*"search corp.example"*"options ndots:2"* ]]
	# Sharing the host's network, the stub stays reachable and stays.
	run in_host "$HULL_RUNTIME" --root "$STATE" exec dns-h cat /etc/resolv.conf
	[[ "$output" == *"nameserver 127.0.0.53"* ]]
	# Only a stub and no upstream file: the container gets no server, and setup says so.
	net_bundle "$BATS_TEST_TMPDIR/s" local sleep 100
	in_host_resolving "$BATS_TEST_TMPDIR/host.conf" "" \
		"$HULL_RUNTIME" --root "$STATE" run -d --bundle "$BATS_TEST_TMPDIR/s" dns-s </dev/null >"$BATS_TEST_TMPDIR/s.log" 2>&1
	grep -q "no DNS server the container can reach; give one with --dns" "$BATS_TEST_TMPDIR/s.log"
	! grep -q nameserver "$BATS_TEST_TMPDIR/s/rootfs/etc/resolv.conf"
	run_expect_fail "$HULL" network setup --mode none --dns 1.2.3 --id x --pid $$ --state-dir "$NETSTATE"
	assert_one_line_error "network setup" "1.2.3"
}

@test "/etc/hosts: the container's own name, host, and its neighbours by name as they come and go" {
	net_bundle "$BATS_TEST_TMPDIR/a" local,--name,web sleep 100
	net_bundle "$BATS_TEST_TMPDIR/b" local,--name,db sleep 100
	net_bundle "$BATS_TEST_TMPDIR/c" local sleep 100
	run_in_host "$BATS_TEST_TMPDIR/a" hosts-a
	run_in_host "$BATS_TEST_TMPDIR/b" hosts-b
	local a b c gw
	a=$(record hosts-a address) b=$(record hosts-b address) gw=$(record hosts-a gateway)
	run in_host "$HULL_RUNTIME" --root "$STATE" exec hosts-a cat /etc/hosts
	[[ "$output" == *"127.0.0.1	localhost"* ]]
	[[ "$output" == *"$a	web"* ]]
	[[ "$output" == *"$gw	host"* ]]
	[[ "$output" == *"$b	db"* ]]
	in_host "$HULL_RUNTIME" --root "$STATE" exec hosts-a ping -c1 -W2 db >/dev/null
	in_host "$HULL_RUNTIME" --root "$STATE" exec hosts-b ping -c1 -W2 host >/dev/null
	# A third one, named by its id, appears in the others' files and goes with its container.
	run_in_host "$BATS_TEST_TMPDIR/c" hosts-c
	c=$(record hosts-c address)
	grep -q "^$c	hosts-c$" "$BATS_TEST_TMPDIR/a/rootfs/etc/hosts"
	grep -q "^$a	web$" "$BATS_TEST_TMPDIR/c/rootfs/etc/hosts"
	in_host "$HULL_RUNTIME" --root "$STATE" delete --force hosts-c
	! grep -q hosts-c "$BATS_TEST_TMPDIR/a/rootfs/etc/hosts"
	! grep -q hosts-c "$BATS_TEST_TMPDIR/b/rootfs/etc/hosts"
	net_bundle "$BATS_TEST_TMPDIR/d" 'local,--name,no spaces' sleep 100
	! run_in_host "$BATS_TEST_TMPDIR/d" hosts-d
	grep -q "name \`no spaces\` is not a host name" "$BATS_TEST_TMPDIR/hosts-d.log"
	[ ! -e "$NETSTATE/containers/hosts-d.json" ]
}

@test "dedicated LAN address: the LAN reaches the container directly, the host through its helper; nothing is left" {
	fake_lan
	net_bundle "$BATS_TEST_TMPDIR/a" 192.168.77.50 nc -ll -p 80 -e /bin/echo on-the-lan
	net_bundle "$BATS_TEST_TMPDIR/b" 192.168.77.51/24,--uplink,eth0 sleep 100
	run_in_host "$BATS_TEST_TMPDIR/a" lan-a
	run_in_host "$BATS_TEST_TMPDIR/b" lan-b
	[ "$(record lan-a uplink)" = eth0 ]
	[ "$(record lan-a host)" = 192.168.77.10 ]
	# Another host of the LAN, the gateway, and a neighbour reach it at its own address: no NAT.
	in_lanhost busybox ping -c1 -W2 192.168.77.50 >/dev/null
	[ "$(fetch "$LANHOSTNS" 192.168.77.50 80)" = on-the-lan ]
	nsenter --net="$LANNS" busybox ping -c1 -W2 192.168.77.51 >/dev/null
	[ "$(in_host "$HULL_RUNTIME" --root "$STATE" exec lan-b nc -w 3 192.168.77.50 80 </dev/null)" = on-the-lan ]
	run in_host "$HULL_RUNTIME" --root "$STATE" exec lan-a ip -4 route
	[[ "$output" == *"default via 192.168.77.1 dev eth0"* ]]
	# The host and the container, which macvlan alone would hide from each other.
	in_host busybox ping -c1 -W2 192.168.77.50 >/dev/null
	in_host "$HULL_RUNTIME" --root "$STATE" exec lan-a ping -c1 -W2 192.168.77.10 >/dev/null
	grep -q "^192.168.77.10	host$" "$BATS_TEST_TMPDIR/a/rootfs/etc/hosts"
	grep -q "^192.168.77.51	lan-b$" "$BATS_TEST_TMPDIR/a/rootfs/etc/hosts"
	[ "$("$HULL" network inspect lan:eth0 --state-dir "$NETSTATE" | jq -r '.containers | map(.address) | sort | join(" ")')" = "192.168.77.50 192.168.77.51" ]
	run_expect_fail "$HULL" network inspect lan:nowhere --state-dir "$NETSTATE"
	assert_one_line_error "network inspect" "lan:nowhere"
	local helper
	helper=$(record lan-a helper)
	in_host ip -d -o link show "$helper" | grep -q "macvlan mode bridge"
	# Refusals leave no lease, link or route.
	net_bundle "$BATS_TEST_TMPDIR/c" 192.168.77.50 sleep 100
	! run_in_host "$BATS_TEST_TMPDIR/c" lan-c
	grep -q "192.168.77.50 is taken by another container of this host" "$BATS_TEST_TMPDIR/lan-c.log"
	net_bundle "$BATS_TEST_TMPDIR/d" 192.168.77.10 sleep 100
	! run_in_host "$BATS_TEST_TMPDIR/d" lan-d
	grep -q "the host's own address" "$BATS_TEST_TMPDIR/lan-d.log"
	net_bundle "$BATS_TEST_TMPDIR/e" 172.31.9.9 sleep 100
	! run_in_host "$BATS_TEST_TMPDIR/e" lan-e
	grep -q "in no subnet of \`eth0\`'s addresses; give the prefix" "$BATS_TEST_TMPDIR/lan-e.log"
	[ "$(ls "$NETSTATE/lan/eth0" | sort | tr '\n' ' ')" = "192.168.77.50 192.168.77.51 " ]
	[ "$(in_host ip -4 route show dev "$helper" | wc -l)" -eq 2 ]
	in_host "$HULL_RUNTIME" --root "$STATE" delete --force lan-a
	! in_host ip route get 192.168.77.50 | grep -q "$helper"
	in_host ip link show "$helper" >/dev/null
	in_host "$HULL_RUNTIME" --root "$STATE" delete --force lan-b
	! in_host ip link show "$helper" 2>/dev/null
	[ -z "$(find "$NETSTATE/lan" -mindepth 1)" ]
	[ "$(in_host ip -o link | wc -l)" -eq 2 ]
}

@test "dedicated LAN address over ipvlan, where the kernel has it" {
	if ! unshare --net sh -c 'ip link add d0 type dummy && ip link add link d0 name i0 type ipvlan mode l2' 2>/dev/null; then
		skip "this kernel has no ipvlan"
	fi
	fake_lan
	net_bundle "$BATS_TEST_TMPDIR/a" 192.168.77.60,--lan-driver,ipvlan sleep 100
	run_in_host "$BATS_TEST_TMPDIR/a" ipv-a
	in_lanhost busybox ping -c1 -W2 192.168.77.60 >/dev/null
	in_host busybox ping -c1 -W2 192.168.77.60 >/dev/null
	in_host "$HULL_RUNTIME" --root "$STATE" delete --force ipv-a
	[ "$(in_host ip -o link | wc -l)" -eq 2 ]
}

@test "prune releases a dedicated LAN address, its route and helper, after a crash" {
	fake_lan
	net_bundle "$BATS_TEST_TMPDIR/a" 192.168.77.70 sleep 100
	jq 'del(.hooks.poststop)' "$BATS_TEST_TMPDIR/a/config.json" >"$BATS_TEST_TMPDIR/a.json"
	mv "$BATS_TEST_TMPDIR/a.json" "$BATS_TEST_TMPDIR/a/config.json"
	run_in_host "$BATS_TEST_TMPDIR/a" crash-a
	local helper
	helper=$(record crash-a helper)
	in_host "$HULL_RUNTIME" --root "$STATE" delete --force crash-a
	in_host ip link show "$helper" >/dev/null
	in_host "$HULL" network prune --state-dir "$NETSTATE"
	! in_host ip link show "$helper" 2>/dev/null
	[ -z "$(in_host ip -4 route show 192.168.77.70)" ]
	[ -z "$(find "$NETSTATE/lan" "$NETSTATE/containers" -mindepth 1)" ]
}

@test "ns:PATH: the container joins a namespace the host already has; configure-bundle rewrites its own hooks" {
	fake_lan
	# A namespace of the test's with an address of its own, as another tool would have made.
	local other
	new_netns other
	BG_PIDS="${BG_PIDS:-} $other"
	in_host ip link add nsx type veth peer name eth0 netns "$other"
	nsenter --net=/proc/$other/ns/net sh -ec 'ip link set lo up; ip addr add 10.77.0.2/24 dev eth0; ip link set eth0 up'
	in_host sh -ec 'ip addr add 10.77.0.1/24 dev nsx; ip link set nsx up'
	net_bundle "$BATS_TEST_TMPDIR/a" local,-p,8080:80 sleep 100
	net_bundle "$BATS_TEST_TMPDIR/a" "ns:/proc/$other/ns/net" sleep 100
	[ "$(jq '[.hooks.createRuntime[], .hooks.poststop[]] | length' "$BATS_TEST_TMPDIR/a/config.json")" -eq 2 ]
	[ "$(jq -r '.linux.namespaces[] | select(.type == "network") | .path' "$BATS_TEST_TMPDIR/a/config.json")" = "/proc/$other/ns/net" ]
	run_in_host "$BATS_TEST_TMPDIR/a" ns-a
	run in_host "$HULL_RUNTIME" --root "$STATE" exec ns-a ip -4 -o addr show eth0
	[[ "$output" == *"10.77.0.2/24"* ]]
	in_host "$HULL_RUNTIME" --root "$STATE" exec ns-a ping -c1 -W2 10.77.0.1 >/dev/null
	grep -q nameserver "$BATS_TEST_TMPDIR/a/rootfs/etc/resolv.conf"
	[ ! -e "$NETSTATE/containers/ns-a.json" ]
	# A hook whose container did not join the namespace it names says so.
	run_expect_fail "$HULL" network setup --mode "ns:/proc/$other/ns/net" --id x --pid $$ --state-dir "$NETSTATE"
	assert_one_line_error "network setup" "is not in the network namespace"
	run_expect_fail "$HULL" network configure-bundle "$BATS_TEST_TMPDIR/a" --mode ns:relative
	assert_one_line_error "network configure-bundle" "absolute path"
}

@test "cni:NAME runs Debian's CNI plugins (bridge, host-local, portmap) and DEL undoes them, also after a failed ADD" {
	fake_lan
	local cni=$BATS_TEST_TMPDIR/cni ipam=$BATS_TEST_TMPDIR/cni-ipam
	mkdir -p "$cni"
	cat >"$cni/10-test.conflist" <<CONF
{"cniVersion": "1.0.0", "name": "testnet", "plugins": [
  {"type": "bridge", "bridge": "cnitest0", "isGateway": true, "ipMasq": true,
   "ipam": {"type": "host-local", "subnet": "10.96.0.0/24", "routes": [{"dst": "0.0.0.0/0"}], "dataDir": "$ipam"}},
  {"type": "portmap", "capabilities": {"portMappings": true}}]}
CONF
	cat >"$cni/20-broken.conflist" <<CONF
{"cniVersion": "1.0.0", "name": "broken", "plugins": [
  {"type": "bridge", "bridge": "cnibroken0", "ipam": {"type": "host-local", "subnet": "10.97.0.0/24", "dataDir": "$ipam"}},
  {"type": "no-such-plugin"}]}
CONF
	net_bundle "$BATS_TEST_TMPDIR/a" "cni:testnet,--cni-conf-dir,$cni,-p,8090:80" nc -ll -p 80 -e /bin/echo via-cni
	net_bundle "$BATS_TEST_TMPDIR/b" "cni:testnet,--cni-conf-dir,$cni" sleep 100
	run_in_host "$BATS_TEST_TMPDIR/a" cni-a
	run_in_host "$BATS_TEST_TMPDIR/b" cni-b
	[ "$(record cni-a address)" = 10.96.0.2 ]
	[ "$(record cni-b cni)" = testnet ]
	[ -e "$ipam/testnet/10.96.0.2" ]
	in_host ip link show cnitest0 >/dev/null
	in_host "$HULL_RUNTIME" --root "$STATE" exec cni-b ping -c1 -W2 10.96.0.2 >/dev/null
	in_host "$HULL_RUNTIME" --root "$STATE" exec cni-b ping -c1 -W2 192.168.77.20 >/dev/null
	# portmap got the port from -p through runtimeConfig.
	[ "$(fetch "$LANHOSTNS" 192.168.77.10 8090)" = via-cni ]
	grep -q "^10.96.0.3	cni-b$" "$BATS_TEST_TMPDIR/a/rootfs/etc/hosts"
	in_host "$HULL_RUNTIME" --root "$STATE" delete --force cni-a
	[ ! -e "$ipam/testnet/10.96.0.2" ]
	[ ! -e "$NETSTATE/containers/cni-a.json" ]
	! fetch "$LANHOSTNS" 192.168.77.10 8090
	# The second plugin does not exist: the bridge plugin's ADD is undone by its DEL, and the error says why.
	net_bundle "$BATS_TEST_TMPDIR/c" "cni:broken,--cni-conf-dir,$cni" sleep 100
	! run_in_host "$BATS_TEST_TMPDIR/c" cni-c
	grep -q "CNI network \`broken\`: ADD: plugin \`no-such-plugin\` is in none of" "$BATS_TEST_TMPDIR/cni-c.log"
	[ -z "$(ls "$ipam/broken" 2>/dev/null | grep -E '^[0-9]+\.[0-9]+\.')" ]
	[ ! -e "$NETSTATE/containers/cni-c.json" ]
	[ "$(in_host ip -o link show master cnibroken0 2>/dev/null | wc -l)" -eq 0 ]
	net_bundle "$BATS_TEST_TMPDIR/d" "cni:nothing,--cni-conf-dir,$cni" sleep 100
	! run_in_host "$BATS_TEST_TMPDIR/d" cni-d
	grep -q "CNI network \`nothing\`: no configuration of that name" "$BATS_TEST_TMPDIR/cni-d.log"
	in_host "$HULL_RUNTIME" --root "$STATE" delete --force cni-b
	[ -z "$(ls "$ipam/testnet" | grep -E '^[0-9]+\.[0-9]+\.')" ]
	[ -z "$(in_host ip -o link show type veth | grep -v 'eth0@')" ]
}

# as_nobody CMD...: CMD as user 65534 in the fake host, with no runtime directory of its own.
as_nobody() {
	in_host setpriv --reuid=65534 --regid=65534 --clear-groups env -u XDG_RUNTIME_DIR HOME=/ "$@"
}

# as_nobody_with_tun CMD...: as as_nobody, where users may open /dev/net/tun as on a stock Debian host
# (0666).  These machines have it 0600, so CMD runs in a private mount namespace where a node of the
# test's own, 0666, is bound over it; the machine's /dev is not touched.
as_nobody_with_tun() {
	local node=$BATS_TEST_TMPDIR/tun
	[ -c "$node" ] || mknod -m 0666 "$node" c 10 200
	in_host unshare -m --propagation private sh -c 'mount --bind "$0" /dev/net/tun && exec "$@"' "$node" \
		setpriv --reuid=65534 --regid=65534 --clear-groups env -u XDG_RUNTIME_DIR HOME=/ "$@"
}

# rootless_net_bundle DIR MODE[,SETUP-ARG...] ARGS...: a bundle of user 65534, from spec --rootless, given
# its network by the user with `hull-network configure-bundle`.
rootless_net_bundle() {
	local dir=$1 mode=${2%%,*} extra=() d
	[[ "$2" == *,* ]] && IFS=, read -ra extra <<<"${2#*,}"
	shift 2
	mkdir -p "$dir"
	cp -a "$HULL_TEST_ROOTFS" "$dir/rootfs"
	chown -R 65534:65534 "$dir"
	for d in "$dir" "$HULL_BUILD" "$HULL_BUILD/src"; do
		while [ "$d" != / ]; do chmod o+x "$d"; d=$(dirname "$d"); done
	done
	as_nobody "$HULL_RUNTIME" spec --rootless --bundle "$dir"
	as_nobody sh -c 'jq --argjson a "$1" ".process.terminal = false | .process.args = \$a" "$0/config.json" >"$0/c" && mv "$0/c" "$0/config.json"' \
		"$dir" "$(printf '%s\n' "$@" | jq -R . | jq -sc .)"
	as_nobody "$HULL_BUILD/src/hull-network" configure-bundle "$dir" --mode "$mode" --state-dir "$NETSTATE" "${extra[@]}"
}

@test "rootless: slirp4netns takes an unprivileged user's container to the LAN and publishes its port" {
	fake_lan
	mkdir -p "$NETSTATE" "$STATE"
	chown 65534:65534 "$NETSTATE" "$STATE"
	serve "$LANHOSTNS" 7000 lan-says-hi
	local mode port=8095
	for mode in slirp4netns; do
		command -v "$mode" >/dev/null || skip "$mode is not installed"
		rootless_net_bundle "$BATS_TEST_TMPDIR/$mode" "$mode,-p,$port:80" nc -ll -p 80 -e /bin/echo "rootless-$mode"
		as_nobody_with_tun "$HULL_RUNTIME" --root "$STATE" run -d --bundle "$BATS_TEST_TMPDIR/$mode" "rl-$mode" </dev/null \
			>"$BATS_TEST_TMPDIR/rl-$mode.log" 2>&1 || { cat "$BATS_TEST_TMPDIR/rl-$mode.log" "$NETSTATE"/usermode/*.log; false; }
		# The helper is the user's, not root's, and the container's own network reaches the LAN host.
		local helper
		helper=$(record "rl-$mode" helper_pid)
		[ "$(stat -c %u "/proc/$helper")" = 65534 ]
		[ "$(as_nobody "$HULL_RUNTIME" --root "$STATE" exec "rl-$mode" nc -w 3 192.168.77.20 7000 </dev/null)" = lan-says-hi ]
		[ "$(fetch "$LANHOSTNS" 192.168.77.10 "$port")" = "rootless-$mode" ]
		as_nobody "$HULL_RUNTIME" --root "$STATE" delete --force "rl-$mode"
		! kill -0 "$helper" 2>/dev/null
		[ ! -e "$NETSTATE/containers/rl-$mode.json" ]
		[ -z "$(ls -A "$NETSTATE/usermode")" ]
		! fetch "$LANHOSTNS" 192.168.77.10 "$port"
		port=$((port + 1))
	done
	grep -q "nameserver 10.0.2.3" "$BATS_TEST_TMPDIR/slirp4netns/rootfs/etc/resolv.conf"
}
