#!/bin/bash
# hull pull next to skopeo copy + umoci unpack and podman pull, in one run, from the same local registry
# (Debian's docker-registry on loopback, its own config), for a small image (busybox, one 1 MB layer) and
# a large one (a debootstrapped Debian 12, about 200 MB in one gzip layer).  Each pull starts from an
# empty store and ends with an unpacked root filesystem:
#   hull            hull pull (layers verified, unpacked into the store as it downloads)
#   skopeo+umoci    skopeo copy to an OCI layout, then umoci unpack into a bundle
#   podman          podman pull into a fresh --root (overlay driver)
# Prints mean wall times (hyperfine) and peak RSS (/usr/bin/time), as ratios peer / hull.
#   usage: bench/pull.sh [RUNS]
set -eu
cd "$(dirname "$0")/.."
runs=${1:-5}
[ "$(id -u)" = 0 ] || { echo "bench: run as root" >&2; exit 1; }
scripts/deps.sh bench
for p in docker-registry skopeo umoci podman debootstrap; do
	dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$p" >/dev/null
done
[ -d build-bench ] || meson setup build-bench -Dbuildtype=release >/dev/null
ninja -C build-bench >/dev/null
hull=$PWD/build-bench/src/hull
cache=${HULL_TEST_CACHE:-/var/cache/hull-tests}

work=$(mktemp -d /tmp/hull-bench-pull.XXXXXX)
registry_pid=
cleanup() {
	[ -n "$registry_pid" ] && kill "$registry_pid" 2>/dev/null && wait "$registry_pid" 2>/dev/null
	# podman's overlay driver leaves its layer mounts under the store until it is told to let go.
	podman --root "$work/podman" --runroot "$work/podman-run" --storage-driver overlay system reset -f >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$work/registry.yml" <<CONFIG
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $work/registry
http:
  addr: 127.0.0.1:$port
CONFIG
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
registry_pid=$!
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/v2/" && break; sleep 0.1; done
reg=127.0.0.1:$port

busybox=$(tests/fixtures/busybox-rootfs.sh "$cache")
debian=$(tests/fixtures/debian-rootfs.sh "$cache")
for pair in "busybox:$busybox" "debian:$debian"; do
	name=${pair%%:*} root=${pair#*:}
	tests/fixtures/oci-archive.sh "$root" "$name" "$work/$name.tar"
	skopeo copy -q --dest-tls-verify=false --dest-compress "oci-archive:$work/$name.tar" "docker://$reg/bench/$name:1"
	rm "$work/$name.tar"
done
echo "# images: busybox $(du -sh "$busybox" | cut -f1), debian $(du -sh "$debian" | cut -f1) unpacked"

hull_pull="$hull --store $work/hull pull -q $reg/bench/IMAGE:1"
skopeo_umoci="skopeo copy -q --src-tls-verify=false docker://$reg/bench/IMAGE:1 oci:$work/oci:x && umoci unpack --image $work/oci:x $work/umoci"
podman_pull="podman --root $work/podman --runroot $work/podman-run --storage-driver overlay pull -q --tls-verify=false $reg/bench/IMAGE:1"
clean="podman --root $work/podman --runroot $work/podman-run --storage-driver overlay system reset -f >/dev/null 2>&1; rm -rf $work/hull $work/oci $work/umoci $work/podman $work/podman-run; sync"

# peak KiB of a command line (the largest of its processes: skopeo and umoci run one after the other)
peak() {
	local max=0 kib cmd
	eval "$clean"
	IFS='&' read -ra parts <<<"${1//&&/&}"
	for cmd in "${parts[@]}"; do
		[ -z "${cmd// /}" ] && continue
		/usr/bin/time -f '%M' -o "$work/kib" sh -c "$cmd" >/dev/null 2>&1
		kib=$(tail -1 "$work/kib")
		[ "$kib" -gt "$max" ] && max=$kib
	done
	echo "$max"
}

for image in busybox debian; do
	h=${hull_pull//IMAGE/$image} s=${skopeo_umoci//IMAGE/$image} p=${podman_pull//IMAGE/$image}
	hyperfine -N --style basic --runs "$runs" --prepare "sh -c '$clean'" --export-json "$work/$image.json" \
		-n hull "sh -c '$h'" -n skopeo+umoci "sh -c '$s'" -n podman "sh -c '$p'" >"$work/$image.txt" 2>&1 ||
		{ cat "$work/$image.txt"; exit 1; }
	read -r th ts tp < <(jq -r '[.results[].mean] | map(tostring) | join(" ")' "$work/$image.json")
	mh=$(peak "$h") ms=$(peak "$s") mp=$(peak "$p")
	eval "$clean"
	awk -v i="$image" -v th="$th" -v ts="$ts" -v tp="$tp" -v mh="$mh" -v ms="$ms" -v mp="$mp" 'BEGIN {
		printf "%s pull+unpack: hull %.3f s; skopeo+umoci %.2fx hull'"'"'s time, podman %.2fx\n", i, th, ts / th, tp / th
		printf "%s peak RSS: hull %d KiB; skopeo+umoci %.2fx, podman %.2fx\n", i, mh, ms / mh, mp / mh }'
done
