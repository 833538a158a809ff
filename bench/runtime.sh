#!/bin/bash
# hull-runtime next to crun and runc on the same busybox bundle, in one run, with public tools:
#   - `run` of /bin/true                      (hyperfine, mean wall time), with and without linux.seccomp
#   - create + start + delete                 (hyperfine)
#   - `exec` of /bin/true into a running container (hyperfine)
#   - peak memory of the runtime during `run` (/usr/bin/time -f %M: the largest process it waited for)
#   - the smallest memory limit (linux.resources.memory, swap included) under which `run` of /bin/true
#     still succeeds (a bisection, each step confirmed by three runs)
# and the floor: `unshare -fpmnuiC --mount-proc true`, the namespaces alone with no runtime.
# Prints ratios (peer / hull, hull / floor); hyperfine's JSON goes to $BENCH_OUT (default a temp dir).
#
# Debian's crun 1.8 refuses this machine's hybrid cgroup layout, so every runtime (hull too, for fairness)
# runs in a private mount namespace in which /sys/fs/cgroup/unified is unmounted; hull is also measured on
# the host's layout as it is.  The host's own mounts are never touched.
#   usage: bench/runtime.sh [RUNS]
set -eu
cd "$(dirname "$0")/.."
runs=${1:-40}
[ "$(id -u)" = 0 ] || { echo "bench: run as root (containers need it)" >&2; exit 1; }
scripts/deps.sh bench
[ -d build-bench ] || meson setup build-bench -Dbuildtype=release >/dev/null
ninja -C build-bench >/dev/null
hull=$PWD/build-bench/src/hull-runtime
crun=$(command -v crun)
runc=$(command -v runc)

