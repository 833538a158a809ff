# Shared by the network tests: a fake host (a network namespace of the test's own, held by a sleeping
# process, so no mount is made for it), a fake LAN beside it, and bundles whose network comes from hull.
# Nothing touches the machine's own network.

net_test_setup() {
	hull_common_setup
	HULL=$HULL_BUILD/src/hull
	NETSTATE=$BATS_TEST_TMPDIR/net
	new_netns HOST_PID
	HOSTNS=/proc/$HOST_PID/ns/net
	# The fake host's own loopback, as a real host has it.
	nsenter --net="$HOSTNS" ip link set lo up
	cfg '.process.capabilities.bounding += ["CAP_NET_RAW"] |
		.process.capabilities.effective += ["CAP_NET_RAW"] | .process.capabilities.permitted += ["CAP_NET_RAW"]'
}

net_test_teardown() {
	local id pid
	for id in $(in_host "$HULL_RUNTIME" --root "$STATE" list -q 2>/dev/null); do
		in_host "$HULL_RUNTIME" --root "$STATE" delete --force "$id" >/dev/null 2>&1 || true
	done
	for pid in $HOST_PID ${LAN_PID:-} ${LANHOST_PID:-} ${BG_PIDS:-}; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	hull_common_teardown
}

# fake_lan: a LAN the fake host is plugged into.  LAN (the gateway, 192.168.77.1, with bridge br0) and
# LANHOST (another machine on it, 192.168.77.20) are namespaces of the test; the fake host's uplink is eth0,
# 192.168.77.10/24, default route via the gateway.  The LAN host has no route to any container subnet, so
# an answer from it to a container on the local network proves the host masqueraded the container.
fake_lan() {
	new_netns LAN_PID
	new_netns LANHOST_PID
	LANNS=/proc/$LAN_PID/ns/net
	LANHOSTNS=/proc/$LANHOST_PID/ns/net
	nsenter --net="$LANNS" sh -ec '
		ip link set lo up
		ip link add br0 type bridge
		ip addr add 192.168.77.1/24 dev br0
		ip link set br0 up'
	in_host ip link add eth0 type veth peer name uplink netns "$LAN_PID"
	nsenter --net="$LANNS" ip link add lh type veth peer name eth0 netns "$LANHOST_PID"
	nsenter --net="$LANNS" sh -ec 'for l in uplink lh; do ip link set $l master br0 up; done'
	in_host sh -ec 'ip addr add 192.168.77.10/24 dev eth0; ip link set eth0 up; ip route add default via 192.168.77.1'
	in_lanhost sh -ec 'ip link set lo up; ip addr add 192.168.77.20/24 dev eth0; ip link set eth0 up'
}

# in_host_resolving CONF UPSTREAM CMD...: CMD in the fake host, in a private mount namespace where
# /etc/resolv.conf is CONF and /run a fresh tmpfs holding UPSTREAM (if not empty) as systemd-resolved's
# /run/systemd/resolve/resolv.conf: the host's resolver as hull reads it, without touching the machine's.
in_host_resolving() {
	in_host unshare -m --propagation private sh -c '
		mount --bind "$0" /etc/resolv.conf && mount -t tmpfs tmpfs /run || exit 1
		if [ -n "$1" ]; then mkdir -p /run/systemd/resolve && cp "$1" /run/systemd/resolve/resolv.conf; fi
		shift
		exec "$@"' "$@"
}

in_lanhost() {
	nsenter --net="$LANHOSTNS" "$@"
}

# A TCP echo of the test's own in the background: serve NS PORT TEXT.
serve() {
	nsenter --net="$1" busybox nc -ll -p "$2" -e /bin/echo "$3" &
	BG_PIDS="${BG_PIDS:-} $!"
}

# What a TCP server sends, fetched from inside a namespace: fetch NS ADDRESS PORT.
fetch() {
	nsenter --net="$1" timeout 5 busybox nc -w 3 "$2" "$3" </dev/null
}

# new_netns VAR: a sleeping process in a network namespace of its own, its pid in VAR.  Its namespace is
# used only once it differs from the test's: until unshare(2) has run, /proc/PID/ns/net is the machine's,
# and configuring it then would change the machine's own network.
new_netns() {
	unshare --net sleep 1000 &
	local pid=$! i
	printf -v "$1" %s "$pid"
	for i in $(seq 100); do
		[ "$(readlink /proc/$pid/ns/net)" != "$(readlink /proc/self/ns/net)" ] && return 0
		sleep 0.02
	done
	echo "new_netns: process $pid did not get a network namespace of its own" >&2
	return 1
}

in_host() {
	nsenter --net="$HOSTNS" "$@"
}

# run -d in the fake host; a detached container keeps the runtime's stdio, so it goes to a file.
run_in_host() { # BUNDLE ID
	in_host "$HULL_RUNTIME" --root "$STATE" run -d --bundle "$1" "$2" </dev/null >"$BATS_TEST_TMPDIR/$2.log" 2>&1
}

# net_bundle DIR MODE[,SETUP-ARG...] ARGS...: a copy of the test bundle given its network by
# `hull network configure-bundle`; what follows the mode after commas are setup's options
# (net_bundle d local,-p,80 ...).
net_bundle() {
	local dir=$1 mode=${2%%,*} extra=()
	[[ "$2" == *,* ]] && IFS=, read -ra extra <<<"${2#*,}"
	shift 2
	mkdir -p "$dir"
	cp -a "$BUNDLE/rootfs" "$dir/rootfs"
	jq --arg cg "$CGPARENT/${dir##*/}" --argjson args "$(printf '%s\n' "$@" | jq -R . | jq -s .)" \
		'.process.args = $args | .linux.cgroupsPath = $cg' "$BUNDLE/config.json" >"$dir/config.json"
	"$HULL" network configure-bundle "$dir" --mode "$mode" --state-dir "$NETSTATE" "${extra[@]}"
}

record() { # ID FIELD
	jq -r ".$2" "$NETSTATE/containers/$1.json"
}


# For the engine's tests (hull run, machines) in the fake host: a store of the test's own copied from the
# file's (engine_image_setup_file), a runroot, the network state, and hull in the fake host as `h`.
engine_net_test_setup() {
	STORE=$BATS_TEST_TMPDIR/store
	RUNROOT=$BATS_TEST_TMPDIR/run
	cp -a "$FILE_STORE" "$STORE"
	export HULL_NETWORK_STATE=$NETSTATE
}

engine_net_test_teardown() {
	local id
	for id in $(h ps -aq --no-trunc 2>/dev/null); do
		h rm -f "$id" >/dev/null 2>&1 || true
	done
	net_test_teardown
}

h() {
	in_host "$HULL" --store "$STORE" --runroot "$RUNROOT" "$@"
}
