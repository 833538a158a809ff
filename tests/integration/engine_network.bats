#!/usr/bin/env bats
# App containers on hull's local network (Docker's bridge), inside a fake host and LAN made of network
# namespaces of the test: a detached busybox httpd published on a port is reached from another machine
# of the LAN and from the fake host's 127.0.0.1, containers find each other by name, and rm releases
# the address, the ports and the veth.

load helpers
load network_helpers

setup_file() {
	engine_image_setup_file
}

setup() {
	net_test_setup
	fake_lan
	engine_net_test_setup
}

teardown() {
	engine_net_test_teardown
}

hrun() {
	local sub=$1
	shift
	h "$sub" --cgroup-parent "$CGPARENT" "$@" </dev/null
}

httpd_cmd='mkdir -p /www && echo "served by $(hostname)" > /www/index.html && exec httpd -f -p 80 -h /www'

# http NS URL: the page, fetched with busybox wget from inside NS (not with -T: busybox 1.35's wget
# crashes with it).
http() {
	nsenter --net="$1" timeout 10 busybox wget -q -O - "$2"
}

@test "a detached httpd on a published port answers another LAN machine and the host's 127.0.0.1" {
	local id
	id=$(hrun run -d --name web -p 8080:80 localhost/bb:1 sh -c "$httpd_cmd")
	local i
	for i in $(seq 50); do
		http "$HOSTNS" http://127.0.0.1:8080/ >/dev/null 2>&1 && break
		sleep 0.1
	done
	[ "$(http "$LANHOSTNS" http://192.168.77.10:8080/)" = "served by ${id:0:12}" ]
	[ "$(http "$HOSTNS" http://127.0.0.1:8080/)" = "served by ${id:0:12}" ]
	# inspect says where it is, with Docker's field names.
	run h inspect web
	[ "$(jq -r '.[0].NetworkSettings.Ports["80/tcp"][0].HostPort' <<<"$output")" = 8080 ]
	[[ "$(jq -r '.[0].NetworkSettings.IPAddress' <<<"$output")" =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$ ]]
	[ "$(jq -r '.[0].State.Running' <<<"$output")" = true ]
	[ "$(jq -r '.[0].Name' <<<"$output")" = /web ]
	h stop web >/dev/null
	h rm web >/dev/null
	# The network is released with the container: no record, no veth left in the fake host.
	[ -z "$(ls "$NETSTATE/containers" 2>/dev/null)" ]
	[ -z "$(in_host ip -o link show type veth | grep -v eth0)" ]
	! http "$HOSTNS" http://127.0.0.1:8080/ >/dev/null 2>&1
}

@test "containers on the local network reach each other by name" {
	hrun run -d --name backend localhost/bb:1 sh -c "$httpd_cmd" >/dev/null
	run hrun run --rm --name client localhost/bb:1 sh -c \
		'for i in $(seq 50); do wget -q -O - http://backend/ && exit 0; sleep 0.1; done; exit 1'
	[ "$status" -eq 0 ]
	[[ "$output" == "served by "* ]]
}

@test "--add-host lines stay through a neighbour's arrival; --network container:NAME shares a network" {
	hrun run -d --name backend --add-host gw:host-gateway --add-host db:10.9.9.9 --add-host v6:fd00::7 \
		localhost/bb:1 sh -c "$httpd_cmd" >/dev/null
	local gw
	gw=$(h exec backend sh -c 'ip route | awk "/default/ {print \$3}"')
	h exec backend grep -qx "$gw	gw" /etc/hosts
	h exec backend grep -qx "10.9.9.9	db" /etc/hosts
	h exec backend grep -qx "fd00::7	v6" /etc/hosts
	[ "$(h inspect backend | jq -r '.[0].HostConfig.ExtraHosts | join(",")')" = "gw:host-gateway,db:10.9.9.9,v6:fd00::7" ]
	# A neighbour's arrival rewrites backend's file: its own lines are kept, the neighbour added.
	hrun run -d --name other localhost/bb:1 sleep 100 >/dev/null
	h exec backend grep -q "	other$" /etc/hosts
	h exec backend grep -qx "10.9.9.9	db" /etc/hosts
	# A container in backend's network namespace reaches its httpd on 127.0.0.1 and sees its names.
	run hrun run --rm --network container:backend localhost/bb:1 sh -c \
		'grep -q "db$" /etc/hosts && for i in $(seq 50); do wget -q -O - http://127.0.0.1/ && exit 0; sleep 0.1; done; exit 1'
	[ "$status" -eq 0 ]
	[[ "$output" == "served by "* ]]
	run_expect_fail h run --rm --network container:backend -p 81:80 localhost/bb:1 true
	run_expect_fail h run --rm --network container:nosuch localhost/bb:1 true
	assert_one_line_error run nosuch "no such container"
	h stop -t 1 backend >/dev/null
	run_expect_fail h run --rm --network container:backend localhost/bb:1 true
	assert_one_line_error run backend "not running"
	run_expect_fail hrun run --rm --add-host "bad name:1.2.3.4" localhost/bb:1 true
	assert_one_line_error run "bad name" "not a host name"
}

@test "a port already taken is refused with one line and leaves no container, record or rule" {
	hrun run -d --name first -p 8081:80 localhost/bb:1 sh -c "$httpd_cmd" >/dev/null
	run_expect_fail hrun run -d --name second -p 8081:80 localhost/bb:1 sh -c "$httpd_cmd"
	[ "$status" -eq 125 ]
	assert_one_line_error run 8081
	[ "$(h ps -aq | wc -l)" -eq 1 ]
	[ "$(ls "$NETSTATE/containers" | wc -l)" -eq 1 ]
}
