#!/bin/bash
# hull's container networks, measured with public tools in one run:
#   - TCP throughput container to container (iperf3, one stream) over the local network (veth + bridge),
#     a dedicated LAN address (macvlan, bridge mode) and the userspace switch, one host and across two
#     hosts over a UDP link, each as a ratio to the host's own loopback;
#   - the time network setup + teardown adds to a container's start, hull's local network next to the
#     CNI bridge plugin from Debian's containernetworking-plugins (bridge + host-local IPAM + masquerade,
#     what podman 4 and containerd run), and next to the start itself (hull-runtime run of /bin/true).
# "Containers" are network namespaces held by sleeping processes: the network path is what a container
# gets, without a runtime's time in it.  Everything happens inside namespaces the bench makes (a fake
# host, a fake LAN, a second host); the machine's own network is never touched.
# Throughput is noisy on a shared machine: the cases take turns, ROUNDS times, and the median is kept.
#   usage: bench/network.sh [SECONDS] [RUNS] [ROUNDS]  (iperf3 seconds per case, default 5; hyperfine runs,
#                                                      30; rounds of the throughput cases, 3)
set -eu
cd "$(dirname "$0")/.."
seconds=${1:-5}
runs=${2:-30}
rounds=${3:-3}
[ "$(id -u)" = 0 ] || { echo "bench: run as root (network namespaces need it)" >&2; exit 1; }
scripts/deps.sh bench
[ -d build-bench ] || meson setup build-bench -Dbuildtype=release >/dev/null
ninja -C build-bench >/dev/null
hull=$PWD/build-bench/src/hull-network
runtime=$PWD/build-bench/src/hull-runtime
cni=/usr/lib/cni

work=$(mktemp -d /tmp/hull-netbench.XXXXXX)
state=$work/state
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

# netns VAR: a sleeping process in a network namespace of its own (used once it really is its own).
netns() {
	unshare --net sleep 100000 &
	local pid=$! i
	pids+=("$pid")
	for i in $(seq 200); do
		[ "$(readlink /proc/$pid/ns/net)" != "$(readlink /proc/self/ns/net)" ] && break
		sleep 0.01
	done
	[ "$(readlink /proc/$pid/ns/net)" != "$(readlink /proc/self/ns/net)" ] || { echo "bench: no namespace" >&2; exit 1; }
	printf -v "$1" %s "$pid"
}
in_ns() { local pid=$1; shift; nsenter --net=/proc/$pid/ns/net "$@"; }

netns host
netns lan
in_ns "$host" ip link set lo up
in_ns "$lan" sh -ec 'ip link set lo up; ip link add br0 type bridge; ip addr add 192.168.77.1/24 dev br0; ip link set br0 up'
in_ns "$host" ip link add eth0 type veth peer name uplink netns "$lan"
in_ns "$lan" ip link set uplink master br0 up
in_ns "$host" sh -ec 'ip addr add 192.168.77.10/24 dev eth0; ip link set eth0 up; ip route add default via 192.168.77.1'

# iperf3_gbits SERVER_PID CLIENT_PID ADDRESS: one TCP stream for $seconds s, Gbit/s received.
iperf3_gbits() {
	nsenter --net=/proc/$1/ns/net iperf3 -s -1 -B "$3" >/dev/null 2>&1 &
	local server=$! i
	for i in $(seq 100); do in_ns "$1" ss -ltn | grep -q ":5201 " && break; sleep 0.02; done
	in_ns "$2" iperf3 -c "$3" -t "$seconds" -J | jq '.end.sum_received.bits_per_second / 1e9'
	wait "$server" 2>/dev/null || true
}

attach() { # MODE PID ID [NS-OF-HOST]
	in_ns "${4:-$host}" "$hull" setup --mode "$1" --pid "$2" --id "$3" --state-dir "${STATE:-$state}"
}

echo "# TCP throughput, one stream, $seconds s each, median of $rounds rounds (iperf3)"

netns a; netns b
attach local "$a" a; attach local "$b" b
local_a=$(jq -r .address "$state/containers/a.json")

netns c; netns d
attach 192.168.77.50 "$c" c; attach 192.168.77.51 "$d" d

# nsenter itself in the background (not a shell function), so that $! is the switch.
nsenter --net=/proc/$host/ns/net "$hull" switch run bench --state-dir "$state" --subnet 10.93.0.0/24 2>/dev/null &
pids+=("$!")
for i in $(seq 100); do [ -S "$state/switches/bench.sock" ] && break; sleep 0.02; done
netns e; netns f
attach switch:bench "$e" e; attach switch:bench "$f" f
switch_e=$(jq -r .address "$state/containers/e.json")

# Two hosts joined by a veth "wire", a switch on each, one UDP link.
netns host2
in_ns "$host" ip link add wire type veth peer name wire netns "$host2"
in_ns "$host" sh -ec 'ip addr add 10.55.0.1/24 dev wire; ip link set wire up'
in_ns "$host2" sh -ec 'ip link set lo up; ip addr add 10.55.0.2/24 dev wire; ip link set wire up'
nsenter --net=/proc/$host/ns/net "$hull" switch run link1 --state-dir "$state" --pool 10.90.0.10-10.90.0.99 \
	--listen udp:10.55.0.1:4790 --peer udp:10.55.0.2:4790 2>/dev/null &
