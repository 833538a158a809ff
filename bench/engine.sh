#!/bin/bash
# hull's app containers next to podman's (with crun and with runc as its runtime) and Docker's (Debian's
# docker.io, dockerd started here in a network namespace of its own), in one run, on the same busybox image
# imported into each, every container with --network none (no host network is changed):
#   - `run --rm IMAGE true`                                (hyperfine, mean wall time)
#   - `run -d IMAGE sleep` + `stop -t 0` + `rm`              (hyperfine)
#   - the resident memory of hull-monitor against conmon's, each keeping one detached `sleep`
#   - the memory N detached `sleep` containers take (MemAvailable before and after), and `ps` with them
#   - rootless `run --rm IMAGE true`, as a user the bench makes, against rootless podman with crun
# Prints ratios (peer / hull); hyperfine's JSON goes to $BENCH_OUT (default a temp dir).
#   usage: bench/engine.sh [RUNS] [N]
set -eu
cd "$(dirname "$0")/.."
runs=${1:-20}
many=${2:-200}
[ "$(id -u)" = 0 ] || { echo "bench: run as root" >&2; exit 1; }
scripts/deps.sh bench
command -v podman >/dev/null || { echo "bench: podman is missing (apt-get install podman)" >&2; exit 1; }
[ -d build-bench ] || meson setup build-bench -Dbuildtype=release >/dev/null
ninja -C build-bench >/dev/null

work=$(mktemp -d /tmp/hull-bench-engine.XXXXXX)
out=${BENCH_OUT:-$work/results}
mkdir -p "$out"
hull="$PWD/build-bench/src/hull --store $work/store --runroot $work/run"
# podman on storage of the bench's own, so that nothing of the machine's is touched or counted.
podman_base="podman --root $work/podman --runroot $work/podman-run --storage-driver overlay --cgroup-manager cgroupfs --events-backend none"
podman_crun="$podman_base --runtime $(command -v crun)"
podman_runc="$podman_base --runtime $(command -v runc)"
# podman raises RLIMIT_NOFILE and RLIMIT_NPROC to 1048576 unless given lower ones (even --ulimit host); these machines cannot raise a
# hard limit (no CAP_SYS_RESOURCE), and hull keeps the caller's limits anyway.
pflags="--network none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024"
cleanup() {
	docker_cleanup
	$hull rm -f $($hull ps -aq 2>/dev/null) >/dev/null 2>&1 || true
	$podman_base rm -f -a >/dev/null 2>&1 || true
	$podman_base system reset -f >/dev/null 2>&1 || true
	grep " $work" /proc/self/mounts | awk '{print $2}' | sort -r | while read -r m; do umount -l "$m"; done
	rm -rf "$work"
}
trap cleanup EXIT

# dockerd (Debian's docker.io, runc as its runtime) in a network namespace of the bench's own, with its own
# data-root, exec-root (a short path: containerd's socket lives there), socket and cgroup parent.
docker_exec=$(mktemp -d /tmp/hb.XXXXXX)
docker_netns=hull-bench-docker-$$
docker_cg=/hull-bench-docker-$$
docker="docker -H unix://$docker_exec/docker.sock"
docker_cleanup() {
	$docker rm -f $($docker ps -aq 2>/dev/null) >/dev/null 2>&1 || true
	if [ -f "$docker_exec/docker.pid" ]; then
		local pid
		pid=$(cat "$docker_exec/docker.pid")
		kill "$pid" 2>/dev/null || true
		for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	fi
	ip netns delete "$docker_netns" 2>/dev/null || true
	for d in /sys/fs/cgroup/*"$docker_cg" /sys/fs/cgroup/*/"$docker_cg"; do
		[ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
	done
	umount -R "$docker_exec" 2>/dev/null || true
	rm -rf "$docker_exec"
}
command -v dockerd >/dev/null || { echo "bench: dockerd is missing (apt-get install docker.io)" >&2; exit 1; }
{
	ip netns add "$docker_netns"
	nsenter --net="/run/netns/$docker_netns" ip link set lo up
	jq -n --arg root "$work/docker" --arg exec "$docker_exec" --arg cg "$docker_cg" '{
		"data-root": $root, "exec-root": $exec, "hosts": ["unix://\($exec)/docker.sock"],
		"pidfile": "\($exec)/docker.pid", "iptables": false, "ip6tables": false, "bridge": "none",
		"ip-forward": false, "ip-masq": false, "cgroup-parent": $cg,
		"exec-opts": ["native.cgroupdriver=cgroupfs"], "storage-driver": "overlay2",
		"default-ulimits": {"nofile": {"Name": "nofile", "Soft": 1024, "Hard": 1024}}}' >"$docker_exec/daemon.json"
	nsenter --net="/run/netns/$docker_netns" dockerd --config-file "$docker_exec/daemon.json" \
		>"$work/dockerd.log" 2>&1 </dev/null &
	for _ in $(seq 300); do $docker version >/dev/null 2>&1 && break; sleep 0.1; done
	$docker version >/dev/null 2>&1 || { tail -5 "$work/dockerd.log" >&2; echo "bench: dockerd did not start" >&2; exit 1; }
}

