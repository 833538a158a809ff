#!/bin/bash
# Machines next to systemd-nspawn, in one run, on the same bootstrapped Debian bookworm root (each on its
# own copy), both with a private network of loopback only:
#   - boot to `systemctl is-system-running` = running, polled the same way for both (nsenter into the
#     machine's PID 1 every 20 ms), from the command that starts it
#   - stop: from the power-off request to the manager's end (`hull machine stop`; SIGTERM to nspawn,
#     which asks the init to halt)
#   - the resident memory of the manager of an idle running machine (hull-monitor; systemd-nspawn)
# Prints medians and ratios (nspawn / hull).
#   usage: bench/machine.sh [RUNS]
set -eu
cd "$(dirname "$0")/.."
runs=${1:-5}
[ "$(id -u)" = 0 ] || { echo "bench: run as root" >&2; exit 1; }
scripts/deps.sh bench
[ -d build-bench ] || meson setup build-bench -Dbuildtype=release >/dev/null
ninja -C build-bench >/dev/null

root=$(unshare -m --propagation private tests/fixtures/machine-rootfs.sh bookworm "${HULL_TEST_CACHE:-/var/cache/hull-tests}")
work=$(mktemp -d /tmp/hull-bench-machine.XXXXXX)
hull="$PWD/build-bench/src/hull --store $work/store --runroot $work/run"
nspawn_pid=
cleanup() {
	[ -n "$nspawn_pid" ] && kill -KILL "$nspawn_pid" 2>/dev/null
	$hull machine rm -f bench >/dev/null 2>&1 || true
	grep " $work" /proc/self/mounts | awk '{print $2}' | sort -r | while read -r m; do umount -l "$m"; done
	rm -rf "$work"
}
trap cleanup EXIT
$hull machine create bench --from "$root" --network none >/dev/null
cp -a "$root" "$work/nspawn-root"

now() { date +%s%N; }
# until_running PID: polls PID 1 of the machine whose host pid is PID.
until_running() {
	local i
	for i in $(seq 1500); do
		[ "$(nsenter -t "$1" -m -p -- systemctl is-system-running 2>/dev/null)" = running ] && return 0
		sleep 0.02
	done
	echo "bench: the machine did not reach running" >&2
	return 1
}
median() { sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
rss_of() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }

: >"$work/hull.boot" >"$work/hull.stop" >"$work/nspawn.boot" >"$work/nspawn.stop"
for _ in $(seq "$runs"); do
	t0=$(now)
	$hull machine start bench
	pid=$($hull inspect bench | jq -r '.[0].State.Pid')
	until_running "$pid"
	t1=$(now)
	id=$($hull inspect bench | jq -r '.[0].Id')
	hull_rss=$(rss_of "$(jq -r .MonitorPid "$work/store/containers/$id/run.json")")
	t2=$(now)
	$hull machine stop -t 30 bench
	t3=$(now)
	echo $(((t1 - t0) / 1000000)) >>"$work/hull.boot"
	echo $(((t3 - t2) / 1000000)) >>"$work/hull.stop"

	t0=$(now)
	unshare -m --propagation private systemd-nspawn -q -b -D "$work/nspawn-root" --register=no --keep-unit \
		--private-network --console=passive >"$work/nspawn.log" 2>&1 &
	nspawn_pid=$!
	# unshare execs nspawn, whose child becomes the machine's PID 1.
	child=
	for _ in $(seq 500); do
		child=$(pgrep -P "$nspawn_pid" | head -1 || true)
		[ -n "$child" ] && [ "$(cat "/proc/$child/comm" 2>/dev/null)" = systemd ] && break
		sleep 0.01
	done
	until_running "$child"
	t1=$(now)
	nspawn_rss=$(rss_of "$nspawn_pid")
	t2=$(now)
	kill -TERM "$nspawn_pid"
	wait "$nspawn_pid" || true
	t3=$(now)
	nspawn_pid=
	echo $(((t1 - t0) / 1000000)) >>"$work/nspawn.boot"
	echo $(((t3 - t2) / 1000000)) >>"$work/nspawn.stop"
done

hb=$(median <"$work/hull.boot") hs=$(median <"$work/hull.stop")
nb=$(median <"$work/nspawn.boot") ns=$(median <"$work/nspawn.stop")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
printf '%-36s %10s %10s %14s\n' "Debian bookworm, $runs runs (median)" hull nspawn "nspawn / hull"
printf '%-36s %10s %10s %14s\n' "boot to running (ms)" "$hb" "$nb" "$(ratio "$nb" "$hb")"
printf '%-36s %10s %10s %14s\n' "stop (ms)" "$hs" "$ns" "$(ratio "$ns" "$hs")"
printf '%-36s %10s %10s %14s\n' "manager resident memory (KiB)" "$hull_rss" "$nspawn_rss" "$(ratio "$nspawn_rss" "$hull_rss")"