work=$(mktemp -d /tmp/hull-bench.XXXXXX)
out=${BENCH_OUT:-$work/results}
mkdir -p "$out"
cgparent=/hull-bench-$$
cleanup() {
	local d
	for d in /sys/fs/cgroup/*"$cgparent" /sys/fs/cgroup/*/"$cgparent"; do
		[ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
	done
	rm -rf "$work"
}
trap cleanup EXIT

rootfs=$(tests/fixtures/busybox-rootfs.sh "${HULL_TEST_CACHE:-/var/cache/hull-tests}")
# One bundle per runtime, identical but for the cgroup, which each creates under the bench's own parent.
# (A copy of the root each: runc refuses a symlinked one.  ociVersion 1.0.2: crun 1.8 knows no later.)
for rt in hull crun runc; do
	mkdir -p "$work/$rt"
	cp -a "$rootfs" "$work/$rt/rootfs"
	"$hull" spec --bundle "$work/$rt"
	jq --arg cg "$cgparent/$rt" '.ociVersion = "1.0.2" | .process.terminal = false | .process.args = ["/bin/true"] |
		.root.readonly = true | .linux.cgroupsPath = $cg' "$work/$rt/config.json" >"$work/$rt/c"
	mv "$work/$rt/c" "$work/$rt/config.json"
	# The exec bundle runs a long sleep in its own cgroup; the memory bundle shares the root.
	mkdir -p "$work/$rt-exec" "$work/$rt-mem"
	jq --arg cg "$cgparent/$rt-exec" '.process.args = ["sleep", "1000"] | .linux.cgroupsPath = $cg |
		.root.path = "../'"$rt"'/rootfs"' "$work/$rt/config.json" >"$work/$rt-exec/config.json"
	jq '.root.path = "../'"$rt"'/rootfs"' "$work/$rt/config.json" >"$work/$rt-mem/base.json"
	# The same bundle without linux.seccomp: what the start path costs without compiling or loading a
	# filter (hull caches compiled filters, its peers do not).
	mkdir -p "$work/$rt-noseccomp"
	jq --arg cg "$cgparent/$rt-noseccomp" 'del(.linux.seccomp) | .linux.cgroupsPath = $cg |
		.root.path = "../'"$rt"'/rootfs"' "$work/$rt/config.json" >"$work/$rt-noseccomp/config.json"
done

# in_ns CMD: CMD in a private mount namespace without the unified cgroup mount.
in_ns() {
	printf "unshare -m sh -c 'umount /sys/fs/cgroup/unified 2>/dev/null; exec %s'" "$1"
}
rt_cmd() { # RUNTIME-NAME BINARY SUBCOMMAND...: a command line with the runtime's own state root
	local name=$1 bin=$2
	shift 2
	echo "$bin --root $work/state-$name $*"
}

hf() { # NAME COMMAND...
	local name=$1
	shift
	hyperfine -N --warmup 3 --runs "$runs" --export-json "$out/$name.json" "$@" >/dev/null
}

echo "bench: $runs runs each; results in $out" >&2
run_cmds=() cycle_cmds=()
for rt in hull crun runc; do
	bin=${!rt}
	run_cmds+=(-n "$rt" "$(in_ns "$(rt_cmd "$rt" "$bin" run --bundle "$work/$rt" "b-$rt")")")
	cycle="$(rt_cmd "$rt" "$bin" create --bundle "$work/$rt" "c-$rt") && $(rt_cmd "$rt" "$bin" start "c-$rt") && $(rt_cmd "$rt" "$bin" delete --force "c-$rt")"
	cycle_cmds+=(-n "$rt" "$(in_ns "sh -c \"$cycle\"")")
done
hf run "${run_cmds[@]}" \
	-n hull-hybrid "$(rt_cmd hull "$hull" run --bundle "$work/hull" b-hybrid)" \
	-n floor "$(in_ns "unshare -fpmnuiC --mount-proc true")" \
	-n floor-hybrid "unshare -fpmnuiC --mount-proc true"
hf cycle "${cycle_cmds[@]}"
noseccomp_cmds=()
for rt in hull crun runc; do
	noseccomp_cmds+=(-n "$rt" "$(in_ns "$(rt_cmd "$rt" "${!rt}" run --bundle "$work/$rt-noseccomp" "n-$rt")")")
done
hf run-noseccomp "${noseccomp_cmds[@]}"

# exec: one long-running container per runtime, started and exec'd into in the private namespace.
exec_cmds=()
for rt in hull crun runc; do
	bin=${!rt}
	sh -c "$(in_ns "$(rt_cmd "$rt" "$bin" run -d --bundle "$work/$rt-exec" "x-$rt")")" 2>/dev/null || true
done
for rt in hull crun runc; do
	exec_cmds+=(-n "$rt" "$(in_ns "$(rt_cmd "$rt" "${!rt}" exec "x-$rt" /bin/true)")")
done
hf exec "${exec_cmds[@]}"
for rt in hull crun runc; do
	sh -c "$(in_ns "$(rt_cmd "$rt" "${!rt}" delete --force "x-$rt")")" >/dev/null 2>&1 || true
done

# The smallest memory limit (KiB) under which `run` of /bin/true succeeds three times in a row.
starts_under() { # RT BIN KIB
	local rt=$1 bin=$2 kib=$3 i
	jq --argjson b $((kib * 1024)) '.linux.resources.memory = {"limit": $b, "swap": $b}' \
		"$work/$rt-mem/base.json" >"$work/$rt-mem/config.json"
	for i in 1 2 3; do
		sh -c "$(in_ns "$(rt_cmd "$rt" "$bin" run --bundle "$work/$rt-mem" "l-$rt")")" >/dev/null 2>&1 || {
			sh -c "$(in_ns "$(rt_cmd "$rt" "$bin" delete --force "l-$rt")")" >/dev/null 2>&1
			return 1
		}
	done
}
min_memory() { # RT BIN: bisection between 64 KiB and 64 MiB
	local rt=$1 bin=$2 lo=64 hi=65536 mid
	starts_under "$rt" "$bin" "$lo" && { echo "$lo"; return; }
	starts_under "$rt" "$bin" "$hi" || { echo "over-$hi"; return; }
	while [ $((hi - lo)) -gt $((lo / 16 + 8)) ]; do
		mid=$(((lo + hi) / 2))
		if starts_under "$rt" "$bin" "$mid"; then hi=$mid; else lo=$mid; fi
	done
	echo "$hi"
}
declare -A minmem
for rt in hull crun runc; do
	minmem[$rt]=$(min_memory "$rt" "${!rt}")
done

# Peak RSS (KiB) of the largest process each runtime waited for during `run`: the median of 10.
peak() {
	local rt=$1 bin=$2 i
	for i in $(seq 10); do
		unshare -m sh -c "umount /sys/fs/cgroup/unified 2>/dev/null; exec /usr/bin/time -f %M $(rt_cmd "$rt" "$bin" run --bundle "$work/$rt" "m-$rt")" 2>&1 >/dev/null | tail -1
	done | sort -n | sed -n 5p
}
declare -A rss
for rt in hull crun runc; do
	rss[$rt]=$(peak "$rt" "${!rt}")
done

mean() { jq -r --arg n "$2" '.results[] | select(.command == $n) | .mean' "$out/$1.json"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
ms() { awk -v a="$1" 'BEGIN { printf "%.1f ms", a * 1000 }'; }

printf '\n%-34s %10s %10s %10s\n' "" hull crun runc
for b in run run-noseccomp cycle exec; do
	printf '%-34s %10s %10s %10s\n' "$b: mean" "$(ms "$(mean $b hull)")" "$(ms "$(mean $b crun)")" "$(ms "$(mean $b runc)")"
	printf '%-34s %10s %10s %10s\n' "$b: time / hull's" 1.00 "$(ratio "$(mean $b crun)" "$(mean $b hull)")" "$(ratio "$(mean $b runc)" "$(mean $b hull)")"
done
printf '%-34s %10s %10s %10s\n' "peak RSS (KiB)" "${rss[hull]}" "${rss[crun]}" "${rss[runc]}"
printf '%-34s %10s %10s %10s\n' "peak RSS / hull's" 1.00 "$(ratio "${rss[crun]}" "${rss[hull]}")" "$(ratio "${rss[runc]}" "${rss[hull]}")"
printf '%-34s %10s %10s %10s\n' "smallest memory limit (KiB)" "${minmem[hull]}" "${minmem[crun]}" "${minmem[runc]}"
if [[ "${minmem[hull]}${minmem[crun]}${minmem[runc]}" =~ ^[0-9]+$ ]]; then
	printf '%-34s %10s %10s %10s\n' "smallest limit / hull's" 1.00 "$(ratio "${minmem[crun]}" "${minmem[hull]}")" "$(ratio "${minmem[runc]}" "${minmem[hull]}")"
fi
printf '\nhull run / floor (unshare -fpmnuiC --mount-proc true), both in the private namespace: %s\n' \
	"$(ratio "$(mean run hull)" "$(mean run floor)")"
printf 'hull run / floor, both on the host layout as is (hybrid):                     %s\n' \
	"$(ratio "$(mean run hull-hybrid)" "$(mean run floor-hybrid)")"