rootfs=$(tests/fixtures/busybox-rootfs.sh "${HULL_TEST_CACHE:-/var/cache/hull-tests}")
tar -C "$rootfs" -c . | $hull import - localhost/bb:1 >/dev/null
tar -C "$rootfs" -c . | $podman_base import - localhost/bb:1 >/dev/null
tar -C "$rootfs" -c . | $docker import - localhost/bb:1 >/dev/null

hf() { # NAME hyperfine-arguments...
	local name=$1
	shift
	hyperfine -N --warmup 2 --runs "$runs" --export-json "$out/$name.json" "$@" >/dev/null
}
mean() { # FILE INDEX
	jq -r ".results[$2].mean" "$1"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# -d, stop, rm as one command line each (hyperfine runs it through a shell).
cycle() { echo "sh -c 'id=\$($1 run -d $2 localhost/bb:1 sleep 1000) && $1 stop -t 0 \$id >/dev/null && $1 rm \$id >/dev/null'"; }
# crun refuses every container on a hybrid host whose unified hierarchy offers controllers (hugetlb on some
# of these machines: "cgroups in hybrid mode not supported"); podman with crun is then left out, and the
# podman figures below are podman with runc.
podman=$podman_crun
peers_run=(-n podman-crun "$podman_crun run --rm $pflags localhost/bb:1 true")
peers_cycle=(-n podman-crun "$(cycle "$podman_crun" "$pflags")")
if ! $podman_crun run --rm $pflags localhost/bb:1 true >/dev/null 2>"$work/crun.err"; then
	echo "bench: podman with crun cannot run here ($(tail -1 "$work/crun.err")); left out" >&2
	podman=$podman_runc
	peers_run=()
	peers_cycle=()
fi
hf run -n hull "$hull run --rm --network none localhost/bb:1 true" "${peers_run[@]}" \
	-n podman-runc "$podman_runc run --rm $pflags localhost/bb:1 true" \
	-n docker "$docker run --rm --network none localhost/bb:1 true"

hyperfine --warmup 2 --runs "$runs" --export-json "$out/cycle.json" -n hull "$(cycle "$hull" "--network none")" \
	"${peers_cycle[@]}" -n podman-runc "$(cycle "$podman_runc" "$pflags")" \
	-n docker "$(cycle "$docker" "--network none")" >/dev/null

# One detached sleep each: the monitor's and conmon's resident memory (VmRSS, KiB).
$hull run -d --name rss --network none localhost/bb:1 sleep 1000 >/dev/null
$podman run -d --name rss $pflags localhost/bb:1 sleep 1000 >/dev/null
sleep 1
rss_of() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }
monitor_pid=$(jq -r .MonitorPid "$work/store/containers/$($hull inspect rss | jq -r '.[0].Id')/run.json")
conmon_pid=$($podman_base inspect rss --format '{{.State.ConmonPid}}')
monitor_rss=$(rss_of "$monitor_pid")
conmon_rss=$(rss_of "$conmon_pid")
$hull rm -f rss >/dev/null
$podman_base rm -f rss >/dev/null