pids+=("$!")
nsenter --net=/proc/$host2/ns/net "$hull" switch run link2 --state-dir "$state/h2" --pool 10.90.0.100-10.90.0.199 \
	--listen udp:10.55.0.2:4790 --peer udp:10.55.0.1:4790 2>/dev/null &
pids+=("$!")
for i in $(seq 100); do [ -S "$state/switches/link1.sock" ] && [ -S "$state/h2/switches/link2.sock" ] && break; sleep 0.02; done
netns g; netns h
attach switch:link1 "$g" g; STATE=$state/h2 attach switch:link2 "$h" h "$host2"

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
l=() n=() m=() w=() k=()
for round in $(seq "$rounds"); do
	l+=("$(iperf3_gbits "$host" "$host" 127.0.0.1)")
	n+=("$(iperf3_gbits "$a" "$b" "$local_a")")
	m+=("$(iperf3_gbits "$c" "$d" 192.168.77.50)")
	w+=("$(iperf3_gbits "$e" "$f" "$switch_e")")
	k+=("$(iperf3_gbits "$g" "$h" 10.90.0.10)")
done
loop=$(median "${l[@]}") localnet=$(median "${n[@]}") lan=$(median "${m[@]}")
switch=$(median "${w[@]}") linked=$(median "${k[@]}")

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
printf '%-34s %7.2f Gbit/s\n' "host loopback" "$loop"
printf '%-34s %7.2f Gbit/s  %sx loopback\n' "local network (veth + bridge)" "$localnet" "$(ratio "$localnet" "$loop")"
printf '%-34s %7.2f Gbit/s  %sx loopback\n' "dedicated LAN address (macvlan)" "$lan" "$(ratio "$lan" "$loop")"
printf '%-34s %7.2f Gbit/s  %sx loopback\n' "userspace switch, one host" "$switch" "$(ratio "$switch" "$loop")"
printf '%-34s %7.2f Gbit/s  %sx loopback\n' "userspace switch, two hosts (UDP)" "$linked" "$(ratio "$linked" "$loop")"

echo
echo "# network setup + teardown of one container ($runs runs, hyperfine)"
netns x
cat >"$work/cni.json" <<CONF
{"cniVersion": "0.4.0", "name": "bench", "type": "bridge", "bridge": "cni0", "isGateway": true,
 "ipMasq": true, "ipam": {"type": "host-local", "subnet": "10.94.0.0/24", "dataDir": "$work/cni-ipam"}}
CONF
cat >"$work/cni-cycle" <<SH
#!/bin/sh
set -e
export CNI_CONTAINERID=x CNI_NETNS=/proc/$x/ns/net CNI_IFNAME=eth0 CNI_PATH=$cni
CNI_COMMAND=ADD $cni/bridge <"$work/cni.json" >/dev/null
CNI_COMMAND=DEL $cni/bridge <"$work/cni.json" >/dev/null
SH
cat >"$work/hull-cycle" <<SH
#!/bin/sh
set -e
"$hull" setup --mode local --pid $x --id x --state-dir "$state" -p 18080:80
"$hull" teardown --id x --state-dir "$state"
SH
chmod +x "$work/cni-cycle" "$work/hull-cycle"
# The bridge and table of hull's network stay while a and b hold it, as a CNI bridge stays: both
# measure a container joining an existing network.
in_ns "$host" "$work/cni-cycle"
mkdir -p "$work/bundle"
cp -a "$(tests/fixtures/busybox-rootfs.sh "${HULL_TEST_CACHE:-/var/cache/hull-tests}")" "$work/bundle/rootfs"
"$runtime" spec --bundle "$work/bundle"
jq '.process.terminal = false | .process.args = ["/bin/true"] | .linux.cgroupsPath = "/hull-netbench-'$$'"' \
	"$work/bundle/config.json" >"$work/bundle/c" && mv "$work/bundle/c" "$work/bundle/config.json"
in_ns "$host" hyperfine -N -w 3 -r "$runs" --export-json "$work/setup.json" \
	-n hull "$work/hull-cycle" -n cni "$work/cni-cycle" \
	-n "run /bin/true" "$runtime --root $work/rt run --bundle $work/bundle bench" >/dev/null
for d in /sys/fs/cgroup/*/hull-netbench-$$ /sys/fs/cgroup/hull-netbench-$$; do [ -d "$d" ] && rmdir "$d" 2>/dev/null || true; done
mean() { jq -r --arg n "$1" '.results[] | select(.command == $n) | .mean * 1000' "$work/setup.json"; }
h=$(mean hull) c=$(mean cni) r=$(mean "run /bin/true")
printf '%-34s %7.2f ms\n' "hull local network (with a port)" "$h"
printf '%-34s %7.2f ms  %sx hull\n' "CNI bridge + host-local + masq" "$c" "$(ratio "$c" "$h")"
printf '%-34s %7.2f ms  (hull setup+teardown is %sx of it)\n' "hull-runtime run /bin/true" "$r" "$(ratio "$h" "$r")"