# N detached sleeps: what the machine gives up for them (MemAvailable, KiB), and ps listing them.
avail() { awk '/^MemAvailable/ { print $2 }' /proc/meminfo; }
many_mem() { # RUNTIME-COMMAND FLAGS
	local before after i
	sync
	before=$(avail)
	for i in $(seq "$many"); do
		$1 run -d $2 localhost/bb:1 sleep 1000 >/dev/null
	done
	sleep 2
	after=$(avail)
	echo $((before - after))
}
hull_many=$(many_mem "$hull" "--network none")
podman_many=$(many_mem "$podman" "$pflags")
hf ps -n hull "$hull ps" -n podman "$podman_base ps"
$hull rm -f $($hull ps -aq) >/dev/null
$podman_base rm -f -a -t 0 >/dev/null

# Rootless: a user of the bench's own (ranges in /etc/subuid), hull against podman with crun, both with
# their default rootless store in its home and --network none.
rl_user=hull-bench-rl
# A home of its own outside the bench's directory (rootless podman changes the modes of its home's parents).
rl_home=$(mktemp -d /tmp/hbrl.XXXXXX)
userdel "$rl_user" >/dev/null 2>&1 || true
sed -i "/^$rl_user:/d" /etc/subuid /etc/subgid
useradd --no-create-home --home-dir "$rl_home" --shell /bin/sh "$rl_user"
echo "$rl_user:700000:65536" >>/etc/subuid
echo "$rl_user:700000:65536" >>/etc/subgid
mkdir -p "$rl_home" "$rl_home/run"
chmod 0700 "$rl_home/run"
chown -R "$rl_user:" "$rl_home"
rl_cleanup() {
	local f
	for f in "$rl_home/run/hull/pause.pid" "$rl_home/run/libpod/tmp/pause.pid"; do
		[ -f "$f" ] && kill "$(cut -d' ' -f1 "$f")" 2>/dev/null
	done
	userdel "$rl_user" >/dev/null 2>&1 || true
	sed -i "/^$rl_user:/d" /etc/subuid /etc/subgid
	rm -rf "$rl_home"
	cleanup
}
trap rl_cleanup EXIT
as_rl="setpriv --reuid=$rl_user --regid=$rl_user --init-groups env -i HOME=$rl_home XDG_RUNTIME_DIR=$rl_home/run PATH=/usr/sbin:/usr/bin:/sbin:/bin"
rl_hull="$as_rl $PWD/build-bench/src/hull"
rl_podman="$as_rl podman --cgroup-manager cgroupfs --events-backend none --runtime ${podman##*--runtime }"
tar -C "$rootfs" -c . | $rl_hull import - localhost/bb:1 >/dev/null
tar -C "$rootfs" -c . | $rl_podman import - localhost/bb:1 >/dev/null
hf rootless -n hull "$rl_hull run --rm --network none localhost/bb:1 true" \
	-n "podman-${podman##*/}" "$rl_podman run --rm $pflags localhost/bb:1 true"

# Each result of a hyperfine file: its mean and the ratio to the first (hull's).
report() { # FILE LABEL
	jq -r --arg what "$2" '.results[0].mean as $h | .results[] |
		"\($what) \(.command): \(.mean * 1000 * 10 | round / 10) ms, \(.mean / $h * 100 | round / 100)x hull"' "$1"
}
report "$out/run.json" "run --rm true"
report "$out/cycle.json" "run -d + stop + rm"
printf '%-40s %12s %12s\n' "monitor resident memory (KiB; conmon)" "$monitor_rss" "$conmon_rss"
printf '%-40s %12s %12s\n' "  conmon / hull-monitor" 1.00 "$(ratio "$conmon_rss" "$monitor_rss")"
printf '%-40s %12s %12s\n' "$many detached sleeps (MiB of memory)" "$((hull_many / 1024))" "$((podman_many / 1024))"
printf '%-40s %12s %12s\n' "  podman / hull" 1.00 "$(ratio "$podman_many" "$hull_many")"
printf '%-40s %12.1f %12.1f\n' "ps with $many containers (ms)" "$(mean "$out/ps.json" 0 | awk '{print $1*1000}')" \
	"$(mean "$out/ps.json" 1 | awk '{print $1*1000}')"
printf '%-40s %12s %12s\n' "  podman / hull" 1.00 "$(ratio "$(mean "$out/ps.json" 1)" "$(mean "$out/ps.json" 0)")"
report "$out/rootless.json" "rootless run --rm true"
echo "hyperfine JSON: $out"
